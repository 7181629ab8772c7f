//! Writing a result in the formats analysts use: an aligned table for the terminal, CSV
//! (UTF-8 with a BOM, so Excel reads Cyrillic), JSON (an array of objects), Parquet
//! (zstd, for DuckDB, pandas, Spark) and XLSX (numbers and dates as real cells).

use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

use chrono::Datelike;
use daryn_registry::spreadsheet::inert_cell;
use deltalake::arrow::array::timezone::Tz;
use deltalake::arrow::array::{Array, AsArray, RecordBatch};
use deltalake::arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    TimeUnit, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType,
    UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use deltalake::arrow::util::display::{ArrayFormatter, FormatOptions};
use deltalake::parquet::arrow::ArrowWriter;
use deltalake::parquet::basic::{Compression, ZstdLevel};
use deltalake::parquet::file::properties::WriterProperties;
use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::error::{Error, Result};
use crate::reports::COUNT_METADATA;
use crate::session::QueryResult;

/// An output format of `daryn sql` and `daryn report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Csv,
    Json,
    Parquet,
    Xlsx,
}

impl OutputFormat {
    pub fn parse(text: &str) -> Option<OutputFormat> {
        match text.trim().to_lowercase().as_str() {
            "table" => Some(OutputFormat::Table),
            "csv" => Some(OutputFormat::Csv),
            "json" => Some(OutputFormat::Json),
            "parquet" => Some(OutputFormat::Parquet),
            "xlsx" => Some(OutputFormat::Xlsx),
            _ => None,
        }
    }

    /// The format `--format` gives, or else the one `-o FILE`'s extension names
    /// (`.csv`, `.json`, `.parquet`, `.xlsx`), or else a table: `-o x.xlsx` alone once
    /// wrote a text table into a file Excel could not open.
    pub fn chosen(given: Option<OutputFormat>, out: Option<&Path>) -> OutputFormat {
        let by_extension = || {
            let extension = out?.extension()?.to_str()?;
            OutputFormat::parse(extension).filter(|format| *format != OutputFormat::Table)
        };
        given.or_else(by_extension).unwrap_or(OutputFormat::Table)
    }

    /// Why `-o FILE`, with no `--format`, is refused: its extension names a format of
    /// another kind (`.xls`, `.tsv`, `.ods`, `.jsonl`), which would get a text table that no
    /// program reads as one. `None` for the formats daryn writes, and for other names
    /// (`.txt`, none), which get the text table.
    pub fn foreign_extension(out: &Path) -> Option<String> {
        const FOREIGN: &[&str] = &[
            "xls", "xlsm", "xlsb", "xltx", "ods", "tsv", "tab", "jsonl", "ndjson", "parq", "pq", "arrow", "feather",
            "ipc", "orc", "avro", "xml", "html", "htm", "sqlite", "db", "dbf", "pdf", "doc", "docx",
        ];
        let extension = out.extension()?.to_str()?.to_lowercase();
        FOREIGN.contains(&extension.as_str()).then(|| {
            format!(
                "`{}` names a .{extension} file, which daryn does not write: it writes .csv, .json, .parquet and \
                 .xlsx, chosen by the extension or by --format (`--format table` writes the text table)",
                out.display()
            )
        })
    }

    /// Binary formats go to a file, never to a terminal.
    pub fn needs_file(self) -> bool {
        matches!(self, OutputFormat::Parquet | OutputFormat::Xlsx)
    }
}

fn output_error(path: &Path) -> impl Fn(String) -> Error + '_ {
    move |reason| Error::Output { path: path.to_owned(), reason }
}

/// Refuses a binary format (Parquet, XLSX) with no `-o` to write it to: checked before
/// a statement runs, and again by [`write_result`].
pub fn needs_a_file(format: OutputFormat, out: Option<&Path>) -> Result<()> {
    if format.needs_file() && out.is_none() {
        return Err(Error::BadParameter {
            parameter: "-o",
            reason: "parquet and xlsx output need a file; give `-o FILE`".to_owned(),
        });
    }
    Ok(())
}

