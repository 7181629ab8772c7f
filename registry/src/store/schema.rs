//! The registry's tables as Arrow: their schemas, and the conversion of checked records
//! into record batches. Column names are the form's canonical names, plus `region`
//! (the two-digit partition), `region_kato` and `district_kato` (nine-digit text), the
//! decree item of a measure, and the drop each row came from.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use deltalake::arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, Int32Array, Int64Array, ListBuilder, RecordBatch,
    StringBuilder, TimestampMicrosecondArray,
};
use deltalake::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

use crate::discipline::DisciplineRef;
use crate::iin::Iin;
use crate::kato::RegionCode;
use crate::records::{Achievement, Child, Measure, Teacher};

/// What a row of a drop carries besides its record: where and when it came from.
#[derive(Clone, Debug)]
pub struct Provenance {
    pub region: RegionCode,
    pub drop_id: String,
    pub exported_at: DateTime<Utc>,
}

fn text(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

fn date(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Date32, nullable)
}

fn text_list(name: &str) -> Field {
    Field::new(name, DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))), true)
}

fn timestamp(name: &str) -> Field {
    Field::new(name, DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false)
}

fn provenance_fields() -> [Field; 2] {
    [text("drop_id", false), timestamp("exported_at")]
}

pub fn children_schema() -> SchemaRef {
    let mut fields = vec![
        text("region", false),
        text("region_kato", false),
        text("district_kato", false),
        text("iin", false),
        text("last_name", false),
        text("first_name", false),
        text("patronymic", true),
        date("birth_date", false),
        text("sex", false),
        text("locality", true),
        text("area_type", false),
        text("school_code", false),
        text("school_name", false),
        Field::new("grade", DataType::Int32, false),
        text("instruction_language", true),
        Field::new("large_family", DataType::Boolean, false),
        Field::new("low_income", DataType::Boolean, false),
        text_list("talent_domains"),
        text_list("disciplines"),
        date("identified_on", false),
        text("identification_method", false),
        text("coordinator", false),
        date("consent_on", true),
        text("interests", true),
        text("roadmap_status", false),
    ];
    fields.extend(provenance_fields());
    Arc::new(Schema::new(fields))
}

pub fn measures_schema() -> SchemaRef {
    let mut fields = vec![
        text("region", false),
        text("iin", false),
        text("measure_id", false),
        text("measure_type", false),
        Field::new("decree_item", DataType::Int32, true),
        text("title", false),
        text("discipline", true),
        text("provider", true),
        text("teacher_id", true),
        date("planned_start", false),
        date("planned_end", false),
        text("status", false),
        date("completed_on", true),
        text("funding_source", true),
        Field::new("amount_kzt", DataType::Decimal128(18, 2), true),
        text("result", true),
    ];
    fields.extend(provenance_fields());
    Arc::new(Schema::new(fields))
}

pub fn achievements_schema() -> SchemaRef {
    let mut fields = vec![
        text("region", false),
        text("iin", false),
        text("event_name", false),
        text("event_kind", false),
        text("discipline", true),
        text("level", false),
        date("event_date", false),
        text("result", false),
        text_list("teacher_ids"),
    ];
    fields.extend(provenance_fields());
    Arc::new(Schema::new(fields))
}

pub fn teachers_schema() -> SchemaRef {
    let mut fields = vec![
        text("region", false),
        text("teacher_id", false),
        text("last_name", false),
        text("first_name", false),
        text("patronymic", true),
        text("school_code", false),
        text("subject", true),
        text("qualification", true),
    ];
    fields.extend(provenance_fields());
    Arc::new(Schema::new(fields))
}

/// Days since 1970-01-01, Arrow's `Date32`.
fn days(date: NaiveDate) -> i32 {
    (date - NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date")).num_days() as i32
}

/// A string column, its buffers sized once: a drop's columns run to tens of megabytes,
/// and growing them by doubling copies each one twice over.
fn strings<'a>(values: impl Iterator<Item = &'a str> + Clone) -> ArrayRef {
    optional_strings(values.map(Some))
}

fn optional_strings<'a>(values: impl Iterator<Item = Option<&'a str>> + Clone) -> ArrayRef {
    let bytes = values.clone().flatten().map(str::len).sum();
    let mut builder = StringBuilder::with_capacity(values.size_hint().0, bytes);
    for value in values {
        builder.append_option(value);
    }
    Arc::new(builder.finish())
}

fn dates(values: impl Iterator<Item = NaiveDate>) -> ArrayRef {
    Arc::new(Date32Array::from_iter_values(values.map(days)))
}

