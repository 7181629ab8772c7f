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
pub mod schema;
mod vacuum;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Utc};
use deltalake::arrow::array::{Array, Int64Array, RecordBatch, StringArray};
use deltalake::datafusion::prelude::{SessionContext, col, lit};
use deltalake::kernel::transaction::CommitProperties;
use deltalake::parquet::basic::{Compression, ZstdLevel};
use deltalake::parquet::file::properties::{EnabledStatistics, WriterProperties};
use deltalake::protocol::SaveMode;
use deltalake::{DeltaTable, DeltaTableError};
use serde::{Deserialize, Serialize};

use crate::config::{CONFIG_FILE, ConfigError, RegistryConfig, TEMPLATE};

pub use check::{Checked, Problem, number_list};
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

/// An export a run judged, from the `drops` table ([`Store::judged_drops`]).
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

/// Refuses to make a registry in a folder that holds something else: the first ingest
/// would remove what it took for a killed run's files, and vacuum the rest. A folder
/// whose making was cut short (`daryn.toml`, the lock file, `CURRENT.tmp`, empty `versions` and
/// `tables`) is no stranger's, nor a `daryn.toml` written before the first ingest.
fn refuse_foreign_folder(root: &Path) -> StoreResult<()> {
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(StoreError::Io { path: root.to_owned(), source: error }),
    };
    for entry in entries {
        let entry = entry.map_err(io(root))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = match name.as_str() {
            CONFIG_FILE | "LOCK" | "CURRENT.tmp" => true,
            leftover if leftover.starts_with("CURRENT.tmp.") => true,
            // What a volume, a file server or a desktop puts in any folder makes it no
            // one else's. Other hidden entries do (`.git`, `.ssh`, a home folder's).
            "lost+found" | ".DS_Store" | ".localized" | ".directory" | ".snapshot" | ".snapshots" | ".zfs"
            | ".Spotlight-V100" | ".fseventsd" | ".TemporaryItems" | ".stfolder" | ".gitkeep" | "desktop.ini"
            | "Thumbs.db" => true,
            system if system.starts_with("._") || system.starts_with(".nfs") || system.starts_with(".Trash") => true,
            "versions" | "tables" => std::fs::read_dir(entry.path()).is_ok_and(|mut inside| inside.next().is_none()),
            _ => false,
        };
        if !ours {
            return Err(StoreError::NotARegistry { path: root.to_owned(), entry: name });
        }
    }
    Ok(())
}

/// Refuses a registry path that holds `%` and two hex digits (`pct%20dir`): the Delta
/// library takes the table's URL for escaped and decodes it, so the tables of
/// `/srv/pct%20dir` are looked for, and written, in `/srv/pct dir`; a first ingest made
/// half a registry and failed, and every command on it failed after. A `%` followed by
/// anything else is kept as it is, and such paths work.
fn refuse_escapes(root: &Path) -> StoreResult<()> {
    let text = resolved(root).to_string_lossy().into_owned();
    let bytes = text.as_bytes();
    let escape = bytes
        .windows(3)
        .find(|window| window[0] == b'%' && window[1].is_ascii_hexdigit() && window[2].is_ascii_hexdigit());
    match escape {
        Some(escape) => {
            Err(StoreError::EscapedPath { path: root.to_owned(), escape: String::from_utf8_lossy(escape).into_owned() })
        }
        None => Ok(()),
    }
}

/// The path the system will use for `path`: its nearest folder that exists, with links
/// and `..` resolved, and the rest as given (a registry not made yet).
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut rest = Vec::new();
    let mut existing = absolute.as_path();
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            return rest.iter().rev().fold(real, |joined, part| joined.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// Refuses root writing into a registry another account owns: every file and folder it
/// made would be root's, which the owner's runs could then neither change nor remove (a
/// `reindex` run once as root left index generations the nightly vacuum failed on).
fn refuse_root_on_anothers(root: &Path) -> StoreResult<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // A process's `/proc/self` belongs to its effective user.
        let (Ok(me), Ok(registry)) = (std::fs::metadata("/proc/self"), std::fs::metadata(root)) else {
            return Ok(());
        };
        if me.uid() == 0 && registry.uid() != 0 {
            return Err(StoreError::RootOnAnothers { path: root.to_owned(), owner: registry.uid() });
        }
    }
    #[cfg(not(unix))]
    let _ = root;
    Ok(())
}