/// Writes `result` to `out` (a file) or standard output (`None`, or `-o /dev/stdout`).
pub fn write_result(result: &QueryResult, format: OutputFormat, out: Option<&Path>) -> Result<()> {
    let shown = out.unwrap_or(Path::new("-"));
    // Standard output named as a file is standard output: written as it is, and never a
    // file renamed over whatever it leads to (`>> log.csv`, or the link `/dev/stdout`).
    if format.needs_file() && out.is_some_and(names_stdout) {
        return write_binary_to_stdout(result, format, shown);
    }
    let out = out.filter(|path| !names_stdout(path));
    needs_a_file(format, out)?;
    match (format, out) {
        (OutputFormat::Parquet, Some(path)) => return replace_file(path, |partial| write_parquet(result, partial)),
        (OutputFormat::Xlsx, Some(path)) => {
            return replace_file(path, |partial| {
                workbook_of(result)
                    .and_then(|mut workbook| workbook.save(partial).map_err(|error| error.to_string()))
                    .map_err(output_error(path))
            });
        }
        _ => {}
    }
    // Written as it is formatted, a batch at a time: the result's text is never held
    // whole beside its batches.
    match out {
        Some(path) => replace_file(path, |partial| {
            let file = std::fs::File::create(partial).map_err(|error| output_error(path)(error.to_string()))?;
            let mut writer = std::io::BufWriter::new(file);
            write_text(result, format, &mut writer)
                .and_then(|()| writer.flush())
                .map_err(|error| output_error(path)(error.to_string()))
        }),
        None => to_stdout(shown, |stdout| write_text(result, format, stdout)),
    }
}

/// Writes to standard output through `write`. A reader that has read enough (`| head`)
/// is not an error.
fn to_stdout(shown: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    match write(&mut stdout).and_then(|()| stdout.flush()) {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        written => written.map_err(|error| output_error(shown)(error.to_string())),
    }
}

/// The result as a workbook of one sheet, `result`.
fn workbook_of(result: &QueryResult) -> std::result::Result<Workbook, String> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("result").map_err(|error| error.to_string())?;
    write_sheet(sheet, result)?;
    Ok(workbook)
}

/// Writes the result in a text format (table, CSV or JSON) to `into`.
pub fn write_text(result: &QueryResult, format: OutputFormat, into: &mut dyn Write) -> std::io::Result<()> {
    match format {
        OutputFormat::Table => into.write_all(table_text(result).map_err(std::io::Error::other)?.as_bytes()),
        OutputFormat::Csv => write_csv(result, into),
        OutputFormat::Json => write_json(result, into),
        OutputFormat::Parquet | OutputFormat::Xlsx => {
            Err(std::io::Error::other(format!("{format:?} is not a text format")))
        }
    }
}

/// Whether `-o` names standard output.
pub fn names_stdout(path: &Path) -> bool {
    ["-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"].iter().any(|name| path == Path::new(name))
}

/// Parquet or XLSX to standard output, when `-o /dev/stdout` asks for it (`| duckdb`).
fn write_binary_to_stdout(result: &QueryResult, format: OutputFormat, shown: &Path) -> Result<()> {
    let bytes = match format {
        OutputFormat::Parquet => {
            let mut bytes = Vec::new();
            parquet_into(result, &mut bytes).map(|()| bytes)
        }
        _ => workbook_of(result).and_then(|mut workbook| workbook.save_to_buffer().map_err(|error| error.to_string())),
    }
    .map_err(output_error(shown))?;
    to_stdout(shown, |stdout| stdout.write_all(&bytes))
}

