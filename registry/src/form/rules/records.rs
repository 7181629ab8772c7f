//! The rules of the measures, achievements and teachers tables, row by row, and the
//! content id a measure is given when its export has none.

use super::*;

/// Checks one measures row on its own (references are checked by [`check_drop`]).
pub fn check_measure(cells: &mut [Cell], context: &DropContext<'_>) -> Checked<(Measure, Vec<RowWarning>)> {
    let row = Row { table: &MEASURES, cells };
    let mut warnings = Vec::new();
    let iin = row.iin("iin")?;
    let given_id = row.optional_text("measure_id");
    let measure_type = row.word("measure_type", MeasureType::parse)?;
    row.required("title")?;
    let discipline = row.optional_discipline("discipline", &mut warnings);
    let teacher_id = if row.cell("teacher_id").is_empty() { None } else { Some(row.iin("teacher_id")?) };
    let planned_start = row.date("planned_start")?;
    let planned_end = row.date("planned_end")?;
    let status = row.word("status", MeasureStatus::parse)?;
    let completed_on = row.optional_date("completed_on")?;
    let funding_source = row.optional_word("funding_source", FundingSource::parse)?;
    let amount_tiyn = match row.cell("amount_kzt") {
        cell if cell.is_empty() => None,
        cell => Some(
            cell::parse_amount_tiyn(cell)
                .filter(|amount| *amount >= 0)
                .ok_or_else(|| row.issue("amount_kzt", RejectCode::AmountInvalid, "not an amount of 0 or more"))?,
        ),
    };

    if planned_end < planned_start {
        return Err(row.issue("planned_end", RejectCode::EndBeforeStart, "planned_end is before planned_start"));
    }
    if status == MeasureStatus::Done && completed_on.is_none() {
        return Err(row.issue("completed_on", RejectCode::CompletedOnRequired, "status is done"));
    }
    // A measure done after the export is a slip, and the reports would count it in a year
    // to come. (Of a measure not done, the date is not read.)
    if status == MeasureStatus::Done
        && let Some(completed_on) = completed_on
        && completed_on > context.export_date
    {
        let detail = after_export(context, "completed after the export date");
        return Err(row.issue("completed_on", RejectCode::DateInFuture, detail));
    }
    if measure_type.requires_amount() && amount_tiyn.is_none() {
        return Err(row.issue("amount_kzt", RejectCode::AmountRequired, format!("`{measure_type}` needs an amount")));
    }
    let mut texts = Texts { table: &MEASURES, cells };
    let title = texts.required("title");
    let measure_id =
        given_id.unwrap_or_else(|| measure_content_hash(&iin, measure_type, &title, planned_start, planned_end).id());
    let measure = Measure {
        iin,
        measure_id,
        measure_type,
        title,
        discipline,
        provider: texts.optional("provider"),
        teacher_id,
        planned_start,
        planned_end,
        status,
        completed_on,
        funding_source,
        amount_tiyn,
        result: texts.optional("result"),
    };
    Ok((measure, warnings))
}

/// The hash of a measure's IIN, type, title and planned dates: its id when the row gives
/// none.
fn measure_content_hash(
    iin: &Iin,
    measure_type: MeasureType,
    title: &str,
    planned_start: NaiveDate,
    planned_end: NaiveDate,
) -> ContentHash {
    let mut hash = ContentHash::new();
    hash.field(&iin.ascii());
    hash.field(measure_type.code().as_bytes());
    hash.field(title.as_bytes());
    hash.date(planned_start);
    hash.date(planned_end);
    hash
}

/// The id of a measure without one whose content id an earlier row of the drop holds
/// (two courses titled alike, in two disciplines): the content id with the discipline
/// and the provider added. The first such measure keeps the id earlier versions gave it.
pub(super) fn second_measure_id(measure: &Measure) -> String {
    let mut hash = measure_content_hash(
        &measure.iin,
        measure.measure_type,
        &measure.title,
        measure.planned_start,
        measure.planned_end,
    );
    hash.field(measure.discipline.as_ref().map(DisciplineRef::as_str).unwrap_or("").as_bytes());
    hash.field(measure.provider.as_deref().unwrap_or("").as_bytes());
    hash.id()
}

