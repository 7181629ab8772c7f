//! `daryn ingest` end to end: generated drops in every shape, the truth file as the
//! expected rejections, the contract's guards, and history.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::daryn;
use chrono::NaiveDate;
use daryn_data::generate::{self, FormatChoice, GenerateOptions};
use daryn_tests::registry_fingerprint;

fn generate_day(out: &Path, date: &str, children: u64, error_rate: f64, seed: u64) -> PathBuf {
    let options = GenerateOptions {
        out: out.to_owned(),
        children,
        seed,
        date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
        error_rate,
        format: FormatChoice::Mixed,
        classifier: None,
    };
    generate::generate(&options).unwrap().folder
}

pub(crate) fn ingest(registry: &Path, extra: &[&str], paths: &[&Path]) -> (i32, String, serde_json::Value) {
    let report = registry.with_extension("report.json");
    // Never the report of an earlier run read as this one's.
    let _ = std::fs::remove_file(&report);
    let mut args = vec!["ingest", "--registry", registry.to_str().unwrap(), "--report", report.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.extend(paths.iter().map(|path| path.to_str().unwrap()));
    let output = daryn(&args);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let code = output.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 1 || code == 2, "{}\n{}", stdout, String::from_utf8_lossy(&output.stderr));
    // A run that ends on bad arguments writes none; one that writes it writes JSON.
    let report = match std::fs::read(&report) {
        Ok(bytes) => serde_json::from_slice(&bytes).expect("the report is JSON"),
        Err(_) => serde_json::Value::Null,
    };
    (code, stdout, report)
}

fn statuses(report: &serde_json::Value) -> BTreeSet<(String, String, String)> {
    report["drops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|drop| {
            let code = drop["refusal"]["code"].as_str().unwrap_or("").to_owned();
            (drop["region"].as_str().unwrap().to_owned(), drop["status"].as_str().unwrap().to_owned(), code)
        })
        .collect()
}

#[test]
fn every_injected_error_comes_back_where_the_truth_file_says() {
    let root = tempfile::tempdir().unwrap();
    let day = generate_day(&root.path().join("drops"), "2026-11-25", 1500, 0.05, 5);
    let registry = root.path().join("registry");
    let (code, stdout, report) = ingest(&registry, &[], &[&day]);
    assert_eq!(code, 2, "published with rejections: {stdout}");
    assert!(stdout.contains("published registry version 1"));
    // The run tells where its time went, stage by stage, in the order they ran.
    let stages: Vec<(&str, f64)> = report["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|stage| (stage["stage"].as_str().unwrap(), stage["seconds"].as_f64().unwrap()))
        .collect();
    let names: Vec<&str> = stages.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, ["tables", "conflicts", "rejections", "index", "publish"]);
    assert!(stages[0].1 > 0.0, "{stages:?}");
    assert!(stdout.lines().any(|line| line.starts_with("took ") && line.contains(", index ")), "{stdout}");

    let key = |value: &serde_json::Value| {
        (
            value["region"].as_str().unwrap().to_owned(),
            value["file"].as_str().unwrap().to_owned(),
            value["sheet"].as_str().map(str::to_owned),
            value["row"].as_u64().unwrap(),
            value["column"].as_str().unwrap().to_owned(),
            value["code"].as_str().unwrap().to_owned(),
        )
    };
    let truth: BTreeSet<_> = std::fs::read_to_string(day.join("truth.jsonl"))
        .unwrap()
        .lines()
        .map(|line| key(&serde_json::from_str(line).unwrap()))
        .collect();
    let found: BTreeSet<_> = report["drops"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|drop| drop["rejections"].as_array().unwrap().iter().map(key))
        .collect();
    let missing: Vec<_> = truth.difference(&found).take(5).collect();
    let unexpected: Vec<_> = found.difference(&truth).take(5).collect();
    assert!(missing.is_empty() && unexpected.is_empty(), "missing {missing:?}\nunexpected {unexpected:?}");
    assert!(truth.len() > 100);

    // Each drop with rejections has its coordinator's file: UTF-8 with BOM, three languages.
    let file = report["drops"].as_array().unwrap().iter().find_map(|drop| drop["rejection_file"].as_str()).unwrap();
    let bytes = std::fs::read(file).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("қазақша") && text.contains("по-русски") && text.contains("in English"));
    // No IIN is shown in full.
    assert!(
        !text
            .lines()
            .skip(1)
            .any(|line| line.split(';').any(|field| field.len() == 12 && field.bytes().all(|b| b.is_ascii_digit())))
    );

    // The published counts are what the generator made, less what was rejected.
    let fingerprint = registry_fingerprint(&registry);
    let again = ingest(&registry, &[], &[&day]);
    assert_eq!(again.0, 0, "an identical re-send is a clean no-op: {}", again.1);
    assert!(again.1.contains("nothing changed; the registry stays at version 1"));
    // Nothing to publish: the run ends after its tables stage.
    assert_eq!(again.2["stages"].as_array().unwrap().len(), 1);
    assert_eq!(again.2["stages"][0]["stage"], "tables");
    assert!(statuses(&again.2).iter().all(|(_, status, _)| status == "unchanged"));
    assert_eq!(registry_fingerprint(&registry), fingerprint);
    // Each unchanged drop tells the counts of the drop its region holds, every table's.
    let counts = |report: &serde_json::Value| -> BTreeSet<String> {
        let tables = ["children", "measures", "achievements", "teachers"];
        report["drops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|drop| format!("{} {:?}", drop["region"], tables.map(|table| drop[table].to_string())))
            .collect()
    };
    assert_eq!(counts(&again.2), counts(&report));
}

#[test]
fn stale_shrinking_and_mismatched_drops_are_refused_and_leave_the_region_alone() {
    let root = tempfile::tempdir().unwrap();
    let drops = root.path().join("drops");
    let first = generate_day(&drops, "2026-11-20", 1000, 0.0, 3);
    let second = generate_day(&drops, "2026-11-21", 1000, 0.0, 4);
    let small = generate_day(&drops, "2026-11-22", 300, 0.0, 6);
    let registry = root.path().join("registry");

    let (code, stdout, _) = ingest(&registry, &[], &[&second]);
    assert_eq!(code, 0, "{stdout}");
    let after_second = registry_fingerprint(&registry);

    // An older export of every region arrives late: refused as stale, nothing published.
    let (code, stdout, report) = ingest(&registry, &[], &[&first]);
    assert_eq!(code, 1, "{stdout}");
    assert!(statuses(&report).iter().all(|(_, status, reason)| status == "refused" && reason == "stale"), "{stdout}");
    // The times are told as the regions read them, in Kazakhstan's time.
    for drop in report["drops"].as_array().unwrap() {
        let reason = drop["refusal"]["reason"].as_str().unwrap();
        assert!(reason.contains("+05:00") && !reason.contains("UTC"), "{reason}");
    }
    // Version 2 records the refusals over version 1's data, and says so.
    assert!(
        stdout.contains("no drop was published; registry version 2 records the refusals, with the data of version 1"),
        "{stdout}"
    );
    assert_eq!(
        registry_fingerprint(&registry).lines().skip(1).collect::<Vec<_>>(),
        after_second.lines().skip(1).collect::<Vec<_>>()
    );

    // A much smaller export would remove most children: refused, except where allowed.
    let (code, stdout, report) = ingest(&registry, &["--allow-shrink", "61"], &[&small]);
    assert_eq!(code, 2, "{stdout}");
    for (region, status, reason) in statuses(&report) {
        if region == "61" {
            assert_eq!(status, "published");
        } else {
            assert_eq!((status.as_str(), reason.as_str()), ("refused", "shrink"), "region {region}");
        }
    }

    // A manifest that disagrees with its files refuses the drop.
    let tampered_day = drops.join("2026-11-23");
    let region_folder = std::fs::read_dir(&small)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.join("manifest.json").exists() && path.join("children.csv").exists())
        .expect("a CSV region with a manifest");
    let target = tampered_day.join(region_folder.file_name().unwrap());
    std::fs::create_dir_all(&target).unwrap();
    for entry in std::fs::read_dir(&region_folder).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, target.join(path.file_name().unwrap())).unwrap();
    }
    let manifest = std::fs::read_to_string(target.join("manifest.json")).unwrap().replace("2026-11-21T", "2026-11-22T");
    std::fs::write(target.join("manifest.json"), manifest).unwrap();
    let children = std::fs::read(target.join("children.csv")).unwrap();
    std::fs::write(target.join("children.csv"), &children[..children.len() - 10]).unwrap();
    let (code, stdout, report) = ingest(&registry, &["--allow-shrink", "61"], &[&target]);
    assert_eq!(code, 1, "{stdout}");
    let (_, status, reason) = statuses(&report).into_iter().next().unwrap();
    assert_eq!((status.as_str(), reason.as_str()), ("refused", "manifest_mismatch"));
    // So is one whose file was damaged past reading: the checksum tells the coordinator
    // what happened, rather than the file's shape.
    std::fs::write(target.join("children.csv"), b"\x00\x01 damaged\n").unwrap();
    let (code, stdout, report) = ingest(&registry, &["--allow-shrink", "61"], &[&target]);
    assert_eq!(code, 1, "{stdout}");
    let (_, status, reason) = statuses(&report).into_iter().next().unwrap();
    assert_eq!((status.as_str(), reason.as_str()), ("refused", "manifest_mismatch"), "{stdout}");
    assert!(stdout.contains("cannot be read"), "{stdout}");
}

#[test]
fn a_drop_with_most_children_rejected_is_refused_whole() {
    let root = tempfile::tempdir().unwrap();
    let folder = root.path().join("2026-11-25").join("35");
    std::fs::create_dir_all(&folder).unwrap();
    // Three children, two of them broken (a bad IIN, a grade of 99): two thirds rejected.
    // The good one has a discipline to warn about.
    let row = |iin: &str, grade: &str| {
        format!(
            "{iin};Әлиева;Аружан;05.01.2010;351600000;ауыл;S1;Мектеп;{grade};жоқ;жоқ;science;math, Кубизм;2022-09-01;olympiad;К. А."
        )
    };
    // 100105600010 is valid (see the registry's rule tests); 100105600011 is not.
    let text =
        [CHILDREN_HEADER.to_owned(), row("100105600010", "9"), row("100105600011", "9"), row("090807500016", "99")]
            .join("\n");
    std::fs::write(folder.join("children.csv"), text).unwrap();
    let registry = root.path().join("registry");
    let (code, stdout, report) = ingest(&registry, &[], &[&folder]);
    assert_eq!(code, 1, "{stdout}");
    let drop = &report["drops"][0];
    assert_eq!(drop["refusal"]["code"], "too_many_rejected");
    assert_eq!(drop["children"]["rejected"], 2);
    assert_eq!(drop["rejections"].as_array().unwrap().len(), 2);
    // Nothing of the drop is accepted, so no row is "accepted with a warning".
    assert_eq!(drop["warnings"], 1);
    assert!(drop["warned"].as_array().unwrap().is_empty(), "{drop}");
    assert!(!registry.join("reports/00000001/35-warnings.csv").exists());
    assert!(!stdout.contains("warnings for region"), "{stdout}");
}