/// Gives a file written to replace `target` the permissions `target` has, if it is there:
/// a report of children's IINs and names over a file made readable by its owner only was
/// left readable by everyone the umask lets read a new file.
pub fn keep_permissions(written: &Path, target: &Path) {
    if let Ok(metadata) = std::fs::metadata(target) {
        // Not the end of the write when it fails (a file of another owner): the file is
        // written as a new one would be.
        let _ = std::fs::set_permissions(written, metadata.permissions());
    }
}

/// Writes `path` whole or not at all: `write` writes a file beside it, which then takes
/// its place. A failed write (a type the format cannot hold, a full disk) leaves what
/// was there before.
///
/// Only a regular file, or a name not yet taken, is replaced so (through a symbolic
/// link, the regular file it leads to). Anything else (a device such as `/dev/null`, a
/// pipe, a link into `/proc` or `/dev`) is written in place.
pub fn replace_file(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let target = match std::fs::symlink_metadata(path) {
        Err(_) => path.to_owned(),
        Ok(metadata) if metadata.is_file() => path.to_owned(),
        Ok(metadata) if metadata.file_type().is_symlink() => {
            match (std::fs::metadata(path), std::fs::canonicalize(path)) {
                (Ok(led_to), Ok(real))
                    if led_to.is_file() && !real.starts_with("/proc") && !real.starts_with("/dev") =>
                {
                    real
                }
                _ => return write(path),
            }
        }
        Ok(_) => return write(path),
    };
    let name = target.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    // Named by the process too: two commands writing one file each write their own.
    let partial = target.with_file_name(format!(".{name}.{}.partial", std::process::id()));
    let written = write(&partial)
        .map(|()| keep_permissions(&partial, &target))
        .and_then(|()| std::fs::rename(&partial, &target).map_err(|error| output_error(path)(error.to_string())))
        .map_err(|error| match error {
            // Named as the file asked for, not the one beside it.
            Error::Output { reason, .. } => Error::Output { path: path.to_owned(), reason },
            other => other,
        });
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

/// The result in a text format (table, CSV or JSON), as [`write_result`] writes it.
pub fn result_text(result: &QueryResult, format: OutputFormat) -> std::result::Result<String, String> {
    let mut bytes = Vec::new();
    write_text(result, format, &mut bytes).map_err(|error| error.to_string())?;
    String::from_utf8(bytes).map_err(|error| error.to_string())
}

/// The result as an aligned table, with a row count under it.
pub fn table_text(result: &QueryResult) -> std::result::Result<String, String> {
    let table =
        deltalake::arrow::util::pretty::pretty_format_batches_with_schema(result.schema.clone(), &result.batches)
            .map_err(|error| error.to_string())?;
    let rows = result.rows();
    Ok(format!("{table}\n({rows} row{})\n", if rows == 1 { "" } else { "s" }))
}

fn formatters<'a>(
    batch: &'a RecordBatch,
    options: &'a FormatOptions<'a>,
) -> std::result::Result<Vec<ArrayFormatter<'a>>, String> {
    batch
        .columns()
        .iter()
        .map(|column| ArrayFormatter::try_new(column.as_ref(), options).map_err(|error| error.to_string()))
        .collect()
}

/// Every cell as text (nulls empty), row by row: the form CSV and tests use.
pub fn rows_as_text(result: &QueryResult) -> std::result::Result<Vec<Vec<String>>, String> {
    let options = FormatOptions::default().with_null("");
    let mut rows = Vec::with_capacity(result.rows());
    for batch in &result.batches {
        let cells = formatters(batch, &options)?;
        for row in 0..batch.num_rows() {
            rows.push(cells.iter().map(|cell| cell.value(row).to_string()).collect());
        }
    }
    Ok(rows)
}

/// The I/O error inside a CSV writer's error, or the error as one.
fn csv_io(error: csv::Error) -> std::io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

