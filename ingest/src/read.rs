//! Reading regions' drops (ROADMAP-FORM.md sections 1, 3 and 5): [`discover`] finds the
//! drop folders, [`read_drop`] turns a folder's CSV, XLSX or JSONL files into rows of
//! [`Cell`]s in the form's column order, each with the [`RowLocation`] a region's
//! coordinator will see in a rejection report, and [`compare_manifest`] checks the files
//! against `manifest.json`.
//!
//! Readers do not judge values: every cell is handed over as written (text, number,
//! date or boolean), and the form's rules in `daryn-registry` decide what it means. A
//! record that cannot be read at all (a JSONL line that is not a JSON object) becomes a
//! [`BrokenRecord`]; a file that cannot be read at all is an [`Error`].
//!
//! Inside: `csv` (encodings, delimiter detection, quoted multi-line fields), `xlsx`
//! (per-table workbooks or one `roadmap.xlsx`, title rows, typed cells), `jsonl` (the
//! nested `roadmap.jsonl`), `header` (headers in three languages mapped to the form's
//! columns), `discover`, `folder` (which files are the tables', and their checksums) and
//! `manifest`.

mod csv;
mod discover;
mod folder;
mod header;
mod jsonl;
mod manifest;
mod xlsx;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use daryn_registry::cell::Cell;
use daryn_registry::form::rules::DropRows;
use daryn_registry::form::{TableDef, TableKind};
use daryn_registry::iin::{mask_digit_runs, mask_iin_runs, mask_path};
use daryn_registry::lang::Lang;
use sha2::{Digest, Sha256};

pub use discover::{DropSource, discover};
use folder::{data_file_names, files_like_tables, unread_table_files};
pub use folder::{file_checksums, file_fingerprints};
pub use manifest::{Manifest, ManifestFile, ManifestMismatch, MismatchKind, compare_manifest, compare_manifest_bytes};

use crate::error::{Error, Result};
use header::HeaderMap;

/// Where a row came from, as the region's coordinator sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowLocation {
    /// The file name within the drop folder, e.g. `children.csv`. Shared by every row of
    /// the file, so a location costs no allocation per row.
    pub file: Arc<str>,
    /// The XLSX sheet name as written in the workbook.
    pub sheet: Option<Arc<str>>,
    /// The contract's row number: the header is row 1 of its data block and the first
    /// data row is 2, whatever title rows sit above the header. Blank rows and records
    /// keep their numbers although they are skipped. JSONL: the line number (1-based).
    pub row: u64,
    /// CSV: the physical line the record starts on (1-based, a quoted field may span
    /// lines). XLSX: the sheet row as the spreadsheet shows it (1-based). JSONL: `None`.
    pub line: Option<u64>,
    /// JSONL rows nested in a child's document: `measures[2]`, `teachers[0]`, …
    pub nested: Option<NestedRow>,
}

impl fmt::Display for RowLocation {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "`{}`", self.file)?;
        if let Some(sheet) = &self.sheet {
            write!(formatter, " sheet `{sheet}`")?;
        }
        write!(formatter, " row {}", self.row)?;
        if let Some(nested) = &self.nested {
            write!(formatter, " `{nested}`")?;
        }
        Ok(())
    }
}

/// A row nested in a JSONL child document: which list, and its 0-based index there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NestedRow {
    /// The list the row sits in, which is also the table it belongs to.
    pub list: TableKind,
    /// Its position in the list, from 0.
    pub index: usize,
    /// The row of the child whose document holds it, among the file's children rows.
    pub parent: usize,
}

impl fmt::Display for NestedRow {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}[{}]", self.list, self.index)
    }
}

/// One table's rows from one drop: cells in the form's column order
/// ([`TableKind::definition`]), every row as long as the table has columns, and the
/// location of each row (`locations[i]` is where `rows[i]` came from).
#[derive(Clone, Debug, PartialEq)]
pub struct TableRows {
    pub table: TableKind,
    pub rows: Vec<Vec<Cell>>,
    pub locations: Vec<RowLocation>,
}

