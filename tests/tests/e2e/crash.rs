//! Crash safety: `daryn ingest` is killed with SIGKILL at many moments of a run, among
//! them inside each table commit's aftermath and around the version switch. After every
//! kill the registry must open at a whole version (the previous one, or the new one once
//! `CURRENT` has moved) with the same content as an uninterrupted run would leave, and
//! the next run must succeed.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::{allow_every_shrink, daryn, spawn_daryn};
use chrono::NaiveDate;
use daryn_data::generate::{self, FormatChoice, GenerateOptions};
use daryn_tests::registry_fingerprint;

/// The named points where a run can be made to wait for its kill (see
/// `daryn_registry::store::pause_point`), in the order a publishing run passes them.
const POINTS: [&str; 12] = [
    "drops-read",
    "committed:children",
    "committed:measures",
    "committed:achievements",
    "committed:teachers",
    "committed:conflicts",
    "committed:rejections",
    "committed:drops",
    "reports-written",
    "version-written",
    "current-temporary-written",
    "current-switched",
];

fn day(out: &Path, date: &str, seed: u64) -> std::path::PathBuf {
    let options = GenerateOptions {
        out: out.to_owned(),
        children: 600,
        seed,
        date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
        error_rate: 0.02,
        format: FormatChoice::Mixed,
        classifier: None,
    };
    generate::generate(&options).unwrap().folder
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() { copy_dir(&path, &target) } else { std::fs::copy(&path, &target).map(|_| ()).unwrap() }
    }
}

/// The arguments of an ingest run (the second day replaces every region's children).
fn ingest_args<'a>(registry: &'a Path, drops: &'a Path, shrinks: &'a [String]) -> Vec<&'a str> {
    let mut args = vec!["ingest", "--registry", registry.to_str().unwrap()];
    args.extend(shrinks.iter().map(String::as_str));
    args.push(drops.to_str().unwrap());
    args
}

