//! Workbooks: one per table (`children.xlsx`, its table in the sheet named for it or
//! else its first visible sheet), or one `roadmap.xlsx` whose sheets are named for the
//! tables in English, Kazakh or Russian. Either way every sheet named for a table is
//! read, and a sheet named for none is read by its header: as a table the workbook
//! lacks, or as the table its name goes on from (`Балалар (2)`), which is then given
//! twice ([`read`]). Other sheets (a template's explanation sheet, its hidden lists,
//! notes) are ignored, and so is a hidden sheet named for a table that a visible sheet
//! holds (an old copy left in the workbook).
//!
//! A sheet's header is the first row, within its first [`HEADER_SEARCH_ROWS`] rows that
//! hold a value, that names at least [`MIN_HEADER_COLUMNS`](super::header::MIN_HEADER_COLUMNS) columns of
//! the form; title and blank rows above it are skipped, and so are blank rows below it
//! (they keep their row numbers). Sheets are streamed cell by cell, never loaded whole.
//! A range merged down a column below the header gives each of its rows its first
//! cell's value ([`fill_merged_cells`]); the merge list, which a sheet keeps after its
//! cells, is read in a second pass over the sheet.
//!
//! Cells keep their type: numbers (also IINs and district codes typed as numbers, and
//! dates stored as plain serials) become [`Cell::Number`], date cells [`Cell::DateTime`],
//! booleans [`Cell::Bool`], text [`Cell::Text`]; error cells are empty. A serial in a
//! date column of a workbook that counts days from 1904 (an option of Excel for Mac) is
//! moved to the 1900 count the form's rules read.
//!
//! A workbook is checked before it is opened for what would make the XLSX library ask
//! for impossible memory (a shared-strings count no file of its size can hold), which
//! would end the whole run rather than refuse one drop.

use std::borrow::Cow;
use std::io::{Cursor, Read};
use std::sync::Arc;

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx};
use daryn_registry::cell::{self, Cell};
use daryn_registry::form::{ColumnType, TableDef, TableKind};

use super::header::{HeaderMap, is_blank};
use super::{DropBuilder, FileInput, RowLocation, TableRows};
use crate::error::{Error, Result};

/// Among how many rows holding a value, at the top of a sheet, its header is looked for
/// (blank rows above it, however many, do not count).
pub(super) const HEADER_SEARCH_ROWS: u32 = 10;

/// Excel's column count (`A` to `XFD`).
const MAX_COLUMNS: usize = 16_384;

type Workbook<'a> = Xlsx<Cursor<&'a [u8]>>;

/// Days from 1899-12-30 (where the 1900 count starts) to 1904-01-01 (serial 0 of the
/// 1904 count): 1,462.
const DAYS_1900_TO_1904: f64 = 1_462.0;

/// The fewest bytes a shared string takes in `sharedStrings.xml` (`<si/>`).
const MIN_SHARED_STRING_BYTES: u64 = 5;

/// The most shared strings a workbook may declare: 50 million, for which the XLSX
/// library reserves 1.2 GB (a region's largest export has well under a million).
const MAX_SHARED_STRINGS: u64 = 50_000_000;

/// How far into `sharedStrings.xml` its `<sst>` element is looked for.
const MAX_SHARED_STRINGS_PROLOG: u64 = 16 * 1024 * 1024;