fn optional_dates(values: impl Iterator<Item = Option<NaiveDate>>) -> ArrayRef {
    Arc::new(values.map(|value| value.map(days)).collect::<Date32Array>())
}

/// The text of an IIN, from its digits on the stack: a column of 8 M measures' IINs
/// is written without a `String` per row.
fn iin_text(iin: &Iin, into: impl FnOnce(&str)) {
    let digits = iin.ascii();
    into(std::str::from_utf8(&digits).expect("an IIN's digits are ASCII"));
}

fn iins(values: impl ExactSizeIterator<Item = Option<Iin>>) -> ArrayRef {
    let mut builder = StringBuilder::with_capacity(values.len(), values.len() * 12);
    for value in values {
        match value {
            Some(iin) => iin_text(&iin, |text| builder.append_value(text)),
            None => builder.append_null(),
        }
    }
    Arc::new(builder.finish())
}

fn iin_lists<'a>(values: impl Iterator<Item = &'a [Iin]>) -> ArrayRef {
    let mut builder = ListBuilder::new(StringBuilder::new());
    for items in values {
        for iin in items {
            iin_text(iin, |text| builder.values().append_value(text));
        }
        builder.append(true);
    }
    Arc::new(builder.finish())
}

fn lists<'a, I: Iterator<Item = &'a str>>(values: impl Iterator<Item = I>) -> ArrayRef {
    let mut builder = ListBuilder::new(StringBuilder::new());
    for items in values {
        for item in items {
            builder.values().append_value(item);
        }
        builder.append(true);
    }
    Arc::new(builder.finish())
}

fn provenance_columns(provenance: &Provenance, rows: usize) -> [ArrayRef; 2] {
    [
        strings(std::iter::repeat_n(provenance.drop_id.as_str(), rows)),
        Arc::new(
            TimestampMicrosecondArray::from_iter_values(std::iter::repeat_n(
                provenance.exported_at.timestamp_micros(),
                rows,
            ))
            .with_timezone("UTC"),
        ),
    ]
}

fn batch(schema: SchemaRef, mut columns: Vec<ArrayRef>, provenance: &Provenance, rows: usize) -> RecordBatch {
    columns.extend(provenance_columns(provenance, rows));
    RecordBatch::try_new(schema, columns).expect("the columns are built to the schema")
}

pub fn children_batch(children: &[&Child], provenance: &Provenance) -> RecordBatch {
    let region = provenance.region.to_string();
    let region_kato = provenance.region.kato().to_string();
    let district_katos: Vec<String> = children.iter().map(|child| child.district.to_string()).collect();
    let columns: Vec<ArrayRef> = vec![
        strings(std::iter::repeat_n(region.as_str(), children.len())),
        strings(std::iter::repeat_n(region_kato.as_str(), children.len())),
        strings(district_katos.iter().map(String::as_str)),
        iins(children.iter().map(|c| Some(c.iin))),
        strings(children.iter().map(|c| c.last_name.as_str())),
        strings(children.iter().map(|c| c.first_name.as_str())),
        optional_strings(children.iter().map(|c| c.patronymic.as_deref())),
        dates(children.iter().map(|c| c.birth_date)),
        strings(children.iter().map(|c| c.sex.code())),
        optional_strings(children.iter().map(|c| c.locality.as_deref())),
        strings(children.iter().map(|c| c.area_type.code())),
        strings(children.iter().map(|c| c.school_code.as_str())),
        strings(children.iter().map(|c| c.school_name.as_str())),
        Arc::new(Int32Array::from_iter_values(children.iter().map(|c| i32::from(c.grade)))),
        optional_strings(children.iter().map(|c| c.instruction_language.map(|l| l.code()))),
        Arc::new(children.iter().map(|c| Some(c.large_family)).collect::<BooleanArray>()),
        Arc::new(children.iter().map(|c| Some(c.low_income)).collect::<BooleanArray>()),
        lists(children.iter().map(|c| c.talent_domains.iter().map(|d| d.code()))),
        lists(children.iter().map(|c| c.disciplines.iter().map(DisciplineRef::as_str))),
        dates(children.iter().map(|c| c.identified_on)),
        strings(children.iter().map(|c| c.identification_method.code())),
        strings(children.iter().map(|c| c.coordinator.as_str())),
        optional_dates(children.iter().map(|c| c.consent_on)),
        optional_strings(children.iter().map(|c| c.interests.as_deref())),
        strings(children.iter().map(|c| c.roadmap_status.code())),
    ];
    batch(children_schema(), columns, provenance, children.len())
}

