//! The annual report an akimat sends the ministry (item 19 of the roadmap): one XLSX
//! workbook per region and a national one. Each has a cover sheet with the reporting
//! year and the due dates (the akimat's by the 10th of the month after the reporting
//! year, the ministry's to the Government by the 25th), then one sheet per decree item
//! that has data: item 1 (`item1.sql`), each measure item (`annual-items.sql`) and item
//! 15 (`top-teachers.sql`).

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use daryn_registry::kato::Region;
use daryn_registry::{Lang, RegionCode};
use deltalake::arrow::array::Int32Array;
use deltalake::arrow::array::{Array, AsArray, RecordBatch};
use deltalake::arrow::compute::kernels::cmp::eq;
use deltalake::arrow::compute::{concat_batches, filter_record_batch};
use deltalake::arrow::datatypes::{DataType, Int32Type};
use rust_xlsxwriter::{Format, Workbook};

use crate::error::{Error, Result};
use crate::output::write_sheet;
use crate::reference::registry_date;
use crate::reports::{self, ANNUAL_ITEMS, ReportParams, render};
use crate::session::{QueryResult, RegistrySession};

/// One workbook written.
#[derive(Debug)]
pub struct AnnualWorkbook {
    pub path: PathBuf,
    pub region: Option<RegionCode>,
    /// The sheet names, cover first.
    pub sheets: Vec<String>,
}

/// The due dates of a reporting year: the akimat's and the ministry's.
pub fn due_dates(year: i32) -> (NaiveDate, NaiveDate) {
    let akimat = NaiveDate::from_ymd_opt(year + 1, 1, 10).expect("10 January exists");
    let ministry = NaiveDate::from_ymd_opt(year + 1, 1, 25).expect("25 January exists");
    (akimat, ministry)
}

/// The reporting year when none is given: the year before the registry date's.
pub fn default_year(session: &RegistrySession) -> i32 {
    registry_date(session.version()).year() - 1
}

/// Writes the workbooks into `folder`: one for `params.region` when it is given, else
/// one per region and the national one.
///
/// With `suppress_small` the tables of every workbook, the national one and all 20
/// regional ones, are suppressed as one whole (even when one region's workbook is
/// asked for), because they are published together: a region's item 1 row is hidden as
/// the national table hides it, and a national item count is the sum of the regions'
/// counts, so it must not give back a count a regional workbook hides.
pub async fn write_annual(
    session: &RegistrySession,
    params: &ReportParams,
    suppress_small: bool,
    folder: &Path,
) -> Result<Vec<AnnualWorkbook>> {
    params.validate()?;
    let year = params.year.unwrap_or_else(|| default_year(session));
    // `-o` names the folder the workbooks go into: a file of that name is no folder.
    if folder.exists() && !folder.is_dir() {
        return Err(Error::BadParameter {
            parameter: "-o",
            reason: format!("`{}` is a file; the annual report writes its workbooks into a folder", folder.display()),
        });
    }
    std::fs::create_dir_all(folder)
        .map_err(|error| Error::Output { path: folder.to_owned(), reason: error.to_string() })?;
    let every_scope: Vec<Option<RegionCode>> =
        std::iter::once(None).chain(Region::all().iter().map(|region| Some(region.code))).collect();
    let written_scopes: Vec<Option<RegionCode>> = match params.region {
        Some(code) => vec![Some(code)],
        None => every_scope.clone(),
    };
    let scopes = if suppress_small { every_scope } else { written_scopes.clone() };
    let scoped: Vec<ReportParams> = scopes
        .iter()
        .map(|&region| ReportParams { region, year: Some(year), teacher: None, ..params.clone() })
        .collect();
    let mut tables = Vec::with_capacity(scopes.len());
    for params in &scoped {
        tables.push(ScopeTables::query(session, params).await?);
    }
    if suppress_small {
        tables = suppress_together(&scopes, tables)?;
    }
    // The workbooks are one publication: each is written under a temporary name and
    // all are renamed into place once every one is written, so a failure leaves the
    // folder as it was (a name taken by a folder is found before anything is written).
    let file = |region: Option<RegionCode>| match region {
        Some(code) => format!("annual-{year}-{code}.xlsx"),
        None => format!("annual-{year}-national.xlsx"),
    };
    for region in &written_scopes {
        let path = folder.join(file(*region));
        if path.is_dir() {
            return Err(Error::Output { path, reason: "a folder has the workbook's name".to_owned() });
        }
    }
    let mut written = Vec::new();
    let mut partial = Vec::new();
    let outcome = (|| {
        for (scoped, tables) in scoped.into_iter().zip(tables) {
            let region = scoped.region;
            if !written_scopes.contains(&region) {
                continue;
            }
            let path = folder.join(file(region));
            let temporary = folder.join(format!(".{}.{}.partial", file(region), std::process::id()));
            partial.push(temporary.clone());
            // A failure is told by the workbook's name, not the temporary one.
            let sheets = write_workbook(session, &scoped, year, suppress_small, tables, &temporary).map_err(
                |error| match error {
                    Error::Output { reason, .. } => Error::Output { path: path.clone(), reason },
                    other => other,
                },
            )?;
            written.push(AnnualWorkbook { path, region, sheets });
        }
        Ok(())
    })();
    if let Err(error) = outcome {
        for temporary in &partial {
            let _ = std::fs::remove_file(temporary);
        }
        return Err(error);
    }
    for (done, (temporary, workbook)) in partial.iter().zip(&written).enumerate() {
        crate::output::keep_permissions(temporary, &workbook.path);
        if let Err(error) = std::fs::rename(temporary, &workbook.path) {
            for left in &partial[done..] {
                let _ = std::fs::remove_file(left);
            }
            return Err(Error::Output { path: workbook.path.clone(), reason: error.to_string() });
        }
    }
    Ok(written)
}

