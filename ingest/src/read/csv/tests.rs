use std::path::Path;

use daryn_registry::form::{CHILDREN, MEASURES};

use super::super::{DropContent, MAX_UNKNOWN_COLUMNS, read_drop_files};
use super::*;

fn read_children(bytes: Vec<u8>) -> DropContent {
    read_drop_files(Path::new("35"), vec![("children.csv".to_owned(), bytes)]).unwrap()
}

fn utf16le(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    bytes
}

fn utf16be(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xfe, 0xff];
    bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    bytes
}

const SAMPLE: &str = "iin;Фамилия;АТЫ\r\n010101500123;Иванов;Арман\r\n";

fn refusal(bytes: Vec<u8>) -> String {
    match read_drop_files(Path::new("35"), vec![("children.csv".to_owned(), bytes)]) {
        Err(error @ Error::Unreadable { .. }) => error.to_string(),
        other => panic!("expected the file refused as unreadable, got {:?}", other.map(|_| "rows")),
    }
}

#[test]
fn a_hundred_unknown_columns_are_told_then_and_more() {
    // The three known headers, then 150 stray ones, each once.
    let strays: Vec<String> = (1..=150).map(|n| format!("extra {n}")).collect();
    let text = format!("iin;Фамилия;АТЫ;{}\r\n010101500123;Иванов;Арман\r\n", strays.join(";"));
    let content = read_children(text.into_bytes());
    let told: Vec<&str> = content.unknown_columns.iter().map(|column| column.header.as_str()).collect();
    assert_eq!(told.len(), MAX_UNKNOWN_COLUMNS + 1);
    assert_eq!(told[..3], ["extra 1", "extra 2", "extra 3"]);
    assert_eq!(told[MAX_UNKNOWN_COLUMNS - 1], "extra 100");
    assert_eq!(told[MAX_UNKNOWN_COLUMNS], "and more");
}

#[test]
fn a_line_longer_than_any_row_of_the_form_is_refused() {
    let cell = "x".repeat(MAX_RECORD_BYTES + 1);
    // Below the header, on line 3.
    let text = format!("{SAMPLE}010101500123;{cell};Арман\r\n");
    let said = refusal(text.into_bytes());
    assert!(said.contains("line 3 is longer than 4 MiB"), "{said}");
    // Before any header: one line with no break at all, cut off by neither LF nor CR.
    assert!(refusal(cell.clone().into_bytes()).contains("line 1 is longer than 4 MiB"));
    let classic_mac = format!("iin;Фамилия;АТЫ\r{cell}\r");
    assert!(refusal(classic_mac.into_bytes()).contains("line 2 is longer than 4 MiB"));
    // Below the lines looked at before the header (a thousand and one), in a CRLF file:
    // the header on line 1, 1,100 children on lines 2 to 1101, the long one on 1102.
    let rows = "010101500123;Иванов;Арман\r\n".repeat(1_100);
    let text = format!("iin;Фамилия;АТЫ\r\n{rows}010101500123;{cell};Арман\r\n");
    let said = refusal(text.into_bytes());
    assert!(said.contains("line 1102 is longer than 4 MiB"), "{said}");
    // A line of exactly the limit is a line like any other (its cell is then checked).
    let at_limit = format!("{SAMPLE}{}\r\n", "y".repeat(MAX_RECORD_BYTES));
    assert!(read_drop_files(Path::new("35"), vec![("children.csv".to_owned(), at_limit.into_bytes())]).is_ok());
}

#[test]
fn encodings_give_the_same_rows() {
    let plain = read_children(SAMPLE.as_bytes().to_vec());
    let with_bom = read_children([b"\xef\xbb\xbf".as_slice(), SAMPLE.as_bytes()].concat());
    let little_endian = read_children(utf16le(SAMPLE));
    let big_endian = read_children(utf16be(SAMPLE));
    let rows = &plain.table(TableKind::Children).rows;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][CHILDREN.index("iin")], Cell::text("010101500123"));
    assert_eq!(rows[0][CHILDREN.index("last_name")], Cell::text("Иванов"));
    for other in [&with_bom, &little_endian, &big_endian] {
        assert_eq!(&other.table(TableKind::Children).rows, rows);
    }
    assert!(plain.unknown_columns.is_empty(), "{:?}", plain.unknown_columns);
}