/// Reads a workbook: the one table `table`, or every table sheet of a `roadmap.xlsx`
/// (`table` is `None`). Returns the manifest's count: the data rows of the children
/// sheet, or of the one table.
///
/// Whichever the file's name, every sheet named for a table is read as that table
/// (a whole template saved as `children.xlsx` keeps its measures). A visible sheet named
/// for none is read by its header ([`header_table`]): as a table the workbook has no
/// sheet for (a measures sheet renamed `2026`: left out, the region's whole table would
/// be deleted by the snapshot), or, when its name goes on from a table's (`Балалар
/// (2)`), as that table, which is then given twice. Any other sheet is not read. A
/// table's sheet that holds only its header, or that is in a workbook named for another
/// table, gives way to another file of the drop holding the table
/// ([`DropBuilder::put_table`]).
pub(super) fn read(input: &FileInput<'_>, table: Option<TableKind>, builder: &mut DropBuilder) -> Result<u64> {
    if let Some(reason) = not_a_workbook(input.bytes)
        .or_else(|| unpacked_too_large(input.bytes))
        .or_else(|| impossible_shared_strings(input.bytes))
    {
        return Err(Error::Unreadable { path: input.path.clone(), reason });
    }
    let mut workbook: Workbook<'_> = Xlsx::new(Cursor::new(input.bytes)).map_err(|error| Error::Unreadable {
        path: input.path.clone(),
        reason: zip_of_other_files(input.bytes).unwrap_or_else(|| error.to_string()),
    })?;
    let date1904 = workbook.has_1904_epoch();
    let metadata = workbook.sheets_metadata().to_vec();
    let mut sheets = choose_sheets(&metadata, table);
    // Each visible sheet named for no table, with the table its name goes on from and
    // the one its header is.
    let unnamed: Vec<(String, Option<TableKind>, Option<TableKind>)> = metadata
        .iter()
        .filter(|sheet| {
            sheet.typ == SheetType::WorkSheet
                && sheet.visible == SheetVisible::Visible
                && TableKind::from_sheet_name(&sheet.name).is_none()
        })
        .map(|sheet| {
            let named = TableKind::from_sheet_name_loosely(&sheet.name);
            (sheet.name.clone(), named, header_table(&mut workbook, &sheet.name, named))
        })
        .collect();
    if let Some(table) = table
        && !sheets.iter().any(|(_, kind)| *kind == table)
    {
        // The file's own table in a visible sheet named for no table: the first whose
        // name goes on from the table's (`Балалар 2026`), else whose header is the
        // table's, else the first (a notes sheet before the data is passed over so).
        let own = unnamed
            .iter()
            .find(|(_, named, _)| *named == Some(table))
            .or_else(|| unnamed.iter().find(|(_, _, header)| *header == Some(table)))
            .or_else(|| unnamed.first());
        match own {
            Some((name, ..)) => sheets.insert(0, (name.clone(), table)),
            None => {
                return Err(Error::Unreadable {
                    path: input.path.clone(),
                    reason: format!("the workbook has no worksheet for the `{table}` table"),
                });
            }
        }
    }
    for (name, named, header) in &unnamed {
        let Some(kind) = *header else { continue };
        if sheets.iter().any(|(chosen, _)| chosen == name) {
            continue;
        }
        let missing = !sheets.iter().any(|(_, of)| *of == kind);
        if missing || *named == Some(kind) {
            sheets.push((name.clone(), kind));
        }
    }
    let mut count = 0;
    for (sheet, kind) in sheets {
        let rows = read_sheet(&mut workbook, input, &sheet, kind, date1904, builder)?;
        if table.map_or(kind == TableKind::Children, |table| kind == table) {
            count = rows.len() as u64;
        }
        let source = format!("{} [{sheet}]", input.name);
        builder.put_table(kind, source, rows, table.is_some_and(|table| table != kind))?;
    }
    Ok(count)
}

/// The sheets named for a table, with the table each holds. A hidden sheet is read only
/// when no visible sheet holds its table. For a one-table workbook, the sheet named for
/// it comes first.
fn choose_sheets(sheets: &[calamine::Sheet], table: Option<TableKind>) -> Vec<(String, TableKind)> {
    let visible = |sheet: &calamine::Sheet| sheet.visible == SheetVisible::Visible;
    let tables: Vec<(&calamine::Sheet, TableKind)> = sheets
        .iter()
        .filter(|sheet| sheet.typ == SheetType::WorkSheet)
        .filter_map(|sheet| Some((sheet, TableKind::from_sheet_name(&sheet.name)?)))
        .collect();
    let mut chosen: Vec<(String, TableKind)> = tables
        .iter()
        .filter(|(sheet, kind)| visible(sheet) || !tables.iter().any(|(other, of)| of == kind && visible(other)))
        .map(|(sheet, kind)| (sheet.name.clone(), *kind))
        .collect();
    // The file's own table first, so that its sheet is read first (and named first when
    // another holds it too); otherwise in workbook order.
    chosen.sort_by_key(|(_, kind)| Some(*kind) != table);
    chosen
}

