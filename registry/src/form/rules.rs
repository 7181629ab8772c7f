//! The rules of ROADMAP-FORM.md sections 2 and 4, row by row and across the tables of
//! one drop. A row either becomes a typed record or yields one [`RowIssue`]: the first
//! broken rule in column order, then the rules that join columns. Readers keep the
//! location of each row; these checks only name the column.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::BuildHasher;

use chrono::{Datelike, NaiveDate};
use hashbrown::hash_table::{Entry, HashTable};
use rustc_hash::{FxBuildHasher, FxHashSet};

use super::{ACHIEVEMENTS, CHILDREN, MEASURES, TEACHERS, TableDef, TableKind};
use crate::cell::{self, Cell};
use crate::discipline::DisciplineRef;
use crate::enums::*;
use crate::error::{RejectCode, WarningCode};
use crate::iin::{Iin, IinError, mask_iin_column, mask_iin_runs};
use crate::kato::{KatoClassifier, KatoCode, Region, RegionCode};
use crate::lang::Lang;
use crate::records::{Achievement, Child, Measure, Teacher};

/// What the rules need to know about the drop a row came from.
#[derive(Clone, Copy, Debug)]
pub struct DropContext<'a> {
    pub region: RegionCode,
    /// The date of `exported_at`: "in the future" and ages are judged against it.
    pub export_date: NaiveDate,
    /// Districts to validate against; without it a district must be given as a code.
    pub classifier: Option<&'a KatoClassifier>,
}

impl DropContext<'_> {
    /// The export date as messages give it, as the regions write dates: `24.11.2026`.
    pub fn export_day(&self) -> impl std::fmt::Display + use<> {
        self.export_date.format("%d.%m.%Y")
    }
}

/// Why one row is rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowIssue {
    pub column: &'static str,
    pub code: RejectCode,
    /// The value as written, with any IIN masked.
    pub value: String,
    pub detail: Detail,
}

/// What exactly is wrong with one row, after the code's general description, in each
/// language of the coordinator's file. Kazakh and Russian are empty where the detail
/// only says again what the description says in those languages; English always says it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Detail {
    pub en: String,
    pub kk: String,
    pub ru: String,
}

impl Detail {
    fn said(en: impl Into<String>, kk: impl Into<String>, ru: impl Into<String>) -> Detail {
        Detail { en: en.into(), kk: kk.into(), ru: ru.into() }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Kk => &self.kk,
            Lang::Ru => &self.ru,
        }
    }
}

/// A detail the code's description already gives in Kazakh and Russian.
impl From<String> for Detail {
    fn from(en: String) -> Detail {
        Detail { en, ..Detail::default() }
    }
}

impl From<&str> for Detail {
    fn from(en: &str) -> Detail {
        Detail::from(en.to_owned())
    }
}

/// Something accepted but worth telling the coordinator, e.g. an unknown discipline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowWarning {
    pub code: WarningCode,
    pub column: &'static str,
    pub value: String,
    pub detail: Detail,
}

type Checked<T> = Result<T, RowIssue>;

/// A rejected value as the rejection shows it. In a column of IINs anything with eight
/// digits or more is masked (its first six and last digit shown), a mistyped IIN
/// included; elsewhere only what may be an IIN typed into the wrong column, so that a
/// wrong date, code or amount stays readable.
fn shown_value(table: &TableDef, column: &str, value: &str) -> String {
    let value = &value.trim_end_matches(cell::LIST_ITEM_SEPARATOR).replace(cell::LIST_ITEM_SEPARATOR, "; ");
    let holds_iins = table.columns.iter().any(|def| def.name == column && def.holds_iins());
    cut_shown(if holds_iins { mask_iin_column(value) } else { mask_iin_runs(value) })
}

/// The most characters of a value a rejection or warning shows: a cell of a hundred
/// megabytes told back whole would be that size again in the coordinator's file, the
/// report and the `rejections` table (and Excel shows 32,767 of it).
pub const MAX_SHOWN_CHARS: usize = 1_000;