#[test]
fn invalid_utf8_names_its_byte_and_line() {
    let mut bytes = b"iin,last_name,first_name\n1,".to_vec();
    bytes.extend([0xc1, 0xe0, 0xf3]);
    let error = read_drop_files(Path::new("35"), vec![("children.csv".to_owned(), bytes)]).unwrap_err();
    assert_eq!(error.code(), "table_unreadable");
    assert!(error.to_string().contains("byte 27 (line 2)"), "{error}");
    let windows_1251 = b"\xc8\xc8\xcd,\xd4\xe0\xec\xe8\xeb\xe8\xff,\xc8\xec\xff\n".to_vec();
    let error = read_drop_files(Path::new("35"), vec![("children.csv".to_owned(), windows_1251)]).unwrap_err();
    assert!(error.to_string().contains("not valid UTF-8 at byte 0 (line 1)"), "{error}");
    // A character split across two fields the form does not read: valid joined, not
    // field by field (the parser drops the `,` between them).
    let mut split = b"iin,last_name,first_name\n1,2,3,".to_vec();
    split.extend([0xd0, b',', 0x90, b'\n']);
    let error = read_drop_files(Path::new("35"), vec![("children.csv".to_owned(), split)]).unwrap_err();
    assert!(error.to_string().contains("not valid UTF-8 at byte 31 (line 2)"), "{error}");
    let odd = vec![0xff, 0xfe, b'a'];
    let error = read_drop_files(Path::new("35"), vec![("children.csv".to_owned(), odd)]).unwrap_err();
    assert!(error.to_string().contains("UTF-16LE"), "{error}");
}

#[test]
fn utf16_without_its_byte_order_mark_is_told_as_that() {
    let text = "iin;last_name;first_name\n100105600010;Әлиева;Аружан\n";
    let little: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let big: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    for (bytes, name) in [(little, "UTF-16LE"), (big, "UTF-16BE")] {
        let error = read_drop_files(Path::new("35"), vec![("children.csv".to_owned(), bytes)]).unwrap_err();
        assert_eq!(error.code(), "table_unreadable");
        let told = format!("it reads as {name} text without the byte order mark the form asks for");
        assert!(error.to_string().contains(&told), "{error}");
    }
    // Russian letters alone are ASCII bytes in UTF-16LE (`а` is 30 04): no invalid
    // UTF-8 to stop at, and still told.
    let russian: Vec<u8> = "фамилия;имя;класс\nа;б;9\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let error = read_drop_files(Path::new("35"), vec![("children.csv".to_owned(), russian)]).unwrap_err();
    assert!(error.to_string().contains("UTF-16LE text without the byte order mark"), "{error}");
}

#[test]
fn the_delimiter_is_the_one_that_names_columns() {
    for delimiter in [",", ";", "\t"] {
        let text =
            ["ЖСН", "Тегі", "Аты", "Сомасы, теңге"].join(delimiter) + "\n1" + delimiter + "Б" + delimiter + "В\n";
        let content = read_children(text.into_bytes());
        let row = &content.table(TableKind::Children).rows[0];
        assert_eq!(row[CHILDREN.index("last_name")], Cell::text("Б"), "delimiter {delimiter:?}");
    }
    // `Сомасы, теңге` names a measures column only when `;` splits the header.
    let (delimiter, header, above) = detect_header("ЖСН;Шара атауы;Сомасы, теңге;Мәртебесі\n".as_bytes(), &MEASURES);
    assert_eq!((delimiter, header.len(), above), (b';', 4, 0));
}

