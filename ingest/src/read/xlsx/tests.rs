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
    write_headers(explanation, 1, &["Балалар", "ЖСН", "иә", "Баланың ЖСН-і"]);
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
    // The headers as the sheets write them, for the coordinator's file.
    let first = &children.locations[0];
    assert_eq!(content.written_header(first, "iin"), Some("ЖСН"));
    assert_eq!(content.written_header(first, "last_name"), Some("ТЕГІ"));
    assert_eq!(content.written_header(first, "school_name"), None);
    assert_eq!(content.written_header(&measures.locations[0], "amount_kzt"), Some("Сумма, тенге"));
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
fn the_header_is_looked_for_in_the_first_ten_rows_that_hold_a_value() {
    // A title, ten blank rows, the header on sheet row 12: found, and its rows count from it.
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("children").unwrap();
    sheet.write_string(0, 0, "title").unwrap();
    write_headers(sheet, 11, &["iin", "last_name", "first_name"]);
    write_headers(sheet, 12, &["1", "A", "B"]);
    let content = read(vec![("children.xlsx", workbook.save_to_buffer().unwrap())]).unwrap();
    let children = content.table(TableKind::Children);
    assert_eq!((children.locations[0].row, children.locations[0].line), (2, Some(13)));
    // Ten rows of titles: the eleventh row is not looked at.
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("children").unwrap();
    for row in 0..10 {
        sheet.write_string(row * 2, 0, "title").unwrap();
    }
    write_headers(sheet, 20, &["iin", "last_name", "first_name"]);
    let error = read(vec![("children.xlsx", workbook.save_to_buffer().unwrap())]).unwrap_err();
    assert!(matches!(&error, Error::NoHeader { sheet: Some(sheet), .. } if sheet == "children"), "{error}");
    // An empty sheet is an empty table.
    let mut workbook = Workbook::new();
    workbook.add_worksheet().set_name("children").unwrap();
    let content = read(vec![("children.xlsx", workbook.save_to_buffer().unwrap())]).unwrap();
    assert!(content.table(TableKind::Children).is_empty());
}

#[test]
fn a_hidden_copy_of_a_table_sheet_is_ignored() {
    let mut workbook = Workbook::new();
    // (The first sheet is the active one, which Excel does not let be hidden.)
    for (name, last_name, hidden) in [("Дети", "New", false), ("children", "Old", true)] {
        let sheet = workbook.add_worksheet().set_name(name).unwrap();
        write_headers(sheet, 0, &["iin", "last_name", "first_name"]);
        write_headers(sheet, 1, &["1", last_name, "B"]);
        sheet.set_hidden(hidden);
    }
    let bytes = workbook.save_to_buffer().unwrap();
    for file in ["roadmap.xlsx", "children.xlsx"] {
        let content = read(vec![(file, bytes.clone())]).unwrap();
        let children = content.table(TableKind::Children);
        assert_eq!(children.rows[0][CHILDREN.index("last_name")], Cell::text("New"), "{file}");
        assert_eq!(children.locations[0].sheet.as_deref(), Some("Дети"), "{file}");
    }
}

/// The workbook with one part's text changed, as a hand-edited or foreign file has it.
fn with_part(bytes: &[u8], part: &str, change: impl Fn(String) -> String) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).unwrap();
        let name = file.name().unwrap().into_owned();
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut text).unwrap();
        if name == part {
            text = change(String::from_utf8(text).unwrap()).into_bytes();
        }
        writer.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut writer, &text).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn serials_of_a_1904_workbook_are_read_as_their_dates() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("children").unwrap();
    write_headers(sheet, 0, &["iin", "identified_on", "grade"]);
    sheet.write_string(1, 0, "010101500123").unwrap();
    // 2025-09-01 is 45,901 days after 1899-12-30 (see the cell tests), so 45,901 −
    // 1,462 = 44,439 days after 1904-01-01. The grade, a number, stays as it is.
    sheet.write_number(1, 1, 44_439.0).unwrap();
    sheet.write_number(1, 2, 9.0).unwrap();
    let bytes = workbook.save_to_buffer().unwrap();
    let mac = with_part(&bytes, "xl/workbook.xml", |xml| {
        assert!(xml.contains("<workbookPr"), "{xml}");
        xml.replacen("<workbookPr", "<workbookPr date1904=\"1\"", 1)
    });
    let content = read(vec![("children.xlsx", mac)]).unwrap();
    let row = &content.table(TableKind::Children).rows[0];
    assert_eq!(row[CHILDREN.index("identified_on")], Cell::Number(45_901.0));
    assert_eq!(daryn_registry::cell::parse_date(&row[CHILDREN.index("identified_on")]), Some(date(2025, 9, 1)));
    assert_eq!(row[CHILDREN.index("grade")], Cell::Number(9.0));
    let content = read(vec![("children.xlsx", bytes)]).unwrap();
    let row = &content.table(TableKind::Children).rows[0];
    assert_eq!(row[CHILDREN.index("identified_on")], Cell::Number(44_439.0));
}

