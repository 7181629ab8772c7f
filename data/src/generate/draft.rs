//! Drafts one child's roadmap: the child row, its measures and its achievements, as the
//! region's style writes them. Values are plausible: ages 6–18 with matching grades,
//! measure dates and statuses that agree with the export date, amounts where money is
//! paid, achievement levels in a pyramid, prizes that follow strong teachers.

use chrono::{Datelike, Days, NaiveDate};
use daryn_registry::cell::Cell;
use daryn_registry::discipline::{Discipline, Taxonomy};
use daryn_registry::enums::*;
use daryn_registry::form::{ACHIEVEMENTS, CHILDREN, MEASURES};
use daryn_registry::{Iin, Lang, RegionCode};

use super::geography::{District, School};
use super::people::{self, IinAllocator};
use super::rng::Rng;
use super::style::{RegionColumn, Style};
use super::vocab::Vocab;

/// A teacher of the region, with how strong a coach they are: most near 1, a few much
/// higher, so that a few teachers prepare many of the winners (item 15).
pub struct TeacherDraft {
    pub iin: Iin,
    pub cells: Vec<Cell>,
    pub strength: f64,
    pub domain: TalentDomain,
}

/// A child's drafted rows and the facts later steps need.
pub struct ChildDraft {
    pub iin: Iin,
    pub birth_date: NaiveDate,
    pub identified_on: NaiveDate,
    pub grade: u8,
    pub school: (usize, usize),
    pub disciplines: Vec<&'static Discipline>,
    pub cells: Vec<Cell>,
}

pub struct Drafter<'a> {
    pub region: RegionCode,
    pub style: &'a Style,
    pub export_date: NaiveDate,
    pub russian_share: f64,
}

fn set(cells: &mut [Cell], table: &daryn_registry::form::TableDef, column: &str, value: Cell) {
    cells[table.index(column)] = value;
}

fn days_before(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(days)).unwrap_or(date)
}

fn days_after(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days)).unwrap_or(date)
}

fn years_after(date: NaiveDate, years: i32) -> NaiveDate {
    date.with_year(date.year() + years).unwrap_or_else(|| days_after(date, 365 * years as u64))
}

/// A discipline's name as a region writes it: in its word language, sometimes an alias.
pub fn discipline_word(rng: &mut Rng, style: &Style, discipline: &Discipline) -> String {
    if !discipline.aliases.is_empty() && rng.chance(0.1) {
        return rng.pick(&discipline.aliases).clone();
    }
    let lang = style.word_lang.unwrap_or(Lang::En);
    let lang = if style.word_lang.is_none() { *rng.pick(&[Lang::Kk, Lang::Ru, Lang::En]) } else { lang };
    discipline.name(lang).to_owned()
}

const DOMAIN_WEIGHTS: [(TalentDomain, f64); 5] = [
    (TalentDomain::Science, 50.0),
    (TalentDomain::Sport, 22.0),
    (TalentDomain::Art, 14.0),
    (TalentDomain::Culture, 8.0),
    (TalentDomain::Military, 6.0),
];

pub fn pick_domain(rng: &mut Rng) -> TalentDomain {
    let weights: Vec<f64> = DOMAIN_WEIGHTS.iter().map(|(_, weight)| *weight).collect();
    DOMAIN_WEIGHTS[rng.weighted(&weights)].0
}

pub fn pick_discipline(rng: &mut Rng, domain: TalentDomain) -> &'static Discipline {
    let options: Vec<&'static Discipline> = Taxonomy::builtin().in_domain(domain).collect();
    // The first disciplines of each domain (mathematics, chess, …) are the most common.
    let weights: Vec<f64> = (0..options.len()).map(|index| 1.0 / (1.0 + index as f64 * 0.3)).collect();
    options[rng.weighted(&weights)]
}

