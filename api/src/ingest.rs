//! `daryn ingest`, `daryn versions`: the nightly run and the registry's history, as an
//! operator sees them: a table per drop, progress on a terminal, a JSON report, and an
//! exit code for cron (0 clean, 2 published with rejections or refusals, 1 nothing).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use daryn_ingest::run::{DropOutcome, DropStatus, IngestOptions, Progress, RunOutcome};
use daryn_registry::form::TableKind;
use daryn_registry::store::Store;
use indicatif::{ProgressBar, ProgressStyle};

/// Shows a spinner with the drop being read, when standard error is a terminal.
struct TerminalProgress {
    bar: Option<ProgressBar>,
}

impl TerminalProgress {
    fn new(drops: u64) -> TerminalProgress {
        if !std::io::stderr().is_terminal() {
            return TerminalProgress { bar: None };
        }
        let bar = ProgressBar::new(drops);
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} drops  {msg}")
                .expect("a valid template"),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        TerminalProgress { bar: Some(bar) }
    }
}

impl Progress for TerminalProgress {
    fn drop_started(&self, region: &str, _folder: &Path) {
        tracing::info!(region, "reading drop");
        if let Some(bar) = &self.bar {
            bar.set_message(format!("reading region {region}"));
        }
    }

    fn drop_done(&self, _outcome: &DropOutcome) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    fn stage(&self, what: &str) {
        tracing::info!(stage = what);
        if let Some(bar) = &self.bar {
            bar.set_message(what.to_owned());
        }
    }
}

pub fn run(options: IngestOptions, report: Option<PathBuf>) -> Result<u8> {
    refuse_file(&options.registry)?;
    // The drops under the given paths, for the progress bar and the report's check; found
    // quietly: the run discovers them again and logs what it finds then, once. (Paths
    // that are no drops are refused by the run.)
    let drops = tracing::dispatcher::with_default(&tracing::Dispatch::none(), || {
        daryn_ingest::read::discover(&options.paths).unwrap_or_default()
    });
    // A report that cannot be written is found out before the run, not after it has
    // published: the exit code must say what the run did.
    if let Some(path) = &report {
        let folder = path.parent().filter(|folder| !folder.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !folder.is_dir() {
            anyhow::bail!("`--report {}`: there is no folder `{}`", path.display(), folder.display());
        }
        if path.is_dir() {
            anyhow::bail!("`--report {}`: that is a folder", path.display());
        }
        // Nor may it overwrite what the run reads or writes: a drop's file, the registry's.
        let taken = drops.iter().map(|drop| drop.folder.as_path()).chain([options.registry.as_path()]);
        if let Some(taken) = lands_inside(path, taken) {
            anyhow::bail!(
                "`--report {}`: that is inside `{}`, which the run reads or writes; write the report elsewhere",
                path.display(),
                taken.display()
            );
        }
    }
    let progress = TerminalProgress::new(drops.len() as u64);
    // A registry is made on first use: said, with where it is, so that a cron line's
    // relative `--registry` run from another folder does not make one unnoticed.
    let new = !options.registry.join("CURRENT").exists();
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let outcome = runtime.block_on(daryn_ingest::ingest(&options, &progress));
    if let Some(bar) = &progress.bar {
        bar.finish_and_clear();
    }
    let outcome = outcome?;
    if new && let Ok(made) = std::fs::canonicalize(&options.registry) {
        say!("made a new registry in {}", made.display());
    }
    print_outcome(&outcome);
    if let Some(path) = report {
        let json = serde_json::to_string_pretty(&outcome).context("serialising the report")?;
        // Written beside and renamed into place: a full disk leaves the last report whole.
        let written = daryn_query::output::replace_file(&path, |partial| {
            std::fs::write(partial, &json)
                .map_err(|error| daryn_query::Error::Output { path: path.clone(), reason: error.to_string() })
        });
        match written {
            Ok(()) => say!("report: {}", path.display()),
            // What was published stays published, and the exit code says so: 2 (published,
            // with something to look at), never 0, for a cron job that reads the report.
            Err(error) => {
                let code = crate::output_code(&error.to_string());
                eprintln!("error[{code}]: {error}; the run's outcome above stands, and the report is not written");
                // Nothing published stays 1: 2 says that something was.
                return Ok(if outcome.exit_code() == 1 { 1 } else { 2 });
            }
        }
    }
    Ok(outcome.exit_code())
}

/// The first of `folders` that a file written at `path` would land inside: through a
/// symlink, where it points; in folders yet to be made, where the nearest one there is
/// lies. An output must not overwrite what a command reads (a registry's key or version
/// files, a drop's files).
pub fn lands_inside<'a>(path: &Path, folders: impl IntoIterator<Item = &'a Path>) -> Option<PathBuf> {
    // The folder a path is in, as written and through every link on the way: a file of
    // the registry that is a link elsewhere (a key kept on another disk) is the
    // registry's still, and a link to nothing yet is written through.
    let nearest = |path: &Path| -> Option<PathBuf> {
        let absolute = std::path::absolute(path).ok()?;
        absolute.ancestors().skip(1).find_map(|folder| std::fs::canonicalize(folder).ok())
    };
    let mut places: Vec<PathBuf> = Vec::new();
    places.extend(std::path::absolute(path).ok().and_then(|absolute| absolute.parent().map(Path::to_path_buf)));
    places.extend(nearest(path));
    match std::fs::canonicalize(path) {
        Ok(target) => places.extend(target.parent().map(Path::to_path_buf)),
        Err(_) => {
            if let Ok(link) = std::fs::read_link(path) {
                let target = path.parent().unwrap_or(Path::new("")).join(link);
                places.extend(nearest(&target));
            }
        }
    }
    folders.into_iter().find_map(|taken| {
        let written = std::path::absolute(taken).ok()?;
        let resolved = std::fs::canonicalize(taken).ok()?;
        places.iter().any(|place| place.starts_with(&written) || place.starts_with(&resolved)).then_some(resolved)
    })
}