/// Takes every right to a new registry's folder from users outside its owner and group,
/// whatever the umask: the files below it hold children's personal data, and a folder
/// that others cannot enter keeps them from every file in it. A folder this user may not
/// change (another's, shared with a group; a file system without Unix modes) is left as
/// it is: the run goes on, and warns ([`Store::open_to_others`]).
fn close_to_others(root: &Path) {
    #[cfg(unix)]
    if let Some(mode) = others_may_enter(root) {
        use std::os::unix::fs::PermissionsExt;
        if let Err(error) = std::fs::set_permissions(root, std::fs::Permissions::from_mode(mode & !0o007)) {
            tracing::debug!(%error, "the registry's folder cannot be closed to other users");
        }
    }
    #[cfg(not(unix))]
    let _ = root;
}

/// The mode of a folder (set-id and sticky bits included) when users outside its owner
/// and group have any right to it; `None` where modes are not Unix's.
fn others_may_enter(folder: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(folder).ok()?.permissions().mode() & 0o7777;
        (mode & 0o007 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        None
    }
}

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
        match std::fs::read_to_string(&path) {
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
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let oldest = self.version_numbers()?.into_iter().find(|&kept| kept > number).unwrap_or(current);
                return Err(StoreError::Vacuumed { version: number, oldest });
            }
            Err(error) => return Err(StoreError::Io { path, source: error }),
        };
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
        let current = self.current_number()?.unwrap_or(0);
        let numbers = self.version_numbers()?;
        let mut versions = Vec::with_capacity(numbers.len());
        for number in numbers.into_iter().filter(|number| *number <= current) {
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

    /// Undoes what a crashed run left: every table goes back to the version the current
    /// registry version pins; a table no version pins is removed.
    pub async fn roll_back_unpinned(&self) -> StoreResult<Vec<String>> {
        let current = self.current()?;
        let mut rolled_back = Vec::new();
        for table in StoreTable::ALL {
            let doomed = self.removing_path(table);
            if doomed.exists() {
                std::fs::remove_dir_all(&doomed).map_err(io(&doomed))?;
            }
        }
        for table in StoreTable::ALL {
            let pinned = current.as_ref().and_then(|version| version.tables.get(table.name()));
            // A table whose first commit failed (a full disk) has a log with no commit,
            // which no Delta reader opens: it was never the registry's, and goes.
            let path = self.table_path(table);
            if pinned.is_none() && path.exists() && !has_commit(&path.join("_delta_log")) {
                self.remove_table(table)?;
                rolled_back.push(format!("{} removed (its first commit was never written)", table.name()));
                continue;
            }
            let Some(delta_table) = self.load(table).await? else {
                // A table the current version reads, with no log: lost, not new. Written
                // as new, its log would restart at 0 under the versions that pin it.
                if let (Some(version), Some(pinned)) = (&current, pinned) {
                    return Err(StoreError::Damaged {
                        path: self.root.clone(),
                        reason: format!(
                            "table `{}`, which version {} reads at its Delta version {pinned}, has no `_delta_log`",
                            table.name(),
                            version.version
                        ),
                    });
                }
                continue;
            };
            let latest = delta_table.version();
            match pinned {
                Some(&pinned) if Some(pinned) == latest => {}
                Some(&pinned) => {
                    // The files the undone commits added, which no version reads (older
                    // versions pin older commits), go first: on a full disk, where the run
                    // most likely failed, they are the space the undo and the next run need.
                    let at_pin = deltalake::open_table_with_version(self.table_url(table), pinned)
                        .await
                        .map_err(delta(table))?;
                    let keep = vacuum::table_files(&at_pin, table)?;
                    let mut removed = 0;
                    for file in vacuum::table_files(&delta_table, table)?.difference(&keep) {
                        match std::fs::remove_file(file) {
                            Ok(()) => removed += 1,
                            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                            Err(error) => return Err(StoreError::Io { path: file.clone(), source: error }),
                        }
                    }
                    delta_table.restore().with_version_to_restore(pinned).await.map_err(delta(table))?;
                    pause_point(&format!("restored:{}", table.name()));
                    let files = if removed == 0 { String::new() } else { format!(" ({removed} of its files removed)") };
                    rolled_back.push(format!("{} {} → {pinned}{files}", table.name(), latest.unwrap_or_default()));
                }
                None => {
                    self.remove_table(table)?;
                    rolled_back.push(format!("{} removed", table.name()));
                }
            }
        }
        Ok(rolled_back)
    }

    /// Removes a table no version pins. Renamed first, so that a kill part-way through the
    /// removal leaves no table with half a log, which nothing could open again.
    fn remove_table(&self, table: StoreTable) -> StoreResult<()> {
        let path = self.table_path(table);
        let doomed = self.removing_path(table);
        std::fs::rename(&path, &doomed).map_err(io(&path))?;
        std::fs::remove_dir_all(&doomed).map_err(io(&doomed))
    }

    /// Replaces the partitions of `regions` with `batches` in one commit; returns the new
    /// Delta version. The batches must hold only rows of those regions.
    pub async fn replace_regions(
        &self,
        table: StoreTable,
        regions: &[String],
        batches: Vec<RecordBatch>,
        run_label: &str,
    ) -> StoreResult<u64> {
        let predicate = regions
            .iter()
            .map(|region| col("region").eq(lit(region.clone())))
            .reduce(|left, right| left.or(right))
            .unwrap_or(lit(false));
        self.write(table, batches, SaveMode::Overwrite, Some(predicate), run_label).await
    }

    /// Replaces the whole table's rows in one commit; returns the new Delta version.
    pub async fn replace_all(&self, table: StoreTable, batches: Vec<RecordBatch>, run_label: &str) -> StoreResult<u64> {
        self.write(table, batches, SaveMode::Overwrite, None, run_label).await
    }

    /// Appends rows in one commit; returns the new Delta version.
    pub async fn append(&self, table: StoreTable, batches: Vec<RecordBatch>, run_label: &str) -> StoreResult<u64> {
        self.write(table, batches, SaveMode::Append, None, run_label).await
    }

    /// Appends `batch`, rows of `regions` only, to a table that every run adds a few rows
    /// to (`drops`), in one commit; returns the new Delta version. An append adds a file to
    /// each region's partition, so a year of nightly runs would leave thousands of tiny
    /// files for every read to open. When a partition of `regions` already holds
    /// [`FILES_BEFORE_COMPACTION`] files, the commit instead rewrites the partitions of
    /// `regions` as one file each: their rows, then the new ones. Older versions keep
    /// reading the files they pinned until `daryn vacuum` removes them.
    pub async fn append_compacting(
        &self,
        table: StoreTable,
        regions: &[String],
        batch: RecordBatch,
        run_label: &str,
    ) -> StoreResult<u64> {
        let Some(delta_table) = self.load(table).await? else {
            return self.append(table, vec![batch], run_label).await;
        };
        let files = partition_files(&delta_table, table)?;
        if regions.iter().all(|region| files.get(region).copied().unwrap_or(0) < FILES_BEFORE_COMPACTION) {
            return self.append(table, vec![batch], run_label).await;
        }
        let mut batches = self.region_rows(&delta_table, table, regions).await?;
        batches.push(batch);
        tracing::info!(table = table.name(), regions = regions.len(), "partitions compacted into one file each");
        self.replace_regions(table, regions, batches, run_label).await
    }

    /// The rows of `regions` in a table as loaded, in the table's schema.
    async fn region_rows(
        &self,
        delta_table: &DeltaTable,
        table: StoreTable,
        regions: &[String],
    ) -> StoreResult<Vec<RecordBatch>> {
        let wanted = regions.iter().map(|region| lit(region.clone())).collect();
        let frame =
            scan(delta_table, table).await?.filter(col("region").in_list(wanted, false)).map_err(query(table))?;
        let schema = table.schema();
        let mut batches = Vec::new();
        // A scan gives the partition column last and text as views: each column is taken
        // by name and cast back to the table's type.
        for batch in frame.collect().await.map_err(query(table))? {
            let columns = schema
                .fields()
                .iter()
                .map(|field| {
                    let column = batch.column_by_name(field.name()).ok_or_else(|| StoreError::Query {
                        table: table.name(),
                        reason: format!("the scan has no column `{}`", field.name()),
                    })?;
                    deltalake::arrow::compute::cast(column, field.data_type())
                        .map_err(|error| StoreError::Query { table: table.name(), reason: error.to_string() })
                })
                .collect::<StoreResult<Vec<_>>>()?;
            let batch = RecordBatch::try_new(schema.clone(), columns)
                .map_err(|error| StoreError::Query { table: table.name(), reason: error.to_string() })?;
            batches.push(batch);
        }
        Ok(batches)
    }

    async fn write(
        &self,
        table: StoreTable,
        batches: Vec<RecordBatch>,
        mode: SaveMode,
        predicate: Option<deltalake::datafusion::prelude::Expr>,
        run_label: &str,
    ) -> StoreResult<u64> {
        let path = self.table_path(table);
        std::fs::create_dir_all(&path).map_err(io(&path))?;
        // A table's first write builds it from nothing; later writes load it first.
        let delta_table = match self.load(table).await? {
            Some(existing) => existing,
            None => deltalake::DeltaTableBuilder::from_url(self.table_url(table))
                .and_then(|builder| builder.build())
                .map_err(delta(table))?,
        };
        let batches = if batches.is_empty() { vec![RecordBatch::new_empty(table.schema())] } else { batches };
        let mut builder = delta_table
            .write(batches)
            .with_save_mode(mode)
            .with_partition_columns(["region"])
            .with_writer_properties(writer_properties(table))
            .with_configuration(TABLE_CONFIGURATION.iter().map(|(key, value)| (*key, Some(*value))))
            .with_commit_properties(
                CommitProperties::default().with_metadata([("daryn.run".to_owned(), serde_json::json!(run_label))]),
            );
        if let Some(predicate) = predicate {
            builder = builder.with_replace_where(predicate);
        }
        let written = builder.await.map_err(delta(table))?;
        pause_point(&format!("committed:{}", table.name()));
        Ok(written.version().unwrap_or(0))
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
        let file =
            std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(io(&path))?;
        let taken = |file: &std::fs::File, path: &Path| match file.try_lock() {
            Ok(()) => Ok(()),
            Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Busy { path: self.root.clone() }),
            Err(std::fs::TryLockError::Error(source)) => Err(StoreError::Io { path: path.to_owned(), source }),
        };
        taken(&file, &path)?;
        // `LOCK` removed by hand under a run (taken for a stale lock) let a second run lock
        // a new file and undo the first one's commits as a killed run's. The registry's
        // folder is locked too: nobody removes it under a run. (`LOCK` stays the lock the
        // backup recipe's `flock DIR/LOCK` takes.)
        let folder = std::fs::File::open(&self.root).map_err(io(&self.root))?;
        taken(&folder, &self.root)?;
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

    /// A SQL session with the tables of a version registered under their names.
    pub async fn session(&self, version: &RegistryVersion) -> StoreResult<SessionContext> {
        let context = SessionContext::new();
        for table in StoreTable::ALL {
            let Some(delta_table) = self.table_at(table, version).await? else { continue };
            let provider = provider(&delta_table, table, &context).await?;
            context
                .register_table(table.name(), provider)
                .map_err(|error| StoreError::Query { table: table.name(), reason: error.to_string() })?;
        }
        Ok(context)
    }

    /// The IINs of the children a region holds in a version, without those it gives way
    /// on to another region (the contract's duplicate rule).
    pub async fn region_iins(&self, version: &RegistryVersion, region: &str) -> StoreResult<HashSet<String>> {
        let losers = self.conflict_losers(version).await?;
        let held = self.pairs(version, StoreTable::Children, ["region", "iin"], Some(region)).await?;
        Ok(held.into_iter().filter(|pair| !losers.contains(pair)).map(|(_, iin)| iin).collect())
    }

    /// Every (region, IIN) the regions' drops hold in a version, conflict losers included.
    pub async fn held_iins(&self, version: &RegistryVersion) -> StoreResult<Vec<(String, String)>> {
        self.pairs(version, StoreTable::Children, ["region", "iin"], None).await
    }

    /// The (region, IIN) records that give way to another region's newer drop.
    pub async fn conflict_losers(&self, version: &RegistryVersion) -> StoreResult<HashSet<(String, String)>> {
        Ok(self.pairs(version, StoreTable::Conflicts, ["region", "iin"], None).await?.into_iter().collect())
    }

    /// What the runs up to a version did with each export they were given (a region, an
    /// export time and the same files), told once: by the first run that judged it.
    /// Read from the version's `drops` table, which keeps every run's rows however many
    /// versions a vacuum removed. An export that could not be read has no content to
    /// know it by again, and is left out.
    pub async fn judged_drops(&self, version: &RegistryVersion) -> StoreResult<Vec<JudgedDrop>> {
        let table = StoreTable::Drops;
        let Some(delta_table) = self.table_at(table, version).await? else {
            return Ok(Vec::new());
        };
        let frame = scan(&delta_table, table)
            .await?
            .filter(col("content_sha256").not_eq(lit("")))
            .and_then(|frame| frame.sort_by(vec![col("registry_version")]))
            .map_err(query(table))?;
        let texts = ["region", "content_sha256", "status", "refusal_code"];
        let numbers = [
            "exported_at",
            "registry_version",
            "children_accepted",
            "children_rejected",
            "measures_accepted",
            "measures_rejected",
            "achievements_accepted",
            "achievements_rejected",
            "teachers_accepted",
            "teachers_rejected",
        ];
        let frame = frame.select_columns(&[texts.as_slice(), numbers.as_slice()].concat()).map_err(query(table))?;
        let mut seen = HashSet::new();
        let mut judged = Vec::new();
        for batch in frame.collect().await.map_err(query(table))? {
            let text: Vec<StringArray> =
                (0..texts.len()).map(|index| text_column(&batch, index, table)).collect::<StoreResult<_>>()?;
            let number: Vec<Int64Array> = (0..numbers.len())
                .map(|index| number_column(&batch, texts.len() + index, table))
                .collect::<StoreResult<_>>()?;
            for row in 0..batch.num_rows() {
                let value = |column: usize| number[column].value(row).max(0) as u64;
                let drop = JudgedDrop {
                    region: text[0].value(row).to_owned(),
                    exported_at: DateTime::from_timestamp_micros(number[0].value(row)).unwrap_or(DateTime::UNIX_EPOCH),
                    content_sha256: text[1].value(row).to_owned(),
                    registry_version: value(1),
                    status: text[2].value(row).to_owned(),
                    refusal_code: text[3].is_valid(row).then(|| text[3].value(row).to_owned()),
                    rows: [0, 1, 2, 3].map(|table| (value(2 + 2 * table), value(3 + 2 * table))),
                };
                if seen.insert((drop.region.clone(), drop.exported_at, drop.content_sha256.clone())) {
                    judged.push(drop);
                }
            }
        }
        Ok(judged)
    }

    /// Two text columns of a table at a version, of one region or all; nothing when the
    /// version pins no such table.
    async fn pairs(
        &self,
        version: &RegistryVersion,
        table: StoreTable,
        columns: [&str; 2],
        region: Option<&str>,
    ) -> StoreResult<Vec<(String, String)>> {
        let Some(delta_table) = self.table_at(table, version).await? else {
            return Ok(Vec::new());
        };
        let mut frame = scan(&delta_table, table).await?;
        if let Some(region) = region {
            frame = frame.filter(col("region").eq(lit(region.to_owned()))).map_err(query(table))?;
        }
        let frame = frame.select_columns(&columns).map_err(query(table))?;
        let mut pairs = Vec::new();
        for batch in frame.collect().await.map_err(query(table))? {
            let [first, second] = [0, 1].map(|index| text_column(&batch, index, table));
            let (first, second) = (first?, second?);
            pairs.extend(first.iter().zip(second.iter()).filter_map(|(a, b)| Some((a?.to_owned(), b?.to_owned()))));
        }
        Ok(pairs)
    }
}