/// A value cut to [`MAX_SHOWN_CHARS`], with `…` where it was cut. Cut after masking, so
/// that no IIN is cut to fewer digits than the mask looks for.
pub fn cut_shown(value: String) -> String {
    // A NUL or another control character would travel into the coordinator's CSV.
    let value = if value.bytes().any(|byte| byte < b' ' && byte != b'\t' && byte != b'\n') {
        value.chars().map(|ch| if ch < ' ' && ch != '\t' && ch != '\n' { ' ' } else { ch }).collect()
    } else {
        value
    };
    match value.char_indices().nth(MAX_SHOWN_CHARS) {
        Some((at, _)) => {
            let mut cut = value;
            cut.truncate(at);
            cut.push('…');
            cut
        }
        None => value,
    }
}

/// Typed access to one row's cells, failing with the right code and column.
struct Row<'a> {
    table: &'static TableDef,
    cells: &'a [Cell],
}

impl<'a> Row<'a> {
    fn cell(&self, column: &'static str) -> &'a Cell {
        static EMPTY: Cell = Cell::Empty;
        self.cells.get(self.table.index(column)).unwrap_or(&EMPTY)
    }

    fn issue(&self, column: &'static str, code: RejectCode, detail: impl Into<Detail>) -> RowIssue {
        RowIssue {
            column,
            code,
            value: shown_value(self.table, column, &self.cell(column).shown()),
            detail: detail.into(),
        }
    }

    fn required(&self, column: &'static str) -> Checked<&'a Cell> {
        let cell = self.cell(column);
        if cell.is_empty() {
            return Err(self.issue(column, RejectCode::RequiredMissing, format!("`{column}` is empty")));
        }
        Ok(cell)
    }

    fn optional_text(&self, column: &'static str) -> Option<String> {
        self.cell(column).as_clean_text()
    }

    fn iin_of(&self, column: &'static str, cell: &Cell) -> Checked<Iin> {
        cell_iin(cell).map_err(|error| match error {
            IinError::Format => self.issue(column, RejectCode::IinFormat, "not twelve digits"),
            IinError::BirthDate => self.issue(column, RejectCode::IinBirthDate, "no such birth date or century digit"),
            IinError::CheckDigit => self.issue(column, RejectCode::IinCheckDigit, "the check digit does not match"),
        })
    }

    fn iin(&self, column: &'static str) -> Checked<Iin> {
        let cell = self.required(column)?;
        self.iin_of(column, cell)
    }

    fn date(&self, column: &'static str) -> Checked<NaiveDate> {
        let cell = self.required(column)?;
        cell::parse_date(cell).ok_or_else(|| {
            let detail = if cell::is_bare_year(cell) {
                Detail::said(
                    format!("`{column}` holds a year alone; write the whole date"),
                    "тек жыл жазылған; толық күнін жазыңыз",
                    "указан только год; напишите полную дату",
                )
            } else if cell::is_ambiguous_date(cell) {
                Detail::said(
                    format!("`{column}` reads as day/month and as month/day; write it as 01.09.2025"),
                    "күн/ай ретінде де, ай/күн ретінде де оқылады; 01.09.2025 түрінде жазыңыз",
                    "читается и как день/месяц, и как месяц/день; напишите как 01.09.2025",
                )
            } else {
                Detail::said(
                    format!("`{column}` is not a date between 1900 and 2199"),
                    "1900–2199 жылдар аралығындағы күн емес",
                    "это не дата между 1900 и 2199 годами",
                )
            };
            self.issue(column, RejectCode::DateInvalid, detail)
        })
    }

    fn optional_date(&self, column: &'static str) -> Checked<Option<NaiveDate>> {
        if self.cell(column).is_empty() { Ok(None) } else { self.date(column).map(Some) }
    }

    fn word<T>(&self, column: &'static str, parse: fn(&str) -> Option<T>) -> Checked<T> {
        let cell = self.required(column)?;
        parse(&cell.shown())
            .ok_or_else(|| self.issue(column, RejectCode::EnumInvalid, format!("not a word for `{column}`")))
    }

    fn optional_word<T>(&self, column: &'static str, parse: fn(&str) -> Option<T>) -> Checked<Option<T>> {
        if self.cell(column).is_empty() { Ok(None) } else { self.word(column, parse).map(Some) }
    }

    fn boolean(&self, column: &'static str) -> Checked<bool> {
        let cell = self.required(column)?;
        cell::parse_bool(cell).ok_or_else(|| self.issue(column, RejectCode::BoolInvalid, "use yes/no, иә/жоқ, да/нет"))
    }

    fn optional_discipline(&self, column: &'static str, warnings: &mut Vec<RowWarning>) -> Option<DisciplineRef> {
        // Borrowed: most cells name a known discipline, which keeps none of the text.
        let resolved = DisciplineRef::resolve(&self.cell(column).clean_text()?);
        warn_unknown(column, &resolved, warnings);
        Some(resolved)
    }
}

/// The text cells of a row every rule has passed, moved into its record
/// ([`Cell::take_clean_text`]): most cells give their text away rather than a copy. Used
/// only after the last rule that reads the row, since a taken cell reads as empty; a
/// column that [`check_drop`] reads again (`measure_id`) is copied instead.
struct Texts<'a> {
    table: &'static TableDef,
    cells: &'a mut [Cell],
}

impl Texts<'_> {
    fn optional(&mut self, column: &'static str) -> Option<String> {
        self.cells.get_mut(self.table.index(column)).and_then(Cell::take_clean_text)
    }