pub fn measures_batch(measures: &[&Measure], provenance: &Provenance) -> RecordBatch {
    let region = provenance.region.to_string();
    let amounts = measures
        .iter()
        .map(|m| m.amount_tiyn.map(i128::from))
        .collect::<Decimal128Array>()
        .with_precision_and_scale(18, 2)
        .expect("18,2 is a valid decimal");
    let columns: Vec<ArrayRef> = vec![
        strings(std::iter::repeat_n(region.as_str(), measures.len())),
        iins(measures.iter().map(|m| Some(m.iin))),
        strings(measures.iter().map(|m| m.measure_id.as_str())),
        strings(measures.iter().map(|m| m.measure_type.code())),
        Arc::new(measures.iter().map(|m| m.measure_type.decree_item().map(i32::from)).collect::<Int32Array>()),
        strings(measures.iter().map(|m| m.title.as_str())),
        optional_strings(measures.iter().map(|m| m.discipline.as_ref().map(DisciplineRef::as_str))),
        optional_strings(measures.iter().map(|m| m.provider.as_deref())),
        iins(measures.iter().map(|m| m.teacher_id)),
        dates(measures.iter().map(|m| m.planned_start)),
        dates(measures.iter().map(|m| m.planned_end)),
        strings(measures.iter().map(|m| m.status.code())),
        optional_dates(measures.iter().map(|m| m.completed_on)),
        optional_strings(measures.iter().map(|m| m.funding_source.map(|f| f.code()))),
        Arc::new(amounts),
        optional_strings(measures.iter().map(|m| m.result.as_deref())),
    ];
    batch(measures_schema(), columns, provenance, measures.len())
}

pub fn achievements_batch(achievements: &[&Achievement], provenance: &Provenance) -> RecordBatch {
    let region = provenance.region.to_string();
    let columns: Vec<ArrayRef> = vec![
        strings(std::iter::repeat_n(region.as_str(), achievements.len())),
        iins(achievements.iter().map(|a| Some(a.iin))),
        strings(achievements.iter().map(|a| a.event_name.as_str())),
        strings(achievements.iter().map(|a| a.event_kind.code())),
        optional_strings(achievements.iter().map(|a| a.discipline.as_ref().map(DisciplineRef::as_str))),
        strings(achievements.iter().map(|a| a.level.code())),
        dates(achievements.iter().map(|a| a.event_date)),
        strings(achievements.iter().map(|a| a.result.code())),
        iin_lists(achievements.iter().map(|a| a.teacher_ids.as_slice())),
    ];
    batch(achievements_schema(), columns, provenance, achievements.len())
}

pub fn teachers_batch(teachers: &[&Teacher], provenance: &Provenance) -> RecordBatch {
    let region = provenance.region.to_string();
    let columns: Vec<ArrayRef> = vec![
        strings(std::iter::repeat_n(region.as_str(), teachers.len())),
        iins(teachers.iter().map(|t| Some(t.teacher_id))),
        strings(teachers.iter().map(|t| t.last_name.as_str())),
        strings(teachers.iter().map(|t| t.first_name.as_str())),
        optional_strings(teachers.iter().map(|t| t.patronymic.as_deref())),
        strings(teachers.iter().map(|t| t.school_code.as_str())),
        optional_strings(teachers.iter().map(|t| t.subject.as_ref().map(DisciplineRef::as_str))),
        optional_strings(teachers.iter().map(|t| t.qualification.as_deref())),
    ];
    batch(teachers_schema(), columns, provenance, teachers.len())
}

/// One row of the `drops` table: what happened to one region's drop in one run.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct DropRecord {
    pub region: String,
    pub drop_id: String,
    pub folder: String,
    pub exported_at: DateTime<Utc>,
    /// `published`, `unchanged` or `refused`.
    pub status: String,
    pub refusal_code: Option<String>,
    pub refusal_reason: Option<String>,
    pub children_accepted: u64,
    pub children_rejected: u64,
    pub measures_accepted: u64,
    pub measures_rejected: u64,
    pub achievements_accepted: u64,
    pub achievements_rejected: u64,
    pub teachers_accepted: u64,
    pub teachers_rejected: u64,
    /// SHA-256 over the drop's data files, to tell an identical re-send.
    pub content_sha256: String,
}

