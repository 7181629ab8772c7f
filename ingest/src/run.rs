//! One ingest run: every drop given is read, checked against the form and the contract's
//! guards, and all accepted drops are published together as one registry version, or
//! nothing is. The guards, in the contract's order of precedence: a stale drop, a
//! manifest that disagrees, more than 20 % of children rows rejected, a shrink of more
//! than 20 % of the region's children. An identical re-send changes nothing. Of a
//! region's several drops in one run the newest is read first; an older one is read
//! only when every newer one was refused.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use daryn_registry::form::TableKind;
use daryn_registry::form::rules::{DropContext, check_drop};
use daryn_registry::store::schema::{self, Provenance};
use daryn_registry::store::{RegionState, RegistryVersion, Store, pause_point};
use daryn_registry::{KatoClassifier, RegionCode};
use deltalake::arrow::array::{AsArray, RecordBatch};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::conflicts;
use crate::error::Error;
use crate::read::{self, DropContent, DropSource};

mod outcome;
mod records;
mod write;

use outcome::Stopwatch;
pub use outcome::{Counts, DropOutcome, DropStatus, Progress, Quiet, Refusal, RunOutcome, StageTime};
pub(crate) use records::coordinator_csv;
use records::{rejection_records, report_folder, warning_records, write_rejection_files};
use write::{Writing, write_version};

/// Why a run could not finish. Nothing is published when a run fails.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Read(#[from] Error),
    #[error(transparent)]
    Store(#[from] daryn_registry::store::StoreError),
    #[error(transparent)]
    Search(#[from] daryn_registry::search::SearchError),
}

impl RunError {
    /// The stable code a run that stopped on this error prints.
    pub fn code(&self) -> &'static str {
        match self {
            RunError::Read(error) => error.code(),
            RunError::Store(error) => error.code(),
            RunError::Search(error) => error.code(),
        }
    }
}

pub type Result<T> = std::result::Result<T, RunError>;

/// The share of children rows, and of a region's current children, above which a drop
/// is refused.
pub const REFUSAL_SHARE: f64 = 0.20;

/// What to ingest and how.
#[derive(Clone, Debug, Default)]
pub struct IngestOptions {
    pub registry: PathBuf,
    pub paths: Vec<PathBuf>,
    /// Regions whose drops may remove more than 20 % of their children this run.
    pub allow_shrink: Vec<RegionCode>,
    pub classifier: Option<KatoClassifier>,
}

/// A drop read and checked, waiting to be published: its accepted rows as Arrow batches
/// (children, measures, achievements, teachers), which hold them far more compactly
/// than the typed records.
struct Prepared {
    outcome: DropOutcome,
    batches: Option<[RecordBatch; 4]>,
    /// Where the drop stands among the run's drops as found (by region, newest first).
    position: usize,
    /// Not read: a newer drop of its region is in the run. It is read after all when
    /// every newer one is refused ([`set_aside_to_read`]).
    set_aside: bool,
    /// Unchanged, but exported after the drop its region holds: the version records the
    /// newer export time as the region's (the drop keeps its id).
    confirms: bool,
    /// Refused just as its region's last judged export was, which a kept version records:
    /// no new version repeats it.
    repeats: bool,
}

impl Prepared {
    fn unpublished(outcome: DropOutcome) -> Prepared {
        Prepared { outcome, batches: None, position: 0, set_aside: false, confirms: false, repeats: false }
    }

    /// The IINs of the drop's accepted children.
    fn accepted_iins(&self) -> impl Iterator<Item = &str> {
        self.batches.iter().flat_map(|[children, ..]| {
            children.column_by_name("iin").map(|column| column.as_string::<i32>()).into_iter().flatten().flatten()
        })
    }
}