/// The annual item sheets' counts: `annual-items.sql` has no sums within a table.
const MEASURE_COUNTS: reports::Report = reports::Report {
    name: "annual-items",
    about: "",
    sql: ANNUAL_ITEMS,
    counts: &["measures", "children"],
    derived: &["amount_kzt"],
    sums: None,
    lists: &[],
};

/// What one workbook shows: item 1, the measure items (one table, split into sheets
/// when written) and item 15.
struct ScopeTables {
    item1: RecordBatch,
    items: RecordBatch,
    teachers: RecordBatch,
}

impl ScopeTables {
    async fn query(session: &RegistrySession, params: &ReportParams) -> Result<ScopeTables> {
        let item1 = reports::run_report(session, reports::report("item1")?, params).await?;
        let items = session.query(&render(ANNUAL_ITEMS, params)).await?;
        let teachers = reports::run_report(session, reports::report("top-teachers")?, params).await?;
        Ok(ScopeTables { item1: one_batch(&item1)?, items: one_batch(&items)?, teachers: one_batch(&teachers)? })
    }
}

fn one_batch(result: &QueryResult) -> Result<RecordBatch> {
    concat_batches(&result.schema, &result.batches).map_err(reports::arrow_failed)
}

/// Suppresses the tables of every scope (`scopes[0]` national, then the regions) as
/// one: see [`write_annual`].
fn suppress_together(scopes: &[Option<RegionCode>], tables: Vec<ScopeTables>) -> Result<Vec<ScopeTables>> {
    let text = |batch: &RecordBatch| {
        crate::output::rows_as_text(&QueryResult { schema: batch.schema(), batches: vec![batch.clone()] })
            .map_err(|message| Error::Execution { message })
    };
    let stacked = |pick: fn(&ScopeTables) -> &RecordBatch| -> Result<(RecordBatch, Vec<std::ops::Range<usize>>)> {
        let batches: Vec<&RecordBatch> = tables.iter().map(pick).collect();
        let mut ranges = Vec::with_capacity(batches.len());
        let mut start = 0;
        for batch in &batches {
            ranges.push(start..start + batch.num_rows());
            start += batch.num_rows();
        }
        let all = concat_batches(&batches[0].schema(), batches.iter().copied()).map_err(reports::arrow_failed)?;
        Ok((all, ranges))
    };

    // Item 1: the national table's own sums; each region's rows (its row and its total,
    // the same counts) are shown as the national table shows that region's row.
    let item1 = reports::report("item1")?;
    let (all, item1_ranges) = stacked(|tables| &tables.item1)?;
    let mut suppression = reports::Suppression::small(&all, item1)?;
    let sums = item1.sums.as_ref().expect("item 1 adds up");
    let national = item1_ranges[0].clone();
    suppression.hide_second_cells(&reports::sum_relations(sums, &all, suppression.count_names(), national.clone()));
    let rows = text(&all)?;
    let kato = all.schema().index_of(sums.key).map_err(reports::arrow_failed)?;
    for (scope, range) in scopes.iter().zip(&item1_ranges).skip(1) {
        let Some(code) = scope else { continue };
        if let Some(national_row) = national.clone().find(|&row| rows[row][kato] == code.kato().to_string()) {
            range.clone().for_each(|row| suppression.show_as(row, national_row));
        }
    }
    let item1_shown = suppression.apply(&all, item1)?;

    // The measure items: each national row (item, type, status) is the sum of the
    // regions' rows with the same key, count by count.
    let (all, items_ranges) = stacked(|tables| &tables.items)?;
    let rows = text(&all)?;
    let items_shown = suppress_by_key(&all, &MEASURE_COUNTS, &items_ranges, |row| &rows[row][..3])?;

    // Item 15: a teacher prepares children in one region or several, and the national
    // count of their achievements is the sum of the regional ones (where the regions'
    // lists name them): by teacher, as the items are by key.
    let teachers = reports::report("top-teachers")?;
    let (all, teachers_ranges) = stacked(|tables| &tables.teachers)?;
    let rows = text(&all)?;
    let id = all.schema().index_of("teacher_id").map_err(reports::arrow_failed)?;
    let teachers_shown =
        reports::mask_iins(&suppress_by_key(&all, teachers, &teachers_ranges, |row| &rows[row][id..=id])?)?;

    let slice = |table: &RecordBatch, range: &std::ops::Range<usize>| table.slice(range.start, range.len());
    Ok((0..tables.len())
        .map(|scope| ScopeTables {
            item1: slice(&item1_shown, &item1_ranges[scope]),
            items: slice(&items_shown, &items_ranges[scope]),
            teachers: slice(&teachers_shown, &teachers_ranges[scope]),
        })
        .collect())
}

