//! `daryn check`: whether a registry is whole, for a copy, a restored backup or a disk
//! that had trouble. Ingest, SQL and search open only what they need, so a lost file
//! would otherwise be found the night it is needed, and a copy taken while a run wrote
//! can look whole (`versions` lists it, `count(*)` answers from the log) and not be.
//!
//! It reads every file the kept versions pin:
//! - every version file up to `CURRENT`;
//! - each table's latest log, which the next ingest, vacuum or reindex opens;
//! - each table at every Delta version a kept version pins, and every Parquet file
//!   those read: there, of the size the log gives, and (unless `quick`) decoded whole
//!   with as many rows as the log counts;
//! - every index generation a kept version pins: opened for search, and (unless
//!   `quick`) every file's checksum;
//! - the registry's key, which the next index is keyed with.
//!
//! Each fault is told once, with the versions it keeps from being read whole.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use deltalake::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::{RegistryVersion, Store, StoreResult, StoreTable, pins_of};

/// What [`Store::check`] found.
#[derive(Debug, Default)]
pub struct Checked {
    /// The kept versions, oldest first.
    pub versions: Vec<u64>,
    /// Data files read (each once, however many versions read it), their bytes and rows.
    pub files: u64,
    pub bytes: u64,
    pub rows: u64,
    /// Data files this account may not read, so not checked (not counted as damage: the
    /// owner's check tells).
    pub unread: u64,
    /// Whether the files were decoded and the index checksums verified.
    pub decoded: bool,
    pub generations: u64,
    pub problems: Vec<Problem>,
    /// What is not damage but worth saying: what the next run removes, an index an
    /// older daryn built, a file this account may not read.
    pub notes: Vec<String>,
    /// Versions a vacuum removed while the check read them (looked for only when it
    /// found problems, which may then be the vacuum's doing).
    pub removed_under: Vec<u64>,
}

impl Checked {
    /// The versions some problem keeps from being read whole.
    pub fn damaged_versions(&self) -> BTreeSet<u64> {
        self.problems.iter().flat_map(|problem| problem.versions.iter().copied()).collect()
    }
}

/// One fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The versions it keeps from being read whole; empty when it is the registry's as
    /// a whole (a table's latest log, the key): the next ingest, vacuum or reindex.
    pub versions: Vec<u64>,
    pub what: String,
    /// A search index generation's, the tables aside: `daryn reindex` builds the
    /// current version's anew.
    pub index: bool,
}

/// A data file some kept versions read.
struct Pinned {
    /// Its size in the log.
    size: i64,
    /// Its rows in the log's statistics, when they are there.
    rows: Option<u64>,
    versions: BTreeSet<u64>,
    table: StoreTable,
}