    /// A column [`Row::required`] found filled.
    fn required(&mut self, column: &'static str) -> String {
        self.optional(column).unwrap_or_default()
    }
}

fn warn_unknown(column: &'static str, discipline: &DisciplineRef, warnings: &mut Vec<RowWarning>) {
    if let DisciplineRef::Unknown(text) = discipline {
        warnings.push(RowWarning {
            code: WarningCode::DisciplineUnknown,
            column,
            value: text.clone(),
            detail: Detail::from(format!("`{text}` is not in the taxonomy")),
        });
    }
}

/// Turns an ALL-CAPS name into title case, keeping hyphenated parts: ИВАНОВА-ӘЛИЕВА →
/// Иванова-Әлиева. Names in mixed case are left as typed.
pub fn title_case_if_all_caps(name: &str) -> String {
    title_cased(name.to_owned())
}

/// [`title_case_if_all_caps`] on a name already owned, which is given back when typed in
/// mixed case, as most names are.
fn title_cased(name: String) -> String {
    // A mixed-case name tells by its second letter, without a look at the Unicode
    // tables for the rest of it.
    if name.chars().any(char::is_lowercase) || name.chars().filter(|ch| ch.is_alphabetic()).take(2).count() < 2 {
        return name;
    }
    let mut result = String::with_capacity(name.len());
    let mut start_of_word = true;
    for ch in name.chars() {
        if start_of_word {
            result.extend(ch.to_uppercase());
        } else {
            result.extend(ch.to_lowercase());
        }
        start_of_word = !ch.is_alphabetic();
    }
    result
}

/// Whole years between two dates.
pub fn age_on(birth_date: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - birth_date.year();
    if (day.month(), day.day()) < (birth_date.month(), birth_date.day()) {
        age -= 1;
    }
    age
}

