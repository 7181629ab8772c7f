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

fn ingest(registry: &Path, extra: &[&str], paths: &[&Path]) -> (i32, String, serde_json::Value) {
    let report = registry.with_extension("report.json");
    let mut args = vec!["ingest", "--registry", registry.to_str().unwrap(), "--report", report.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.extend(paths.iter().map(|path| path.to_str().unwrap()));
    let output = daryn(&args);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let code = output.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 1 || code == 2, "{}\n{}", stdout, String::from_utf8_lossy(&output.stderr));
    let report = serde_json::from_slice(&std::fs::read(&report).unwrap_or_default()).unwrap_or(serde_json::Value::Null);
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
            .any(|line| line.split(',').any(|field| field.len() == 12 && field.bytes().all(|b| b.is_ascii_digit())))
    );

    // The published counts are what the generator made, less what was rejected.
    let fingerprint = registry_fingerprint(&registry);
    let again = ingest(&registry, &[], &[&day]);
    assert_eq!(again.0, 0, "an identical re-send is a clean no-op: {}", again.1);
    assert!(again.1.contains("nothing changed; the registry stays at version 1"));
    assert!(statuses(&again.2).iter().all(|(_, status, _)| status == "unchanged"));
    assert_eq!(registry_fingerprint(&registry), fingerprint);
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
}

#[test]
fn a_drop_with_most_children_rejected_is_refused_whole() {
    let root = tempfile::tempdir().unwrap();
    let folder = root.path().join("2026-11-25").join("35");
    std::fs::create_dir_all(&folder).unwrap();
    // Three children, two of them broken (a bad IIN, a grade of 99): two thirds rejected.
    let header = "iin;last_name;first_name;birth_date;district;area_type;school_code;school_name;grade;large_family;low_income;talent_domains;disciplines;identified_on;identification_method;coordinator";
    let row = |iin: &str, grade: &str| {
        format!(
            "{iin};Әлиева;Аружан;05.01.2010;351600000;ауыл;S1;Мектеп;{grade};жоқ;жоқ;science;math;2022-09-01;olympiad;К. А."
        )
    };
    // 100105600010 is valid (see the registry's rule tests); 100105600011 is not.
    let text =
        [header.to_owned(), row("100105600010", "9"), row("100105600011", "9"), row("090807500016", "99")].join("\n");
    std::fs::write(folder.join("children.csv"), text).unwrap();
    let registry = root.path().join("registry");
    let (code, stdout, report) = ingest(&registry, &[], &[&folder]);
    assert_eq!(code, 1, "{stdout}");
    let drop = &report["drops"][0];
    assert_eq!(drop["refusal"]["code"], "too_many_rejected");
    assert_eq!(drop["children"]["rejected"], 2);
    assert_eq!(drop["rejections"].as_array().unwrap().len(), 2);
}