fn write_csv(result: &QueryResult, into: &mut dyn Write) -> std::io::Result<()> {
    into.write_all("\u{feff}".as_bytes())?;
    let mut writer = csv::Writer::from_writer(into);
    // A name (`AS "=SUM(1)"`) is text too.
    let header: Vec<Cow<'_, str>> = result.schema.fields().iter().map(|field| inert_cell(field.name())).collect();
    writer.write_record(header.iter().map(|name| name.as_bytes())).map_err(csv_io)?;
    // Text from the drops could be read by Excel as a formula; numbers, dates, times and
    // booleans cannot. Everything else is shown as text: strings however encoded
    // (dictionaries), lists and structs.
    let text: Vec<bool> = result
        .schema
        .fields()
        .iter()
        .map(|field| {
            let data_type = field.data_type();
            !(data_type.is_numeric() || data_type.is_temporal() || *data_type == DataType::Boolean)
        })
        .collect();
    let options = FormatOptions::default().with_null("");
    let mut line: Vec<String> = Vec::new();
    for batch in &result.batches {
        let cells = formatters(batch, &options).map_err(std::io::Error::other)?;
        for row in 0..batch.num_rows() {
            line.clear();
            line.extend(cells.iter().zip(&text).map(|(cell, text)| {
                let shown = cell.value(row).to_string();
                if *text { inert_cell(&shown).into_owned() } else { shown }
            }));
            writer.write_record(line.iter().map(String::as_bytes)).map_err(csv_io)?;
        }
    }
    writer.flush()
}

fn write_json(result: &QueryResult, into: &mut dyn Write) -> std::io::Result<()> {
    use deltalake::arrow::error::ArrowError;
    use deltalake::arrow::json::writer::{JsonArray, WriterBuilder};
    let arrow_io = |error: ArrowError| match error {
        ArrowError::IoError(_, error) => error,
        other => std::io::Error::other(other.to_string()),
    };
    if result.batches.iter().all(|batch| batch.num_rows() == 0) {
        return into.write_all(b"[]\n");
    }
    {
        let mut writer = WriterBuilder::new().with_explicit_nulls(true).build::<_, JsonArray>(&mut *into);
        for batch in result.batches.iter().filter(|batch| batch.num_rows() > 0) {
            writer.write(batch).map_err(arrow_io)?;
        }
        writer.finish().map_err(arrow_io)?;
    }
    into.write_all(b"\n")
}

fn write_parquet(result: &QueryResult, path: &Path) -> Result<()> {
    let file = std::fs::File::create(path).map_err(|error| output_error(path)(error.to_string()))?;
    parquet_into(result, file).map_err(output_error(path))
}

/// The result as a Parquet file (zstd) written into `into`.
fn parquet_into<W: Write + Send>(result: &QueryResult, into: W) -> std::result::Result<(), String> {
    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).expect("3 is a valid zstd level")))
        .build();
    let mut writer =
        ArrowWriter::try_new(into, result.schema.clone(), Some(properties)).map_err(|error| error.to_string())?;
    for batch in &result.batches {
        writer.write(batch).map_err(|error| error.to_string())?;
    }
    writer.close().map_err(|error| error.to_string())?;
    Ok(())
}

