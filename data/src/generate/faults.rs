//! Row errors injected on purpose (`--error-rate`): every kind of row error the form
//! rejects. Each fault changes a drafted row so that the form's first broken rule is
//! the intended one, and says which column and code the checker must report.

use chrono::{Days, NaiveDate};
use daryn_registry::cell::Cell;
use daryn_registry::enums::{AreaType, MeasureStatus, MeasureType, Sex};
use daryn_registry::form::{ACHIEVEMENTS, CHILDREN, MEASURES, TEACHERS, TableDef};
use daryn_registry::{Iin, Lang, RegionCode, RejectCode};

use super::rng::Rng;
use super::style::Style;

/// What a fault did: the column the checker must name, the code, and a short label.
pub struct Injected {
    pub column: &'static str,
    pub code: RejectCode,
    pub fault: &'static str,
}

fn set(cells: &mut [Cell], table: &TableDef, column: &str, value: Cell) {
    cells[table.index(column)] = value;
}

fn text(value: &str) -> Cell {
    Cell::Text(value.to_owned())
}

/// The IIN cell's twelve digits, whatever form the style wrote them in.
fn iin_text(cell: &Cell) -> String {
    match cell {
        Cell::Number(number) => format!("{:012}", *number as u64),
        other => other.display(),
    }
}

/// Child faults that keep the child's IIN intact, so that its measures and achievements
/// are reported as cascaded (`child_rejected`); and those that break it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChildFault {
    IinFormat,
    IinCheckDigit,
    IinBirthDate,
    BirthDateMismatch,
    SexMismatch,
    MissingLastName,
    MissingSchoolName,
    MissingCoordinator,
    BadBirthDate,
    TooYoung,
    BadAreaType,
    BadMethod,
    BadStatus,
    BadBool,
    GradeNotNumber,
    GradeTooHigh,
    WrongRegion,
    DistrictElsewhere,
    DistrictUnknown,
    NoDomains,
    UnknownDomain,
    IdentifiedInFuture,
    IdentifiedTooEarly,
    OutOfScope,
}

impl ChildFault {
    pub const ALL: [ChildFault; 24] = [
        ChildFault::IinFormat,
        ChildFault::IinCheckDigit,
        ChildFault::IinBirthDate,
        ChildFault::BirthDateMismatch,
        ChildFault::SexMismatch,
        ChildFault::MissingLastName,
        ChildFault::MissingSchoolName,
        ChildFault::MissingCoordinator,
        ChildFault::BadBirthDate,
        ChildFault::TooYoung,
        ChildFault::BadAreaType,
        ChildFault::BadMethod,
        ChildFault::BadStatus,
        ChildFault::BadBool,
        ChildFault::GradeNotNumber,
        ChildFault::GradeTooHigh,
        ChildFault::WrongRegion,
        ChildFault::DistrictElsewhere,
        ChildFault::DistrictUnknown,
        ChildFault::NoDomains,
        ChildFault::UnknownDomain,
        ChildFault::IdentifiedInFuture,
        ChildFault::IdentifiedTooEarly,
        ChildFault::OutOfScope,
    ];

    /// True when the fault breaks the IIN itself: the child's other rows no longer
    /// point at it, so they are reported as `child_unknown` in separate files.
    pub fn breaks_iin(self) -> bool {
        matches!(self, ChildFault::IinFormat | ChildFault::IinCheckDigit | ChildFault::IinBirthDate)
    }
}

/// The context a fault needs beyond the row.
pub struct FaultContext<'a> {
    pub style: &'a Style,
    pub region: RegionCode,
    pub export_date: NaiveDate,
    pub has_classifier: bool,
}

