//! The versioned store. Each table is a Delta Lake table partitioned by region, so a
//! region's drop replaces that region's partition and Spark, DuckDB, Polars or pandas can
//! read the same files. A registry version is one small JSON file that pins every
//! table's Delta version (and later the search index generation); `CURRENT` names the
//! current version and is replaced atomically (write, fsync, rename). Readers only open
//! pinned versions, so a crash before `CURRENT` moves leaves the old version whole; the
//! next run first restores every table to its pinned version.
//!
//! ```text
//! DIR/CURRENT                    the current registry version number
//! DIR/versions/00000007.json     a registry version: table pins, regions' drops, the run
//! DIR/tables/<table>/            Delta tables: children, measures, achievements,
//!                                teachers, drops, rejections, conflicts
//! ```

mod check;
mod files;
mod folder;
mod read;
pub mod schema;
mod vacuum;
mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Utc};
use deltalake::parquet::basic::{Compression, ZstdLevel};
use deltalake::parquet::file::properties::{EnabledStatistics, WriterProperties};
use deltalake::{DeltaTable, DeltaTableError};
use serde::{Deserialize, Serialize};

use crate::config::{CONFIG_FILE, ConfigError, RegistryConfig, TEMPLATE};

use files::{create_once, sync_written_since, write_atomically};
use folder::{close_to_others, others_may_enter, refuse_escapes, refuse_foreign_folder, refuse_root_on_anothers};
use read::{has_commit, query, scan};

pub use check::{Checked, Problem, number_list};
pub use read::DropHistory;
pub use schema::{ConflictRecord, DropRecord, Provenance, RejectionRecord};
pub use vacuum::Vacuumed;
pub(crate) use vacuum::pins_of;

/// The format of the version files; a later Daryn still reads format 1.
pub const VERSION_FORMAT: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot use `{path}`: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("`{path}` is not a Daryn registry version file: {reason}")]
    BadVersionFile { path: PathBuf, reason: String },
    #[error("registry version {version} does not exist (the registry has {available})")]
    NoSuchVersion { version: u64, available: String },
    #[error("registry version {version} was vacuumed; the oldest kept is {oldest}")]
    Vacuumed { version: u64, oldest: u64 },
    #[error("`{path}` holds no registry yet; run `daryn ingest --registry {path} DROPS` first")]
    Empty { path: PathBuf },
    #[error(
        "`{path}` has version files up to {newest} but no `CURRENT` file naming the current one; nothing was \
         changed. Write the number of the version to use (normally {newest}) into `{path}/CURRENT`, or restore \
         the folder from a backup"
    )]
    NoCurrent { path: PathBuf, newest: u64 },
    #[error(
        "`{path}` holds `{entry}` and is not a Daryn registry (it has no `CURRENT`); a registry is made in an \
         empty or new folder"
    )]
    NotARegistry { path: PathBuf, entry: String },
    #[error(
        "`{path}/CURRENT` names version {current}, but {found}: it was edited or damaged, or a backup was \
         copied over a registry that had moved on, and nothing was changed. Write the number of the version to \
         use (normally {newest}) into `{path}/CURRENT`; or, to go back to the backup, restore it into an empty \
         folder (the newer version files here are the registry's after the backup)"
    )]
    CurrentDamaged { path: PathBuf, current: u64, found: String, newest: u64 },
    #[error("delta table `{table}`: {source}")]
    Delta { table: &'static str, source: Box<DeltaTableError> },
    #[error("reading table `{table}`: {reason}")]
    Query { table: &'static str, reason: String },
    #[error(
        "another daryn ingest, vacuum or reindex is working on the registry `{path}`; try again when it has \
         finished. Its lock is the operating system's, released when that process ends, even killed: removing \
         `LOCK` does not release it"
    )]
    Busy { path: PathBuf },
    #[error(
        "`{path}` belongs to the account of uid {owner}, and this is root: what root wrote in it would be root's, \
         and that account's runs could neither change nor remove it. Run it as that account (`sudo -u '#{owner}' \
         daryn …`)"
    )]
    RootOnAnothers { path: PathBuf, owner: u32 },
    #[error("`--keep {keep}`: at least the current version must be kept (1 or more)")]
    KeepNothing { keep: u64 },
    #[error(
        "`{path}`: its path holds `{escape}`, which the Delta Lake library reads as an escaped character (`%20` \
         as a space), so that it would look for the registry's tables in another folder; give the folder a name \
         without `%` and two hex digits (move it there with `mv`: a registry moves whole)"
    )]
    EscapedPath { path: PathBuf, escape: String },
    #[error(
        "the registry `{path}` is damaged: {reason}; no version or data file was removed. `daryn check --registry \
         {path}` lists what is damaged"
    )]
    Damaged { path: PathBuf, reason: String },
    #[error(transparent)]
    Config(#[from] ConfigError),
}