fn counts(outcome: &DropOutcome, table: TableKind) -> String {
    let counts = outcome.counts(table);
    format!("{}/{}", counts.accepted, counts.rejected)
}

pub fn print_outcome(outcome: &RunOutcome) {
    for line in &outcome.rolled_back {
        say!("undone from an interrupted run: {line}");
    }
    say!(
        "{:<7} {:<26} {:<10} {:>13} {:>13} {:>13} {:>11}  reason",
        "region",
        "exported_at",
        "status",
        "children a/r",
        "measures a/r",
        "achiev. a/r",
        "teachers a/r"
    );
    for drop in &outcome.drops {
        let reason = match (&drop.refusal, &drop.note) {
            (Some(refusal), _) => format!("{}: {}", refusal.code, refusal.reason),
            (None, note) => note.clone().unwrap_or_default(),
        };
        say!(
            "{:<7} {:<26} {:<10} {:>13} {:>13} {:>13} {:>11}  {}",
            drop.region,
            drop.exported_at
                .map(|stamp| daryn_registry::kazakhstan_time(stamp).to_rfc3339())
                .unwrap_or_else(|| "-".to_owned()),
            drop.status.code(),
            counts(drop, TableKind::Children),
            counts(drop, TableKind::Measures),
            counts(drop, TableKind::Achievements),
            counts(drop, TableKind::Teachers),
            reason
        );
    }
    let unknown: Vec<String> = outcome
        .drops
        .iter()
        .filter(|drop| !drop.unknown_columns.is_empty())
        .map(|drop| format!("{}: {}", drop.region, drop.unknown_columns.join(", ")))
        .collect();
    if !unknown.is_empty() {
        say!("unknown columns, ignored: {}", unknown.join("; "));
    }
    for drop in &outcome.drops {
        if let Some(file) = &drop.rejection_file {
            say!("rejections for region {}: {}", drop.region, file.display());
        }
        if let Some(file) = &drop.warning_file {
            say!("warnings for region {} (rows accepted): {}", drop.region, file.display());
        }
    }
    if !outcome.conflicts.is_empty() {
        say!("{} IIN(s) held by two regions: the newer export keeps the child (files below)", outcome.conflicts.len());
    }
    for file in &outcome.conflict_files {
        say!("conflicts: {}", file.display());
    }
    match outcome.version {
        // Every drop refused: the version records the refusals (in `drops`, and their
        // rejection files) over the data of the version before; exit code 1.
        // Identical re-sends only, some exported later than the drop their region holds.
        Some(version) if outcome.drops.iter().all(|drop| drop.status == DropStatus::Unchanged) => {
            say!("no data changed; registry version {version} records the newer export times of the drops re-sent")
        }
        Some(version) if !outcome.drops.iter().any(|drop| drop.status == DropStatus::Published) => say!(
            "no drop was published; registry version {version} records the refusals, {}",
            outcome.previous_version.map_or_else(
                || "and holds no data yet".to_owned(),
                |before| format!("with the data of version {before}")
            )
        ),
        Some(version) => say!("published registry version {version}"),
        None if outcome.drops.iter().all(|drop| drop.status == DropStatus::Unchanged) && !outcome.drops.is_empty() => {
            say!("nothing changed; the registry stays at version {}", outcome.previous_version.unwrap_or(0))
        }
        None if outcome.drops.is_empty() => say!(
            "nothing was published: no drop was found (a region's drop folder is named by its 2- or 9-digit KATO code)"
        ),
        None if outcome.drops.iter().any(|drop| drop.refusal.is_some()) => say!(
            "nothing was published; each refusal repeats one an earlier run recorded, and the registry stays at \
             version {}",
            outcome.previous_version.unwrap_or(0)
        ),
        None => say!("nothing was published"),
    }
    let total: f64 = outcome.stages.iter().map(|stage| stage.seconds).sum();
    let stages: Vec<String> =
        outcome.stages.iter().map(|stage| format!("{} {:.1} s", stage.stage, stage.seconds)).collect();
    say!("took {total:.1} s: {}", stages.join(", "));
}