pub fn drops_schema() -> SchemaRef {
    let count = |name: &str| Field::new(name, DataType::Int64, false);
    Arc::new(Schema::new(vec![
        text("region", false),
        text("drop_id", false),
        text("folder", false),
        timestamp("exported_at"),
        text("status", false),
        text("refusal_code", true),
        text("refusal_reason", true),
        count("children_accepted"),
        count("children_rejected"),
        count("measures_accepted"),
        count("measures_rejected"),
        count("achievements_accepted"),
        count("achievements_rejected"),
        count("teachers_accepted"),
        count("teachers_rejected"),
        text("content_sha256", false),
        Field::new("registry_version", DataType::Int64, false),
        timestamp("run_at"),
    ]))
}

pub fn drops_batch(drops: &[DropRecord], registry_version: u64, run_at: DateTime<Utc>) -> RecordBatch {
    let count = |pick: fn(&DropRecord) -> u64| -> ArrayRef {
        Arc::new(Int64Array::from_iter_values(drops.iter().map(|d| pick(d) as i64)))
    };
    let stamps = |values: Vec<i64>| -> ArrayRef {
        Arc::new(TimestampMicrosecondArray::from_iter_values(values).with_timezone("UTC"))
    };
    let columns: Vec<ArrayRef> = vec![
        strings(drops.iter().map(|d| d.region.as_str())),
        strings(drops.iter().map(|d| d.drop_id.as_str())),
        strings(drops.iter().map(|d| d.folder.as_str())),
        stamps(drops.iter().map(|d| d.exported_at.timestamp_micros()).collect()),
        strings(drops.iter().map(|d| d.status.as_str())),
        optional_strings(drops.iter().map(|d| d.refusal_code.as_deref())),
        optional_strings(drops.iter().map(|d| d.refusal_reason.as_deref())),
        count(|d| d.children_accepted),
        count(|d| d.children_rejected),
        count(|d| d.measures_accepted),
        count(|d| d.measures_rejected),
        count(|d| d.achievements_accepted),
        count(|d| d.achievements_rejected),
        count(|d| d.teachers_accepted),
        count(|d| d.teachers_rejected),
        strings(drops.iter().map(|d| d.content_sha256.as_str())),
        Arc::new(Int64Array::from_iter_values(std::iter::repeat_n(registry_version as i64, drops.len()))),
        stamps(std::iter::repeat_n(run_at.timestamp_micros(), drops.len()).collect()),
    ];
    RecordBatch::try_new(drops_schema(), columns).expect("the columns are built to the schema")
}

/// One rejected record, where the coordinator finds it and why.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct RejectionRecord {
    pub region: String,
    pub drop_id: String,
    pub table: String,
    pub file: String,
    pub sheet: Option<String>,
    pub row: u64,
    pub line: Option<u64>,
    pub column: String,
    /// The header the coordinator's file gives `column`, when not its English name
    /// (`Ауыл/қала` for `area_type`); in the coordinator's file, not in the table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// The value as written, IINs masked.
    pub value: String,
    pub code: String,
    pub message_en: String,
    pub message_kk: String,
    pub message_ru: String,
}

pub fn rejections_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        text("region", false),
        text("drop_id", false),
        text("table_name", false),
        text("file", false),
        text("sheet", true),
        Field::new("row", DataType::Int64, false),
        Field::new("line", DataType::Int64, true),
        text("column_name", false),
        text("value", false),
        text("code", false),
        text("message_en", false),
        text("message_kk", false),
        text("message_ru", false),
    ]))
}

pub fn rejections_batch(rejections: &[RejectionRecord]) -> RecordBatch {
    let columns: Vec<ArrayRef> = vec![
        strings(rejections.iter().map(|r| r.region.as_str())),
        strings(rejections.iter().map(|r| r.drop_id.as_str())),
        strings(rejections.iter().map(|r| r.table.as_str())),
        strings(rejections.iter().map(|r| r.file.as_str())),
        optional_strings(rejections.iter().map(|r| r.sheet.as_deref())),
        Arc::new(Int64Array::from_iter_values(rejections.iter().map(|r| r.row as i64))),
        Arc::new(rejections.iter().map(|r| r.line.map(|line| line as i64)).collect::<Int64Array>()),
        strings(rejections.iter().map(|r| r.column.as_str())),
        strings(rejections.iter().map(|r| r.value.as_str())),
        strings(rejections.iter().map(|r| r.code.as_str())),
        strings(rejections.iter().map(|r| r.message_en.as_str())),
        strings(rejections.iter().map(|r| r.message_kk.as_str())),
        strings(rejections.iter().map(|r| r.message_ru.as_str())),
    ];
    RecordBatch::try_new(rejections_schema(), columns).expect("the columns are built to the schema")
}