/// Applies a child fault. `new_iin` makes a valid IIN for a new birth date and sex
/// (used when the child must become too young while its IIN stays consistent).
pub fn child(
    fault: ChildFault,
    cells: &mut [Cell],
    context: &FaultContext<'_>,
    new_iin: &mut dyn FnMut(NaiveDate, Sex) -> Iin,
) -> Injected {
    let table = &CHILDREN;
    let iin = iin_text(&cells[table.index("iin")]);
    let injected = |column, code, fault| Injected { column, code, fault };
    match fault {
        ChildFault::IinFormat => {
            set(cells, table, "iin", text(&iin[..11]));
            injected("iin", RejectCode::IinFormat, "iin_eleven_digits")
        }
        ChildFault::IinCheckDigit => {
            let last = (iin.as_bytes()[11] - b'0' + 1) % 10;
            set(cells, table, "iin", text(&format!("{}{last}", &iin[..11])));
            injected("iin", RejectCode::IinCheckDigit, "iin_wrong_check_digit")
        }
        ChildFault::IinBirthDate => {
            set(cells, table, "iin", text(&format!("{}13{}", &iin[..2], &iin[4..])));
            injected("iin", RejectCode::IinBirthDate, "iin_month_13")
        }
        ChildFault::BirthDateMismatch => {
            let birth = Iin::parse(&iin).map(|iin| iin.birth_date()).unwrap_or(context.export_date);
            set(cells, table, "birth_date", context.style.date(birth + Days::new(1)));
            injected("birth_date", RejectCode::IinMismatch, "birth_date_off_by_a_day")
        }
        ChildFault::SexMismatch => {
            let sex = Iin::parse(&iin).map(|iin| iin.sex()).unwrap_or(Sex::Male);
            let other = if sex == Sex::Male { Sex::Female } else { Sex::Male };
            set(cells, table, "sex", context.style.word(other.code(), other.word(Lang::Kk), other.word(Lang::Ru)));
            injected("sex", RejectCode::IinMismatch, "sex_flipped")
        }
        ChildFault::MissingLastName => {
            set(cells, table, "last_name", Cell::Empty);
            injected("last_name", RejectCode::RequiredMissing, "last_name_empty")
        }
        ChildFault::MissingSchoolName => {
            set(cells, table, "school_name", Cell::Empty);
            injected("school_name", RejectCode::RequiredMissing, "school_name_empty")
        }
        ChildFault::MissingCoordinator => {
            set(cells, table, "coordinator", Cell::Empty);
            injected("coordinator", RejectCode::RequiredMissing, "coordinator_empty")
        }
        ChildFault::BadBirthDate => {
            set(cells, table, "birth_date", text("31.02.2012"));
            injected("birth_date", RejectCode::DateInvalid, "birth_date_31_february")
        }
        ChildFault::TooYoung => {
            // Three years and 40 to 339 days old, spread by the child's own serial: on
            // one birth date a region's band of serials would run out.
            let serial = iin.get(7..11).and_then(|serial| serial.parse::<u64>().ok()).unwrap_or(0);
            let birth = context.export_date - Days::new(365 * 3 + 40 + serial % 300);
            let sex = Iin::parse(&iin).map(|iin| iin.sex()).unwrap_or(Sex::Female);
            let young = new_iin(birth, sex);
            set(cells, table, "iin", context.style.iin(young.as_string()));
            set(cells, table, "birth_date", context.style.date(birth));
            injected("birth_date", RejectCode::AgeOutOfRange, "three_years_old")
        }
        ChildFault::BadAreaType => {
            set(cells, table, "area_type", text("пригород"));
            injected("area_type", RejectCode::EnumInvalid, "area_type_unknown")
        }
        ChildFault::BadMethod => {
            set(cells, table, "identification_method", text("гадание"));
            injected("identification_method", RejectCode::EnumInvalid, "method_unknown")
        }
        ChildFault::BadStatus => {
            set(cells, table, "roadmap_status", text("потерян"));
            injected("roadmap_status", RejectCode::EnumInvalid, "status_unknown")
        }
        ChildFault::BadBool => {
            set(cells, table, "low_income", text("возможно"));
            injected("low_income", RejectCode::BoolInvalid, "low_income_maybe")
        }
        ChildFault::GradeNotNumber => {
            set(cells, table, "grade", text("седьмой"));
            injected("grade", RejectCode::IntInvalid, "grade_in_words")
        }
        ChildFault::GradeTooHigh => {
            set(cells, table, "grade", text("14"));
            injected("grade", RejectCode::GradeOutOfRange, "grade_14")
        }
        ChildFault::WrongRegion => {
            let other = if context.region.number() == 61 { "55" } else { "61" };
            set(cells, table, "region", text(other));
            injected("region", RejectCode::RegionMismatch, "region_of_another_drop")
        }
        ChildFault::DistrictElsewhere => {
            let other = if context.region.number() == 61 { "551000000" } else { "611000000" };
            set(cells, table, "district", text(other));
            injected("district", RejectCode::DistrictOutsideRegion, "district_of_another_region")
        }
        ChildFault::DistrictUnknown => {
            let value = if context.has_classifier {
                format!("{}9900000", context.region)
            } else {
                "Атлантида ауданы".to_owned()
            };
            set(cells, table, "district", Cell::Text(value));
            injected("district", RejectCode::DistrictUnknown, "district_unknown")
        }
        ChildFault::NoDomains => {
            set(cells, table, "talent_domains", text(" ; "));
            injected("talent_domains", RejectCode::ListEmpty, "no_talent_domain")
        }
        ChildFault::UnknownDomain => {
            set(cells, table, "talent_domains", text("science; cooking"));
            injected("talent_domains", RejectCode::EnumInvalid, "talent_domain_unknown")
        }
        ChildFault::IdentifiedInFuture => {
            set(cells, table, "identified_on", context.style.date(context.export_date + Days::new(10)));
            injected("identified_on", RejectCode::DateInFuture, "identified_next_week")
        }
        ChildFault::IdentifiedTooEarly => {
            let birth = Iin::parse(&iin).map(|iin| iin.birth_date()).unwrap_or(context.export_date);
            set(cells, table, "identified_on", context.style.date(birth + Days::new(365 * 2)));
            injected("identified_on", RejectCode::IdentifiedTooEarly, "identified_at_two")
        }
        ChildFault::OutOfScope => {
            let urban = AreaType::Urban;
            set(
                cells,
                table,
                "area_type",
                context.style.word(urban.code(), urban.word(Lang::Kk), urban.word(Lang::Ru)),
            );
            set(cells, table, "large_family", context.style.boolean(false));
            set(cells, table, "low_income", context.style.boolean(false));
            injected("area_type", RejectCode::OutOfScope, "urban_not_in_target_groups")
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeasureFault {
    UnknownChild,
    BadType,
    MissingTitle,
    EndBeforeStart,
    DoneWithoutDate,
    ScholarshipWithoutAmount,
    NegativeAmount,
    UnknownTeacher,
    BadStart,
    DuplicateId,
}

impl MeasureFault {
    pub const ALL: [MeasureFault; 10] = [
        MeasureFault::UnknownChild,
        MeasureFault::BadType,
        MeasureFault::MissingTitle,
        MeasureFault::EndBeforeStart,
        MeasureFault::DoneWithoutDate,
        MeasureFault::ScholarshipWithoutAmount,
        MeasureFault::NegativeAmount,
        MeasureFault::UnknownTeacher,
        MeasureFault::BadStart,
        MeasureFault::DuplicateId,
    ];
}

/// Applies a measure fault. `stranger` is a valid IIN of nobody in the drop;
/// `earlier_id` the id of an earlier accepted measure, for a duplicate.
pub fn measure(
    fault: MeasureFault,
    cells: &mut [Cell],
    context: &FaultContext<'_>,
    stranger: Iin,
    earlier_id: &str,
) -> Injected {
    let table = &MEASURES;
    let injected = |column, code, fault| Injected { column, code, fault };
    let style = context.style;
    match fault {
        MeasureFault::UnknownChild => {
            set(cells, table, "iin", Cell::Text(stranger.as_string()));
            injected("iin", RejectCode::ChildUnknown, "measure_of_unknown_child")
        }
        MeasureFault::BadType => {
            set(cells, table, "measure_type", text("прогулка"));
            injected("measure_type", RejectCode::EnumInvalid, "measure_type_unknown")
        }
        MeasureFault::MissingTitle => {
            set(cells, table, "title", Cell::Empty);
            injected("title", RejectCode::RequiredMissing, "title_empty")
        }
        MeasureFault::EndBeforeStart => {
            let start = context.export_date - Days::new(100);
            set(cells, table, "planned_start", style.date(start));
            set(cells, table, "planned_end", style.date(start - Days::new(5)));
            set(cells, table, "status", word_status(style, MeasureStatus::Cancelled));
            set(cells, table, "completed_on", Cell::Empty);
            injected("planned_end", RejectCode::EndBeforeStart, "end_before_start")
        }
        MeasureFault::DoneWithoutDate => {
            let start = context.export_date - Days::new(200);
            set(cells, table, "planned_start", style.date(start));
            set(cells, table, "planned_end", style.date(start + Days::new(30)));
            set(cells, table, "status", word_status(style, MeasureStatus::Done));
            set(cells, table, "completed_on", Cell::Empty);
            injected("completed_on", RejectCode::CompletedOnRequired, "done_without_date")
        }
        MeasureFault::ScholarshipWithoutAmount => {
            let scholarship = MeasureType::Scholarship;
            set(
                cells,
                table,
                "measure_type",
                style.word(scholarship.code(), scholarship.word(Lang::Kk), scholarship.word(Lang::Ru)),
            );
            set(cells, table, "amount_kzt", Cell::Empty);
            injected("amount_kzt", RejectCode::AmountRequired, "scholarship_without_amount")
        }
        MeasureFault::NegativeAmount => {
            set(cells, table, "amount_kzt", text("-5000"));
            injected("amount_kzt", RejectCode::AmountInvalid, "negative_amount")
        }
        MeasureFault::UnknownTeacher => {
            set(cells, table, "teacher_id", Cell::Text(stranger.as_string()));
            injected("teacher_id", RejectCode::TeacherUnknown, "teacher_not_in_drop")
        }
        MeasureFault::BadStart => {
            set(cells, table, "planned_start", text("30.02.2025"));
            injected("planned_start", RejectCode::DateInvalid, "start_30_february")
        }
        MeasureFault::DuplicateId => {
            set(cells, table, "measure_id", Cell::Text(earlier_id.to_owned()));
            injected("measure_id", RejectCode::DuplicateKey, "measure_id_repeated")
        }
    }
}

fn word_status(style: &Style, status: MeasureStatus) -> Cell {
    style.word(status.code(), status.word(Lang::Kk), status.word(Lang::Ru))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AchievementFault {
    UnknownChild,
    BadLevel,
    BadResult,
    InFuture,
    UnknownTeacher,
    MissingName,
    BadDate,
}

impl AchievementFault {
    pub const ALL: [AchievementFault; 7] = [
        AchievementFault::UnknownChild,
        AchievementFault::BadLevel,
        AchievementFault::BadResult,
        AchievementFault::InFuture,
        AchievementFault::UnknownTeacher,
        AchievementFault::MissingName,
        AchievementFault::BadDate,
    ];
}

pub fn achievement(fault: AchievementFault, cells: &mut [Cell], context: &FaultContext<'_>, stranger: Iin) -> Injected {
    let table = &ACHIEVEMENTS;
    let injected = |column, code, fault| Injected { column, code, fault };
    match fault {
        AchievementFault::UnknownChild => {
            set(cells, table, "iin", Cell::Text(stranger.as_string()));
            injected("iin", RejectCode::ChildUnknown, "achievement_of_unknown_child")
        }
        AchievementFault::BadLevel => {
            set(cells, table, "level", text("галактический"));
            injected("level", RejectCode::EnumInvalid, "level_unknown")
        }
        AchievementFault::BadResult => {
            set(cells, table, "result", text("4 место"));
            injected("result", RejectCode::EnumInvalid, "result_fourth_place")
        }
        AchievementFault::InFuture => {
            set(cells, table, "event_date", context.style.date(context.export_date + Days::new(3)));
            injected("event_date", RejectCode::DateInFuture, "event_after_export")
        }
        AchievementFault::UnknownTeacher => {
            set(cells, table, "teacher_ids", Cell::Text(stranger.as_string()));
            injected("teacher_ids", RejectCode::TeacherUnknown, "teacher_not_in_drop")
        }
        AchievementFault::MissingName => {
            set(cells, table, "event_name", Cell::Empty);
            injected("event_name", RejectCode::RequiredMissing, "event_name_empty")
        }
        AchievementFault::BadDate => {
            set(cells, table, "event_date", text("2025-02-29"));
            injected("event_date", RejectCode::DateInvalid, "event_29_february_2025")
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TeacherFault {
    BadId,
    MissingLastName,
    MissingSchool,
    Duplicate,
}

impl TeacherFault {
    pub const ALL: [TeacherFault; 4] =
        [TeacherFault::BadId, TeacherFault::MissingLastName, TeacherFault::MissingSchool, TeacherFault::Duplicate];
}

/// Makes an extra, unreferenced teacher row broken. `copy_of` is a valid teacher row for
/// the duplicate; the others start from it with a fresh IIN (`stranger`).
pub fn teacher(fault: TeacherFault, copy_of: &[Cell], stranger: Iin, rng: &mut Rng) -> (Vec<Cell>, Injected) {
    let table = &TEACHERS;
    let mut cells = copy_of.to_vec();
    let injected = |column, code, fault| Injected { column, code, fault };
    if fault != TeacherFault::Duplicate {
        set(&mut cells, table, "teacher_id", Cell::Text(stranger.as_string()));
    }
    let outcome = match fault {
        TeacherFault::BadId => {
            let digits = stranger.as_string();
            let last = (digits.as_bytes()[11] - b'0' + 1 + rng.range(0, 8) as u8) % 10;
            set(&mut cells, table, "teacher_id", Cell::Text(format!("{}{last}", &digits[..11])));
            injected("teacher_id", RejectCode::IinCheckDigit, "teacher_iin_wrong_check_digit")
        }
        TeacherFault::MissingLastName => {
            set(&mut cells, table, "last_name", Cell::Empty);
            injected("last_name", RejectCode::RequiredMissing, "teacher_last_name_empty")
        }
        TeacherFault::MissingSchool => {
            set(&mut cells, table, "school_code", Cell::Empty);
            injected("school_code", RejectCode::RequiredMissing, "teacher_school_empty")
        }
        TeacherFault::Duplicate => injected("teacher_id", RejectCode::DuplicateKey, "teacher_repeated"),
    };
    (cells, outcome)
}