/// Checks one children row.
pub fn check_child(cells: &mut [Cell], context: &DropContext<'_>) -> Checked<(Child, Vec<RowWarning>)> {
    let row = Row { table: &CHILDREN, cells };
    let mut warnings = Vec::new();
    let iin = row.iin("iin")?;
    row.required("last_name")?;
    row.required("first_name")?;
    let birth_date = row.date("birth_date")?;
    let sex = row.optional_word("sex", Sex::parse)?;
    check_region(&row, context)?;
    let district = check_district(&row, context)?;
    let area_type = row.word("area_type", AreaType::parse)?;
    row.required("school_code")?;
    row.required("school_name")?;
    let grade = check_grade(&row)?;
    let instruction_language = row.optional_word("instruction_language", InstructionLanguage::parse)?;
    let large_family = row.boolean("large_family")?;
    let low_income = row.boolean("low_income")?;
    let talent_domains = check_domains(&row)?;
    let disciplines = check_disciplines(&row, &mut warnings)?;
    let identified_on = row.date("identified_on")?;
    let identification_method = row.word("identification_method", IdentificationMethod::parse)?;
    row.required("coordinator")?;
    let consent_on = row.optional_date("consent_on")?;
    let roadmap_status = row.optional_word("roadmap_status", RoadmapStatus::parse)?.unwrap_or(RoadmapStatus::Active);

    if iin.birth_date() != birth_date {
        // The IIN's date, century included: its six digits are shown anyway, and a wrong
        // century digit (1907 for 2007) is otherwise invisible behind the mask.
        let encoded = iin.birth_date().format("%d.%m.%Y");
        let detail = Detail::said(
            format!("the birth date is not the one in the IIN, {encoded}"),
            format!("ЖСН бойынша туған күні: {encoded}"),
            format!("по ИИН дата рождения: {encoded}"),
        );
        return Err(row.issue("birth_date", RejectCode::IinMismatch, detail));
    }
    let sex = match sex {
        Some(given) if given != iin.sex() => {
            let detail = Detail::said(
                "the sex is not the one in the IIN",
                "жынысы ЖСН-ге сәйкес келмейді",
                "пол не совпадает с ИИН",
            );
            return Err(row.issue("sex", RejectCode::IinMismatch, detail));
        }
        Some(given) => given,
        None => iin.sex(),
    };
    let age = age_on(birth_date, context.export_date);
    if !(5..=19).contains(&age) {
        let day = context.export_day();
        // Born after the export, the child has no age yet: said so, not "-1".
        let detail = if birth_date > context.export_date {
            Detail::said(
                format!("born after the export date, {day}"),
                format!("туған күні экспорт күнінен ({day}) кейін"),
                format!("дата рождения позже даты выгрузки ({day})"),
            )
        } else {
            Detail::said(
                format!("the child is {age} on the export date, {day}"),
                format!("экспорт күні ({day}) бала {age} жаста"),
                format!("на дату выгрузки ({day}) ребёнку {age} {}", years_ru(age)),
            )
        };
        return Err(row.issue("birth_date", RejectCode::AgeOutOfRange, detail));
    }
    if identified_on > context.export_date {
        let detail = after_export(context, "identified after the export date");
        return Err(row.issue("identified_on", RejectCode::DateInFuture, detail));
    }
    if age_on(birth_date, identified_on) < 4 {
        return Err(row.issue("identified_on", RejectCode::IdentifiedTooEarly, "identified before the age of 4"));
    }
    if area_type == AreaType::Urban && !large_family && !low_income {
        return Err(row.issue("area_type", RejectCode::OutOfScope, "urban, not a large family, not low-income"));
    }
    let mut texts = Texts { table: &CHILDREN, cells };
    let child = Child {
        iin,
        last_name: title_cased(texts.required("last_name")),
        first_name: title_cased(texts.required("first_name")),
        patronymic: texts.optional("patronymic").map(title_cased),
        birth_date,
        sex,
        district,
        locality: texts.optional("locality"),
        area_type,
        school_code: texts.required("school_code"),
        school_name: texts.required("school_name"),
        grade,
        instruction_language,
        large_family,
        low_income,
        talent_domains,
        disciplines,
        identified_on,
        identification_method,
        coordinator: texts.required("coordinator"),
        consent_on,
        interests: texts.optional("interests"),
        roadmap_status,
    };
    Ok((child, warnings))
}

fn check_region(row: &Row<'_>, context: &DropContext<'_>) -> Checked<()> {
    let cell = row.cell("region");
    if cell.is_empty() {
        return Ok(());
    }
    // A KATO code, in a numeric cell or as text, names the region of its first two
    // digits (a district's code included); anything else is a region's name.
    let given = match cell {
        Cell::Number(number) => KatoCode::from_number(*number).map(|code| vec![code.region()]).unwrap_or_default(),
        other => {
            let text = other.shown();
            match KatoCode::parse(&text) {
                Some(code) => vec![code.region()],
                None => Region::lookup(&text).iter().map(|region| region.code).collect(),
            }
        }
    };
    if given.contains(&context.region) {
        Ok(())
    } else {
        let detail = in_drop_region(context, format!("the drop is for region `{}`", context.region));
        Err(row.issue("region", RejectCode::RegionMismatch, detail))
    }
}

/// "The date is after the export date": that date, in each language.
fn after_export(context: &DropContext<'_>, en: &str) -> Detail {
    let day = context.export_day();
    Detail::said(format!("{en}, {day}"), format!("экспорт күні — {day}"), format!("дата выгрузки — {day}"))
}

/// The drop's region as messages name it: "Қарағанды облысы", "г. Алматы".
fn region_name(context: &DropContext<'_>, lang: Lang) -> String {
    context.region.region().full_name(lang)
}