impl Drafter<'_> {
    pub fn teacher(&self, rng: &mut Rng, allocator: &mut IinAllocator, school: &School) -> TeacherDraft {
        let vocab = Vocab::get();
        let sex = if rng.chance(0.75) { Sex::Female } else { Sex::Male };
        let birth = days_before(self.export_date, 365 * 25 + rng.range(0, 365 * 35));
        let iin = allocator.allocate(rng, birth, sex);
        let name = people::name(rng, sex, self.russian_share);
        let domain = pick_domain(rng);
        let subject = pick_discipline(rng, domain);
        let mut cells = vec![Cell::Empty; daryn_registry::form::TEACHERS.columns.len()];
        let table = &daryn_registry::form::TEACHERS;
        set(&mut cells, table, "teacher_id", self.style.iin(iin.as_string()));
        set(&mut cells, table, "last_name", Cell::Text(name.last));
        set(&mut cells, table, "first_name", Cell::Text(name.first));
        set(&mut cells, table, "patronymic", name.patronymic.map(Cell::Text).unwrap_or(Cell::Empty));
        set(&mut cells, table, "school_code", Cell::Text(school.code.clone()));
        set(&mut cells, table, "subject", Cell::Text(discipline_word(rng, self.style, subject)));
        if rng.chance(0.8) {
            set(&mut cells, table, "qualification", Cell::Text((*rng.pick(&vocab.qualifications)).to_owned()));
        }
        TeacherDraft { iin, cells, strength: rng.pareto(1.6), domain }
    }

    pub fn child(&self, rng: &mut Rng, allocator: &mut IinAllocator, districts: &[District]) -> ChildDraft {
        let vocab = Vocab::get();
        let district_weights: Vec<f64> = districts.iter().map(|district| district.weight).collect();
        let district_index = rng.weighted(&district_weights);
        let district = &districts[district_index];
        let school_weights: Vec<f64> = district.schools.iter().map(|school| school.weight).collect();
        let school_index = rng.weighted(&school_weights);
        let school = &district.schools[school_index];

        let sex = if rng.chance(0.5) { Sex::Male } else { Sex::Female };
        // Ages 6–18 on the export date, a little more weight on the middle grades.
        let age_days = 365 * 6 + 30 + (rng.range(0, 365 * 12) + rng.range(0, 365 * 12)) / 2;
        let birth_date = days_before(self.export_date, age_days);
        let age = daryn_registry::form::rules::age_on(birth_date, self.export_date);
        let grade = (age - 6 + i32::from(rng.chance(0.3))).clamp(0, 11) as u8;
        let iin = allocator.allocate(rng, birth_date, sex);
        let name = people::name(rng, sex, self.russian_share);

        let (large_family, low_income) = match school.area_type {
            AreaType::Rural => (rng.chance(0.45), rng.chance(0.25)),
            AreaType::Urban => match rng.range(0, 10) {
                0..=4 => (true, false),
                5..=7 => (false, true),
                _ => (true, true),
            },
        };
        let mut domains = vec![pick_domain(rng)];
        if rng.chance(0.3) {
            let second = pick_domain(rng);
            if !domains.contains(&second) {
                domains.push(second);
            }
        }
        let mut disciplines: Vec<&'static Discipline> = Vec::new();
        for _ in 0..1 + rng.range(0, 3) {
            let domain = *rng.pick(&domains);
            let discipline = pick_discipline(rng, domain);
            if !disciplines.iter().any(|known| known.code == discipline.code) {
                disciplines.push(discipline);
            }
        }
        let earliest = std::cmp::max(years_after(birth_date, 6), days_before(self.export_date, 365 * 5));
        let window = (self.export_date - earliest).num_days().max(8) as u64;
        let identified_on = days_after(earliest, rng.range(0, window - 7));
        let method = *rng.pick(&[
            IdentificationMethod::Olympiad,
            IdentificationMethod::Olympiad,
            IdentificationMethod::Contest,
            IdentificationMethod::Competition,
            IdentificationMethod::TeacherNomination,
            IdentificationMethod::TeacherNomination,
            IdentificationMethod::PsychologicalDiagnostics,
            IdentificationMethod::ParentApplication,
            IdentificationMethod::Other,
        ]);
        let language = match (name.russian, rng.range(0, 100)) {
            (_, 0) => InstructionLanguage::English,
            (_, 1) => InstructionLanguage::Other,
            (true, 2..=14) => InstructionLanguage::Kazakh,
            (true, _) => InstructionLanguage::Russian,
            (false, 2..=11) => InstructionLanguage::Russian,
            (false, _) => InstructionLanguage::Kazakh,
        };
        let status = match rng.range(0, 100) {
            0..=89 => RoadmapStatus::Active,
            90..=96 => RoadmapStatus::Completed,
            _ => RoadmapStatus::Withdrawn,
        };

        let style = self.style;
        let upper = rng.chance(style.upper_names);
        let shout = |text: String| if upper { text.to_uppercase() } else { text };
        let mut cells = vec![Cell::Empty; CHILDREN.columns.len()];
        set(&mut cells, &CHILDREN, "iin", style.iin(iin.as_string()));
        set(&mut cells, &CHILDREN, "last_name", Cell::Text(shout(name.last)));
        set(&mut cells, &CHILDREN, "first_name", Cell::Text(shout(name.first)));
        set(
            &mut cells,
            &CHILDREN,
            "patronymic",
            name.patronymic.map(|text| Cell::Text(shout(text))).unwrap_or(Cell::Empty),
        );
        set(&mut cells, &CHILDREN, "birth_date", style.date(birth_date));
        if rng.chance(0.8) {
            set(&mut cells, &CHILDREN, "sex", style.word(sex.code(), sex.word(Lang::Kk), sex.word(Lang::Ru)));
        }
        let region_cell = match style.region_column {
            RegionColumn::Empty => Cell::Empty,
            RegionColumn::TwoDigits => Cell::Text(self.region.to_string()),
            RegionColumn::NineDigits => Cell::Text(self.region.kato().to_string()),
            RegionColumn::Name => Cell::Text(region_name(self.region, style)),
        };
        set(&mut cells, &CHILDREN, "region", region_cell);
        let district_cell = match (&district.name, style.district_names) {
            (Some(name), true) => Cell::Text(name.clone()),
            _ if style.is_workbook() && style.iin_as_number => Cell::Number(f64::from(district.code.value())),
            _ => Cell::Text(district.code.to_string()),
        };
        set(&mut cells, &CHILDREN, "district", district_cell);
        set(&mut cells, &CHILDREN, "locality", Cell::Text(school.locality.clone()));
        let area = school.area_type;
        set(&mut cells, &CHILDREN, "area_type", style.word(area.code(), area.word(Lang::Kk), area.word(Lang::Ru)));
        set(&mut cells, &CHILDREN, "school_code", Cell::Text(school.code.clone()));
        set(&mut cells, &CHILDREN, "school_name", Cell::Text(school.name.clone()));
        set(&mut cells, &CHILDREN, "grade", style.integer(i64::from(grade)));
        if rng.chance(0.9) {
            set(
                &mut cells,
                &CHILDREN,
                "instruction_language",
                style.word(language.code(), language.word(Lang::Kk), language.word(Lang::Ru)),
            );
        }
        set(&mut cells, &CHILDREN, "large_family", style.boolean(large_family));
        set(&mut cells, &CHILDREN, "low_income", style.boolean(low_income));
        let domain_words: Vec<String> = domains
            .iter()
            .map(|domain| match style.word(domain.code(), domain.word(Lang::Kk), domain.word(Lang::Ru)) {
                Cell::Text(text) => text,
                other => other.display(),
            })
            .collect();
        set(&mut cells, &CHILDREN, "talent_domains", style.list(&domain_words));
        let discipline_words: Vec<String> =
            disciplines.iter().map(|discipline| discipline_word(rng, style, discipline)).collect();
        set(&mut cells, &CHILDREN, "disciplines", style.list(&discipline_words));
        set(&mut cells, &CHILDREN, "identified_on", style.date(identified_on));
        set(
            &mut cells,
            &CHILDREN,
            "identification_method",
            style.word(method.code(), method.word(Lang::Kk), method.word(Lang::Ru)),
        );
        set(&mut cells, &CHILDREN, "coordinator", Cell::Text(rng.pick(&district.coordinators).clone()));
        if rng.chance(0.85) {
            let consent = std::cmp::min(days_after(identified_on, rng.range(0, 30)), self.export_date);
            set(&mut cells, &CHILDREN, "consent_on", style.date(consent));
        }
        if rng.chance(0.7) {
            let mut interests = (*rng.pick(&vocab.interests)).to_owned();
            if rng.chance(0.04) {
                interests = format!("{interests}\n{}", rng.pick(&vocab.interests));
            }
            set(&mut cells, &CHILDREN, "interests", Cell::Text(interests));
        }
        if status != RoadmapStatus::Active || rng.chance(0.5) {
            set(
                &mut cells,
                &CHILDREN,
                "roadmap_status",
                style.word(status.code(), status.word(Lang::Kk), status.word(Lang::Ru)),
            );
        }
        ChildDraft { iin, birth_date, identified_on, grade, school: (district_index, school_index), disciplines, cells }
    }
}

