//! Workbooks written with `rust_xlsxwriter` in memory, read back.

use std::path::Path;

use chrono::NaiveDate;
use daryn_registry::form::{CHILDREN, MEASURES};
use rust_xlsxwriter::{Format, Workbook, Worksheet};

use super::super::{DropContent, read_drop_files};
use super::*;

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

fn write_headers(sheet: &mut Worksheet, row: u32, headers: &[&str]) {
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string(row, column as u16, *header).unwrap();
    }
}

fn read(files: Vec<(&str, Vec<u8>)>) -> Result<DropContent> {
    read_drop_files(Path::new("35"), files.into_iter().map(|(name, bytes)| (name.to_owned(), bytes)).collect())
}

/// A `roadmap.xlsx` as a filled-in Kazakh template might look: an explanation sheet
/// first, a title and a blank row above the children's header, typed cells, a Russian
/// measures sheet and a hidden lists sheet.
fn roadmap() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let explanation = workbook.add_worksheet().set_name("Нұсқаулық").unwrap();
    write_headers(explanation, 0, &["Кесте", "Баған", "Міндетті", "Түсіндірме"]);
    write_headers(explanation, 1, &["Балалар", "ЖСН", "иә", "Баланың ЖСН-ы"]);
    let date_format = Format::new().set_num_format("dd.mm.yyyy");
    let children = workbook.add_worksheet().set_name("Балалар").unwrap();
    children.write_string(0, 0, "Дарынды балалардың жеке жол карталары — Абай облысы").unwrap();
    write_headers(children, 2, &["ЖСН", " ТЕГІ ", "Аты", "Туған күні", "Сынып", "Анықталған күні", "Ескерту"]);
    children.write_number(3, 0, 10101500123.0).unwrap();
    children.write_string(3, 1, "Серікқызы").unwrap();
    children.write_string(3, 2, "Аружан").unwrap();
    children.write_datetime_with_format(3, 3, date(2010, 1, 1), &date_format).unwrap();
    children.write_string(3, 4, "9").unwrap();
    children.write_number(3, 5, 45901.0).unwrap();
    children.write_string(3, 6, "ескерту").unwrap();
    // A blank row between data rows keeps its number.
    children.write_string(5, 0, "020202600456").unwrap();
    children.write_string(5, 1, "Ахметов").unwrap();
    children.write_string(5, 3, "1.9.2012").unwrap();
    children.write_boolean(5, 4, true).unwrap();
    let measures = workbook.add_worksheet().set_name("Мероприятия").unwrap();
    write_headers(measures, 0, &["ИИН", "Вид меры поддержки", "Наименование меры", "Сумма, тенге"]);
    measures.write_number(1, 0, 10101500123.0).unwrap();
    measures.write_string(1, 1, "scholarship").unwrap();
    measures.write_string(1, 2, "Стипендия акима").unwrap();
    measures.write_number(1, 3, 25000.5).unwrap();
    let lists = workbook.add_worksheet().set_name("lists").unwrap();
    write_headers(lists, 0, &["ЖСН", "Тегі", "Аты"]);
    lists.set_hidden(true);
    workbook.save_to_buffer().unwrap()
}

#[test]
fn a_roadmap_workbook_with_title_rows_and_typed_cells() {
    let content = read(vec![("roadmap.xlsx", roadmap())]).unwrap();
    assert_eq!(content.present, [TableKind::Children, TableKind::Measures]);
    let children = content.table(TableKind::Children);
    assert_eq!(children.len(), 2);
    let first = &children.rows[0];
    assert_eq!(first[CHILDREN.index("iin")], Cell::Number(10101500123.0));
    assert_eq!(first[CHILDREN.index("last_name")], Cell::text("Серікқызы"));
    assert_eq!(first[CHILDREN.index("birth_date")], Cell::DateTime(date(2010, 1, 1).into()));
    assert_eq!(first[CHILDREN.index("grade")], Cell::text("9"));
    assert_eq!(first[CHILDREN.index("identified_on")], Cell::Number(45901.0));
    let second = &children.rows[1];
    assert_eq!(second[CHILDREN.index("iin")], Cell::text("020202600456"));
    assert_eq!(second[CHILDREN.index("first_name")], Cell::Empty);
    assert_eq!(second[CHILDREN.index("grade")], Cell::Bool(true));
    let places: Vec<(u64, Option<u64>)> = children.locations.iter().map(|at| (at.row, at.line)).collect();
    assert_eq!(places, [(2, Some(4)), (4, Some(6))]);
    assert_eq!(children.locations[0].sheet.as_deref(), Some("Балалар"));
    assert_eq!(&*children.locations[0].file, "roadmap.xlsx");
    let measures = content.table(TableKind::Measures);
    assert_eq!(measures.rows[0][MEASURES.index("amount_kzt")], Cell::Number(25000.5));
    assert_eq!(measures.locations[0].row, 2);
    assert_eq!(content.unknown_columns.len(), 1);
    assert_eq!(
        (content.unknown_columns[0].file.as_str(), content.unknown_columns[0].header.as_str()),
        ("roadmap.xlsx", "Ескерту")
    );
    assert_eq!(content.files.len(), 1);
    assert_eq!(content.files[0].rows, 2);
}

#[test]
fn a_per_table_workbook_uses_its_first_sheet_whatever_its_name() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("Лист1").unwrap();
    write_headers(sheet, 0, &["iin", "last_name", "first_name"]);
    write_headers(sheet, 1, &["1", "A", "B"]);
    let content = read(vec![("children.xlsx", workbook.save_to_buffer().unwrap())]).unwrap();
    assert_eq!(content.table(TableKind::Children).rows[0][CHILDREN.index("first_name")], Cell::text("B"));
    assert_eq!(content.table(TableKind::Children).locations[0].sheet.as_deref(), Some("Лист1"));
}

#[test]
fn a_header_below_the_tenth_row_is_not_found() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("children").unwrap();
    sheet.write_string(0, 0, "title").unwrap();
    write_headers(sheet, 10, &["iin", "last_name", "first_name"]);
    let error = read(vec![("children.xlsx", workbook.save_to_buffer().unwrap())]).unwrap_err();
    assert!(matches!(&error, Error::NoHeader { sheet: Some(sheet), .. } if sheet == "children"), "{error}");
    // An empty sheet is an empty table.
    let mut workbook = Workbook::new();
    workbook.add_worksheet().set_name("children").unwrap();
    let content = read(vec![("children.xlsx", workbook.save_to_buffer().unwrap())]).unwrap();
    assert!(content.table(TableKind::Children).is_empty());
}

#[test]
fn two_sheets_for_one_table_are_ambiguous() {
    let mut workbook = Workbook::new();
    for name in ["Дети", "children"] {
        let sheet = workbook.add_worksheet().set_name(name).unwrap();
        write_headers(sheet, 0, &["iin", "last_name", "first_name"]);
    }
    let error = read(vec![("roadmap.xlsx", workbook.save_to_buffer().unwrap())]).unwrap_err();
    assert_eq!(error.code(), "table_ambiguous");
}

#[test]
fn a_broken_workbook_is_unreadable() {
    let error = read(vec![("children.xlsx", b"PK\x03\x04 not really a zip".to_vec())]).unwrap_err();
    assert_eq!(error.code(), "table_unreadable");
    let mut truncated = roadmap();
    truncated.truncate(truncated.len() / 2);
    assert!(read(vec![("roadmap.xlsx", truncated)]).is_err());
}