/// The table whose header a sheet has, within its first [`HEADER_SEARCH_ROWS`] rows
/// holding a value: of the four, the one whose columns the header row names most. The
/// tables share some headers (ЖСН, Пән; Тегі, Аты), so a tie is that of `named` (the table
/// the sheet's name goes on from) or none. `None` too for a sheet without a header of
/// the form's (a notes or summary sheet), or one that cannot be read (then it is not
/// read either).
fn header_table(workbook: &mut Workbook<'_>, sheet_name: &str, named: Option<TableKind>) -> Option<TableKind> {
    let mut cells = workbook.worksheet_cells_reader(sheet_name).ok()?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut current: Option<u32> = None;
    while let Ok(Some(cell)) = cells.next_cell() {
        // Only text makes a header: the date system does not matter here.
        let value = cell_of(cell.get_value(), false);
        let (row, column) = cell.get_position();
        if value.is_empty() || column as usize >= MAX_COLUMNS {
            continue;
        }
        if current != Some(row) {
            if rows.len() as u32 >= HEADER_SEARCH_ROWS {
                break;
            }
            current = Some(row);
            rows.push(Vec::new());
        }
        let texts = rows.last_mut().expect("a row was started");
        if texts.len() <= column as usize {
            texts.resize(column as usize + 1, String::new());
        }
        texts[column as usize] = value.display();
    }
    for texts in &rows {
        let maps: Vec<(TableKind, HeaderMap)> = TableKind::ALL
            .into_iter()
            .map(|kind| (kind, HeaderMap::build(kind.definition(), texts.iter().map(String::as_str)).0))
            .collect();
        if !maps.iter().any(|(_, map)| map.is_header()) {
            continue;
        }
        let most = maps.iter().map(|(_, map)| map.recognised()).max().unwrap_or(0);
        let best: Vec<TableKind> =
            maps.iter().filter(|(_, map)| map.recognised() == most).map(|(kind, _)| *kind).collect();
        return match best.as_slice() {
            [only] => Some(*only),
            tied => named.filter(|named| tied.contains(named)),
        };
    }
    None
}

/// What a file named `.xlsx` is when it is no XLSX workbook (an XLSX is a zip archive),
/// in words that say what to do; `None` for a zip archive.
fn not_a_workbook(bytes: &[u8]) -> Option<String> {
    const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if bytes.is_empty() {
        return Some("the file is empty".to_owned());
    }
    if bytes.starts_with(&OLE) {
        return Some(
            "it is an Excel 97–2003 workbook (.xls) or one protected with a password; save it in Excel as \
             \"Excel Workbook (.xlsx)\", without a password"
                .to_owned(),
        );
    }
    if bytes.starts_with(b"PK") {
        // An OpenDocument file's first part is its `mimetype`, stored as it is.
        let head = &bytes[..bytes.len().min(256)];
        if head.windows(34).any(|window| window == b"application/vnd.oasis.opendocument") {
            return Some("it is an OpenDocument spreadsheet (.ods); save it as \"Excel 2007-365 (.xlsx)\"".to_owned());
        }
        if zip::ZipArchive::new(Cursor::new(bytes)).is_err() {
            return Some("it is cut short or damaged: not a whole workbook (send the file again)".to_owned());
        }
        return None;
    }
    let head = &bytes[..bytes.len().min(4096)];
    if simdutf8::basic::from_utf8(head).is_ok() || head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Some("it is a text file, not a workbook (a CSV named .xlsx?); name it .csv".to_owned());
    }
    Some("it is not a workbook (an XLSX file is a zip archive)".to_owned())
}

