//! `daryn vacuum`: keeps the newest versions and removes what only older ones read.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use deltalake::DeltaTable;
use serde::Serialize;

use super::{RegistryVersion, Store, StoreError, StoreResult, StoreTable, delta, io};

impl Store {
    /// Keeps the `keep` newest versions and removes the rest: their version files, their
    /// coordinators' report folders, and every data file no kept version reads. Files
    /// a crashed run wrote and never published go too. The caller holds the lock.
    ///
    /// Version files go first: a crash part-way leaves only unread files behind, which
    /// the next vacuum removes.
    pub async fn vacuum(&self, keep: u64) -> StoreResult<Vacuumed> {
        if keep == 0 {
            return Err(StoreError::KeepNothing { keep });
        }
        // Undoing a killed run writes a commit per table. On a full disk (often why the
        // run failed) that cannot be written, yet vacuum is what frees space: the removal
        // then goes first, keeping the unpinned commits' files too, and the undoing is
        // tried again after it.
        let rolled_back = self.roll_back_unpinned().await;
        let current = self.current_number()?.unwrap_or(0);
        let numbers: Vec<u64> = self.version_numbers()?.into_iter().filter(|&number| number <= current).collect();
        let split = numbers.len().saturating_sub(keep as usize);
        let (removed, kept) = numbers.split_at(split);
        // Only the kept versions are read: a damaged file of a removed one goes unread.
        let kept = kept.iter().map(|&number| self.version(number)).collect::<StoreResult<Vec<_>>>()?;
        let plans = self.plan_removal(&kept).await?;
        let mut outcome = Vacuumed { versions: removed.to_vec(), kept: kept.len() as u64, ..Vacuumed::default() };
        for &number in removed {
            let path = self.version_path(number);
            std::fs::remove_file(&path).map_err(io(&path))?;
            let reports = self.root.join("reports").join(format!("{number:08}"));
            if reports.exists() {
                std::fs::remove_dir_all(&reports).map_err(io(&reports))?;
            }
        }
        self.remove_unread(plans, &mut outcome).await?;
        if rolled_back.is_err() {
            self.roll_back_unpinned().await?;
            // Undone now: the killed run's files, kept above as its commits' (on a full
            // disk, most of what filled it), go too.
            let plans = self.plan_removal(&kept).await?;
            self.remove_unread(plans, &mut outcome).await?;
        }
        Ok(outcome)
    }

    /// What a vacuum keeping `kept` would leave of each table: every file the latest
    /// commit or a kept version reads, and the oldest Delta version a kept version pins.
    /// Every kept version's table is opened here, every file it reads must be on the disk
    /// at the size its log gives, and every kept search index generation must open: a
    /// damaged registry (a copy taken while a run wrote, a lost file) stops the
    /// vacuum before it has removed anything, rather than after it has removed the older
    /// versions that may be all that still reads whole.
    async fn plan_removal(&self, kept: &[RegistryVersion]) -> StoreResult<Vec<KeptFiles>> {
        let mut plans = Vec::new();
        for table in StoreTable::ALL {
            let pins = pins_of(kept, table);
            let Some(latest) = self.load(table).await? else {
                if pins.is_empty() {
                    continue;
                }
                // A table kept versions read, with no log: every file of it would go.
                return Err(StoreError::Damaged {
                    path: self.root.clone(),
                    reason: format!("table `{}`, which kept versions read, has no `_delta_log`", table.name()),
                });
            };
            let mut wanted: HashSet<PathBuf> = table_files(&latest, table)?;
            let mut pinned = HashMap::new();
            self.walk_pins(table, &pins, |_, opened| {
                pinned.extend(table_file_sizes(opened?, table)?);
                Ok(())
            })
            .await?;
            // The first fault by path, so that the message is the same on every run.
            let mut pinned: Vec<(PathBuf, i64)> = pinned.into_iter().collect();
            pinned.sort_unstable();
            if let Some(fault) = pinned.iter().find_map(|(path, size)| kept_file_fault(path, *size)) {
                return Err(StoreError::Damaged {
                    path: self.root.clone(),
                    reason: format!("table `{}`: {fault}, which a kept version reads", table.name()),
                });
            }
            wanted.extend(pinned.into_iter().map(|(path, _)| path));
            plans.push(KeptFiles { table, latest, wanted, oldest_pin: pins.first().copied() });
        }
        let mut generations: Vec<u64> = kept.iter().filter_map(|version| version.index_generation).collect();
        generations.sort_unstable();
        generations.dedup();
        for generation in generations {
            let folder = crate::search::index::generation_path(self, generation);
            if let Some(reason) = crate::search::index::unopenable(&folder) {
                return Err(StoreError::Damaged {
                    path: self.root.clone(),
                    reason: format!(
                        "search index generation {generation}, which a kept version uses, does not open: {reason}"
                    ),
                });
            }
        }
        Ok(plans)
    }

    /// Opens `table` at each of `pins` (ascending, distinct) and gives each to `visit`,
    /// with the error that kept it from opening instead. One table walks forward from a
    /// pin to the next, a commit at a time with its files carried on, where opening each
    /// afresh read the checkpoint and the log again (vacuum, 80 kept of 88 nights: 6.8–7.1
    /// s against 15.6–22.5 s). After an error the next pin is opened afresh. `visit`
    /// stops the walk by returning an error.
    pub(crate) async fn walk_pins(
        &self,
        table: StoreTable,
        pins: &[u64],
        mut visit: impl FnMut(u64, StoreResult<&DeltaTable>) -> StoreResult<()>,
    ) -> StoreResult<()> {
        let mut walker: Option<DeltaTable> = None;
        for &pin in pins {
            let opened = match walker.take() {
                Some(mut walked) => walked.update_incremental(Some(pin)).await.map(|()| walked),
                None => deltalake::open_table_with_version(self.table_url(table), pin).await,
            };
            match opened {
                Ok(at) => {
                    visit(pin, Ok(&at))?;
                    walker = Some(at);
                }
                Err(error) => visit(pin, Err(delta(table)(error)))?,
            }
        }
        Ok(())
    }