/// The region's name as a coordinator types it: "Қарағанды облысы", "Карагандинская область".
pub fn region_name(region: RegionCode, style: &Style) -> String {
    region.region().full_name(style.header_lang)
}

/// Fills `{disc_kk}`, `{disc_ru}`, `{disc_en}` and `{year}` in a pattern.
pub fn fill(pattern: &str, discipline: &Discipline, year: i32) -> String {
    pattern
        .replace("{disc_kk}", &discipline.name_kk)
        .replace("{disc_ru}", &discipline.name_ru)
        .replace("{disc_en}", &discipline.name_en)
        .replace("{year}", &year.to_string())
}

pub struct MeasureDraft {
    pub cells: Vec<Cell>,
    pub teacher: Option<usize>,
}

pub struct AchievementDraft {
    pub cells: Vec<Cell>,
    pub teachers: Vec<usize>,
}

const MEASURE_WEIGHTS: [(MeasureType, f64); 15] = [
    (MeasureType::ClubOrSection, 25.0),
    (MeasureType::Technopark, 6.0),
    (MeasureType::Hackathon, 3.0),
    (MeasureType::TutoringCourse, 8.0),
    (MeasureType::ProjectWork, 8.0),
    (MeasureType::SummerSubjectCamp, 7.0),
    (MeasureType::PsychologicalTraining, 8.0),
    (MeasureType::ForumSenUzdiksin, 4.0),
    (MeasureType::MuseumVisit, 10.0),
    (MeasureType::HealthCampVoucher, 4.0),
    (MeasureType::Scholarship, 4.0),
    (MeasureType::UniversityGrant, 1.5),
    (MeasureType::SpecializedSchoolAdmission, 1.5),
    (MeasureType::Mentoring, 8.0),
    (MeasureType::Other, 2.0),
];

