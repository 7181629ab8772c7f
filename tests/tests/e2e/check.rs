//! `daryn check` end to end: a registry whole, then with files lost, cut short or
//! changed as a copy taken during a run or a failing disk leaves them, each named with
//! the versions it keeps from being read; and `vacuum`, which must not remove the
//! versions that still read whole from a registry that does not.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::daryn;
use crate::e2e::ingest::{girls_iins, hand_made_drop, ingest};

/// `daryn check`: exit code, standard output, standard error.
fn check(registry: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["check", "--registry", registry.to_str().unwrap()];
    args.extend_from_slice(extra);
    let output = daryn(&args);
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status.code().unwrap_or(-1), text(&output.stdout), text(&output.stderr))
}

/// The Delta version of `table` that registry version `version` pins.
fn pin(registry: &Path, version: u64, table: &str) -> u64 {
    let text = std::fs::read_to_string(registry.join(format!("versions/{version:08}.json"))).unwrap();
    let version: serde_json::Value = serde_json::from_str(&text).unwrap();
    version["tables"][table].as_u64().unwrap()
}

/// The data files a table reads at a Delta version, from its commits replayed in order
/// (a table of a few commits has no checkpoint to start from).
fn live_files(registry: &Path, table: &str, at: u64) -> BTreeSet<PathBuf> {
    let folder = registry.join("tables").join(table);
    let mut live = BTreeSet::new();
    for commit in 0..=at {
        let text = std::fs::read_to_string(folder.join(format!("_delta_log/{commit:020}.json"))).unwrap();
        for action in text.lines().map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap()) {
            if let Some(path) = action["add"]["path"].as_str() {
                live.insert(folder.join(path));
            }
            if let Some(path) = action["remove"]["path"].as_str() {
                live.remove(&folder.join(path));
            }
        }
    }
    live
}

/// Where `path` is in the registry, as `check` names it.
fn inside(registry: &Path, path: &Path) -> String {
    path.strip_prefix(registry).unwrap().display().to_string()
}