/// Opens an existing registry, saying which folder when it cannot.
pub fn open_registry(registry: &Path) -> Result<Store> {
    check_registry_folder(registry)?;
    Store::open(registry, false).with_context(|| format!("opening the registry `{}`", registry.display()))
}

/// Why `--registry` names no registry this account may open, with the code it is told
/// by: `registry` (nothing there, a file, a folder of something else) or `io` (a folder
/// this account may not look into).
#[derive(Debug)]
pub struct RegistryFolderError {
    pub code: &'static str,
    message: String,
}

impl std::fmt::Display for RegistryFolderError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for RegistryFolderError {}

fn not_a_registry(message: String) -> anyhow::Error {
    RegistryFolderError { code: "registry", message }.into()
}

/// What this account may not look into is said as such, not taken for absent: an
/// analyst outside the registry's group was told "no such folder" or "not a Daryn
/// registry" of the ministry's registry.
fn out_of_reach(registry: &Path, path: &Path, error: std::io::Error) -> anyhow::Error {
    let advice = if error.kind() == std::io::ErrorKind::PermissionDenied {
        "; run daryn as an account in the registry's group"
    } else {
        ""
    };
    let message = format!("`--registry {}`: cannot use `{}`: {error}{advice}", registry.display(), path.display());
    RegistryFolderError { code: "io", message }.into()
}

/// Refuses, before an ingest reads anything of it, a `--registry` that is a file or a
/// folder this account may not look into (one that does not exist yet is made).
pub fn refuse_unusable(registry: &Path) -> Result<()> {
    refuse_file(registry)?;
    let current = registry.join("CURRENT");
    if registry.exists() {
        current.try_exists().map_err(|error| out_of_reach(registry, &current, error))?;
    }
    Ok(())
}

/// Refuses a `--registry` that names a file (one that does not exist yet may be made).
fn refuse_file(registry: &Path) -> Result<()> {
    if registry.exists() && !registry.is_dir() {
        return Err(not_a_registry(format!(
            "`--registry {}`: that is a file, not a registry folder",
            registry.display()
        )));
    }
    Ok(())
}

/// Says what `--registry` names when it is no registry: nothing, a file, an empty folder
/// or a folder of something else.
pub fn check_registry_folder(registry: &Path) -> Result<()> {
    let denied = |path: &Path, error: std::io::Error| out_of_reach(registry, path, error);
    match std::fs::metadata(registry) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(not_a_registry(format!(
                "`--registry {}`: no such folder; `daryn ingest --registry DIR DROPS` creates a registry",
                registry.display()
            )));
        }
        Err(error) => return Err(denied(registry, error)),
        Ok(_) => {}
    }
    refuse_file(registry)?;
    let current = registry.join("CURRENT");
    let has_current = current.try_exists().map_err(|error| denied(&current, error))?;
    // A registry has `CURRENT` from its creation on (and version files after that).
    if !has_current && !registry.join("versions").is_dir() {
        if std::fs::read_dir(registry).is_ok_and(|mut entries| entries.next().is_none()) {
            return Err(daryn_registry::store::StoreError::Empty { path: registry.to_owned() }.into());
        }
        return Err(not_a_registry(format!(
            "`--registry {}` is not a Daryn registry (it has no `CURRENT` and no `versions`); `daryn ingest \
             --registry DIR DROPS` creates one",
            registry.display()
        )));
    }
    Ok(())
}

