//! Writes one region's drop in its style: CSV files (any delimiter, UTF-8 with or
//! without BOM, or UTF-16), workbooks (one per table or one with four sheets), or nested
//! JSONL; then `manifest.json` with row counts and SHA-256 sums.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use daryn_registry::Lang;
use daryn_registry::cell::Cell;
use daryn_registry::form::{ColumnType, TableKind};
use rust_xlsxwriter::{DocProperties, Format, Workbook, Worksheet};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::style::{Layout, Style, TextEncoding};
use crate::error::{Error, Result};

/// The header an export adds that the form does not know: it must be ignored.
const EXTRA_HEADER: &str = "Ескерту / Примечание";

/// A file's place in the manifest.
pub struct WrittenFile {
    pub name: String,
    pub rows: u64,
    pub sha256: String,
}

/// Turns UTF-8 into UTF-16LE on the way to the file, keeping a character that a write
/// splits until its other bytes arrive.
struct Utf16Writer<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> Write for Utf16Writer<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(text) => text.len(),
            Err(error) => error.valid_up_to(),
        };
        let text = std::str::from_utf8(&self.pending[..valid]).expect("checked above");
        let mut encoded = Vec::with_capacity(text.len() * 2);
        for unit in text.encode_utf16() {
            encoded.extend_from_slice(&unit.to_le_bytes());
        }
        self.inner.write_all(&encoded)?;
        self.pending.drain(..valid);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Counts and hashes what goes to a file.
struct HashingWriter {
    file: BufWriter<File>,
    hasher: Sha256,
}

impl Write for HashingWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.hasher.update(bytes);
        self.file.write_all(bytes)?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

type CsvOut = csv::Writer<Box<dyn Write + Send>>;

struct CsvTable {
    name: String,
    writer: CsvOut,
    hasher: std::sync::Arc<std::sync::Mutex<Option<Sha256>>>,
    rows: u64,
    record: Vec<String>,
}

/// Lets the CSV writer own its output while the hash can still be taken out at the end.
struct SharedHashingWriter {
    file: BufWriter<File>,
    hasher: std::sync::Arc<std::sync::Mutex<Option<Sha256>>>,
}

impl Write for SharedHashingWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Some(hasher) = self.hasher.lock().expect("the hasher lock is never poisoned").as_mut() {
            hasher.update(bytes);
        }
        self.file.write_all(bytes)?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// A workbook being written: its file name, and per sheet the table and the next row.
type Book = (String, Workbook, Vec<(TableKind, u32)>);

enum Output {
    Csv(Vec<CsvTable>),
    Xlsx { books: Vec<Book> },
    Jsonl { name: String, writer: HashingWriter, rows: u64 },
}

/// One region's drop being written.
pub struct DropWriter {
    folder: PathBuf,
    style: Style,
    output: Output,
    date_format: Format,
}

fn header_row(style: &Style, table: TableKind) -> Vec<String> {
    let mut headers: Vec<String> =
        table.definition().columns.iter().map(|column| style.header(column.header(style.header_lang))).collect();
    if style.extra_column && table == TableKind::Children {
        headers.push(EXTRA_HEADER.to_owned());
    }
    headers
}

