//! CSV files: UTF-8 with or without BOM, or UTF-16 (little- or big-endian) with BOM;
//! delimiter `,`, `;` or tab, detected from the header; quoted fields may span lines.
//!
//! The header is the first record, within the first ten that hold a value, that names
//! enough of the form's columns: title or blank records above it (a sheet saved as CSV)
//! are skipped, and rows count from the header as row 1. Records shorter than the header
//! are padded with empty cells; fields beyond the header are ignored. Records with no
//! value at all (`;;;;`) and empty lines are skipped and not counted, but keep their row
//! numbers, as a spreadsheet shows them. A file whose lines end in a bare CR (classic Mac
//! OS) is read as if they ended in LF. Every value is text.

use std::borrow::Cow;
use std::sync::Arc;

use csv::{ByteRecord, ReaderBuilder, StringRecord};
use daryn_registry::cell::{self, Cell};
use daryn_registry::form::{TableDef, TableKind};

use super::header::{HeaderMap, is_blank};
use super::xlsx::HEADER_SEARCH_ROWS;
use super::{DropBuilder, FileInput, RowLocation, TableRows};
use crate::error::{Error, Result};

/// How many records may sit above the header, the blank ones included.
const MAX_RECORDS_ABOVE_HEADER: u64 = 1_000;

/// The longest record read: a spreadsheet cell holds at most 32,767 characters, and a
/// row of the form's columns filled to that is under 2 MiB.
const MAX_RECORD_BYTES: usize = 4 << 20;

fn too_long(input: &FileInput<'_>, line: u64) -> Error {
    Error::Unreadable {
        path: input.path.clone(),
        reason: format!("line {line} is longer than {} MiB, which no row of the form is", MAX_RECORD_BYTES >> 20),
    }
}