/// Why a zip archive the reader refused is no workbook, when it lacks a workbook's part:
/// a zip of other files (documents, a folder of CSVs), of which the reader would only say
/// that `_rels/.rels` is not found.
fn zip_of_other_files(bytes: &[u8]) -> Option<String> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    archive.index_for_name("xl/workbook.xml").is_none().then(|| {
        "it is a zip archive of other files, not a workbook (a workbook holds `xl/workbook.xml`); unpack it, or send \
         the workbook itself"
            .to_owned()
    })
}

/// The most a workbook's parts may unpack to, together.
const MAX_UNPACKED_BYTES: u64 = 4 << 30;

/// A part may unpack to this many times its packed size only while it stays under
/// [`RATIO_FREE_BYTES`]: sheets of a real export pack 7 to 10 times (the benchmark's
/// largest, 641 MB, to 71 MB), and a part packed a thousand times is made to exhaust
/// memory (a gigabyte of shared strings in a megabyte).
const MAX_PACKING_RATIO: u64 = 200;
const RATIO_FREE_BYTES: u64 = 64 << 20;

/// Why a workbook would take far more memory to read than a workbook of its data can:
/// parts that unpack to more than [`MAX_UNPACKED_BYTES`] together, one packed past
/// [`MAX_PACKING_RATIO`], or parts sharing their packed bytes (one stream read as a
/// thousand sheets). The sizes are the zip directory's, which the reader holds each part
/// to.
fn unpacked_too_large(bytes: &[u8]) -> Option<String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut total = 0u64;
    let mut ranges = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let Ok(part) = archive.by_index_raw(index) else { continue };
        let (size, packed) = (part.size(), part.compressed_size());
        total = total.saturating_add(size);
        if size > RATIO_FREE_BYTES && size / packed.max(1) > MAX_PACKING_RATIO {
            return Some(format!(
                "the workbook is malformed: `{}` unpacks to {size} bytes from {packed}, more than a workbook's data packs",
                part.name().unwrap_or_default()
            ));
        }
        let start = part.data_start().unwrap_or_else(|| part.header_start());
        ranges.push((part.header_start(), start.saturating_add(packed)));
    }
    if total > MAX_UNPACKED_BYTES {
        return Some(format!(
            "the workbook unpacks to {total} bytes, more than the {MAX_UNPACKED_BYTES} a drop's workbook may; send the \
             table as CSV"
        ));
    }
    ranges.sort_unstable();
    if ranges.windows(2).any(|pair| pair[1].0 < pair[0].1) {
        return Some("the workbook is malformed: two of its parts share their bytes".to_owned());
    }
    None
}

/// Why a workbook's shared strings cannot be what their count says: a `uniqueCount`
/// larger than the part's bytes can hold or than [`MAX_SHARED_STRINGS`], for which the
/// XLSX library would reserve memory up front and end the process when it cannot. `None`
/// for every other workbook, also a broken one (the library says what is wrong with it).
fn impossible_shared_strings(bytes: &[u8]) -> Option<String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let parts: Vec<String> = archive
        .file_names()
        .flatten()
        .filter(|name| name.to_ascii_lowercase().ends_with("sharedstrings.xml"))
        .map(Cow::into_owned)
        .collect();
    for name in parts {
        let Ok(part) = archive.by_name(&name) else { continue };
        // The size a part declares may lie; deflate cannot make more than about 1,032
        // bytes of one.
        let most_bytes = part.size().min(part.compressed_size().saturating_mul(1_100).saturating_add(4_096));
        let Some(head) = sst_start_tag(part) else {
            return Some(format!(
                "the workbook is malformed: `{name}` has no <sst> element in its first {MAX_SHARED_STRINGS_PROLOG} bytes"
            ));
        };
        let Some(count) = unique_count(&head) else { continue };
        if count > MAX_SHARED_STRINGS || count.saturating_mul(MIN_SHARED_STRING_BYTES) > most_bytes {
            return Some(format!(
                "the workbook is malformed: `{name}` says it holds {count} strings, more than its {most_bytes} bytes can"
            ));
        }
    }
    None
}