impl Store {
    /// Reads every file the kept versions pin (module documentation). Faults are
    /// returned as problems, not errors: an error is only what keeps the check itself
    /// from running (no registry, a `CURRENT` that names no version).
    pub async fn check(&self, quick: bool) -> StoreResult<Checked> {
        let mut checked = Checked { decoded: !quick, ..Checked::default() };
        let current = self.current_number()?.unwrap_or(0);
        checked.versions = self.version_numbers()?.into_iter().filter(|&number| number <= current).collect();
        // A vacuum removes the oldest versions only: a number missing between the oldest
        // kept and the current one is a lost file (`--as-of` would call it vacuumed).
        if let Some(&oldest) = checked.versions.first() {
            for number in (oldest..=current).filter(|number| checked.versions.binary_search(number).is_err()) {
                let path = self.version_path(number);
                checked.problems.push(Problem {
                    versions: vec![number],
                    what: format!(
                        "its version file `{}` is missing (a vacuum removes the oldest versions only)",
                        self.shown(&path)
                    ),
                    index: false,
                });
            }
        }
        let mut kept = Vec::new();
        for &number in &checked.versions {
            match self.version(number) {
                Ok(version) => kept.push(version),
                Err(error) => {
                    checked.problems.push(Problem { versions: vec![number], what: error.to_string(), index: false })
                }
            }
        }
        super::pause_point("check-listed");
        let mut pinned_files: HashMap<PathBuf, Pinned> = HashMap::new();
        for table in StoreTable::ALL {
            let pins = pins_of(&kept, table);
            self.check_latest_log(table, &pins, &kept, &mut checked).await;
            let readers = |pin: u64| -> Vec<u64> {
                kept.iter()
                    .filter(|version| version.tables.get(table.name()) == Some(&pin))
                    .map(|version| version.version)
                    .collect()
            };
            let root = self.table_path(table);
            let mut problems = Vec::new();
            self.walk_pins(table, &pins, |pin, opened| {
                let versions = readers(pin);
                let listed = opened.and_then(|at| {
                    let snapshot = at.snapshot().map_err(super::delta(table))?;
                    Ok(snapshot
                        .log_data()
                        .iter()
                        .map(|file| (root.join(file.path().as_ref()), file.size(), stats_rows(file.stats())))
                        .collect::<Vec<_>>())
                });
                match listed {
                    Ok(listed) => {
                        for (path, size, rows) in listed {
                            let entry = pinned_files.entry(path).or_insert_with(|| Pinned {
                                size,
                                rows,
                                versions: BTreeSet::new(),
                                table,
                            });
                            entry.versions.extend(&versions);
                        }
                    }
                    Err(error) => problems.push(Problem {
                        versions,
                        what: format!("table `{}` at its Delta version {pin} cannot be opened: {error}", table.name()),
                        index: false,
                    }),
                }
                Ok(())
            })
            .await?;
            checked.problems.extend(problems);
        }
        let mut files: Vec<(PathBuf, Pinned)> = pinned_files.into_iter().collect();
        files.sort_by(|left, right| left.0.cmp(&right.0));
        for (path, pinned, outcome) in check_files(files, !quick) {
            checked.files += 1;
            match outcome {
                Ok(rows) => {
                    checked.bytes += pinned.size.max(0) as u64;
                    checked.rows += rows;
                }
                Err(Fault::Denied) => checked.unread += 1,
                Err(Fault::Damaged(reason)) => checked.problems.push(Problem {
                    versions: pinned.versions.into_iter().collect(),
                    what: format!("table `{}`: `{}` {reason}", pinned.table.name(), self.shown(&path)),
                    index: false,
                }),
            }
        }
        self.check_indexes(&kept, quick, &mut checked);
        // A vacuum run alongside removes version files first, then their data files and
        // logs as the check reads them: what it found is then no proof of damage.
        if !checked.problems.is_empty() {
            let now = self.version_numbers()?;
            checked.removed_under =
                checked.versions.iter().copied().filter(|number| now.binary_search(number).is_err()).collect();
        }
        Ok(checked)
    }

    /// Whether the next ingest can open `table` at its latest commit: its log is there
    /// when kept versions read it, its latest commit is there, and it opens.
    async fn check_latest_log(&self, table: StoreTable, pins: &[u64], kept: &[RegistryVersion], checked: &mut Checked) {
        let log = self.table_path(table).join("_delta_log");
        let registry_fault = |what: String| Problem { versions: Vec::new(), what, index: false };
        match self.load(table).await {
            Ok(None) if !pins.is_empty() => checked.problems.push(registry_fault(format!(
                "table `{}`: its `_delta_log` is missing, and the next ingest would start the table anew under the \
                 versions that read it",
                table.name()
            ))),
            Ok(None) => {}
            Ok(Some(latest)) => {
                // A log may open from its newest checkpoint without the commit of that
                // version, which every commit after it needs (`Invalid table version`).
                let commit = latest.version().map(|version| log.join(format!("{version:020}.json")));
                if let Some(commit) = commit.filter(|commit| !commit.exists()) {
                    checked.problems.push(registry_fault(format!(
                        "table `{}`: the commit of its latest version, `{}`, is missing, and the next ingest stops on it",
                        table.name(),
                        self.shown(&commit)
                    )));
                }
            }
            Err(error) => {
                // A first commit a full disk cut short leaves a log without a commit,
                // which the next ingest or vacuum removes (`roll_back_unpinned`).
                let pinned_by_current = kept.last().is_some_and(|version| version.tables.contains_key(table.name()));
                if !pinned_by_current && !super::has_commit(&log) {
                    checked.notes.push(format!(
                        "table `{}` holds a first commit that was never written; the next ingest or vacuum removes it",
                        table.name()
                    ));
                } else {
                    checked.problems.push(registry_fault(format!(
                        "table `{}`: its latest log cannot be read, and the next ingest, vacuum or reindex stops on \
                         it: {error}",
                        table.name()
                    )));
                }
            }
        }
    }