#[test]
fn multi_line_fields_keep_row_and_line_numbers() {
    let text = "iin,last_name,first_name,interests\r\n\
                    1,A,B,\"chess\r\nand\nmusic\"\r\n\
                    2,C,D,x\r\n\
                    ,,,\r\n\
                    \r\n\
                    3,E,F\r\n";
    let content = read_children(text.as_bytes().to_vec());
    let table = content.table(TableKind::Children);
    assert_eq!(table.rows[0][CHILDREN.index("interests")], Cell::text("chess\r\nand\nmusic"));
    let places: Vec<(u64, Option<u64>)> = table.locations.iter().map(|at| (at.row, at.line)).collect();
    // The blank record (row 4, line 6) and the empty line 7 (row 5) are skipped but
    // keep their numbers, as a spreadsheet opening the file shows them.
    assert_eq!(places, [(2, Some(2)), (3, Some(5)), (6, Some(8))]);
    assert_eq!(content.files[0].rows, 3);
}

#[test]
fn title_and_blank_records_above_the_header_are_skipped() {
    // Line 1 a title (with the `;` of the sheet's empty cells), line 2 a blank
    // record, line 3 empty, line 4 the header: row 1. The children on lines 5 and 6
    // are rows 2 and 3, and the manifest's count is theirs only.
    let text = "Дарынды балалар тізімі — Қарағанды облысы;;;\n;;;\n\nЖСН;Тегі;Аты;Пәндер\n\
                    010101500123;Иванов;Арман;Математика, химия\n\
                    020202600456;Сейітова;Әйгерім;Шахмат\n";
    let content = read_children(text.as_bytes().to_vec());
    let table = content.table(TableKind::Children);
    assert_eq!(table.rows.len(), 2);
    assert_eq!(table.rows[1][CHILDREN.index("last_name")], Cell::text("Сейітова"));
    assert_eq!(table.rows[0][CHILDREN.index("disciplines")], Cell::text("Математика, химия"));
    let places: Vec<(u64, Option<u64>)> = table.locations.iter().map(|at| (at.row, at.line)).collect();
    assert_eq!(places, [(2, Some(5)), (3, Some(6))]);
    assert_eq!(content.files[0].rows, 2);
    assert!(content.unknown_columns.is_empty(), "{:?}", content.unknown_columns);
    // Ten records and no header: refused as before.
    let titles = "Тізім;;\n".repeat(10) + "ЖСН;Тегі;Аты\n1;2;3\n";
    let error = read_drop_files(Path::new("35"), vec![("children.csv".to_owned(), titles.into_bytes())]);
    assert_eq!(error.unwrap_err().code(), "table_unreadable");
}

#[test]
fn blank_records_above_the_header_do_not_count_toward_the_ten() {
    // A title, twelve blank records and the header on line 14.
    let text = "Тізім;;\n".to_owned() + &";;\n".repeat(12) + "ЖСН;Тегі;Аты\n010101500123;Иванов;Арман\n";
    let content = read_children(text.into_bytes());
    let table = content.table(TableKind::Children);
    assert_eq!((table.locations[0].row, table.locations[0].line), (2, Some(15)));
}

#[test]
fn lines_ending_in_a_bare_cr_are_lines() {
    // Rows 2 and 4 (an empty line between them is row 3) on lines 2 and 5 (the quoted
    // field's line break is line 3); the field keeps its line break.
    let text = "iin,last_name,first_name,interests\r1,A,B,\"chess\rmusic\"\r\r2,C,D,x\r";
    let content = read_children(text.as_bytes().to_vec());
    let table = content.table(TableKind::Children);
    let places: Vec<(u64, Option<u64>)> = table.locations.iter().map(|at| (at.row, at.line)).collect();
    assert_eq!(places, [(2, Some(2)), (4, Some(5))]);
    assert_eq!(table.rows[0][CHILDREN.index("interests")], Cell::text("chess\nmusic"));
    assert_eq!(content.files[0].rows, 2);
    // Empty lines between rows, in LF and in CRLF, keep their numbers too.
    for end in ["\n", "\r\n"] {
        let text = ["iin,last_name,first_name", "1,A,B", "", "", "2,C,D", ""].join(end);
        let content = read_children(text.into_bytes());
        let rows: Vec<u64> = content.table(TableKind::Children).locations.iter().map(|at| at.row).collect();
        assert_eq!(rows, [2, 5], "{end:?}");
    }
}