/// The bytes of a `sharedStrings.xml` up to the end of its `<sst …>` start tag, read as
/// far as [`MAX_SHARED_STRINGS_PROLOG`]; `None` when the tag has not ended by then. A
/// part that ends first, or cannot be read, gives what was read (the library reports the
/// fault).
fn sst_start_tag(part: impl Read) -> Option<Vec<u8>> {
    let mut part = part.take(MAX_SHARED_STRINGS_PROLOG);
    let mut head = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    // Where `<sst` begins once found; until then, where the next look for it starts.
    let (mut tag, mut looked) = (None, 0);
    loop {
        match part.read(&mut chunk) {
            Ok(0) if head.len() as u64 == MAX_SHARED_STRINGS_PROLOG => return None,
            Ok(0) | Err(_) => return Some(head),
            Ok(read) => head.extend_from_slice(&chunk[..read]),
        }
        if tag.is_none() {
            tag = head[looked..].windows(4).position(|window| window == b"<sst").map(|at| looked + at);
            looked = match tag {
                Some(at) => at,
                None => head.len().saturating_sub(3),
            };
        }
        if tag.is_some() {
            if let Some(end) = head[looked..].iter().position(|&byte| byte == b'>') {
                head.truncate(looked + end + 1);
                return Some(head);
            }
            looked = head.len();
        }
    }
}

/// The `uniqueCount` of a `sharedStrings.xml`'s `<sst>` element, from the part's first
/// bytes. A count too large for a `u64` is `u64::MAX`.
fn unique_count(head: &[u8]) -> Option<u64> {
    const NAME: &[u8] = b"uniqueCount";
    let at = head.windows(NAME.len()).position(|window| window == NAME)? + NAME.len();
    let rest = head[at..].trim_ascii_start().strip_prefix(b"=")?.trim_ascii_start();
    let rest = rest.strip_prefix(b"\"").or_else(|| rest.strip_prefix(b"'"))?;
    let digits = &rest[..rest.iter().take_while(|byte| byte.is_ascii_digit()).count()];
    if digits.is_empty() {
        return None;
    }
    let value =
        digits.iter().try_fold(0u64, |value, digit| value.checked_mul(10)?.checked_add(u64::from(digit - b'0')));
    Some(value.unwrap_or(u64::MAX))
}

/// Streams one sheet into rows of `table`.
fn read_sheet(
    workbook: &mut Workbook<'_>,
    input: &FileInput<'_>,
    sheet_name: &str,
    table: TableKind,
    date1904: bool,
    builder: &mut DropBuilder,
) -> Result<TableRows> {
    let unreadable = |error: calamine::XlsxError| Error::Unreadable {
        path: input.path.clone(),
        reason: format!("sheet `{sheet_name}`: {error}"),
    };
    let mut cells = workbook.worksheet_cells_reader(sheet_name).map_err(unreadable)?;
    let mut sheet = SheetRows::new(table.definition(), input.name.clone(), Arc::from(sheet_name));
    sheet.date1904 = date1904;
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let value = cell_of(cell.get_value(), date1904);
        // Formatted but empty cells make no row.
        if value.is_empty() {
            continue;
        }
        sheet.seen_values = true;
        let (row, column) = cell.get_position();
        if sheet.current_row != Some(row) {
            sheet.end_row();
            if sheet.header.is_none() && sheet.rows_above_header >= HEADER_SEARCH_ROWS {
                break;
            }
            sheet.current_row = Some(row);
        }
        sheet.cell(column as usize, value);
    }
    sheet.end_row();
    drop(cells);
    if sheet.header.is_none() && sheet.seen_values {
        return Err(Error::NoHeader { path: input.path.clone(), sheet: Some(sheet_name.to_owned()) });
    }
    if let Some((header_row, map)) = &sheet.header {
        // A merge list the library cannot read leaves the rows as they are: each merged
        // range then has its value in its first row only, and a required cell left empty
        // below it is reported.
        let merges = workbook.merge_cells_by_sheet_name(sheet_name).unwrap_or_default();
        fill_merged_cells(&mut sheet.rows, *header_row, map, sheet.definition, &merges);
        builder.written_headers(&input.name, Some(&sheet.sheet), sheet.definition, map);
    }
    for header in &sheet.unknown {
        builder.unknown_column(&input.name, header);
    }
    Ok(sheet.rows)
}