#[test]
fn check_names_each_damaged_file_with_the_versions_it_breaks_and_vacuum_removes_nothing_then() {
    let root = tempfile::tempdir().unwrap();
    let drops = root.path().join("drops");
    let registry = root.path().join("registry");
    let iins = girls_iins(7);
    // Three versions; each replaces region 35's children, so each reads a file of its own.
    for (day, date) in ["2026-11-21", "2026-11-22", "2026-11-23"].iter().enumerate() {
        let folder = hand_made_drop(&drops, date, "35", &iins[day..day + 5]);
        let (code, stdout, _) = ingest(&registry, &["--allow-shrink", "35"], &[&folder]);
        assert_eq!(code, 0, "{stdout}");
        // The first run says it made the registry, and where (a cron line's relative
        // path could make one elsewhere unnoticed).
        let made = format!("made a new registry in {}\n", registry.display());
        assert_eq!(stdout.contains(&made), day == 0, "{stdout}");
    }
    let (code, stdout, stderr) = check(&registry, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("checked versions 1–3 (the current is 3)"), "{stdout}");
    assert!(stdout.ends_with("the registry is whole\n") && stderr.is_empty(), "{stdout}{stderr}");
    // A `daryn.toml` that does not load stops every other command, not the check, which
    // reads no setting: it is told as a note.
    let config = registry.join("daryn.toml");
    let kept_config = std::fs::read(&config).unwrap();
    std::fs::write(&config, "nonsense = 1\n").unwrap();
    let (code, stdout, stderr) = check(&registry, &["--quick"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("note: configuration `") && stdout.contains("`nonsense`: unknown setting"), "{stdout}");
    assert!(stdout.ends_with("the registry is whole\n"), "{stdout}");
    std::fs::write(&config, kept_config).unwrap();

    // Region 35's children file of each version, and the drops file of the first run,
    // which every later run appends to and so every version reads.
    let children: Vec<PathBuf> = (1..=3)
        .map(|version| {
            let files = live_files(&registry, "children", pin(&registry, version, "children"));
            let region: Vec<&PathBuf> =
                files.iter().filter(|file| file.to_string_lossy().contains("region=35")).collect();
            assert_eq!(region.len(), 1, "{files:?}");
            region[0].clone()
        })
        .collect();
    assert_eq!(children.iter().collect::<BTreeSet<_>>().len(), 3, "each version reads its own children file");
    let first_drops = live_files(&registry, "drops", pin(&registry, 1, "drops"));
    assert_eq!(first_drops.len(), 1, "{first_drops:?}");
    let first_drops = first_drops.into_iter().next().unwrap();
    assert!(live_files(&registry, "drops", pin(&registry, 3, "drops")).contains(&first_drops));

    // 0. A version file lost from the middle (a vacuum removes only the oldest): `--as-of
    // 2` would call it vacuumed; the check calls it lost, and the vacuum keeping the one
    // version after it removes it.
    let second = registry.join("versions/00000002.json");
    let kept = std::fs::read(&second).unwrap();
    std::fs::remove_file(&second).unwrap();
    let (code, stdout, stderr) = check(&registry, &["--quick"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.starts_with("version 2: its version file `versions/00000002.json` is missing"), "{stdout}");
    assert!(stderr.contains("--keep 1` removes the damaged older ones"), "{stderr}");
    std::fs::write(&second, kept).unwrap();

    // 1. A file only version 1 reads is lost. Version 1 alone is damaged; the current
    // one reads whole, so the way out is the vacuum keeping 3 - 1 = 2 versions.
    std::fs::remove_file(&children[0]).unwrap();
    for extra in [&[][..], &["--quick"][..]] {
        let (code, stdout, stderr) = check(&registry, extra);
        assert_eq!(code, 1, "{extra:?}: {stdout}{stderr}");
        let line = format!("version 1: table `children`: `{}` is missing\n", inside(&registry, &children[0]));
        assert!(stdout.starts_with(&line), "{extra:?}: {stdout}");
        assert!(stderr.starts_with("error[damaged]: the registry is not whole: 1 problem; version 1 "), "{stderr}");
        assert!(stderr.contains("--keep 2` removes the damaged older ones"), "{stderr}");
    }
    let output = daryn(&["vacuum", "--registry", registry.to_str().unwrap(), "--keep", "2"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let (code, stdout, stderr) = check(&registry, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("checked versions 2–3 (the current is 3)"), "{stdout}");

    // 2. The first run's drops file, which both kept versions read, is cut to half.
    let full = std::fs::metadata(&first_drops).unwrap().len();
    let drops_bytes = std::fs::read(&first_drops).unwrap();
    std::fs::write(&first_drops, &drops_bytes[..full as usize / 2]).unwrap();
    // 3. A byte changed in a file only the current version's search index generation
    // holds (one link: the generations before it do not share it), its size kept.
    let generation = {
        let text = std::fs::read_to_string(registry.join("versions/00000003.json")).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()["index_generation"].as_u64().unwrap()
    };
    let index_file = std::fs::read_dir(registry.join("index").join(generation.to_string()))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| {
            use std::os::unix::fs::MetadataExt;
            path.extension().is_some_and(|extension| extension == "store")
                && std::fs::metadata(path).unwrap().nlink() == 1
        })
        .expect("the newest generation has a segment of its own");
    let mut bytes = std::fs::read(&index_file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x5a;
    std::fs::write(&index_file, &bytes).unwrap();
    let (code, stdout, stderr) = check(&registry, &[]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let truncated = format!(
        "versions 2–3: table `drops`: `{}` has {} bytes where the log says {full}: it was cut short or changed\n",
        inside(&registry, &first_drops),
        full / 2
    );
    assert!(stdout.contains(&truncated), "{stdout}");
    let changed = format!(
        "version 3: search index generation {generation}: `{}` fails its checksum",
        index_file.file_name().unwrap().to_string_lossy()
    );
    assert!(stdout.contains(&changed), "{stdout}");
    assert!(stderr.contains("2 problems; versions 2–3 cannot be read whole; restore the registry"), "{stderr}");
    // `--quick` compares sizes, and reads no index file whole.
    let (code, stdout, _) = check(&registry, &["--quick"]);
    assert_eq!(code, 1);
    assert!(stdout.contains(&truncated) && !stdout.contains("checksum"), "{stdout}");
    // A vacuum finds the cut file by its size before it removes anything (the changed
    // byte is `check`'s to find: a vacuum reads no file whole).
    let output = daryn(&["vacuum", "--registry", registry.to_str().unwrap(), "--keep", "1"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let cut = format!(
        "{}` has {} bytes where the log says {full}, which a kept version reads",
        inside(&registry, &first_drops),
        full / 2
    );
    assert!(stderr.contains("table `drops`: `") && stderr.contains(&cut), "{stderr}");
    assert!(stderr.contains("no version or data file was removed"), "{stderr}");
    assert!(registry.join("versions/00000002.json").exists());

    // 4. The current version's children file is lost too. A vacuum would have removed
    // version 2, and then failed or left nothing whole: it stops before removing anything.
    let current_children = std::fs::read(&children[2]).unwrap();
    std::fs::remove_file(&children[2]).unwrap();
    let output = daryn(&["vacuum", "--registry", registry.to_str().unwrap(), "--keep", "1"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is missing") && stderr.contains("no version or data file was removed"), "{stderr}");
    assert!(stderr.contains(&format!("`daryn check --registry {}`", registry.display())), "{stderr}");
    assert!(registry.join("versions/00000002.json").exists() && children[1].exists());
    let (code, stdout, _) = check(&registry, &[]);
    assert_eq!(code, 1);
    let lost = format!("version 3: table `children`: `{}` is missing\n", inside(&registry, &children[2]));
    // Told in the order of the versions: the cut drops file (versions 2–3) before the
    // lost children file (version 3), though the check reads `children` first.
    let (at_lost, at_cut) = (stdout.find(&lost), stdout.find(&truncated));
    assert!(at_lost.is_some() && at_cut.is_some() && at_cut < at_lost, "{stdout}");

    // 4b. A file of the current version's index generation is lost: the generation does
    // not open, and the vacuum removes nothing.
    std::fs::write(&first_drops, &drops_bytes).unwrap();
    std::fs::write(&children[2], &current_children).unwrap();
    bytes[middle] ^= 0x5a;
    std::fs::remove_file(&index_file).unwrap();
    let output = daryn(&["vacuum", "--registry", registry.to_str().unwrap(), "--keep", "1"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let unopened = format!("search index generation {generation}, which a kept version uses, does not open: ");
    assert!(stderr.contains(&unopened) && stderr.contains("no version or data file was removed"), "{stderr}");
    assert!(registry.join("versions/00000002.json").exists());
    // The check's advice is the reindex that builds it from the tables, not a backup.
    let (code, stdout, stderr) = check(&registry, &[]);
    assert_eq!(code, 1, "{stdout}");
    let advice = format!(
        "1 problem; version 3 cannot be read whole; the tables read whole: `daryn reindex --registry {}`",
        registry.display()
    );
    assert!(stderr.contains(&advice), "{stderr}");
    std::fs::write(&index_file, &bytes).unwrap();
    let (code, stdout, stderr) = check(&registry, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");

    // 5. A table's whole log is lost. Taken for a new table, the next ingest made one
    // whose log restarted at 0 under the versions that pin it, and vacuum removed every
    // file of it: both refuse, and nothing changes.
    std::fs::rename(registry.join("tables/measures/_delta_log"), root.path().join("measures-log")).unwrap();
    let folder = hand_made_drop(&drops, "2026-11-24", "35", &iins[1..6]);
    let (code, _, _) = ingest(&registry, &["--allow-shrink", "35"], &[&folder]);
    assert_eq!(code, 1);
    let output = daryn(&["vacuum", "--registry", registry.to_str().unwrap(), "--keep", "1"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("table `measures`, which kept versions read, has no `_delta_log`"), "{stderr}");
    assert!(!registry.join("tables/measures/_delta_log").exists() && registry.join("versions/00000002.json").exists());
    let (code, stdout, _) = check(&registry, &["--quick"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("the registry: table `measures`: its `_delta_log` is missing"), "{stdout}");
}

/// A vacuum run alongside a check removes, as the check reads them, the files of the
/// versions the check listed: that is told as such (`error[busy]`), not as damage with a
/// `--keep` to act on. Once the vacuum is done the check finds the registry whole.
#[test]
fn a_vacuum_alongside_is_not_taken_for_damage() {
    use std::io::{BufRead, Read};
    let root = tempfile::tempdir().unwrap();
    let drops = root.path().join("drops");
    let registry = root.path().join("registry");
    let iins = girls_iins(6);
    for (day, date) in ["2026-11-21", "2026-11-22"].iter().enumerate() {
        let folder = hand_made_drop(&drops, date, "35", &iins[day..day + 5]);
        let (code, stdout, _) = ingest(&registry, &["--allow-shrink", "35"], &[&folder]);
        assert_eq!(code, 0, "{stdout}");
    }
    let go = root.path().join("go");
    let mut checking = daryn_tests::KillOnDrop(crate::spawn_daryn(
        &["check", "--registry", registry.to_str().unwrap()],
        &[("DARYN_PAUSE_AT", "check-listed"), ("DARYN_RESUME_WHEN", go.to_str().unwrap())],
    ));
    let mut said = std::io::BufReader::new(checking.0.stderr.take().unwrap());
    let mut paused = String::new();
    while !paused.contains("paused at check-listed") {
        assert_ne!(said.read_line(&mut paused).unwrap(), 0, "the check ended: {paused}");
    }
    let output = daryn(&["vacuum", "--registry", registry.to_str().unwrap(), "--keep", "1"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    std::fs::write(&go, "").unwrap();
    let status = checking.0.wait().unwrap();
    let mut rest = String::new();
    said.read_to_string(&mut rest).unwrap();
    assert_eq!(status.code(), Some(1), "{rest}");
    assert!(
        rest.contains("error[busy]: a vacuum removed version 1 while the check was reading the registry"),
        "{rest}"
    );
    assert!(!rest.contains("error[damaged]") && !rest.contains("--keep"), "{rest}");
    let (code, stdout, stderr) = check(&registry, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("checked version 2 (the current is 2)"), "{stdout}");
}

/// `daryn` given a minute to finish: its exit code and everything it printed. A command
/// still running then fails the test, naming itself, rather than hanging the test run.
fn finished(args: &[&str]) -> (i32, String) {
    use std::io::Read;
    let mut child = daryn_tests::KillOnDrop(crate::spawn_daryn(args, &[]));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "`daryn {}` still runs after a minute", args.join(" "));
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut printed = String::new();
    child.0.stdout.take().unwrap().read_to_string(&mut printed).unwrap();
    child.0.stderr.take().unwrap().read_to_string(&mut printed).unwrap();
    (status.code().unwrap_or(-1), printed)
}

/// A FIFO (named pipe) in the place of one of the registry's own files: a reader opening
/// it waits for a writer that never comes, and every command hung at its first read of
/// `CURRENT`. Each command now says which file is no regular file, with its code, and
/// the registry is whole again once the file is back.
#[test]
fn a_fifo_in_the_place_of_a_registry_file_is_told_not_waited_on() {
    let root = tempfile::tempdir().unwrap();
    let folder = hand_made_drop(&root.path().join("drops"), "2026-11-21", "35", &girls_iins(5));
    let registry = root.path().join("registry");
    assert_eq!(ingest(&registry, &[], &[&folder]).0, 0);
    let generation = registry.join("index/1");
    let segment = std::fs::read_dir(&generation)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|extension| extension == "store"))
        .expect("the generation has a doc store file");
    let segment = inside(&registry, &segment);
    let at = registry.to_str().unwrap();
    let drop = folder.to_str().unwrap();
    let check = ["check", "--registry", at, "--quick"];
    let versions = ["versions", "--registry", at];
    let search = ["search", "--registry", at, "Аружан"];
    let sql = ["sql", "--registry", at, "SELECT count(*) FROM children"];
    let ingest_again = ["ingest", "--registry", at, drop];
    let vacuum = ["vacuum", "--registry", at, "--keep", "1"];
    let cases: [(&str, Vec<&[&str]>, &str); 5] = [
        ("CURRENT", vec![&check, &versions, &search, &sql, &ingest_again], "damaged"),
        ("versions/00000001.json", vec![&versions, &search, &sql, &ingest_again, &vacuum], "damaged"),
        ("daryn.toml", vec![&versions, &sql, &ingest_again], "config"),
        (&segment, vec![&search, &check, &vacuum], ""),
        ("LOCK", vec![&vacuum, &ingest_again], "io"),
    ];
    for (file, commands, code) in cases {
        let path = registry.join(file);
        let kept = std::fs::read(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(std::process::Command::new("mkfifo").arg(&path).status().unwrap().success());
        for args in commands {
            let (exit, printed) = finished(args);
            assert_eq!(exit, 1, "{file}: daryn {args:?}\n{printed}");
            // The index's own file is a search's `bad_index`, and damage to `check` and
            // `vacuum`.
            let code = match (code, args[0]) {
                ("", "search") => "bad_index",
                ("", _) => "damaged",
                (code, _) => code,
            };
            assert!(printed.contains(&format!("error[{code}]")), "{file}: daryn {args:?}\n{printed}");
            assert!(printed.contains("it is a FIFO (named pipe), not a regular file"), "{file}: {args:?}\n{printed}");
        }
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, kept).unwrap();
    }
    let (exit, printed) = finished(&["check", "--registry", at]);
    assert_eq!(exit, 0, "{printed}");
    assert!(printed.ends_with("the registry is whole\n"), "{printed}");
}
