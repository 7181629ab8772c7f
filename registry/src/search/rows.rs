//! Reads one region's rows of a registry version for indexing, through the pinned Delta
//! tables (never by globbing Parquet files). Children listed as losers in the
//! `conflicts` table (the same IIN held by a region with a newer drop) are left out, and
//! so are their achievements and measures.

use std::collections::HashSet;

use deltalake::arrow::array::{Array, AsArray, BooleanArray, Date32Array, Int32Array, RecordBatch, StringArray};
use deltalake::arrow::compute::cast;
use deltalake::arrow::datatypes::{DataType, Field};
use deltalake::datafusion::prelude::{SessionContext, col, lit};

use super::{SearchError, SearchResult};
use crate::store::{RegistryVersion, Store};

pub struct ChildRow {
    pub district_kato: String,
    pub iin: String,
    pub last_name: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub locality: Option<String>,
    pub area_type: String,
    pub school_code: String,
    pub school_name: String,
    pub grade: i32,
    pub large_family: bool,
    pub low_income: bool,
    pub domains: Vec<String>,
    pub disciplines: Vec<String>,
    pub interests: Option<String>,
    pub roadmap_status: String,
}

pub struct AchievementRow {
    pub iin: String,
    pub event_name: String,
    pub event_kind: String,
    pub discipline: Option<String>,
    pub level: String,
    /// `event_date`, as days since 1970-01-01.
    pub day: i32,
    pub year: i32,
    pub result: String,
    pub teacher_ids: Vec<String>,
}

pub struct MeasureRow {
    pub iin: String,
    pub title: String,
    pub teacher_id: Option<String>,
}

pub struct TeacherRow {
    pub teacher_id: String,
    pub last_name: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub school_code: String,
    pub subject: Option<String>,
}

/// Everything the index needs of one region.
pub struct RegionRows {
    pub children: Vec<ChildRow>,
    pub achievements: Vec<AchievementRow>,
    pub measures: Vec<MeasureRow>,
    pub teachers: Vec<TeacherRow>,
}

/// A session over a version's tables, with `conflicts` when the version pins it.
pub struct VersionReader {
    context: SessionContext,
    has: HashSet<String>,
}

fn query(table: &str) -> impl FnOnce(deltalake::datafusion::error::DataFusionError) -> SearchError + '_ {
    move |error| SearchError::Read { table: table.to_owned(), reason: error.to_string() }
}

impl VersionReader {
    pub async fn open(store: &Store, version: &RegistryVersion) -> SearchResult<VersionReader> {
        let context = store.session(version).await?;
        // The store's session registers every table the version pins, `conflicts`
        // among them when the version has one.
        let has: HashSet<String> = version.tables.keys().cloned().collect();
        Ok(VersionReader { context, has })
    }

    /// The rows of `table` in `region`, with the columns named.
    async fn region_batches(&self, table: &str, region: &str, columns: &[&str]) -> SearchResult<Vec<RecordBatch>> {
        if !self.has.contains(table) {
            return Ok(Vec::new());
        }
        self.context
            .table(table)
            .await
            .map_err(query(table))?
            .filter(col("region").eq(lit(region.to_owned())))
            .map_err(query(table))?
            .select_columns(columns)
            .map_err(query(table))?
            .collect()
            .await
            .map_err(query(table))
    }

    /// The (region, IIN) pairs of the version's conflict losers in `region`.
    pub async fn conflict_losers(&self, region: &str) -> SearchResult<HashSet<String>> {
        let mut losers = HashSet::new();
        for batch in self.region_batches("conflicts", region, &["iin"]).await? {
            let iins = Columns::new(&batch, "conflicts");
            losers.extend(iins.texts("iin")?);
        }
        Ok(losers)
    }

    /// The rows the index needs of `region`, without its conflict losers.
    pub async fn region_rows(&self, region: &str) -> SearchResult<RegionRows> {
        let losers = self.conflict_losers(region).await?;
        let mut rows =
            RegionRows { children: Vec::new(), achievements: Vec::new(), measures: Vec::new(), teachers: Vec::new() };
        // A table's batches are let go once its rows are taken.
        rows.add_children(&self.region_batches("children", region, &CHILD_COLUMNS).await?, &losers)?;
        rows.add_achievements(&self.region_batches("achievements", region, &ACHIEVEMENT_COLUMNS).await?, &losers)?;
        rows.add_measures(&self.region_batches("measures", region, &MEASURE_COLUMNS).await?, &losers)?;
        rows.add_teachers(&self.region_batches("teachers", region, &TEACHER_COLUMNS).await?)?;
        Ok(rows)
    }
}