/// The registry's writer lock, held while it lives.
pub struct RegistryLock {
    _file: std::fs::File,
    _folder: std::fs::File,
}

/// A DataFusion error while reading `table`, as the store's error.
fn query(table: StoreTable) -> impl Fn(deltalake::datafusion::error::DataFusionError) -> StoreError {
    move |error| StoreError::Query { table: table.name(), reason: error.to_string() }
}

/// A table as loaded, to be read in `context`.
async fn provider(
    delta_table: &DeltaTable,
    table: StoreTable,
    context: &SessionContext,
) -> StoreResult<std::sync::Arc<dyn deltalake::datafusion::catalog::TableProvider>> {
    delta_table.update_datafusion_session(&context.state()).map_err(delta(table))?;
    delta_table
        .table_provider()
        .await
        .map_err(|error| StoreError::Query { table: table.name(), reason: error.to_string() })
}

/// A table as loaded, to be filtered and read with DataFusion.
async fn scan(delta_table: &DeltaTable, table: StoreTable) -> StoreResult<deltalake::datafusion::prelude::DataFrame> {
    let context = SessionContext::new();
    let provider = provider(delta_table, table, &context).await?;
    context.read_table(provider).map_err(query(table))
}

/// Whether a Delta log folder holds a commit (`00000000000000000000.json`); a missing
/// folder holds none.
fn has_commit(log: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(log) else { return false };
    entries.flatten().any(|entry| {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        name.strip_suffix(".json")
            .is_some_and(|stem| stem.len() == 20 && stem.bytes().all(|byte| byte.is_ascii_digit()))
    })
}

