//! The readers against the generator: every region's drop, in every layout the generator
//! writes (CSV in three encodings and three delimiters, per-table workbooks, one
//! workbook, nested JSONL), read back from disk must give exactly the rows the generator
//! produced in memory, at the locations its truth file names, with file statistics that
//! agree with the region's `manifest.json`.
//!
//! `cargo test -p daryn-ingest --test readers`. The readers' speed is measured by
//! `scripts/bench-ingest.sh`, never here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use daryn_data::generate::{FormatChoice, GenerateOptions, Layout, generate, generate_region_in_memory, styles};
use daryn_ingest::read::{DropContent, DropSource, compare_manifest, discover, read_drop};
use daryn_registry::cell::{Cell, list_items};
use daryn_registry::form::{ColumnType, TableKind};

fn options(out: &Path, children: u64, seed: u64, format: FormatChoice) -> GenerateOptions {
    GenerateOptions {
        out: out.to_owned(),
        children,
        seed,
        date: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
        error_rate: 0.05,
        format,
        classifier: None,
    }
}

/// The first seed whose regions, between them, use every layout, UTF-16 and tab-separated
/// CSV, title rows, an unknown extra column and drops without a manifest.
fn covering_seed() -> u64 {
    (1..200)
        .find(|&seed| {
            let styles = styles(&options(Path::new("."), 1, seed, FormatChoice::Mixed));
            let any = |test: &dyn Fn(&daryn_data::generate::Style) -> bool| styles.iter().any(|(_, style)| test(style));
            let layouts: BTreeSet<String> = styles.iter().map(|(_, style)| format!("{:?}", style.layout)).collect();
            layouts.len() == 4
                && any(&|style| style.layout == Layout::Csv && format!("{:?}", style.encoding) == "Utf16Bom")
                && any(&|style| style.layout == Layout::Csv && style.delimiter == b'\t')
                && any(&|style| style.is_workbook() && style.title_rows > 0 && style.iin_as_number)
                && any(&|style| style.layout == Layout::XlsxWorkbook && style.title_rows > 0)
                && any(&|style| style.extra_column && style.header_upper)
                && any(&|style| !style.manifest)
        })
        .expect("a seed in 1..200 covers every shape")
}

/// Whether a cell read back is the one the generator wrote: equal, type and all (CSV
/// text, workbook numbers, date cells and booleans, JSONL numbers and booleans). The
/// one exception is JSONL's lists, written as arrays: their items must be equal, the
/// separator the generator used is not kept.
fn same_cell(expected: &Cell, actual: &Cell, column_type: ColumnType, layout: Layout) -> bool {
    let list = matches!(column_type, ColumnType::List | ColumnType::EnumList(_));
    expected == actual || (layout == Layout::Jsonl && list && list_items(expected) == list_items(actual))
}

fn compare_region(source: &DropSource, content: &DropContent, options: &GenerateOptions) {
    let (sink, style, truth, _) = generate_region_in_memory(options, source.region).unwrap();
    let expected = [&sink.rows.children, &sink.rows.measures, &sink.rows.achievements, &sink.rows.teachers];
    for (table, expected_rows) in TableKind::ALL.into_iter().zip(expected) {
        let read = content.table(table);
        let region = source.region;
        assert!(table != TableKind::Children || !read.is_empty(), "region {region} has children");
        assert_eq!(read.rows.len(), expected_rows.len(), "region {region} `{table}` ({:?})", style.layout);
        let columns = table.definition().columns;
        for (index, (expected_row, actual_row)) in expected_rows.iter().zip(&read.rows).enumerate() {
            for ((column, expected), actual) in columns.iter().zip(expected_row).zip(actual_row) {
                assert!(
                    same_cell(expected, actual, column.column_type, style.layout),
                    "region {region} `{table}` record {index} `{}`: wrote {expected:?}, read {actual:?} ({:?})",
                    column.name,
                    style.layout
                );
            }
        }
        for (index, location) in read.locations.iter().enumerate() {
            let nested = location.nested.is_some();
            match style.layout {
                Layout::Jsonl => assert!(location.line.is_none() && (nested || table == TableKind::Children)),
                Layout::Csv => assert!(location.row == index as u64 + 2 && location.line >= Some(location.row)),
                Layout::XlsxFiles | Layout::XlsxWorkbook => {
                    assert_eq!(location.row, index as u64 + 2);
                    assert_eq!(location.line, Some(location.row + u64::from(style.title_rows)));
                }
            }
        }
    }
    assert!(content.broken.is_empty(), "{:?}", content.broken);
    let extra_reported = content.unknown_columns.iter().any(|column| column.header == "Ескерту / Примечание");
    assert_eq!(extra_reported, style.extra_column, "region {}", source.region);
    assert_eq!(content.unknown_columns.len(), usize::from(style.extra_column));

    // Every injected error is found where the truth file says.
    for entry in &truth {
        let table = TableKind::from_sheet_name(entry.table).unwrap();
        let location = &content.table(table).locations[entry.record as usize];
        assert_eq!(&*location.file, entry.file, "{entry:?}");
        assert_eq!(location.sheet.as_deref(), entry.sheet.as_deref(), "{entry:?}");
        assert_eq!(location.row, entry.row, "{entry:?}");
        if let Some(nested) = location.nested {
            assert!(entry.column.starts_with(&format!("{nested}.")), "{entry:?} at {nested}");
        }
    }

    match (&source.manifest, style.manifest) {
        (Some(manifest), true) => assert_eq!(compare_manifest(manifest, content), None, "region {}", source.region),
        (None, false) => {}
        (manifest, _) => panic!("region {}: manifest {manifest:?}, error {:?}", source.region, source.manifest_error),
    }
    assert!(source.manifest_error.is_none());
}

