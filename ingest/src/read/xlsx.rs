//! Workbooks: one per table (`children.xlsx`, its table in the sheet named for it or
//! else its first visible sheet), or one `roadmap.xlsx` whose sheets are named for the
//! tables in English, Kazakh or Russian; other sheets (a template's explanation sheet,
//! its hidden lists) are ignored.
//!
//! A sheet's header is the first row within its first [`HEADER_SEARCH_ROWS`] rows that
//! names at least [`MIN_HEADER_COLUMNS`](super::header::MIN_HEADER_COLUMNS) columns of
//! the form; title and blank rows above it are skipped, and so are blank rows below it
//! (they keep their row numbers). Sheets are streamed cell by cell, never loaded whole.
//!
//! Cells keep their type: numbers (also IINs and district codes typed as numbers, and
//! dates stored as plain serials) become [`Cell::Number`], date cells [`Cell::DateTime`],
//! booleans [`Cell::Bool`], text [`Cell::Text`]; error cells are empty.

use std::io::Cursor;
use std::sync::Arc;

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx};
use daryn_registry::cell::Cell;
use daryn_registry::form::{TableDef, TableKind};

use super::header::{HeaderMap, is_blank};
use super::{DropBuilder, FileInput, RowLocation, TableRows};
use crate::error::{Error, Result};

/// How many rows at the top of a sheet may hold its header.
pub(super) const HEADER_SEARCH_ROWS: u32 = 10;

/// Excel's column count (`A` to `XFD`).
const MAX_COLUMNS: usize = 16_384;

type Workbook<'a> = Xlsx<Cursor<&'a [u8]>>;

/// Reads a workbook: the one table `table`, or every table sheet of a `roadmap.xlsx`
/// (`table` is `None`). Returns the manifest's count: the data rows of the children
/// sheet, or of the one table.
pub(super) fn read(input: &FileInput<'_>, table: Option<TableKind>, builder: &mut DropBuilder) -> Result<u64> {
    let mut workbook: Workbook<'_> = Xlsx::new(Cursor::new(input.bytes))
        .map_err(|error| Error::Unreadable { path: input.path.clone(), reason: error.to_string() })?;
    let sheets = choose_sheets(workbook.sheets_metadata(), table);
    if let (Some(table), true) = (table, sheets.is_empty()) {
        return Err(Error::Unreadable {
            path: input.path.clone(),
            reason: format!("the workbook has no worksheet for the `{table}` table"),
        });
    }
    let mut count = 0;
    for (sheet, kind) in sheets {
        let rows = read_sheet(&mut workbook, input, &sheet, kind, builder)?;
        if table.is_some() || kind == TableKind::Children {
            count = rows.len() as u64;
        }
        let source = format!("{} [{sheet}]", input.name);
        *builder.start_table(kind, source)? = rows;
    }
    Ok(count)
}

/// The sheets to read and the table each holds.
fn choose_sheets(sheets: &[calamine::Sheet], table: Option<TableKind>) -> Vec<(String, TableKind)> {
    let worksheets = || sheets.iter().filter(|sheet| sheet.typ == SheetType::WorkSheet);
    match table {
        None => worksheets()
            .filter_map(|sheet| TableKind::from_sheet_name(&sheet.name).map(|kind| (sheet.name.clone(), kind)))
            .collect(),
        Some(table) => worksheets()
            .find(|sheet| TableKind::from_sheet_name(&sheet.name) == Some(table))
            .or_else(|| worksheets().find(|sheet| sheet.visible == SheetVisible::Visible))
            .map(|sheet| vec![(sheet.name.clone(), table)])
            .unwrap_or_default(),
    }
}

/// Streams one sheet into rows of `table`.
fn read_sheet(
    workbook: &mut Workbook<'_>,
    input: &FileInput<'_>,
    sheet_name: &str,
    table: TableKind,
    builder: &mut DropBuilder,
) -> Result<TableRows> {
    let unreadable = |error: calamine::XlsxError| Error::Unreadable {
        path: input.path.clone(),
        reason: format!("sheet `{sheet_name}`: {error}"),
    };
    let mut cells = workbook.worksheet_cells_reader(sheet_name).map_err(unreadable)?;
    let mut sheet = SheetRows::new(table.definition(), input.name.clone(), Arc::from(sheet_name));
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let value = cell_of(cell.get_value());
        // Formatted but empty cells make no row.
        if value.is_empty() {
            continue;
        }
        sheet.seen_values = true;
        let (row, column) = cell.get_position();
        if sheet.current_row != Some(row) {
            sheet.end_row();
            if sheet.header.is_none() && row >= HEADER_SEARCH_ROWS {
                break;
            }
            sheet.current_row = Some(row);
        }
        sheet.cell(column as usize, value);
    }
    sheet.end_row();
    if sheet.header.is_none() && sheet.seen_values {
        return Err(Error::NoHeader { path: input.path.clone(), sheet: Some(sheet_name.to_owned()) });
    }
    for header in &sheet.unknown {
        builder.unknown_column(&input.name, header);
    }
    Ok(sheet.rows)
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
    /// Until the header is found: the current row's cells as text, with their column.
    candidate: Vec<(usize, String)>,
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
            candidate: Vec::new(),
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
                    self.cells[target] = cell;
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

/// A spreadsheet cell as the form's rules take it.
fn cell_of(value: &DataRef<'_>) -> Cell {
    match value {
        DataRef::Int(number) => Cell::Number(*number as f64),
        DataRef::Float(number) => Cell::Number(*number),
        DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => text_cell(text),
        DataRef::SharedString(text) => text_cell(text),
        DataRef::Bool(value) => Cell::Bool(*value),
        DataRef::DateTime(value) => value.as_datetime().map(Cell::DateTime).unwrap_or(Cell::Number(value.as_f64())),
        DataRef::Error(_) | DataRef::Empty => Cell::Empty,
    }
}

fn text_cell(text: &str) -> Cell {
    if text.trim().is_empty() { Cell::Empty } else { Cell::Text(text.to_owned()) }
}

#[cfg(test)]
mod tests;