/// An IIN held by two regions' current drops: the region whose drop is newer keeps the
/// child; the other region's record stays stored but is not the registry's.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct ConflictRecord {
    /// The region whose record gives way.
    pub region: String,
    pub iin: String,
    pub drop_id: String,
    pub exported_at: DateTime<Utc>,
    /// The region that keeps the child.
    pub winner_region: String,
    pub winner_drop_id: String,
    pub winner_exported_at: DateTime<Utc>,
}

pub fn conflicts_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        text("region", false),
        text("iin", false),
        text("drop_id", false),
        timestamp("exported_at"),
        text("winner_region", false),
        text("winner_drop_id", false),
        timestamp("winner_exported_at"),
    ]))
}

pub fn conflicts_batch(conflicts: &[ConflictRecord]) -> RecordBatch {
    let stamps = |values: Vec<i64>| -> ArrayRef {
        Arc::new(TimestampMicrosecondArray::from_iter_values(values).with_timezone("UTC"))
    };
    let columns: Vec<ArrayRef> = vec![
        strings(conflicts.iter().map(|c| c.region.as_str())),
        strings(conflicts.iter().map(|c| c.iin.as_str())),
        strings(conflicts.iter().map(|c| c.drop_id.as_str())),
        stamps(conflicts.iter().map(|c| c.exported_at.timestamp_micros()).collect()),
        strings(conflicts.iter().map(|c| c.winner_region.as_str())),
        strings(conflicts.iter().map(|c| c.winner_drop_id.as_str())),
        stamps(conflicts.iter().map(|c| c.winner_exported_at.timestamp_micros()).collect()),
    ];
    RecordBatch::try_new(conflicts_schema(), columns).expect("the columns are built to the schema")
}

#[cfg(test)]
mod tests {
    use deltalake::arrow::array::{Array, AsArray};

    use super::*;
    use crate::enums::{AchievementResult, EventKind, Level, MeasureStatus, MeasureType};

    fn provenance() -> Provenance {
        Provenance {
            region: RegionCode::parse("35").expect("35 is a region"),
            drop_id: "35-test".to_owned(),
            exported_at: DateTime::<Utc>::from_timestamp(1_764_000_000, 0).expect("a time"),
        }
    }

    fn texts(batch: &RecordBatch, column: &str) -> Vec<Option<String>> {
        let column = batch.column_by_name(column).expect("the column exists");
        column.as_string::<i32>().iter().map(|value| value.map(str::to_owned)).collect()
    }

    /// IINs are written from their digits: the text is the twelve digits as given, and
    /// a missing teacher is a null, not an empty text.
    #[test]
    fn iins_are_written_as_their_twelve_digits() {
        let child = Iin::parse("100105600010").expect("a valid IIN");
        let teacher = Iin::parse("090807500016").expect("a valid IIN");
        let date = NaiveDate::from_ymd_opt(2026, 3, 1).expect("a date");
        let measure = |teacher_id| Measure {
            iin: child,
            measure_id: format!("m-{teacher_id:?}"),
            measure_type: MeasureType::ClubOrSection,
            title: "Шахмат үйірмесі".to_owned(),
            discipline: None,
            provider: None,
            teacher_id,
            planned_start: date,
            planned_end: date,
            status: MeasureStatus::Planned,
            completed_on: None,
            funding_source: None,
            amount_tiyn: None,
            result: None,
        };
        let (with, without) = (measure(Some(teacher)), measure(None));
        let batch = measures_batch(&[&with, &without], &provenance());
        assert_eq!(texts(&batch, "iin"), [Some("100105600010".to_owned()), Some("100105600010".to_owned())]);
        assert_eq!(texts(&batch, "teacher_id"), [Some("090807500016".to_owned()), None]);

        let achievement = |teacher_ids| Achievement {
            iin: child,
            event_name: "Олимпиада".to_owned(),
            event_kind: EventKind::Olympiad,
            discipline: None,
            level: Level::Regional,
            event_date: date,
            result: AchievementResult::Winner,
            teacher_ids,
        };
        let (two, none) = (achievement(vec![teacher, child]), achievement(Vec::new()));
        let batch = achievements_batch(&[&two, &none], &provenance());
        assert_eq!(texts(&batch, "iin"), [Some("100105600010".to_owned()), Some("100105600010".to_owned())]);
        let lists = batch.column_by_name("teacher_ids").expect("the column exists").as_list::<i32>();
        let items = |row: usize| -> Vec<String> {
            lists.value(row).as_string::<i32>().iter().map(|value| value.unwrap_or_default().to_owned()).collect()
        };
        assert_eq!(items(0), ["090807500016", "100105600010"]);
        assert!(items(1).is_empty());
        assert_eq!(lists.len(), 2);
    }
}