impl DropWriter {
    /// `created` stamps workbooks, so that the same seed gives the same bytes.
    pub fn create(folder: &Path, style: Style, title: &str, created: chrono::NaiveDate) -> Result<DropWriter> {
        std::fs::create_dir_all(folder).map_err(Error::io(folder))?;
        let date_format = Format::new().set_num_format("dd.mm.yyyy");
        let output = match style.layout {
            Layout::Csv => {
                let mut tables = Vec::new();
                for table in TableKind::ALL {
                    let name = format!("{}.csv", table.name());
                    let path = folder.join(&name);
                    let file = File::create(&path).map_err(Error::io(&path))?;
                    let hasher = std::sync::Arc::new(std::sync::Mutex::new(Some(Sha256::new())));
                    let mut raw: Box<dyn Write + Send> = Box::new(SharedHashingWriter {
                        file: BufWriter::with_capacity(1 << 20, file),
                        hasher: hasher.clone(),
                    });
                    match style.encoding {
                        TextEncoding::Utf8 => {}
                        TextEncoding::Utf8Bom => raw.write_all("\u{feff}".as_bytes()).map_err(Error::io(&path))?,
                        TextEncoding::Utf16Bom => {
                            raw.write_all(&[0xff, 0xfe]).map_err(Error::io(&path))?;
                            raw = Box::new(Utf16Writer { inner: raw, pending: Vec::new() });
                        }
                    }
                    let mut writer = csv::WriterBuilder::new()
                        .delimiter(style.delimiter)
                        .terminator(csv::Terminator::CRLF)
                        .flexible(true)
                        .from_writer(raw);
                    writer.write_record(header_row(&style, table)).map_err(|error| csv_error(&path, error))?;
                    tables.push(CsvTable { name, writer, hasher, rows: 0, record: Vec::new() });
                }
                Output::Csv(tables)
            }
            Layout::XlsxFiles | Layout::XlsxWorkbook => {
                let mut books = Vec::new();
                let groups: Vec<(String, Vec<TableKind>)> = if style.layout == Layout::XlsxWorkbook {
                    vec![("roadmap.xlsx".to_owned(), TableKind::ALL.to_vec())]
                } else {
                    TableKind::ALL.iter().map(|table| (format!("{}.xlsx", table.name()), vec![*table])).collect()
                };
                for (name, tables) in groups {
                    let mut workbook = Workbook::new();
                    workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));
                    let mut sheets = Vec::new();
                    for table in tables {
                        let sheet =
                            workbook.add_worksheet_with_constant_memory().map_err(Error::xlsx(folder.join(&name)))?;
                        let sheet_name = table.sheet_name(if style.layout == Layout::XlsxWorkbook {
                            style.header_lang
                        } else {
                            Lang::En
                        });
                        sheet.set_name(sheet_name).map_err(Error::xlsx(folder.join(&name)))?;
                        let mut next_row = 0u32;
                        if style.title_rows > 0 {
                            sheet.write_string(0, 0, title).map_err(Error::xlsx(folder.join(&name)))?;
                            next_row = style.title_rows;
                        }
                        for (column, header) in header_row(&style, table).iter().enumerate() {
                            sheet
                                .write_string(next_row, column as u16, header)
                                .map_err(Error::xlsx(folder.join(&name)))?;
                        }
                        sheets.push((table, next_row + 1));
                    }
                    books.push((name, workbook, sheets));
                }
                Output::Xlsx { books }
            }
            Layout::Jsonl => {
                let name = "roadmap.jsonl".to_owned();
                let path = folder.join(&name);
                let file = File::create(&path).map_err(Error::io(&path))?;
                Output::Jsonl {
                    name,
                    writer: HashingWriter { file: BufWriter::with_capacity(1 << 20, file), hasher: Sha256::new() },
                    rows: 0,
                }
            }
        };
        Ok(DropWriter { folder: folder.to_owned(), style, output, date_format })
    }

    /// Writes one row of a table (CSV and workbooks).
    pub fn row(&mut self, table: TableKind, cells: &[Cell], extra: Option<&str>) -> Result<()> {
        let folder = self.folder.clone();
        match &mut self.output {
            Output::Csv(tables) => {
                let entry = &mut tables[table as usize];
                entry.record.clear();
                entry.record.extend(cells.iter().map(Cell::display));
                if let Some(extra) = extra {
                    entry.record.push(extra.to_owned());
                }
                entry
                    .writer
                    .write_record(&entry.record)
                    .map_err(|error| csv_error(&folder.join(&entry.name), error))?;
                entry.rows += 1;
            }
            Output::Xlsx { books } => {
                for (name, workbook, sheets) in books.iter_mut() {
                    if let Some(position) = sheets.iter().position(|(kind, _)| *kind == table) {
                        let row = sheets[position].1;
                        let sheet =
                            workbook.worksheet_from_index(position).map_err(Error::xlsx(folder.join(&*name)))?;
                        write_xlsx_row(sheet, row, cells, extra, &self.date_format)
                            .map_err(Error::xlsx(folder.join(&*name)))?;
                        sheets[position].1 += 1;
                    }
                }
            }
            Output::Jsonl { .. } => unreachable!("JSONL drops are written with `document`"),
        }
        Ok(())
    }

    /// Writes one child's nested document (JSONL).
    pub fn document(
        &mut self,
        child: &[Cell],
        measures: &[Vec<Cell>],
        achievements: &[Vec<Cell>],
        teachers: &[Vec<Cell>],
    ) -> Result<()> {
        let Output::Jsonl { name, writer, rows } = &mut self.output else {
            unreachable!("only JSONL drops take documents");
        };
        let mut document = json_object(TableKind::Children, child, None);
        let nested = |table: TableKind, rows: &[Vec<Cell>]| -> Value {
            Value::Array(rows.iter().map(|cells| Value::Object(json_object(table, cells, Some("iin")))).collect())
        };
        document.insert("measures".to_owned(), nested(TableKind::Measures, measures));
        document.insert("achievements".to_owned(), nested(TableKind::Achievements, achievements));
        document.insert("teachers".to_owned(), nested(TableKind::Teachers, teachers));
        let path = self.folder.join(&*name);
        serde_json::to_writer(&mut *writer, &Value::Object(document))
            .map_err(|error| Error::io(&path)(error.into()))?;
        writer.write_all(b"\n").map_err(Error::io(&path))?;
        *rows += 1;
        Ok(())
    }

    /// Closes every file and returns what the manifest lists.
    pub fn finish(self) -> Result<Vec<WrittenFile>> {
        let folder = self.folder;
        match self.output {
            Output::Csv(tables) => tables
                .into_iter()
                .map(|mut table| {
                    let path = folder.join(&table.name);
                    table.writer.flush().map_err(Error::io(&path))?;
                    drop(table.writer);
                    let hasher =
                        table.hasher.lock().expect("the hasher lock is never poisoned").take().expect("hashed once");
                    Ok(WrittenFile { name: table.name, rows: table.rows, sha256: hex::encode(hasher.finalize()) })
                })
                .collect(),
            Output::Xlsx { books } => books
                .into_iter()
                .map(|(name, mut workbook, sheets)| {
                    let path = folder.join(&name);
                    workbook.save(&path).map_err(Error::xlsx(&path))?;
                    // A workbook's rows are its children (or its one table's rows).
                    let rows = sheets
                        .iter()
                        .find(|(table, _)| *table == TableKind::Children)
                        .or(sheets.first())
                        .map(|(_, next_row)| u64::from(*next_row))
                        .unwrap_or(0);
                    let header_row = u64::from(self.style.title_rows) + 1;
                    Ok(WrittenFile { name, rows: rows - header_row, sha256: sha256_of_file(&path)? })
                })
                .collect(),
            Output::Jsonl { name, mut writer, rows } => {
                let path = folder.join(&name);
                writer.flush().map_err(Error::io(&path))?;
                Ok(vec![WrittenFile { name, rows, sha256: hex::encode(writer.hasher.finalize()) }])
            }
        }
    }
}