/// Gives every row of a range merged down a column the value of its first cell, as
/// Excel shows it: a coordinator who merges a child's IIN over the rows of her measures,
/// or a district over its children, means that value on each row. Only ranges that start
/// below the header count (a merged title or header is not data), and only their first
/// column is filled (a range merged across columns shows one value, written once). A row
/// holding nothing but merged values was skipped as blank and stays so; a cell of a
/// merged range that holds a value of its own (only a hand-made file has one) keeps it.
/// Ranges overlapping an earlier one in the same column (Excel allows none) are ignored,
/// so a crafted merge list cannot make the fill revisit the rows. An amount is not
/// filled: merged over several measures it may be their total, and given to each it
/// would be counted again for every row.
fn fill_merged_cells(
    rows: &mut TableRows,
    header_row: u32,
    map: &HeaderMap,
    definition: &TableDef,
    merges: &[calamine::Dimensions],
) {
    let mut ranges: Vec<(usize, u32, u32)> = merges
        .iter()
        .filter(|range| range.start.0 > header_row && range.end.0 > range.start.0)
        .filter_map(|range| Some((map.target(range.start.1 as usize)?, range.start.0, range.end.0)))
        .filter(|(target, ..)| definition.columns[*target].column_type != ColumnType::Decimal)
        .collect();
    if ranges.is_empty() {
        return;
    }
    ranges.sort_unstable();
    // Rows come in sheet order from every workbook but a malformed one; sorting their
    // places keeps the lookups right for that one too.
    let mut by_line: Vec<(u64, usize)> =
        rows.locations.iter().enumerate().filter_map(|(index, at)| Some((at.line?, index))).collect();
    by_line.sort_unstable();
    let mut reached: Option<(usize, u32)> = None;
    for (target, first, last) in ranges {
        if reached.is_some_and(|(column, end)| column == target && first <= end) {
            continue;
        }
        reached = Some((target, last));
        // Sheet rows are 0-based, lines 1-based.
        let (first_line, last_line) = (u64::from(first) + 1, u64::from(last) + 1);
        let from = by_line.partition_point(|(line, _)| *line < first_line);
        let Some(&(line, top)) = by_line.get(from) else { continue };
        if line != first_line || rows.rows[top][target].is_empty() {
            continue;
        }
        let value = rows.rows[top][target].clone();
        for &(line, index) in &by_line[from + 1..] {
            if line > last_line {
                break;
            }
            let cell = &mut rows.rows[index][target];
            if cell.is_empty() {
                *cell = value.clone();
            }
        }
    }
}

/// A sheet being read row by row.
struct SheetRows {
    definition: &'static TableDef,
    file: Arc<str>,
    sheet: Arc<str>,
    /// The sheet row (0-based) the cells being collected belong to.
    current_row: Option<u32>,
    /// Whether any cell held a value: a sheet without one is an empty table.
    seen_values: bool,
    /// Whether the workbook counts days from 1904.
    date1904: bool,
    /// Until the header is found: the current row's cells as text, with their column.
    candidate: Vec<(usize, String)>,
    /// Until the header is found: how many rows with a value were not the header.
    rows_above_header: u32,
    /// The header's sheet row (0-based) and its map, once found.
    header: Option<(u32, HeaderMap)>,
    unknown: Vec<String>,
    /// After the header: the current row in the form's column order.
    cells: Vec<Cell>,
    rows: TableRows,
}