#[test]
fn a_date_cell_holding_no_date_is_the_number_typed() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("children").unwrap();
    write_headers(sheet, 0, &["iin", "identified_on", "birth_date", "consent_on"]);
    let date_format = Format::new().set_num_format("dd.mm.yyyy");
    sheet.write_string(1, 0, "010101500123").unwrap();
    // A year typed into the template's date column: 16 July 1905 as a date.
    sheet.write_number_with_format(1, 1, 2024.0, &date_format).unwrap();
    // Past chrono's range once counted in milliseconds: calamine's conversion panicked.
    sheet.write_number_with_format(1, 2, -1e300, &date_format).unwrap();
    sheet.write_number_with_format(1, 3, 45_901.0, &date_format).unwrap();
    let bytes = workbook.save_to_buffer().unwrap();
    let content = read(vec![("children.xlsx", bytes.clone())]).unwrap();
    let row = &content.table(TableKind::Children).rows[0];
    assert_eq!(row[CHILDREN.index("identified_on")], Cell::Number(2024.0));
    assert!(daryn_registry::cell::is_bare_year(&row[CHILDREN.index("identified_on")]));
    assert_eq!(row[CHILDREN.index("birth_date")], Cell::Number(-1e300));
    assert_eq!(row[CHILDREN.index("consent_on")], Cell::DateTime(date(2025, 9, 1).into()));
    // In a workbook counting from 1904, the year stays the year typed too.
    let mac = with_part(&bytes, "xl/workbook.xml", |xml| xml.replacen("<workbookPr", "<workbookPr date1904=\"1\"", 1));
    let content = read(vec![("children.xlsx", mac)]).unwrap();
    let row = &content.table(TableKind::Children).rows[0];
    assert_eq!(row[CHILDREN.index("identified_on")], Cell::Number(2024.0));
    // 45,901 in the 1904 count is 45,901 + 1,462 days after 1899-12-30: four years (1
    // September 2025 to 1 September 2029, 4 × 365 + 29 February 2028 = 1,461 days) and a
    // day after 1 September 2025.
    assert_eq!(row[CHILDREN.index("consent_on")], Cell::DateTime(date(2029, 9, 2).into()));
}