impl super::region::RowSink for DropWriter {
    fn row(&mut self, table: TableKind, cells: &[Cell], extra: Option<&str>) -> Result<()> {
        DropWriter::row(self, table, cells, extra)
    }

    fn document(
        &mut self,
        child: &[Cell],
        measures: &[Vec<Cell>],
        achievements: &[Vec<Cell>],
        teachers: &[Vec<Cell>],
    ) -> Result<()> {
        DropWriter::document(self, child, measures, achievements, teachers)
    }
}

fn csv_error(path: &Path, error: csv::Error) -> Error {
    Error::io(path)(std::io::Error::other(error.to_string()))
}

fn write_xlsx_row(
    sheet: &mut Worksheet,
    row: u32,
    cells: &[Cell],
    extra: Option<&str>,
    date_format: &Format,
) -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
    for (column, cell) in cells.iter().enumerate() {
        let column = column as u16;
        match cell {
            Cell::Empty => {}
            Cell::Text(text) => {
                sheet.write_string(row, column, text)?;
            }
            Cell::Number(number) => {
                sheet.write_number(row, column, *number)?;
            }
            Cell::Bool(value) => {
                sheet.write_boolean(row, column, *value)?;
            }
            Cell::DateTime(value) => {
                sheet.write_datetime_with_format(row, column, value, date_format)?;
            }
        }
    }
    if let Some(extra) = extra {
        sheet.write_string(row, cells.len() as u16, extra)?;
    }
    Ok(())
}

/// A row as a JSON object with canonical keys: lists become arrays, empty cells null.
fn json_object(table: TableKind, cells: &[Cell], skip: Option<&str>) -> Map<String, Value> {
    let mut object = Map::new();
    for (column, cell) in table.definition().columns.iter().zip(cells) {
        if Some(column.name) == skip {
            continue;
        }
        let value = match (cell, column.column_type) {
            (Cell::Empty, _) => Value::Null,
            // A list becomes an array; text that splits into no items stays text, as an
            // exporter that wrote it would send it.
            (Cell::Text(text), ColumnType::List | ColumnType::EnumList(_))
                if !daryn_registry::cell::split_list(text).is_empty() =>
            {
                Value::Array(daryn_registry::cell::split_list(text).into_iter().map(Value::String).collect())
            }
            (Cell::Text(text), _) => Value::String(text.clone()),
            (Cell::Number(number), _) => {
                serde_json::Number::from_f64(*number).map(Value::Number).unwrap_or(Value::Null)
            }
            (Cell::Bool(value), _) => Value::Bool(*value),
            (Cell::DateTime(value), _) => Value::String(value.date().to_string()),
        };
        object.insert(column.name.to_owned(), value);
    }
    object
}

fn sha256_of_file(path: &Path) -> Result<String> {
    let mut file = File::open(path).map_err(Error::io(path))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut buffer).map_err(Error::io(path))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hex::encode(hasher.finalize()))
}