    /// A path below the registry, as the registry's folder and the rest.
    fn shown(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .map(|inside| inside.display().to_string())
            .unwrap_or_else(|_| path.display().to_string())
    }

    /// Opens every index generation the kept versions pin, as a search does, and checks
    /// each file's checksum; and the key the next index is keyed with.
    fn check_indexes(&self, kept: &[RegistryVersion], quick: bool, checked: &mut Checked) {
        let mut generations: BTreeMap<u64, Vec<&RegistryVersion>> = BTreeMap::new();
        for version in kept {
            if let Some(generation) = version.index_generation {
                generations.entry(generation).or_default().push(version);
            }
        }
        for (generation, versions) in &generations {
            checked.generations += 1;
            let numbers: Vec<u64> = versions.iter().map(|version| version.version).collect();
            let newest = versions.last().expect("a generation is pinned by a version");
            // Built by a daryn of another index format: whole, but not searched by this one.
            let format = crate::search::index::read_meta(&crate::search::index::generation_path(self, *generation))
                .map(|meta| meta.format)
                .filter(|format| {
                    !(crate::search::index::OLDEST_READABLE_FORMAT..=crate::search::index::INDEX_FORMAT)
                        .contains(format)
                });
            if let Some(format) = format {
                checked.notes.push(format!(
                    "search index generation {generation} (of version {}) was built by another daryn (index format \
                     {format}); this one does not search it, and its files were not checked. `daryn reindex` builds \
                     the current version's index anew",
                    number_list(&numbers)
                ));
                continue;
            }
            let problem = match crate::search::query::SearchIndex::open(self, newest) {
                Err(error) => Some(error.to_string()),
                Ok(_) if quick => None,
                Ok(index) => match index.damaged_files() {
                    Ok(damaged) if damaged.is_empty() => None,
                    Ok(damaged) => Some(format!(
                        "search index generation {generation}: {} {} (changed or cut short)",
                        damaged.iter().map(|file| format!("`{}`", file.display())).collect::<Vec<_>>().join(", "),
                        if damaged.len() == 1 { "fails its checksum" } else { "fail their checksums" }
                    )),
                    Err(error) => Some(format!("search index generation {generation}: {error}")),
                },
            };
            if let Some(what) = problem {
                checked.problems.push(Problem { versions: numbers, what, index: true });
            }
        }
        // The key is the owner's alone (0600): a group account can tell only whether it
        // is there, and says so.
        if !generations.is_empty() {
            let denied = |kind: std::io::ErrorKind| kind == std::io::ErrorKind::PermissionDenied;
            let there = self.root.join("keys/child-key").try_exists();
            let loaded = match there {
                Err(error) => Err(crate::search::SearchError::Io { path: self.root.join("keys"), source: error }),
                Ok(_) => crate::search::key::ChildKeyer::load(&self.root).map(|_| ()),
            };
            match loaded {
                Ok(()) => {}
                Err(crate::search::SearchError::Io { source, .. }) if denied(source.kind()) => {
                    checked.notes.push(
                        "`keys/child-key` is not this account's to read (it is the owner's alone); run the check as \
                         the registry's owner to check it"
                            .to_owned(),
                    );
                }
                Err(error) => {
                    checked.problems.push(Problem { versions: Vec::new(), what: error.to_string(), index: false })
                }
            }
        }
    }
}

/// The row count in a file's Delta statistics (`numRecords`).
fn stats_rows(stats: Option<String>) -> Option<u64> {
    let stats: serde_json::Value = serde_json::from_str(&stats?).ok()?;
    stats.get("numRecords")?.as_u64()
}