/// The delimiters tried, in the order that wins a tie.
const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// Reads one table from a CSV file; returns the number of records (the manifest's count).
pub(super) fn read(input: &FileInput<'_>, table: TableKind, builder: &mut DropBuilder) -> Result<u64> {
    let text = decode(input.bytes).map_err(|reason| Error::Unreadable { path: input.path.clone(), reason })?;
    let text = lines_ending_in_lf(text);
    let source = input.name.to_string();
    if text.iter().all(u8::is_ascii_whitespace) {
        // An export cut short before it began: published, it would remove every child of
        // the region, or every measure, achievement or teacher (and reject the measures
        // of the teachers it lost). An export of no rows still writes its header; a
        // region without measures may also leave the file out.
        let name = table.name();
        let reason = match table {
            TableKind::Children => "the file is empty; the children table needs at least its header row".to_owned(),
            _ => format!(
                "the file is empty; a {name} file needs at least its header row (a region with no {name} may leave \
                 the file out)"
            ),
        };
        return Err(Error::Unreadable { path: input.path.clone(), reason });
    }
    // The header is looked for three times (once per delimiter), each keeping a record:
    // a file of one endless line (a binary file, a dump without line breaks) would be
    // held several times over before it was refused as having no header.
    // Lines as the reader counts them: ended by CRLF, LF or a CR alone (Excel for Mac ends
    // rows in CR and breaks lines in a cell with LF).
    if let Some(line) = text
        .split(|byte| *byte == b'\n')
        .flat_map(|line| line.strip_suffix(b"\r").unwrap_or(line).split(|byte| *byte == b'\r'))
        .take(MAX_RECORDS_ABOVE_HEADER as usize + 1)
        .position(|line| line.len() > MAX_RECORD_BYTES)
    {
        return Err(too_long(input, line as u64 + 1));
    }
    let definition = table.definition();
    let (delimiter, header, above_header) = detect_header(&text, definition);
    let (map, unknown) = HeaderMap::build(definition, header.iter());
    if !map.is_header() {
        // A header in another encoding names nothing: say so rather than "no header".
        let not_utf8 = if is_utf16(input.bytes) { None } else { invalid_utf8(input.bytes) };
        return Err(match not_utf8 {
            Some(reason) => Error::Unreadable { path: input.path.clone(), reason },
            None => Error::NoHeader { path: input.path.clone(), sheet: None },
        });
    }
    for header in unknown {
        builder.unknown_column(&input.name, header);
    }
    builder.written_headers(&input.name, None, definition, &map);
    let mut reader = reader(delimiter, &text);
    let mut record = ByteRecord::new();
    let mut rows = TableRows::new(table);
    let mut broken = Vec::new();
    let unreadable = || {
        let reason = invalid_utf8(input.bytes).unwrap_or_else(|| "not valid UTF-8".to_owned());
        Error::Unreadable { path: input.path.clone(), reason }
    };
    // Title records above the header are skipped; the header is record 1 and `records`
    // counts every record read since.
    let mut title_records = above_header;
    let mut records = 0u64;
    // Where the last record read began: a quote it opens and never closes ends the file
    // inside one cell, which the parser takes for the cell's end.
    let mut last: Option<csv::Position> = None;
    loop {
        let before = reader.position().byte();
        let read = reader.read_byte_record(&mut record);
        if matches!(read, Ok(true)) {
            last = record.position().cloned();
        }
        match read {
            Ok(false) => {
                if let Some(last) = &last {
                    let start = usize::try_from(last.byte()).unwrap_or(usize::MAX);
                    if let Some(column) = open_quote_at_end(text.get(start..).unwrap_or_default(), delimiter) {
                        return Err(Error::Unreadable {
                            path: input.path.clone(),
                            reason: format!(
                                "a quote opens cell {} of the record on line {} and is never closed: the file ends \
                                 inside that cell (an export cut short?); close the quote, or remove it",
                                column + 1,
                                start_line(&text, last)
                            ),
                        });
                    }
                }
                break;
            }
            Ok(_) if title_records > 0 => title_records -= 1,
            Err(_) if title_records > 0 && reader.position().byte() != before => title_records -= 1,
            Ok(true) if record.as_slice().len() > MAX_RECORD_BYTES => {
                return Err(too_long(input, record.position().map_or(0, |position| start_line(&text, position))));
            }
            Ok(true) => {
                if records > 0 {
                    records += record.position().map_or(0, |position| empty_lines_before(&text, position));
                }
                records += 1;
                if records == 1 {
                    continue;
                }
                // The record's bytes are checked as UTF-8 at once (with SIMD), rather than
                // field by field as the parser's `StringRecord` does: most fields of an
                // export are Cyrillic, which the standard check reads byte by byte.
                let text_of_record = simdutf8::basic::from_utf8(record.as_slice()).map_err(|_| unreadable())?;
                if text_of_record.contains('\n') {
                    swallowed_rows(input, &text, &record, text_of_record, delimiter, &map)?;
                }
                let mut cells = map.empty_row();
                for source_column in 0..record.len() {
                    // Every field is sliced, read or not: a character split across two
                    // fields (`\xD0;\x90`) is valid UTF-8 joined, but in neither field, and
                    // a slice that does not fall on characters refuses the file as before.
                    let field = record.range(source_column).and_then(|range| text_of_record.get(range));
                    let field = field.ok_or_else(unreadable)?;
                    let Some(column) = map.target(source_column) else { continue };
                    if !cell::is_blank(field) {
                        cells[column] = Cell::Text(field.to_owned());
                    }
                }
                if is_blank(&cells) {
                    continue;
                }
                let line = record.position().map(|position| start_line(&text, position));
                rows.push(cells, location(&input.name, records, line));
            }
            Err(error) => {
                // Reading from memory, the parser fails only on text it cannot split; it
                // resumes after the record. When it does not move, the file is unreadable.
                if reader.position().byte() == before {
                    return Err(Error::Unreadable { path: input.path.clone(), reason: error.to_string() });
                }
                records += error.position().map_or(0, |position| empty_lines_before(&text, position)) + 1;
                let line = error.position().map(|position| start_line(&text, position));
                broken.push((location(&input.name, records, line), error.to_string()));
            }
        }
    }
    let count = (rows.len() + broken.len()) as u64;
    // The records that could not be read first: a file holding only those holds records.
    for (location, reason) in broken {
        builder.broken(table, location, reason);
    }
    builder.put_table(table, source, rows, false)?;
    Ok(count)
}