#[test]
fn short_rows_are_padded_and_long_rows_cut() {
    let text = " IIN ,LAST_NAME,  First   Name ,Ескерту / Примечание\n1,A\n2,B,C,note,surplus\n";
    let content = read_children(text.as_bytes().to_vec());
    let rows = &content.table(TableKind::Children).rows;
    assert_eq!(rows[0].len(), CHILDREN.columns.len());
    assert_eq!(rows[0][CHILDREN.index("first_name")], Cell::Empty);
    assert_eq!(rows[1][CHILDREN.index("first_name")], Cell::text("C"));
    assert_eq!(content.unknown_columns.len(), 1);
    assert_eq!(content.unknown_columns[0].header, "Ескерту / Примечание");
}

#[test]
fn a_file_without_a_header_or_empty_is_unreadable_and_a_header_alone_has_no_rows() {
    let error =
        read_drop_files(Path::new("35"), vec![("children.csv".to_owned(), b"1,2,3\n4,5,6\n".to_vec())]).unwrap_err();
    assert!(matches!(error, Error::NoHeader { sheet: None, .. }), "{error}");
    // An empty file is an export cut short, refused rather than taken for a region
    // without children (or measures, achievements, teachers: a region without them
    // sends the header alone, or leaves the file out).
    let children = b"iin,last_name,first_name\n1,A,B\n".to_vec();
    let header_only = MEASURES.columns.iter().map(|column| column.name).collect::<Vec<_>>().join(";") + "\r\n";
    let files =
        vec![("children.csv".to_owned(), children.clone()), ("measures.csv".to_owned(), header_only.into_bytes())];
    let content = read_drop_files(Path::new("35"), files).unwrap();
    assert_eq!(content.present, [TableKind::Children, TableKind::Measures]);
    assert!(content.table(TableKind::Measures).is_empty());
    let content = read_drop_files(Path::new("35"), vec![("children.csv".to_owned(), children.clone())]).unwrap();
    assert_eq!(content.present, [TableKind::Children]);
    for empty in [&b""[..], b"\xef\xbb\xbf\r\n", b"  \n\n"] {
        let error = read_drop_files(Path::new("35"), vec![("children.csv".to_owned(), empty.to_vec())]).unwrap_err();
        assert_eq!(error.code(), "table_unreadable", "{empty:?}");
        assert!(error.to_string().contains("the file is empty"), "{error}");
        for table in ["measures", "achievements", "teachers"] {
            let files = vec![("children.csv".to_owned(), children.clone()), (format!("{table}.csv"), empty.to_vec())];
            let error = read_drop_files(Path::new("35"), files).unwrap_err();
            assert_eq!(error.code(), "table_unreadable", "{table} {empty:?}");
            let told = format!("the file is empty; a {table} file needs at least its header row");
            assert!(
                error.to_string().contains(&told) && error.to_string().contains(&format!("{table}.csv")),
                "{error}"
            );
        }
    }
}

#[test]
fn measures_headers_in_russian() {
    let header: Vec<&str> = MEASURES.columns.iter().map(|column| column.header_ru).collect();
    let text = header.join("\t") + "\n" + &vec!["x"; header.len()].join("\t") + "\n";
    let files = vec![
        ("children.csv".to_owned(), b"iin,last_name,first_name\n".to_vec()),
        ("Мероприятия.csv".to_owned(), text.into_bytes()),
    ];
    let content = read_drop_files(Path::new("35"), files).unwrap();
    let rows = &content.table(TableKind::Measures).rows;
    assert!(rows[0].iter().all(|cell| *cell == Cell::text("x")));
}

/// Writes `records` under a three-column header as an exporter would.
fn export(records: &[Vec<String>], delimiter: u8, encoding: u8) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new().delimiter(delimiter).flexible(true).from_writer(Vec::new());
    writer.write_record(["ЖСН", "Тегі", "Аты"]).unwrap();
    for record in records {
        writer.write_record(record).unwrap();
    }
    let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
    match encoding {
        0 => text.into_bytes(),
        1 => [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat(),
        _ => utf16le(&text),
    }
}

