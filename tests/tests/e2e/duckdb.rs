//! The cross-check: `item1`, `coverage` (all years and one year) and `top-teachers`
//! from daryn equal what DuckDB (PyPI, installed by `scripts/test.sh`) answers with its
//! own SQL (`tests/outside/reports_duckdb.py`) over the same registry version, exported
//! to Parquet by `daryn sql --format parquet`.

use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use daryn_data::generate::{self, FormatChoice, GenerateOptions};

use crate::daryn;

/// A report's rows as JSON values, in the order of `columns`.
fn report_json(registry: &Path, args: &[&str], columns: &[&str]) -> Vec<Vec<serde_json::Value>> {
    let mut full = vec!["report"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--registry", registry.to_str().unwrap(), "--format", "json"]);
    let output = daryn(&full);
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    let rows: Vec<serde_json::Map<String, serde_json::Value>> = serde_json::from_slice(&output.stdout).unwrap();
    assert!(rows.iter().all(|row| row.len() == columns.len()), "{args:?}: columns other than {columns:?}");
    rows.iter().map(|row| columns.iter().map(|column| row[*column].clone()).collect()).collect()
}

/// Numbers compared as numbers (DuckDB and arrow-json may write 20 and 20.0).
fn same(left: &serde_json::Value, right: &serde_json::Value) -> bool {
    match (left.as_f64(), right.as_f64()) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        _ => left == right,
    }
}

fn assert_same_rows(name: &str, daryn_rows: &[Vec<serde_json::Value>], duckdb_rows: &serde_json::Value) {
    let duckdb_rows = duckdb_rows.as_array().unwrap();
    assert_eq!(daryn_rows.len(), duckdb_rows.len(), "{name}: row counts");
    for (index, (ours, theirs)) in daryn_rows.iter().zip(duckdb_rows).enumerate() {
        let theirs = theirs.as_array().unwrap();
        assert_eq!(ours.len(), theirs.len(), "{name} row {index}: widths");
        assert!(
            ours.iter().zip(theirs).all(|(a, b)| same(a, b)),
            "{name} row {index}: daryn {ours:?}, DuckDB {theirs:?}"
        );
    }
}

#[test]
fn item1_coverage_and_top_teachers_agree_with_duckdb() {
    let root = tempfile::tempdir().unwrap();
    let options = GenerateOptions {
        out: root.path().join("drops"),
        children: 3000,
        seed: 41,
        date: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
        error_rate: 0.0,
        format: FormatChoice::Mixed,
        classifier: None,
    };
    let day = generate::generate(&options).unwrap().folder;
    let registry = root.path().join("registry");
    let ingest = daryn(&["ingest", "--registry", registry.to_str().unwrap(), day.to_str().unwrap()]);
    assert!(matches!(ingest.status.code(), Some(0 | 2)), "{}", String::from_utf8_lossy(&ingest.stderr));

    let export = root.path().join("export");
    std::fs::create_dir_all(&export).unwrap();
    for table in ["children", "measures", "achievements", "teachers", "regions", "measure_types", "achievement_weights"]
    {
        let file = export.join(format!("{table}.parquet"));
        let output = daryn(&[
            "sql",
            "--registry",
            registry.to_str().unwrap(),
            "--format",
            "parquet",
            "-o",
            file.to_str().unwrap(),
            &format!("SELECT * FROM {table}"),
        ]);
        assert!(output.status.success(), "{table}: {}", String::from_utf8_lossy(&output.stderr));
    }

    let script = daryn_tests::workspace_root().join("tests/outside/reports_duckdb.py");
    let output = Command::new("python3").arg(&script).arg(&export).arg("2025").output().expect("python3 runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let duckdb: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();

    let item1_columns = ["region_kato", "region_name", "rural_gifted", "urban_large_or_low_income_gifted", "total"];
    let coverage_columns = ["region_kato", "item", "covered", "registered", "percent"];
    let teacher_columns = ["rank", "teacher_id", "last_name", "first_name", "region_kato", "score", "achievements"];
    let item1 = report_json(&registry, &["item1"], &item1_columns);
    assert!(item1.last().unwrap()[4].as_u64().unwrap() > 2000, "the check is on real numbers");
    assert_same_rows("item1", &item1, &duckdb["item1"]);
    assert_same_rows("coverage", &report_json(&registry, &["coverage"], &coverage_columns), &duckdb["coverage"]);
    assert_same_rows(
        "coverage 2025",
        &report_json(&registry, &["coverage", "--year", "2025"], &coverage_columns),
        &duckdb["coverage_year"],
    );
    let teachers = report_json(&registry, &["top-teachers"], &teacher_columns);
    assert!(teachers.len() > 20, "a ranking worth comparing: {} teachers", teachers.len());
    assert_same_rows("top-teachers", &teachers, &duckdb["top_teachers"]);
}
