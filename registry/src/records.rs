//! The typed rows of the registry: what a row of the form becomes once every rule holds.

use chrono::NaiveDate;

use crate::discipline::DisciplineRef;
use crate::enums::*;
use crate::iin::Iin;
use crate::kato::KatoCode;

#[derive(Clone, Debug, PartialEq)]
pub struct Child {
    pub iin: Iin,
    pub last_name: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub district: KatoCode,
    pub locality: Option<String>,
    pub area_type: AreaType,
    pub school_code: String,
    pub school_name: String,
    pub grade: u8,
    pub instruction_language: Option<InstructionLanguage>,
    pub large_family: bool,
    pub low_income: bool,
    pub talent_domains: Vec<TalentDomain>,
    pub disciplines: Vec<DisciplineRef>,
    pub identified_on: NaiveDate,
    pub identification_method: IdentificationMethod,
    pub coordinator: String,
    pub consent_on: Option<NaiveDate>,
    pub interests: Option<String>,
    pub roadmap_status: RoadmapStatus,
}

impl Child {
    /// Rural, or urban from a large or low-income family: the decree's target groups.
    pub fn in_target_groups(&self) -> bool {
        self.area_type == AreaType::Rural || self.large_family || self.low_income
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Measure {
    pub iin: Iin,
    pub measure_id: String,
    pub measure_type: MeasureType,
    pub title: String,
    pub discipline: Option<DisciplineRef>,
    pub provider: Option<String>,
    pub teacher_id: Option<Iin>,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    pub status: MeasureStatus,
    pub completed_on: Option<NaiveDate>,
    pub funding_source: Option<FundingSource>,
    /// The amount in tiyn (1/100 tenge), exact.
    pub amount_tiyn: Option<i64>,
    pub result: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Achievement {
    pub iin: Iin,
    pub event_name: String,
    pub event_kind: EventKind,
    pub discipline: Option<DisciplineRef>,
    pub level: Level,
    pub event_date: NaiveDate,
    pub result: AchievementResult,
    pub teacher_ids: Vec<Iin>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Teacher {
    pub teacher_id: Iin,
    pub last_name: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub school_code: String,
    pub subject: Option<DisciplineRef>,
    pub qualification: Option<String>,
}