#[test]
fn warned_rows_are_told_to_the_coordinator_and_no_message_shows_an_iin() {
    let scene = scene(7);
    let folder = scene.drops.join("2026-11-25").join("35");
    std::fs::create_dir_all(&folder).unwrap();
    let row = |iin: &str, grade: &str, disciplines: &str| {
        format!(
            "{iin};Әлиева;Аружан;05.01.2010;351600000;ауыл;S1;Мектеп;{grade};жоқ;жоқ;science;{disciplines};2022-09-01;olympiad;К. А."
        )
    };
    let iins = &scene.iins;
    // Line 4 is empty: a spreadsheet shows it as row 4, so the row below it is row 5.
    // That row's grade is another child's IIN, as when a column is shifted by one.
    let lines = [
        CHILDREN_HEADER.to_owned(),
        row(&iins[0], "9", "math"),
        row(&iins[1], "9", "math, Кубизм"),
        String::new(),
        row(&iins[2], &iins[6], "math"),
        row(&iins[3], "9", "math"),
        row(&iins[4], "9", "math"),
        row(&iins[5], "9", "math"),
    ];
    std::fs::write(folder.join("children.csv"), lines.join("\n")).unwrap();
    let (code, stdout, report) = ingest(&scene.registry, &[], &[&folder]);
    // One of six children rejected: published, with rejections.
    assert_eq!(code, 2, "{stdout}{}", report["drops"][0]["rejections"]);
    let drop = &report["drops"][0];
    assert_eq!(drop["status"], "published");
    let warned = drop["warned"].as_array().unwrap();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert_eq!((warned[0]["row"].as_u64(), warned[0]["column"].as_str()), (Some(3), Some("disciplines")));
    assert_eq!((warned[0]["value"].as_str(), warned[0]["code"].as_str()), (Some("Кубизм"), Some("discipline_unknown")));
    let rejection = &drop["rejections"][0];
    assert_eq!((rejection["row"].as_u64(), rejection["code"].as_str()), (Some(5), Some("grade_out_of_range")));
    let warnings_file = scene.registry.join("reports/00000001/35-warnings.csv");
    assert!(
        stdout.contains(&format!("warnings for region 35 (rows accepted): {}", warnings_file.display())),
        "{stdout}"
    );
    let warnings = std::fs::read_to_string(&warnings_file).unwrap();
    assert!(warnings.contains("Кубизм") && warnings.contains("discipline_unknown"), "{warnings}");
    // The shifted IIN is masked in the value and in the message, in the report and in the
    // coordinator's file.
    let rejections = std::fs::read_to_string(scene.registry.join("reports/00000001/35-rejections.csv")).unwrap();
    for text in [rejections, drop.to_string()] {
        let longest_number = text.split(|ch: char| !ch.is_ascii_digit()).map(str::len).max().unwrap_or(0);
        assert!(longest_number < 12, "a number of {longest_number} digits:\n{text}");
    }
}

/// A value that Excel would run as a formula (a grade typed `=2+3`, text beginning with
/// `@`) reaches the coordinator's file and a CSV export with a leading `'`, shown and not
/// run; a negative number is left as it is.
#[test]
fn formulas_from_a_drop_are_not_run_by_the_spreadsheet_that_opens_them() {
    let scene = scene(6);
    let folder = scene.drops.join("2026-11-25").join("35");
    std::fs::create_dir_all(&folder).unwrap();
    let mut lines = vec![CHILDREN_HEADER.to_owned()];
    for (number, iin) in scene.iins.iter().enumerate() {
        let (school, grade) = match number {
            0 => ("Мектеп", "=2+3"),
            1 => ("@Мектеп", "9"),
            _ => ("Мектеп", "9"),
        };
        lines.push(format!(
            "{iin};Әлиева;Аружан;05.01.2010;351600000;ауыл;S1;{school};{grade};жоқ;жоқ;science;math;2022-09-01;olympiad;К. А."
        ));
    }
    // The grade's header in Kazakh, as the template writes it: the coordinator's file
    // names the column so, with the form's name beside it.
    lines[0] = lines[0].replace(";grade;", ";Сынып;");
    std::fs::write(folder.join("children.csv"), lines.join("\n")).unwrap();
    let (code, stdout, _) = ingest(&scene.registry, &[], &[&folder]);
    assert_eq!(code, 2, "{stdout}");
    let rejections = std::fs::read_to_string(scene.registry.join("reports/00000001/35-rejections.csv")).unwrap();
    assert!(rejections.contains(";Сынып (grade);'=2+3;"), "{rejections}");
    assert!(!rejections.contains(";=2+3"), "{rejections}");

    let registry = scene.registry.to_str().unwrap();
    let sql = "SELECT DISTINCT school_name, -5 AS n, '-x' AS t FROM children ORDER BY school_name";
    let output = daryn(&["sql", "--registry", registry, "--format", "csv", sql]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let csv = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines, ["school_name,n,t", "'@Мектеп,-5,'-x", "Мектеп,-5,'-x"], "{csv}");
}

/// IINs typed every way the privacy review found, where no rule expects them: in other
/// columns (as Excel groups a number, with `+`, in full-width digits), cut in two in the
/// IIN column, as a header, as a file's name, as a manifest's value. Nothing the run
/// tells (terminal, a debug log, `--report`, the coordinators' files, the `rejections`
/// and `drops` tables) shows one whole.
#[test]
fn an_iin_typed_anyhow_anywhere_is_never_shown_whole() {
    // Three of fifteen children rejected: 20 %, published.
    let scene = scene(19);
    let (children, planted) = scene.iins.split_at(15);
    let grouped = |iin: &str| format!("{},{},{},{}", &iin[..3], &iin[3..6], &iin[6..9], &iin[9..]);
    let wide =
        |iin: &str| iin.chars().map(|ch| char::from_u32(ch as u32 - '0' as u32 + 0xFF10).unwrap()).collect::<String>();
    let typed = [
        grouped(&planted[0]),
        format!("{}+{}", &planted[1][..6], &planted[1][6..]),
        wide(&planted[2]),
        format!("{};{}", &children[14][..6], &children[14][6..]),
    ];
    let folder = scene.drops.join("2026-11-25").join("35");
    std::fs::create_dir_all(&folder).unwrap();
    let mut lines = vec![format!("{CHILDREN_HEADER};{}", planted[3])];
    for (number, iin) in children.iter().enumerate() {
        let (iin, birth, grade, disciplines) = match number {
            0 => (iin.clone(), typed[0].clone(), "9".to_owned(), "math".to_owned()),
            1 => (iin.clone(), "05.01.2010".to_owned(), typed[1].clone(), "math".to_owned()),
            2 => (iin.clone(), "05.01.2010".to_owned(), "9".to_owned(), format!("math, {}", typed[2])),
            14 => (typed[3].clone(), "05.01.2010".to_owned(), "9".to_owned(), "math".to_owned()),
            _ => (iin.clone(), "05.01.2010".to_owned(), "9".to_owned(), "math".to_owned()),
        };
        lines.push(format!(
            "{iin};Әлиева;Аружан;{birth};351600000;ауыл;S1;Мектеп;{grade};жоқ;жоқ;science;{disciplines};2022-09-01;olympiad;К. А.;x"
        ));
    }
    std::fs::write(folder.join("children.csv"), lines.join("\n")).unwrap();
    std::fs::write(folder.join(format!("{}.txt", planted[3])), "notes").unwrap();
    // Another region's manifest names an IIN, typed with a space, where its region goes.
    let other = scene.drops.join("2026-11-25").join("47");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("children.csv"), format!("{CHILDREN_HEADER}\n")).unwrap();
    let spaced = format!("{} {}", &planted[3][..6], &planted[3][6..]);
    let manifest = format!(r#"{{"region": "{spaced}", "exported_at": "2026-11-25T00:00:00+05:00", "files": {{}}}}"#);
    std::fs::write(other.join("manifest.json"), manifest).unwrap();

    let report = scene.root.path().join("report.json");
    let output = std::process::Command::new(crate::binary())
        .args(["ingest", "--registry", scene.registry.to_str().unwrap(), "--report", report.to_str().unwrap()])
        .args([folder.to_str().unwrap(), other.to_str().unwrap()])
        .env("DARYN_LOG", "debug")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
    let mut told = vec![
        ("stdout".to_owned(), String::from_utf8_lossy(&output.stdout).into_owned()),
        ("the log".to_owned(), String::from_utf8_lossy(&output.stderr).into_owned()),
        ("--report".to_owned(), std::fs::read_to_string(&report).unwrap()),
        ("rejections".to_owned(), sql_lines(&scene.registry, None, "SELECT * FROM rejections").join("\n")),
        ("drops".to_owned(), sql_lines(&scene.registry, None, "SELECT * FROM drops").join("\n")),
    ];
    for entry in std::fs::read_dir(scene.registry.join("reports/00000001")).unwrap() {
        let path = entry.unwrap().path();
        told.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
    }
    // What was planted was read: the rows are rejected or warned, the header and the
    // manifest's region are told.
    let all: String = told.iter().map(|(_, text)| text.as_str()).collect();
    for expected in ["birth_date", "int_invalid", "discipline_unknown", "iin_format", "manifest_invalid"] {
        assert!(all.contains(expected), "{expected} is not told");
    }
    for (channel, text) in &told {
        let typed = typed.iter().chain([&spaced]).map(String::as_str);
        for secret in planted.iter().chain([&children[14]]).map(String::as_str).chain(typed) {
            assert!(!text.contains(secret), "{channel} shows `{secret}`:\n{text}");
        }
    }
}