#[test]
fn a_shared_strings_count_no_file_can_hold_refuses_the_workbook_not_the_run() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("children").unwrap();
    write_headers(sheet, 0, &["iin", "last_name", "first_name"]);
    let bytes = workbook.save_to_buffer().unwrap();
    // Asked for up front, 10^17 strings would be 2.4 · 10^18 bytes: the allocator fails
    // and the process ends, which no `catch_unwind` stops.
    let lying = with_part(&bytes, "xl/sharedStrings.xml", |xml| {
        let at = xml.find("uniqueCount=\"").expect("rust_xlsxwriter writes the count") + "uniqueCount=\"".len();
        let end = at + xml[at..].find('"').unwrap();
        format!("{}100000000000000000{}", &xml[..at], &xml[end..])
    });
    let error = read(vec![("children.xlsx", lying)]).unwrap_err();
    assert_eq!(error.code(), "table_unreadable");
    assert!(error.to_string().contains("100000000000000000 strings"), "{error}");
    // The true count is read as before.
    assert!(read(vec![("children.xlsx", bytes.clone())]).is_ok());
    // A count behind a comment is found all the same.
    let hidden = with_part(&bytes, "xl/sharedStrings.xml", |xml| {
        let at = xml.find("<sst").unwrap();
        let comment = format!("<!-- {} -->", "x".repeat(100_000));
        let xml = format!("{}{comment}{}", &xml[..at], &xml[at..]);
        let at = xml.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
        let end = at + xml[at..].find('"').unwrap();
        format!("{}60000000{}", &xml[..at], &xml[end..])
    });
    let error = read(vec![("children.xlsx", hidden)]).unwrap_err();
    assert!(error.to_string().contains("60000000 strings"), "{error}");
    let prolog = vec![b' '; MAX_SHARED_STRINGS_PROLOG as usize];
    assert_eq!(sst_start_tag([prolog.as_slice(), b"<sst uniqueCount=\"1\">"].concat().as_slice()), None);
    let tag = sst_start_tag(b"<?xml?><!-- <ss --><sst uniqueCount=\"1\"><si/></sst>".as_slice());
    assert_eq!(tag.as_deref(), Some(b"<?xml?><!-- <ss --><sst uniqueCount=\"1\">".as_slice()));
    assert_eq!(unique_count(b"<sst count='3' uniqueCount = '2'>"), Some(2));
    assert_eq!(unique_count(b"<sst uniqueCount=\"99999999999999999999999\">"), Some(u64::MAX));
    assert_eq!(unique_count(b"<sst count=\"3\">"), None);
}

#[test]
fn two_sheets_for_one_table_are_ambiguous() {
    // Also a copy Excel names `Балалар (2)`: which of the two is the region's?
    for names in [["Дети", "children"], ["Балалар", "Балалар (2)"]] {
        let mut workbook = Workbook::new();
        for name in names {
            let sheet = workbook.add_worksheet().set_name(name).unwrap();
            write_headers(sheet, 0, &["iin", "last_name", "first_name"]);
            write_headers(sheet, 1, &["1", "A", "B"]);
        }
        let error = read(vec![("roadmap.xlsx", workbook.save_to_buffer().unwrap())]).unwrap_err();
        assert_eq!(error.code(), "table_ambiguous", "{names:?}");
    }
}

/// A workbook with the children's sheet and `others`: (sheet name, header, one row).
fn workbook_with(others: &[(&str, &[&str], &[&str])]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let children = workbook.add_worksheet().set_name("Балалар").unwrap();
    write_headers(children, 0, &["iin", "last_name", "first_name"]);
    write_headers(children, 1, &["1", "A", "B"]);
    for (name, header, row) in others {
        let sheet = workbook.add_worksheet().set_name(*name).unwrap();
        write_headers(sheet, 0, header);
        write_headers(sheet, 1, row);
    }
    workbook.save_to_buffer().unwrap()
}

const MEASURES_HEADER: &[&str] = &["iin", "measure_type", "title"];
const MEASURE_ROW: &[&str] = &["1", "scholarship", "Стипендия"];
const ACHIEVEMENTS_HEADER: &[&str] = &["ЖСН", "Іс-шара атауы", "Іс-шара түрі"];
const ACHIEVEMENT_ROW: &[&str] = &["1", "Олимпиада", "olympiad"];