impl TableRows {
    fn new(table: TableKind) -> TableRows {
        TableRows { table, rows: Vec::new(), locations: Vec::new() }
    }

    fn push(&mut self, cells: Vec<Cell>, location: RowLocation) {
        self.rows.push(cells);
        self.locations.push(location);
    }

    /// The number of rows read.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// A column whose header names no column of the form (or names one already taken by an
/// earlier header). Its values are ignored; it is reported once per drop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownColumn {
    pub file: String,
    /// The header as written, without surrounding spaces. JSONL keys of nested rows are
    /// prefixed with their list: `measures.note`.
    pub header: String,
}

/// A record that could not be read at all, e.g. a JSONL line that is not a JSON
/// object. Validation rejects it; the rest of the file is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokenRecord {
    pub table: TableKind,
    pub location: RowLocation,
    /// Lowercase, names in backticks, like error messages.
    pub reason: String,
}

/// A data file that was read, as `manifest.json` describes it (section 5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileStats {
    /// The file name within the drop folder.
    pub name: String,
    /// Records excluding the header (a quoted multi-line field is one record); blank
    /// records and rows are not counted. `roadmap.jsonl`: its non-blank lines, i.e.
    /// children. A workbook: the data rows of its `children` sheet, or of its one table.
    pub rows: u64,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
}

/// Everything read from one drop folder.
#[derive(Clone, Debug, PartialEq)]
pub struct DropContent {
    /// The four tables in [`TableKind::ALL`] order; a table without a file is empty.
    pub tables: [TableRows; 4],
    /// Columns the form does not know, once per file and header.
    pub unknown_columns: Vec<UnknownColumn>,
    /// Every data file read, by name.
    pub files: Vec<FileStats>,
    /// The tables that had a file or sheet, in [`TableKind::ALL`] order.
    pub present: Vec<TableKind>,
    /// Records that could not be read at all; they are in no table's rows.
    pub broken: Vec<BrokenRecord>,
    /// Per file (and sheet), the headers that name a form column in other words than
    /// its English name (`Ауыл/қала` for `area_type`): the coordinator's file names a
    /// column as the coordinator's sheet does.
    pub headers: Vec<WrittenHeaders>,
}

/// The headers of one file or sheet that name a form column in words of their own.
#[derive(Clone, Debug, PartialEq)]
pub struct WrittenHeaders {
    pub file: Arc<str>,
    pub sheet: Option<Arc<str>>,
    /// (the form's column, the header as written)
    pub columns: Vec<(&'static str, String)>,
}

impl DropContent {
    /// The header that the file (and sheet) of `location` gives the form's `column`,
    /// when it is not the column's English name; `None` for a nested JSONL element.
    pub fn written_header(&self, location: &RowLocation, column: &str) -> Option<&str> {
        if location.nested.is_some() {
            return None;
        }
        let headers =
            self.headers.iter().find(|headers| headers.file == location.file && headers.sheet == location.sheet)?;
        headers.columns.iter().find(|(name, _)| *name == column).map(|(_, written)| written.as_str())
    }

    /// One table's rows (empty when the drop has no such table).
    pub fn table(&self, table: TableKind) -> &TableRows {
        &self.tables[table as usize]
    }