    /// Removes every data file of every table that [`Store::plan_removal`] did not keep,
    /// and the log no kept version is read from.
    async fn remove_unread(&self, plans: Vec<KeptFiles>, outcome: &mut Vacuumed) -> StoreResult<()> {
        for plan in plans {
            let table = plan.table;
            let (files, bytes) = remove_unwanted(&self.table_path(table), &plan.wanted)?;
            outcome.files += files;
            outcome.bytes += bytes;
            // The Delta log before the newest checkpoint at or below the oldest version a
            // kept registry version pins: no kept version is read from it. Every run adds
            // commits and a checkpoint listing every file ever removed, so a log never
            // trimmed grows by the square of the nights, and each run lists it all.
            if let Some(oldest_pinned) = plan.oldest_pin {
                let every_file = chrono::Utc::now().timestamp_millis();
                let log_store = plan.latest.log_store();
                outcome.log_files += deltalake::protocol::checkpoints::cleanup_expired_logs_for(
                    oldest_pinned,
                    log_store.as_ref(),
                    every_file,
                    None,
                )
                .await
                .map_err(delta(table))? as u64;
            }
        }
        Ok(())
    }
}

/// What a vacuum keeps of a table ([`Store::plan_removal`]).
struct KeptFiles {
    table: StoreTable,
    latest: DeltaTable,
    wanted: HashSet<PathBuf>,
    /// The oldest Delta version a kept registry version pins.
    oldest_pin: Option<u64>,
}

/// The Delta versions of `table` that `versions` pin, ascending and each once.
pub(crate) fn pins_of(versions: &[RegistryVersion], table: StoreTable) -> Vec<u64> {
    let mut pins: Vec<u64> = versions.iter().filter_map(|version| version.tables.get(table.name()).copied()).collect();
    pins.sort_unstable();
    pins.dedup();
    pins
}

/// What `Store::vacuum` removed.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Vacuumed {
    pub versions: Vec<u64>,
    /// How many versions were kept.
    pub kept: u64,
    pub files: u64,
    pub bytes: u64,
    /// Delta log files (commits and checkpoints) no kept version is read from.
    pub log_files: u64,
}

/// The data files a Delta table version reads, as absolute paths: the table's folder
/// joined with each file's path from the log. (Not `get_file_uris`: for a local table
/// deltalake gives the folder's URL with `file://` cut off but its escapes left in, so a
/// registry in `/srv/my registry` or `/srv/реестр` would have had every file taken for
/// unwanted.) A table that is not on the local disk stops the vacuum rather than be
/// missed from what it must keep.
pub(super) fn table_files(table: &DeltaTable, which: StoreTable) -> StoreResult<HashSet<PathBuf>> {
    Ok(table_file_sizes(table, which)?.into_keys().collect())
}

/// [`table_files`], each with its size by the log.
fn table_file_sizes(table: &DeltaTable, which: StoreTable) -> StoreResult<HashMap<PathBuf, i64>> {
    let url = table.table_url();
    let root = url.to_file_path().map_err(|()| StoreError::Query {
        table: which.name(),
        reason: format!("vacuum works on a registry on the local disk; `{url}` is not"),
    })?;
    let snapshot = table.snapshot().map_err(delta(which))?;
    Ok(snapshot.log_data().iter().map(|file| (root.join(file.path().as_ref()), file.size())).collect())
}

/// What is wrong with a file a kept version reads, `size` bytes long by the log: it is
/// missing or another size (cut short, or replaced). Its bytes are not read; `daryn
/// check` reads them.
fn kept_file_fault(path: &Path, size: i64) -> Option<String> {
    match std::fs::metadata(path) {
        Ok(metadata) if i64::try_from(metadata.len()).ok() == Some(size) => None,
        Ok(metadata) => Some(format!("`{}` has {} bytes where the log says {size}", path.display(), metadata.len())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Some(format!("`{}` is missing", path.display())),
        Err(error) => Some(format!("`{}` cannot be read: {error}", path.display())),
    }
}

/// Deletes every data file under a table's folder (not its `_delta_log`) that is not
/// wanted; returns how many files and bytes went.
fn remove_unwanted(folder: &Path, wanted: &HashSet<PathBuf>) -> StoreResult<(u64, u64)> {
    let mut removed = (0, 0);
    let mut pending = vec![folder.to_owned()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).map_err(io(&current))? {
            let entry = entry.map_err(io(&current))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(io(&path))?;
            if kind.is_dir() {
                if entry.file_name() != "_delta_log" {
                    pending.push(path);
                }
            } else if path.extension().is_some_and(|extension| extension == "parquet") && !wanted.contains(&path) {
                let size = entry.metadata().map(|metadata| metadata.len()).unwrap_or(0);
                std::fs::remove_file(&path).map_err(io(&path))?;
                removed.0 += 1;
                removed.1 += size;
            }
        }
    }
    Ok(removed)
}