/// The columns the index reads of each table.
const CHILD_COLUMNS: [&str; 16] = [
    "district_kato",
    "iin",
    "last_name",
    "first_name",
    "patronymic",
    "locality",
    "area_type",
    "school_code",
    "school_name",
    "grade",
    "large_family",
    "low_income",
    "talent_domains",
    "disciplines",
    "interests",
    "roadmap_status",
];
const ACHIEVEMENT_COLUMNS: [&str; 8] =
    ["iin", "event_name", "event_kind", "discipline", "level", "event_date", "result", "teacher_ids"];
const MEASURE_COLUMNS: [&str; 3] = ["iin", "title", "teacher_id"];
const TEACHER_COLUMNS: [&str; 6] = ["teacher_id", "last_name", "first_name", "patronymic", "school_code", "subject"];

/// The calendar year of a day counted from 1970-01-01.
fn year_of(day: i32) -> i32 {
    use chrono::Datelike;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date");
    epoch.checked_add_signed(chrono::TimeDelta::days(day.into())).map(|date| date.year()).unwrap_or_default()
}

// Each value is moved out of the column it was read into, not copied. Children whose
// IIN is in `losers` are left out, and so are their achievements and measures.
impl RegionRows {
    fn add_children(&mut self, batches: &[RecordBatch], losers: &HashSet<String>) -> SearchResult<()> {
        for batch in batches {
            let columns = Columns::new(batch, "children");
            let mut districts = columns.texts("district_kato")?.into_iter();
            let mut last_names = columns.texts("last_name")?.into_iter();
            let mut first_names = columns.texts("first_name")?.into_iter();
            let mut patronymics = columns.optional_texts("patronymic")?.into_iter();
            let mut localities = columns.optional_texts("locality")?.into_iter();
            let mut area_types = columns.texts("area_type")?.into_iter();
            let mut school_codes = columns.texts("school_code")?.into_iter();
            let mut school_names = columns.texts("school_name")?.into_iter();
            let mut grades = columns.integers("grade")?.into_iter();
            let mut large_families = columns.booleans("large_family")?.into_iter();
            let mut low_incomes = columns.booleans("low_income")?.into_iter();
            let mut domains = columns.lists("talent_domains")?.into_iter();
            let mut disciplines = columns.lists("disciplines")?.into_iter();
            let mut interests = columns.optional_texts("interests")?.into_iter();
            let mut statuses = columns.texts("roadmap_status")?.into_iter();
            for iin in columns.texts("iin")? {
                // Every column has a value per row: the batch's columns are of one length.
                let child = ChildRow {
                    district_kato: districts.next().unwrap_or_default(),
                    iin,
                    last_name: last_names.next().unwrap_or_default(),
                    first_name: first_names.next().unwrap_or_default(),
                    patronymic: patronymics.next().flatten(),
                    locality: localities.next().flatten(),
                    area_type: area_types.next().unwrap_or_default(),
                    school_code: school_codes.next().unwrap_or_default(),
                    school_name: school_names.next().unwrap_or_default(),
                    grade: grades.next().unwrap_or_default(),
                    large_family: large_families.next().unwrap_or_default(),
                    low_income: low_incomes.next().unwrap_or_default(),
                    domains: domains.next().unwrap_or_default(),
                    disciplines: disciplines.next().unwrap_or_default(),
                    interests: interests.next().flatten(),
                    roadmap_status: statuses.next().unwrap_or_default(),
                };
                if !losers.contains(&child.iin) {
                    self.children.push(child);
                }
            }
        }
        Ok(())
    }

    fn add_achievements(&mut self, batches: &[RecordBatch], losers: &HashSet<String>) -> SearchResult<()> {
        for batch in batches {
            let columns = Columns::new(batch, "achievements");
            let mut names = columns.texts("event_name")?.into_iter();
            let mut disciplines = columns.optional_texts("discipline")?.into_iter();
            let mut levels = columns.texts("level")?.into_iter();
            let mut kinds = columns.texts("event_kind")?.into_iter();
            let mut days = columns.days("event_date")?.into_iter();
            let mut results = columns.texts("result")?.into_iter();
            let mut teachers = columns.lists("teacher_ids")?.into_iter();
            for iin in columns.texts("iin")? {
                let day = days.next().unwrap_or_default();
                let achievement = AchievementRow {
                    iin,
                    event_name: names.next().unwrap_or_default(),
                    event_kind: kinds.next().unwrap_or_default(),
                    discipline: disciplines.next().flatten(),
                    level: levels.next().unwrap_or_default(),
                    day,
                    year: year_of(day),
                    result: results.next().unwrap_or_default(),
                    teacher_ids: teachers.next().unwrap_or_default(),
                };
                if !losers.contains(&achievement.iin) {
                    self.achievements.push(achievement);
                }
            }
        }
        Ok(())
    }

