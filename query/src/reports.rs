//! The decree's reports. Each is a `.sql` file in `query/reports/` that an analyst can
//! read and run by hand; `{{name}}` marks a parameter, replaced by a checked literal
//! (a region code, a year, a number) before the statement runs in a read-only session.
//! `--suppress-small` is applied to the result: counts 1-4 become `<5` and the
//! percentages and sums derived from them are blanked.

use std::sync::Arc;

use daryn_registry::iin::mask_text;
use daryn_registry::{Lang, RegionCode};
use deltalake::arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray};
use deltalake::arrow::compute::{cast, concat_batches, nullif};
use deltalake::arrow::datatypes::{DataType, Field, Int64Type, Schema};

use crate::error::{Error, Result};
use crate::session::{QueryResult, RegistrySession};

/// One report: its name on the command line, its SQL, and the columns that
/// `--suppress-small` treats as counts and as values derived from them.
#[derive(Debug)]
pub struct Report {
    pub name: &'static str,
    pub about: &'static str,
    pub sql: &'static str,
    pub counts: &'static [&'static str],
    pub derived: &'static [&'static str],
    /// How the counts add up, for `--suppress-small`'s second cells; `None` when they
    /// do not (a child counts under several items, say).
    pub sums: Option<Sums>,
    /// Columns of `name: count; …` lists and the count column their counts add up to:
    /// `--suppress-small` hides their small counts the same way.
    pub lists: &'static [(&'static str, &'static str)],
}

/// How a report's counts add up: in every row `parts` sum to `total`, and the row whose
/// `key` is NULL is the sum of every other row, column by column.
#[derive(Debug)]
pub struct Sums {
    pub parts: &'static [&'static str],
    pub total: &'static str,
    pub key: &'static str,
}

/// Every report, in the order `daryn report --help` lists them.
pub static REPORTS: [Report; 7] = [
    Report {
        name: "item1",
        about: "item 1: rural and urban large or low-income gifted children by region, with a national total",
        sql: include_str!("../reports/item1.sql"),
        counts: &["rural_gifted", "urban_large_or_low_income_gifted", "total"],
        derived: &[],
        sums: Some(Sums {
            parts: &["rural_gifted", "urban_large_or_low_income_gifted"],
            total: "total",
            key: "region_kato",
        }),
        lists: &[],
    },
    Report {
        name: "coverage",
        about: "children with a done measure of each decree item, by region",
        sql: include_str!("../reports/coverage.sql"),
        counts: &["covered", "registered"],
        derived: &["percent"],
        sums: None,
        lists: &[],
    },
    Report {
        name: "unsupported",
        about: "children identified more than 6 months before the registry date with no measure done",
        sql: include_str!("../reports/unsupported.sql"),
        counts: &[],
        derived: &[],
        sums: None,
        lists: &[],
    },
    Report {
        name: "overdue",
        about: "measures past planned_end not done or cancelled, by region and coordinator",
        sql: include_str!("../reports/overdue.sql"),
        counts: &["overdue_measures", "children"],
        derived: &[],
        sums: None,
        lists: &[],
    },
    Report {
        name: "funding",
        about: "measures and their KZT by region, decree item and funding source",
        sql: include_str!("../reports/funding.sql"),
        counts: &["measures"],
        derived: &["amount_kzt"],
        sums: None,
        lists: &[],
    },
    Report {
        name: "top-teachers",
        about: "item 15: teachers ranked by their children's republican and international results",
        sql: include_str!("../reports/top-teachers.sql"),
        counts: &["achievements"],
        // With default weights a score of 2 is one achievement: it goes with them.
        derived: &["score"],
        sums: None,
        lists: &[],
    },
    Report {
        name: "data-quality",
        about: "each region's last drop, its age and status, rows accepted and rejected by code",
        sql: include_str!("../reports/data-quality.sql"),
        counts: &["accepted", "rejected"],
        derived: &[],
        sums: None,
        lists: &[("rejected_by_code", "rejected")],
    },
];

/// The SQL behind `--explain TEACHER_ID` of `top-teachers`.
pub const TOP_TEACHERS_EXPLAIN: &str = include_str!("../reports/top-teachers-explain.sql");

/// The SQL of the annual report's item sheets.
pub const ANNUAL_ITEMS: &str = include_str!("../reports/annual-items.sql");

/// Looks a report up by name.
pub fn report(name: &str) -> Result<&'static Report> {
    REPORTS.iter().find(|report| report.name == name).ok_or_else(|| Error::UnknownReport {
        name: name.to_owned(),
        known: REPORTS.iter().map(|report| report.name).chain(["annual"]).collect::<Vec<_>>().join(", "),
    })
}