    /// Moves the rows out for the form's rules ([`daryn_registry::form::rules::check_drop`]),
    /// leaving the locations in place: rejection `index` `i` of a table is at
    /// `self.table(table).locations[i]`.
    pub fn take_rows(&mut self) -> DropRows {
        let parents = |table: &TableRows| -> Vec<Option<usize>> {
            if table.locations.iter().all(|location| location.nested.is_none()) {
                return Vec::new();
            }
            table.locations.iter().map(|location| location.nested.map(|nested| nested.parent)).collect()
        };
        let measure_parents = parents(&self.tables[TableKind::Measures as usize]);
        let achievement_parents = parents(&self.tables[TableKind::Achievements as usize]);
        let [children, measures, achievements, teachers] =
            self.tables.each_mut().map(|table| std::mem::take(&mut table.rows));
        DropRows { children, measures, achievements, teachers, measure_parents, achievement_parents }
    }
}

/// Reads the drop folder of `source` (see [`read_folder`]).
#[tracing::instrument(skip_all, fields(region = %source.region, folder = %mask_path(&source.folder)))]
pub fn read_drop(source: &DropSource) -> Result<DropContent> {
    read_folder(&source.folder)
}

/// Reads a drop folder: `children`, `measures`, `achievements` and `teachers` as `.csv`,
/// `.xlsx` or `.jsonl` files (named in English, Kazakh or Russian, any case), or one
/// `roadmap.xlsx` with a sheet per table (sheets named in any of the three languages;
/// other sheets, like a template's explanation sheet or its hidden lists, are ignored),
/// or one `roadmap.jsonl`. Other files (`manifest.json`, notes) are ignored.
///
/// Errors: no `children` table; a table given twice; a data file that cannot be read.
pub fn read_folder(folder: &Path) -> Result<DropContent> {
    let mut files = Vec::new();
    for name in data_file_names(folder)? {
        let path = folder.join(&name);
        // Read whole, and held a few times over while read: a file far beyond any
        // region's export (a copy gone wrong, a disk image) must not take the memory the
        // whole run needs.
        let size = std::fs::metadata(&path).map_err(Error::io(&path))?.len();
        if size > MAX_FILE_BYTES {
            return Err(Error::Unreadable {
                path,
                reason: format!("it is {size} bytes; a drop's file may be at most {MAX_FILE_BYTES} (2 GiB)"),
            });
        }
        let bytes = std::fs::read(&path).map_err(Error::io(&path))?;
        files.push((name, bytes));
    }
    let content = read_drop_files(folder, files).map_err(|error| match error {
        Error::MissingTable { folder, table, .. } => {
            let unread = unread_table_files(&folder);
            let unread = match unread.is_empty() {
                true => String::new(),
                false => format!(
                    " (not read: `{}`; the form takes a table as .csv, .xlsx or .jsonl: Excel's \"Unicode text\" \
                     is read when renamed to .csv)",
                    unread.join("`, `")
                ),
            };
            Error::MissingTable { folder, table, unread }
        }
        other => other,
    })?;
    // A drop is the region's whole export: a table it has no file for is emptied. A file
    // that looks like that table's under another name (`measures (1).csv`, as a browser
    // saves a second download; `Іс-шаралар 2026.xlsx`) is far likelier the table than a
    // note, so the drop is refused rather than the region's table emptied without a word.
    let like_tables = files_like_tables(folder);
    for table in TableKind::ALL.into_iter().filter(|table| !content.present.contains(table)) {
        let like: Vec<&str> =
            like_tables.iter().filter(|(kind, _)| *kind == table).map(|(_, name)| name.as_str()).collect();
        if !like.is_empty() {
            let unread = format!(
                " (not read: `{}`; a table's file is named for it alone, as `{}.csv`, `{}.csv` or `{}.csv`)",
                like.join("`, `"),
                table.sheet_name(Lang::En),
                table.sheet_name(Lang::Kk),
                table.sheet_name(Lang::Ru)
            );
            return Err(Error::MissingTable { folder: folder.to_owned(), table, unread });
        }
    }
    Ok(content)
}

/// Reads a drop given as file names and their bytes, as [`read_folder`] does with the
/// files of `folder` (used only in messages and error paths). Names that are not data
/// files of a drop are ignored.
pub fn read_drop_files(folder: &Path, files: Vec<(String, Vec<u8>)>) -> Result<DropContent> {
    let mut builder = DropBuilder::new(folder);
    for (name, bytes) in files {
        let Some(role) = classify(&name) else {
            continue;
        };
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let input = FileInput { path: folder.join(&name), name: Arc::from(name.as_str()), bytes: &bytes };
        let rows = match role {
            FileRole::Table(table, Format::Csv) => csv::read(&input, table, &mut builder)?,
            FileRole::Table(table, Format::Xlsx) => read_workbook(&input, Some(table), &mut builder)?,
            FileRole::Roadmap(Format::Xlsx) => read_workbook(&input, None, &mut builder)?,
            FileRole::Table(table, Format::Jsonl) => jsonl::read(&input, Some(table), &mut builder)?,
            FileRole::Roadmap(Format::Jsonl) => jsonl::read(&input, None, &mut builder)?,
            FileRole::Roadmap(Format::Csv) => unreachable!("`classify` gives no CSV roadmap"),
        };
        tracing::debug!(file = %mask_digit_runs(&name), rows, "file read");
        builder.files.push(FileStats { name, rows, sha256 });
    }
    let content = builder.finish()?;
    tracing::info!(
        children = content.table(TableKind::Children).len(),
        measures = content.table(TableKind::Measures).len(),
        achievements = content.table(TableKind::Achievements).len(),
        teachers = content.table(TableKind::Teachers).len(),
        broken = content.broken.len(),
        "drop read"
    );
    Ok(content)
}

/// Reads a workbook, turning a panic inside the XLSX library into an unreadable file:
/// the fuzz target found a crafted cell reference that overflows in calamine 0.38
/// (`get_row_and_optional_column`), and one region's broken file must not stop the run.
fn read_workbook(input: &FileInput<'_>, table: Option<TableKind>, builder: &mut DropBuilder) -> Result<u64> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| xlsx::read(input, table, builder))).unwrap_or_else(|_| {
        Err(Error::Unreadable {
            path: input.path.clone(),
            reason: "the workbook is malformed: the XLSX reader failed on it".to_owned(),
        })
    })
}

