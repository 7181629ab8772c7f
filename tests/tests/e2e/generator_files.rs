//! The drops `daryn generate` writes: byte-identical for one seed, matching their
//! manifests, readable back as the rows the generator made.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::daryn;
use calamine::{Reader, open_workbook_auto};
use chrono::NaiveDate;
use daryn_data::generate::{self, FormatChoice, GenerateOptions, Layout};
use daryn_registry::form::TableKind;
use daryn_registry::{Region, RegionCode};
use daryn_tests::decode_text;
use sha2::{Digest, Sha256};

fn generate_into(dir: &Path, seed: &str, format: &str) {
    let output = daryn(&[
        "generate",
        "--out",
        dir.to_str().unwrap(),
        "--children",
        "1500",
        "--seed",
        seed,
        "--date",
        "2026-11-25",
        "--error-rate",
        "0.03",
        "--format",
        format,
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

fn all_files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(path.strip_prefix(dir).unwrap().to_owned(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

#[test]
fn the_same_seed_gives_byte_identical_drops() {
    let root = tempfile::tempdir().unwrap();
    let (first, second, other) = (root.path().join("a"), root.path().join("b"), root.path().join("c"));
    generate_into(&first, "7", "mixed");
    generate_into(&second, "7", "mixed");
    generate_into(&other, "8", "mixed");
    let first_files = all_files(&first);
    assert!(first_files.len() > 40, "{} files", first_files.len());
    assert!(first_files.keys().any(|path| path.extension().is_some_and(|ext| ext == "xlsx")));
    assert_eq!(first_files, all_files(&second));
    assert_ne!(first_files, all_files(&other));
}

/// Finds the delimiter that splits the header into the most known columns.
fn read_csv(text: &str, table: TableKind) -> (Vec<Option<usize>>, Vec<Vec<String>>) {
    let definition = table.definition();
    type Candidate = (usize, Vec<Option<usize>>, Vec<Vec<String>>);
    let mut best: Option<Candidate> = None;
    for delimiter in [b',', b';', b'\t'] {
        let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
        let headers: Vec<Option<usize>> =
            reader.headers().unwrap().iter().map(|header| definition.column_for_header(header)).collect();
        let known = headers.iter().flatten().count();
        if best.as_ref().is_none_or(|(count, _, _)| known > *count) {
            let rows = reader.records().map(|record| record.unwrap().iter().map(str::to_owned).collect()).collect();
            best = Some((known, headers, rows));
        }
    }
    let (_, headers, rows) = best.unwrap();
    (headers, rows)
}

/// The columns that tell one row of a table from another as the coordinator sees them.
fn key_columns(table: TableKind) -> [&'static str; 2] {
    match table {
        TableKind::Children => ["iin", "last_name"],
        TableKind::Measures => ["iin", "title"],
        TableKind::Achievements => ["iin", "event_name"],
        TableKind::Teachers => ["teacher_id", "last_name"],
    }
}

/// A value with its IIN's leading zero restored when a numeric cell lost it; any other
/// value as it is.
fn digits_as_iin(value: &str) -> String {
    let value = value.trim();
    if value.len() == 11 && value.bytes().all(|byte| byte.is_ascii_digit()) {
        format!("0{value}")
    } else {
        value.to_owned()
    }
}

#[test]
fn drops_match_their_manifests_and_read_back_as_generated() {
    let root = tempfile::tempdir().unwrap();
    generate_into(root.path(), "11", "mixed");
    let day = root.path().join("2026-11-25");
    let options = GenerateOptions {
        out: root.path().to_owned(),
        children: 1500,
        seed: 11,
        date: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
        error_rate: 0.03,
        format: FormatChoice::Mixed,
        classifier: None,
    };
    let mut manifests = 0;
    for region in Region::all() {
        let folder = [region.code.to_string(), region.code.kato().to_string()]
            .iter()
            .map(|name| day.join(name))
            .find(|path| path.exists())
            .unwrap_or_else(|| panic!("no folder for region {}", region.code));
        let (memory, style, _, _) = generate::generate_region_in_memory(&options, region.code).unwrap();
        let manifest_path = folder.join("manifest.json");
        if manifest_path.exists() {
            manifests += 1;
            let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
            assert_eq!(RegionCode::parse(manifest["region"].as_str().unwrap()), Some(region.code));
            for (name, listed) in manifest["files"].as_object().unwrap() {
                let bytes = std::fs::read(folder.join(name)).unwrap();
                assert_eq!(listed["sha256"].as_str().unwrap(), hex::encode(Sha256::digest(&bytes)), "{name}");
            }
        }
        match style.layout {
            Layout::Csv => {
                for table in TableKind::ALL {
                    let text = decode_text(&std::fs::read(folder.join(format!("{}.csv", table.name()))).unwrap());
                    let (headers, rows) = read_csv(&text, table);
                    let expected = match table {
                        TableKind::Children => &memory.rows.children,
                        TableKind::Measures => &memory.rows.measures,
                        TableKind::Achievements => &memory.rows.achievements,
                        TableKind::Teachers => &memory.rows.teachers,
                    };
                    assert_eq!(headers.iter().flatten().count(), table.definition().columns.len(), "{table} headers");
                    assert_eq!(rows.len(), expected.len(), "{table} rows of region {}", region.code);
                    for (row, cells) in rows.iter().zip(expected) {
                        for (position, column) in headers.iter().enumerate() {
                            if let Some(column) = column {
                                assert_eq!(row[position], cells[*column].display(), "{table} region {}", region.code);
                            }
                        }
                    }
                    if let Ok(manifest) = std::fs::read(&manifest_path) {
                        let manifest: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
                        assert_eq!(
                            manifest["files"][format!("{}.csv", table.name())]["rows"].as_u64(),
                            Some(rows.len() as u64)
                        );
                    }
                }
            }
            Layout::XlsxFiles | Layout::XlsxWorkbook => {
                let books: Vec<PathBuf> = if style.layout == Layout::XlsxWorkbook {
                    vec![folder.join("roadmap.xlsx")]
                } else {
                    TableKind::ALL.iter().map(|table| folder.join(format!("{}.xlsx", table.name()))).collect()
                };
                for book in books {
                    let mut workbook = open_workbook_auto(&book).unwrap();
                    for sheet in workbook.sheet_names() {
                        let table = TableKind::from_sheet_name(&sheet).unwrap_or_else(|| panic!("sheet `{sheet}`"));
                        let range = workbook.worksheet_range(&sheet).unwrap();
                        let rows: Vec<_> = range.rows().collect();
                        // The header is the first row whose cells name the form's columns.
                        let header_at = rows
                            .iter()
                            .position(|row| {
                                row.iter()
                                    .filter(|cell| table.definition().column_for_header(&cell.to_string()).is_some())
                                    .count()
                                    >= 3
                            })
                            .expect("a header row");
                        let expected = match table {
                            TableKind::Children => &memory.rows.children,
                            TableKind::Measures => &memory.rows.measures,
                            TableKind::Achievements => &memory.rows.achievements,
                            TableKind::Teachers => &memory.rows.teachers,
                        };
                        let data = &rows[header_at + 1..];
                        assert_eq!(data.len(), expected.len(), "{} {sheet}", book.display());
                        // Each row's identifying columns, as written, in order: its IIN (in a
                        // text or a numeric cell) and the text that names it.
                        let definition = table.definition();
                        for name in key_columns(table) {
                            let at = rows[header_at]
                                .iter()
                                .position(|cell| {
                                    definition.column_for_header(&cell.to_string()) == Some(definition.index(name))
                                })
                                .unwrap_or_else(|| panic!("{sheet} has no `{name}`"));
                            let column = definition.index(name);
                            for (row, cells) in data.iter().zip(expected) {
                                let written = match &row[at] {
                                    calamine::Data::Float(number) => format!("{}", *number as i64),
                                    other => other.to_string(),
                                };
                                assert_eq!(
                                    digits_as_iin(&written),
                                    digits_as_iin(&cells[column].display()),
                                    "{} {sheet} `{name}`",
                                    book.display()
                                );
                            }
                        }
                    }
                }
            }
            Layout::Jsonl => {
                let text = std::fs::read_to_string(folder.join("roadmap.jsonl")).unwrap();
                let lines: Vec<serde_json::Value> =
                    text.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
                assert_eq!(lines.len(), memory.rows.children.len());
                let measures: usize = lines.iter().map(|line| line["measures"].as_array().unwrap().len()).sum();
                assert_eq!(measures, memory.rows.measures.len());
                // Each line is its child, and its measures are the child's, in order.
                let text = |value: &serde_json::Value| match value {
                    serde_json::Value::String(text) => text.clone(),
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                };
                let column = |table: TableKind, name: &str| table.definition().index(name);
                let mut measures = memory.rows.measures.iter();
                for (line, child) in lines.iter().zip(&memory.rows.children) {
                    for name in key_columns(TableKind::Children) {
                        assert_eq!(
                            digits_as_iin(&text(&line[name])),
                            digits_as_iin(&child[column(TableKind::Children, name)].display()),
                            "`{name}`"
                        );
                    }
                    for nested in line["measures"].as_array().unwrap() {
                        let measure = measures.next().unwrap();
                        let title = column(TableKind::Measures, "title");
                        assert_eq!(text(&nested["title"]), measure[title].display());
                    }
                }
                assert!(
                    lines.iter().all(|line| line["measures"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|m| m.get("iin").is_none()))
                );
            }
        }
    }
    assert!(manifests >= 10, "most regions send a manifest ({manifests})");
    let truth = std::fs::read_to_string(day.join("truth.jsonl")).unwrap();
    assert!(truth.lines().count() > 50);
}
