//! Outside readers: the current version's tables read with the Python `deltalake`
//! package, counted with pyarrow and with DuckDB (both installed by `scripts/test.sh`),
//! give the counts daryn published — also after a second run overwrote every region,
//! whose old files are still on disk.

use std::process::Command;

use chrono::NaiveDate;
use daryn_data::generate::{self, FormatChoice, GenerateOptions};

use crate::{allow_every_shrink, daryn};

#[test]
fn python_deltalake_pyarrow_and_duckdb_see_what_daryn_published() {
    let root = tempfile::tempdir().unwrap();
    let registry = root.path().join("registry");
    let report = root.path().join("report.json");
    let mut last_report = serde_json::Value::Null;
    for (date, seed) in [("2026-11-24", 31), ("2026-11-25", 32)] {
        let options = GenerateOptions {
            out: root.path().join("drops"),
            children: 800,
            seed,
            date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
            error_rate: 0.02,
            format: FormatChoice::Mixed,
            classifier: None,
        };
        let day = generate::generate(&options).unwrap().folder;
        let shrinks = allow_every_shrink();
        let mut args = vec!["ingest", "--registry", registry.to_str().unwrap(), "--report", report.to_str().unwrap()];
        args.extend(shrinks.iter().map(String::as_str));
        args.push(day.to_str().unwrap());
        let output = daryn(&args);
        assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
        last_report = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    }
    let script = daryn_tests::workspace_root().join("tests/outside/read_registry.py");
    let output = Command::new("python3").arg(&script).arg(&registry).output().expect("python3 runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let seen: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(seen["version"], 2);
    for table in ["children", "measures", "achievements", "teachers"] {
        let mut expected_total = 0;
        for drop in last_report["drops"].as_array().unwrap() {
            assert_eq!(drop["status"], "published");
            let accepted = drop[table]["accepted"].as_u64().unwrap();
            expected_total += accepted;
            let region = drop["region"].as_str().unwrap();
            assert_eq!(seen[table]["by_region"][region].as_u64().unwrap_or(0), accepted, "{table} of region {region}");
        }
        assert_eq!(seen[table]["pyarrow"].as_u64(), Some(expected_total), "{table} through pyarrow");
        assert_eq!(seen[table]["duckdb"].as_u64(), Some(expected_total), "{table} through DuckDB");
        if table != "teachers" {
            // No child is held by two regions here: the conflict rule leaves every row.
            assert_eq!(seen[table]["current"].as_u64(), Some(expected_total), "{table} after the conflict rule");
        }
    }
    let rejections: u64 = last_report["drops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|drop| drop["rejections"].as_array().unwrap().len() as u64)
        .sum();
    assert_eq!(seen["rejections"]["duckdb"].as_u64(), Some(rejections));
}
