//! `daryn sql` end to end on the hand-made registry of `fixture.rs`: the tables,
//! reference tables and views, the output formats, the read-only rule with its codes,
//! error positions, the memory and time limits, `--as-of`, the interactive shell, and the
//! conflict rule once a version pins a `conflicts` table.

use std::io::Write;
use std::path::Path;

use super::fixture;
use crate::{daryn, spawn_daryn};

fn sql(registry: &Path, extra: &[&str], statement: &str) -> std::process::Output {
    let mut args = vec!["sql", "--registry", registry.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.push(statement);
    daryn(&args)
}

fn stdout_of(output: std::process::Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn json(registry: &Path, statement: &str) -> serde_json::Value {
    serde_json::from_str(&stdout_of(sql(registry, &["--format", "json"], statement))).unwrap()
}

fn refused(registry: &Path, extra: &[&str], statement: &str) -> String {
    let output = sql(registry, extra, statement);
    assert_eq!(output.status.code(), Some(1), "`{statement}` should fail");
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn analyst_sql_reads_every_table_and_refuses_to_write() {
    let root = tempfile::tempdir().unwrap();
    let fixture = fixture::build(root.path());
    let registry = fixture.registry.as_path();

    // The store's tables, with the form's column names plus region_kato/district_kato.
    let counts = json(
        registry,
        "SELECT (SELECT count(*) FROM children) AS children, (SELECT count(*) FROM measures) AS measures, \
         (SELECT count(*) FROM achievements) AS achievements, (SELECT count(*) FROM teachers) AS teachers, \
         (SELECT count(*) FROM drops) AS drops, (SELECT count(*) FROM rejections) AS rejections",
    );
    assert_eq!(
        counts,
        serde_json::json!([{"children": 7, "measures": 10, "achievements": 8, "teachers": 3, "drops": 2, "rejections": 1}])
    );
    let child = json(
        registry,
        &format!("SELECT region, region_kato, district_kato FROM children WHERE iin = '{}'", fixture.c[0]),
    );
    assert_eq!(child, serde_json::json!([{"region": "35", "region_kato": "350000000", "district_kato": "351010000"}]));

    // Reference tables and views.
    let regions =
        json(registry, "SELECT count(*) AS n, max(name_ru) FILTER (WHERE region = '35') AS karagandy FROM regions");
    assert_eq!(regions, serde_json::json!([{"n": 20, "karagandy": "Карагандинская область"}]));
    let items = json(
        registry,
        "SELECT decree_item FROM measure_types WHERE measure_type IN ('hackathon', 'mentoring') ORDER BY measure_type",
    );
    assert_eq!(items, serde_json::json!([{"decree_item": 8}, {"decree_item": null}]));
    let discipline = json(registry, "SELECT domain FROM disciplines WHERE discipline = 'mathematics'");
    assert_eq!(discipline, serde_json::json!([{"domain": "science"}]));
    let districts = json(registry, "SELECT district_kato FROM districts WHERE region = '35' ORDER BY district_kato");
    assert_eq!(districts, serde_json::json!([{"district_kato": "351010000"}, {"district_kato": "351020000"}]));
    let groups = json(
        registry,
        "SELECT target_group, count(*) AS n FROM target_groups GROUP BY target_group ORDER BY target_group",
    );
    assert_eq!(
        groups,
        serde_json::json!([{"target_group": "rural", "n": 3}, {"target_group": "urban_large_or_low_income", "n": 4}])
    );
    let date = json(registry, "SELECT CAST(registry_date AS VARCHAR) AS d, version FROM registry_version");
    assert_eq!(date, serde_json::json!([{"d": fixture::DROP_DATE, "version": 1}]));

    // Formats: the table has a row count; CSV a BOM; Parquet and XLSX need a file.
    let table =
        stdout_of(sql(registry, &[], "SELECT region FROM regions WHERE region IN ('10', '35') ORDER BY region"));
    assert!(table.contains("| 35     |") && table.ends_with("(2 rows)\n"), "{table}");
    let csv = stdout_of(sql(registry, &["--format", "csv"], "SELECT name_en FROM regions WHERE region = '35'"));
    assert_eq!(csv, "\u{feff}name_en\nKaragandy Region\n");
    let workbook = root.path().join("measures.xlsx");
    stdout_of(sql(
        registry,
        &["--format", "xlsx", "-o", workbook.to_str().unwrap()],
        "SELECT measure_id, amount_kzt, planned_end FROM measures ORDER BY measure_id",
    ));
    {
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&workbook).unwrap();
        let range = book.worksheet_range("result").unwrap();
        assert_eq!(range.height(), 11, "header and ten measures");
        let m3 = range.rows().find(|r| r[0] == "M3").unwrap();
        assert_eq!(m3[1], calamine::Data::Float(50000.0), "amounts are numbers");
        assert!(matches!(m3[2], calamine::Data::DateTime(_)), "dates are dates: {:?}", m3[2]);
    }
    // A parameter given wrong exits with 2, as a command line clap refuses does.
    let output = sql(registry, &["--format", "parquet"], "SELECT 1");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("error[bad_parameter]: `-o`"));

    // Read-only, with stable codes.
    for statement in [
        "DROP TABLE children",
        "CREATE TABLE x AS SELECT 1",
        "INSERT INTO measures SELECT * FROM measures",
        "DELETE FROM children",
        "COPY children TO '/tmp/daryn-leak.csv'",
        "CREATE EXTERNAL TABLE leak STORED AS CSV LOCATION '/etc/'",
        "SET datafusion.execution.batch_size = 1",
    ] {
        assert!(refused(registry, &[], statement).contains("error[read_only]"), "{statement}");
    }
    assert!(!Path::new("/tmp/daryn-leak.csv").exists());
    assert!(refused(registry, &[], "SELECT * FROM read_csv('/etc/passwd')").contains("error[file_function]"));
    let raw_file = format!("SELECT * FROM '{}'", registry.join("tables/children").display());
    assert!(refused(registry, &[], &raw_file).contains("error[file_function]"));

    // Errors point into the statement.
    let typo = refused(registry, &[], "SELECT region,\n       iim\nFROM children");
    assert!(typo.contains("error[sql_plan]"), "{typo}");
    assert!(typo.contains("at line 2, column 8:\n       iim\n       ^"), "{typo}");
    let syntax = refused(registry, &[], "SELECT region FORM children");
    assert!(syntax.contains("error[sql_syntax]") && syntax.contains("at line 1, column"), "{syntax}");

    // `--as-of` names the fixture's one version as the current does; version 7 does not
    // exist. (Reading an older version is tested where a registry has several: ingest,
    // vacuum and search.)
    assert_eq!(json(registry, "SELECT count(*) AS n FROM children"), json_as_of(registry, "1"));
    assert!(refused(registry, &["--as-of", "7"], "SELECT 1").contains("error[registry]"));

    // A copy in a folder whose name an object-store path would escape reads the same.
    let odd = root.path().join("copy ~#%1");
    let copied = std::process::Command::new("cp").arg("-r").arg(registry).arg(&odd).status().unwrap();
    assert!(copied.success());
    // (Values, not count(*): DataFusion answers a bare count from the files' row counts.)
    let everything = "SELECT (SELECT count(DISTINCT iin) FROM children) AS children, \
                      (SELECT count(DISTINCT measure_id) FROM measures) AS measures, \
                      (SELECT max(exported_at) FROM drops) AS exported";
    assert_eq!(json(&odd, everything), json(registry, everything));

    limits(registry);
    outputs(registry, root.path());
    shell(registry);
    ctrl_c_in_the_shell(registry);
    conflicts(registry, &fixture);
}

fn json_as_of(registry: &Path, version: &str) -> serde_json::Value {
    serde_json::from_str(&stdout_of(sql(
        registry,
        &["--format", "json", "--as-of", version],
        "SELECT count(*) AS n FROM children",
    )))
    .unwrap()
}

/// A sort of three million rows needs more than 20 MiB; the pool makes it spill to disk
/// and finish. A cross join too long for 50 ms stops with `time_limit`.
fn limits(registry: &Path) {
    let sorted = sql(
        registry,
        &["--format", "json", "--memory-limit", "20MiB"],
        "SELECT count(*) AS n, max(r) AS last FROM \
         (SELECT row_number() OVER (ORDER BY value DESC) AS r FROM generate_series(1, 3000000))",
    );
    let sorted: serde_json::Value = serde_json::from_str(&stdout_of(sorted)).unwrap();
    assert_eq!(sorted, serde_json::json!([{"n": 3000000, "last": 3000000}]));
    let slow = refused(
        registry,
        &["--timeout", "50ms"],
        "SELECT count(*) FROM generate_series(1, 100000000) a, generate_series(1, 1000) b",
    );
    assert!(slow.contains("error[time_limit]"), "{slow}");
    // An expression as deep as its operators are many: 1,000 below the limit plans and
    // runs on the runtime's threads (2,000 overflowed tokio's 2 MiB stack and aborted
    // the process); deeper is refused, not a crash.
    let chain = |terms: usize| format!("SELECT 1{} AS n", "+1".repeat(terms));
    let sum = json(registry, &chain(990));
    assert_eq!(sum, serde_json::json!([{"n": 991}]));
    let deep = refused(registry, &[], &chain(20_000));
    assert!(deep.contains("error[sql_syntax]") && deep.contains("nested more than 1000 deep"), "{deep}");
    // Parentheses and function calls nest as far as the parser's 200 (its own default of
    // 50 refused them with `RecursionLimitExceeded`); deeper is told in words.
    let nest = |depth: usize| format!("SELECT {}-7{} AS n", "abs((".repeat(depth / 2), "))".repeat(depth / 2));
    assert_eq!(json(registry, &nest(190)), serde_json::json!([{"n": 7}]));
    let too_deep = refused(registry, &[], &nest(220));
    assert!(too_deep.starts_with("error[sql_syntax]: the statement nests parentheses"), "{too_deep}");
    assert!(!too_deep.contains("RecursionLimitExceeded"), "{too_deep}");
    // Subqueries count two levels each or more: 95 deep plan and run on the query
    // runtime's threads.
    let subqueries = |depth: usize| {
        format!("SELECT count(*) AS n FROM {}children{}", "(SELECT * FROM ".repeat(depth), ") s".repeat(depth))
    };
    assert_eq!(json(registry, &subqueries(95)), serde_json::json!([{"n": 7}]));
    assert!(refused(registry, &[], &subqueries(101)).starts_with("error[sql_syntax]: the statement nests"));
    // Set operations count over the whole statement: 500 in each of eight nested
    // subqueries (none over the limit alone) overflowed the main thread while planning.
    let mut nested = "SELECT 1 AS v".to_owned();
    for _ in 0..8 {
        nested = format!("SELECT 1 AS v WHERE 1 IN ({nested}){}", " UNION ALL SELECT 1".repeat(500));
    }
    let spread = refused(registry, &[], &nested);
    assert!(spread.contains("error[sql_syntax]") && spread.contains("more than 500 UNION"), "{spread}");
    // Planning is under the time limit too: each of twenty CTEs reads the one before it
    // twice, 2^20 scans to plan.
    let ctes: Vec<String> = (1..20)
        .map(|level| format!("t{level} AS (SELECT * FROM t{0} UNION ALL SELECT * FROM t{0})", level - 1))
        .collect();
    let doubling = format!("WITH t0 AS (SELECT iin FROM children), {} SELECT count(*) FROM t19", ctes.join(", "));
    let started = std::time::Instant::now();
    let slow = refused(registry, &["--timeout", "2s"], &doubling);
    assert!(slow.contains("error[time_limit]"), "{slow}");
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "{:?}", started.elapsed());
    // A time with a zone beyond the years chrono shows: refused, where every format but
    // Parquet panicked.
    let far = refused(
        registry,
        &["--format", "csv"],
        "SELECT arrow_cast(8210266876799000000, 'Timestamp(Microsecond, Some(\"+05:00\"))') AS t",
    );
    assert!(far.contains("error[execution]") && far.contains("column `t`"), "{far}");
    // A top-5 sort of ten billion rows keeps the thread that polls it busy between two
    // batches for as long as the whole statement; the limit still ends it at once (the
    // old limit, a tokio timer on that thread, waited for the sort: hours here).
    let mut sorting = spawn_daryn(
        &[
            "sql",
            "--registry",
            registry.to_str().unwrap(),
            "--timeout",
            "1s",
            "SELECT x FROM (SELECT a.value * 1000000 + b.value AS x FROM generate_series(1, 100000) a, \
             generate_series(1, 100000) b) ORDER BY x DESC LIMIT 5",
        ],
        &[],
    );
    let waited = std::time::Instant::now();
    let status = loop {
        if let Some(status) = sorting.try_wait().unwrap() {
            break status;
        }
        if waited.elapsed() > std::time::Duration::from_secs(60) {
            sorting.kill().unwrap();
            panic!("a 1 s limit did not stop the sort within a minute");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(sorting.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(1));
    assert!(stderr.contains("error[time_limit]"), "{stderr}");
    // A sort that spills, stopped at its time limit or when even spilling needs more
    // memory, leaves no spill file behind in the temporary folder (an abandoned
    // statement's files were left, hundreds of MB).
    let temporary = tempfile::tempdir().unwrap();
    let spilled_then_stopped = std::process::Command::new(crate::binary())
        .args(["sql", "--registry", registry.to_str().unwrap(), "--memory-limit", "20MiB", "--timeout", "3s"])
        .arg(
            "SELECT x FROM (SELECT a.value * 1000000 + b.value AS x FROM generate_series(1, 100000) a, \
             generate_series(1, 100000) b) ORDER BY x",
        )
        .env("TMPDIR", temporary.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&spilled_then_stopped.stderr);
    assert!(stderr.contains("error[time_limit]") || stderr.contains("error[memory_limit]"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(temporary.path()).unwrap().map(|entry| entry.unwrap().path()).collect();
    assert!(left.is_empty(), "{left:?}");
    // Without a temporary folder at all, a query that does not spill still runs.
    let without_tmp = std::process::Command::new(crate::binary())
        .args(["sql", "--registry", registry.to_str().unwrap(), "--format", "csv", "SELECT 1 AS one"])
        .env("TMPDIR", temporary.path().join("gone"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&without_tmp.stdout), "\u{feff}one\n1\n");
    // The same sort as above may not spill more than `--spill-limit` to disk.
    let spilled = refused(
        registry,
        &["--memory-limit", "20MiB", "--spill-limit", "16MiB"],
        "SELECT count(*) AS n, max(r) AS last FROM \
         (SELECT row_number() OVER (ORDER BY value DESC) AS r FROM generate_series(1, 3000000))",
    );
    assert!(spilled.contains("error[spill_limit]") && spilled.contains("16MiB"), "{spilled}");
    let bad = daryn(&["sql", "--registry", registry.to_str().unwrap(), "--memory-limit", "lots", "SELECT 1"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--memory-limit"));

    // DataFusion's own settings come from `DATAFUSION_*` variables; a bad one is named.
    let setting =
        "SELECT value FROM information_schema.df_settings WHERE name = 'datafusion.execution.target_partitions'";
    let with_env = |name: &str, value: &str| {
        std::process::Command::new(crate::binary())
            .args(["sql", "--registry", registry.to_str().unwrap(), "--format", "json", setting])
            .env(name, value)
            .output()
            .unwrap()
    };
    let tuned: serde_json::Value =
        serde_json::from_str(&stdout_of(with_env("DATAFUSION_EXECUTION_TARGET_PARTITIONS", "3"))).unwrap();
    assert_eq!(tuned, serde_json::json!([{"value": "3"}]));
    let wrong = with_env("DATAFUSION_EXECUTION_BATCH_SIZE", "many");
    assert_eq!(wrong.status.code(), Some(1));
    let message = String::from_utf8_lossy(&wrong.stderr);
    assert!(message.contains("error[sql_plan]") && message.contains("batch_size"), "{message}");
}

/// Money compares with money; each column name comes out once; a write that fails
/// leaves the file it would have replaced.
fn outputs(registry: &Path, root: &Path) {
    // A literal with a point is a float (DataFusion's default, which keeps `1.0 / 300000`
    // a share rather than a decimal cut to five places); money compares exactly with a
    // decimal literal, as the README says to write it.
    let money = json(
        registry,
        "SELECT CAST('220000.50' AS DECIMAL(18,2)) = CAST('220000.50' AS DECIMAL(18,2)) AS same, \
         CAST('220000.10' AS DECIMAL(18,2)) > CAST('220000.10' AS DECIMAL(18,2)) AS more, \
         1.0 / 300000 > 0 AS share",
    );
    assert_eq!(money, serde_json::json!([{"same": true, "more": false, "share": true}]));
    // Two columns named `region` (one from each side of a join) are `region` and
    // `region_1`, as DuckDB names them: JSON keys and Parquet readers need them apart.
    let both = json(
        registry,
        "SELECT c.region, t.region, 'x' AS region_1 FROM children c JOIN teachers t USING (region) LIMIT 1",
    );
    let keys: Vec<&String> = both[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["region", "region_2", "region_1"]);
    // A Parquet file that cannot be written (no Parquet type for an interval) leaves the
    // one before it whole.
    let file = root.join("kept.parquet");
    let out = ["--format", "parquet", "-o", file.to_str().unwrap()];
    stdout_of(sql(registry, &out, "SELECT region FROM children"));
    let before = std::fs::read(&file).unwrap();
    let failed = refused(registry, &out, "SELECT region, INTERVAL '1 day' AS i FROM children");
    assert!(failed.contains("error[output]") && failed.contains("kept.parquet"), "{failed}");
    assert_eq!(std::fs::read(&file).unwrap(), before);
    // A file replaced keeps its permissions: a list of IINs written over a file its owner
    // alone may read stays so (a new file was made as the umask says).
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    stdout_of(sql(registry, &out, "SELECT iin FROM children"));
    assert_ne!(std::fs::read(&file).unwrap(), before, "the file was replaced");
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    // A full disk is told as such, as every command tells it.
    let full = refused(registry, &["--format", "csv", "-o", "/dev/full"], "SELECT 1 AS one");
    assert!(full.starts_with("error[disk_full]: ") && full.contains("No space left on device"), "{full}");
    // `-o /dev/stdout` is standard output, written as it is: never a file renamed over
    // the link (as root) or over the file standard output appends to (`>> log.csv`).
    let to_stdout = stdout_of(sql(registry, &["--format", "csv", "-o", "/dev/stdout"], "SELECT 1 AS one"));
    assert_eq!(to_stdout, "\u{feff}one\n1\n");
    assert!(std::fs::symlink_metadata("/dev/stdout").unwrap().file_type().is_symlink());
    let log = root.join("log.csv");
    std::fs::write(&log, "before\n").unwrap();
    let appending = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    let status = std::process::Command::new(crate::binary())
        .args([
            "sql",
            "--registry",
            registry.to_str().unwrap(),
            "--format",
            "csv",
            "-o",
            "/dev/stdout",
            "SELECT 1 AS one",
        ])
        .stdout(appending)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "before\n\u{feff}one\n1\n");
    // As a Parquet file too, for a reader at the other end of a pipe.
    let parquet = sql(registry, &["--format", "parquet", "-o", "/dev/stdout"], "SELECT 1 AS one");
    assert!(parquet.status.success() && parquet.stdout.starts_with(b"PAR1"), "{parquet:?}");
    let real = root.join("real.csv");
    let link = root.join("link.csv");
    std::fs::write(&real, "old").unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    stdout_of(sql(registry, &["-o", link.to_str().unwrap()], "SELECT 2 AS two"));
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "\u{feff}two\n2\n");
    // Nor into the registry read: a table written over its key (or a version file) damaged
    // it. The same for a report, and for the annual report's folder, new or not.
    let key = registry.join("keys/child-key");
    let kept_key = std::fs::read(&key).unwrap();
    let (current, new_folder) = (registry.join("CURRENT"), registry.join("new/folder"));
    let into_registry = [
        vec!["sql", "-o", key.to_str().unwrap(), "SELECT 1 AS one"],
        vec!["report", "item1", "-o", current.to_str().unwrap()],
        vec!["report", "annual", "--year", "2025", "-o", new_folder.to_str().unwrap()],
    ];
    for mut args in into_registry {
        args.splice(1..1, ["--registry", registry.to_str().unwrap()]);
        let output = daryn(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("error[bad_parameter]") && stderr.contains("is inside the registry"), "{stderr}");
    }
    assert_eq!(std::fs::read(&key).unwrap(), kept_key);
    assert!(!registry.join("new").exists());
    // Through a link to a file yet to be made (a future version file), and through a
    // link of the registry's own that leads elsewhere: both are the registry's.
    let dangling = root.join("dangling.csv");
    std::os::unix::fs::symlink(registry.join("versions/00000099.json"), &dangling).unwrap();
    let outside = root.join("outside.csv");
    let registry_link = registry.join("link-out.csv");
    std::os::unix::fs::symlink(&outside, &registry_link).unwrap();
    for out in [&dangling, &registry_link] {
        let output = sql(registry, &["-o", out.to_str().unwrap()], "SELECT 1 AS one");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{out:?}: {stderr}");
        assert!(stderr.contains("is inside the registry"), "{stderr}");
    }
    assert!(!registry.join("versions/00000099.json").exists() && !outside.exists());
    std::fs::remove_file(&registry_link).unwrap();
    // Run from inside the registry: `-o -` is standard output, and the annual report
    // without `-o` would write into the current folder.
    let inside_registry =
        |args: &[&str]| std::process::Command::new(crate::binary()).args(args).current_dir(registry).output().unwrap();
    let output = inside_registry(&["sql", "--registry", ".", "--format", "csv", "-o", "-", "SELECT 1 AS one"]);
    assert_eq!(String::from_utf8_lossy(&output.stdout), "\u{feff}one\n1\n", "{output:?}");
    let output = inside_registry(&["report", "annual", "--registry", ".", "--year", "2025"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("is inside the registry"), "{output:?}");
    stdout_of(sql(registry, &[], "SELECT count(*) FROM children"));
    // Without `--format`, the file's extension chooses: a workbook, not a text table.
    let workbook = root.join("chosen.xlsx");
    stdout_of(sql(registry, &["-o", workbook.to_str().unwrap()], "SELECT region FROM children"));
    assert!(std::fs::read(&workbook).unwrap().starts_with(b"PK"), "an XLSX file is a zip");
    // An extension of a format daryn does not write would get a text table no program
    // reads as one: refused, unless `--format` says what to write.
    let (old_excel, tabs) = (root.join("chosen.xls"), root.join("chosen.tsv"));
    for args in [
        vec!["sql", "-o", old_excel.to_str().unwrap(), "SELECT 1 AS one"],
        vec!["report", "item1", "-o", tabs.to_str().unwrap()],
    ] {
        let output = daryn(&[&args[..1], &["--registry", registry.to_str().unwrap()], &args[1..]].concat());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("error[bad_parameter]") && stderr.contains("which daryn does not write"), "{stderr}");
    }
    assert!(!old_excel.exists() && !tabs.exists());
    stdout_of(sql(registry, &["--format", "table", "-o", tabs.to_str().unwrap()], "SELECT 1 AS one"));
    assert!(std::fs::read_to_string(&tabs).unwrap().contains("one"));
    // `--format` and an extension of another format daryn writes contradict each other:
    // CSV written into `out.xlsx` is a file Excel will not open.
    let contradicted = root.join("out.xlsx");
    for args in [
        vec!["sql", "--registry", registry.to_str().unwrap(), "--format", "csv", "-o", contradicted.to_str().unwrap()],
        vec!["report", "item1", "--registry", registry.to_str().unwrap(), "--format", "json", "-o"],
    ] {
        let mut args = args;
        if args[0] == "report" {
            args.push(contradicted.to_str().unwrap());
        } else {
            args.push("SELECT 1 AS one");
        }
        let output = daryn(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("error[bad_parameter]: --format") || stderr.contains("--format asks for"),
            "{stderr}"
        );
        assert!(stderr.contains("names a .xlsx file"), "{stderr}");
    }
    assert!(!contradicted.exists());
    // A column's name, and text however Arrow holds it, is no formula in a CSV export.
    let names = stdout_of(sql(
        registry,
        &["--format", "csv"],
        "SELECT 1 AS \"=SUM(1)\", arrow_cast('=1+2', 'Dictionary(Int32, Utf8)') AS d",
    ));
    assert_eq!(names, "\u{feff}'=SUM(1),d\n1,'=1+2\n");
    let left: Vec<_> = std::fs::read_dir(root).unwrap().map(|entry| entry.unwrap().file_name()).collect();
    assert!(!left.iter().any(|name| name.to_string_lossy().ends_with(".partial")), "{left:?}");
}

/// The shell reads statements over several lines, `\d` and `\d NAME`, from a pipe too.
/// Fed from a pipe it runs a last statement left without `;`, and exits with 1 when a
/// statement failed; when its reader goes away it stops, without a panic.
fn shell(registry: &Path) {
    let start = |format: &[&str]| {
        std::process::Command::new(crate::binary())
            .args(["sql", "--registry", registry.to_str().unwrap()])
            .args(format)
            .env("HOME", registry)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let run = |input: &str| {
        let mut child = start(&["--format", "csv"]);
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let output = run("\\d\nSELECT count(*)\n  AS n FROM children;\n\\d measure_types\nDROP TABLE regions;\n\
         SELECT 'a;\nb' AS s; SELECT 40 + 2 AS m;\nSELECT 7 AS last");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "the DROP failed: {stderr}");
    assert!(
        stdout.contains("target_groups         view") && stdout.contains("regions               reference"),
        "{stdout}"
    );
    assert!(stdout.contains("n\n7\n"), "{stdout}");
    assert!(stdout.contains("decree_item            Int32"), "{stdout}");
    assert!(stderr.contains("error[read_only]"), "{stderr}");
    // A `;` inside a string ends nothing; two statements on one line both run; the last,
    // without its `;`, runs too.
    assert!(stdout.contains("s\n\"a;\nb\"\n") && stdout.contains("m\n42\n"), "{stdout}");
    assert!(stdout.contains("last\n7\n"), "{stdout}");
    // The raw tables under `store.` are described as they are queried; a name that is no
    // table is refused by name.
    let output = run("\\d store.children\n\\d store.nothing\n");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stdout.contains("store.children\n") && stdout.contains("iin "), "{stdout}");
    assert!(stderr.contains("table `store.nothing` is not in this registry version"), "{stderr}");
    // A statement the input ends inside (a quote left open) is told with its line, and
    // the one before it on that line still runs.
    let output = run("SELECT 10 AS ten;\nSELECT 11 AS eleven; SELECT 'x\n");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stdout.contains("ten\n10\n") && stdout.contains("eleven\n11\n"), "{stdout}");
    assert!(stderr.contains("error[sql_syntax]: the input ended inside the statement begun on line 2"), "{stderr}");
    // A quoted name over two lines, a `;` inside it, is one statement.
    let output = run("SELECT 1 AS \"a;\nb\";\n");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("\n1\n"), "{output:?}");
    // A closing comment is no statement.
    let output = run("SELECT 1 AS one;\n-- done\n");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    // Fed from a pipe, standard output holds the results alone (`< q.sql > out.csv`): the
    // banner goes to standard error.
    assert_eq!(String::from_utf8_lossy(&output.stdout), "\u{feff}one\n1\n");
    assert!(String::from_utf8_lossy(&output.stderr).contains("daryn sql: registry version 1"));

    // A script saved by Windows' Notepad begins with a byte order mark, which is no part
    // of its first statement; a command the shell does not know is told with a code.
    let output = run("\u{feff}SELECT 5 AS five;\n\\x\n");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(String::from_utf8_lossy(&output.stdout).contains("five\n5\n"), "{stderr}");
    assert!(stderr.contains("error[sql_syntax]: unknown command `\\x`"), "{stderr}");
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    // What a pipe fed is a script, not someone's typing: none of it is kept in the
    // history file (`HOME` is the registry's folder here).
    assert!(!registry.join(".daryn_sql_history").exists());
    // A format that needs a file, without `-o`, is refused before the shell starts (exit
    // 2, as for a statement given), not statement by statement.
    let mut child = start(&["--format", "xlsx"]);
    child.stdin.take().unwrap().write_all(b"SELECT 1;\n").unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("error[bad_parameter]: ") && stderr.contains("`-o FILE`"), "{stderr}");
    assert!(!stderr.contains("daryn sql: registry version"), "{stderr}");

    // A reader that has gone (`| head -1` done reading) ends the shell quietly.
    let mut child = start(&[]);
    drop(child.stdout.take());
    // The shell may have ended already, its banner finding no reader: its input may go
    // unread.
    let _ = child.stdin.take().unwrap().write_all("\\d\n\\d children\nSELECT 1;\n".as_bytes());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Drives the shell through a terminal (a pseudo-terminal of Python's `pty`), as an
/// analyst types: a long statement, Ctrl-C two seconds in, then another statement.
/// Prints what it saw as JSON.
const TYPED_SESSION: &str = r#"
import json, os, pty, select, sys, time
binary, registry, home = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    os.environ["HOME"] = home
    os.execv(binary, [binary, "sql", "--registry", registry, "--timeout", "120s"])
seen = b""
def read_until(token, seconds):
    global seen
    deadline = time.time() + seconds
    while token not in seen:
        left = deadline - time.time()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return False
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return token in seen
        if not chunk:
            return token in seen
        seen += chunk
    return True
saw = {"prompt": read_until(b"daryn> ", 120)}
seen = b""
os.write(fd, b"SELECT count(*) FROM generate_series(1, 50000000000) a;\r")
time.sleep(2)
os.write(fd, b"\x03")
saw["interrupted"] = read_until(b"error[interrupted]", 30)
saw["prompt_again"] = read_until(b"daryn> ", 10)
seen = b""
os.write(fd, b"SELECT 40 + 2 AS answer;\r")
saw["answered"] = read_until(b"42", 30)
if saw["answered"]:
    os.write(fd, b"\\q\r")
else:
    os.kill(pid, 9)
saw["exit"] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
print(json.dumps(saw))
"#;

/// Ctrl-C typed while a statement runs stops that statement (`error[interrupted]`) and
/// leaves the shell at its prompt: rustyline's own handler had taken the key, and the
/// statement ran on to its time limit. What was typed is kept in the history file.
fn ctrl_c_in_the_shell(registry: &Path) {
    let home = tempfile::tempdir().unwrap();
    let output = std::process::Command::new("python3")
        .args(["-c", TYPED_SESSION])
        .arg(crate::binary())
        .arg(registry)
        .arg(home.path())
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{printed}{}", String::from_utf8_lossy(&output.stderr));
    let saw: serde_json::Value = serde_json::from_str(printed.trim()).unwrap();
    assert_eq!(
        saw,
        serde_json::json!({"prompt": true, "interrupted": true, "prompt_again": true, "answered": true, "exit": 0})
    );
    let history = std::fs::read_to_string(home.path().join(".daryn_sql_history")).unwrap();
    assert!(history.contains("SELECT 40 + 2 AS answer;"), "{history}");
}

/// A version that pins `conflicts` hides the losing region's rows of that child from
/// children, measures and achievements (the raw rows stay in `store.*`). Here C3 of
/// region 35 is marked as lost to region 10: one child, two measures (M3, M4), one
/// achievement (A2) leave region 35.
fn conflicts(registry: &Path, fixture: &fixture::Fixture) {
    use deltalake::arrow::array::{ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray};
    use deltalake::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
    use std::sync::Arc;
    // The table's columns: those of an existing `conflicts` table (an ingest that writes
    // one), else the agreed minimum. Text columns get the conflict's values by name.
    let table = registry.join("tables/conflicts");
    let first_commit = table.join("_delta_log/00000000000000000000.json");
    let columns: Vec<(String, bool)> = match std::fs::read_to_string(&first_commit) {
        Ok(log) => {
            let metadata = log
                .lines()
                .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
                .find_map(|action| action.get("metaData").cloned())
                .unwrap();
            let schema: serde_json::Value = serde_json::from_str(metadata["schemaString"].as_str().unwrap()).unwrap();
            schema["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|field| (field["name"].as_str().unwrap().to_owned(), field["type"] == "timestamp"))
                .collect()
        }
        Err(_) => ["region", "iin", "winner_region", "exported_at", "winner_exported_at"]
            .iter()
            .map(|name| (name.to_string(), name.ends_with("_at")))
            .collect(),
    };
    let stamp = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, is_time)| Field::new(name, if *is_time { stamp.clone() } else { DataType::Utf8 }, false))
        .collect();
    let arrays: Vec<ArrayRef> = columns
        .iter()
        .map(|(name, is_time)| -> ArrayRef {
            if *is_time {
                return Arc::new(TimestampMicrosecondArray::from(vec![0]).with_timezone("UTC"));
            }
            let value = match name.as_str() {
                "region" => "35",
                "iin" => fixture.c[2].as_str(),
                "winner_region" => "10",
                _ => "fixture",
            };
            Arc::new(StringArray::from(vec![value]))
        })
        .collect();
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap();
    std::fs::create_dir_all(&table).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let written = runtime.block_on(async {
        let url = url_of(&table);
        let delta_table = match deltalake::open_table(url.clone()).await {
            Ok(existing) => existing,
            Err(_) => deltalake::DeltaTableBuilder::from_url(url).unwrap().build().unwrap(),
        };
        let written = delta_table
            .write(vec![batch])
            .with_save_mode(deltalake::protocol::SaveMode::Append)
            .with_partition_columns(["region"])
            .await
            .unwrap();
        written.version().unwrap()
    });
    let version_file = registry.join("versions/00000001.json");
    let mut version: serde_json::Value = serde_json::from_slice(&std::fs::read(&version_file).unwrap()).unwrap();
    version["tables"]["conflicts"] = serde_json::json!(written);
    std::fs::write(&version_file, serde_json::to_vec_pretty(&version).unwrap()).unwrap();

    let counts = json(
        registry,
        "SELECT (SELECT count(*) FROM children) AS children, (SELECT count(*) FROM measures) AS measures, \
         (SELECT count(*) FROM achievements) AS achievements, (SELECT count(*) FROM store.children) AS raw_children, \
         (SELECT count(*) FROM conflicts) AS conflicts",
    );
    assert_eq!(
        counts,
        serde_json::json!([{"children": 6, "measures": 8, "achievements": 7, "raw_children": 7, "conflicts": 1}])
    );
}

fn url_of(path: &Path) -> url::Url {
    url::Url::from_directory_path(path).unwrap()
}