/// The fewest columns a file has for a line inside one of its cells to be told for a row
/// ([`swallowed_rows`]).
const ROW_LIKE_COLUMNS: usize = 5;

/// Refuses a file in which a quote opened in a cell is not closed where the cell ends: the
/// lines after it, up to the next quote somewhere below, would be read as that one cell,
/// and the rows on them lost without a word. A cell spanning lines is taken for this
/// when a line inside it holds as many delimiters as a whole row of the file does, in a
/// file of five columns or more (an export has sixteen): a cell written over several
/// lines (an address, a note) holds no such line.
fn swallowed_rows(
    input: &FileInput<'_>,
    text: &[u8],
    record: &ByteRecord,
    text_of_record: &str,
    delimiter: u8,
    map: &HeaderMap,
) -> Result<()> {
    if map.file_width() < ROW_LIKE_COLUMNS {
        return Ok(());
    }
    let enough = map.file_width();
    for column in 0..record.len() {
        let Some(field) = record.range(column).and_then(|range| text_of_record.get(range)) else { continue };
        let lines_like_rows = field
            .split('\n')
            .skip(1)
            .filter(|line| line.bytes().filter(|&byte| byte == delimiter).count() + 1 >= enough)
            .count();
        if lines_like_rows > 0 {
            let line = record.position().map(|position| start_line(text, position)).unwrap_or(0);
            return Err(Error::Unreadable {
                path: input.path.clone(),
                reason: format!(
                    "a quote opens cell {} of the record on line {line} and is not closed on that line: the {} \
                     lines after it that look like rows would be read into that one cell; close the quote, or \
                     remove it",
                    column + 1,
                    lines_like_rows
                ),
            });
        }
    }
    Ok(())
}

/// The cell (counted from 0) of `record`, the text of a file's last record to its end,
/// in which a quote opens and the file ends: the parser ends such a cell at the end of
/// the file, where a quote left open in an earlier record is found by [`swallowed_rows`].
/// Quoting as the parser reads it: a cell is quoted when its first character is `"`,
/// `""` inside it is one quote, and a quote elsewhere is a character of the cell.
fn open_quote_at_end(record: &[u8], delimiter: u8) -> Option<usize> {
    let (mut column, mut quoted, mut at_start) = (0, false, true);
    let mut bytes = record.iter().copied().skip_while(|&byte| byte == b'\r' || byte == b'\n').peekable();
    while let Some(byte) = bytes.next() {
        if quoted {
            if byte == b'"' {
                if bytes.peek() == Some(&b'"') {
                    bytes.next();
                } else {
                    quoted = false;
                }
            }
            continue;
        }
        match byte {
            _ if byte == delimiter => {
                column += 1;
                at_start = true;
                continue;
            }
            // Nothing follows the last record but line ends.
            b'\r' | b'\n' => {
                column = 0;
                at_start = true;
                continue;
            }
            b'"' if at_start => quoted = true,
            _ => {}
        }
        at_start = false;
    }
    quoted.then_some(column)
}

fn location(file: &Arc<str>, row: u64, line: Option<u64>) -> RowLocation {
    RowLocation { file: file.clone(), sheet: None, row, line, nested: None }
}

/// The line a record starts on. The parser notes a record's position before it skips
/// the line ends that precede it (the `\n` of a CRLF, blank lines), so those are counted
/// here.
fn start_line(text: &[u8], position: &csv::Position) -> u64 {
    let start = usize::try_from(position.byte()).unwrap_or(usize::MAX);
    let skipped = text.get(start..).unwrap_or_default();
    let newlines = skipped.iter().take_while(|&&byte| byte == b'\r' || byte == b'\n').filter(|&&byte| byte == b'\n');
    position.line() + newlines.count() as u64
}