/// A table's sheet renamed (`Іс-шаралар 2026`, or `2026` outright) is still read: left
/// out, the region's whole table would be deleted by the snapshot. A notes sheet is not
/// a table.
#[test]
fn a_renamed_table_sheet_is_read_by_its_name_or_its_header() {
    let bytes = workbook_with(&[
        ("Іс-шаралар 2026", MEASURES_HEADER, MEASURE_ROW),
        ("2026", ACHIEVEMENTS_HEADER, ACHIEVEMENT_ROW),
        ("Ескертпелер", &["Ескерту", "Күні"], &["тексерілді", "01.11.2026"]),
    ]);
    let content = read(vec![("roadmap.xlsx", bytes)]).unwrap();
    assert_eq!(content.present, [TableKind::Children, TableKind::Measures, TableKind::Achievements]);
    let measures = content.table(TableKind::Measures);
    assert_eq!(measures.rows[0][MEASURES.index("title")], Cell::text("Стипендия"));
    assert_eq!(measures.locations[0].sheet.as_deref(), Some("Іс-шаралар 2026"));
    let achievements = content.table(TableKind::Achievements);
    assert_eq!(achievements.len(), 1);
    assert_eq!(achievements.locations[0].sheet.as_deref(), Some("2026"));
    // A sheet with another table's header is not taken for a table the workbook has.
    let bytes = workbook_with(&[("Іс-шаралар", MEASURES_HEADER, MEASURE_ROW), ("Лист2", MEASURES_HEADER, MEASURE_ROW)]);
    let content = read(vec![("roadmap.xlsx", bytes)]).unwrap();
    assert_eq!(content.present, [TableKind::Children, TableKind::Measures]);
    assert_eq!(content.table(TableKind::Measures).locations[0].sheet.as_deref(), Some("Іс-шаралар"));
    // A summary whose name goes on from a table's but with no header of the form is not
    // read (nor is the drop refused for it); nor is a copy of the measures with the
    // achievements' shared headers (ЖСН, Пән, Нәтижесі) taken for the missing achievements.
    let measures_copy: &[&str] = &["ЖСН", "Қолдау шарасының түрі", "Шара атауы", "Пән", "Мәртебесі"];
    let bytes = workbook_with(&[
        ("Балалар саны", &["Аудан", "Саны"], &["Абай", "12"]),
        ("Іс-шаралар", MEASURES_HEADER, MEASURE_ROW),
        ("Жиынтық", measures_copy, &["1", "grant", "Грант", "math", "done"]),
    ]);
    let content = read(vec![("roadmap.xlsx", bytes)]).unwrap();
    assert_eq!(content.present, [TableKind::Children, TableKind::Measures]);
    assert_eq!(content.table(TableKind::Children).len(), 1);
    assert_eq!(content.table(TableKind::Measures).len(), 1);
}

/// The whole template saved as `children.xlsx` keeps its measures; a file named for the
/// measures beside it holds them instead, whichever is read first.
#[test]
fn a_template_saved_as_one_tables_workbook_keeps_its_other_tables() {
    let bytes = workbook_with(&[("Іс-шаралар", MEASURES_HEADER, MEASURE_ROW)]);
    let content = read(vec![("children.xlsx", bytes.clone())]).unwrap();
    assert_eq!(content.present, [TableKind::Children, TableKind::Measures]);
    assert_eq!(content.files[0].rows, 1);
    let csv = "iin;measure_type;title\n1;grant;Грант\n2;grant;Грант\n".as_bytes().to_vec();
    for files in [
        vec![("children.xlsx", bytes.clone()), ("measures.csv", csv.clone())],
        vec![("measures.csv", csv.clone()), ("children.xlsx", bytes.clone())],
    ] {
        let content = read(files).unwrap();
        let measures = content.table(TableKind::Measures);
        assert_eq!(measures.len(), 2);
        assert_eq!(&*measures.locations[0].file, "measures.csv");
    }
}

/// A template's sheet left with only its header gives way to a file of its table.
#[test]
fn a_header_only_sheet_gives_way_to_a_file_of_its_table() {
    let mut workbook = Workbook::new();
    let children = workbook.add_worksheet().set_name("Балалар").unwrap();
    write_headers(children, 0, &["iin", "last_name", "first_name"]);
    write_headers(children, 1, &["1", "A", "B"]);
    let measures = workbook.add_worksheet().set_name("Іс-шаралар").unwrap();
    write_headers(measures, 0, MEASURES_HEADER);
    let bytes = workbook.save_to_buffer().unwrap();
    let csv = "iin;measure_type;title\n1;grant;Грант\n".as_bytes().to_vec();
    for files in [
        vec![("roadmap.xlsx", bytes.clone()), ("measures.csv", csv.clone())],
        vec![("measures.csv", csv.clone()), ("roadmap.xlsx", bytes.clone())],
    ] {
        let content = read(files).unwrap();
        assert_eq!(&*content.table(TableKind::Measures).locations[0].file, "measures.csv");
    }
    // Two files that both hold rows stay ambiguous.
    let full = workbook_with(&[("Іс-шаралар", MEASURES_HEADER, MEASURE_ROW)]);
    let error = read(vec![("roadmap.xlsx", full), ("measures.csv", csv)]).unwrap_err();
    assert_eq!(error.code(), "table_ambiguous");
}