impl StoreError {
    /// The stable code a command that stopped on this error prints (`error[busy]`).
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Busy { .. } => "busy",
            StoreError::Config(_) => "config",
            StoreError::KeepNothing { .. } => "bad_parameter",
            StoreError::Io { .. } => "io",
            StoreError::BadVersionFile { .. } | StoreError::CurrentDamaged { .. } | StoreError::Damaged { .. } => {
                "damaged"
            }
            StoreError::NoSuchVersion { .. }
            | StoreError::Vacuumed { .. }
            | StoreError::Empty { .. }
            | StoreError::NoCurrent { .. }
            | StoreError::NotARegistry { .. }
            | StoreError::Delta { .. }
            | StoreError::Query { .. }
            | StoreError::RootOnAnothers { .. }
            | StoreError::EscapedPath { .. } => "registry",
        }
    }
}

pub type StoreResult<T> = std::result::Result<T, StoreError>;

/// The tables of the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StoreTable {
    Children,
    Measures,
    Achievements,
    Teachers,
    Drops,
    Rejections,
    Conflicts,
}

impl StoreTable {
    pub const ALL: [StoreTable; 7] = [
        StoreTable::Children,
        StoreTable::Measures,
        StoreTable::Achievements,
        StoreTable::Teachers,
        StoreTable::Drops,
        StoreTable::Rejections,
        StoreTable::Conflicts,
    ];

    pub fn name(self) -> &'static str {
        match self {
            StoreTable::Children => "children",
            StoreTable::Measures => "measures",
            StoreTable::Achievements => "achievements",
            StoreTable::Teachers => "teachers",
            StoreTable::Drops => "drops",
            StoreTable::Rejections => "rejections",
            StoreTable::Conflicts => "conflicts",
        }
    }

    pub fn schema(self) -> deltalake::arrow::datatypes::SchemaRef {
        match self {
            StoreTable::Children => schema::children_schema(),
            StoreTable::Measures => schema::measures_schema(),
            StoreTable::Achievements => schema::achievements_schema(),
            StoreTable::Teachers => schema::teachers_schema(),
            StoreTable::Drops => schema::drops_schema(),
            StoreTable::Rejections => schema::rejections_schema(),
            StoreTable::Conflicts => schema::conflicts_schema(),
        }
    }
}

/// The drop a region currently holds.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RegionState {
    pub drop_id: String,
    pub exported_at: DateTime<Utc>,
    pub content_sha256: String,
    pub children: u64,
    /// The drop's accepted and rejected rows per table, in the form's order (children,
    /// measures, achievements, teachers), told again when it is re-sent unchanged.
    /// `None` in versions written before they were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<[(u64, u64); 4]>,
    /// The export time the drop's rows were judged on, once an identical re-send has
    /// moved `exported_at` past it (ages and "in the future" count from this day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judged_at: Option<DateTime<Utc>>,
}

/// An export a run judged, from the `drops` table ([`Store::drop_history`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JudgedDrop {
    pub region: String,
    pub exported_at: DateTime<Utc>,
    pub content_sha256: String,
    /// The version whose run judged it.
    pub registry_version: u64,
    /// `published`, `unchanged` or `refused`, with the refusal's code.
    pub status: String,
    pub refusal_code: Option<String>,
    /// Accepted and rejected rows per table, in the form's order.
    pub rows: [(u64, u64); 4],
}

