//! The annual report an akimat sends the ministry (item 19 of the roadmap): one XLSX
//! workbook per region and a national one. Each has a cover sheet with the reporting
//! year and the due dates (the akimat's by the 10th of the month after the reporting
//! year, the ministry's to the Government by the 25th), then one sheet per decree item
//! that has data: item 1 (`item1.sql`), each measure item (`annual-items.sql`) and item
//! 15 (`top-teachers.sql`).

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use daryn_registry::RegionCode;
use daryn_registry::kato::Region;
use deltalake::arrow::array::Int32Array;
use deltalake::arrow::array::{AsArray, RecordBatch};
use deltalake::arrow::compute::filter_record_batch;
use deltalake::arrow::compute::kernels::cmp::eq;
use deltalake::arrow::datatypes::Int32Type;
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
pub async fn write_annual(
    session: &RegistrySession,
    params: &ReportParams,
    suppress_small: bool,
    folder: &Path,
) -> Result<Vec<AnnualWorkbook>> {
    params.validate()?;
    let year = params.year.unwrap_or_else(|| default_year(session));
    std::fs::create_dir_all(folder)
        .map_err(|error| Error::Output { path: folder.to_owned(), reason: error.to_string() })?;
    let scopes: Vec<Option<RegionCode>> = match params.region {
        Some(code) => vec![Some(code)],
        None => std::iter::once(None).chain(Region::all().iter().map(|region| Some(region.code))).collect(),
    };
    let mut written = Vec::new();
    for region in scopes {
        let scoped = ReportParams { region, year: Some(year), teacher: None, ..params.clone() };
        let file = match region {
            Some(code) => format!("annual-{year}-{code}.xlsx"),
            None => format!("annual-{year}-national.xlsx"),
        };
        let path = folder.join(file);
        let sheets = write_workbook(session, &scoped, year, suppress_small, &path).await?;
        written.push(AnnualWorkbook { path, region, sheets });
    }
    Ok(written)
}

async fn write_workbook(
    session: &RegistrySession,
    params: &ReportParams,
    year: i32,
    suppress_small: bool,
    path: &Path,
) -> Result<Vec<String>> {
    let fail = |error: rust_xlsxwriter::XlsxError| Error::Output { path: path.to_owned(), reason: error.to_string() };
    let fail_text = |reason: String| Error::Output { path: path.to_owned(), reason };
    let mut sections: Vec<(String, QueryResult)> = Vec::new();

    let item1 = reports::report("item1")?;
    sections
        .push(("item 1".to_owned(), shown(reports::run_report(session, item1, params).await?, item1, suppress_small)?));

    let items = session.query(&render(ANNUAL_ITEMS, params)).await?;
    let measure_counts = reports::Report {
        name: "annual-items",
        about: "",
        sql: ANNUAL_ITEMS,
        counts: &["measures", "children"],
        derived: &["amount_kzt"],
        sums: None,
    };
    for (item, part) in split_by_item(&items)? {
        sections.push((format!("item {item}"), shown(part, &measure_counts, suppress_small)?));
    }

    let teachers = reports::report("top-teachers")?;
    let ranked = reports::run_report(session, teachers, params).await?;
    if ranked.rows() > 0 {
        sections.push(("item 15".to_owned(), shown(ranked, teachers, suppress_small)?));
    }
    sections.sort_by_key(|(name, _)| name.trim_start_matches("item ").parse::<u32>().unwrap_or(u32::MAX));

    let mut workbook = Workbook::new();
    let cover = workbook.add_worksheet().set_name("cover").map_err(fail)?;
    let bold = Format::new().set_bold();
    let scope = match params.region {
        Some(code) => format!("{} ({})", code.region().full_name(params.lang), code.kato()),
        None => "Republic of Kazakhstan (national)".to_owned(),
    };
    let (akimat_due, ministry_due) = due_dates(year);
    let version = session.version();
    let lines = [
        ("report", "Roadmap of support for gifted children (decree 997), annual report".to_owned()),
        ("scope", scope),
        ("reporting year", year.to_string()),
        ("due to the ministry (akimat)", akimat_due.to_string()),
        ("due to the Government (ministry)", ministry_due.to_string()),
        ("registry version", version.version.to_string()),
        ("registry date", registry_date(version).to_string()),
        ("small counts suppressed", if suppress_small { "yes (1-4 shown as <5)" } else { "no" }.to_owned()),
    ];
    for (row, (label, value)) in lines.iter().enumerate() {
        cover.write_string_with_format(row as u32, 0, *label, &bold).map_err(fail)?;
        cover.write_string(row as u32, 1, value).map_err(fail)?;
    }
    cover.autofit();
    let mut names = vec!["cover".to_owned()];
    for (name, result) in &sections {
        let sheet = workbook.add_worksheet().set_name(name).map_err(fail)?;
        write_sheet(sheet, result).map_err(fail_text)?;
        names.push(name.clone());
    }
    workbook.save(path).map_err(fail)?;
    Ok(names)
}

fn shown(result: QueryResult, report: &reports::Report, suppress_small: bool) -> Result<QueryResult> {
    if suppress_small { reports::suppress_small(&result, report) } else { Ok(result) }
}

/// Splits the annual items result into one result per decree item, in item order.
fn split_by_item(result: &QueryResult) -> Result<Vec<(i32, QueryResult)>> {
    let failed = |error: deltalake::arrow::error::ArrowError| Error::Execution { message: error.to_string() };
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
                let mask = eq(batch.column(0), &wanted).map_err(failed)?;
                filter_record_batch(batch, &mask).map_err(failed)
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