#[test]
fn a_file_that_is_no_workbook_says_what_it_is() {
    let reason = |bytes: &[u8]| match read(vec![("children.xlsx", bytes.to_vec())]).unwrap_err() {
        Error::Unreadable { reason, .. } => reason,
        other => panic!("{other}"),
    };
    assert_eq!(reason(b""), "the file is empty");
    let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0];
    assert!(reason(&ole).contains("Excel 97–2003 workbook (.xls) or one protected with a password"));
    assert!(reason("iin;last_name\n010101500123;Әлиева\n".as_bytes()).contains("a text file, not a workbook"));
    let mut ods = b"PK\x03\x04".to_vec();
    ods.extend([0u8; 26]);
    ods.extend(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet");
    assert!(reason(&ods).contains("OpenDocument spreadsheet"));
    let mut truncated = roadmap();
    truncated.truncate(truncated.len() / 2);
    assert!(reason(&truncated).contains("cut short or damaged"));
    // A zip of other files: said, rather than that `_rels/.rels` is not found.
    let mut zipped = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zipped.start_file("children.csv", zip::write::SimpleFileOptions::default()).unwrap();
    std::io::Write::write_all(&mut zipped, b"iin;last_name\n").unwrap();
    let other_files = zipped.finish().unwrap().into_inner();
    assert!(reason(&other_files).contains("a zip archive of other files, not a workbook"), "{}", reason(&other_files));
}

#[test]
fn a_workbook_packed_to_exhaust_memory_is_refused_before_it_is_read() {
    use std::io::Write;
    let mut zipped = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zipped.start_file("xl/sharedStrings.xml", options).unwrap();
    // 100 MiB of one letter packs to about 100 KiB: a thousand times, where sheets of
    // real exports pack 7 to 10.
    let block = vec![b'a'; 1 << 20];
    for _ in 0..100 {
        zipped.write_all(&block).unwrap();
    }
    let bytes = zipped.finish().unwrap().into_inner();
    assert!(bytes.len() < 1 << 20, "{}", bytes.len());
    match read(vec![("children.xlsx", bytes)]).unwrap_err() {
        Error::Unreadable { reason, .. } => {
            assert!(reason.contains("`xl/sharedStrings.xml` unpacks to 104857600 bytes"), "{reason}")
        }
        other => panic!("{other}"),
    }
}

#[test]
fn a_broken_workbook_is_unreadable() {
    let error = read(vec![("children.xlsx", b"PK\x03\x04 not really a zip".to_vec())]).unwrap_err();
    assert_eq!(error.code(), "table_unreadable");
    let mut truncated = roadmap();
    truncated.truncate(truncated.len() / 2);
    assert!(read(vec![("roadmap.xlsx", truncated)]).is_err());
}

/// A children sheet with a title merged across the top, and merges in its data: a
/// district merged down three rows, a name merged across two columns.
fn merged_children() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let plain = Format::new();
    let sheet = workbook.add_worksheet().set_name("children").unwrap();
    sheet.merge_range(0, 0, 0, 4, "Абай облысы", &plain).unwrap();
    write_headers(sheet, 1, &["iin", "last_name", "first_name", "district", "patronymic"]);
    for (row, iin) in [(2, "1"), (3, "2"), (4, "3")] {
        sheet.write_string(row, 0, iin).unwrap();
    }
    sheet.write_string(2, 1, "Серікқызы").unwrap();
    sheet.write_string(3, 1, "Омаров").unwrap();
    sheet.merge_range(2, 3, 4, 3, "Абай ауданы", &plain).unwrap();
    sheet.merge_range(4, 1, 4, 2, "Ахметов", &plain).unwrap();
    workbook.save_to_buffer().unwrap()
}

#[test]
fn a_cell_merged_down_counts_on_each_of_its_rows() {
    let content = read(vec![("children.xlsx", merged_children())]).unwrap();
    let children = content.table(TableKind::Children);
    let column =
        |name: &str| -> Vec<Cell> { children.rows.iter().map(|row| row[CHILDREN.index(name)].clone()).collect() };
    // The title merged above the header is not data; the district is on all three rows.
    assert_eq!(column("iin"), [Cell::text("1"), Cell::text("2"), Cell::text("3")]);
    assert_eq!(column("district"), vec![Cell::text("Абай ауданы"); 3]);
    // A name merged across two columns is the first column's only.
    assert_eq!(column("last_name"), [Cell::text("Серікқызы"), Cell::text("Омаров"), Cell::text("Ахметов")]);
    assert_eq!(column("first_name"), vec![Cell::Empty; 3]);
    assert_eq!(content.files[0].rows, 3);
}