#[test]
fn every_generated_drop_reads_back_as_generated() {
    let dir = tempfile::tempdir().unwrap();
    let options = options(dir.path(), 1500, covering_seed(), FormatChoice::Mixed);
    let summary = generate(&options).unwrap();
    let drops = discover(std::slice::from_ref(&summary.folder)).unwrap();
    assert_eq!(drops.len(), 20, "truth.jsonl and the like are not drops");
    for source in &drops {
        assert_eq!(source.folder_date, Some(options.date));
        let exported_at = source.exported_at().unwrap();
        if source.manifest.is_none() {
            assert_eq!(exported_at.to_rfc3339(), "2026-11-25T00:00:00+05:00");
        }
        let content = read_drop(source).unwrap();
        compare_region(source, &content, &options);
    }
}

#[test]
fn a_region_folder_can_be_given_alone_and_bad_paths_are_not_drops() {
    let dir = tempfile::tempdir().unwrap();
    let options = options(dir.path(), 100, 3, FormatChoice::Jsonl);
    let summary = generate(&options).unwrap();
    let region_folder: PathBuf = summary.regions[0].folder.clone();
    let drops = discover(std::slice::from_ref(&region_folder)).unwrap();
    assert_eq!(drops.len(), 1);
    assert_eq!(drops[0].folder_date, Some(options.date));

    let not_a_drop = dir.path().join("notes");
    std::fs::create_dir(&not_a_drop).unwrap();
    assert_eq!(discover(&[not_a_drop]).unwrap_err().code(), "not_a_drop");
    assert_eq!(discover(&[dir.path().join("missing")]).unwrap_err().code(), "io");
    let unknown_region = dir.path().join("99");
    std::fs::create_dir(&unknown_region).unwrap();
    assert_eq!(discover(&[unknown_region]).unwrap_err().code(), "not_a_drop");
}

#[test]
fn a_manifest_for_another_region_or_changed_files_refuse_the_drop() {
    let dir = tempfile::tempdir().unwrap();
    let options = options(dir.path(), 200, 5, FormatChoice::Csv);
    let summary = generate(&options).unwrap();
    let with_manifest: Vec<&PathBuf> =
        summary.regions.iter().filter(|region| region.exported_at.is_some()).map(|region| &region.folder).collect();
    let (first, second) = (with_manifest[0], with_manifest[1]);

    // Another region's manifest.
    std::fs::copy(second.join("manifest.json"), first.join("manifest.json")).unwrap();
    let source = DropSource::open(first).unwrap();
    assert!(source.manifest.is_none());
    assert_eq!(source.manifest_error.as_ref().map(|error| error.code()), Some("manifest_invalid"));
    assert_eq!(source.exported_at(), None, "an invalid manifest leaves the export time unknown");

    // A file changed after the export.
    let source = DropSource::open(second).unwrap();
    let manifest = source.manifest.clone().unwrap();
    let mut bytes = std::fs::read(second.join("teachers.csv")).unwrap();
    bytes.extend_from_slice(b"\r\n");
    std::fs::write(second.join("teachers.csv"), bytes).unwrap();
    let content = read_drop(&source).unwrap();
    let mismatch = compare_manifest(&manifest, &content).unwrap();
    assert_eq!(mismatch.file, "teachers.csv");
    assert_eq!(mismatch.code(), "manifest_mismatch");
}

/// A workbook the fuzz target made: a generated drop's `roadmap.xlsx` with one cell
/// reference changed so that calamine's row arithmetic overflows. The drop is refused as
/// unreadable, with the file named; nothing panics.
#[test]
fn a_workbook_that_breaks_the_xlsx_library_is_an_unreadable_file() {
    let bytes = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/calamine-overflow.xlsx")).unwrap();
    let Err(error) = daryn_ingest::read::read_drop_files(Path::new("35"), vec![("roadmap.xlsx".to_owned(), bytes)])
    else {
        panic!("the workbook was read");
    };
    assert_eq!(error.code(), "table_unreadable");
    assert!(error.to_string().contains("roadmap.xlsx") && error.to_string().contains("malformed"), "{error}");
}