/// Writes a header row and the result's rows into a worksheet: numbers of every width
/// as numbers, dates and times (UTC) as dates, booleans as booleans, the rest as text.
/// What Excel cannot hold as it is stays text, written as the other formats write it: an
/// integer of more than 15 digits (Excel keeps 15), a date before 1900 or after 9999.
pub fn write_sheet(sheet: &mut Worksheet, result: &QueryResult) -> std::result::Result<(), String> {
    let bold = Format::new().set_bold();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let time_format = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let fail = |error: rust_xlsxwriter::XlsxError| error.to_string();
    for (column, field) in result.schema.fields().iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, field.name(), &bold).map_err(fail)?;
    }
    let options = FormatOptions::default().with_null("");
    // Counts that `--suppress-small` turned into text are numbers again, except `<5`, `x`.
    let counts: Vec<bool> =
        result.schema.fields().iter().map(|field| field.metadata().contains_key(COUNT_METADATA)).collect();
    let mut row_number: u32 = 1;
    for batch in &result.batches {
        let cells = formatters(batch, &options)?;
        for row in 0..batch.num_rows() {
            for (index, column) in batch.columns().iter().enumerate() {
                let column_number = index as u16;
                if column.is_null(row) {
                    continue;
                }
                let value = match column.as_string_opt::<i32>() {
                    Some(text) if counts.get(index) == Some(&true) => {
                        text.value(row).parse::<i64>().ok().map(|count| ExcelValue::Number(count as f64))
                    }
                    _ => excel_value(column.as_ref(), row),
                };
                match value {
                    Some(ExcelValue::Number(number)) => sheet.write_number(row_number, column_number, number),
                    Some(ExcelValue::Boolean(value)) => sheet.write_boolean(row_number, column_number, value),
                    Some(ExcelValue::Date(date)) => {
                        sheet.write_datetime_with_format(row_number, column_number, date, &date_format)
                    }
                    Some(ExcelValue::DateTime(time)) => {
                        sheet.write_datetime_with_format(row_number, column_number, time, &time_format)
                    }
                    None => sheet.write_string(row_number, column_number, cells[index].value(row).to_string()),
                }
                .map_err(fail)?;
            }
            row_number += 1;
        }
    }
    sheet.autofit();
    Ok(())
}

/// A cell Excel holds as a value of its own rather than as text.
#[derive(Debug, PartialEq)]
enum ExcelValue {
    Number(f64),
    Boolean(bool),
    Date(chrono::NaiveDate),
    DateTime(chrono::NaiveDateTime),
}

/// The largest integer Excel shows every digit of (it keeps 15 significant digits).
const EXCEL_EXACT_INTEGER: u64 = 999_999_999_999_999;