#[test]
fn a_merged_range_overlapping_another_is_ignored() {
    // Excel writes no overlapping merges; a hand-made file may. C4:C5 starts inside
    // C3:C4 and gives nothing; D3:D5, in another column, still fills.
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("children").unwrap();
    write_headers(sheet, 0, &["iin", "last_name", "first_name", "district"]);
    for (row, iin) in [(1, "1"), (2, "2"), (3, "3")] {
        sheet.write_string(row, 0, iin).unwrap();
    }
    sheet.write_string(1, 2, "Аружан").unwrap();
    sheet.write_string(2, 2, "Дана").unwrap();
    sheet.write_string(1, 3, "Абай ауданы").unwrap();
    let bytes = with_part(&workbook.save_to_buffer().unwrap(), "xl/worksheets/sheet1.xml", |xml| {
        let merges = r#"</sheetData><mergeCells count="3"><mergeCell ref="C2:C3"/><mergeCell ref="C3:C4"/><mergeCell ref="D2:D4"/></mergeCells>"#;
        xml.replacen("</sheetData>", merges, 1)
    });
    let content = read(vec![("children.xlsx", bytes)]).unwrap();
    let children = content.table(TableKind::Children);
    let column =
        |name: &str| -> Vec<Cell> { children.rows.iter().map(|row| row[CHILDREN.index(name)].clone()).collect() };
    // A cell of a range holding a value of its own keeps it.
    assert_eq!(column("first_name"), [Cell::text("Аружан"), Cell::text("Дана"), Cell::Empty]);
    assert_eq!(column("district"), vec![Cell::text("Абай ауданы"); 3]);
}

#[test]
fn an_amount_merged_down_is_not_given_to_each_row() {
    // Merged over two measures, 50,000 may be their total: the second row's amount stays
    // empty (a scholarship's is then reported as missing), never counted twice.
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("measures").unwrap();
    write_headers(sheet, 0, &["iin", "measure_type", "title", "amount_kzt"]);
    for row in [1, 2] {
        sheet.write_string(row, 0, "010101500123").unwrap();
        sheet.write_string(row, 1, "scholarship").unwrap();
        sheet.write_string(row, 2, "Стипендия").unwrap();
    }
    sheet.merge_range(1, 3, 2, 3, "", &Format::new()).unwrap();
    sheet.write_number(1, 3, 50000.0).unwrap();
    let content = read(vec![
        ("children.csv", b"iin,last_name,first_name\n".to_vec()),
        ("measures.xlsx", workbook.save_to_buffer().unwrap()),
    ])
    .unwrap();
    let measures = content.table(TableKind::Measures);
    let amounts: Vec<Cell> = measures.rows.iter().map(|row| row[MEASURES.index("amount_kzt")].clone()).collect();
    assert_eq!(amounts, [Cell::Number(50000.0), Cell::Empty]);
}

/// A one-table workbook whose table sheet is not named for it takes the sheet whose
/// name goes on from the table's, else the one with its header, not a notes sheet that
/// comes first.
#[test]
fn a_notes_sheet_first_is_passed_over_for_the_tables_sheet() {
    for data_sheet in ["Балалар 2026", "Data"] {
        let mut workbook = Workbook::new();
        let notes = workbook.add_worksheet().set_name("Нұсқаулық").unwrap();
        notes.write_string(0, 0, "Бұл файлды толтыру тәртібі").unwrap();
        let children = workbook.add_worksheet().set_name(data_sheet).unwrap();
        write_headers(children, 0, &["iin", "last_name", "first_name"]);
        write_headers(children, 1, &["1", "A", "B"]);
        let content = read(vec![("children.xlsx", workbook.save_to_buffer().unwrap())]).unwrap();
        let rows = content.table(TableKind::Children);
        assert_eq!(rows.len(), 1, "{data_sheet}");
        assert_eq!(rows.locations[0].sheet.as_deref(), Some(data_sheet));
    }
}