/// A data file's format, from its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Csv,
    Xlsx,
    Jsonl,
}

/// What a file of the drop folder holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FileRole {
    /// One table: `children.csv`, `Дети.xlsx`, …
    Table(TableKind, Format),
    /// Every table: `roadmap.xlsx` or `roadmap.jsonl`.
    Roadmap(Format),
}

/// Tells a data file by its name; `None` for anything else.
fn classify(name: &str) -> Option<FileRole> {
    let (stem, extension) = name.rsplit_once('.')?;
    let format = match extension.to_ascii_lowercase().as_str() {
        "csv" => Format::Csv,
        "xlsx" => Format::Xlsx,
        "jsonl" => Format::Jsonl,
        _ => return None,
    };
    if stem.trim().eq_ignore_ascii_case("roadmap") {
        return (format != Format::Csv).then_some(FileRole::Roadmap(format));
    }
    TableKind::from_sheet_name(stem).map(|table| FileRole::Table(table, format))
}

/// One data file being read.
struct FileInput<'a> {
    /// For messages.
    path: PathBuf,
    name: Arc<str>,
    bytes: &'a [u8],
}

/// The largest data file read: the largest region of the benchmark's national set sends
/// a 263 MB `measures.csv`.
const MAX_FILE_BYTES: u64 = 2 << 30;

/// Why a name a drop's file would have is not read: a table's, or the manifest's.
pub(super) const NOT_A_FILE: &str = "it is not a file (a folder, a pipe, a device, or a link to nothing)";

/// The unknown columns a drop's outcome lists; past them it says "and more".
pub(super) const MAX_UNKNOWN_COLUMNS: usize = 100;

/// Collects what the readers find in a drop's files.
struct DropBuilder {
    folder: PathBuf,
    tables: [Option<(TableRows, String)>; 4],
    /// Which tables were read from a sheet of another table's workbook ([`DropBuilder::put_table`]).
    borrowed: [bool; 4],
    headers: Vec<WrittenHeaders>,
    unknown_columns: Vec<UnknownColumn>,
    broken: Vec<BrokenRecord>,
    files: Vec<FileStats>,
}

impl DropBuilder {
    fn new(folder: &Path) -> DropBuilder {
        DropBuilder {
            folder: folder.to_owned(),
            tables: [None, None, None, None],
            borrowed: [false; 4],
            headers: Vec::new(),
            unknown_columns: Vec::new(),
            broken: Vec::new(),
            files: Vec::new(),
        }
    }