proptest::proptest! {
    #[test]
    fn what_an_exporter_writes_is_read_back(
        records in proptest::collection::vec(proptest::collection::vec("[a-zӘә\" ,;\t\r\n]{0,6}", 3), 0..6),
        delimiter in proptest::sample::select(DELIMITERS.to_vec()),
        encoding in 0u8..3,
    ) {
        let content = read_children(export(&records, delimiter, encoding));
        let table = content.table(TableKind::Children);
        let mut expected_rows = Vec::new();
        let mut expected_numbers = Vec::new();
        for (index, record) in records.iter().enumerate() {
            let cells: Vec<Cell> = record.iter().map(|field| Cell::text(field.as_str())).collect();
            if cells.iter().any(|cell| !cell.is_empty()) {
                expected_rows.push(cells);
                expected_numbers.push(index as u64 + 2);
            }
        }
        let read_rows: Vec<Vec<Cell>> = table.rows.iter().map(|row| row[..3].to_vec()).collect();
        proptest::prop_assert_eq!(read_rows, expected_rows);
        let numbers: Vec<u64> = table.locations.iter().map(|location| location.row).collect();
        proptest::prop_assert_eq!(numbers, expected_numbers);
        proptest::prop_assert_eq!(content.files[0].rows, table.len() as u64);
    }

    #[test]
    fn no_bytes_make_the_reader_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
        let mut input = b"iin,last_name,first_name\n".to_vec();
        input.extend(bytes);
        let _ = read_drop_files(Path::new("35"), vec![("children.csv".to_owned(), input.clone())]);
        let _ = read_drop_files(Path::new("35"), vec![("children.csv".to_owned(), input[25..].to_vec())]);
    }
}

/// A quote opened and never closed on its line swallows the rows below it into one
/// cell: the file is refused, naming the line, rather than published without them.
/// A cell written over two lines is read as it is.
#[test]
fn a_quote_left_open_refuses_the_file_rather_than_losing_rows() {
    let mut lines = vec!["iin;last_name;first_name;birth_date;grade".to_owned()];
    for number in 0..6 {
        lines.push(format!("10{number};Name{number};First;01.01.2012;5"));
    }
    lines[2] = lines[2].replace(";Name1;", ";\"Name1;");
    lines.push("200;\"end\";x;01.01.2012;5".to_owned());
    let error =
        read_drop_files(Path::new("35"), vec![("children.csv".to_owned(), lines.join("\n").into_bytes())]).unwrap_err();
    assert_eq!(error.code(), "table_unreadable");
    let message = error.to_string();
    assert!(message.contains("a quote opens cell 2 of the record on line 3"), "{message}");
    let spanning = "iin;last_name;first_name;school_name;grade\n1;A;B;\"Мектеп,\nкөшесі 5\";5\n2;C;D;E;6\n";
    let content = read_children(spanning.as_bytes().to_vec());
    assert_eq!(content.table(TableKind::Children).len(), 2);
}

/// A quote opened in the last record is never closed: the parser ended that cell at
/// the end of the file, with the rest of the line inside it.
#[test]
fn a_quote_left_open_in_the_last_record_refuses_the_file() {
    let header = "iin;last_name;first_name;school_name;grade\r\n1;A;B;C;5\r\n";
    for (last, column) in [("2;D;E;\"School;6\r\n", 4), ("2;D;E;F;\"6", 5), ("\"2;D;E;F;6\r\n\r\n", 1)] {
        let message = refusal(format!("{header}{last}").into_bytes());
        let told = format!("a quote opens cell {column} of the record on line 3 and is never closed");
        assert!(message.contains(&told), "{last:?}: {message}");
    }
    // Closed quotes, a doubled quote, a quote inside an unquoted cell, a cell over two
    // lines, and a file without a last line end are all whole.
    for last in [
        "2;D;E;\"Мектеп \"\"Дарын\"\"\";6\r\n",
        "2;D;E;5\" экран;6\r\n",
        "2;D;E;\"Мектеп,\r\nкөшесі 5\";6",
        "2;D;E;\"F\";6",
    ] {
        let content = read_children(format!("{header}{last}").into_bytes());
        assert_eq!(content.table(TableKind::Children).len(), 2, "{last:?}");
    }
}