/// Suppresses a stack of tables (`ranges[0]` national, the rest regional) whose every
/// national row is, count by count, the sum of the regional rows with the same `key`.
fn suppress_by_key<'a>(
    all: &RecordBatch,
    report: &reports::Report,
    ranges: &[std::ops::Range<usize>],
    key: impl Fn(usize) -> &'a [String],
) -> Result<RecordBatch> {
    let mut suppression = reports::Suppression::small(all, report)?;
    let mut relations = Vec::new();
    for national_row in ranges[0].clone() {
        let regional: Vec<usize> =
            ranges[1..].iter().flat_map(|range| range.clone()).filter(|&row| key(row) == key(national_row)).collect();
        for column in 0..suppression.count_names().len() {
            let mut relation: reports::Relation = regional.iter().map(|&row| (column, row)).collect();
            relation.push((column, national_row));
            relations.push(relation);
        }
    }
    suppression.hide_second_cells(&relations);
    suppression.apply(all, report)
}

fn write_workbook(
    session: &RegistrySession,
    params: &ReportParams,
    year: i32,
    suppress_small: bool,
    tables: ScopeTables,
    path: &Path,
) -> Result<Vec<String>> {
    let fail = |error: rust_xlsxwriter::XlsxError| Error::Output { path: path.to_owned(), reason: error.to_string() };
    let fail_text = |reason: String| Error::Output { path: path.to_owned(), reason };
    let result = |batch: RecordBatch| QueryResult { schema: batch.schema(), batches: vec![batch] };
    let mut sections: Vec<(i32, QueryResult)> = vec![(1, result(tables.item1))];
    sections.extend(split_by_item(&result(tables.items))?);
    if tables.teachers.num_rows() > 0 {
        sections.push((15, result(tables.teachers)));
    }
    sections.sort_by_key(|(item, _)| *item);

    let lang = params.lang;
    let mut workbook = Workbook::new();
    let cover_name = say(lang, "cover");
    let cover = workbook.add_worksheet().set_name(cover_name).map_err(fail)?;
    let bold = Format::new().set_bold();
    let scope = match params.region {
        Some(code) => format!("{} ({})", code.region().full_name(lang), code.kato()),
        None => say(lang, "Republic of Kazakhstan (national)").to_owned(),
    };
    let (akimat_due, ministry_due) = due_dates(year);
    let version = session.version();
    let suppressed = if suppress_small { "yes (1-4 shown as <5)" } else { "no" };
    let lines = [
        ("report", say(lang, "Roadmap of support for gifted children (decree 997), annual report").to_owned()),
        ("scope", scope),
        ("reporting year", year.to_string()),
        ("due to the ministry (akimat)", akimat_due.to_string()),
        ("due to the Government (ministry)", ministry_due.to_string()),
        ("registry version", version.version.to_string()),
        ("registry date", registry_date(version).to_string()),
        ("small counts suppressed", say(lang, suppressed).to_owned()),
    ];
    for (row, (label, value)) in lines.iter().enumerate() {
        cover.write_string_with_format(row as u32, 0, say(lang, label), &bold).map_err(fail)?;
        cover.write_string(row as u32, 1, value).map_err(fail)?;
    }
    cover.autofit();
    let mut names = vec![cover_name.to_owned()];
    for (item, result) in &sections {
        let name = item_sheet_name(*item, lang);
        let sheet = workbook.add_worksheet().set_name(&name).map_err(fail)?;
        write_sheet(sheet, result).map_err(fail_text)?;
        if lang != Lang::En {
            in_words(sheet, result, lang, &bold).map_err(fail)?;
        }
        names.push(name);
    }
    workbook.save(path).map_err(fail)?;
    Ok(names)
}