/// The parameters a report may take.
#[derive(Clone, Debug)]
pub struct ReportParams {
    pub year: Option<i32>,
    pub region: Option<RegionCode>,
    pub limit: u32,
    pub lang: Lang,
    pub teacher: Option<String>,
}

impl Default for ReportParams {
    fn default() -> ReportParams {
        ReportParams { year: None, region: None, limit: 100, lang: Lang::Kk, teacher: None }
    }
}

impl ReportParams {
    /// Checks what cannot be checked by the parameters' types.
    pub fn validate(&self) -> Result<()> {
        if let Some(year) = self.year
            && !(2000..=2100).contains(&year)
        {
            return Err(Error::BadParameter {
                parameter: "--year",
                reason: format!("{year} is not a year from 2000 to 2100"),
            });
        }
        if self.limit == 0 {
            return Err(Error::BadParameter { parameter: "--limit", reason: "must be at least 1".to_owned() });
        }
        if let Some(teacher) = &self.teacher
            && !(teacher.len() == 12 && teacher.bytes().all(|byte| byte.is_ascii_digit()))
        {
            return Err(Error::BadParameter {
                parameter: "--explain",
                reason: format!("`{teacher}` is not a teacher id (12 digits)"),
            });
        }
        Ok(())
    }
}

/// Replaces the `{{name}}` parameters of a report's SQL with literals.
pub fn render(sql: &str, params: &ReportParams) -> String {
    let region = match params.region {
        Some(code) => format!("'{code}'"),
        None => "CAST(NULL AS VARCHAR)".to_owned(),
    };
    let year = match params.year {
        Some(year) => year.to_string(),
        None => "CAST(NULL AS BIGINT)".to_owned(),
    };
    let teacher = match &params.teacher {
        Some(id) => format!("'{id}'"),
        None => "CAST(NULL AS VARCHAR)".to_owned(),
    };
    sql.replace("{{region}}", &region)
        .replace("{{year}}", &year)
        .replace("{{limit}}", &params.limit.to_string())
        .replace("{{lang}}", params.lang.code())
        .replace("{{teacher}}", &teacher)
}

/// Runs a report (or, for `top-teachers` with a teacher, its explanation).
pub async fn run_report(session: &RegistrySession, report: &Report, params: &ReportParams) -> Result<QueryResult> {
    params.validate()?;
    if params.year.is_some() && !report.sql.contains("{{year}}") {
        return Err(Error::BadParameter {
            parameter: "--year",
            reason: format!("`{}` has no reporting year; `--as-of` reads an earlier registry version", report.name),
        });
    }
    let sql = match (&params.teacher, report.name) {
        (Some(_), "top-teachers") => TOP_TEACHERS_EXPLAIN,
        (Some(_), _) => {
            return Err(Error::BadParameter {
                parameter: "--explain",
                reason: format!("only `top-teachers` explains its rows, not `{}`", report.name),
            });
        }
        (None, _) => report.sql,
    };
    let result = session.query(&render(sql, params)).await?;
    // No row: a teacher with nothing counted, or an id no teacher or achievement of the
    // version has, which is told rather than shown as an empty table (the id is checked
    // as 12 digits).
    if let (Some(teacher), 0) = (&params.teacher, result.rows())
        && session
            .query(&format!(
                "SELECT 1 FROM teachers WHERE teacher_id = '{teacher}' UNION ALL \
                 SELECT 1 FROM achievements WHERE array_has(teacher_ids, '{teacher}') LIMIT 1"
            ))
            .await?
            .rows()
            == 0
    {
        return Err(Error::BadParameter {
            parameter: "--explain",
            reason: format!("no teacher of this registry version has the id `{teacher}`"),
        });
    }
    Ok(result)
}

/// What `--suppress-small` shows instead of a count from 1 to 4.
pub const SUPPRESSED: &str = "<5";
/// What it shows instead of a larger count hidden so that a small one cannot be worked
/// out by subtraction.
pub const HIDDEN: &str = "x";

/// How one count is shown for publication.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shown {
    Value,
    Small,
    Hidden,
}

impl Shown {
    /// A count as first shown: 1-4 small, the rest as it is.
    fn of(count: i64) -> Shown {
        if (1..=4).contains(&count) { Shown::Small } else { Shown::Value }
    }
}

