//! Round trips through a real file: each test writes a template into a temporary
//! directory and reads it back with calamine. Data validations and column formats are
//! not exposed by calamine, so those tests read the worksheet XML out of the archive
//! with the `zip` crate.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, SheetVisible, Xlsx, open_workbook};
use daryn_registry::form::{ColumnType, TableKind};
use daryn_registry::{Lang, RejectCode};
use rust_xlsxwriter::utility::column_number_to_name;

use super::{LAST_TEMPLATE_ROW, LISTS_SHEET_NAME, explanation_sheet_name, write_template};

/// A template written into its own temporary directory, removed on drop.
struct WrittenTemplate {
    _directory: tempfile::TempDir,
    path: PathBuf,
}

fn write(lang: Lang) -> WrittenTemplate {
    let directory = tempfile::tempdir().expect("temporary directory");
    let path = directory.path().join(format!("roadmap-{}.xlsx", lang.code()));
    write_template(lang, &path).expect("the template is written");
    WrittenTemplate { _directory: directory, path }
}

fn open(path: &Path) -> Xlsx<BufReader<File>> {
    open_workbook(path).expect("calamine opens the template")
}

/// Every row of a sheet as strings, empty cells as "".
fn sheet_rows(workbook: &mut Xlsx<BufReader<File>>, sheet_name: &str) -> Vec<Vec<String>> {
    let range = workbook.worksheet_range(sheet_name).expect("the sheet exists");
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::String(text) => text.clone(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// One file of the XLSX archive (a zip), as text.
fn archive_member(path: &Path, member: &str) -> String {
    let file = std::fs::File::open(path).expect("the workbook opens");
    let mut archive = zip::ZipArchive::new(file).expect("the workbook is a zip archive");
    let mut entry = archive.by_name(member).unwrap_or_else(|_| panic!("no `{member}` in {}", path.display()));
    let mut text = String::new();
    std::io::Read::read_to_string(&mut entry, &mut text).expect("the XML is UTF-8");
    text
}

/// The worksheet XML of a table's sheet: the explanation sheet is `sheet1.xml`, the
/// tables follow in `TableKind::ALL` order.
fn table_sheet_xml(path: &Path, table: TableKind) -> String {
    let position = TableKind::ALL.iter().position(|&kind| kind == table).expect("a table");
    archive_member(path, &format!("xl/worksheets/sheet{}.xml", position + 2))
}

fn unescape_xml(text: &str) -> String {
    text.replace("&quot;", "\"").replace("&apos;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// The value of `name="…"` in an element's opening tag, given from just after the
/// element name (`<col ` split off) to anywhere past the tag.
fn attribute(element: &str, name: &str) -> Option<String> {
    let opening_tag = format!(" {}", &element[..element.find('>').unwrap_or(element.len())]);
    let marker = format!(" {name}=\"");
    let start = opening_tag.find(&marker)? + marker.len();
    let length = opening_tag[start..].find('"')?;
    Some(unescape_xml(&opening_tag[start..start + length]))
}

/// A `<dataValidation>` of a worksheet: its opening tag and its `formula1`, if any.
struct XmlValidation {
    element: String,
    formula: Option<String>,
}

/// The data validation covering exactly the data rows of one column.
fn validation_of_column(worksheet_xml: &str, column_index: usize) -> Option<XmlValidation> {
    let column_letter = column_number_to_name(u16::try_from(column_index).expect("a column"));
    let wanted_range = format!("{column_letter}2:{column_letter}{LAST_TEMPLATE_ROW}");
    worksheet_xml.split("<dataValidation ").skip(1).find_map(|element| {
        let element = &element[..element.find("</dataValidation>").unwrap_or(element.len())];
        if attribute(element, "sqref").as_deref() != Some(wanted_range.as_str()) {
            return None;
        }
        let formula = element
            .split_once("<formula1>")
            .and_then(|(_, rest)| rest.split_once("</formula1>").map(|(formula, _)| unescape_xml(formula)));
        Some(XmlValidation { element: element.to_string(), formula })
    })
}

/// The number format of a whole column, resolved through `styles.xml`.
fn column_number_format(path: &Path, table: TableKind, column_index: usize) -> String {
    let worksheet_xml = table_sheet_xml(path, table);
    let excel_column = column_index + 1;
    let style_index: usize = worksheet_xml
        .split("<col ")
        .skip(1)
        .find_map(|element| {
            let first: usize = attribute(element, "min")?.parse().ok()?;
            let last: usize = attribute(element, "max")?.parse().ok()?;
            (first..=last).contains(&excel_column).then(|| attribute(element, "style"))?
        })
        .map_or(0, |style| style.parse().expect("a style index"));

    let styles_xml = archive_member(path, "xl/styles.xml");
    let (_, cell_formats) = styles_xml.split_once("<cellXfs").expect("cellXfs in styles.xml");
    let (cell_formats, _) = cell_formats.split_once("</cellXfs>").expect("cellXfs ends");
    let cell_format = cell_formats.split("<xf ").nth(style_index + 1).expect("the style exists");
    let number_format_id = attribute(cell_format, "numFmtId").expect("numFmtId");
    match number_format_id.as_str() {
        "0" => "General".to_string(),
        "1" => "0".to_string(),
        "4" => "#,##0.00".to_string(),
        "49" => "@".to_string(),
        custom_id => styles_xml
            .split("<numFmt ")
            .skip(1)
            .find(|element| attribute(element, "numFmtId").as_deref() == Some(custom_id))
            .and_then(|element| attribute(element, "formatCode"))
            .unwrap_or_else(|| panic!("number format {custom_id} is not defined")),
    }
}

#[test]
fn sheets_are_the_explanation_then_the_four_tables_in_each_language() {
    for lang in Lang::ALL {
        let template = write(lang);
        let workbook = open(&template.path);
        let sheet_names = workbook.sheet_names();

        let mut expected = vec![explanation_sheet_name(lang).to_string()];
        expected.extend(TableKind::ALL.iter().map(|table| table.sheet_name(lang).to_string()));
        assert_eq!(sheet_names[..expected.len()], expected[..], "{lang:?}");
        for (table, sheet_name) in TableKind::ALL.iter().zip(&sheet_names[1..]) {
            assert_eq!(TableKind::from_sheet_name(sheet_name), Some(*table), "{lang:?}");
        }
        assert_eq!(TableKind::from_sheet_name(&sheet_names[0]), None, "{lang:?}");

        let extra_sheets = &workbook.sheets_metadata()[expected.len()..];
        assert!(extra_sheets.len() <= 1, "{lang:?}: {sheet_names:?}");
        for extra_sheet in extra_sheets {
            assert_eq!(extra_sheet.name, LISTS_SHEET_NAME);
            assert_eq!(extra_sheet.visible, SheetVisible::Hidden);
        }
    }
}

#[test]
fn header_rows_map_back_to_the_form_columns_in_order() {
    for lang in Lang::ALL {
        let template = write(lang);
        let mut workbook = open(&template.path);
        for table in TableKind::ALL {
            let definition = table.definition();
            let rows = sheet_rows(&mut workbook, table.sheet_name(lang));
            assert_eq!(rows.len(), 1, "{lang:?} {table}: only the header row is written");
            let mapped: Vec<Option<usize>> =
                rows[0].iter().map(|header| definition.column_for_header(header)).collect();
            let expected: Vec<Option<usize>> = (0..definition.columns.len()).map(Some).collect();
            assert_eq!(mapped, expected, "{lang:?} {table}: {:?}", rows[0]);
        }
    }
}

#[test]
fn explanation_sheet_lists_every_header_and_allowed_word() {
    for lang in Lang::ALL {
        let template = write(lang);
        let mut workbook = open(&template.path);
        let rows = sheet_rows(&mut workbook, explanation_sheet_name(lang));
        for table in TableKind::ALL {
            for column in table.definition().columns {
                let explained = rows.iter().any(|row| {
                    row.len() >= 4
                        && row[0] == table.sheet_name(lang)
                        && row[1] == column.header(lang)
                        && row[3] == column.help.get(lang)
                });
                assert!(explained, "{lang:?} {table}: `{}` is not explained", column.header(lang));
            }
        }
        for column in TableKind::ALL.iter().flat_map(|table| table.definition().columns) {
            if let ColumnType::Enum(vocabulary) | ColumnType::EnumList(vocabulary) = column.column_type {
                let allowed_words = vocabulary.words(lang).join(", ");
                assert!(
                    rows.iter().any(|row| row.get(4) == Some(&allowed_words)),
                    "{lang:?}: the words of `{}` are not listed",
                    column.name
                );
            }
        }
    }
}

#[test]
fn kazakh_area_type_is_a_drop_down_list_offering_auyl() {
    let template = write(Lang::Kk);
    let children_xml = table_sheet_xml(&template.path, TableKind::Children);
    let area_type = TableKind::Children.definition().index("area_type");
    let validation = validation_of_column(&children_xml, area_type).expect("a validation on area_type");
    assert_eq!(attribute(&validation.element, "type").as_deref(), Some("list"));
    let formula = validation.formula.expect("the list");
    assert!(formula.contains("ауыл") && formula.contains("қала"), "{formula}");
}

#[test]
fn every_enum_column_offers_exactly_its_words() {
    for lang in Lang::ALL {
        let template = write(lang);
        let mut workbook = open(&template.path);
        for table in TableKind::ALL {
            let worksheet_xml = table_sheet_xml(&template.path, table);
            for (column_index, column) in table.definition().columns.iter().enumerate() {
                let ColumnType::Enum(vocabulary) = column.column_type else {
                    continue;
                };
                let context = format!("{lang:?} {table}.{}", column.name);
                let validation = validation_of_column(&worksheet_xml, column_index)
                    .unwrap_or_else(|| panic!("{context}: no data validation"));
                assert_eq!(attribute(&validation.element, "type").as_deref(), Some("list"), "{context}");
                let formula = validation.formula.unwrap_or_else(|| panic!("{context}: no list"));

                let offered: Vec<String> = if let Some(inline) = formula.strip_prefix('"') {
                    let inline = inline.strip_suffix('"').expect("a quoted list");
                    inline.split(',').map(|word| word.replace("\"\"", "\"")).collect()
                } else {
                    let expected_prefix = format!("{LISTS_SHEET_NAME}!$");
                    assert!(formula.starts_with(&expected_prefix), "{context}: {formula}");
                    lists_sheet_words(&mut workbook, &formula)
                };
                assert_eq!(offered, vocabulary.words(lang), "{context}");
            }
        }
    }
}

/// The words a `lists!$B$1:$B$14` range holds.
fn lists_sheet_words(workbook: &mut Xlsx<BufReader<File>>, range: &str) -> Vec<String> {
    let (_, cells) = range.split_once('!').expect("a sheet range");
    let cells = cells.replace('$', "");
    let (first_cell, last_cell) = cells.split_once(':').expect("a range");
    let column_letters: String = first_cell.chars().take_while(char::is_ascii_alphabetic).collect();
    assert_eq!(last_cell.chars().take_while(char::is_ascii_alphabetic).collect::<String>(), column_letters);
    let column_index =
        (0u16..).find(|&index| column_number_to_name(index) == column_letters).expect("a column") as usize;
    let first_row: usize = first_cell[column_letters.len()..].parse().expect("a row");
    let last_row: usize = last_cell[column_letters.len()..].parse().expect("a row");
    let rows = sheet_rows(workbook, LISTS_SHEET_NAME);
    let words: Vec<String> = (first_row..=last_row).map(|row| rows[row - 1][column_index].clone()).collect();
    words
}

#[test]
fn multi_valued_columns_get_a_prompt_not_a_strict_list() {
    for lang in Lang::ALL {
        let template = write(lang);
        for table in TableKind::ALL {
            let worksheet_xml = table_sheet_xml(&template.path, table);
            for (column_index, column) in table.definition().columns.iter().enumerate() {
                let ColumnType::EnumList(vocabulary) = column.column_type else {
                    continue;
                };
                let context = format!("{lang:?} {table}.{}", column.name);
                let validation = validation_of_column(&worksheet_xml, column_index)
                    .unwrap_or_else(|| panic!("{context}: no prompt"));
                assert_eq!(attribute(&validation.element, "type"), None, "{context}: must not restrict");
                let prompt = attribute(&validation.element, "prompt").expect("a prompt");
                for word in vocabulary.words(lang) {
                    assert!(prompt.contains(word), "{context}: `{word}` missing from `{prompt}`");
                }
            }
        }
    }
}

#[test]
fn excel_checks_grades_and_iins_as_they_are_typed_to_the_last_row() {
    for lang in Lang::ALL {
        let template = write(lang);
        let children_xml = table_sheet_xml(&template.path, TableKind::Children);
        let children = TableKind::Children.definition();
        let grade = validation_of_column(&children_xml, children.index("grade")).expect("a check on grade");
        assert_eq!(attribute(&grade.element, "type").as_deref(), Some("whole"), "{lang:?}");
        assert!(grade.element.contains("<formula1>0</formula1><formula2>12</formula2>"), "{}", grade.element);
        assert_eq!(attribute(&grade.element, "error").as_deref(), Some(RejectCode::GradeOutOfRange.describe(lang)));
        for (table, column) in [(TableKind::Children, "iin"), (TableKind::Teachers, "teacher_id")] {
            let xml = table_sheet_xml(&template.path, table);
            let iin = validation_of_column(&xml, table.definition().index(column)).expect("a check on IINs");
            assert_eq!(attribute(&iin.element, "type").as_deref(), Some("textLength"), "{lang:?} {table}.{column}");
            assert_eq!(iin.formula.as_deref(), Some("12"), "{lang:?} {table}.{column}");
            // Excel warns and lets `010101 500127` stand: the registry reads it.
            assert_eq!(attribute(&iin.element, "errorStyle").as_deref(), Some("warning"), "{lang:?} {table}.{column}");
        }
    }
    // Every check reaches Excel's last row (`validation_of_column` looks for exactly that range).
    assert_eq!(LAST_TEMPLATE_ROW, 1_048_576);
}

#[test]
fn columns_are_formatted_so_dates_stay_dates_and_codes_keep_leading_zeros() {
    let template = write(Lang::Ru);
    let children = TableKind::Children.definition();
    let expectations = [
        (TableKind::Children, children.index("iin"), "@"),
        (TableKind::Children, children.index("birth_date"), "dd.mm.yyyy"),
        (TableKind::Children, children.index("district"), "@"),
        (TableKind::Children, children.index("region"), "@"),
        (TableKind::Children, children.index("school_code"), "@"),
        (TableKind::Children, children.index("grade"), "0"),
        (TableKind::Measures, TableKind::Measures.definition().index("measure_id"), "@"),
        (TableKind::Measures, TableKind::Measures.definition().index("amount_kzt"), "#,##0.00"),
        (TableKind::Measures, TableKind::Measures.definition().index("planned_end"), "dd.mm.yyyy"),
        (TableKind::Achievements, TableKind::Achievements.definition().index("teacher_ids"), "@"),
        (TableKind::Teachers, TableKind::Teachers.definition().index("teacher_id"), "@"),
    ];
    for (table, column_index, expected_format) in expectations {
        let column_name = table.definition().columns[column_index].name;
        assert_eq!(column_number_format(&template.path, table, column_index), expected_format, "{table}.{column_name}");
    }
}