/// A decree item's sheet: `1-тармақ`, `пункт 1`, `item 1`.
fn item_sheet_name(item: i32, lang: Lang) -> String {
    match lang {
        Lang::Kk => format!("{item}-тармақ"),
        Lang::Ru => format!("пункт {item}"),
        Lang::En => format!("item {item}"),
    }
}

/// The workbook's words in Kazakh and Russian, by their English: the cover's labels and
/// values, and the column names of the items' sheets. The workbook goes to the ministry
/// in the language asked for; in English it keeps the reports' column names.
const WORDS: &[(&str, &str, &str)] = &[
    ("cover", "титул", "титульный лист"),
    ("report", "есеп", "отчёт"),
    (
        "Roadmap of support for gifted children (decree 997), annual report",
        "Дарынды балаларды қолдаудың жол картасы (№ 997 қаулы), жылдық есеп",
        "Дорожная карта поддержки одарённых детей (постановление № 997), годовой отчёт",
    ),
    ("scope", "аумақ", "территория"),
    (
        "Republic of Kazakhstan (national)",
        "Қазақстан Республикасы (республика бойынша)",
        "Республика Казахстан (по республике)",
    ),
    ("reporting year", "есепті жыл", "отчётный год"),
    (
        "due to the ministry (akimat)",
        "министрлікке тапсыру мерзімі (әкімдік)",
        "срок представления в министерство (акимат)",
    ),
    (
        "due to the Government (ministry)",
        "Үкіметке тапсыру мерзімі (министрлік)",
        "срок представления в Правительство (министерство)",
    ),
    ("registry version", "тізілім нұсқасы", "версия реестра"),
    ("registry date", "тізілім күні", "дата реестра"),
    ("small counts suppressed", "аз сандар жасырылған", "малые значения скрыты"),
    ("yes (1-4 shown as <5)", "иә (1–4 мәндері <5 деп көрсетілген)", "да (значения 1–4 показаны как <5)"),
    ("no", "жоқ", "нет"),
    ("region_kato", "ӘАОЖ коды", "код КАТО"),
    ("region_name", "өңір", "регион"),
    ("rural_gifted", "ауылдағы дарынды балалар", "одарённые дети в сельской местности"),
    (
        "urban_large_or_low_income_gifted",
        "қаладағы көп балалы және аз қамтылған отбасылардың дарынды балалары",
        "одарённые дети в городе из многодетных и малообеспеченных семей",
    ),
    ("total", "барлығы", "всего"),
    ("item", "тармақ", "пункт"),
    ("measure_type", "шара түрі", "вид меры"),
    ("status", "мәртебесі", "статус"),
    ("measures", "шаралар саны", "число мер"),
    ("children", "балалар саны", "число детей"),
    ("amount_kzt", "сомасы, теңге", "сумма, тенге"),
    ("rank", "орны", "место"),
    ("teacher_id", "мұғалімнің ЖСН-і", "ИИН педагога"),
    ("last_name", "тегі", "фамилия"),
    ("first_name", "аты", "имя"),
    ("score", "ұпай", "баллы"),
    ("achievements", "жетістіктер саны", "число достижений"),
];