/// Whether hidden parts under a shown total give one of themselves back: `small` parts
/// shown as `<5` (each 1 to 4) and `second` parts shown as `x` (each 0, or 5 and more:
/// a count shown as it is before it was hidden), adding up to `rest` (the total less the
/// shown parts). One hidden part always does. Two `<5` that add up to 8 are both 4; an
/// `x` and a `<5` that add up to 6 are 5 and 1.
fn gives_back(rest: i64, small: i64, second: i64) -> bool {
    if small + second == 1 {
        return true;
    }
    // What the `x` parts can add up to: nothing, or 5 and more.
    let seconds_hold = |sum: i64| sum == 0 || (second >= 1 && sum >= 5);
    if small >= 1 {
        // A `<5` part's values the others allow: the other `<5` parts add up to any
        // number from `small - 1` to `4 (small - 1)`, the `x` parts to the rest.
        let (least, most) = (small - 1, 4 * (small - 1));
        let possible = (1..=4).filter(|part| (least..=most).any(|others| seconds_hold(rest - part - others))).count();
        if possible == 1 {
            return true;
        }
    }
    if second >= 1 {
        let possible: Vec<i64> =
            (small..=4 * small).map(|smalls| rest - smalls).filter(|&sum| seconds_hold(sum)).collect();
        // One `x` is what is left; several are all 0 when nothing else is left.
        if (second == 1 && possible.len() == 1) || (second > 1 && possible == [0]) {
            return true;
        }
    }
    false
}

/// Replaces counts 1-4 in the report's count columns with `<5`, and blanks the derived
/// columns of every row where a count is not shown. Count columns stay numbers in XLSX
/// (their fields say so, see [`COUNT_METADATA`]) but become text here.
///
/// Where the counts add up ([`Report::sums`]), hidden counts must not be recoverable
/// from the shown ones ([`Suppression::hide_second_cells`]).
pub fn suppress_small(result: &QueryResult, report: &Report) -> Result<QueryResult> {
    let table = concat_batches(&result.schema, &result.batches).map_err(arrow_failed)?;
    let mut suppression = Suppression::small(&table, report)?;
    if let Some(sums) = &report.sums {
        suppression.hide_second_cells(&sum_relations(sums, &table, &suppression.count_names, 0..table.num_rows()));
    }
    let table = mask_iins(&suppression.apply(&table, report)?)?;
    Ok(QueryResult { schema: table.schema(), batches: vec![table] })
}

/// A table prepared for publication shows no IIN whole: a teacher's (`teacher_id` in
/// item 15's list) keeps its first six digits and its last, as the coordinators' files
/// show one. The names stay: item 15 publishes who the best teachers are.
pub(crate) fn mask_iins(table: &RecordBatch) -> Result<RecordBatch> {
    let columns: Vec<ArrayRef> = table
        .schema()
        .fields()
        .iter()
        .zip(table.columns())
        .map(|(field, column)| match (field.name().as_str(), column.as_string_opt::<i32>()) {
            ("teacher_id" | "iin", Some(iins)) => {
                Arc::new(iins.iter().map(|iin| iin.map(mask_text)).collect::<StringArray>()) as ArrayRef
            }
            _ => column.clone(),
        })
        .collect();
    RecordBatch::try_new(table.schema(), columns).map_err(arrow_failed)
}

pub(crate) fn arrow_failed(error: deltalake::arrow::error::ArrowError) -> Error {
    Error::Execution { message: error.to_string() }
}

/// The field metadata key that marks a column of counts that suppression turned into
/// text: XLSX writes its numbers as numbers, and only `<5` and `x` as text.
pub const COUNT_METADATA: &str = "daryn.count";

/// What `--suppress-small` decided for a table: its counts and how each is shown. A
/// report suppresses one table; the annual report suppresses the tables of all its
/// workbooks as one, so that no workbook gives back what another hides.
pub struct Suppression {
    count_columns: Vec<usize>,
    count_names: Vec<&'static str>,
    /// `values[column][row]`, by position in `count_columns`.
    values: Vec<Vec<Option<i64>>>,
    shown: Vec<Vec<Shown>>,
}

impl Suppression {
    /// Counts 1-4 marked small; every other cell shown.
    pub fn small(table: &RecordBatch, report: &Report) -> Result<Suppression> {
        let index_of = |name: &str| table.schema().index_of(name).ok();
        let count_names: Vec<&'static str> =
            report.counts.iter().copied().filter(|name| index_of(name).is_some()).collect();
        let count_columns: Vec<usize> = count_names.iter().filter_map(|name| index_of(name)).collect();
        let rows = table.num_rows();
        let mut values: Vec<Vec<Option<i64>>> = Vec::with_capacity(count_columns.len());
        for &index in &count_columns {
            let counts = cast(table.column(index), &DataType::Int64).map_err(arrow_failed)?;
            let counts = counts.as_primitive::<Int64Type>();
            values.push((0..rows).map(|row| counts.is_valid(row).then(|| counts.value(row))).collect());
        }
        let shown = values
            .iter()
            .map(|column| column.iter().map(|value| value.map_or(Shown::Value, Shown::of)).collect())
            .collect();
        Ok(Suppression { count_columns, count_names, values, shown })
    }