/// "Not the drop's region": which region that is, in each language.
fn in_drop_region(context: &DropContext<'_>, en: String) -> Detail {
    Detail::said(
        en,
        format!("экспорт өңірі — {}", region_name(context, Lang::Kk)),
        format!("регион выгрузки — {}", region_name(context, Lang::Ru)),
    )
}

/// The Russian word for years after a number: 1 год, 2 года, 5 лет, 11 лет, 21 год.
fn years_ru(count: i32) -> &'static str {
    let count = count.unsigned_abs();
    match (count % 10, count % 100) {
        (_, 11..=14) => "лет",
        (1, _) => "год",
        (2..=4, _) => "года",
        _ => "лет",
    }
}

fn check_district(row: &Row<'_>, context: &DropContext<'_>) -> Checked<KatoCode> {
    let cell = row.required("district")?;
    let code = match cell {
        Cell::Number(number) => KatoCode::from_number(*number),
        other => KatoCode::parse(&other.shown()),
    };
    let Some(code) = code else {
        let Some(classifier) = context.classifier else {
            let detail = Detail::said(
                "a district's name is read only with the KATO classifier, which this registry has not been given; \
                 write its nine-digit KATO code",
                "аудан атауы тек ӘАОЖ (КАТО) жіктеуіші берілген тізілімде оқылады; ауданның тоғыз таңбалы кодын жазыңыз",
                "название района читается, только если реестру дан классификатор КАТО; укажите девятизначный код района",
            );
            return Err(row.issue("district", RejectCode::DistrictUnknown, detail));
        };
        return classifier.find_by_name(context.region, &cell.display()).ok_or_else(|| {
            let detail = Detail::said(
                format!("no district of that name in region `{}`", context.region),
                format!("бұл өңірде ({}) мұндай атаулы аудан жоқ", region_name(context, Lang::Kk)),
                format!("в этом регионе ({}) нет района с таким названием", region_name(context, Lang::Ru)),
            );
            row.issue("district", RejectCode::DistrictUnknown, detail)
        });
    };
    if code.region() != context.region {
        let detail = in_drop_region(context, format!("`{code}` is not in region `{}`", context.region));
        return Err(row.issue("district", RejectCode::DistrictOutsideRegion, detail));
    }
    if code.is_region() {
        let detail = Detail::said(
            "a region's code, not a district's",
            "бұл ауданның емес, өңірдің коды",
            "это код региона, а не района",
        );
        return Err(row.issue("district", RejectCode::DistrictUnknown, detail));
    }
    if let Some(classifier) = context.classifier
        && classifier.get(code).is_none()
    {
        let detail = Detail::said(
            format!("`{code}` is not in the KATO classifier"),
            format!("`{code}` коды ӘАОЖ (КАТО) жіктеуішінде жоқ"),
            format!("кода `{code}` нет в классификаторе КАТО"),
        );
        return Err(row.issue("district", RejectCode::DistrictUnknown, detail));
    }
    Ok(code)
}

fn check_grade(row: &Row<'_>) -> Checked<u8> {
    let cell = row.required("grade")?;
    let grade =
        cell::parse_int(cell).ok_or_else(|| row.issue("grade", RejectCode::IntInvalid, "not a whole number"))?;
    u8::try_from(grade)
        .ok()
        .filter(|grade| *grade <= 12)
        .ok_or_else(|| row.issue("grade", RejectCode::GradeOutOfRange, format!("grade {grade}")))
}