    fn add_measures(&mut self, batches: &[RecordBatch], losers: &HashSet<String>) -> SearchResult<()> {
        for batch in batches {
            let columns = Columns::new(batch, "measures");
            let mut titles = columns.texts("title")?.into_iter();
            let mut teachers = columns.optional_texts("teacher_id")?.into_iter();
            for iin in columns.texts("iin")? {
                let measure =
                    MeasureRow { iin, title: titles.next().unwrap_or_default(), teacher_id: teachers.next().flatten() };
                if !losers.contains(&measure.iin) {
                    self.measures.push(measure);
                }
            }
        }
        Ok(())
    }

    fn add_teachers(&mut self, batches: &[RecordBatch]) -> SearchResult<()> {
        for batch in batches {
            let columns = Columns::new(batch, "teachers");
            let mut last_names = columns.texts("last_name")?.into_iter();
            let mut first_names = columns.texts("first_name")?.into_iter();
            let mut patronymics = columns.optional_texts("patronymic")?.into_iter();
            let mut schools = columns.texts("school_code")?.into_iter();
            let mut subjects = columns.optional_texts("subject")?.into_iter();
            for teacher_id in columns.texts("teacher_id")? {
                self.teachers.push(TeacherRow {
                    teacher_id,
                    last_name: last_names.next().unwrap_or_default(),
                    first_name: first_names.next().unwrap_or_default(),
                    patronymic: patronymics.next().flatten(),
                    school_code: schools.next().unwrap_or_default(),
                    subject: subjects.next().flatten(),
                });
            }
        }
        Ok(())
    }
}

/// Typed access to a batch's columns, whatever string layout DataFusion handed over.
struct Columns<'a> {
    batch: &'a RecordBatch,
    table: &'static str,
}

impl<'a> Columns<'a> {
    fn new(batch: &'a RecordBatch, table: &'static str) -> Columns<'a> {
        Columns { batch, table }
    }

    fn error(&self, column: &str, reason: String) -> SearchError {
        SearchError::Read { table: self.table.to_owned(), reason: format!("column `{column}`: {reason}") }
    }

    fn column(&self, name: &str, to: &DataType) -> SearchResult<std::sync::Arc<dyn Array>> {
        let column = self.batch.column_by_name(name).ok_or_else(|| self.error(name, "missing".to_owned()))?;
        cast(column, to).map_err(|error| self.error(name, error.to_string()))
    }

    fn optional_texts(&self, name: &str) -> SearchResult<Vec<Option<String>>> {
        let column = self.column(name, &DataType::Utf8)?;
        let strings =
            column.as_any().downcast_ref::<StringArray>().ok_or_else(|| self.error(name, "not text".into()))?;
        Ok(strings.iter().map(|value| value.map(str::to_owned)).collect())
    }

    fn texts(&self, name: &str) -> SearchResult<Vec<String>> {
        Ok(self.optional_texts(name)?.into_iter().map(Option::unwrap_or_default).collect())
    }

    fn integers(&self, name: &str) -> SearchResult<Vec<i32>> {
        let column = self.column(name, &DataType::Int32)?;
        let values = column.as_any().downcast_ref::<Int32Array>().ok_or_else(|| self.error(name, "not int".into()))?;
        Ok(values.iter().map(Option::unwrap_or_default).collect())
    }

    fn booleans(&self, name: &str) -> SearchResult<Vec<bool>> {
        let column = self.column(name, &DataType::Boolean)?;
        let values =
            column.as_any().downcast_ref::<BooleanArray>().ok_or_else(|| self.error(name, "not boolean".into()))?;
        Ok(values.iter().map(Option::unwrap_or_default).collect())
    }

    /// A date column, as days since 1970-01-01.
    fn days(&self, name: &str) -> SearchResult<Vec<i32>> {
        let column = self.column(name, &DataType::Date32)?;
        let values =
            column.as_any().downcast_ref::<Date32Array>().ok_or_else(|| self.error(name, "not a date".into()))?;
        Ok(values.iter().map(Option::unwrap_or_default).collect())
    }

    fn lists(&self, name: &str) -> SearchResult<Vec<Vec<String>>> {
        let list_type = DataType::List(std::sync::Arc::new(Field::new("item", DataType::Utf8, true)));
        let column = self.column(name, &list_type)?;
        let lists = column.as_list_opt::<i32>().ok_or_else(|| self.error(name, "not a list".into()))?;
        let mut out = Vec::with_capacity(lists.len());
        for row in 0..lists.len() {
            if lists.is_null(row) {
                out.push(Vec::new());
                continue;
            }
            let items = lists.value(row);
            let strings = items.as_string_opt::<i32>().ok_or_else(|| self.error(name, "not a text list".into()))?;
            out.push(strings.iter().flatten().map(str::to_owned).collect());
        }
        Ok(out)
    }
}