    /// The names of the count columns, in the order relations number them.
    pub fn count_names(&self) -> &[&'static str] {
        &self.count_names
    }

    /// Shows row `to` as row `from` is shown: the same counts in two places.
    pub fn show_as(&mut self, to: usize, from: usize) {
        for column in &mut self.shown {
            column[to] = column[from];
        }
    }

    /// Hides second cells until no sum gives a hidden count back: no relation may have
    /// exactly one hidden cell, nor only `<5` parts whose shown total pins each of them
    /// (two `<5` that sum to 8 are both 4; three that sum to 3 are all 1). Each
    /// relation's last cell is its total, hidden only when no part can be; the part
    /// chosen is the smallest non-zero one shown.
    pub fn hide_second_cells(&mut self, relations: &[Relation]) {
        let Suppression { values, shown, .. } = self;
        loop {
            let mut changed = false;
            for relation in relations {
                let (total, parts) = relation.split_last().expect("a relation has a total");
                let is_hidden = |&(column, row): &(usize, usize)| shown[column][row] != Shown::Value;
                let hidden = relation.iter().filter(|cell| is_hidden(cell)).count();
                // The total shown: what its hidden parts add up to, and how many of
                // each kind there are ([`gives_back`]).
                let pinned = || {
                    if is_hidden(total) {
                        return false;
                    }
                    let (mut small, mut second, mut rest) = (0i64, 0i64, 0i64);
                    for cell @ &(column, row) in parts {
                        if !is_hidden(cell) {
                            continue;
                        }
                        match shown[column][row] {
                            Shown::Small => small += 1,
                            _ => second += 1,
                        }
                        rest += values[column][row].unwrap_or(0);
                    }
                    gives_back(rest, small, second)
                };
                if hidden != 1 && !(hidden > 1 && pinned()) {
                    continue;
                }
                let visible = |&(column, row): &(usize, usize)| {
                    let value = values[column][row]?;
                    (shown[column][row] == Shown::Value).then_some(((column, row), value))
                };
                let smallest_part = |non_zero: bool| {
                    parts
                        .iter()
                        .filter_map(visible)
                        .filter(|(_, value)| (*value != 0) == non_zero)
                        .min_by_key(|(_, value)| *value)
                        .map(|(cell, _)| cell)
                };
                let pick = smallest_part(true)
                    .or_else(|| visible(total).map(|(cell, _)| cell))
                    .or_else(|| smallest_part(false));
                if let Some((column, row)) = pick {
                    shown[column][row] = Shown::Hidden;
                    changed = true;
                }
            }
            if !changed {
                return;
            }
        }
    }

    /// The table as published: counts as text (`<5`, `x` or the number), derived
    /// columns blank in every row where a count is not shown.
    pub fn apply(&self, table: &RecordBatch, report: &Report) -> Result<RecordBatch> {
        let rows = table.num_rows();
        let schema = table.schema();
        let derived_columns: Vec<usize> = report.derived.iter().filter_map(|name| schema.index_of(name).ok()).collect();
        let fields: Vec<Field> = schema
            .fields()
            .iter()
            .enumerate()
            .map(|(index, field)| {
                if self.count_columns.contains(&index) {
                    let metadata = [(COUNT_METADATA.to_owned(), "true".to_owned())].into_iter().collect();
                    Field::new(field.name(), DataType::Utf8, true).with_metadata(metadata)
                } else if report.lists.iter().any(|(list, _)| list == field.name()) {
                    Field::new(field.name(), DataType::Utf8, true)
                } else {
                    field.as_ref().clone().with_nullable(true)
                }
            })
            .collect();
        let mut columns: Vec<ArrayRef> = table.columns().to_vec();
        for (position, &index) in self.count_columns.iter().enumerate() {
            let text: StringArray = (0..rows)
                .map(|row| match (self.shown[position][row], self.values[position][row]) {
                    (_, None) => None,
                    (Shown::Small, _) => Some(SUPPRESSED.to_owned()),
                    (Shown::Hidden, _) => Some(HIDDEN.to_owned()),
                    (Shown::Value, Some(value)) => Some(value.to_string()),
                })
                .collect();
            columns[index] = Arc::new(text);
        }
        let not_all_shown: Vec<bool> =
            (0..rows).map(|row| self.shown.iter().any(|column| column[row] != Shown::Value)).collect();
        let blank = deltalake::arrow::array::BooleanArray::from(not_all_shown);
        for &index in &derived_columns {
            columns[index] = nullif(table.column(index), &blank).map_err(arrow_failed)?;
        }
        for &(list, total) in report.lists {
            let Ok(index) = schema.index_of(list) else { continue };
            let total = self.count_names.iter().position(|name| *name == total);
            // `string_agg` gives LargeUtf8: the list is read, and published, as plain text.
            let lists = cast(table.column(index), &DataType::Utf8).map_err(arrow_failed)?;
            let lists = lists.as_string::<i32>();
            let shown: StringArray = (0..rows)
                .map(|row| {
                    let total_shown = total.is_some_and(|total| self.shown[total][row] == Shown::Value);
                    lists.is_valid(row).then(|| suppress_list(lists.value(row), total_shown))
                })
                .collect();
            columns[index] = Arc::new(shown);
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).map_err(arrow_failed)
    }
}