/// A stable id made from a measure's content, for rows whose `measure_id` is empty:
/// `m-` and 16 hex digits of a 64-bit FNV-1a hash of the fields, separated by a unit separator.
pub fn content_id(fields: &[&str]) -> String {
    let mut hash = ContentHash::new();
    for field in fields {
        hash.field(field.as_bytes());
    }
    hash.id()
}

/// The hash of [`content_id`], fed field by field, so that a measure's fields need not
/// be made into strings first (its id is computed for every row without one).
struct ContentHash {
    hash: u64,
    fields: usize,
}

impl ContentHash {
    fn new() -> ContentHash {
        ContentHash { hash: 0xcbf2_9ce4_8422_2325, fields: 0 }
    }

    /// Starts a field: after the first, a unit separator.
    fn next_field(&mut self) {
        if self.fields > 0 {
            self.byte(0x1f);
        }
        self.fields += 1;
    }

    fn field(&mut self, bytes: &[u8]) {
        self.next_field();
        for &byte in bytes {
            self.byte(byte);
        }
    }

    /// A date as `NaiveDate`'s `Display` writes it (`2026-03-19`).
    fn date(&mut self, date: NaiveDate) {
        self.next_field();
        // Cannot fail: writing to the hash does not.
        let _ = write!(self, "{date}");
    }

    fn byte(&mut self, byte: u8) {
        self.hash = (self.hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }

    fn id(&self) -> String {
        format!("m-{:016x}", self.hash)
    }
}

impl std::fmt::Write for ContentHash {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        for byte in text.bytes() {
            self.byte(byte);
        }
        Ok(())
    }
}

/// Checks one achievements row on its own.
pub fn check_achievement(cells: &mut [Cell], context: &DropContext<'_>) -> Checked<(Achievement, Vec<RowWarning>)> {
    let row = Row { table: &ACHIEVEMENTS, cells };
    let mut warnings = Vec::new();
    let iin = row.iin("iin")?;
    row.required("event_name")?;
    let event_kind = row.word("event_kind", EventKind::parse)?;
    let discipline = row.optional_discipline("discipline", &mut warnings);
    let level = row.word("level", Level::parse)?;
    let event_date = row.date("event_date")?;
    let result = row.word("result", AchievementResult::parse)?;
    let mut teacher_ids = Vec::new();
    // One IIN in a number cell is read as a number (its leading zero restored), as the
    // `iin` column is; a list is text.
    let items = match row.cell("teacher_ids") {
        number @ Cell::Number(_) => vec![number.clone()],
        other => cell::word_items(other).into_iter().map(Cell::Text).collect(),
    };
    for item in &items {
        let teacher = row.iin_of("teacher_ids", item)?;
        if !teacher_ids.contains(&teacher) {
            teacher_ids.push(teacher);
        }
    }
    if event_date > context.export_date {
        let detail = after_export(context, "the event is after the export date");
        return Err(row.issue("event_date", RejectCode::DateInFuture, detail));
    }
    let event_name = Texts { table: &ACHIEVEMENTS, cells }.required("event_name");
    let achievement = Achievement { iin, event_name, event_kind, discipline, level, event_date, result, teacher_ids };
    Ok((achievement, warnings))
}

/// Checks one teachers row.
pub fn check_teacher(cells: &mut [Cell], context: &DropContext<'_>) -> Checked<(Teacher, Vec<RowWarning>)> {
    let _ = context;
    let row = Row { table: &TEACHERS, cells };
    let mut warnings = Vec::new();
    let teacher_id = row.iin("teacher_id")?;
    row.required("last_name")?;
    row.required("first_name")?;
    row.required("school_code")?;
    let subject = row.optional_discipline("subject", &mut warnings);
    let mut texts = Texts { table: &TEACHERS, cells };
    let teacher = Teacher {
        teacher_id,
        last_name: title_cased(texts.required("last_name")),
        first_name: title_cased(texts.required("first_name")),
        patronymic: texts.optional("patronymic").map(title_cased),
        school_code: texts.required("school_code"),
        subject,
        qualification: texts.optional("qualification"),
    };
    Ok((teacher, warnings))
}