fn run_clean(registry: &Path, drops: &Path) {
    let shrinks = allow_every_shrink();
    let output = daryn(&ingest_args(registry, drops, &shrinks));
    let code = output.status.code();
    assert!(
        matches!(code, Some(0) | Some(2)),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Starts a run that pauses at `point`, waits until it says so, and kills it.
fn kill_at_point(registry: &Path, drops: &Path, point: &str) {
    let shrinks = allow_every_shrink();
    let mut child = spawn_daryn(&ingest_args(registry, drops, &shrinks), &[("DARYN_PAUSE_AT", point)]);
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let reached = lines.any(|line| line.is_ok_and(|line| line.contains(&format!("paused at {point}"))));
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    assert!(reached, "the run never reached `{point}`");
}

/// Starts a run and kills it after `delay`, wherever it is. False when the run ended
/// before it could be killed.
fn kill_after(registry: &Path, drops: &Path, delay: Duration) -> bool {
    let shrinks = allow_every_shrink();
    let mut child = spawn_daryn(&ingest_args(registry, drops, &shrinks), &[]);
    let started = Instant::now();
    while started.elapsed() < delay {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    true
}

/// The Parquet data files of the registry's tables (not the logs' checkpoints).
fn parquet_files(registry: &Path) -> BTreeSet<PathBuf> {
    let mut files = BTreeSet::new();
    let mut pending = vec![registry.join("tables")];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(folder).into_iter().flatten() {
            let path = entry.unwrap().path();
            if path.ends_with("_delta_log") {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|extension| extension == "parquet") {
                files.insert(path);
            }
        }
    }
    files
}

/// The registry's content, its version number first (a finished run after a crash
/// publishes the same content under the same number).
fn content(registry: &Path) -> String {
    registry_fingerprint(registry)
}

/// The coordinators' files of the current version (`reports/<version>/`): each name with
/// a digest of what it holds.
fn report_files(registry: &Path) -> Vec<String> {
    use sha2::{Digest, Sha256};
    let Ok(current) = std::fs::read_to_string(registry.join("CURRENT")) else {
        return Vec::new();
    };
    let folder = registry.join("reports").join(format!("{:08}", current.trim().parse::<u64>().unwrap()));
    let mut files: Vec<String> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .map(|entry| {
                    let entry = entry.unwrap();
                    let digest = Sha256::digest(std::fs::read(entry.path()).unwrap());
                    format!("{} {}", entry.file_name().to_string_lossy(), hex::encode(&digest[..8]))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn a_kill_at_any_moment_leaves_a_whole_version_and_the_next_run_succeeds() {
    let root = tempfile::tempdir().unwrap();
    let first = day(&root.path().join("drops"), "2026-11-24", 21);
    let second = day(&root.path().join("drops"), "2026-11-25", 22);

    // The reference: uninterrupted runs of both days.
    let reference = root.path().join("reference");
    run_clean(&reference, &first);
    let after_first = content(&reference);
    let files_first = report_files(&reference);
    run_clean(&reference, &second);
    let after_second = content(&reference);
    let files_second = report_files(&reference);
    assert_ne!(after_first, after_second);

    // 2 % injected errors: both days have rejection files.
    for files in [&files_first, &files_second] {
        assert!(files.iter().any(|file| file.split(' ').next().unwrap().ends_with("-rejections.csv")), "{files:?}");
    }

    let mut moments = 0;
    // The first run (into an empty registry) and the second (on top of version 1).
    let runs = [
        (None, &first, "empty".to_owned(), &after_first, &Vec::new(), &files_first),
        (Some(&first), &second, after_first.clone(), &after_second, &files_first, &files_second),
    ];
    for (base, drops, before, after, files_before, files_after) in runs {
        for point in POINTS {
            let registry = root.path().join(format!("r-{moments}"));
            if let Some(base) = base {
                run_clean(&registry, base);
            }
            let files_before_kill = parquet_files(&registry);
            kill_at_point(&registry, drops, point);
            moments += 1;
            // What the killed run committed and never published.
            let written: BTreeSet<PathBuf> = parquet_files(&registry).difference(&files_before_kill).cloned().collect();
            assert_eq!(written.is_empty(), point == "drops-read", "{point}: {written:?}");
            let now = content(&registry);
            // Before `CURRENT` moves, the old version is whole; after, the new one.
            let expected = if point == "current-switched" { after } else { &before };
            assert_eq!(&now, expected, "after a kill at `{point}`");
            // A published version has its coordinators' files, however the run ended.
            let files_expected = if point == "current-switched" { files_after } else { files_before };
            assert_eq!(&report_files(&registry), files_expected, "after a kill at `{point}`");
            run_clean(&registry, drops);
            assert_eq!(&content(&registry), after, "the run after a kill at `{point}`");
            // The next run undid those commits and removed their files (before, they
            // stayed until a vacuum: on a full disk, the space the retry needed).
            if point != "current-switched" {
                let left: Vec<_> = written.intersection(&parquet_files(&registry)).cloned().collect();
                assert!(left.is_empty(), "after a kill at `{point}`, the killed run's files stayed: {left:?}");
            }
            assert_eq!(&report_files(&registry), files_after, "the run after a kill at `{point}`");
            let _ = std::fs::remove_dir_all(&registry);
        }
    }

    // Kills at arbitrary moments of a run on top of version 1, spread over its length.
    let timed = root.path().join("timed");
    run_clean(&timed, &first);
    let started = Instant::now();
    let probe = root.path().join("probe");
    copy_dir(&timed, &probe);
    run_clean(&probe, &second);
    let full = started.elapsed();
    for step in 1..=6 {
        let registry = root.path().join(format!("t-{step}"));
        copy_dir(&timed, &registry);
        if kill_after(&registry, &second, full.mul_f64(f64::from(step) / 7.0)) {
            moments += 1;
        }
        let now = content(&registry);
        assert!(now == after_first || now == after_second, "a kill {step}/7 into the run left a torn registry:\n{now}");
        run_clean(&registry, &second);
        assert_eq!(content(&registry), after_second);
    }
    assert!(moments >= 20, "{moments} moments");
}

/// While a run holds the registry, a second ingest, a vacuum and a reindex are refused at
/// once and change nothing; readers go on reading the published version; and once the
/// run is gone (stopped: the OS lets go of its lock) the next run goes ahead.
#[test]
fn one_writer_at_a_time_and_readers_are_never_blocked() {
    let root = tempfile::tempdir().unwrap();
    let first = day(&root.path().join("drops"), "2026-11-24", 31);
    let second = day(&root.path().join("drops"), "2026-11-25", 32);
    let registry = root.path().join("registry");
    run_clean(&registry, &first);
    let published = content(&registry);

    let shrinks = allow_every_shrink();
    let paused = spawn_daryn(&ingest_args(&registry, &second, &shrinks), &[("DARYN_PAUSE_AT", "committed:measures")]);
    let mut holder = daryn_tests::KillOnDrop(paused);
    let mut lines = BufReader::new(holder.0.stderr.take().unwrap()).lines();
    assert!(lines.any(|line| line.is_ok_and(|line| line.contains("paused at committed:measures"))), "never paused");

    let registry_arg = registry.to_str().unwrap();
    for args in [
        ingest_args(&registry, &second, &shrinks),
        vec!["vacuum", "--registry", registry_arg, "--keep", "1"],
        vec!["reindex", "--registry", registry_arg],
    ] {
        let output = daryn(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("error[busy]: another daryn ingest, vacuum or reindex is working on the registry"),
            "{stderr}"
        );
    }
    // `LOCK` removed by hand, taken for a stale lock: the registry's folder is locked
    // too, and a second run still may not start (one did, and undid the first's commits).
    std::fs::remove_file(registry.join("LOCK")).unwrap();
    let output = daryn(&ingest_args(&registry, &second, &shrinks));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error[busy]") && stderr.contains("removing `LOCK` does not release it"), "{stderr}");
    assert!(!stderr.contains("undone"), "{stderr}");
    // The reader sees version 1, whole, while the writer is half-way.
    let output = daryn(&["sql", "--registry", registry_arg, "--format", "csv", "SELECT count(*) AS n FROM children"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(content(&registry), published);

    // Stopped as `timeout` or a service manager stops it, the run says so in its log
    // (it said nothing), and dies of the signal as it would have.
    let pid = holder.0.id().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = holder.0.wait().unwrap();
    let said: Vec<String> = lines.map_while(Result::ok).collect();
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(15), "{said:?}");
    assert!(said.iter().any(|line| line.starts_with("daryn: stopped by SIGTERM before it finished")), "{said:?}");
    assert_eq!(content(&registry), published);
    run_clean(&registry, &second);
    assert_ne!(content(&registry), published, "the next run publishes the second day");
}

/// A new registry's first run that fails as its first commit is written (a full disk)
/// leaves a table's `_delta_log` with no commit in it, which no Delta reader opens. The
/// next run removes it and publishes; it had failed on it, every night, for good.
#[test]
fn a_first_commit_never_written_does_not_stop_the_next_run() {
    let root = tempfile::tempdir().unwrap();
    let drops = day(&root.path().join("drops"), "2026-11-24", 21);
    let registry = root.path().join("registry");
    kill_at_point(&registry, &drops, "drops-read");
    // What the failed commit left: the table's folder and an empty log.
    std::fs::create_dir_all(registry.join("tables/children/_delta_log")).unwrap();
    let shrinks = allow_every_shrink();
    let output = daryn(&ingest_args(&registry, &drops, &shrinks));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(matches!(output.status.code(), Some(0) | Some(2)), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("children removed (its first commit was never written)"), "{stdout}");
    assert!(stdout.contains("published registry version 1"), "{stdout}");
    let reference = root.path().join("reference");
    run_clean(&reference, &drops);
    let without_version_line = |text: String| text.lines().skip(1).map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(without_version_line(content(&registry)), without_version_line(content(&reference)));
}

/// A run on a full disk (a tmpfs of 1 MiB, in a mount namespace of its own that ends
/// with the script, so no mount outlives the test) says so in one plain message with its
/// code, with none of the panics the Delta writer catches on the way; with room made,
/// the next run undoes what it left and publishes a registry `check` finds whole.
#[test]
fn a_full_disk_is_said_plainly_and_the_next_run_with_room_publishes() {
    let root = tempfile::tempdir().unwrap();
    let drops = day(&root.path().join("drops"), "2026-11-24", 23);
    let disk = root.path().join("disk");
    std::fs::create_dir(&disk).unwrap();
    let out = root.path();
    let script = r#"
        set -u
        mount -t tmpfs -o size=1m tmpfs "$DISK" || exit 90
        "$DARYN" ingest --registry "$DISK/registry" "$DROPS" >"$OUT/first.out" 2>"$OUT/first.err"
        echo $? >"$OUT/first.code"
        "$DARYN" check --registry "$DISK/registry" >"$OUT/between.out" 2>&1
        echo $? >"$OUT/between.code"
        mount -o remount,size=64m "$DISK" || exit 91
        "$DARYN" ingest --registry "$DISK/registry" "$DROPS" >"$OUT/second.out" 2>"$OUT/second.err"
        echo $? >"$OUT/second.code"
        "$DARYN" check --registry "$DISK/registry" >"$OUT/check.out" 2>&1
        echo $? >"$OUT/check.code"
        # The disk filled again but for 64 KiB: the tables are written, the search
        # index's stored fields are not (an indexing thread fails, mid-stream).
        dd if=/dev/zero of="$DISK/filler" bs=4k 2>/dev/null
        truncate -s -64K "$DISK/filler" || exit 92
        "$DARYN" reindex --registry "$DISK/registry" >"$OUT/reindex.out" 2>"$OUT/reindex.err"
        echo $? >"$OUT/reindex.code"
        rm "$DISK/filler"
        "$DARYN" check --registry "$DISK/registry" >"$OUT/after.out" 2>&1
        echo $? >"$OUT/after.code"
    "#;
    let mut unshare = std::process::Command::new("unshare");
    // Root makes a mount namespace of its own; anyone else, one of a user namespace too.
    unshare.arg("--mount");
    if !crate::as_root() {
        unshare.arg("--map-root-user");
    }
    let status = unshare
        .args(["sh", "-c", script])
        .env("DARYN", crate::binary())
        .env("DISK", &disk)
        .env("DROPS", &drops)
        .env("OUT", out)
        .env("RUST_BACKTRACE", "1")
        .status()
        .unwrap();
    assert!(status.success(), "the script could not mount a tmpfs: {status}");
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    let first = read("first.err");
    assert_eq!(read("first.code").trim(), "1", "{first}");
    assert!(first.contains("error[disk_full]: ") && first.contains("No space left on device"), "{first}");
    assert!(first.contains("the disk is full: free space on it and run the command again"), "{first}");
    assert!(!first.contains("panicked") && !first.contains("stack backtrace"), "{first}");
    // What the failed run left is no damage: nothing was published, and the next run
    // undoes its commits.
    assert_eq!(read("between.code").trim(), "0", "{}", read("between.out"));
    assert!(read("between.out").contains("checked no version (the current is 0)"), "{}", read("between.out"));
    let second = read("second.out");
    assert!(matches!(read("second.code").trim(), "0" | "2"), "{second}{}", read("second.err"));
    assert!(second.contains("published registry version 1"), "{second}");
    assert_eq!(read("check.code").trim(), "0", "{}", read("check.out"));
    assert!(read("check.out").ends_with("the registry is whole\n"));
    // The index writer's thread is the one that met the full disk: its own error is
    // told, not that the writer was killed.
    let reindex = read("reindex.err");
    assert_eq!(read("reindex.code").trim(), "1", "{reindex}");
    assert!(
        reindex.contains("error[disk_full]: search index ") && reindex.contains("No space left on device"),
        "{reindex}"
    );
    assert!(!reindex.contains("killed") && !reindex.contains("panicked"), "{reindex}");
    assert_eq!(read("after.code").trim(), "0", "{}", read("after.out"));
    assert!(read("after.out").contains("(the current is 1)"), "{}", read("after.out"));
}