/// `daryn vacuum`: keeps the newest `keep` versions, deletes the rest and the files only
/// they read.
pub fn vacuum(registry: &Path, keep: u64) -> Result<()> {
    let store = crate::ingest::open_registry(registry)?;
    let _lock = store.lock()?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let vacuumed = runtime.block_on(store.vacuum(keep))?;
    match (vacuumed.versions.first(), vacuumed.versions.last()) {
        (Some(first), Some(last)) if first == last => say!("removed version {first}"),
        (Some(first), Some(last)) => say!("removed versions {first}–{last}"),
        _ => say!("no version to remove: the registry has {}, and --keep {keep} keeps them all", vacuumed.kept),
    }
    say!(
        "deleted {} data files ({:.1} MB) and {} Delta log files no kept version reads",
        vacuumed.files,
        vacuumed.bytes as f64 / 1e6,
        vacuumed.log_files
    );
    let generations = daryn_registry::search::index::remove_unpinned(&store)?;
    say!("deleted {generations} search index generations no kept version uses");
    Ok(())
}

/// `daryn check`: reads every file the kept versions pin and tells each fault with the
/// versions it keeps from being read whole; exit 1 when there is one.
pub fn check(registry: &Path, quick: bool) -> Result<std::process::ExitCode> {
    use std::fmt::Write as _;
    check_registry_folder(registry)?;
    let (store, config_error) = daryn_registry::store::Store::open_to_check(registry)
        .with_context(|| format!("opening the registry `{}`", registry.display()))?;
    // On this thread alone, so that what the Delta library logs of a table it cannot
    // open, which the check tells itself, is silenced everywhere.
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the async runtime")?;
    let checked =
        tracing::dispatcher::with_default(&tracing::Dispatch::none(), || runtime.block_on(store.check(quick)))?;
    if !checked.removed_under.is_empty() {
        eprintln!(
            "error[busy]: a vacuum removed {} while the check was reading the registry, so what it found missing may be the \
             vacuum's doing, not damage; run the check again when the vacuum has finished",
            named(&checked.removed_under)
        );
        return Ok(std::process::ExitCode::FAILURE);
    }
    let mut text = String::new();
    // In the order of the versions they name (the check finds them table by table), the
    // registry's own (the next run's) last; a stable sort keeps a version's in order.
    let mut problems: Vec<_> = checked.problems.iter().collect();
    problems.sort_by_key(|problem| problem.versions.first().copied().unwrap_or(u64::MAX));
    for problem in problems {
        let whom = if problem.versions.is_empty() { "the registry".to_owned() } else { named(&problem.versions) };
        let _ = writeln!(text, "{whom}: {}", problem.what);
    }
    for note in &checked.notes {
        let _ = writeln!(text, "note: {note}");
    }
    // Not the data's damage, and no backup mends it: every other command refuses to run
    // until the file is put right.
    if let Some(error) = &config_error {
        let _ = writeln!(text, "note: {error}; every other command refuses to run until it is put right");
    }
    let current = store.current_number()?.unwrap_or(0);
    let (how, index) = if checked.decoded {
        ("read whole", " checked: opened, and every file's checksum verified")
    } else {
        ("there, of the size their logs give (--quick)", " checked: opened")
    };
    let _ = writeln!(
        text,
        "checked {} (the current is {current}): {} data files ({:.1} MB, {} rows) {how}; {} search index {}{index}",
        named(&checked.versions),
        checked.files,
        checked.bytes as f64 / 1e6,
        checked.rows,
        checked.generations,
        if checked.generations == 1 { "generation" } else { "generations" },
    );
    // Files this account may not read are neither whole nor damaged: the owner's check
    // tells (a `--keep` advised on them would remove versions that read whole).
    let unread = match checked.unread {
        0 => String::new(),
        1 => "1 data file this account may not read was not checked".to_owned(),
        many => format!("{many} data files this account may not read were not checked"),
    };
    if checked.problems.is_empty() && unread.is_empty() {
        text.push_str("the registry is whole\n");
        crate::write_stdout(&text)?;
        return Ok(std::process::ExitCode::SUCCESS);
    }
    crate::write_stdout(&text)?;
    if checked.problems.is_empty() {
        eprintln!("error[unchecked]: {unread}; run the check as the registry's owner");
        return Ok(std::process::ExitCode::FAILURE);
    }
    let damaged: Vec<u64> = checked.damaged_versions().into_iter().collect();
    let whole_registry = checked.problems.iter().any(|problem| problem.versions.is_empty());
    let only_indexes = checked.problems.iter().all(|problem| problem.index);
    let advice = match damaged.last() {
        _ if !unread.is_empty() => {
            format!("{unread}: run the check as the registry's owner before acting on it")
        }
        // Vacuum keeps the newest N version files: those after the newest damaged one.
        Some(&newest) if newest < current && !whole_registry => format!(
            "the current version reads whole; `daryn vacuum --registry {} --keep {}` removes the damaged older ones",
            registry.display(),
            checked.versions.iter().filter(|&&number| number > newest).count()
        ),
        // No backup needed: the tables read whole, and an index is built from them.
        Some(_) if only_indexes => format!(
            "the tables read whole: `daryn reindex --registry {}` builds the current version's search index anew \
             (a search as of an older version whose index is damaged stays refused until a vacuum removes it)",
            registry.display()
        ),
        _ => "restore the registry from a backup taken under its lock (README, \"Backups\")".to_owned(),
    };
    let versions =
        if damaged.is_empty() { String::new() } else { format!("; {} cannot be read whole", named(&damaged)) };
    let problems = match checked.problems.len() {
        1 => "1 problem".to_owned(),
        many => format!("{many} problems"),
    };
    eprintln!("error[damaged]: the registry is not whole: {problems}{versions}; {advice}");
    Ok(std::process::ExitCode::FAILURE)
}

