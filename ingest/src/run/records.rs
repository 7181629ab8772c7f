//! What a run tells the coordinators: each rejected or warned row as a record (where it
//! is, what it holds, the code and its explanation in three languages), and the files
//! they open in Excel.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use daryn_registry::form::TableKind;
use daryn_registry::form::document::refusal_texts;
use daryn_registry::form::rules::{CheckedDrop, Detail, cut_shown};
use daryn_registry::iin::{mask_digit_runs, mask_iin_runs};
use daryn_registry::spreadsheet::inert_cell;
use daryn_registry::store::Store;
use daryn_registry::store::schema::RejectionRecord;
use daryn_registry::{Explained, Lang, RejectCode};

use crate::error::Error;
use crate::read::{self, DropContent};

use super::Result;
use super::outcome::{DropOutcome, DropStatus, Refusal};

/// A row told back to the coordinator: where it is, what it holds, and the code with its
/// explanation and the row's particulars in three languages.
fn coordinator_record(
    outcome: &DropOutcome,
    table: TableKind,
    location: &read::RowLocation,
    (column, value): (String, String),
    code: impl Explained,
    detail: &Detail,
) -> RejectionRecord {
    // The detail may quote the cell (`grade` and twelve digits): a column shifted by one
    // puts an IIN where the rule expected something else.
    let message = |lang: Lang| match detail.get(lang) {
        // A detail that only says the description again is not repeated.
        "" => code.describe(lang).to_owned(),
        said if said == code.describe(lang) => said.to_owned(),
        said => format!("{}: {}", code.describe(lang), cut_shown(mask_iin_runs(said))),
    };
    RejectionRecord {
        region: outcome.region.clone(),
        drop_id: outcome.drop_id.clone(),
        table: table.name().to_owned(),
        // A file or sheet may be named by what it holds: a child's IIN.
        file: mask_digit_runs(&location.file),
        sheet: location.sheet.as_ref().map(|sheet| mask_iin_runs(sheet)),
        row: location.row,
        line: location.line,
        column,
        header: None,
        value,
        code: code.code().to_owned(),
        message_en: message(Lang::En),
        message_kk: message(Lang::Kk),
        message_ru: message(Lang::Ru),
    }
}

/// The column as the coordinator finds it: nested JSONL rows under their list's name.
fn column_of(location: &read::RowLocation, column: &str) -> String {
    match &location.nested {
        Some(nested) => format!("{nested}.{column}"),
        None => column.to_owned(),
    }
}

/// The most warned rows a drop lists (its `warnings` count is exact): one unknown word in
/// every measure of a large region would otherwise be millions of records held in memory.
const MAX_WARNED: usize = 10_000;

/// The accepted rows with a warning, for the coordinator's warnings file: the first
/// [`MAX_WARNED`].
pub(super) fn warning_records(
    outcome: &DropOutcome,
    content: &DropContent,
    checked: &CheckedDrop,
) -> Vec<RejectionRecord> {
    checked
        .warnings
        .iter()
        .take(MAX_WARNED)
        .map(|warned| {
            let location = &content.table(warned.table).locations[warned.index];
            let warning = &warned.warning;
            let mut record = coordinator_record(
                outcome,
                warned.table,
                location,
                (column_of(location, warning.column), cut_shown(mask_iin_runs(&warning.value))),
                warning.code,
                &warning.detail,
            );
            record.header = content.written_header(location, warning.column).map(str::to_owned);
            record
        })
        .collect()
}

pub(super) fn rejection_records(
    outcome: &DropOutcome,
    content: &DropContent,
    checked: &CheckedDrop,
) -> Vec<RejectionRecord> {
    let mut records: Vec<RejectionRecord> = content
        .broken
        .iter()
        .map(|broken| {
            // A nested element of a JSONL line is named where a column would be
            // (`measures[2]`), so that the coordinator finds it.
            let element = broken.location.nested.map(|nested| nested.to_string()).unwrap_or_default();
            let cell = (element, String::new());
            let reason = Detail::from(broken.reason.as_str());
            coordinator_record(outcome, broken.table, &broken.location, cell, RejectCode::RowUnreadable, &reason)
        })
        .collect();
    for rejection in &checked.rejections {
        let location = &content.table(rejection.table).locations[rejection.index];
        let column = column_of(location, rejection.issue.column);
        let mut record = coordinator_record(
            outcome,
            rejection.table,
            location,
            (column, rejection.issue.value.clone()),
            rejection.issue.code,
            &rejection.issue.detail,
        );
        record.header = content.written_header(location, rejection.issue.column).map(str::to_owned);
        records.push(record);
    }
    records
}

/// Where a version's files for the coordinators go: `DIR/reports/<version>/`.
pub(super) fn report_folder(store: &Store, version: u64) -> PathBuf {
    store.root().join("reports").join(format!("{version:08}"))
}