    /// Puts a table read from `source` (a file name, or `file [sheet]`); a table comes
    /// from one source. One that holds no records (a template's sheet, or a file, with
    /// only its header) gives way to another whichever is read first, and so does a
    /// `borrowed` one: a sheet of a workbook named for another table (`children.xlsx`
    /// holding the whole template), read only when no file is named for its table.
    /// Two sources that both hold records are ambiguous.
    fn put_table(&mut self, table: TableKind, source: String, rows: TableRows, borrowed: bool) -> Result<()> {
        let index = table as usize;
        let new_holds = !rows.is_empty() || self.broken.iter().any(|broken| broken.location.file.as_ref() == source);
        if let Some((held, first)) = &self.tables[index] {
            // (The new source's own broken records are pushed before it is put.)
            let held_holds = !held.is_empty()
                || self.broken.iter().any(|broken| broken.table == table && broken.location.file.as_ref() != source);
            let held_gives_way = !held_holds || (self.borrowed[index] && !borrowed);
            if !new_holds || (borrowed && !held_gives_way) {
                return Ok(());
            }
            if !held_gives_way {
                return Err(Error::AmbiguousTable {
                    folder: self.folder.clone(),
                    table,
                    first: first.clone(),
                    second: source,
                });
            }
        }
        self.tables[index] = Some((rows, source));
        self.borrowed[index] = borrowed;
        Ok(())
    }

    /// Keeps the headers of `file` (and `sheet`) that name a column in words of their own.
    fn written_headers(&mut self, file: &Arc<str>, sheet: Option<&Arc<str>>, definition: &TableDef, map: &HeaderMap) {
        let columns: Vec<(&'static str, String)> = definition
            .columns
            .iter()
            .enumerate()
            .filter_map(|(index, column)| {
                let written = map.written(index)?;
                (!written.eq_ignore_ascii_case(column.name)).then(|| (column.name, written.to_owned()))
            })
            .collect();
        if !columns.is_empty() {
            self.headers.push(WrittenHeaders { file: file.clone(), sheet: sheet.cloned(), columns });
        }
    }

    /// Keeps a header the form does not know, IINs masked: it is told on the terminal
    /// and in `--report`, and a header row may be a child's row (or a JSON key a value).
    fn unknown_column(&mut self, file: &str, header: &str) {
        let header = mask_iin_runs(header.trim_start_matches('\u{feff}').trim());
        let file = mask_digit_runs(file);
        if header.is_empty() || self.unknown_columns.iter().any(|known| known.file == file && known.header == header) {
            return;
        }
        // A file of a hundred thousand stray columns (or JSON keys) is told in a line, not
        // in megabytes, and looking each up among those kept stays cheap.
        if self.unknown_columns.len() == MAX_UNKNOWN_COLUMNS {
            self.unknown_columns.push(UnknownColumn { file: "…".to_owned(), header: "and more".to_owned() });
        }
        if self.unknown_columns.len() > MAX_UNKNOWN_COLUMNS {
            return;
        }
        self.unknown_columns.push(UnknownColumn { file, header });
    }

    fn broken(&mut self, table: TableKind, location: RowLocation, reason: String) {
        self.broken.push(BrokenRecord { table, location, reason });
    }

    fn finish(self) -> Result<DropContent> {
        let present: Vec<TableKind> =
            TableKind::ALL.into_iter().filter(|table| self.tables[*table as usize].is_some()).collect();
        if let Some(required) = TableKind::ALL.into_iter().find(|table| table.is_required() && !present.contains(table))
        {
            return Err(Error::MissingTable { folder: self.folder, table: required, unread: String::new() });
        }
        let mut index = 0;
        let tables = self.tables.map(|slot| {
            let table = TableKind::ALL[index];
            index += 1;
            slot.map(|(rows, _)| rows).unwrap_or_else(|| TableRows::new(table))
        });
        let mut files = self.files;
        files.sort_by(|left, right| left.name.cmp(&right.name));
        Ok(DropContent {
            tables,
            unknown_columns: self.unknown_columns,
            files,
            present,
            broken: self.broken,
            headers: self.headers,
        })
    }
}

#[cfg(test)]
mod tests;