/// How many empty lines the parser skipped before a record: the line ends that follow
/// the previous record's own (the `\n` of its CRLF, which is the first byte skipped when
/// it ended in `\r`), a CRLF counting once.
fn empty_lines_before(text: &[u8], position: &csv::Position) -> u64 {
    let start = usize::try_from(position.byte()).unwrap_or(usize::MAX);
    let Some(skipped) = text.get(start..) else { return 0 };
    let run = skipped.iter().take_while(|&&byte| byte == b'\r' || byte == b'\n').count();
    let mut ends = 0u64;
    let mut at = 0;
    // The `\n` ending the previous record's CRLF.
    if start > 0 && text[start - 1] == b'\r' && skipped.first() == Some(&b'\n') {
        at = 1;
    }
    while at < run {
        at += if skipped[at] == b'\r' && skipped.get(at + 1) == Some(&b'\n') { 2 } else { 1 };
        ends += 1;
    }
    ends
}

/// A text whose lines end in a bare CR, with LF in their place; any other text as it is.
/// The parser ends records at either, but counts lines by LF only.
fn lines_ending_in_lf(text: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    if text.contains(&b'\n') || !text.contains(&b'\r') {
        return text;
    }
    Cow::Owned(text.iter().map(|&byte| if byte == b'\r' { b'\n' } else { byte }).collect())
}

fn reader(delimiter: u8, text: &[u8]) -> csv::Reader<&[u8]> {
    ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text)
}

/// Decodes a CSV file's bytes by its BOM: UTF-16LE (`FF FE`) and UTF-16BE (`FE FF`) are
/// decoded to UTF-8; UTF-8 (`EF BB BF`, or no BOM) is passed on as it is, the parser
/// checks it record by record (see [`invalid_utf8`]).
fn decode(bytes: &[u8]) -> std::result::Result<Cow<'_, [u8]>, String> {
    let utf16 = match bytes {
        [0xff, 0xfe, rest @ ..] => Some((encoding_rs::UTF_16LE, rest)),
        [0xfe, 0xff, rest @ ..] => Some((encoding_rs::UTF_16BE, rest)),
        _ => None,
    };
    let Some((encoding, rest)) = utf16 else {
        if let Some(name) = utf16_without_bom(bytes) {
            return Err(format!(
                "it reads as {name} text without the byte order mark the form asks for; save it as CSV UTF-8, or \
                 as Unicode text (UTF-16), which writes the mark"
            ));
        }
        return Ok(Cow::Borrowed(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)));
    };
    match encoding.decode_without_bom_handling_and_without_replacement(rest) {
        Some(Cow::Borrowed(text)) => Ok(Cow::Borrowed(text.as_bytes())),
        Some(Cow::Owned(text)) => Ok(Cow::Owned(text.into_bytes())),
        None => Err(format!("the file starts with a {} byte order mark but is not valid {0}", encoding.name())),
    }
}

/// The UTF-16 a file without a byte order mark is written in, when its first bytes are:
/// a NUL in every other byte, at one parity only, for a quarter of the characters or
/// more (the high byte of digits, separators and Latin letters). Text in UTF-8 holds no
/// NUL, so such a file was told only as "not valid UTF-8" at its first Kazakh letter, or
/// as a file without the form's header.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static str> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    let characters = sample.len() / 2;
    if characters < 2 {
        return None;
    }
    let nuls = |parity: usize| sample.iter().skip(parity).step_by(2).filter(|&&byte| byte == 0).count();
    match (nuls(1), nuls(0)) {
        (high, 0) if high * 4 >= characters => Some("UTF-16LE"),
        (0, low) if low * 4 >= characters => Some("UTF-16BE"),
        _ => None,
    }
}

/// Whether a file starts with a UTF-16 byte order mark.
fn is_utf16(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff])
}

/// Where a UTF-8 file stops being valid UTF-8, as a message; `None` when it is valid.
fn invalid_utf8(bytes: &[u8]) -> Option<String> {
    let rest = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let error = std::str::from_utf8(rest).err()?;
    let offset = bytes.len() - rest.len() + error.valid_up_to();
    let line = bytes[..offset].iter().filter(|&&byte| byte == b'\n').count() + 1;
    Some(format!("not valid UTF-8 at byte {offset} (line {line}); save it as CSV UTF-8 or as Unicode text (UTF-16)"))
}