fn check_domains(row: &Row<'_>) -> Checked<Vec<TalentDomain>> {
    let cell = row.required("talent_domains")?;
    let mut domains = Vec::new();
    for item in cell::word_items(cell) {
        let domain = TalentDomain::parse(&item).ok_or_else(|| {
            row.issue("talent_domains", RejectCode::EnumInvalid, format!("`{item}` is not a talent domain"))
        })?;
        if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    if domains.is_empty() {
        return Err(row.issue("talent_domains", RejectCode::ListEmpty, "no talent domain given"));
    }
    Ok(domains)
}

fn check_disciplines(row: &Row<'_>, warnings: &mut Vec<RowWarning>) -> Checked<Vec<DisciplineRef>> {
    let cell = row.required("disciplines")?;
    let mut disciplines: Vec<DisciplineRef> = Vec::new();
    for item in cell::list_items(cell) {
        let resolved = DisciplineRef::resolve(&item);
        warn_unknown("disciplines", &resolved, warnings);
        if !disciplines.contains(&resolved) {
            disciplines.push(resolved);
        }
    }
    if disciplines.is_empty() {
        return Err(row.issue("disciplines", RejectCode::ListEmpty, "no discipline given"));
    }
    Ok(disciplines)
}

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
fn second_measure_id(measure: &Measure) -> String {
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

/// The rows of one drop, each table's rows as cells in the form's column order.
#[derive(Clone, Debug, Default)]
pub struct DropRows {
    pub children: Vec<Vec<Cell>>,
    pub measures: Vec<Vec<Cell>>,
    pub achievements: Vec<Vec<Cell>>,
    pub teachers: Vec<Vec<Cell>>,
    /// Of each measure nested in a child's document (`roadmap.jsonl`), the child's row
    /// (its index in `children`); empty, or `None`, for rows of a table of their own.
    pub measure_parents: Vec<Option<usize>>,
    /// Likewise of each achievement.
    pub achievement_parents: Vec<Option<usize>>,
}

/// One rejected row: which table, its index among that table's input rows, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub table: TableKind,
    pub index: usize,
    pub issue: RowIssue,
}

/// A warning on an accepted row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub table: TableKind,
    pub index: usize,
    pub warning: RowWarning,
}

/// The accepted records of a drop with the input index of each, and every rejection.
#[derive(Clone, Debug, Default)]
pub struct CheckedDrop {
    pub children: Vec<(usize, Child)>,
    pub measures: Vec<(usize, Measure)>,
    pub achievements: Vec<(usize, Achievement)>,
    pub teachers: Vec<(usize, Teacher)>,
    pub rejections: Vec<Rejection>,
    pub warnings: Vec<Warning>,
}

impl CheckedDrop {
    pub fn rejected(&self, table: TableKind) -> usize {
        self.rejections.iter().filter(|rejection| rejection.table == table).count()
    }
}