/// Runs an ingest. See the module documentation for the rules.
pub async fn ingest(options: &IngestOptions, progress: &dyn Progress) -> Result<RunOutcome> {
    let started = std::time::SystemTime::now();
    let mut clock = Stopwatch::start();
    // The paths first: a mistyped one must not leave a new, empty registry behind.
    let sources = read::discover(&options.paths)?;
    let store = Store::open(&options.registry, true)?;
    let _lock = store.lock()?;
    if let Some(mode) = store.open_to_others() {
        tracing::warn!(
            "the registry's folder `{}` is open to every user of this machine (mode {mode:o}), and its tables hold \
             children's IINs and names: `chmod o-rwx` it (see the README, \"Personal data\")",
            store.root().display()
        );
    }
    progress.stage("checking the registry");
    let rolled_back = store.roll_back_unpinned().await?;
    let current = store.current()?;
    let sources = newest_first_per_region(sources);

    // Reading and checking is CPU work: the drops go through it one per core, a few at
    // a time, largest first so that the drops read side by side take about as long.
    // Each group's accepted rows are written while the next group is read, and then let
    // go, so a run holds only a few regions' rows however many it is given. The table
    // commits are not the registry's until the version that pins them is published.
    let mut writing = Writing {
        store: &store,
        label: format!("registry version {}", current.as_ref().map(|version| version.version).unwrap_or(0) + 1),
        tables: current.as_ref().map(|version| version.tables.clone()).unwrap_or_default(),
        accepted_iins: Vec::new(),
    };
    let mut by_size: Vec<usize> = (0..sources.len()).collect();
    let sizes: Vec<u64> = sources.iter().map(|(source, _)| folder_bytes(&source.folder)).collect();
    by_size.sort_by_key(|&position| std::cmp::Reverse(sizes[position]));
    let groups: Vec<&[usize]> = by_size.chunks(rayon::current_num_threads().max(1)).collect();
    // `in_place_of_newer`: the second pass, which reads drops set aside for a newer one.
    let read_group = |group: &[usize], in_place_of_newer: bool| -> Result<Vec<Prepared>> {
        group
            .par_iter()
            .map(|&position| {
                let (source, superseded_by) = &sources[position];
                let mut item = match superseded_by {
                    Some(newer) if !in_place_of_newer => Prepared {
                        set_aside: true,
                        ..refused_without_reading(source, "stale", stale_in_run(newer, "is in the same run"))
                    },
                    _ => {
                        progress.drop_started(&source.region.to_string(), &source.folder);
                        prepare(current.as_ref(), source, options)?
                    }
                };
                item.position = position;
                if item.batches.is_none() && !item.set_aside {
                    progress.drop_done(&item.outcome);
                }
                Ok(item)
            })
            .collect()
    };
    let mut prepared: Vec<Prepared> = Vec::new();
    // Read and checked, not yet written.
    let mut waiting: Vec<Prepared> = Vec::new();
    for group in groups.iter().copied().map(Some).chain([None]) {
        let read = || group.map(|group| read_group(group, false)).transpose();
        let write = writing.guard_and_write(current.as_ref(), &mut waiting, &options.allow_shrink, progress);
        let (next, written) = alongside(read, write).await;
        written?;
        prepared.append(&mut waiting);
        waiting = next?.unwrap_or_default();
    }
    // The drops in the order they were found: by region, the newest first.
    prepared.sort_by_key(|item| item.position);
    // A region's drops apply in export order (section 1): when its newest drop is
    // refused, the next older one of the run is read and checked in its place, and so on.
    loop {
        let retry = set_aside_to_read(&prepared);
        if retry.is_empty() {
            break;
        }
        let (items, ()) = alongside(|| read_group(&retry, true), async {}).await;
        let mut items = items?;
        writing.guard_and_write(current.as_ref(), &mut items, &options.allow_shrink, progress).await?;
        for item in items {
            if let Some(slot) = prepared.iter_mut().find(|slot| slot.position == item.position) {
                *slot = item;
            }
        }
    }
    // What is still set aside is stale: name the newer drop that stands in its place.
    let standing: BTreeMap<String, (PathBuf, &'static str)> = prepared
        .iter()
        .filter(|item| !item.set_aside && item.outcome.exported_at.is_some())
        .filter_map(|item| {
            let stood = match (&item.outcome.status, &item.outcome.refusal) {
                (DropStatus::Published, _) => "is published in its place",
                (DropStatus::Unchanged, _) => "is the one the region holds",
                (DropStatus::Refused, Some(refusal)) if refusal.code == "stale" => {
                    "is not newer than the held drop either"
                }
                _ => return None,
            };
            Some((item.outcome.region.clone(), (item.outcome.folder.clone(), stood)))
        })
        .collect();
    for item in prepared.iter_mut().filter(|item| item.set_aside) {
        // The drop the region already holds, sent again beside a newer one (a cron job
        // given yesterday's folder and today's): a no-op, not a refusal (section 4).
        let held = current.as_ref().and_then(|version| version.regions.get(&item.outcome.region));
        if let Some(held) = held
            && let Some(hash) = folder_hash(&item.outcome.folder).filter(|hash| *hash == held.content_sha256)
        {
            item.outcome.unchanged_from(held);
            item.outcome.content_sha256 = hash;
        } else if let Some((folder, stood)) = standing.get(&item.outcome.region) {
            item.outcome.refusal = Some(Refusal::new("stale", stale_in_run(folder, stood)));
        }
        progress.drop_done(&item.outcome);
    }
    // An export an earlier run judged, sent again once older than what its region holds
    // (a cron job given yesterday's folder and today's, run twice): a no-op, as an
    // identical re-send is (section 4), not a refusal and not a new version. The export is
    // known by its region, its time and its files, from the `drops` table, which is read
    // once for this and for the repeated refusals below (every stale export is refused).
    let history = match &current {
        Some(current) if prepared.iter().any(|item| item.outcome.refusal.is_some()) => {
            Some(store.drop_history(current).await?)
        }
        _ => None,
    };
    if let Some(history) = &history {
        for item in prepared.iter_mut().filter(|item| item.outcome.is_stale()) {
            let outcome = &mut item.outcome;
            let hash = match outcome.content_sha256.as_str() {
                "" => folder_hash(&outcome.folder),
                read => Some(read.to_owned()),
            };
            let earlier = hash
                .as_ref()
                .zip(outcome.exported_at)
                .and_then(|(hash, exported_at)| history.first_judged(&outcome.region, exported_at, hash));
            if let (Some(earlier), Some(hash)) = (earlier, hash.clone()) {
                outcome.content_sha256 = hash;
                outcome.judged_before(earlier);
            }
        }
    }
    clock.lap("tables");

    // An export refused again as the region's last judged export was, alike (a cron job
    // retried on a night with a refusal): told again, but recorded by that run's version,
    // still kept; a new version only to repeat it would push a night out of `vacuum
    // --keep`. An export that could not be read is known by its files' checksums, and a
    // file that cannot be opened by what it is instead.
    let refused_read = |item: &Prepared| item.outcome.refusal.is_some() && !item.outcome.content_sha256.is_empty();
    if let Some(history) = &history {
        for item in prepared.iter_mut().filter(|item| refused_read(item)) {
            let outcome = &mut item.outcome;
            let (Some(refusal), Some(last)) = (outcome.refusal.as_mut(), history.last_judged(&outcome.region)) else {
                continue;
            };
            let alike = Some(last.exported_at) == outcome.exported_at
                && last.content_sha256 == outcome.content_sha256
                && last.refusal_code.as_deref() == Some(refusal.code);
            if alike && store.version(last.registry_version).is_ok() {
                refusal.reason.push_str(&format!(
                    " (refused alike by the run of registry version {}, which records it)",
                    last.registry_version
                ));
                item.repeats = true;
            }
        }
    }
    // A warning says "the row is accepted": of a drop not published, no row is.
    for item in prepared.iter_mut().filter(|item| item.outcome.status != DropStatus::Published) {
        item.outcome.warned.clear();
    }
    let changed =
        prepared.iter().any(|item| (item.outcome.status != DropStatus::Unchanged && !item.repeats) || item.confirms);
    if !changed {
        return Ok(RunOutcome {
            version: None,
            previous_version: current.as_ref().map(|version| version.version),
            drops: prepared.into_iter().map(|item| item.outcome).collect(),
            rolled_back,
            conflicts: Vec::new(),
            conflict_files: Vec::new(),
            stages: clock.stages,
        });
    }
    let (registry_version, conflicts) =
        write_version(writing, current.as_ref(), &prepared, progress, &mut clock).await?;
    let version = registry_version.version;
    let mut drops: Vec<DropOutcome> = prepared.into_iter().map(|item| item.outcome).collect();
    // The coordinators' files are written before the version is published, so that every
    // published version has them; a killed run's folder of this number goes first.
    store.remove_unpublished_reports()?;
    let folder = report_folder(&store, version);
    write_rejection_files(&folder, &mut drops)?;
    let conflict_files = conflicts::write_files(&folder, &conflicts)?;
    pause_point("reports-written");
    store.publish(&registry_version, started)?;
    clock.lap("publish");
    Ok(RunOutcome {
        version: Some(version),
        previous_version: current.as_ref().map(|version| version.version),
        drops,
        rolled_back,
        conflicts: conflicts::masked(&conflicts),
        conflict_files,
        stages: clock.stages,
    })
}

/// The bytes of a drop folder's files, to read the largest drops first. A file that
/// cannot be looked at counts as empty here; reading it says why.
fn folder_bytes(folder: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(folder) else { return 0 };
    entries
        .flatten()
        .filter_map(|entry| entry.metadata().ok())
        .filter(|meta| meta.is_file())
        .map(|meta| meta.len())
        .sum()
}

/// Runs `work` on a thread of its own while this task drives `future`, and gives both
/// results. Reading the next drops and writing the last ones are both CPU work, and
/// neither alone keeps every core busy. A current-thread runtime cannot be blocked, so
/// there the two run one after the other.
async fn alongside<W: Send, F: Future>(work: impl FnOnce() -> W + Send, future: F) -> (W, F::Output) {
    let handle = tokio::runtime::Handle::current();
    if handle.runtime_flavor() != tokio::runtime::RuntimeFlavor::MultiThread {
        let output = future.await;
        return (work(), output);
    }
    tokio::task::block_in_place(|| {
        std::thread::scope(|scope| {
            let worker = scope.spawn(work);
            let output = handle.block_on(future);
            let done = worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (done, output)
        })
    })
}

/// The drops set aside for a newer one of their region that was refused: for each
/// region, the newest set-aside drop when every newer drop of the run was refused (and
/// not as stale: an older one would be staler still). `prepared` is in position order.
fn set_aside_to_read(prepared: &[Prepared]) -> Vec<usize> {
    let mut retry = Vec::new();
    let mut region_done: Option<&str> = None;
    for item in prepared {
        let region = item.outcome.region.as_str();
        if region_done == Some(region) || item.outcome.exported_at.is_none() {
            continue;
        }
        if item.set_aside {
            retry.push(item.position);
            region_done = Some(region);
        } else if item.outcome.status != DropStatus::Refused
            || item.outcome.refusal.as_ref().is_some_and(|refusal| refusal.code == "stale")
        {
            region_done = Some(region);
        }
    }
    retry
}

/// Keeps each region's newest drop of the run; older ones are refused as stale. A drop
/// whose export time is unknown (an invalid manifest, no dated folder) supersedes
/// nothing and is superseded by nothing: it is refused for its own reason.
fn newest_first_per_region(mut sources: Vec<DropSource>) -> Vec<(DropSource, Option<PathBuf>)> {
    // Of two drops exported at the same time, the one in the later dated folder is
    // taken as the newer (a re-sent copy of yesterday's export beside today's).
    sources.sort_by_key(|source| {
        (source.region, std::cmp::Reverse(source.exported_at()), std::cmp::Reverse(source.folder_date))
    });
    let mut newest: BTreeMap<RegionCode, PathBuf> = BTreeMap::new();
    sources
        .into_iter()
        .map(|source| {
            if source.exported_at().is_none() {
                return (source, None);
            }
            let superseded_by = newest.get(&source.region).cloned();
            newest.entry(source.region).or_insert_with(|| source.folder.clone());
            (source, superseded_by)
        })
        .collect()
}

fn blank_outcome(source: &DropSource) -> DropOutcome {
    let exported_at = source.exported_at().map(|stamp| stamp.with_timezone(&Utc));
    DropOutcome {
        region: source.region.to_string(),
        folder: source.folder.clone(),
        drop_id: drop_id(source.region, exported_at),
        exported_at,
        status: DropStatus::Refused,
        refusal: None,
        note: None,
        children: Counts::default(),
        measures: Counts::default(),
        achievements: Counts::default(),
        teachers: Counts::default(),
        unknown_columns: Vec::new(),
        warnings: 0,
        warned: Vec::new(),
        rejections: Vec::new(),
        rejection_file: None,
        warning_file: None,
        content_sha256: String::new(),
    }
}

/// `35-20261124T231000Z`: the region and the export time, unique per region.
fn drop_id(region: RegionCode, exported_at: Option<DateTime<Utc>>) -> String {
    match exported_at {
        Some(stamp) => format!("{region}-{}", stamp.format("%Y%m%dT%H%M%SZ")),
        None => format!("{region}-undated"),
    }
}

/// Why a drop beside a newer one of its region in the run is stale.
fn stale_in_run(newer: &Path, stood: &str) -> String {
    // "Not older": two folders of one region (`35` and `350000000`) may hold drops of the
    // same export time, and then the first found stands.
    format!("a drop of this region exported no earlier, `{}`, {stood}", newer.display())
}

fn refused_without_reading(source: &DropSource, code: &'static str, reason: String) -> Prepared {
    let mut outcome = blank_outcome(source);
    outcome.refusal = Some(Refusal::new(code, reason));
    Prepared::unpublished(outcome)
}

/// Reads and checks one drop and applies the guards that need only the drop and what
/// the current version says of its region. The shrink guard comes later.
fn prepare(current: Option<&RegistryVersion>, source: &DropSource, options: &IngestOptions) -> Result<Prepared> {
    let region = source.region.to_string();
    let Some(exported_at) = source.exported_at().map(|stamp| stamp.with_timezone(&Utc)) else {
        let reason = match &source.manifest_error {
            Some(error) => error.to_string(),
            None => "no manifest and no dated parent folder (YYYY-MM-DD) to give the export time".to_owned(),
        };
        let code = if source.manifest_error.is_some() { "manifest_invalid" } else { "not_a_drop" };
        return Ok(refused_without_reading(source, code, reason));
    };
    let held = current.and_then(|version| version.regions.get(&region));
    let stale = |exported_at: DateTime<Utc>, held: &RegionState| Refusal {
        code: "stale",
        reason: format!(
            "exported at {}, not after the held drop's {}",
            daryn_registry::kazakhstan_time(exported_at),
            daryn_registry::kazakhstan_time(held.exported_at)
        ),
    };
    let mut content = match read::read_drop(source) {
        Ok(content) => content,
        // Stale comes first of the refusals (contract, section 4), and an unreadable drop
        // cannot be the identical re-send that a stale export time is allowed to be.
        Err(error) => {
            let mut item = refused_without_reading(source, error.code(), error.to_string());
            // Its files still know the export again: a retried night with this drop is
            // told its refusal again rather than writing a version to repeat it.
            item.outcome.content_sha256 = folder_hash(&source.folder).unwrap_or_default();
            // A file damaged on its way is told as that (section 5), not as a file of the
            // wrong encoding or shape.
            if let Some(mismatch) =
                source.manifest.as_ref().and_then(|manifest| read::compare_manifest_bytes(manifest, &source.folder))
            {
                let reason = format!("{mismatch} (and it cannot be read: {error})");
                item.outcome.refusal = Some(Refusal::new("manifest_mismatch", reason));
            }
            if let Some(held) = held
                && exported_at <= held.exported_at
            {
                item.outcome.refusal = Some(stale(exported_at, held));
            }
            return Ok(item);
        }
    };
    let mut outcome = blank_outcome(source);
    outcome.content_sha256 = content_hash(&content);
    outcome.unknown_columns =
        content.unknown_columns.iter().map(|unknown| format!("{}: {}", unknown.file, unknown.header)).collect();

    // An export time ahead of the run (a manifest a month off) would make every correct
    // drop after it stale until that day.
    let now = Utc::now();
    let in_future = exported_at > now + chrono::Duration::hours(1);
    let in_future_refusal = || {
        let reason = format!(
            "exported at {}, after this run ({}): check `exported_at` in the manifest or the folder's date",
            daryn_registry::kazakhstan_time(exported_at),
            daryn_registry::kazakhstan_time(now).format("%Y-%m-%d %H:%M%:z")
        );
        Refusal::new("exported_in_future", reason)
    };
    // An identical re-send changes no data, whatever its export time says. A newer
    // export time is recorded as the region's ([`Prepared::confirms`]): the region said
    // then that this is its data, so an export older than it is stale, and a child in two
    // regions is judged by it. A time in the future, or a manifest that disagrees with
    // the files, still refuses it, as it would any drop: the region's data is untouched
    // either way, and its coordinator hears what is wrong with the export (it was a
    // silent no-op, and the export's time went into `drops`).
    if let Some(held) = held
        && held.content_sha256 == outcome.content_sha256
    {
        // Only a re-send that would record a newer time: an older or equal one is the
        // contract's no-op (and never stale, which comes first of the refusals).
        let mismatch = (exported_at > held.exported_at)
            .then(|| source.manifest.as_ref().and_then(|manifest| read::compare_manifest(manifest, &content)))
            .flatten();
        if in_future || mismatch.is_some() {
            outcome.refusal = Some(match mismatch {
                Some(mismatch) => Refusal::new("manifest_mismatch", mismatch.to_string()),
                None => in_future_refusal(),
            });
            return Ok(Prepared::unpublished(outcome));
        }
        outcome.unchanged_from(held);
        let confirms = exported_at > held.exported_at;
        if confirms {
            // The region's latest drop is this one now: its rejected rows take the place
            // of those of a drop refused since, in `rejections` and in the coordinator's
            // file. They are the held drop's, judged on its export's day as the data the
            // registry keeps was (judged on this one's, a child who came of age between
            // the two would be told as rejected while the registry holds the child).
            let judged_at = held.judged_at.unwrap_or(held.exported_at);
            let checked = check_drop(content.take_rows(), &drop_context(source, judged_at, options));
            outcome.rejections = rejection_records(&outcome, &content, &checked);
            outcome.warned = warning_records(&outcome, &content, &checked);
            outcome.warnings = checked.warnings.len() as u64;
        }
        return Ok(Prepared { confirms, ..Prepared::unpublished(outcome) });
    }
    if in_future {
        outcome.refusal = Some(in_future_refusal());
        return Ok(Prepared::unpublished(outcome));
    }
    if let Some(held) = held
        && exported_at <= held.exported_at
    {
        outcome.refusal = Some(stale(exported_at, held));
        return Ok(Prepared::unpublished(outcome));
    }
    if let Some(manifest) = &source.manifest
        && let Some(mismatch) = read::compare_manifest(manifest, &content)
    {
        outcome.refusal = Some(Refusal::new("manifest_mismatch", mismatch.to_string()));
        return Ok(Prepared::unpublished(outcome));
    }

    let context = drop_context(source, exported_at, options);
    let rows = content.take_rows();
    let rows_per_table = [rows.children.len(), rows.measures.len(), rows.achievements.len(), rows.teachers.len()];
    let checked = check_drop(rows, &context);
    outcome.rejections = rejection_records(&outcome, &content, &checked);
    outcome.warned = warning_records(&outcome, &content, &checked);
    outcome.warnings = checked.warnings.len() as u64;
    for table in TableKind::ALL {
        let broken = content.broken.iter().filter(|record| record.table == table).count() as u64;
        let rejected = checked.rejected(table) as u64 + broken;
        let counts =
            Counts { accepted: rows_per_table[table as usize] as u64 - checked.rejected(table) as u64, rejected };
        match table {
            TableKind::Children => outcome.children = counts,
            TableKind::Measures => outcome.measures = counts,
            TableKind::Achievements => outcome.achievements = counts,
            TableKind::Teachers => outcome.teachers = counts,
        }
    }
    let children_rows = outcome.children.accepted + outcome.children.rejected;
    if children_rows > 0 && outcome.children.rejected as f64 / children_rows as f64 > REFUSAL_SHARE {
        // Most of them for their age or a date after the export: far likelier a wrong
        // `exported_at` (a year mistyped in the manifest) than a region of wrong rows.
        let by_export_date = outcome
            .rejections
            .iter()
            .filter(|record| record.table == "children")
            .filter(|record| record.code == "age_out_of_range" || record.code == "date_in_future")
            .count() as u64;
        let hint = if by_export_date * 2 > outcome.children.rejected {
            format!(
                "; {by_export_date} of them for the child's age or a date after the export date, {}: is the export \
                 time right?",
                context.export_day()
            )
        } else {
            String::new()
        };
        outcome.refusal = Some(Refusal {
            code: "too_many_rejected",
            reason: format!(
                "{} of {children_rows} children rows rejected (more than 20 %){hint}",
                outcome.children.rejected
            ),
        });
        return Ok(Prepared::unpublished(outcome));
    }
    outcome.status = DropStatus::Published;
    let provenance = Provenance { region: source.region, drop_id: outcome.drop_id.clone(), exported_at };
    let batches = [
        schema::children_batch(&checked.children.iter().map(|(_, row)| row).collect::<Vec<_>>(), &provenance),
        schema::measures_batch(&checked.measures.iter().map(|(_, row)| row).collect::<Vec<_>>(), &provenance),
        schema::achievements_batch(&checked.achievements.iter().map(|(_, row)| row).collect::<Vec<_>>(), &provenance),
        schema::teachers_batch(&checked.teachers.iter().map(|(_, row)| row).collect::<Vec<_>>(), &provenance),
    ];
    Ok(Prepared { batches: Some(batches), ..Prepared::unpublished(outcome) })
}

/// What a drop's rows are judged against: its region, and its export's day in Kazakhstan,
/// whatever offset the manifest wrote the time with.
fn drop_context<'a>(source: &DropSource, exported_at: DateTime<Utc>, options: &'a IngestOptions) -> DropContext<'a> {
    DropContext {
        region: source.region,
        export_date: daryn_registry::kazakhstan_time(exported_at).date_naive(),
        classifier: options.classifier.as_ref(),
    }
}