/// The word for `en` in `lang` ([`WORDS`]); `en` itself in English or when it has none.
fn say(lang: Lang, en: &str) -> &str {
    match WORDS.iter().find(|(known, _, _)| *known == en) {
        Some((_, kk, _)) if lang == Lang::Kk => kk,
        Some((_, _, ru)) if lang == Lang::Ru => ru,
        _ => en,
    }
}

/// Writes over an item sheet [`write_sheet`] wrote the column names in `lang`, and the
/// form's words (measure types and statuses, the national row's `total`) as the form
/// says them in it.
fn in_words(
    sheet: &mut rust_xlsxwriter::Worksheet,
    result: &QueryResult,
    lang: Lang,
    bold: &Format,
) -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
    use daryn_registry::enums::{MeasureStatus, MeasureType};
    for (column, field) in result.schema.fields().iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, say(lang, field.name()), bold)?;
        let word: fn(&str, Lang) -> Option<&'static str> = match field.name().as_str() {
            "measure_type" => |code, lang| MeasureType::parse(code).map(|value| value.word(lang)),
            "status" => |code, lang| MeasureStatus::parse(code).map(|value| value.word(lang)),
            "region_name" => |code, lang| (code == "total").then(|| say(lang, "total")),
            _ => continue,
        };
        let mut row = 1u32;
        for batch in &result.batches {
            // (Text comes as a view or a dictionary as often as plain.)
            let Ok(values) = deltalake::arrow::compute::cast(batch.column(column), &DataType::Utf8) else {
                row += batch.num_rows() as u32;
                continue;
            };
            let texts = values.as_string::<i32>();
            for index in 0..batch.num_rows() {
                if let Some(said) = (!texts.is_null(index)).then(|| word(texts.value(index), lang)).flatten() {
                    sheet.write_string(row, column as u16, said)?;
                }
                row += 1;
            }
        }
    }
    Ok(())
}

/// Splits the annual items result into one result per decree item, in item order.
fn split_by_item(result: &QueryResult) -> Result<Vec<(i32, QueryResult)>> {
    let mut items: Vec<i32> = Vec::new();
    for batch in &result.batches {
        let column = batch.column(0).as_primitive::<Int32Type>();
        items.extend(column.iter().flatten());
    }
    items.sort_unstable();
    items.dedup();
    let mut parts = Vec::new();
    for item in items {
        let wanted = Int32Array::new_scalar(item);
        let batches: Vec<RecordBatch> = result
            .batches
            .iter()
            .map(|batch| {
                let mask = eq(batch.column(0), &wanted).map_err(reports::arrow_failed)?;
                filter_record_batch(batch, &mask).map_err(reports::arrow_failed)
            })
            .collect::<Result<_>>()?;
        parts.push((item, QueryResult { schema: result.schema.clone(), batches }));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reports_of_a_year_are_due_in_the_next_january() {
        let (akimat, ministry) = due_dates(2025);
        assert_eq!(akimat, NaiveDate::from_ymd_opt(2026, 1, 10).unwrap());
        assert_eq!(ministry, NaiveDate::from_ymd_opt(2026, 1, 25).unwrap());
    }
}