/// The value of `column[row]` (not null) as Excel holds it; `None` for text.
fn excel_value(column: &dyn Array, row: usize) -> Option<ExcelValue> {
    let integer = |value: i128| {
        (value.unsigned_abs() <= u128::from(EXCEL_EXACT_INTEGER)).then_some(ExcelValue::Number(value as f64))
    };
    let date = |date: chrono::NaiveDate| (1900..=9999).contains(&date.year()).then_some(ExcelValue::Date(date));
    let time = |time: chrono::NaiveDateTime| (1900..=9999).contains(&time.year()).then_some(ExcelValue::DateTime(time));
    match column.data_type() {
        DataType::Int8 => integer(column.as_primitive::<Int8Type>().value(row).into()),
        DataType::Int16 => integer(column.as_primitive::<Int16Type>().value(row).into()),
        DataType::Int32 => integer(column.as_primitive::<Int32Type>().value(row).into()),
        DataType::Int64 => integer(column.as_primitive::<Int64Type>().value(row).into()),
        DataType::UInt8 => integer(column.as_primitive::<UInt8Type>().value(row).into()),
        DataType::UInt16 => integer(column.as_primitive::<UInt16Type>().value(row).into()),
        DataType::UInt32 => integer(column.as_primitive::<UInt32Type>().value(row).into()),
        DataType::UInt64 => integer(column.as_primitive::<UInt64Type>().value(row).into()),
        DataType::Float32 => Some(ExcelValue::Number(column.as_primitive::<Float32Type>().value(row).into())),
        DataType::Float64 => Some(ExcelValue::Number(column.as_primitive::<Float64Type>().value(row))),
        // More digits than Excel keeps (15) would lose the last of them, the tiyn of a
        // large sum: such a value is written as text, as a long integer is.
        DataType::Decimal128(_, scale) => {
            let raw = column.as_primitive::<Decimal128Type>().value(row);
            (raw.unsigned_abs() <= u128::from(EXCEL_EXACT_INTEGER))
                .then(|| ExcelValue::Number(raw as f64 / 10f64.powi(i32::from(*scale))))
        }
        DataType::Boolean => Some(ExcelValue::Boolean(column.as_boolean().value(row))),
        DataType::Date32 => {
            let days = column.as_primitive::<Date32Type>().value(row);
            date(
                chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?
                    .checked_add_signed(chrono::TimeDelta::try_days(days.into())?)?,
            )
        }
        DataType::Timestamp(unit, zone) => {
            let value = match unit {
                TimeUnit::Second => column.as_primitive::<TimestampSecondType>().value(row).checked_mul(1_000_000)?,
                TimeUnit::Millisecond => {
                    column.as_primitive::<TimestampMillisecondType>().value(row).checked_mul(1_000)?
                }
                TimeUnit::Microsecond => column.as_primitive::<TimestampMicrosecondType>().value(row),
                TimeUnit::Nanosecond => column.as_primitive::<TimestampNanosecondType>().value(row) / 1_000,
            };
            // A time with a zone is written as the clock in that zone shows it, as the
            // CSV and JSON output give it (with its offset); one without, as it is.
            let instant = chrono::DateTime::from_timestamp_micros(value)?;
            match zone {
                Some(zone) => {
                    use chrono::{Offset, TimeZone};
                    let offset = zone.parse::<Tz>().ok()?.offset_from_utc_datetime(&instant.naive_utc()).fix();
                    time(instant.naive_utc().checked_add_offset(offset)?)
                }
                None => time(instant.naive_utc()),
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use deltalake::arrow::array::{Int64Array, StringArray};
    use deltalake::arrow::datatypes::{Field, Schema};
    use std::sync::Arc;

    fn sample() -> QueryResult {
        let schema = Arc::new(Schema::new(vec![
            Field::new("region", DataType::Utf8, false),
            Field::new("n", DataType::Int64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(vec!["35", "Қарағанды, \"облыс\""])),
                Arc::new(Int64Array::from(vec![Some(3), None])),
            ],
        )
        .unwrap();
        QueryResult { schema, batches: vec![batch] }
    }

    #[test]
    fn csv_has_a_bom_quotes_and_empty_nulls() {
        let text = result_text(&sample(), OutputFormat::Csv).unwrap();
        assert_eq!(text, "\u{feff}region,n\n35,3\n\"Қарағанды, \"\"облыс\"\"\",\n");
    }

    #[test]
    fn the_format_is_given_or_the_files_extension_or_a_table() {
        fn file(name: &str) -> Option<&Path> {
            Some(Path::new(name))
        }
        assert_eq!(OutputFormat::chosen(None, file("out/k.XLSX")), OutputFormat::Xlsx);
        assert_eq!(OutputFormat::chosen(None, file("k.parquet")), OutputFormat::Parquet);
        assert_eq!(OutputFormat::chosen(None, file("k.csv")), OutputFormat::Csv);
        assert_eq!(OutputFormat::chosen(Some(OutputFormat::Json), file("k.csv")), OutputFormat::Json);
        assert_eq!(OutputFormat::chosen(None, file("k.txt")), OutputFormat::Table);
        assert_eq!(OutputFormat::chosen(None, file("k.table")), OutputFormat::Table);
        assert_eq!(OutputFormat::chosen(None, None), OutputFormat::Table);
        for foreign in ["k.xls", "out/k.TSV", "k.ods", "k.jsonl"] {
            let reason = OutputFormat::foreign_extension(Path::new(foreign)).unwrap_or_default();
            assert!(reason.contains("which daryn does not write"), "{foreign}: {reason}");
        }
        for written in ["k.xlsx", "k.csv", "k.txt", "k", "-", "k.xls.csv"] {
            assert_eq!(OutputFormat::foreign_extension(Path::new(written)), None, "{written}");
        }
    }

    #[test]
    fn json_is_an_array_with_explicit_nulls() {
        let value: serde_json::Value =
            serde_json::from_str(&result_text(&sample(), OutputFormat::Json).unwrap()).unwrap();
        assert_eq!(value[0]["n"], 3);
        assert!(value[1]["n"].is_null());
        let empty = QueryResult { schema: sample().schema, batches: vec![] };
        assert_eq!(result_text(&empty, OutputFormat::Json).unwrap(), "[]\n");
    }

    #[test]
    fn excel_gets_numbers_dates_and_times_it_can_hold_and_text_otherwise() {
        use deltalake::arrow::array::{
            Date32Array, Decimal128Array, Float32Array, Int8Array, TimestampMicrosecondArray, TimestampSecondArray,
            UInt64Array,
        };
        let value = |array: &dyn Array| excel_value(array, 0);
        let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(value(&Int8Array::from(vec![-7])), Some(ExcelValue::Number(-7.0)));
        assert_eq!(value(&Float32Array::from(vec![0.5])), Some(ExcelValue::Number(0.5)));
        // 15 digits are kept; a 16th would be rounded by Excel, so the value stays text.
        assert_eq!(
            value(&Int64Array::from(vec![999_999_999_999_999])),
            Some(ExcelValue::Number(999_999_999_999_999.0))
        );
        assert_eq!(value(&Int64Array::from(vec![-1_000_000_000_000_000])), None);
        assert_eq!(value(&UInt64Array::from(vec![u64::MAX])), None);
        // Day -1 is 1969-12-31. 1900-01-01 is 70 × 365 + 17 leap days = 25567 days back,
        // the first day Excel has; one more is 1899.
        assert_eq!(value(&Date32Array::from(vec![-1])), Some(ExcelValue::Date(date(1969, 12, 31))));
        assert_eq!(value(&Date32Array::from(vec![-25567])), Some(ExcelValue::Date(date(1900, 1, 1))));
        assert_eq!(value(&Date32Array::from(vec![-25568])), None);
        // 2026-11-25 is day 20782: 20454 days to 2026-01-01 (56 × 365 + 14 leap days),
        // then 304 days of January to October and 24 more. 21:30 is 77400 seconds.
        let seconds = 20_782 * 86_400 + 77_400;
        let expected = date(2026, 11, 25).and_hms_opt(21, 30, 0).unwrap();
        assert_eq!(value(&TimestampSecondArray::from(vec![seconds])), Some(ExcelValue::DateTime(expected)));
        let with_zone = TimestampMicrosecondArray::from(vec![seconds * 1_000_000]).with_timezone("UTC");
        assert_eq!(value(&with_zone), Some(ExcelValue::DateTime(expected)));
        // Money: 12,345.67 is a number; 12,345,678,901,234.57 (16 digits) stays text, cents
        // and all.
        let money = |raw: i128| Decimal128Array::from(vec![raw]).with_precision_and_scale(18, 2).unwrap();
        assert_eq!(value(&money(1_234_567)), Some(ExcelValue::Number(12_345.67)));
        assert_eq!(value(&money(1_234_567_890_123_457)), None);
        // The same instant in Almaty's zone (UTC+5 since 2024) is five hours later on the
        // clock, and with a fixed offset likewise.
        for zone in ["Asia/Almaty", "+05:00"] {
            let zoned = TimestampMicrosecondArray::from(vec![seconds * 1_000_000]).with_timezone(zone);
            assert_eq!(value(&zoned), Some(ExcelValue::DateTime(expected + chrono::TimeDelta::hours(5))), "{zone}");
        }
        assert_eq!(value(&StringArray::from(vec!["35"])), None);
    }

    #[test]
    fn formats_parse_and_binary_ones_need_a_file() {
        assert_eq!(OutputFormat::parse("XLSX"), Some(OutputFormat::Xlsx));
        assert_eq!(OutputFormat::parse("pdf"), None);
        let error = write_result(&sample(), OutputFormat::Parquet, None).unwrap_err();
        assert_eq!(error.code(), "bad_parameter");
    }
}