impl Drafter<'_> {
    /// One measure for a child; `teachers` are the indices of the child's school's teachers.
    pub fn measure(
        &self,
        rng: &mut Rng,
        child: &ChildDraft,
        teachers: &[usize],
        all_teachers: &[TeacherDraft],
        sequence: u64,
    ) -> MeasureDraft {
        let vocab = Vocab::get();
        let style = self.style;
        let weights: Vec<f64> = MEASURE_WEIGHTS.iter().map(|(_, weight)| *weight).collect();
        let mut measure_type = MEASURE_WEIGHTS[rng.weighted(&weights)].0;
        if measure_type == MeasureType::UniversityGrant && child.grade < 10 {
            measure_type = MeasureType::TutoringCourse;
        }
        if measure_type == MeasureType::SpecializedSchoolAdmission && !(5..=8).contains(&child.grade) {
            measure_type = MeasureType::ClubOrSection;
        }
        let discipline = *rng.pick(&child.disciplines);
        let titles: Vec<&str> =
            vocab.measure_titles.iter().filter(|(kind, _)| *kind == measure_type).map(|(_, title)| *title).collect();
        let start = days_after(days_before(self.export_date, rng.range(0, 365 * 3)), rng.range(0, 150));
        let start = std::cmp::max(start, child.identified_on);
        let duration = match measure_type {
            MeasureType::ClubOrSection | MeasureType::Mentoring | MeasureType::Scholarship => 270 + rng.range(0, 100),
            MeasureType::SummerSubjectCamp | MeasureType::HealthCampVoucher => 14 + rng.range(0, 8),
            MeasureType::MuseumVisit | MeasureType::ForumSenUzdiksin | MeasureType::Hackathon => rng.range(0, 3),
            MeasureType::UniversityGrant => 365 * 4,
            _ => 30 + rng.range(0, 150),
        };
        let end = days_after(start, duration);
        let status = if start > self.export_date {
            MeasureStatus::Planned
        } else if end > self.export_date {
            if rng.chance(0.95) { MeasureStatus::InProgress } else { MeasureStatus::Cancelled }
        } else {
            match rng.range(0, 100) {
                0..=79 => MeasureStatus::Done,
                80..=86 => MeasureStatus::Cancelled,
                _ => MeasureStatus::InProgress,
            }
        };
        let money = measure_type.requires_amount();
        let funding = if money {
            Some(*rng.pick(&[
                FundingSource::LocalBudget,
                FundingSource::LocalBudget,
                FundingSource::LocalBudget,
                FundingSource::Sponsor,
                FundingSource::RepublicanBudget,
            ]))
        } else if rng.chance(0.7) {
            Some(*rng.pick(&[
                FundingSource::None,
                FundingSource::None,
                FundingSource::LocalBudget,
                FundingSource::Sponsor,
            ]))
        } else {
            None
        };
        let amount_tiyn: Option<i64> = match measure_type {
            MeasureType::Scholarship => Some(12 * (10_000 + rng.range(0, 30) as i64 * 1_000) * 100),
            MeasureType::UniversityGrant => Some((600_000 + rng.range(0, 190) as i64 * 10_000) * 100),
            MeasureType::HealthCampVoucher => {
                Some((60_000 + rng.range(0, 190) as i64 * 1_000) * 100 + rng.range(0, 2) as i64 * 50)
            }
            MeasureType::SummerSubjectCamp | MeasureType::Technopark if rng.chance(0.3) => {
                Some((20_000 + rng.range(0, 130) as i64 * 1_000) * 100)
            }
            _ => None,
        };
        let teacher = match measure_type {
            MeasureType::Mentoring
            | MeasureType::ClubOrSection
            | MeasureType::TutoringCourse
            | MeasureType::ProjectWork
                if !teachers.is_empty() && rng.chance(0.7) =>
            {
                Some(pick_teacher(rng, teachers, all_teachers, discipline.domain))
            }
            _ => None,
        };

        let mut cells = vec![Cell::Empty; MEASURES.columns.len()];
        set(&mut cells, &MEASURES, "iin", style.iin(child.iin.as_string()));
        if style.measure_ids {
            set(&mut cells, &MEASURES, "measure_id", Cell::Text(format!("M{}-{sequence:08}", self.region)));
        }
        set(
            &mut cells,
            &MEASURES,
            "measure_type",
            style.word(measure_type.code(), measure_type.word(Lang::Kk), measure_type.word(Lang::Ru)),
        );
        let title = rng.pick(&titles);
        set(&mut cells, &MEASURES, "title", Cell::Text(fill(title, discipline, start.year())));
        if title.contains("{disc") || rng.chance(0.4) {
            set(&mut cells, &MEASURES, "discipline", Cell::Text(discipline_word(rng, style, discipline)));
        }
        if rng.chance(0.7) {
            set(&mut cells, &MEASURES, "provider", Cell::Text((*rng.pick(&vocab.providers)).to_owned()));
        }
        if let Some(teacher) = teacher {
            set(&mut cells, &MEASURES, "teacher_id", style.iin(all_teachers[teacher].iin.as_string()));
        }
        set(&mut cells, &MEASURES, "planned_start", style.date(start));
        set(&mut cells, &MEASURES, "planned_end", style.date(end));
        set(&mut cells, &MEASURES, "status", style.word(status.code(), status.word(Lang::Kk), status.word(Lang::Ru)));
        if status == MeasureStatus::Done {
            let completed = std::cmp::min(days_after(end, rng.range(0, 5)), self.export_date);
            set(&mut cells, &MEASURES, "completed_on", style.date(completed));
            if rng.chance(0.4) {
                set(&mut cells, &MEASURES, "result", Cell::Text((*rng.pick(&vocab.results)).to_owned()));
            }
        }
        if let Some(funding) = funding {
            set(
                &mut cells,
                &MEASURES,
                "funding_source",
                style.word(funding.code(), funding.word(Lang::Kk), funding.word(Lang::Ru)),
            );
        }
        if let Some(amount) = amount_tiyn {
            set(&mut cells, &MEASURES, "amount_kzt", style.amount(amount));
        }
        MeasureDraft { cells, teacher }
    }

    pub fn achievement(
        &self,
        rng: &mut Rng,
        child: &ChildDraft,
        teachers: &[usize],
        all_teachers: &[TeacherDraft],
    ) -> AchievementDraft {
        let vocab = Vocab::get();
        let style = self.style;
        let discipline = *rng.pick(&child.disciplines);
        let kind = match discipline.domain {
            TalentDomain::Science => *rng.pick(&[
                EventKind::Olympiad,
                EventKind::Olympiad,
                EventKind::Olympiad,
                EventKind::ScienceProject,
                EventKind::ScienceProject,
                EventKind::IntellectualContest,
            ]),
            TalentDomain::Culture | TalentDomain::Art => {
                if rng.chance(0.85) {
                    EventKind::CreativeContest
                } else {
                    EventKind::IntellectualContest
                }
            }
            TalentDomain::Sport | TalentDomain::Military => EventKind::SportCompetition,
        };
        let mut prepared_by = Vec::new();
        if !teachers.is_empty() && rng.chance(0.65) {
            prepared_by.push(pick_teacher(rng, teachers, all_teachers, discipline.domain));
            if rng.chance(0.12) {
                let second = pick_teacher(rng, teachers, all_teachers, discipline.domain);
                if !prepared_by.contains(&second) {
                    prepared_by.push(second);
                }
            }
        }
        let strength = prepared_by.iter().map(|&index| all_teachers[index].strength).fold(1.0, f64::max).min(8.0);
        // Strong teachers lift their pupils to the republican and international stage.
        let lift = strength.sqrt();
        let level_weights = [52.0, 28.0, 14.0, 3.0 * lift, 0.6 * lift];
        let level = Level::ALL[rng.weighted(&level_weights)];
        let podium = if level >= Level::Republican { strength.powf(0.75) } else { 1.0 };
        let result_weights = match level {
            Level::School => [15.0, 25.0, 15.0, 45.0],
            Level::District | Level::Regional => [6.0, 16.0, 16.0, 62.0],
            _ => [3.0 * podium, 9.0 * podium, 14.0, 74.0],
        };
        let result = AchievementResult::ALL[rng.weighted(&result_weights)];
        let earliest = std::cmp::max(days_before(child.identified_on, 365), years_after(child.birth_date, 6));
        let window = (self.export_date - earliest).num_days().max(2) as u64;
        let event_date = days_after(earliest, rng.range(0, window - 1));
        let patterns: Vec<&str> = vocab
            .events
            .iter()
            .filter(|(event_kind, event_level, _)| *event_kind == kind && event_level.is_none_or(|l| l == level))
            .map(|(_, _, pattern)| *pattern)
            .collect();
        let pattern = rng.pick::<&str>(&patterns);
        let event_name = fill(pattern, discipline, event_date.year());

        let mut cells = vec![Cell::Empty; ACHIEVEMENTS.columns.len()];
        set(&mut cells, &ACHIEVEMENTS, "iin", style.iin(child.iin.as_string()));
        set(&mut cells, &ACHIEVEMENTS, "event_name", Cell::Text(event_name));
        set(&mut cells, &ACHIEVEMENTS, "event_kind", style.word(kind.code(), kind.word(Lang::Kk), kind.word(Lang::Ru)));
        set(&mut cells, &ACHIEVEMENTS, "discipline", Cell::Text(discipline_word(rng, style, discipline)));
        set(&mut cells, &ACHIEVEMENTS, "level", style.word(level.code(), level.word(Lang::Kk), level.word(Lang::Ru)));
        set(&mut cells, &ACHIEVEMENTS, "event_date", style.date(event_date));
        let result_cell = match result {
            AchievementResult::Winner if style.layout != super::style::Layout::Jsonl && rng.chance(0.2) => {
                Cell::Text((*rng.pick(&["1", "I"])).to_owned())
            }
            AchievementResult::PrizeWinner if style.layout != super::style::Layout::Jsonl && rng.chance(0.2) => {
                Cell::Text((*rng.pick(&["2", "3", "II", "III"])).to_owned())
            }
            _ => style.word(result.code(), result.word(Lang::Kk), result.word(Lang::Ru)),
        };
        set(&mut cells, &ACHIEVEMENTS, "result", result_cell);
        let ids: Vec<String> = prepared_by.iter().map(|&index| all_teachers[index].iin.as_string()).collect();
        set(&mut cells, &ACHIEVEMENTS, "teacher_ids", style.list(&ids));
        AchievementDraft { cells, teachers: prepared_by }
    }
}

/// Picks one of a school's teachers, by strength, preferring one of the same domain.
fn pick_teacher(rng: &mut Rng, teachers: &[usize], all_teachers: &[TeacherDraft], domain: TalentDomain) -> usize {
    let weights: Vec<f64> = teachers
        .iter()
        .map(|&index| {
            let teacher = &all_teachers[index];
            teacher.strength * if teacher.domain == domain { 4.0 } else { 1.0 }
        })
        .collect();
    teachers[rng.weighted(&weights)]
}