/// `version 3`, `versions 1–3, 5`, or `no version`.
fn named(versions: &[u64]) -> String {
    match versions {
        [] => "no version".to_owned(),
        [one] => format!("version {one}"),
        many => format!("versions {}", daryn_registry::store::number_list(many)),
    }
}

/// `daryn reindex`: the current version's data, with its search index built anew, as a
/// new version.
pub fn reindex(registry: &Path) -> Result<()> {
    let store = crate::ingest::open_registry(registry)?;
    let _lock = store.lock()?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let (version, report) = runtime.block_on(daryn_registry::search::index::reindex(&store))?;
    say!(
        "version {} published: the data of version {}, searched in a new index (generation {}, {} documents, {:.1} s)",
        version.version,
        version.version - 1,
        report.generation,
        report.documents_added,
        report.elapsed_ms as f64 / 1000.0
    );
    Ok(())
}

pub fn versions(registry: &Path, last: Option<u64>) -> Result<()> {
    use std::fmt::Write as _;
    let store = crate::ingest::open_registry(registry)?;
    let versions =
        store.newest_versions(last.map_or(usize::MAX, |last| usize::try_from(last).unwrap_or(usize::MAX)))?;
    let current = store.current_number()?;
    let mut text = String::new();
    if versions.is_empty() {
        text.push_str("the registry has no versions yet\n");
    }
    for version in versions {
        let marker = if Some(version.version) == current { " (current)" } else { "" };
        let created = daryn_registry::kazakhstan_time(version.created_at).to_rfc3339();
        let _ = writeln!(text, "version {}{marker}  {created}", version.version);
        if version.reindexed {
            let _ = writeln!(
                text,
                "  search index rebuilt by `daryn reindex`; the data of version {}",
                version.version - 1
            );
        }
        for drop in &version.run {
            let reason = drop.refusal_code.as_deref().map(|code| format!(" ({code})")).unwrap_or_default();
            let _ = writeln!(
                text,
                "  region {:<3} {:<10} exported {}  children {}{}",
                drop.region,
                drop.status,
                daryn_registry::kazakhstan_time(drop.exported_at).to_rfc3339(),
                drop.children_accepted,
                reason
            );
        }
    }
    crate::write_stdout(&text)
}