/// One registry version: what every reader of that version sees.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RegistryVersion {
    pub format: u32,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    /// Each table's Delta version.
    pub tables: BTreeMap<String, u64>,
    /// The search index generation, once there is an index.
    pub index_generation: Option<u64>,
    /// The drop each region holds in this version.
    pub regions: BTreeMap<String, RegionState>,
    /// What the run that made this version did with each drop it was given.
    pub run: Vec<DropRecord>,
    /// Made by `daryn reindex`: the previous version's data with its search index built
    /// anew ([`crate::search::index::reindex`]); `run` is empty.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reindexed: bool,
}

/// The highest version or index generation a registry may hold (a run a second for
/// nine million years): a number past it is an edited file, and one more would overflow.
pub const MAX_NUMBER: u64 = 1 << 48;

/// A registry on disk (or, later, on object storage).
pub struct Store {
    root: PathBuf,
    config: RegistryConfig,
}

/// Whether a read of one of the registry's files failed for what the file is, not for
/// the disk or the account ([`crate::read_regular`]: not a regular file, far too long,
/// not text): damage, which `daryn check` reports as such.
fn is_not_its_file(error: &std::io::Error) -> bool {
    matches!(error.kind(), std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io { path: path.to_owned(), source }
}

fn delta(table: StoreTable) -> impl FnOnce(DeltaTableError) -> StoreError {
    move |source| StoreError::Delta { table: table.name(), source: Box::new(source) }
}

/// Parquet as the registry writes it: page statistics for pruning; zstd for the record
/// tables, LZ4 for the run's own small tables (`drops`, `rejections`, `conflicts`).
/// parquet-rs makes a zstd compression and decompression context for every column chunk
/// it reads; on the drops table (20 files of one row each per run) that was 18 % of the
/// data-quality report's profile, while the bytes saved are a few kilobytes.
fn writer_properties(table: StoreTable) -> WriterProperties {
    let compression = match table {
        StoreTable::Children | StoreTable::Measures | StoreTable::Achievements | StoreTable::Teachers => {
            Compression::ZSTD(ZstdLevel::try_new(3).expect("3 is a valid zstd level"))
        }
        StoreTable::Drops | StoreTable::Rejections | StoreTable::Conflicts => Compression::LZ4_RAW,
    };
    WriterProperties::builder().set_compression(compression).set_statistics_enabled(EnabledStatistics::Page).build()
}

/// How many files a region's partition of an appended table may hold before the next
/// append rewrites it as one ([`Store::append_compacting`]): at most a few hundred files
/// in all for twenty regions, rewritten about every two weeks of nightly runs.
pub const FILES_BEFORE_COMPACTION: usize = 16;

/// The number of data files in each region's partition of a table as loaded.
fn partition_files(delta_table: &DeltaTable, table: StoreTable) -> StoreResult<BTreeMap<String, usize>> {
    let mut files = BTreeMap::new();
    let snapshot = delta_table.snapshot().map_err(delta(table))?;
    for file in snapshot.log_data().iter() {
        let path = file.path();
        let region = path.split('/').find_map(|part| part.strip_prefix("region="));
        if let Some(region) = region {
            *files.entry(region.to_owned()).or_insert(0) += 1;
        }
    }
    Ok(files)
}

/// Delta table settings: checkpoints every 10 commits, and history kept until an
/// explicit `daryn vacuum` (a century of retention, so nothing expires by itself).
const TABLE_CONFIGURATION: [(&str, &str); 3] = [
    ("delta.checkpointInterval", "10"),
    ("delta.logRetentionDuration", "interval 36500 days"),
    ("delta.deletedFileRetentionDuration", "interval 36500 days"),
];

impl Store {
    /// Opens the registry at `root`, creating its folders when `create` is set.
    /// A new registry gets `daryn.toml` with every setting at its default; its settings
    /// are read here, so a wrong one stops every command before it starts.
    pub fn open(root: &Path, create: bool) -> StoreResult<Store> {
        refuse_escapes(root)?;
        if create {
            // (With version files but no `CURRENT`, it is a registry that lost it: told below.)
            let has_versions =
                || std::fs::read_dir(root.join("versions")).is_ok_and(|mut inside| inside.next().is_some());
            let new = !root.join("CURRENT").exists() && !has_versions();
            if new {
                refuse_foreign_folder(root)?;
            }
            for folder in [root.join("versions"), root.join("tables")] {
                std::fs::create_dir_all(&folder).map_err(io(&folder))?;
            }
            if new {
                close_to_others(root);
            }
            let config = root.join(CONFIG_FILE);
            if !config.exists() {
                std::fs::write(&config, TEMPLATE).map_err(io(&config))?;
            }
        }
        let root = std::fs::canonicalize(root).map_err(io(root))?;
        let config = RegistryConfig::load(&root)?;
        let store = Store { root, config };
        // A new registry says at once that it has no version (`CURRENT` 0), so that a
        // missing `CURRENT` always means damage, never a first run that was killed.
        let current = store.root.join("CURRENT");
        if create && !current.exists() && store.version_numbers()?.is_empty() {
            create_once(&current, b"0\n", "registry-created")?;
        }
        store.check_current()?;
        Ok(store)
    }

    /// Opens the registry to check it ([`Store::check`]), which reads no setting: a
    /// `daryn.toml` that does not load stops every other command, and is returned here
    /// for the check to tell rather than keep it from looking at the data.
    pub fn open_to_check(root: &Path) -> StoreResult<(Store, Option<ConfigError>)> {
        match Store::open(root, false) {
            Err(StoreError::Config(error)) => {
                let root = std::fs::canonicalize(root).map_err(io(root))?;
                let store = Store { root, config: RegistryConfig::default() };
                store.check_current()?;
                Ok((store, Some(error)))
            }
            opened => Ok((opened?, None)),
        }
    }

    /// Refuses a `CURRENT` that no run leaves behind: one naming a version without a file,
    /// or one behind the version files by more than the one version a killed run may have
    /// written before it could move `CURRENT`. Taken as it is, the next ingest would
    /// overwrite the newer versions and vacuum would remove every table file they read.
    fn check_current(&self) -> StoreResult<()> {
        let current = self.current_number()?.unwrap_or(0);
        let numbers = self.version_numbers()?;
        let newest = numbers.last().copied().unwrap_or(0);
        let found = if newest > current + 1 {
            format!("the version files go up to {newest}")
        } else if current > 0 && numbers.binary_search(&current).is_err() {
            format!("there is no version file of it (the newest is {newest})")
        } else {
            return Ok(());
        };
        Err(StoreError::CurrentDamaged { path: self.root.clone(), current, found, newest })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The mode of the registry's folder when users other than its owner and group may
    /// enter it: its tables hold every child's IIN and name.
    pub fn open_to_others(&self) -> Option<u32> {
        others_may_enter(&self.root)
    }

    /// The settings of `daryn.toml` (the defaults where it is silent).
    pub fn config(&self) -> &RegistryConfig {
        &self.config
    }

    fn table_path(&self, table: StoreTable) -> PathBuf {
        self.root.join("tables").join(table.name())
    }

    /// Where an unpinned table is renamed to while it is removed (`roll_back_unpinned`).
    fn removing_path(&self, table: StoreTable) -> PathBuf {
        self.root.join("tables").join(format!(".removing-{}", table.name()))
    }

    fn table_url(&self, table: StoreTable) -> url::Url {
        url::Url::from_directory_path(self.table_path(table)).expect("the store root is absolute")
    }

    fn version_path(&self, version: u64) -> PathBuf {
        self.root.join("versions").join(format!("{version:08}.json"))
    }

    /// The current version number, `None` before the first publish (`CURRENT` is 0).
    pub fn current_number(&self) -> StoreResult<Option<u64>> {
        let path = self.root.join("CURRENT");
        match crate::read_regular(&path) {
            Ok(text) => match text.trim().parse::<u64>() {
                Ok(0) => Ok(None),
                Ok(number) if number <= MAX_NUMBER => Ok(Some(number)),
                Ok(_) | Err(_) => Err(StoreError::BadVersionFile {
                    path,
                    reason: format!("`{}` is not a version number", text.trim()),
                }),
            },
            // A registry is created with `CURRENT` (0) and it is only ever replaced by a
            // rename: without it but with version files, it was removed by hand or left
            // out of a copy. Taken for an empty registry, the next ingest would remove
            // every table and index generation as unpinned. (A registry made by a daryn
            // before `CURRENT` 0 that has no version file yet is still empty.)
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => match self.version_numbers()?.last() {
                None => Ok(None),
                Some(&newest) => Err(StoreError::NoCurrent { path: self.root.clone(), newest }),
            },
            Err(error) if is_not_its_file(&error) => {
                Err(StoreError::BadVersionFile { path, reason: error.to_string() })
            }
            Err(error) => Err(StoreError::Io { path, source: error }),
        }
    }

    /// The numbers of the version files, whatever `CURRENT` says, in order.
    fn version_numbers(&self) -> StoreResult<Vec<u64>> {
        let folder = self.root.join("versions");
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(StoreError::Io { path: folder, source: error }),
        };
        let mut numbers: Vec<u64> = entries
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| entry.file_name().to_str()?.strip_suffix(".json")?.parse().ok())
            .collect();
        numbers.sort_unstable();
        Ok(numbers)
    }

    /// Removes the coordinators' folders (`reports/<n>`) of versions after the current
    /// one: a killed run wrote them and never published. Called before a publish, so
    /// that the version takes no file of another run's.
    pub fn remove_unpublished_reports(&self) -> StoreResult<()> {
        let current = self.current_number()?.unwrap_or(0);
        let folder = self.root.join("reports");
        let Ok(entries) = std::fs::read_dir(&folder) else { return Ok(()) };
        for entry in entries {
            let entry = entry.map_err(io(&folder))?;
            if entry.file_name().to_str().and_then(|name| name.parse::<u64>().ok()).is_some_and(|n| n > current) {
                std::fs::remove_dir_all(entry.path()).map_err(io(&entry.path()))?;
            }
        }
        Ok(())
    }

    pub fn current(&self) -> StoreResult<Option<RegistryVersion>> {
        self.current_number()?.map(|number| self.version(number)).transpose()
    }

    /// A version by number: the current one for `None`.
    pub fn resolve(&self, as_of: Option<u64>) -> StoreResult<RegistryVersion> {
        match as_of {
            Some(number) => self.version(number),
            None => self.current()?.ok_or_else(|| StoreError::Empty { path: self.root.clone() }),
        }
    }

    pub fn version(&self, number: u64) -> StoreResult<RegistryVersion> {
        let path = self.version_path(number);
        let current = self.current_number()?.unwrap_or(0);
        if number == 0 || number > current {
            return Err(StoreError::NoSuchVersion { version: number, available: format!("versions up to {current}") });
        }
        // A damaged file of an older version holds up every command that reads all
        // versions; vacuum removes it without reading it, so the message says how.
        let damaged = |reason: String| {
            let way_out = if number < current {
                format!("; `daryn vacuum --keep {}` removes it and every older version", current - number)
            } else {
                String::new()
            };
            StoreError::BadVersionFile { path: path.clone(), reason: format!("{reason}{way_out}") }
        };
        let text = match crate::read_regular(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let oldest = self.version_numbers()?.into_iter().find(|&kept| kept > number).unwrap_or(current);
                return Err(StoreError::Vacuumed { version: number, oldest });
            }
            Err(error) if is_not_its_file(&error) => return Err(damaged(error.to_string())),
            Err(error) => return Err(StoreError::Io { path, source: error }),
        };
        let version: RegistryVersion = serde_json::from_str(&text).map_err(|error| damaged(error.to_string()))?;
        if version.version != number {
            // The next version is numbered from this field: a copied or edited file could
            // move `CURRENT` back and later overwrite the newer versions.
            return Err(damaged(format!("it says it is version {}, its name says {number}", version.version)));
        }
        if version.format > VERSION_FORMAT {
            return Err(StoreError::BadVersionFile {
                path: path.clone(),
                reason: format!("format {} is newer than this Daryn reads ({VERSION_FORMAT})", version.format),
            });
        }
        // Only an edited file numbers past this; one more would overflow.
        if version.version > MAX_NUMBER || version.index_generation.is_some_and(|generation| generation > MAX_NUMBER) {
            return Err(damaged(format!("its version or index generation is over {MAX_NUMBER}")));
        }
        // Every reader turns these into Kazakhstan days; a time by chrono's last year
        // (only an edited file holds one: a manifest's time is of the years 0 to 9999,
        // which UTC may move by a day) would overflow there.
        let mut stamps = std::iter::once(version.created_at)
            .chain(
                version.regions.values().flat_map(|region| std::iter::once(region.exported_at).chain(region.judged_at)),
            )
            .chain(version.run.iter().map(|record| record.exported_at));
        if let Some(stamp) = stamps.find(|stamp| stamp.year().unsigned_abs() > 200_000) {
            return Err(damaged(format!("it holds the time {stamp}, beyond the year 200,000")));
        }
        Ok(version)
    }

    /// Every kept version up to the current one, oldest first.
    pub fn versions(&self) -> StoreResult<Vec<RegistryVersion>> {
        self.newest_versions(usize::MAX)
    }

    /// The `count` newest kept versions up to the current one, oldest first; only their
    /// files are read.
    pub fn newest_versions(&self, count: usize) -> StoreResult<Vec<RegistryVersion>> {
        let current = self.current_number()?.unwrap_or(0);
        let mut numbers = self.version_numbers()?;
        numbers.retain(|number| *number <= current);
        numbers.drain(..numbers.len().saturating_sub(count));
        let mut versions = Vec::with_capacity(numbers.len());
        for number in numbers {
            match self.version(number) {
                Ok(version) => versions.push(version),
                // Removed by a vacuum since the folder was listed: no longer kept.
                Err(StoreError::Vacuumed { .. }) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(versions)
    }

    async fn load(&self, table: StoreTable) -> StoreResult<Option<DeltaTable>> {
        let path = self.table_path(table);
        if !path.join("_delta_log").exists() {
            return Ok(None);
        }
        deltalake::open_table(self.table_url(table)).await.map(Some).map_err(delta(table))
    }

    /// Opens a table as a registry version pinned it.
    pub async fn table_at(&self, table: StoreTable, version: &RegistryVersion) -> StoreResult<Option<DeltaTable>> {
        let Some(pinned) = version.tables.get(table.name()) else {
            return Ok(None);
        };
        deltalake::open_table_with_version(self.table_url(table), *pinned).await.map(Some).map_err(delta(table))
    }

    /// Takes the registry's writer lock: one ingest, vacuum or reindex at a time. The operating
    /// system releases it when the returned file is dropped or the process dies, so a
    /// killed run never leaves the registry locked.
    ///
    /// A folder that holds no registry (no `versions`, which an ingest creates before it
    /// locks) is refused before anything is written in it.
    pub fn lock(&self) -> StoreResult<RegistryLock> {
        if !self.root.join("versions").is_dir() {
            return Err(StoreError::Empty { path: self.root.clone() });
        }
        refuse_root_on_anothers(&self.root)?;
        let path = self.root.join("LOCK");
        let file = crate::open_regular(&path, std::fs::OpenOptions::new().create(true).truncate(false).write(true))
            .map_err(io(&path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(StoreError::Busy { path: self.root.clone() }),
            Err(std::fs::TryLockError::Error(source)) => return Err(StoreError::Io { path, source }),
        }
        // `LOCK` removed by hand under a run (taken for a stale lock) let a second run lock
        // a new file and undo the first one's commits as a killed run's. The registry's
        // folder is locked too: nobody removes it under a run. (`LOCK` stays the lock the
        // backup recipe's `flock DIR/LOCK` takes.)
        // A file server may not lock a folder at all (NFS emulates `flock` with byte-range
        // locks, which a folder, opened read-only, cannot take): `LOCK` alone holds then.
        let folder = std::fs::File::open(&self.root).map_err(io(&self.root))?;
        match folder.try_lock() {
            Err(std::fs::TryLockError::WouldBlock) => return Err(StoreError::Busy { path: self.root.clone() }),
            Err(std::fs::TryLockError::Error(error)) => {
                tracing::debug!("the registry's folder cannot be locked here ({error}); its LOCK file alone holds")
            }
            Ok(()) => {}
        }
        Ok(RegistryLock { _file: file, _folder: folder })
    }

    /// Writes a version file, then points `CURRENT` at it: the publish. First, every
    /// file and folder of the registry changed since `written_since` (the run's start) is
    /// synced to the disk: the Delta commits and Parquet files, the index generation,
    /// the coordinators' files. deltalake's local store and tantivy do not sync, and
    /// after a power cut `CURRENT` must not name a version whose files were still in the
    /// page cache. (The kernel has usually written them by then: on the benchmark's
    /// 1,000,000-children run the sync takes well under a second.)
    pub fn publish(&self, version: &RegistryVersion, written_since: std::time::SystemTime) -> StoreResult<()> {
        // File times come from a coarse clock that may lag the run's own by a tick.
        let since = written_since.checked_sub(std::time::Duration::from_secs(2)).unwrap_or(written_since);
        sync_written_since(&self.root, since)?;
        let path = self.version_path(version.version);
        let text = serde_json::to_string_pretty(version).expect("a version serialises");
        write_atomically(&path, text.as_bytes(), "version-written")?;
        write_atomically(
            &self.root.join("CURRENT"),
            format!("{}\n", version.version).as_bytes(),
            "current-temporary-written",
        )?;
        pause_point("current-switched");
        Ok(())
    }
}

/// The registry's writer lock, held while it lives.
pub struct RegistryLock {
    _file: std::fs::File,
    _folder: std::fs::File,
}

/// A hook for the crash-safety tests: when the environment variable `DARYN_PAUSE_AT`
/// names this point, the process says so on standard error and waits there to be
/// killed, or, when `DARYN_RESUME_WHEN` names a file, until that file exists (to run
/// another command at that moment). Points: `committed:<table>`, `restored:<table>`,
/// `version-written`, `current-temporary-written`, `current-switched`, `drops-read`,
/// `reports-written`, `index-built`, `registry-created`, `check-listed`.
pub fn pause_point(point: &str) {
    if std::env::var("DARYN_PAUSE_AT").is_ok_and(|wanted| wanted == point) {
        eprintln!("daryn: paused at {point}");
        let resume = std::env::var_os("DARYN_RESUME_WHEN").map(PathBuf::from);
        loop {
            match &resume {
                Some(file) if file.exists() => return,
                Some(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
                None => std::thread::sleep(std::time::Duration::from_secs(60)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_with_an_escape_is_refused_wherever_it_resolves() {
        let folder = tempfile::tempdir().unwrap();
        let refused = |path: &Path| matches!(refuse_escapes(path), Err(StoreError::EscapedPath { .. }));
        assert!(refused(&folder.path().join("pct%20dir")));
        assert!(refused(&folder.path().join("pct%2fdir/registry")));
        // A `%` before anything but two hex digits is kept, and works.
        assert!(!refused(&folder.path().join("реестр ~#%1")));
        assert!(!refused(&folder.path().join("100%")));
        assert!(!refused(&folder.path().join("a%zz")));
        // Through `..`, the folder left is not the registry's.
        std::fs::create_dir(folder.path().join("a%20b")).unwrap();
        assert!(!refused(&folder.path().join("a%20b/../registry")));
        // Through a link, where it points counts.
        std::fs::create_dir(folder.path().join("x%41y")).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(folder.path().join("x%41y"), folder.path().join("plain")).unwrap();
            assert!(refused(&folder.path().join("plain/registry")));
        }
    }

    #[test]
    fn what_a_run_wrote_is_synced_and_nothing_older() {
        let root = tempfile::tempdir().unwrap();
        let old = root.path().join("tables/children/region=35");
        std::fs::create_dir_all(&old).unwrap();
        let year_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(365 * 24 * 3600);
        let aged = |path: &Path| {
            let opened = if path.is_dir() { std::fs::File::open(path) } else { std::fs::File::create(path) };
            opened.unwrap().set_modified(year_ago).unwrap();
        };
        aged(&old.join("part-old.parquet"));
        for folder in [&old, &root.path().join("tables/children"), &root.path().join("tables"), &root.path().to_owned()]
        {
            aged(folder);
        }
        let since = std::time::SystemTime::now() - std::time::Duration::from_secs(1);
        assert_eq!(sync_written_since(root.path(), since).unwrap(), 0, "nothing new");
        // A run adds a file to the old partition and a new generation folder with two.
        std::fs::write(old.join("part-new.parquet"), b"new").unwrap();
        let generation = root.path().join("index/2");
        std::fs::create_dir_all(&generation).unwrap();
        std::fs::write(generation.join("meta.json"), b"{}").unwrap();
        std::fs::write(generation.join("a.idx"), b"").unwrap();
        // Files: part-new, meta.json, a.idx. Folders that gained an entry: region=35,
        // index/2, index, and the root (which gained `index`).
        assert_eq!(sync_written_since(root.path(), since).unwrap(), 3 + 4);
    }
}