/// Checks every row of a drop, then the rules across its tables: duplicate keys (the
/// first row wins), references to children and teachers of the same drop, and the
/// cascade that takes a rejected child's measures and achievements with it. The rows are
/// used up: an accepted record takes its text cells' strings, and each row's cells are
/// let go once it is checked.
pub fn check_drop(rows: DropRows, context: &DropContext<'_>) -> CheckedDrop {
    let DropRows { children, measures, achievements, teachers, measure_parents, achievement_parents } = rows;
    let mut checked = CheckedDrop {
        children: Vec::with_capacity(children.len()),
        measures: Vec::with_capacity(measures.len()),
        achievements: Vec::with_capacity(achievements.len()),
        teachers: Vec::with_capacity(teachers.len()),
        ..CheckedDrop::default()
    };
    fn reject(checked: &mut CheckedDrop, table: TableKind, index: usize, issue: RowIssue) {
        checked.rejections.push(Rejection { table, index, issue });
    }

    let mut teacher_ids = FxHashSet::default();
    for (index, mut cells) in teachers.into_iter().enumerate() {
        match check_teacher(&mut cells, context) {
            Ok((teacher, warnings)) if teacher_ids.insert(teacher.teacher_id) => {
                push_warnings(&mut checked.warnings, TableKind::Teachers, index, warnings);
                checked.teachers.push((index, teacher));
            }
            Ok(_) => reject(&mut checked, TableKind::Teachers, index, duplicate(&TEACHERS, &cells, "teacher_id")),
            Err(issue) => reject(&mut checked, TableKind::Teachers, index, issue),
        }
    }

    // Children: the first row of an IIN wins; an IIN whose every row was rejected is
    // remembered so that its measures and achievements are reported as cascaded. Rows
    // nested in a child's document go with that row, whatever other row holds its IIN.
    let mut accepted_children = FxHashSet::with_capacity_and_hasher(children.len(), Default::default());
    let mut rejected_children = FxHashSet::default();
    let mut child_rows_accepted = vec![false; children.len()];
    for (index, mut cells) in children.into_iter().enumerate() {
        match check_child(&mut cells, context) {
            Ok((child, warnings)) if accepted_children.insert(child.iin) => {
                push_warnings(&mut checked.warnings, TableKind::Children, index, warnings);
                checked.children.push((index, child));
                child_rows_accepted[index] = true;
            }
            Ok(_) => reject(&mut checked, TableKind::Children, index, duplicate(&CHILDREN, &cells, "iin")),
            Err(issue) => {
                if let Some(key) = cells.first().map(iin_key) {
                    rejected_children.insert(key);
                }
                reject(&mut checked, TableKind::Children, index, issue);
            }
        }
    }
    let accepted_keys: FxHashSet<String> = accepted_children.iter().map(Iin::as_string).collect();
    rejected_children.retain(|key| !key.is_empty() && !accepted_keys.contains(key));

    // Whether a nested row's own child row was rejected.
    let parent_rejected = |parents: &[Option<usize>], index: usize| {
        parents
            .get(index)
            .copied()
            .flatten()
            .is_some_and(|parent| !child_rows_accepted.get(parent).copied().unwrap_or(false))
    };
    fn child_rejected(table: &'static TableDef, cells: &[Cell]) -> RowIssue {
        Row { table, cells }.issue("iin", RejectCode::ChildRejected, "the child's row was rejected")
    }
    let parent_issue = |table: &'static TableDef, cells: &[Cell], iin: Iin| -> Option<RowIssue> {
        let row = Row { table, cells };
        if accepted_children.contains(&iin) {
            None
        } else if rejected_children.contains(&iin.as_string()) {
            Some(row.issue("iin", RejectCode::ChildRejected, "the child's row was rejected"))
        } else {
            // The code's description says it all.
            Some(row.issue("iin", RejectCode::ChildUnknown, ""))
        }
    };

    // The ids of the measures accepted so far, as their places in `checked.measures`: no
    // copy of each id, and entries of a few bytes in a table that a drop of millions of
    // measures probes at random.
    let mut measure_ids: HashTable<usize> = HashTable::with_capacity(measures.len());
    for (index, mut cells) in measures.into_iter().enumerate() {
        if parent_rejected(&measure_parents, index) {
            reject(&mut checked, TableKind::Measures, index, child_rejected(&MEASURES, &cells));
            continue;
        }
        let outcome = check_measure(&mut cells, context).and_then(|(measure, warnings)| {
            let cells = &cells;
            if let Some(issue) = parent_issue(&MEASURES, cells, measure.iin) {
                return Err(issue);
            }
            if let Some(teacher) = measure.teacher_id
                && !teacher_ids.contains(&teacher)
            {
                return Err(Row { table: &MEASURES, cells }.issue(
                    "teacher_id",
                    RejectCode::TeacherUnknown,
                    "no such teacher in this drop",
                ));
            }
            let accepted = &checked.measures;
            let id_at = |at: &usize| accepted[*at].1.measure_id.as_str();
            let generated = cells.get(MEASURES.index("measure_id")).is_none_or(Cell::is_empty);
            let mut measure = measure;
            // A generated id is tried twice: as it always was, then with the discipline
            // and the provider ([`second_measure_id`]).
            for attempt in 0..2 {
                let hash = FxBuildHasher.hash_one(measure.measure_id.as_str());
                match measure_ids.entry(hash, |at| id_at(at) == measure.measure_id, |at| FxBuildHasher.hash_one(id_at(at)))
                {
                    Entry::Occupied(held)
                        if generated
                            && attempt == 0
                            && (accepted[*held.get()].1.discipline != measure.discipline
                                || accepted[*held.get()].1.provider != measure.provider) =>
                    {
                        measure.measure_id = second_measure_id(&measure)
                    }
                    Entry::Occupied(_) if generated => {
                        let detail = Detail::said(
                            "an earlier row is the same measure: child, type, title, planned dates, discipline and provider",
                            "жоғарыдағы бір жол — дәл осы шара: баласы, түрі, атауы, жоспарлы күндері, пәні және ұйымдастырушысы бірдей",
                            "строка выше — та же мера: тот же ребёнок, вид, название, плановые даты, дисциплина и организатор",
                        );
                        return Err(Row { table: &MEASURES, cells }.issue("measure_id", RejectCode::DuplicateKey, detail));
                    }
                    Entry::Occupied(_) => return Err(duplicate(&MEASURES, cells, "measure_id")),
                    // The place the measure takes below: nothing rejects it after this.
                    Entry::Vacant(slot) => {
                        slot.insert(accepted.len());
                        break;
                    }
                }
            }
            Ok((measure, warnings))
        });
        match outcome {
            Ok((measure, warnings)) => {
                push_warnings(&mut checked.warnings, TableKind::Measures, index, warnings);
                checked.measures.push((index, measure));
            }
            Err(issue) => reject(
                &mut checked,
                TableKind::Measures,
                index,
                cascade_first(&MEASURES, &cells, issue, &rejected_children),
            ),
        }
    }

    for (index, mut cells) in achievements.into_iter().enumerate() {
        if parent_rejected(&achievement_parents, index) {
            reject(&mut checked, TableKind::Achievements, index, child_rejected(&ACHIEVEMENTS, &cells));
            continue;
        }
        let outcome = check_achievement(&mut cells, context).and_then(|(achievement, warnings)| {
            let cells = &cells;
            if let Some(issue) = parent_issue(&ACHIEVEMENTS, cells, achievement.iin) {
                return Err(issue);
            }
            if achievement.teacher_ids.iter().any(|teacher| !teacher_ids.contains(teacher)) {
                return Err(Row { table: &ACHIEVEMENTS, cells }.issue(
                    "teacher_ids",
                    RejectCode::TeacherUnknown,
                    "a teacher not in this drop",
                ));
            }
            Ok((achievement, warnings))
        });
        match outcome {
            Ok((achievement, warnings)) => {
                push_warnings(&mut checked.warnings, TableKind::Achievements, index, warnings);
                checked.achievements.push((index, achievement));
            }
            Err(issue) => reject(
                &mut checked,
                TableKind::Achievements,
                index,
                cascade_first(&ACHIEVEMENTS, &cells, issue, &rejected_children),
            ),
        }
    }
    checked
}

