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
mod tests;