/// Finds the header and the delimiter. With each delimiter the header is the first
/// record, within the first [`HEADER_SEARCH_ROWS`] that hold a value, that names enough of the table's
/// columns (title or blank records may sit above it, as in a sheet saved as CSV); the
/// delimiter whose header names the most columns wins (ties: the most fields, then the
/// order of [`DELIMITERS`]). When no record is a header, the first record is returned,
/// for the caller to refuse. Returns the delimiter, the header and how many records
/// are above it.
fn detect_header(text: &[u8], definition: &TableDef) -> (u8, StringRecord, u64) {
    let mut best: Option<(bool, usize, usize, u8, StringRecord, u64)> = None;
    for delimiter in DELIMITERS {
        let mut reader = reader(delimiter, text);
        let mut first = None;
        let mut found = None;
        // Records with no value (`;;;`) do not count toward the ten, up to a limit.
        let mut holding_values = 0;
        for above in 0..MAX_RECORDS_ABOVE_HEADER {
            if holding_values == HEADER_SEARCH_ROWS {
                break;
            }
            let mut record = StringRecord::new();
            let before = reader.position().byte();
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                // A record that does not parse is no header; a parser that does not move
                // has nothing more to give.
                Err(_) if reader.position().byte() != before => record = StringRecord::new(),
                Err(_) => break,
            }
            if record.iter().all(cell::is_blank) {
                continue;
            }
            holding_values += 1;
            let map = HeaderMap::build(definition, record.iter()).0;
            if map.is_header() {
                found = Some((map.recognised(), record, above));
                break;
            }
            if first.is_none() {
                first = Some((map.recognised(), record));
            }
        }
        let candidate = match (found, first) {
            (Some((recognised, record, above)), _) => (true, recognised, record.len(), delimiter, record, above),
            (None, Some((recognised, record))) => (false, recognised, record.len(), delimiter, record, 0),
            (None, None) => (false, 0, 0, delimiter, StringRecord::new(), 0),
        };
        let better = match &best {
            None => true,
            Some((header, recognised, fields, ..)) => {
                (candidate.0, candidate.1, candidate.2) > (*header, *recognised, *fields)
            }
        };
        if better {
            best = Some(candidate);
        }
    }
    let (_, _, _, delimiter, header, above) = best.expect("at least one delimiter is tried");
    (delimiter, header, above)
}

#[cfg(test)]
mod tests {
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
            let text = ["ЖСН", "Тегі", "Аты", "Сомасы, теңге"].join(delimiter)
                + "\n1"
                + delimiter
                + "Б"
                + delimiter
                + "В\n";
            let content = read_children(text.into_bytes());
            let row = &content.table(TableKind::Children).rows[0];
            assert_eq!(row[CHILDREN.index("last_name")], Cell::text("Б"), "delimiter {delimiter:?}");
        }
        // `Сомасы, теңге` names a measures column only when `;` splits the header.
        let (delimiter, header, above) =
            detect_header("ЖСН;Шара атауы;Сомасы, теңге;Мәртебесі\n".as_bytes(), &MEASURES);
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
        let error = read_drop_files(Path::new("35"), vec![("children.csv".to_owned(), b"1,2,3\n4,5,6\n".to_vec())])
            .unwrap_err();
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
            let error =
                read_drop_files(Path::new("35"), vec![("children.csv".to_owned(), empty.to_vec())]).unwrap_err();
            assert_eq!(error.code(), "table_unreadable", "{empty:?}");
            assert!(error.to_string().contains("the file is empty"), "{error}");
            for table in ["measures", "achievements", "teachers"] {
                let files =
                    vec![("children.csv".to_owned(), children.clone()), (format!("{table}.csv"), empty.to_vec())];
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
        let error = read_drop_files(Path::new("35"), vec![("children.csv".to_owned(), lines.join("\n").into_bytes())])
            .unwrap_err();
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
}