/// Writes, per drop with rejected rows, the coordinator's file: CSV in UTF-8 with a BOM
/// (Excel opens it as Unicode), one row per rejected record, messages in Kazakh, Russian
/// and English. They go to `<folder>/<region>-rejections.csv` ([`report_folder`]); the
/// accepted rows with a warning, likewise, to `<region>-warnings.csv`.
pub(super) fn write_rejection_files(folder: &Path, drops: &mut [DropOutcome]) -> Result<()> {
    // The region's own name (`35-rejections.csv`) is for the drop that stands for the
    // region after the run, the published one, or, when every drop of the region was
    // refused, the first of them; any other drop's file (a refused newer one beside the
    // older applied in its place, a stale one) is named by its drop id.
    let refused = |outcome: &DropOutcome| outcome.status == DropStatus::Refused;
    // A refusal the coordinator is told of in the file. A stale drop has no file of its
    // own: an archive of old folders given to every run would have a file each, each
    // night. The run's table and `--report` tell it.
    let told_refused = |outcome: &DropOutcome| refused(outcome) && !outcome.is_stale();
    let standing: HashSet<String> =
        drops.iter().filter(|outcome| !refused(outcome)).map(|outcome| outcome.region.clone()).collect();
    let mut named: HashSet<String> = HashSet::new();
    let mut with_files: Vec<&mut DropOutcome> = drops
        .iter_mut()
        .filter(|outcome| told_refused(outcome) || !outcome.rejections.is_empty() || !outcome.warned.is_empty())
        .collect();
    with_files.sort_by_key(|outcome| refused(outcome));
    for outcome in with_files {
        let own_name =
            (!refused(outcome) || !standing.contains(&outcome.region)) && named.insert(outcome.region.clone());
        let stem = if own_name { outcome.region.clone() } else { outcome.drop_id.clone() };
        if told_refused(outcome) || !outcome.rejections.is_empty() {
            let path = folder.join(format!("{stem}-rejections.csv"));
            write_coordinator_file(&path, outcome.refusal.as_ref(), &outcome.rejections)?;
            outcome.rejection_file = Some(path);
        }
        if !outcome.warned.is_empty() {
            let path = folder.join(format!("{stem}-warnings.csv"));
            write_coordinator_file(&path, None, &outcome.warned)?;
            outcome.warning_file = Some(path);
        }
    }
    Ok(())
}

/// A CSV writer for the files coordinators open in Excel: `;` between cells, as Excel in
/// Kazakh and Russian (where `,` is the decimal mark) splits a file it opens with a
/// double click, and CRLF line ends. (Excel in English reads it through Data → From
/// Text, naming `;`.)
pub(crate) fn coordinator_csv<W: std::io::Write>(into: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(into)
}

/// One coordinator's file of rows to look at ([`write_rejection_files`]). A refused
/// drop's begins with a row that says so: the code, its meaning in the three languages,
/// and the particulars in English (IINs masked, as in every message).
fn write_coordinator_file(path: &Path, refusal: Option<&Refusal>, records: &[RejectionRecord]) -> Result<()> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(Error::write(folder))?;
    }
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = coordinator_csv(&mut bytes);
        let header = [
            "файл / файл / file",
            "парақ / лист / sheet",
            "жол / строка / row",
            "Excel жолы / строка в Excel / Excel row",
            "баған / столбец / column",
            "мән / значение / value",
            "код / код / code",
            "қазақша",
            "по-русски",
            "in English",
        ];
        let csv_error = |error: csv::Error| Error::write(path)(std::io::Error::other(error.to_string()));
        writer.write_record(header).map_err(csv_error)?;
        if let Some(refusal) = refusal {
            let [_, kk, ru] = refusal_texts(refusal.code).unwrap_or(["", "", ""]);
            let messages = [
                // The particulars (which files, which counts) are in English only.
                format!(
                    "Экспорт толығымен қабылданбады, одан тізілімге ештеңе енгізілмеді: {kk}. Толығырағы «in English» бағанында."
                ),
                format!(
                    "Выгрузка отклонена целиком, в реестр из неё ничего не внесено: {ru}. Подробности — в столбце «in English»."
                ),
                // (Its IINs are masked already: [`Refusal::new`].)
                format!("The whole drop was refused; nothing of it was published: {}", refusal.reason),
            ];
            let cells = ["", "", "", "", "", "", refusal.code, &messages[0], &messages[1], &messages[2]];
            writer.write_record(cells.map(inert_cell).iter().map(|cell| cell.as_bytes())).map_err(csv_error)?;
        }
        for record in records {
            // The column as the coordinator's sheet names it, and the form's name.
            let column = match &record.header {
                Some(header) => format!("{header} ({})", record.column),
                None => record.column.clone(),
            };
            // Every cell but the row numbers and the code may hold what the drop held.
            let cells = [
                record.file.as_str(),
                record.sheet.as_deref().unwrap_or(""),
                &record.row.to_string(),
                &record.line.map(|line| line.to_string()).unwrap_or_default(),
                column.as_str(),
                record.value.as_str(),
                record.code.as_str(),
                record.message_kk.as_str(),
                record.message_ru.as_str(),
                record.message_en.as_str(),
            ];
            writer.write_record(cells.map(inert_cell).iter().map(|cell| cell.as_bytes())).map_err(csv_error)?;
        }
        writer.flush().map_err(Error::write(path))?;
    }
    std::fs::write(path, bytes).map_err(Error::write(path))?;
    Ok(())
}