/// Checks each file: there, of its size in the log, and when `decode` is set, read whole
/// with the rows the log counts. On as many threads as the machine has cores; in the
/// order given.
fn check_files(files: Vec<(PathBuf, Pinned)>, decode: bool) -> Vec<(PathBuf, Pinned, Result<u64, Fault>)> {
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |cores| cores.get()).min(files.len().max(1));
    let mut outcomes: HashMap<usize, Result<u64, Fault>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some((path, pinned)) = files.get(index) else { break };
                        // A file damaged in the one way the Parquet reader does not
                        // foresee is a fault of that file, not the end of the check.
                        let outcome = std::panic::catch_unwind(|| check_file(path, pinned, decode))
                            .unwrap_or_else(|_| damaged("does not read as Parquet (its reader failed on it)"));
                        done.push((index, outcome));
                    }
                    done
                })
            })
            .collect();
        workers.into_iter().flat_map(|worker| worker.join().unwrap_or_default()).collect()
    });
    files
        .into_iter()
        .enumerate()
        .map(|(index, (path, pinned))| {
            let outcome = outcomes.remove(&index).unwrap_or_else(|| damaged("could not be checked"));
            (path, pinned, outcome)
        })
        .collect()
}

/// Why a file did not check.
enum Fault {
    /// This account may not read it: unchecked, not damaged.
    Denied,
    /// What is wrong with it.
    Damaged(String),
}

fn damaged(reason: impl Into<String>) -> Result<u64, Fault> {
    Err(Fault::Damaged(reason.into()))
}

/// One file's check: its rows when it reads whole, else what is wrong with it.
fn check_file(path: &Path, pinned: &Pinned, decode: bool) -> Result<u64, Fault> {
    let unreadable = |error: std::io::Error| match error.kind() {
        std::io::ErrorKind::PermissionDenied => Fault::Denied,
        std::io::ErrorKind::NotFound => Fault::Damaged("is missing".to_owned()),
        _ => Fault::Damaged(format!("cannot be read: {error}")),
    };
    let metadata = std::fs::metadata(path).map_err(unreadable)?;
    if i64::try_from(metadata.len()).ok() != Some(pinned.size) {
        return damaged(format!(
            "has {} bytes where the log says {}: it was cut short or changed",
            metadata.len(),
            pinned.size
        ));
    }
    if !decode {
        return Ok(pinned.rows.unwrap_or(0));
    }
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let not_parquet = |error: &dyn std::fmt::Display| Fault::Damaged(format!("does not read as Parquet: {error}"));
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|builder| builder.build())
        .map_err(|error| not_parquet(&error))?;
    let mut rows = 0u64;
    for batch in reader {
        rows += batch.map_err(|error| not_parquet(&error))?.num_rows() as u64;
    }
    match pinned.rows {
        Some(counted) if counted != rows => damaged(format!("holds {rows} rows where the log counts {counted}")),
        _ => Ok(rows),
    }
}

/// Numbers in order as runs: `1–3, 5, 8–9`.
pub fn number_list(numbers: &[u64]) -> String {
    let mut runs: Vec<(u64, u64)> = Vec::new();
    for &number in numbers {
        match runs.last_mut() {
            Some((_, last)) if last.checked_add(1) == Some(number) => *last = number,
            _ => runs.push((number, number)),
        }
    }
    let runs: Vec<String> = runs
        .into_iter()
        .map(|(first, last)| if first == last { first.to_string() } else { format!("{first}–{last}") })
        .collect();
    runs.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_told_as_runs() {
        assert_eq!(number_list(&[]), "");
        assert_eq!(number_list(&[4]), "4");
        assert_eq!(number_list(&[1, 2, 3, 5, 8, 9]), "1–3, 5, 8–9");
        assert_eq!(number_list(&[2, 4]), "2, 4");
        assert_eq!(number_list(&[u64::MAX - 1, u64::MAX]), format!("{}–{}", u64::MAX - 1, u64::MAX));
    }

    #[test]
    fn the_rows_of_a_files_statistics_are_read_when_there() {
        assert_eq!(stats_rows(Some(r#"{"numRecords":12,"minValues":{}}"#.to_owned())), Some(12));
        assert_eq!(stats_rows(Some("{}".to_owned())), None);
        assert_eq!(stats_rows(Some("not json".to_owned())), None);
        assert_eq!(stats_rows(None), None);
    }
}