/// A row of a rejected child is reported as cascaded even when it has faults of its own:
/// the coordinator fixes the child first.
fn cascade_first(
    table: &'static TableDef,
    cells: &[Cell],
    issue: RowIssue,
    rejected_children: &FxHashSet<String>,
) -> RowIssue {
    match cells.get(table.index("iin")).map(iin_key) {
        Some(key) if rejected_children.contains(&key) && issue.code != RejectCode::ChildRejected => {
            Row { table, cells }.issue("iin", RejectCode::ChildRejected, "the child's row was rejected")
        }
        _ => issue,
    }
}

/// What ties a row to its child, even when the IIN is broken: the twelve digits of a
/// valid IIN, or the trimmed text as written. Rows nested under a child in JSONL carry
/// their parent's text, so they cascade from it whatever is wrong with it.
pub fn iin_key(cell: &Cell) -> String {
    cell_iin(cell).map(|iin| iin.as_string()).unwrap_or_else(|_| cell.shown().trim().to_owned())
}

/// The IIN a cell holds: a number whose leading zeros a spreadsheet dropped, or text.
fn cell_iin(cell: &Cell) -> Result<Iin, IinError> {
    match cell {
        Cell::Number(number) => Iin::from_number(*number),
        Cell::Text(text) => Iin::parse(text),
        other => Iin::parse(&other.shown()),
    }
}

fn duplicate(table: &'static TableDef, cells: &[Cell], column: &'static str) -> RowIssue {
    let detail = Detail::said(
        format!("an earlier row has the same `{column}`"),
        format!("жоғарыдағы бір жолда `{column}` мәні дәл осындай"),
        format!("в одной из строк выше то же значение `{column}`"),
    );
    Row { table, cells }.issue(column, RejectCode::DuplicateKey, detail)
}

fn push_warnings(into: &mut Vec<Warning>, table: TableKind, index: usize, warnings: Vec<RowWarning>) {
    into.extend(warnings.into_iter().map(|warning| Warning { table, index, warning }));
}

/// Counts of a checked drop by reject code, for reports.
pub fn count_by_code(rejections: &[Rejection]) -> HashMap<RejectCode, usize> {
    let mut counts = HashMap::new();
    for rejection in rejections {
        *counts.entry(rejection.issue.code).or_insert(0) += 1;
    }
    counts
}

#[cfg(test)]
mod tests;