/// Refuses a drop that would remove more than 20 % of the children its region holds now
/// (after the duplicate rule), unless the operator allowed it.
async fn guard_shrink(
    store: &Store,
    current: Option<&RegistryVersion>,
    item: &mut Prepared,
    allow_shrink: &[RegionCode],
) -> Result<()> {
    let region = item.outcome.region.clone();
    let Some(version) = current else { return Ok(()) };
    let held = version.regions.get(&region);
    if held.is_none_or(|held| held.children == 0) || allow_shrink.iter().any(|code| code.to_string() == region) {
        return Ok(());
    }
    let held_iins = store.region_iins(version, &region).await?;
    let accepted: HashSet<&str> = item.accepted_iins().collect();
    let removed = held_iins.iter().filter(|iin| !accepted.contains(iin.as_str())).count();
    if !held_iins.is_empty() && removed as f64 / held_iins.len() as f64 > REFUSAL_SHARE {
        item.outcome.status = DropStatus::Refused;
        item.outcome.refusal = Some(Refusal {
            code: "shrink",
            reason: format!(
                "would remove {removed} of the region's {} current children (more than 20 %); pass `--allow-shrink {region}` if that is right",
                held_iins.len()
            ),
        });
        item.batches = None;
    }
    Ok(())
}

/// A hash over the drop's data files (names and contents), to tell an identical re-send.
fn content_hash(content: &DropContent) -> String {
    files_hash(content.files.iter().map(|file| (file.name.as_str(), file.sha256.as_str())).collect())
}

/// [`content_hash`] of a drop folder that was not read (of one that could not be, from
/// what its files are instead: see [`read::file_fingerprints`]); `None` when the folder
/// cannot be listed.
fn folder_hash(folder: &Path) -> Option<String> {
    let files = read::file_fingerprints(folder)?;
    Some(files_hash(files.iter().map(|(name, sha256)| (name.as_str(), sha256.as_str())).collect()))
}

/// [`content_hash`] from each data file's name and SHA-256.
fn files_hash(mut files: Vec<(&str, &str)>) -> String {
    files.sort();
    let mut hasher = Sha256::new();
    for (name, sha256) in files {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(sha256.as_bytes());
        hasher.update([0]);
    }
    hex::encode(hasher.finalize())
}