#[test]
fn the_export_day_is_kazakhstans_and_an_export_ahead_of_the_run_is_refused() {
    let scene = scene(3);
    let write_drop = |date: &str, region: &str, iin: &str, identified_on: &str, exported_at: &str| {
        let folder = scene.drops.join(date).join(region);
        std::fs::create_dir_all(&folder).unwrap();
        let row = format!(
            "{iin};Әлиева;Аружан;05.01.2010;{region}1600000;ауыл;S1;Мектеп;9;жоқ;жоқ;science;math;{identified_on};olympiad;К. А."
        );
        std::fs::write(folder.join("children.csv"), format!("{CHILDREN_HEADER}\n{row}\n")).unwrap();
        let manifest = format!(r#"{{"region": "{region}", "exported_at": "{exported_at}", "files": {{}}}}"#);
        std::fs::write(folder.join("manifest.json"), manifest).unwrap();
        folder
    };
    // 20:30 UTC on the 24th is 01:30 on the 25th in Kazakhstan: a child identified on
    // the 25th is not identified in the future.
    let kazakh_day = write_drop("2026-11-25", "35", &scene.iins[0], "2026-11-25", "2026-11-24T20:30:00Z");
    // A month too far: refused, or every correct drop after it would be stale.
    let ahead = write_drop("2026-11-25", "47", &scene.iins[1], "2022-09-01", "2099-12-24T21:48:00+05:00");
    // A year mistyped in the manifest: the child, born in 2010, is 4 on that day.
    let mistyped = write_drop("2026-11-25", "55", &scene.iins[2], "2013-09-01", "2014-11-24T23:10:00+05:00");
    let (code, stdout, report) = ingest(&scene.registry, &[], &[&kazakh_day, &ahead, &mistyped]);
    assert_eq!(code, 2, "{stdout}");
    let refused = report["drops"].as_array().unwrap().iter().find(|drop| drop["region"] == "55").unwrap();
    assert_eq!(refused["refusal"]["code"], "too_many_rejected");
    let reason = refused["refusal"]["reason"].as_str().unwrap();
    assert!(
        reason.ends_with(
            "1 of them for the child's age or a date after the export date, 24.11.2014: is the export time right?"
        ),
        "{reason}"
    );
    let statuses = statuses(&report);
    assert!(statuses.contains(&("35".to_owned(), "published".to_owned(), String::new())), "{statuses:?}");
    assert!(
        statuses.contains(&("47".to_owned(), "refused".to_owned(), "exported_in_future".to_owned())),
        "{statuses:?}"
    );
    assert_eq!(report["drops"][0]["children"]["rejected"], 0, "{}", report["drops"][0]);
}

#[test]
fn of_two_drops_exported_at_one_time_the_later_folders_applies() {
    let scene = scene(2);
    // The same export time, written without a zone (Kazakhstan time), in yesterday's
    // folder with one child and today's with two; given in that order, as cron would.
    let yesterday = hand_made_drop(&scene.drops, "2026-11-24", "35", &scene.iins[..1]);
    let today = hand_made_drop(&scene.drops, "2026-11-25", "35", &scene.iins);
    for folder in [&yesterday, &today] {
        let manifest = r#"{"region": "35", "exported_at": "2026-11-24 23:10", "files": {}}"#;
        std::fs::write(folder.join("manifest.json"), manifest).unwrap();
    }
    let (code, stdout, report) = ingest(&scene.registry, &[], &[&yesterday, &today]);
    assert_eq!(code, 2, "{stdout}");
    let drops = report["drops"].as_array().unwrap();
    let published: Vec<_> = drops.iter().filter(|drop| drop["status"] == "published").collect();
    assert_eq!(published.len(), 1, "{drops:?}");
    assert!(published[0]["folder"].as_str().unwrap().contains("2026-11-25"), "{drops:?}");
    // 23:10 at +05:00 is 18:10 UTC.
    assert_eq!(published[0]["exported_at"], "2026-11-24T18:10:00Z");
    assert_eq!(sql_lines(&scene.registry, None, "SELECT count(*) FROM children"), ["2"]);
    let stale: Vec<_> = drops.iter().filter(|drop| drop["refusal"]["code"] == "stale").collect();
    assert_eq!(stale.len(), 1, "{drops:?}");
}

#[test]
fn a_table_file_the_run_cannot_read_refuses_the_drop_rather_than_empty_the_table() {
    let scene = scene(2);
    let first = hand_made_drop(&scene.drops, "2026-11-18", "35", &scene.iins);
    let measure = format!("{};mentoring;Ментор;2026-09-01;2026-12-01;planned", scene.iins[0]);
    std::fs::write(first.join("measures.csv"), format!("{MEASURES_HEADER}\n{measure}\n")).unwrap();
    let (code, stdout, _) = ingest(&scene.registry, &[], &[&first]);
    assert_eq!(code, 0, "{stdout}");
    let refusal = |day: &str, spoil: &dyn Fn(&Path)| {
        let folder = hand_made_drop(&scene.drops, day, "35", &scene.iins);
        spoil(&folder);
        let (code, stdout, report) = ingest(&scene.registry, &[], &[&folder]);
        assert_eq!(code, 1, "{stdout}");
        let refusal = &report["drops"][0]["refusal"];
        (refusal["code"].as_str().unwrap().to_owned(), refusal["reason"].as_str().unwrap().to_owned())
    };
    // A link to nothing, and a pipe (which a reader would wait on for ever), named for
    // the measures: each was read as no measures, and the region's were emptied.
    let (code, reason) = refusal("2026-11-19", &|folder| {
        std::os::unix::fs::symlink("/nonexistent/x", folder.join("measures.csv")).unwrap()
    });
    assert_eq!(code, "table_unreadable");
    assert!(reason.contains("measures.csv") && reason.contains("not a file"), "{reason}");
    let (code, reason) = refusal("2026-11-20", &|folder| {
        let made = std::process::Command::new("mkfifo").arg(folder.join("measures.csv")).status().unwrap();
        assert!(made.success());
    });
    assert_eq!(code, "table_unreadable", "{reason}");
    // A second download, as a browser names it.
    let (code, reason) = refusal("2026-11-21", &|folder| {
        std::fs::write(folder.join("measures (1).csv"), format!("{MEASURES_HEADER}\n")).unwrap()
    });
    assert_eq!(code, "table_missing");
    assert!(reason.contains("`measures (1).csv`") && reason.contains("`Іс-шаралар.csv`"), "{reason}");
    // Names an archive from Windows leaves, in cp1251: a note beside the tables is passed
    // over; the measures table so named refuses the drop.
    use std::os::unix::ffi::OsStrExt;
    let cp1251 = |bytes: &[u8]| std::ffi::OsStr::from_bytes(bytes).to_owned();
    let note = hand_made_drop(&scene.drops, "2026-11-22", "35", &scene.iins);
    std::fs::copy(first.join("measures.csv"), note.join("measures.csv")).unwrap();
    std::fs::write(note.join(cp1251(b"\xc7\xe0\xef\xe8\xf1\xea\xe0.txt")), "ескертпе").unwrap();
    assert_eq!(ingest(&scene.registry, &[], &[&note]).0, 0);
    let (code, reason) = refusal("2026-11-23", &|folder| {
        let name = cp1251(b"\xb2\xf1-\xf8\xe0\xf0\xe0\xeb\xe0\xf0.csv");
        std::fs::copy(first.join("measures.csv"), folder.join(name)).unwrap();
    });
    assert_eq!(code, "table_unreadable");
    assert!(reason.contains("it reads `Іс-шаралар.csv`"), "{reason}");
    // A copy beside the table it copies (`Дети (копия).csv`) is passed over, as in UTF-8.
    let copy = hand_made_drop(&scene.drops, "2026-11-24", "35", &scene.iins);
    std::fs::copy(first.join("measures.csv"), copy.join("measures.csv")).unwrap();
    std::fs::copy(copy.join("children.csv"), copy.join(cp1251(b"\xc4\xe5\xf2\xe8 (\xea\xee\xef\xe8\xff).csv")))
        .unwrap();
    assert_eq!(ingest(&scene.registry, &[], &[&copy]).0, 0);
    assert_eq!(sql_lines(&scene.registry, None, "SELECT count(*) FROM measures"), ["1"]);
    // A folder holding only what is hidden (a repository, a home folder's dot files) is
    // someone's, and no registry is made in it.
    let home = scene.root.path().join("home");
    std::fs::create_dir_all(home.join(".git")).unwrap();
    let output = daryn(&["ingest", "--registry", home.to_str().unwrap(), first.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("holds `.git` and is not a Daryn registry"), "{stderr}");
    assert!(!home.join("CURRENT").exists() && !home.join("versions").exists());
}

#[test]
fn a_damaged_index_is_built_whole_and_a_lost_key_is_asked_for() {
    let scene = scene(5);
    let iins = |which: &[usize]| which.iter().map(|&at| scene.iins[at].clone()).collect::<Vec<_>>();
    let first = hand_made_drop(&scene.drops, "2026-11-24", "35", &iins(&[0, 1]));
    let other = hand_made_drop(&scene.drops, "2026-11-24", "47", &iins(&[2]));
    assert_eq!(ingest(&scene.registry, &[], &[&first, &other]).0, 0);
    let keys_before = searched_regions(&scene.registry);
    assert_eq!(keys_before.len(), 3);
    // A segment file of the current generation lost: every run built on it failed until
    // someone ran `daryn reindex`.
    let generation = std::fs::read_dir(scene.registry.join("index"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.is_dir())
        .unwrap();
    let segment = std::fs::read_dir(&generation)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|extension| extension == "idx"))
        .unwrap();
    std::fs::remove_file(segment).unwrap();
    let second = hand_made_drop(&scene.drops, "2026-11-25", "35", &iins(&[0, 1, 3]));
    let (code, stdout, _) = ingest(&scene.registry, &[], &[&second]);
    assert_eq!(code, 0, "{stdout}");
    let keys_second = searched_regions(&scene.registry);
    assert_eq!(keys_second.len(), 4);
    assert!(keys_before.iter().all(|key| keys_second.contains(key)), "{keys_second:?}");
    // The key the children's keys are made with, lost: a run building on the index would
    // have keyed region 35 anew beside region 47's old keys.
    std::fs::remove_file(scene.registry.join("keys/child-key")).unwrap();
    let third = hand_made_drop(&scene.drops, "2026-11-26", "35", &iins(&[0, 1, 3, 4]));
    let output = daryn(&["ingest", "--registry", scene.registry.to_str().unwrap(), third.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("restore it from the registry's backup"), "{stderr}");
    assert_eq!(searched_regions(&scene.registry), keys_second);
    // `check` tells the lost key as the registry's, with both ways out, and version 1's
    // index, damaged above, as version 1's.
    let check = || daryn(&["check", "--registry", scene.registry.to_str().unwrap()]);
    let output = check();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[0].starts_with("version 1: ") && lines[0].contains("index/1"), "{stdout}");
    assert!(lines[1].starts_with("the registry: ") && lines[1].contains("restore it from the registry's backup"));
    // `daryn reindex` keys every child anew, all with one key.
    let reindexed = daryn(&["reindex", "--registry", scene.registry.to_str().unwrap()]);
    assert!(reindexed.status.success(), "{}", String::from_utf8_lossy(&reindexed.stderr));
    let output = check();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("version 1: ") && !stdout.contains("the registry: "), "{stdout}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("--keep 2` removes the damaged older ones"));
    let keys_after = searched_regions(&scene.registry);
    assert_eq!(keys_after.len(), 4);
    assert!(keys_after.iter().all(|key| !keys_second.contains(key)), "{keys_after:?}");
}

#[test]
fn a_broken_element_of_a_jsonl_line_is_named_in_the_rejection() {
    let scene = scene(1);
    let folder = scene.drops.join("2026-11-25").join("35");
    std::fs::create_dir_all(&folder).unwrap();
    let child = format!(
        r#"{{"iin":"{}","last_name":"Әлиева","first_name":"Аружан","birth_date":"2010-01-05","district":"351600000","area_type":"rural","school_code":"S1","school_name":"Мектеп","grade":9,"large_family":false,"low_income":false,"talent_domains":["science"],"disciplines":["math"],"identified_on":"2022-09-01","identification_method":"olympiad","coordinator":"К. А.","measures":[5]}}"#,
        scene.iins[0]
    );
    std::fs::write(folder.join("roadmap.jsonl"), child + "\n").unwrap();
    let (code, stdout, report) = ingest(&scene.registry, &[], &[&folder]);
    assert_eq!(code, 2, "{stdout}");
    let rejection = &report["drops"][0]["rejections"][0];
    assert_eq!(rejection["code"], "row_unreadable", "{rejection}");
    assert_eq!((rejection["row"].as_u64(), rejection["column"].as_str()), (Some(1), Some("measures[0]")));
    assert_eq!(report["drops"][0]["children"]["accepted"], 1);
}

#[test]
fn a_cron_log_has_daryns_lines_in_plain_text_and_no_iin() {
    let root = tempfile::tempdir().unwrap();
    let folder = generate_day(root.path(), "2026-11-25", 60, 0.05, 11);
    let registry = root.path().join("registry");
    let args = ["ingest", "--registry", registry.to_str().unwrap(), folder.to_str().unwrap()];
    // Standard error is a pipe here, as in a cron job.
    let output = crate::spawn_daryn(&args, &[("DARYN_LOG", "info")]).wait_with_output().unwrap();
    let log = String::from_utf8(output.stderr).unwrap();
    assert!(matches!(output.status.code(), Some(0 | 2)), "{log}");
    assert!(!log.contains('\u{1b}'), "colour codes in a log that is not a terminal:\n{log}");
    let lines: Vec<&str> = log.lines().filter(|line| !line.trim().is_empty()).collect();
    // `TIME LEVEL [span{fields}: ]target: message fields`; a bare level shows daryn's own
    // information only (the libraries' warnings would still be shown).
    let info: Vec<&&str> = lines.iter().filter(|line| line.contains(" INFO ")).collect();
    for line in &info {
        let after_level = line.split_once(" INFO ").map(|(_, rest)| rest).unwrap_or_default();
        let after_spans = after_level.rsplit_once("}: ").map_or(after_level, |(_, rest)| rest);
        let target = after_spans.split(": ").next().unwrap_or_default();
        assert!(target.starts_with("daryn"), "an information line from outside daryn: {line}");
    }
    // The generator writes a drop for each of the 20 regions.
    assert_eq!(info.iter().filter(|line| line.contains("reading drop")).count(), 20, "{log}");
    assert!(info.iter().any(|line| line.contains("search index built")), "{log}");
    // An IIN is twelve digits; nothing in a log line is that long a number.
    let longest_number = log.split(|ch: char| !ch.is_ascii_digit()).map(str::len).max().unwrap_or(0);
    assert!(longest_number < 12, "a number of {longest_number} digits in the log:\n{log}");
}

/// Writes a one-table drop of `region` dated `date` (no manifest: the export time is the
/// date at 00:00 +05:00) holding a valid child per IIN.
/// The header of the hand-made `children.csv` files: the form's required columns.
const MEASURES_HEADER: &str = "iin;measure_type;title;planned_start;planned_end;status";

const CHILDREN_HEADER: &str = "iin;last_name;first_name;birth_date;district;area_type;school_code;school_name;grade;large_family;low_income;talent_domains;disciplines;identified_on;identification_method;coordinator";

pub(crate) fn hand_made_drop(root: &Path, date: &str, region: &str, iins: &[String]) -> PathBuf {
    let folder = root.join(date).join(region);
    std::fs::create_dir_all(&folder).unwrap();
    let mut lines = vec![CHILDREN_HEADER.to_owned()];
    for iin in iins {
        lines.push(format!(
            "{iin};Әлиева;Аружан;05.01.2010;{region}1600000;ауыл;S1;Мектеп;9;жоқ;жоқ;science;math;2022-09-01;olympiad;К. А."
        ));
    }
    std::fs::write(folder.join("children.csv"), lines.join("\n")).unwrap();
    folder
}

/// Gives a drop of region 35 made by [`hand_made_drop`] a manifest: its export time, and
/// its `children.csv` with the checksum of its bytes and `rows` (right or not).
fn children_manifest(folder: &Path, exported_at: &str, rows: usize) {
    let sha256 = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(std::fs::read(folder.join("children.csv")).unwrap()))
    };
    let listed = format!(r#"{{"children.csv": {{"rows": {rows}, "sha256": "{sha256}"}}}}"#);
    let manifest = format!(r#"{{"region": "35", "exported_at": "{exported_at}", "files": {listed}}}"#);
    std::fs::write(folder.join("manifest.json"), manifest).unwrap();
}

/// Valid IINs of girls born on 2010-01-05, as in the drop above.
pub(crate) fn girls_iins(count: u16) -> Vec<String> {
    let born = NaiveDate::from_ymd_opt(2010, 1, 5).unwrap();
    (1..)
        .filter_map(|serial| daryn_registry::Iin::compose(born, daryn_registry::enums::Sex::Female, serial))
        .take(count as usize)
        .map(|iin| iin.as_string())
        .collect()
}

/// A temporary folder for a test of hand-made drops: `drops/` to write them in,
/// `registry/`, and `count` valid IINs ([`girls_iins`]).
struct Scene {
    root: tempfile::TempDir,
    drops: PathBuf,
    registry: PathBuf,
    iins: Vec<String>,
}

fn scene(count: u16) -> Scene {
    let root = tempfile::tempdir().unwrap();
    let (drops, registry) = (root.path().join("drops"), root.path().join("registry"));
    Scene { root, drops, registry, iins: girls_iins(count) }
}

/// `daryn sql` in CSV at a version (the current one for `None`): the lines after the
/// header.
fn sql_lines(registry: &Path, as_of: Option<&str>, query: &str) -> Vec<String> {
    let mut args = vec!["sql", "--registry", registry.to_str().unwrap(), "--format", "csv"];
    args.extend(as_of.map(|version| ["--as-of", version]).into_iter().flatten());
    args.push(query);
    let output = daryn(&args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().lines().skip(1).map(str::to_owned).collect()
}

/// The region of each child document `daryn search` finds by the name every child of
/// [`hand_made_drop`] has, by child_key: one entry per document.
fn searched_regions(registry: &Path) -> Vec<(String, String)> {
    let output =
        daryn(&["search", "--registry", registry.to_str().unwrap(), "--format", "json", "--limit", "50", "Аружан"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let results: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut regions: Vec<(String, String)> = results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| {
            let key = hit["child_key"].as_str().unwrap().to_owned();
            (key, hit["fields"]["region"].as_str().unwrap().to_owned())
        })
        .collect();
    regions.sort();
    regions
}

fn store_state(registry: &Path) -> (BTreeSet<(String, String)>, BTreeSet<String>) {
    let store = daryn_registry::store::Store::open(registry, false).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let version = store.current().unwrap().unwrap();
        let losers = store.conflict_losers(&version).await.unwrap().into_iter().collect();
        let karaganda = store.region_iins(&version, "35").await.unwrap().into_iter().collect();
        (losers, karaganda)
    })
}

#[test]
fn an_iin_in_two_regions_goes_to_the_newer_export_and_both_are_told() {
    let root = tempfile::tempdir().unwrap();
    let drops = root.path().join("drops");
    let iins = girls_iins(6);
    let (shared, karaganda_only, mangystau_only) = (&iins[0], &iins[1..4], &iins[4..6]);
    let karaganda: Vec<String> = std::iter::once(shared.clone()).chain(karaganda_only.iter().cloned()).collect();
    let mangystau: Vec<String> = std::iter::once(shared.clone()).chain(mangystau_only.iter().cloned()).collect();
    // Karaganda (35) exported on the 24th, Mangystau (47) on the 25th: Mangystau keeps the child.
    let older = hand_made_drop(&drops, "2026-11-24", "35", &karaganda);
    let newer = hand_made_drop(&drops, "2026-11-25", "47", &mangystau);
    let registry = root.path().join("registry");
    let (code, stdout, report) = ingest(&registry, &[], &[&older, &newer]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("1 IIN(s) held by two regions"), "{stdout}");
    let conflicts = report["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!((conflicts[0]["region"].as_str(), conflicts[0]["winner_region"].as_str()), (Some("35"), Some("47")));
    assert_ne!(conflicts[0]["iin"].as_str(), Some(shared.as_str()), "the report masks the IIN");

    let (losers, held) = store_state(&registry);
    assert_eq!(losers, BTreeSet::from([("35".to_owned(), shared.clone())]));
    assert_eq!(held, karaganda_only.iter().cloned().collect(), "Karaganda's children after the duplicate rule");
    // An outside reader following the README finds 7 rows stored (Karaganda's 4 and
    // Mangystau's 3) and counts 6 children, as daryn does: less the one given way.
    let script = daryn_tests::workspace_root().join("tests/outside/read_registry.py");
    let output = std::process::Command::new("python3").arg(&script).arg(&registry).output().expect("python3 runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let seen: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!((seen["children"]["duckdb"].as_u64(), seen["children"]["current"].as_u64()), (Some(7), Some(6)));
    assert_eq!(sql_lines(&registry, None, "SELECT count(*) FROM children"), ["6"]);
    // Both coordinators are told, each from their side.
    let folder = registry.join("reports").join("00000001");
    let loser = std::fs::read_to_string(folder.join("35-conflicts.csv")).unwrap();
    let winner = std::fs::read_to_string(folder.join("47-conflicts.csv")).unwrap();
    assert!(loser.contains("47") && loser.contains("the registry counts the child there"), "{loser}");
    assert!(winner.contains("35") && winner.contains("so we keep the child"), "{winner}");
    // The exports' times in Kazakhstan's, as everywhere else a coordinator reads them:
    // drops without a manifest are exported at their folder's date, 00:00 +05:00.
    assert!(loser.contains("2026-11-24T00:00:00+05:00;2026-11-25T00:00:00+05:00"), "{loser}");
    assert!(winner.contains("2026-11-25T00:00:00+05:00;2026-11-24T00:00:00+05:00"), "{winner}");
    // Search has the child once, where the registry counts it: Karaganda's document of
    // the child is left out with the rest of the conflict's losing side.
    let keyer = daryn_registry::search::key::ChildKeyer::load_or_create(&registry).unwrap();
    let shared_key = keyer.child_key(shared);
    let found = searched_regions(&registry);
    assert_eq!(found.len(), 6, "six children, each once: {found:?}");
    assert_eq!(
        found.iter().filter(|(key, _)| *key == shared_key).collect::<Vec<_>>(),
        [&(shared_key.clone(), "47".to_owned())]
    );

    // Karaganda sends the very same data again, exported on the 26th: none of its data
    // changes, but its export is now the newer one, so the child is counted there.
    let resent = hand_made_drop(&drops, "2026-11-26", "35", &karaganda);
    let (code, stdout, report) = ingest(&registry, &[], &[&resent]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(statuses(&report), [("35".to_owned(), "unchanged".to_owned(), String::new())].into());
    let conflicts = report["conflicts"].as_array().unwrap();
    assert_eq!((conflicts[0]["region"].as_str(), conflicts[0]["winner_region"].as_str()), (Some("47"), Some("35")));
    let (losers, held) = store_state(&registry);
    assert_eq!(losers, BTreeSet::from([("47".to_owned(), shared.clone())]));
    assert_eq!(held, karaganda.iter().cloned().collect());
    let found = searched_regions(&registry);
    assert_eq!(
        found.iter().filter(|(key, _)| *key == shared_key).collect::<Vec<_>>(),
        [&(shared_key.clone(), "35".to_owned())]
    );

    // Mangystau's next export, of the 27th, no longer has the child: the conflict ends,
    // and Karaganda keeps it.
    let without = hand_made_drop(&drops, "2026-11-27", "47", mangystau_only);
    let (code, stdout, report) = ingest(&registry, &["--allow-shrink", "47"], &[&without]);
    assert_eq!(code, 0, "{stdout}");
    assert!(report["conflicts"].as_array().unwrap().is_empty());
    let (losers, held) = store_state(&registry);
    assert!(losers.is_empty());
    assert_eq!(held, karaganda.iter().cloned().collect());
    // The child is found in Karaganda, and only there.
    let found = searched_regions(&registry);
    assert_eq!(found.len(), 6, "{found:?}");
    assert_eq!(
        found.iter().filter(|(key, _)| *key == shared_key).collect::<Vec<_>>(),
        [&(shared_key, "35".to_owned())]
    );
}

/// An identical re-send changes no data. Exported later than the drop the region holds,
/// it is recorded as the region's export, so a changed export older than it, arriving
/// late, is stale; sent again beside a newer drop, it is a no-op, not a refusal. Ahead of
/// the run, or against its manifest, it is refused as any drop is.
#[test]
fn an_identical_resend_keeps_the_data_and_records_a_newer_export_time() {
    let Scene { root: _root, drops, registry, iins } = scene(6);
    let status = |report: &serde_json::Value| {
        statuses(report).into_iter().map(|(_, status, code)| (status, code)).collect::<Vec<_>>()
    };
    let pair = |status: &str, code: &str| (status.to_owned(), code.to_owned());
    assert_eq!(ingest(&registry, &[], &[&hand_made_drop(&drops, "2026-11-24", "35", &iins[..5])]).0, 0);
    let data = registry_fingerprint(&registry).lines().skip(1).map(str::to_owned).collect::<Vec<_>>();

    let again = hand_made_drop(&drops, "2026-11-26", "35", &iins[..5]);
    let (code, stdout, report) = ingest(&registry, &[], &[&again]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(status(&report), [pair("unchanged", "")]);
    assert_eq!(report["version"].as_u64(), Some(2), "the version records the export time");
    assert!(stdout.contains("no data changed; registry version 2 records the newer export times"), "{stdout}");
    assert_eq!(registry_fingerprint(&registry).lines().skip(1).map(str::to_owned).collect::<Vec<_>>(), data);
    // The re-sent drop keeps its id, and tells the counts of the drop it repeats.
    let store = daryn_registry::store::Store::open(&registry, false).unwrap();
    let held = store.current().unwrap().unwrap().regions["35"].clone();
    assert_eq!(report["drops"][0]["drop_id"].as_str(), Some(held.drop_id.as_str()));
    assert_eq!(report["drops"][0]["children"]["accepted"].as_u64(), Some(5));

    let late = hand_made_drop(&drops, "2026-11-25", "35", &iins[1..6]);
    let (code, stdout, report) = ingest(&registry, &[], &[&late]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(status(&report), [pair("refused", "stale")]);

    // The same folder once more, the same time: nothing at all is written.
    let (code, stdout, report) = ingest(&registry, &[], &[&again]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!((status(&report), report["version"].as_u64()), (vec![pair("unchanged", "")], None));

    // Yesterday's folder beside today's (a cron job given both): published and unchanged.
    let next = hand_made_drop(&drops, "2026-11-27", "35", &iins[1..6]);
    let (code, stdout, report) = ingest(&registry, &[], &[&again, &next]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(status(&report), [pair("published", ""), pair("unchanged", "")]);
    let version = report["version"].as_u64();

    // The same command again (cron retried): the 26th's folder is no longer the region's
    // newest, but the run of version 2 judged that very export (a confirming re-send):
    // not refused as stale, nothing written.
    let (code, stdout, report) = ingest(&registry, &[], &[&again, &next]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!((status(&report), report["version"].as_u64()), (vec![pair("unchanged", "")], None));
    assert_eq!(report["drops"].as_array().map(Vec::len), Some(2), "both unchanged (a set of statuses)");
    let note = report["drops"][1]["note"].as_str().unwrap_or_default();
    assert!(note.starts_with("judged by the run of registry version 2: unchanged"), "{stdout}");
    assert!(stdout.contains(&format!("stays at version {}", version.unwrap())), "{stdout}");

    // The same data dated a month ahead (a mistyped manifest or folder) is refused, as
    // any drop ahead of the run is: its time must not become the region's (every correct
    // drop for a month would be stale), and its coordinator hears why. The data stays.
    let ahead = (chrono::Utc::now() + chrono::Duration::days(30)).format("%Y-%m-%d").to_string();
    let ahead = hand_made_drop(&drops, &ahead, "35", &iins[1..6]);
    let (code, stdout, report) = ingest(&registry, &[], &[&ahead]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(status(&report), [pair("refused", "exported_in_future")]);
    let recorded = report["version"].as_u64().expect("a version records the refusal");
    let store = daryn_registry::store::Store::open(&registry, false).unwrap();
    let held = store.current().unwrap().unwrap().regions["35"].clone();
    assert_eq!(held.exported_at.to_rfc3339(), "2026-11-26T19:00:00+00:00", "the 27th's, at 00:00 +05:00");
    // The same command again (cron retried): refused alike, told so, and no new version
    // repeats what that one records.
    let (code, stdout, report) = ingest(&registry, &[], &[&ahead]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!((status(&report), report["version"].as_u64()), (vec![pair("refused", "exported_in_future")], None));
    assert!(stdout.contains(&format!("refused alike by the run of registry version {recorded}")), "{stdout}");
    assert!(stdout.contains("each refusal repeats one an earlier run recorded"), "{stdout}");
    // The same data under a manifest that miscounts its rows: refused as any drop whose
    // manifest disagrees with its files (it was a silent no-op).
    let miscounted = hand_made_drop(&drops, "2026-11-28", "35", &iins[1..6]);
    children_manifest(&miscounted, "2026-11-28T00:10:00+05:00", 4);
    let (code, stdout, report) = ingest(&registry, &[], &[&miscounted]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(status(&report), [pair("refused", "manifest_mismatch")]);
    let store = daryn_registry::store::Store::open(&registry, false).unwrap();
    assert_eq!(store.current().unwrap().unwrap().regions["35"], held, "the region's drop stays");
    // The month-ahead export once more, after another was refused since: the region's
    // last word is that other refusal, and this one is recorded again.
    let (code, stdout, report) = ingest(&registry, &[], &[&ahead]);
    assert_eq!(code, 1, "{stdout}");
    assert!(report["version"].as_u64() > Some(recorded) && !stdout.contains("refused alike"), "{stdout}");

    // A drop that cannot be read (a workbook that is no zip), retried: known again by its
    // files' checksums, told alike, and no second version records it.
    let unreadable = hand_made_drop(&drops.join("unreadable"), "2026-11-28", "35", &iins[1..6]);
    std::fs::remove_file(unreadable.join("children.csv")).unwrap();
    std::fs::write(unreadable.join("children.xlsx"), "not a workbook").unwrap();
    let (code, stdout, report) = ingest(&registry, &[], &[&unreadable]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(status(&report), [pair("refused", "table_unreadable")]);
    let recorded = report["version"].as_u64().expect("a version records the refusal");
    let (code, stdout, report) = ingest(&registry, &[], &[&unreadable]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!((status(&report), report["version"].as_u64()), (vec![pair("refused", "table_unreadable")], None));
    assert!(stdout.contains(&format!("refused alike by the run of registry version {recorded}")), "{stdout}");
    // Its bytes changed (a new copy of the export, another bad file): judged anew.
    std::fs::write(unreadable.join("children.xlsx"), "still not a workbook").unwrap();
    let (code, stdout, report) = ingest(&registry, &[], &[&unreadable]);
    assert_eq!(code, 1, "{stdout}");
    let judged = report["version"].as_u64().expect("a version records the new refusal");
    assert!(judged > recorded && !stdout.contains("refused alike"), "{stdout}");
    // Once a newer drop stands, that unreadable export given again (the night before's
    // folder once more) is the one the run of that version judged: not refused as stale,
    // nothing written, as for any export an earlier run judged.
    let newer = hand_made_drop(&drops.join("newer"), "2026-11-28", "35", &iins);
    children_manifest(&newer, "2026-11-28T12:00:00+05:00", 6);
    let (code, stdout, report) = ingest(&registry, &[], &[&newer]);
    assert_eq!((code, status(&report)), (0, vec![pair("published", "")]), "{stdout}");
    let (code, stdout, report) = ingest(&registry, &[], &[&unreadable]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!((status(&report), report["version"].as_u64()), (vec![pair("unchanged", "")], None));
    let note = report["drops"][0]["note"].as_str().unwrap_or_default();
    assert!(note.starts_with(&format!("judged by the run of registry version {judged}: refused")), "{stdout}");
    // A drop whose children's file is a link to nothing, older than the drop the region
    // holds: refused as stale; given again (cron retried), it is known by what its file
    // is, and is the export that run judged.
    let dangling = drops.join("dangling").join("2026-11-27").join("35");
    std::fs::create_dir_all(&dangling).unwrap();
    std::os::unix::fs::symlink(dangling.join("gone.csv"), dangling.join("children.csv")).unwrap();
    let (code, stdout, report) = ingest(&registry, &[], &[&dangling]);
    assert_eq!((code, status(&report)), (1, vec![pair("refused", "stale")]), "{stdout}");
    let refused = report["version"].as_u64().expect("a version records the refusal");
    let (code, stdout, report) = ingest(&registry, &[], &[&dangling]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!((status(&report), report["version"].as_u64()), (vec![pair("unchanged", "")], None));
    let note = report["drops"][0]["note"].as_str().unwrap_or_default();
    assert!(note.starts_with(&format!("judged by the run of registry version {refused}: refused (stale)")), "{stdout}");
}

/// A refused drop's rejections are the region's latest; an identical re-send of the data
/// the region holds, exported after it, makes that data's own rejections the latest
/// again, in the registry and in a file for the coordinator.
#[test]
fn a_confirming_resend_brings_back_its_own_rejections() {
    let Scene { root: _root, drops, registry, iins } = scene(5);
    // Region 35's data with one child of five rejected: identified on the 25th, after the
    // export of the 24th (20 %, published).
    let held_data = |date: &str| {
        let folder = hand_made_drop(&drops, date, "35", &iins);
        let text = std::fs::read_to_string(folder.join("children.csv")).unwrap();
        std::fs::write(folder.join("children.csv"), text.replacen(";2022-09-01;", ";2026-11-25;", 1)).unwrap();
        folder
    };
    let (code, stdout, report) = ingest(&registry, &[], &[&held_data("2026-11-24")]);
    assert_eq!(code, 2, "{stdout}");
    let held_id = report["drops"][0]["drop_id"].as_str().unwrap().to_owned();
    // A newer export with every child rejected (a grade of 99): refused, and its five
    // rows are the region's.
    let wrong = hand_made_drop(&drops, "2026-11-25", "35", &iins);
    let text = std::fs::read_to_string(wrong.join("children.csv")).unwrap();
    std::fs::write(wrong.join("children.csv"), text.replace(";Мектеп;9;", ";Мектеп;99;")).unwrap();
    let (code, stdout, report) = ingest(&registry, &[], &[&wrong]);
    assert_eq!(code, 1, "{stdout}");
    let refused_id = report["drops"][0]["drop_id"].as_str().unwrap().to_owned();
    let by_drop = "SELECT drop_id, count(*) FROM rejections WHERE region = '35' GROUP BY drop_id";
    assert_eq!(sql_lines(&registry, None, by_drop), [format!("{refused_id},5")]);
    // The held data again, exported on the 26th: unchanged, its time recorded, and its one
    // rejected row is the region's again, as judged when the data was published (on the
    // 26th the child's date would pass, but the registry still does not hold the child);
    // its coordinator gets the file that says so.
    let (code, stdout, report) = ingest(&registry, &[], &[&held_data("2026-11-26")]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(report["drops"][0]["status"], "unchanged", "{stdout}");
    assert_eq!(report["drops"][0]["drop_id"].as_str(), Some(held_id.as_str()));
    assert_eq!(sql_lines(&registry, None, by_drop), [format!("{held_id},1")]);
    assert_eq!(sql_lines(&registry, None, "SELECT count(*) FROM children"), ["4"]);
    let file = report["drops"][0]["rejection_file"].as_str().unwrap();
    assert!(file.ends_with("00000003/35-rejections.csv"), "{file}");
    let text = std::fs::read_to_string(file).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("date_in_future"), "{text}");
    // The next night's re-send is judged on that day still, not on the last re-send's
    // (the 26th, when the child's date would pass).
    let (code, stdout, report) = ingest(&registry, &[], &[&held_data("2026-11-27")]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(report["drops"][0]["status"], "unchanged", "{stdout}");
    assert_eq!(sql_lines(&registry, None, by_drop), [format!("{held_id},1")]);
}

#[test]
fn vacuum_keeps_the_newest_versions_readable_and_removes_the_rest() {
    let root = tempfile::tempdir().unwrap();
    let drops = root.path().join("drops");
    // A folder name a URL escapes: vacuum once took every file of such a registry for
    // unwanted and deleted the current version's data.
    let registry = root.path().join("реестр ~#%1");
    let iins = girls_iins(8);
    // Four versions; each replaces region 35's children, so each leaves files behind.
    for (day, date) in ["2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24"].iter().enumerate() {
        let folder = hand_made_drop(&drops, date, "35", &iins[day..day + 5]);
        let (code, stdout, _) = ingest(&registry, &["--allow-shrink", "35"], &[&folder]);
        assert_eq!(code, 0, "{stdout}");
    }
    let parquet_files = || {
        let mut count = 0;
        let mut pending = vec![registry.join("tables")];
        while let Some(folder) = pending.pop() {
            for entry in std::fs::read_dir(folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|extension| extension == "parquet") {
                    count += 1;
                }
            }
        }
        count
    };
    let before = parquet_files();
    let fingerprint = registry_fingerprint(&registry);

    // `daryn sql` reads the files each version lists, not the folder: region 35's folder
    // now holds four versions' children files (20 rows), a version sees its own 5.
    let children_sql = |as_of: Option<&str>| sql_lines(&registry, as_of, "SELECT iin FROM children ORDER BY iin");
    let sorted = |iins: &[String]| {
        let mut iins = iins.to_vec();
        iins.sort();
        iins
    };
    assert_eq!(children_sql(None), sorted(&iins[3..8]));
    assert_eq!(children_sql(Some("2")), sorted(&iins[1..6]));

    // An analyst's shell open on version 2 as the vacuum removes it: its next query is
    // told so, not given the storage library's "not found".
    use std::io::{BufRead, Read, Write};
    let mut shell = std::process::Command::new(crate::binary())
        .args(["sql", "--registry", registry.to_str().unwrap(), "--as-of", "2", "--format", "csv"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = std::io::BufReader::new(shell.stderr.take().unwrap());
    let mut banner = String::new();
    while !banner.contains("registry version 2") {
        assert_ne!(said.read_line(&mut banner).unwrap(), 0, "the shell ended: {banner}");
    }

    let output = daryn(&["vacuum", "--registry", registry.to_str().unwrap(), "--keep", "2"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("removed versions 1–2"), "{stdout}");
    shell.stdin.take().unwrap().write_all(b"SELECT iin FROM children ORDER BY iin;\n").unwrap();
    let status = shell.wait().unwrap();
    let mut rest = String::new();
    said.read_to_string(&mut rest).unwrap();
    assert_eq!(status.code(), Some(1), "{rest}");
    assert!(
        rest.contains("error[registry]: registry version 2 was vacuumed while this read it")
            && rest.contains("the oldest kept is 3"),
        "{rest}"
    );
    assert!(parquet_files() < before, "vacuum deleted no data file");
    assert_eq!(registry_fingerprint(&registry), fingerprint, "the current version reads the same");
    // Only the two kept versions' search index generations are left.
    let generations = std::fs::read_dir(registry.join("index"))
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().file_name().to_string_lossy().parse::<u64>().is_ok())
        .count();
    assert_eq!(generations, 2, "{stdout}");

    // The kept older version still reads; the removed ones say they were vacuumed.
    let store = daryn_registry::store::Store::open(&registry, false).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let kept = runtime.block_on(async {
        let version = store.version(3).unwrap();
        store.region_iins(&version, "35").await.unwrap()
    });
    assert_eq!(kept, iins[2..7].iter().cloned().collect());
    let error = store.version(1).unwrap_err().to_string();
    assert!(error.contains("vacuumed") && error.contains("oldest kept is 3"), "{error}");
    let versions = daryn(&["versions", "--registry", registry.to_str().unwrap()]);
    let listed = String::from_utf8_lossy(&versions.stdout);
    assert!(listed.contains("version 3") && !listed.contains("version 1 "), "{listed}");
    // `--last 1` lists the newest alone; `--last 0` is refused.
    let versions = daryn(&["versions", "--registry", registry.to_str().unwrap(), "--last", "1"]);
    let listed = String::from_utf8_lossy(&versions.stdout);
    assert!(listed.starts_with("version 4 (current)") && !listed.contains("version 3"), "{listed}");
    assert_eq!(daryn(&["versions", "--registry", registry.to_str().unwrap(), "--last", "0"]).status.code(), Some(2));

    // Keeping nothing is refused with the parameter named; the next ingest still works.
    let output = daryn(&["vacuum", "--registry", registry.to_str().unwrap(), "--keep", "0"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error[bad_parameter]") && stderr.contains("--keep"), "{stderr}");
    assert!(stderr.contains("keeps the current version at least: give 1 or more"), "{stderr}");
    let folder = hand_made_drop(&drops, "2026-11-24", "35", &iins[3..8]);
    let (code, stdout, _) = ingest(&registry, &["--allow-shrink", "35"], &[&folder]);
    assert_eq!(code, 0, "{stdout}");

    // A registry that lost `CURRENT` (by hand, a partial copy) is refused by every
    // command; an ingest once took it for a crashed first run and removed every table.
    // The newest version is still 4: the drop just sent is version 4's, sent again.
    let fingerprint = registry_fingerprint(&registry);
    let current = std::fs::read_to_string(registry.join("CURRENT")).unwrap();
    std::fs::remove_file(registry.join("CURRENT")).unwrap();
    let next = hand_made_drop(&drops, "2026-11-26", "35", &iins[2..7]);
    for args in [
        vec!["ingest", "--registry", registry.to_str().unwrap(), "--allow-shrink", "35", next.to_str().unwrap()],
        vec!["versions", "--registry", registry.to_str().unwrap()],
        vec!["vacuum", "--registry", registry.to_str().unwrap(), "--keep", "1"],
    ] {
        let output = daryn(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("version files up to 4 but no `CURRENT`"), "{args:?}: {stderr}");
    }
    // Nor is a `CURRENT` no run leaves: moved back by more than the one version a killed
    // run may have written (0 or 2 of 4), or naming a version without a file (99). With
    // 0, vacuum once removed every table file and ingest overwrote versions 1 to 4.
    for (written, found) in [
        ("0", "the version files go up to 4"),
        ("2", "the version files go up to 4"),
        ("99", "there is no version file of it (the newest is 4)"),
    ] {
        std::fs::write(registry.join("CURRENT"), format!("{written}\n")).unwrap();
        for args in [
            vec!["ingest", "--registry", registry.to_str().unwrap(), "--allow-shrink", "35", next.to_str().unwrap()],
            vec!["sql", "--registry", registry.to_str().unwrap(), "SELECT 1"],
            vec!["vacuum", "--registry", registry.to_str().unwrap(), "--keep", "1"],
        ] {
            let output = daryn(&args);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
            assert!(stderr.contains(&format!("names version {written}, but {found}")), "{args:?}: {stderr}");
        }
    }
    std::fs::write(registry.join("CURRENT"), current).unwrap();
    assert_eq!(registry_fingerprint(&registry), fingerprint, "nothing was changed");
    // Version 0 never existed; it is not "vacuumed".
    let error = store.version(0).unwrap_err().to_string();
    assert!(error.contains("does not exist"), "{error}");

    // A damaged file of an older version (3; 4 is current) stops every command that
    // reads all versions. The message names the file and the vacuum that removes it
    // (keeping 4 - 3 = 1 version), and that vacuum does not need to read it.
    let damaged = registry.join("versions/00000003.json");
    std::fs::write(&damaged, "{\"version\": 3, \"tab").unwrap();
    let output = daryn(&["versions", "--registry", registry.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("00000003.json") && stderr.contains("`daryn vacuum --keep 1`"), "{stderr}");
    let output = daryn(&["vacuum", "--registry", registry.to_str().unwrap(), "--keep", "1"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(!damaged.exists());
    let versions = daryn(&["versions", "--registry", registry.to_str().unwrap()]);
    let listed = String::from_utf8_lossy(&versions.stdout);
    assert!(versions.status.success() && listed.contains("version 4") && !listed.contains("version 3"), "{listed}");
    assert_eq!(registry_fingerprint(&registry), fingerprint, "the current version reads the same");
}

/// `drops` grows by a row per drop every run. A run appends a file to each region's
/// partition until it holds `FILES_BEFORE_COMPACTION` (16); the next run rewrites it as
/// one file. Region 35 alone, a run a day: after runs 1–16 the partition holds 1–16 files,
/// run 17 leaves 1 (17 rows), run 18 leaves 2. Every run's row is kept, and an older
/// version still reads its own rows.
#[test]
fn the_drops_table_stays_in_few_files_run_after_run() {
    use daryn_registry::store::{FILES_BEFORE_COMPACTION, Store, StoreTable};
    assert_eq!(FILES_BEFORE_COMPACTION, 16, "the expected counts below assume 16");
    let Scene { root: _root, drops, registry, iins } = scene(3);
    let first_day = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let files_at = |number: u64| {
        let store = Store::open(&registry, false).unwrap();
        let version = store.version(number).unwrap();
        runtime.block_on(async {
            let table = store.table_at(StoreTable::Drops, &version).await.unwrap().unwrap();
            table.get_file_uris().unwrap().count()
        })
    };
    let mut files = Vec::new();
    for run in 0..18u64 {
        let date = (first_day + chrono::Days::new(run)).to_string();
        // A child more or less each day, so that every run publishes a version.
        let folder = hand_made_drop(&drops, &date, "35", &iins[..1 + (run % 2) as usize]);
        let (code, stdout, _) = ingest(&registry, &["--allow-shrink", "35"], &[&folder]);
        assert_eq!(code, 0, "{stdout}");
        files.push(files_at(run + 1));
    }
    let expected: Vec<usize> = (1..=16).chain([1, 2]).collect();
    assert_eq!(files, expected);

    let sql = |as_of: &str, query: &str| sql_lines(&registry, Some(as_of), query);
    let versions = |as_of: &str| {
        let lines = sql(as_of, "SELECT registry_version FROM drops ORDER BY registry_version");
        lines.iter().map(|line| line.parse::<u64>().unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(versions("18"), (1..=18).collect::<Vec<_>>());
    assert_eq!(versions("17"), (1..=17).collect::<Vec<_>>());
    assert_eq!(versions("16"), (1..=16).collect::<Vec<_>>());
    // The rewritten rows are the rows as written, every column.
    let first_sixteen = "SELECT * FROM drops WHERE registry_version <= 16 ORDER BY registry_version";
    assert_eq!(sql("18", first_sixteen), sql("16", first_sixteen));
}

/// Section 4: when several refusal reasons apply, stale comes first; a drop whose export
/// time is unknown is refused for that, not taken as older than a dated drop beside it.
#[test]
fn refusal_reasons_follow_the_contracts_order() {
    let Scene { root, drops, registry, iins } = scene(5);
    let held = hand_made_drop(&drops, "2026-11-24", "35", &iins);
    assert_eq!(ingest(&registry, &[], &[&held]).0, 0);

    // Older than the held drop and unreadable (Windows-1251): stale.
    let older = hand_made_drop(&drops, "2026-11-20", "35", &iins);
    std::fs::write(older.join("children.csv"), b"\xc8\xc8\xcd;\xd4\xe0\xec\n1;2\n").unwrap();
    let (code, stdout, report) = ingest(&registry, &[], &[&older]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(statuses(&report), [("35".to_owned(), "refused".to_owned(), "stale".to_owned())].into());

    // An undated folder (no manifest, no date above it) beside a newer dated drop.
    let undated = root.path().join("undated").join("35");
    std::fs::create_dir_all(&undated).unwrap();
    std::fs::copy(held.join("children.csv"), undated.join("children.csv")).unwrap();
    let newer = hand_made_drop(&drops, "2026-11-25", "35", &iins[..4]);
    let (code, stdout, report) = ingest(&registry, &[], &[&undated, &newer]);
    assert_eq!(code, 2, "{stdout}");
    let expected = [
        ("35".to_owned(), "published".to_owned(), String::new()),
        ("35".to_owned(), "refused".to_owned(), "not_a_drop".to_owned()),
    ];
    assert_eq!(statuses(&report), expected.into());
}

/// A registry is created with `CURRENT` 0, so a `CURRENT` lost after the first version is
/// damage, refused, not a killed first run whose tables are removed.
#[test]
fn a_registry_that_lost_current_after_its_first_version_is_refused() {
    let Scene { root, drops, registry, iins } = scene(3);
    assert_eq!(ingest(&registry, &[], &[&hand_made_drop(&drops, "2026-11-24", "35", &iins)]).0, 0);
    let fingerprint = registry_fingerprint(&registry);
    std::fs::remove_file(registry.join("CURRENT")).unwrap();
    let next = hand_made_drop(&drops, "2026-11-25", "47", &iins);
    let output = daryn(&["ingest", "--registry", registry.to_str().unwrap(), next.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("version files up to 1 but no `CURRENT`"), "{stderr}");
    std::fs::write(registry.join("CURRENT"), "1\n").unwrap();
    assert_eq!(registry_fingerprint(&registry), fingerprint, "nothing was removed");

    // A new registry says at once that it has no version: a run with no drop at all (an
    // empty dated folder) publishes nothing and leaves `CURRENT` 0.
    let fresh = root.path().join("fresh");
    let empty_day = drops.join("2026-11-30");
    std::fs::create_dir_all(&empty_day).unwrap();
    let (code, stdout, _) = ingest(&fresh, &[], &[&empty_day]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("no drop was found"), "{stdout}");
    assert_eq!(std::fs::read_to_string(fresh.join("CURRENT")).unwrap(), "0\n");
    // A folder holding something else is not made a registry (the run would remove its
    // files as a killed run's, and vacuum the rest).
    let stranger = root.path().join("stranger");
    std::fs::create_dir_all(stranger.join("tables/children")).unwrap();
    std::fs::write(stranger.join("tables/children/theirs.parquet"), b"not ours").unwrap();
    let output = daryn(&["ingest", "--registry", stranger.to_str().unwrap(), next.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("holds `tables` and is not a Daryn registry"), "{stderr}");
    assert_eq!(std::fs::read(stranger.join("tables/children/theirs.parquet")).unwrap(), b"not ours");
    // A drop path that is not there is refused before a registry is made.
    let elsewhere = root.path().join("elsewhere");
    let output =
        daryn(&["ingest", "--registry", elsewhere.to_str().unwrap(), root.path().join("nope").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(!elsewhere.exists(), "a typo made a registry");
    let listed = daryn(&["versions", "--registry", fresh.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains("no versions yet"));
}

/// A district written by name needs a KATO classifier: `--kato FILE` for one run, or
/// `[districts] classifier` in the registry's daryn.toml for every run.
#[test]
fn district_names_are_read_with_the_classifier_daryn_toml_names() {
    let Scene { root: _root, drops, registry, iins } = scene(2);
    let named = |date: &str, iins: &[String]| {
        let folder = hand_made_drop(&drops, date, "35", iins);
        let text = std::fs::read_to_string(folder.join("children.csv")).unwrap();
        std::fs::write(folder.join("children.csv"), text.replace(";351600000;", ";Абай ауданы;")).unwrap();
        folder
    };
    // Without a classifier the name is unknown: both children rejected, the drop refused.
    let (code, stdout, report) = ingest(&registry, &[], &[&named("2026-11-24", &iins)]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(report["drops"][0]["refusal"]["code"], "too_many_rejected", "{stdout}");

    // The classifier (a synthetic one) named in daryn.toml, relative to the registry.
    let classifier = "kato,district_kk,district_ru,district_en\n351600000,Абай ауданы,Абайский район,Abai district\n";
    std::fs::write(registry.join("kato.csv"), classifier).unwrap();
    let config = registry.join("daryn.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[districts]\nclassifier = \"kato.csv\"\n");
    std::fs::write(&config, text).unwrap();
    let (code, stdout, report) = ingest(&registry, &[], &[&named("2026-11-25", &iins)]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(report["drops"][0]["status"], "published", "{stdout}");
    assert_eq!(sql_lines(&registry, None, "SELECT DISTINCT district_kato FROM children"), ["351600000"]);

    // A classifier file that is not there stops the run before anything is read.
    std::fs::remove_file(registry.join("kato.csv")).unwrap();
    let output =
        daryn(&["ingest", "--registry", registry.to_str().unwrap(), named("2026-11-26", &iins).to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("`[districts] classifier`"), "{stderr}");
}

/// Section 1: a region's drops apply in export order. Two days of one region in one run:
/// when the newer is refused, the older is published in its place; when the newer is
/// published, the older is stale.
#[test]
fn when_a_regions_newest_drop_is_refused_its_older_drop_of_the_run_applies() {
    let Scene { root: _root, drops, registry, iins } = scene(6);
    let held = hand_made_drop(&drops, "2026-11-23", "35", &iins[..5]);
    assert_eq!(ingest(&registry, &[], &[&held]).0, 0);

    let older = hand_made_drop(&drops, "2026-11-24", "35", &iins[1..6]);
    let newer = hand_made_drop(&drops, "2026-11-25", "35", &iins[1..6]);
    // The newer export's children all have a grade of 99: every row rejected.
    let text = std::fs::read_to_string(newer.join("children.csv")).unwrap();
    std::fs::write(newer.join("children.csv"), text.replace(";Мектеп;9;", ";Мектеп;99;")).unwrap();
    // The older one's last child too (a new child: nothing the region holds is removed).
    let mut text = std::fs::read_to_string(older.join("children.csv")).unwrap();
    let last = text.rfind(";Мектеп;9;").unwrap();
    text.replace_range(last..last + ";Мектеп;9;".len(), ";Мектеп;99;");
    std::fs::write(older.join("children.csv"), text).unwrap();
    // Region 35 published once, and refused once with `code`.
    let published_and_refused = |code: &str| {
        BTreeSet::from([
            ("35".to_owned(), "published".to_owned(), String::new()),
            ("35".to_owned(), "refused".to_owned(), code.to_owned()),
        ])
    };
    let (code, stdout, report) = ingest(&registry, &[], &[&newer, &older]);
    assert_eq!(code, 2, "{stdout}");
    assert_eq!(statuses(&report), published_and_refused("too_many_rejected"), "{stdout}");
    // Each drop's rejections in a file of its own: the coordinator learns why the newer
    // was refused and what of the older was not taken.
    let files: Vec<(String, usize)> = report["drops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|drop| {
            let file = drop["rejection_file"].as_str().unwrap();
            let rows = std::fs::read_to_string(file).unwrap().lines().count() - 1;
            (Path::new(file).file_name().unwrap().to_string_lossy().into_owned(), rows)
        })
        .collect();
    // The published drop's file has the region's usual name; the refused one's, its
    // drop id (exported 2026-11-25 00:00 +05:00): its five rows after a first that says
    // the whole drop was refused, and why.
    assert_eq!(files, [("35-20261124T190000Z-rejections.csv".to_owned(), 6), ("35-rejections.csv".to_owned(), 1)]);
    let refused_file = std::fs::read_to_string(report["drops"][0]["rejection_file"].as_str().unwrap()).unwrap();
    let first = refused_file.lines().nth(1).unwrap();
    assert!(first.starts_with(";;;;;;too_many_rejected;Экспорт толығымен қабылданбады"), "{first}");
    assert!(first.contains("The whole drop was refused; nothing of it was published: 5 of 5"), "{first}");
    let published_file = std::fs::read_to_string(report["drops"][1]["rejection_file"].as_str().unwrap()).unwrap();
    assert!(!published_file.contains("The whole drop"), "{published_file}");
    let held_now = || {
        let store = daryn_registry::store::Store::open(&registry, false).unwrap();
        let version = store.current().unwrap().unwrap();
        let state = &version.regions["35"];
        (state.exported_at.date_naive().to_string(), state.children)
    };
    // Without a manifest a drop's export time is its folder date at 00:00 +05:00, the
    // evening before in UTC: the older drop (folder 2026-11-24) is held now, not the
    // first one (folder 2026-11-23, held as 2026-11-22).
    assert_eq!(held_now(), ("2026-11-23".to_owned(), 4));

    // Both newer and valid: the newest is published, the other is stale.
    let later = hand_made_drop(&drops, "2026-11-26", "35", &iins[1..6]);
    let latest = hand_made_drop(&drops, "2026-11-27", "35", &iins[..5]);
    let (code, stdout, report) = ingest(&registry, &[], &[&later, &latest]);
    assert_eq!(code, 2, "{stdout}");
    assert_eq!(statuses(&report), published_and_refused("stale"), "{stdout}");
    let refused = report["drops"].as_array().unwrap().iter().find(|drop| drop["status"] == "refused").unwrap();
    let reason = refused["refusal"]["reason"].as_str().unwrap();
    assert!(reason.contains(&format!("`{}`, is published in its place", latest.display())), "{reason}");
    // A stale drop gets no coordinator's file: an archive of old folders given to every run
    // would get one each, every night.
    assert!(refused["rejection_file"].is_null(), "{refused}");
    // The latest (folder 2026-11-27, so 2026-11-26 in UTC).
    assert_eq!(held_now(), ("2026-11-26".to_owned(), 5));

    // The first two sent again (an old cron command run by hand): both older than the
    // drop held now, and both judged by the run of version 2, one refused and one
    // published. Told as judged then, with the counts they had; nothing refused anew,
    // nothing written.
    let (code, stdout, report) = ingest(&registry, &[], &[&newer, &older]);
    assert_eq!((code, report["version"].as_u64()), (0, None), "{stdout}");
    let told: Vec<(String, u64, u64)> = report["drops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|drop| {
            let counts = &drop["children"];
            (
                format!("{} {}", drop["status"].as_str().unwrap(), drop["note"].as_str().unwrap_or_default()),
                counts["accepted"].as_u64().unwrap(),
                counts["rejected"].as_u64().unwrap(),
            )
        })
        .collect();
    let judged = |verdict: &str| {
        format!(
            "unchanged judged by the run of registry version 2: {verdict}; sent again, not newer than the drop the \
             region holds, it changes nothing"
        )
    };
    // The newer: all five rejected; the older: four of five accepted.
    assert_eq!(told, [(judged("refused (too_many_rejected)"), 0, 5), (judged("published"), 4, 1)], "{stdout}");
    assert_eq!(held_now(), ("2026-11-26".to_owned(), 5));
    // Not the files judged then: the newer, changed since, is stale; the older, set aside
    // for it, is still the export judged before.
    let text = std::fs::read_to_string(newer.join("children.csv")).unwrap();
    std::fs::write(newer.join("children.csv"), text.replacen(";Мектеп;99;", ";Мектеп;9;", 1)).unwrap();
    let (code, stdout, report) = ingest(&registry, &[], &[&newer, &older]);
    assert_eq!(code, 1, "{stdout}");
    let statuses: Vec<&str> =
        report["drops"].as_array().unwrap().iter().map(|drop| drop["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["refused", "unchanged"], "{stdout}");
    assert_eq!(report["drops"][0]["refusal"]["code"], "stale", "{stdout}");
}

/// An ingest's exit code says what the run did, whatever happens to its output: a
/// `--report` into a folder that does not exist is refused before anything is
/// published, and a closed standard output (`| head`) is no panic.
#[test]
fn the_exit_code_is_the_runs_whatever_happens_to_the_output() {
    let Scene { root, drops, registry, iins } = scene(3);
    let folder = hand_made_drop(&drops, "2026-11-25", "35", &iins);
    let report = root.path().join("no such folder").join("report.json");
    let registry_arg = registry.to_str().unwrap();
    let output =
        daryn(&["ingest", "--registry", registry_arg, "--report", report.to_str().unwrap(), folder.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("`--report") && stderr.contains("no folder"), "{stderr}");
    assert!(!registry.exists(), "nothing was published, not even a registry made");
    // Nor may the report overwrite a file the run reads (the drop's own `children.csv`).
    let children = folder.join("children.csv");
    let before = std::fs::read(&children).unwrap();
    let output = daryn(&[
        "ingest",
        "--registry",
        registry_arg,
        "--report",
        children.to_str().unwrap(),
        folder.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("`--report") && stderr.contains("which the run reads or writes"), "{stderr}");
    assert_eq!(std::fs::read(&children).unwrap(), before);
    assert!(!registry.exists());

    for args in [
        vec!["ingest", "--registry", registry_arg, folder.to_str().unwrap()],
        vec!["versions", "--registry", registry_arg],
    ] {
        let mut child = crate::spawn_daryn(&args, &[]);
        // The reading end is closed before daryn writes a line.
        drop(child.stdout.take());
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert_eq!(sql_lines(&registry, None, "SELECT count(*) FROM children"), ["3"]);
    // A report that cannot be written after the run (a full disk) is no success: the run
    // exits with 2, its outcome standing, where it exited with 0 and a cron job went on
    // without the report.
    let output = daryn(&["ingest", "--registry", registry_arg, "--report", "/dev/full", folder.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error[disk_full]: ") && stderr.contains("the report is not written"), "{stderr}");
    // A run that published nothing (an older export, of other children, refused as
    // stale) stays 1.
    let stale = hand_made_drop(&drops, "2026-11-20", "35", &iins[1..]);
    let output = daryn(&["ingest", "--registry", registry_arg, "--report", "/dev/full", stale.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("the report is not written"), "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("stale"), "{output:?}");
}

/// A new registry's folder is closed to other users whatever the umask; one opened to
/// them is warned about on every run, which still publishes.
#[test]
fn a_new_registry_is_closed_to_other_users_and_an_open_one_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let drops = root.path().join("drops");
    let first = generate_day(&drops, "2026-11-20", 200, 0.0, 41);
    // Made by hand, as an operator may, open to everyone.
    let registry = root.path().join("registry");
    std::fs::create_dir(&registry).unwrap();
    std::fs::set_permissions(&registry, std::fs::Permissions::from_mode(0o777)).unwrap();
    let mode = || std::fs::metadata(&registry).unwrap().permissions().mode() & 0o777;
    let run = |day: &Path| daryn(&["ingest", "--registry", registry.to_str().unwrap(), day.to_str().unwrap()]);

    let output = run(&first);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(mode(), 0o770, "the owner's and group's rights are kept, the others' taken");
    assert!(!String::from_utf8_lossy(&output.stderr).contains("open to every user"));

    std::fs::set_permissions(&registry, std::fs::Permissions::from_mode(0o755)).unwrap();
    // (The same drop again: a clean run that changes nothing.)
    let output = run(&first);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("is open to every user of this machine (mode 755)") && stderr.contains("chmod o-rwx"),
        "{stderr}"
    );
    assert_eq!(mode(), 0o755, "an existing registry's folder is the operator's: warned about, not changed");

    // A folder another user owns and shares with a group (as root: `nobody` runs in the
    // group `nogroup` of a root-owned folder, 2775): it cannot be closed, the first run
    // publishes and warns. (As another user, no folder of someone else's can be made.)
    if crate::as_root() {
        let shared = root.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::os::unix::fs::chown(&shared, Some(0), Some(65534)).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o2775)).unwrap();
        std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let output =
            crate::daryn_as_nobody(&["ingest", "--registry", shared.to_str().unwrap(), first.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        assert!(stderr.contains("(mode 2775)"), "{stderr}");
        // Someone outside the registry's group (root's, closed again) is told that, not
        // that the folder is no registry.
        std::fs::set_permissions(&registry, std::fs::Permissions::from_mode(0o750)).unwrap();
        let output = crate::daryn_as_nobody(&["versions", "--registry", registry.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("Permission denied") && stderr.contains("the registry's group"), "{stderr}");
        assert!(!stderr.contains("not a Daryn registry"), "{stderr}");
        // Root writing into a registry another account owns is refused: what it made
        // would be root's, and the owner's nightly runs could not remove it.
        std::os::unix::fs::chown(&registry, Some(65534), None).unwrap();
        let before = registry_fingerprint(&registry);
        let output = daryn(&["vacuum", "--registry", registry.to_str().unwrap(), "--keep", "1"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("belongs to the account of uid 65534, and this is root"), "{stderr}");
        assert!(stderr.contains("sudo -u '#65534'"), "{stderr}");
        assert_eq!(registry_fingerprint(&registry), before);
    }
}

/// A district written by its name is read only with the KATO classifier: without it the
/// row is rejected, saying in every language to write the code; with `--kato` the name
/// is the district's code.
#[test]
fn a_district_by_name_is_read_with_the_classifier_given() {
    let Scene { root: _root, drops, registry, iins } = scene(10);
    let kato = daryn_tests::reference_dir().join("kato-2024-districts.csv");
    // Balkhash (351600000), by its Kazakh name in the classifier.
    let classifier = std::fs::read_to_string(&kato).unwrap();
    let name = classifier.lines().find(|line| line.starts_with("351600000,")).unwrap().split(',').nth(6).unwrap();
    let folder = hand_made_drop(&drops, "2026-11-24", "35", &iins);
    let file = folder.join("children.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    let last = iins.last().unwrap();
    let named: Vec<String> = text
        .lines()
        .map(|line| {
            if line.starts_with(last.as_str()) {
                line.replace(";351600000;", &format!(";{name};"))
            } else {
                line.to_owned()
            }
        })
        .collect();
    assert_ne!(named.join("\n"), text, "the last row names its district");
    std::fs::write(&file, named.join("\n")).unwrap();

    let (code, stdout, _) = ingest(&registry, &[], &[&folder]);
    assert_eq!(code, 2, "{stdout}");
    let rejected = sql_lines(&registry, None, "SELECT column_name, code, message_kk, message_ru FROM rejections");
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert!(rejected[0].starts_with("district,district_unknown,"), "{rejected:?}");
    assert!(rejected[0].contains("ӘАОЖ (КАТО)") && rejected[0].contains("код района"), "{rejected:?}");

    let with_classifier = registry.with_extension("with-kato");
    let (code, stdout, _) = ingest(&with_classifier, &["--kato", kato.to_str().unwrap()], &[&folder]);
    assert_eq!(code, 0, "{stdout}");
    let query = format!("SELECT district_kato FROM children WHERE iin = '{last}'");
    assert_eq!(sql_lines(&with_classifier, None, &query), ["351600000"]);
}

/// The teachers' item-15 scores in the search index follow `daryn.toml`: after its
/// weights change, the next ingest that publishes rebuilds the whole index, so a teacher
/// of a region that sent nothing new is scored with the new weights too.
#[test]
fn new_item15_weights_rebuild_the_whole_index_at_the_next_publish() {
    let root = tempfile::tempdir().unwrap();
    let day = generate_day(&root.path().join("drops"), "2026-11-20", 600, 0.0, 51);
    let registry = root.path().join("registry");
    assert_eq!(ingest(&registry, &[], &[&day]).0, 0);
    let teachers = || -> Vec<(String, String, u64)> {
        let output = daryn(&[
            "search",
            "--registry",
            registry.to_str().unwrap(),
            "--format",
            "json",
            "--teachers",
            "--sort",
            "best",
            "--limit",
            "1000",
            "",
        ]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let found: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        found["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|hit| {
                let fields = &hit["fields"];
                (
                    hit["teacher_id"].as_str().unwrap().to_owned(),
                    fields["region"].as_str().unwrap().to_owned(),
                    fields["item15_score"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let before = teachers();
    let (best, best_region, best_score) = before[0].clone();
    assert!(best_score > 0, "the generated country has a scoring teacher");

    // Every weight 0: every score must become 0.
    let zero = "participant = 0\nhonourable_mention = 0\nprize_winner = 0\nwinner = 0\n";
    std::fs::write(registry.join("daryn.toml"), format!("[item15.republican]\n{zero}[item15.international]\n{zero}"))
        .unwrap();
    // Another region (one sent as CSV) sends again a day later, one child fewer.
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&day).unwrap().map(|entry| entry.unwrap().path()).collect();
    folders.sort();
    let resent = folders
        .into_iter()
        .find(|folder| {
            let region = daryn_registry::RegionCode::parse(&folder.file_name().unwrap().to_string_lossy());
            let utf8 = std::fs::read(folder.join("children.csv")).is_ok_and(|bytes| String::from_utf8(bytes).is_ok());
            utf8 && region.map(|code| code.to_string()) != Some(best_region.clone())
        })
        .expect("a region sent as CSV in UTF-8");
    let later = root.path().join("drops/2026-11-21").join(resent.file_name().unwrap());
    std::fs::create_dir_all(&later).unwrap();
    for entry in std::fs::read_dir(&resent).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_owned();
        if name != "manifest.json" {
            std::fs::copy(&path, later.join(name)).unwrap();
        }
    }
    let children = std::fs::read_to_string(later.join("children.csv")).unwrap();
    let mut lines: Vec<&str> = children.lines().collect();
    lines.pop();
    std::fs::write(later.join("children.csv"), lines.join("\n")).unwrap();
    let (code, stdout, _) = ingest(&registry, &[], &[&later]);
    assert!(code == 0 || code == 2, "{stdout}");
    assert!(stdout.contains("published registry version 2"), "{stdout}");

    // A teacher outside the region sent again scored before: only a whole rebuild
    // scores them anew.
    let resent_region =
        daryn_registry::RegionCode::parse(&resent.file_name().unwrap().to_string_lossy()).unwrap().to_string();
    assert!(before.iter().any(|(_, region, score)| *score > 0 && *region != resent_region));
    let after = teachers();
    assert!(after.iter().any(|(teacher, _, _)| *teacher == best), "the best teacher of before is still found");
    assert!(after.iter().all(|(_, _, score)| *score == 0), "{:?}", &after[..3]);
}

/// After many nights, vacuum trims the Delta log up to the checkpoint the oldest kept
/// version is read from: the kept versions read as before, from daryn and from Python's
/// deltalake at their pinned Delta versions, and the next night publishes.
#[test]
fn vacuum_trims_the_delta_log_no_kept_version_reads() {
    let Scene { root: _root, drops, registry, iins } = scene(30);
    // Fourteen nights of region 35, each replacing its children: every table commits
    // each night, so the log passes a checkpoint (every 10 commits) more than once.
    for night in 0..14 {
        let folder = hand_made_drop(&drops, &format!("2026-11-{:02}", night + 1), "35", &iins[night..night + 5]);
        let (code, stdout, _) = ingest(&registry, &["--allow-shrink", "35"], &[&folder]);
        assert_eq!(code, 0, "{stdout}");
    }
    let log = registry.join("tables/children/_delta_log");
    let log_files = || std::fs::read_dir(&log).unwrap().count();
    let before = log_files();
    let current = registry_fingerprint(&registry);
    let children_at = |version: &str| sql_lines(&registry, Some(version), "SELECT iin FROM children ORDER BY iin");
    let (at_13, at_14) = (children_at("13"), children_at("14"));

    let output = daryn(&["vacuum", "--registry", registry.to_str().unwrap(), "--keep", "2"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(log_files() < before, "{} log files, {before} before: {stdout}", log_files());
    assert!(stdout.contains("Delta log files no kept version reads"), "{stdout}");
    assert_eq!(registry_fingerprint(&registry), current);
    assert_eq!((children_at("13"), children_at("14")), (at_13, at_14));
    // The outside reader opens every table at the version the current one pins.
    let script = daryn_tests::workspace_root().join("tests/outside/read_registry.py");
    let outside = std::process::Command::new("python3").arg(&script).arg(&registry).output().unwrap();
    assert!(outside.status.success(), "{}", String::from_utf8_lossy(&outside.stderr));
    let seen: serde_json::Value = serde_json::from_slice(&outside.stdout).unwrap();
    assert_eq!(seen["children"]["by_region"]["35"], 5, "{seen}");

    // `check` opens the kept versions from the checkpoints the trimmed logs start at.
    let output = daryn(&["check", "--registry", registry.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("checked versions 13–14 (the current is 14)"), "{stdout}");

    let folder = hand_made_drop(&drops, "2026-11-20", "35", &iins[20..25]);
    let (code, stdout, _) = ingest(&registry, &["--allow-shrink", "35"], &[&folder]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(sql_lines(&registry, None, "SELECT count(*) FROM children"), ["5"]);
}