impl SheetRows {
    fn new(definition: &'static TableDef, file: Arc<str>, sheet: Arc<str>) -> SheetRows {
        SheetRows {
            definition,
            file,
            sheet,
            current_row: None,
            seen_values: false,
            date1904: false,
            candidate: Vec::new(),
            rows_above_header: 0,
            header: None,
            unknown: Vec::new(),
            cells: Vec::new(),
            rows: TableRows::new(definition.kind),
        }
    }

    /// Takes a cell of the current row that holds a value.
    fn cell(&mut self, column: usize, cell: Cell) {
        match &self.header {
            // A cell beyond Excel's last column (only a malformed file has one) cannot
            // be a header.
            None if column < MAX_COLUMNS => self.candidate.push((column, cell.display())),
            None => {}
            Some((_, map)) => {
                if let Some(target) = map.target(column) {
                    self.cells[target] = match cell {
                        // Moved to the 1900 count only when that makes it a date: a year
                        // typed alone stays the year, which the message then names.
                        Cell::Number(serial)
                            if self.date1904
                                && self.definition.columns[target].column_type == ColumnType::Date
                                && cell::is_date_serial(serial + DAYS_1900_TO_1904) =>
                        {
                            Cell::Number(serial + DAYS_1900_TO_1904)
                        }
                        cell => cell,
                    };
                }
            }
        }
    }

    /// Finishes the row being collected: a header candidate, or a data row.
    fn end_row(&mut self) {
        let Some(row) = self.current_row.take() else {
            return;
        };
        match &self.header {
            None => {
                let width = self.candidate.iter().map(|(column, _)| column + 1).max().unwrap_or(0);
                let mut headers = vec![""; width];
                for (column, text) in &self.candidate {
                    headers[*column] = text;
                }
                let (map, unknown) = HeaderMap::build(self.definition, headers);
                if map.is_header() {
                    self.unknown = unknown.into_iter().map(str::to_owned).collect();
                    self.cells = map.empty_row();
                    self.header = Some((row, map));
                } else {
                    self.rows_above_header += 1;
                }
                self.candidate.clear();
            }
            Some((header_row, map)) => {
                let cells = std::mem::replace(&mut self.cells, map.empty_row());
                // A row numbered above the header comes only from a malformed file whose
                // rows are out of order: it is dropped.
                let Some(below_header) = row.checked_sub(*header_row) else {
                    return;
                };
                if is_blank(&cells) {
                    return;
                }
                let location = RowLocation {
                    file: self.file.clone(),
                    sheet: Some(self.sheet.clone()),
                    row: u64::from(below_header) + 1,
                    line: Some(u64::from(row) + 1),
                    nested: None,
                };
                self.rows.push(cells, location);
            }
        }
    }
}

/// A spreadsheet cell as the form's rules take it. A date cell is a date only when its
/// serial is one the form reads as a date ([`cell::is_date_serial`]): `2024` typed into
/// a date column (16 July 1905 as a date) is the number the coordinator typed, and the
/// rules say it is a year alone; a serial beyond chrono's range is not handed to it.
fn cell_of(value: &DataRef<'_>, date1904: bool) -> Cell {
    match value {
        DataRef::Int(number) => Cell::Number(*number as f64),
        DataRef::Float(number) => Cell::Number(*number),
        DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => text_cell(text),
        DataRef::SharedString(text) => text_cell(text),
        DataRef::Bool(value) => Cell::Bool(*value),
        DataRef::DateTime(value) => {
            let serial = value.as_f64();
            let in_1900_count = if date1904 { serial + DAYS_1900_TO_1904 } else { serial };
            match cell::is_date_serial(in_1900_count).then(|| value.as_datetime()).flatten() {
                Some(date_time) => Cell::DateTime(date_time),
                None => Cell::Number(serial),
            }
        }
        DataRef::Error(_) | DataRef::Empty => Cell::Empty,
    }
}

fn text_cell(text: &str) -> Cell {
    if text.trim().is_empty() { Cell::Empty } else { Cell::Text(text.to_owned()) }
}

#[cfg(test)]
mod tests;