/// A `name: count; …` list as published: counts 1-4 as `<5`, and when the list's total
/// is shown and exactly one count is hidden, the smallest other non-zero one as `x` (the
/// total minus the others would give it back). Items that do not read as `name: count`
/// are kept as they are.
fn suppress_list(text: &str, total_shown: bool) -> String {
    let mut items: Vec<(&str, Option<i64>, Shown)> = text
        .split("; ")
        .map(|item| match item.rsplit_once(": ").map(|(name, count)| (name, count.parse::<i64>())) {
            Some((name, Ok(count))) => (name, Some(count), Shown::of(count)),
            _ => (item, None, Shown::Value),
        })
        .collect();
    // As for a sum of cells: while the shown total would give a hidden count back
    // ([`gives_back`]), the smallest shown one is hidden too.
    if total_shown {
        loop {
            let of = |kind: Shown| items.iter().filter(|(_, _, shown)| *shown == kind).count() as i64;
            let rest: i64 =
                items.iter().filter(|(_, _, shown)| *shown != Shown::Value).filter_map(|(_, count, _)| *count).sum();
            if !gives_back(rest, of(Shown::Small), of(Shown::Hidden)) {
                break;
            }
            let second = items
                .iter_mut()
                .filter(|(_, count, shown)| *shown == Shown::Value && count.is_some_and(|count| count > 0))
                .min_by_key(|(_, count, _)| *count);
            match second {
                Some(item) => item.2 = Shown::Hidden,
                None => break,
            }
        }
    }
    let shown: Vec<String> = items
        .iter()
        .map(|(name, count, shown)| match (count, shown) {
            (None, _) => (*name).to_owned(),
            (_, Shown::Small) => format!("{name}: {SUPPRESSED}"),
            (_, Shown::Hidden) => format!("{name}: {HIDDEN}"),
            (Some(count), Shown::Value) => format!("{name}: {count}"),
        })
        .collect();
    shown.join("; ")
}

/// A sum whose cells must not give a hidden one back: each cell is (count column
/// position, row), listed in the order a second cell is chosen (parts before the total).
pub type Relation = Vec<(usize, usize)>;

/// The row sums (parts + total) of every row of `rows`, and the column sums over those
/// of them whose key is not NULL into the one whose key is.
pub fn sum_relations(
    sums: &Sums,
    table: &RecordBatch,
    count_names: &[&str],
    rows: std::ops::Range<usize>,
) -> Vec<Relation> {
    let position = |name: &str| count_names.iter().position(|known| *known == name);
    let parts: Vec<usize> = sums.parts.iter().filter_map(|name| position(name)).collect();
    let total = position(sums.total);
    let mut relations = Vec::new();
    if let Some(total) = total {
        for row in rows.clone() {
            let mut relation: Relation = parts.iter().map(|&part| (part, row)).collect();
            relation.push((total, row));
            relations.push(relation);
        }
    }
    if let Ok(key) = table.schema().index_of(sums.key) {
        let keys = table.column(key);
        let total_rows: Vec<usize> = rows.clone().filter(|&row| keys.is_null(row)).collect();
        let other_rows: Vec<usize> = rows.filter(|&row| keys.is_valid(row)).collect();
        if let [total_row] = total_rows[..] {
            for column in 0..count_names.len() {
                let mut relation: Relation = other_rows.iter().map(|&row| (column, row)).collect();
                relation.push((column, total_row));
                relations.push(relation);
            }
        }
    }
    relations
}

#[cfg(test)]
mod tests;