/// A column of a query result as 64-bit integers (a timestamp as its microseconds).
fn number_column(batch: &RecordBatch, index: usize, table: StoreTable) -> StoreResult<Int64Array> {
    let failed = |reason: String| StoreError::Query { table: table.name(), reason };
    let column = batch.column(index);
    let column = match column.data_type() {
        deltalake::arrow::datatypes::DataType::Timestamp(_, _) => deltalake::arrow::compute::cast(
            column,
            &deltalake::arrow::datatypes::DataType::Timestamp(deltalake::arrow::datatypes::TimeUnit::Microsecond, None),
        )
        .and_then(|column| deltalake::arrow::compute::cast(&column, &deltalake::arrow::datatypes::DataType::Int64)),
        _ => deltalake::arrow::compute::cast(column, &deltalake::arrow::datatypes::DataType::Int64),
    }
    .map_err(|error| failed(error.to_string()))?;
    column
        .as_any()
        .downcast_ref::<Int64Array>()
        .cloned()
        .ok_or_else(|| failed(format!("column {index} is {:?}, not a number", column.data_type())))
}

/// A column of a query result as plain strings (DataFusion may hand text over as
/// `Utf8View`).
fn text_column(batch: &RecordBatch, index: usize, table: StoreTable) -> StoreResult<StringArray> {
    let failed = |reason: String| StoreError::Query { table: table.name(), reason };
    let column = deltalake::arrow::compute::cast(batch.column(index), &deltalake::arrow::datatypes::DataType::Utf8)
        .map_err(|error| failed(error.to_string()))?;
    column
        .as_any()
        .downcast_ref::<StringArray>()
        .cloned()
        .ok_or_else(|| failed(format!("column {index} is {:?}, not text", column.data_type())))
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

/// Syncs every file and folder under `folder` modified at or after `since`, folders
/// after what they hold; returns how many were synced. Symbolic links are followed (an
/// operator may put `tables` or `index` on another volume), to a depth that a link loop
/// cannot exceed forever.
fn sync_written_since(folder: &Path, since: std::time::SystemTime) -> StoreResult<u64> {
    sync_below(folder, since, 0)
}

fn sync_below(folder: &Path, since: std::time::SystemTime, depth: usize) -> StoreResult<u64> {
    const DEEPEST: usize = 16;
    let mut synced = 0;
    for entry in std::fs::read_dir(folder).map_err(io(folder))? {
        let entry = entry.map_err(io(folder))?;
        let path = entry.path();
        let metadata = std::fs::metadata(&path).map_err(io(&path))?;
        if metadata.is_dir() {
            if depth < DEEPEST {
                synced += sync_below(&path, since, depth + 1)?;
            }
        } else if metadata.is_file() && metadata.modified().map_err(io(&path))? >= since {
            std::fs::File::open(&path).and_then(|file| file.sync_all()).map_err(io(&path))?;
            synced += 1;
        }
    }
    // A folder's own time changes when an entry is added, removed or renamed.
    if std::fs::metadata(folder).and_then(|metadata| metadata.modified()).map_err(io(folder))? >= since {
        std::fs::File::open(folder).and_then(|directory| directory.sync_all()).map_err(io(folder))?;
        synced += 1;
    }
    Ok(synced)
}

/// Writes a file that must not exist yet, whole or not at all, and never over one that
/// does: `CURRENT` 0 of a new registry, which two first runs started together both
/// write before either holds the lock. A rename could put 0 back over the version 1 the
/// other had published meanwhile; a link is refused once the name is taken.
fn create_once(path: &Path, bytes: &[u8], pause_before_link: &str) -> StoreResult<()> {
    let temporary = path.with_extension(format!("tmp.{}", std::process::id()));
    write_synced(&temporary, bytes)?;
    pause_point(pause_before_link);
    match std::fs::hard_link(&temporary, path) {
        Ok(()) => std::fs::remove_file(&temporary).map_err(io(&temporary))?,
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(&temporary).map_err(io(&temporary))?;
        }
        // A file system without links (FAT, some network shares): renamed, as before.
        Err(_) => std::fs::rename(&temporary, path).map_err(io(path))?,
    }
    sync_parent(path)
}

/// Writes a file so that readers see the old content or the new, never a part: a
/// temporary file beside it, fsync, rename, fsync of the folder.
fn write_atomically(path: &Path, bytes: &[u8], pause_before_rename: &str) -> StoreResult<()> {
    let temporary = path.with_extension("tmp");
    write_synced(&temporary, bytes)?;
    pause_point(pause_before_rename);
    std::fs::rename(&temporary, path).map_err(io(path))?;
    sync_parent(path)
}

/// Writes a file and syncs it to the disk.
fn write_synced(path: &Path, bytes: &[u8]) -> StoreResult<()> {
    use std::io::Write;
    let mut file = std::fs::File::create(path).map_err(io(path))?;
    file.write_all(bytes).map_err(io(path))?;
    file.sync_all().map_err(io(path))
}

/// Syncs the folder holding `path`, so that a name just made in it is on the disk.
fn sync_parent(path: &Path) -> StoreResult<()> {
    if let Some(folder) = path.parent()
        && let Ok(directory) = std::fs::File::open(folder)
    {
        directory.sync_all().map_err(io(folder))?;
    }
    Ok(())
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
