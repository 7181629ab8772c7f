//! Turns one region's rows into index documents: one per current child, one per teacher
//! (see [`super::fields`] for what each field holds).

use std::fmt::Write;

use rustc_hash::FxHashMap;
use serde::Serialize;
use tantivy::TantivyDocument;

use super::facets::FacetBits;
use super::fields::IndexFields;
use super::key::ChildKeyer;
use super::rows::{AchievementRow, ChildRow, MeasureRow, RegionRows, TeacherRow};
use super::tags::TagSet;
use crate::config::Item15Weights;
use crate::enums::{AchievementResult, AreaType, Level};
use crate::lang::Lang;

/// The rank of an achievement: level × 10 + result, so that any republican result beats
/// any regional one and, within a level, a winner beats a prize-winner.
pub fn achievement_rank(level: &str, result: &str) -> u64 {
    let level_rank = match Level::parse(level) {
        Some(Level::School) => 1,
        Some(Level::District) => 2,
        Some(Level::Regional) => 3,
        Some(Level::Republican) => 4,
        Some(Level::International) => 5,
        None => 0,
    };
    let result_rank = match AchievementResult::parse(result) {
        Some(AchievementResult::Winner) => 3,
        Some(AchievementResult::PrizeWinner) => 2,
        Some(AchievementResult::HonourableMention) => 1,
        Some(AchievementResult::Participant) | None => 0,
    };
    level_rank * 10 + result_rank
}

/// What makes two achievement rows one achievement: the child, the event, its kind,
/// the discipline, the date, the level and the result.
fn achievement_identity(achievement: &AchievementRow) -> (&str, &str, &str, Option<&str>, i32, &str, &str) {
    (
        &achievement.iin,
        &achievement.event_name,
        &achievement.event_kind,
        achievement.discipline.as_deref(),
        achievement.day,
        &achievement.level,
        &achievement.result,
    )
}

/// `Last First Patronymic`, joined with `concat`: the index builds millions of names,
/// and `format!` costs several times a plain copy.
fn full_name(last: &str, first: &str, patronymic: Option<&str>) -> String {
    match patronymic {
        Some(patronymic) if !patronymic.is_empty() => [last, " ", first, " ", patronymic].concat(),
        _ => [last, " ", first].concat(),
    }
}

/// The coded values of one document, and the disciplines kept as written (which have
/// no code, and are searched as words).
#[derive(Default)]
struct Tags {
    set: TagSet,
    written: String,
}

impl Tags {
    fn discipline(&mut self, stored: &str) {
        if !self.set.discipline(stored) {
            self.written.push_str(stored);
            self.written.push('\n');
        }
    }

    fn achievement(&mut self, achievement: &AchievementRow) {
        let discipline = achievement.discipline.as_deref();
        if !self.set.achievement(discipline, &achievement.level, &achievement.result) {
            self.written.push_str(discipline.unwrap_or_default());
            self.written.push('\n');
        }
    }

    fn add_to(self, fields: &IndexFields, document: &mut TantivyDocument) {
        if !self.written.is_empty() {
            document.add_text(fields.words, self.written);
        }
        for term in self.set.into_terms() {
            document.add_text(fields.tags, term);
        }
    }
}

/// Appends `Event name (2025)`, what `words` says of an achievement: its level and
/// result are tags, found by any of their spellings.
fn push_achievement_words(achievement: &AchievementRow, into: &mut String) {
    into.push_str(&achievement.event_name);
    let _ = write!(into, " ({})", achievement.year);
}

/// Appends `Event name (2025): республикалық, жеңімпаз`, the line a snippet shows.
fn push_achievement_line(achievement: &AchievementRow, into: &mut String) {
    push_achievement_words(achievement, into);
    let level = Level::parse(&achievement.level).map(|level| level.word(Lang::Kk)).unwrap_or(&achievement.level);
    let result = AchievementResult::parse(&achievement.result)
        .map(|result| result.word(Lang::Kk))
        .unwrap_or(&achievement.result);
    into.extend([": ", level, ", ", result]);
}

/// What a child hit shows (the stored `fields`).
#[derive(Serialize)]
struct ChildFields<'a> {
    name: &'a str,
    region: &'a str,
    district_kato: &'a str,
    locality: Option<&'a str>,
    area_type: &'a str,
    school_code: &'a str,
    school_name: &'a str,
    grade: i32,
    groups: &'a [&'static str],
    talent_domains: &'a [String],
    disciplines: &'a [String],
    roadmap_status: &'a str,
    achievements: usize,
    best_achievement: Option<BestAchievement<'a>>,
}

#[derive(Serialize)]
struct BestAchievement<'a> {
    event_name: &'a str,
    level: &'a str,
    result: &'a str,
    year: i32,
}

/// What a teacher hit shows.
#[derive(Serialize)]
struct TeacherFields<'a> {
    name: &'a str,
    region: &'a str,
    school_code: &'a str,
    school_name: Option<&'a str>,
    subject: Option<&'a str>,
    pupils_prepared: usize,
    item15_score: u64,
    item15_achievements: usize,
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain fields serialise")
}

/// Builds the documents of one region.
pub struct DocumentBuilder<'a> {
    pub fields: IndexFields,
    pub keyer: &'a ChildKeyer,
    /// Item 15's weights, for the teachers' scores (`daryn.toml`).
    pub weights: &'a Item15Weights,
}

impl DocumentBuilder<'_> {
    /// Hands each document of the region to `add` as soon as it is built, so a region's
    /// documents are never all in memory at once; returns how many there were.
    pub fn region_documents<E>(
        &self,
        region: &str,
        rows: &RegionRows,
        mut add: impl FnMut(TantivyDocument) -> Result<(), E>,
    ) -> Result<u64, E> {
        let teachers: FxHashMap<&str, &TeacherRow> =
            rows.teachers.iter().map(|teacher| (teacher.teacher_id.as_str(), teacher)).collect();
        let mut achievements_of: FxHashMap<&str, Vec<&AchievementRow>> = FxHashMap::default();
        let mut prepared_by: FxHashMap<&str, Vec<&AchievementRow>> = FxHashMap::default();
        for achievement in &rows.achievements {
            achievements_of.entry(achievement.iin.as_str()).or_default().push(achievement);
            for teacher_id in &achievement.teacher_ids {
                prepared_by.entry(teacher_id.as_str()).or_default().push(achievement);
            }
        }
        let mut measures_of: FxHashMap<&str, Vec<&MeasureRow>> = FxHashMap::default();
        for measure in &rows.measures {
            measures_of.entry(measure.iin.as_str()).or_default().push(measure);
        }
        let mut documents = 0u64;
        let mut children_by_iin: FxHashMap<&str, &ChildRow> = FxHashMap::default();
        let mut school_names: FxHashMap<&str, &str> = FxHashMap::default();
        for child in &rows.children {
            children_by_iin.insert(child.iin.as_str(), child);
            school_names.entry(child.school_code.as_str()).or_insert(child.school_name.as_str());
            let achievements = achievements_of.get(child.iin.as_str()).map(Vec::as_slice).unwrap_or_default();
            let measures = measures_of.get(child.iin.as_str()).map(Vec::as_slice).unwrap_or_default();
            add(self.child_document(region, child, achievements, measures, &teachers))?;
            documents += 1;
        }
        for teacher in &rows.teachers {
            let mut prepared: Vec<(&ChildRow, &AchievementRow)> = prepared_by
                .get(teacher.teacher_id.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter_map(|achievement| Some((*children_by_iin.get(achievement.iin.as_str())?, *achievement)))
                .collect();
            // An achievement pasted twice (or a teacher listed twice on it) is one, as in
            // item 15's report (`top-teachers.sql`).
            prepared.sort_by(|(_, a), (_, b)| achievement_identity(a).cmp(&achievement_identity(b)));
            prepared.dedup_by(|(_, a), (_, b)| achievement_identity(a) == achievement_identity(b));
            let school_name = school_names.get(teacher.school_code.as_str()).copied();
            add(self.teacher_document(region, teacher, school_name, &prepared))?;
            documents += 1;
        }
        Ok(documents)
    }

    fn child_document(
        &self,
        region: &str,
        child: &ChildRow,
        achievements: &[&AchievementRow],
        measures: &[&MeasureRow],
        teachers: &FxHashMap<&str, &TeacherRow>,
    ) -> TantivyDocument {
        let fields = self.fields;
        let mut document = TantivyDocument::default();
        let name = full_name(&child.last_name, &child.first_name, child.patronymic.as_deref());
        document.add_text(fields.kind, "child");
        document.add_text(fields.key, self.keyer.child_key(&child.iin));
        document.add_text(fields.name, &name);

        let mut mentor_ids: Vec<&str> = measures.iter().filter_map(|measure| measure.teacher_id.as_deref()).collect();
        mentor_ids
            .extend(achievements.iter().flat_map(|achievement| achievement.teacher_ids.iter().map(String::as_str)));
        mentor_ids.sort_unstable();
        mentor_ids.dedup();
        let mentors: Vec<String> = mentor_ids
            .iter()
            .filter_map(|id| teachers.get(id))
            .map(|teacher| full_name(&teacher.last_name, &teacher.first_name, teacher.patronymic.as_deref()))
            .collect();
        for mentor in &mentors {
            document.add_text(fields.people, mentor);
        }

        // `words` is the stored `text` without people's names (searched in `name` and
        // `people`) and without the levels and results of achievements (tags).
        let mut words = child.school_name.clone();
        if let Some(locality) = &child.locality {
            words.push_str(", ");
            words.push_str(locality);
        }
        words.push('\n');
        if let Some(interests) = &child.interests {
            words.push_str(interests);
            words.push('\n');
        }
        let mut text = words.clone();
        for achievement in achievements {
            push_achievement_words(achievement, &mut words);
            words.push('\n');
            push_achievement_line(achievement, &mut text);
            text.push('\n');
        }
        for measure in measures {
            for into in [&mut words, &mut text] {
                into.push_str(&measure.title);
                into.push('\n');
            }
        }
        document.add_text(fields.words, words);
        if !mentors.is_empty() {
            text.push_str("Тәлімгер / наставник: ");
            text.push_str(&mentors.join(", "));
        }
        document.add_text(fields.text, text);

        let groups: Vec<&'static str> = target_groups(child).collect();
        let grade = child.grade.to_string();
        let mut tags = Tags::default();
        tags.set.add("kind", "child");
        tags.set.add("region", region);
        tags.set.add("district", &child.district_kato);
        tags.set.add("area", &child.area_type);
        tags.set.add("grade", &grade);
        tags.set.add("status", &child.roadmap_status);
        for group in &groups {
            tags.set.add("group", group);
        }
        for domain in &child.domains {
            tags.set.add("domain", domain);
        }
        for discipline in &child.disciplines {
            tags.discipline(discipline);
        }
        for achievement in achievements {
            tags.achievement(achievement);
        }
        tags.add_to(&fields, &mut document);

        let mut bits = FacetBits::default();
        bits.set("region", region);
        bits.set("area_type", &child.area_type);
        groups.iter().for_each(|group| bits.set("group", group));
        child.domains.iter().for_each(|domain| bits.set("domain", domain));
        child.disciplines.iter().for_each(|discipline| bits.set("discipline", discipline));
        for achievement in achievements {
            bits.set("level", &achievement.level);
            bits.set("result", &achievement.result);
        }
        bits.set("grade", &grade);
        bits.set("roadmap_status", &child.roadmap_status);
        bits.add_to(&fields, &mut document);

        let best = achievements
            .iter()
            .max_by_key(|achievement| achievement_rank(&achievement.level, &achievement.result))
            .copied();
        document.add_u64(fields.best, best.map(|a| achievement_rank(&a.level, &a.result)).unwrap_or(0));
        let shown = ChildFields {
            name: &name,
            region,
            district_kato: &child.district_kato,
            locality: child.locality.as_deref(),
            area_type: &child.area_type,
            school_code: &child.school_code,
            school_name: &child.school_name,
            grade: child.grade,
            groups: &groups,
            talent_domains: &child.domains,
            disciplines: &child.disciplines,
            roadmap_status: &child.roadmap_status,
            achievements: achievements.len(),
            best_achievement: best.map(|a| BestAchievement {
                event_name: &a.event_name,
                level: &a.level,
                result: &a.result,
                year: a.year,
            }),
        };
        document.add_text(fields.fields, json(&shown));
        document
    }

    fn teacher_document(
        &self,
        region: &str,
        teacher: &TeacherRow,
        school_name: Option<&str>,
        prepared: &[(&ChildRow, &AchievementRow)],
    ) -> TantivyDocument {
        let fields = self.fields;
        let mut document = TantivyDocument::default();
        let name = full_name(&teacher.last_name, &teacher.first_name, teacher.patronymic.as_deref());
        document.add_text(fields.kind, "teacher");
        document.add_text(fields.key, &teacher.teacher_id);
        document.add_text(fields.name, &name);

        let mut text = String::new();
        let mut words = String::new();
        if let Some(school_name) = school_name {
            text.push_str(school_name);
            text.push('\n');
            words.push_str(school_name);
            words.push('\n');
        }
        let mut pupils: Vec<&ChildRow> = prepared.iter().map(|(child, _)| *child).collect();
        pupils.sort_by_key(|child| child.iin.as_str());
        pupils.dedup_by_key(|child| child.iin.as_str());
        for pupil in &pupils {
            document
                .add_text(fields.people, full_name(&pupil.last_name, &pupil.first_name, pupil.patronymic.as_deref()));
        }
        for (child, achievement) in prepared {
            push_achievement_words(achievement, &mut words);
            words.push('\n');
            text.extend([&*child.last_name, " ", &child.first_name, ": "]);
            push_achievement_line(achievement, &mut text);
            text.push('\n');
        }
        // The pupils' names are searched in `people`, not again in `words`; the levels and
        // results are tags.
        document.add_text(fields.words, words);
        document.add_text(fields.text, text);

        let mut groups: Vec<&'static str> = prepared.iter().flat_map(|(child, _)| target_groups(child)).collect();
        groups.sort_unstable();
        groups.dedup();
        let mut tags = Tags::default();
        tags.set.add("kind", "teacher");
        tags.set.add("region", region);
        if let Some(subject) = &teacher.subject {
            tags.discipline(subject);
        }
        for group in &groups {
            tags.set.add("group", group);
        }
        for (_, achievement) in prepared {
            tags.achievement(achievement);
        }
        tags.add_to(&fields, &mut document);

        let mut bits = FacetBits::default();
        bits.set("region", region);
        if let Some(subject) = &teacher.subject {
            bits.set("discipline", subject);
        }
        for (_, achievement) in prepared {
            bits.set("level", &achievement.level);
            bits.set("result", &achievement.result);
        }
        groups.iter().for_each(|group| bits.set("group", group));
        bits.add_to(&fields, &mut document);

        let counted: Vec<&AchievementRow> = prepared
            .iter()
            .map(|(_, achievement)| *achievement)
            .filter(|achievement| self.weights.points(&achievement.level, &achievement.result) > 0)
            .collect();
        let score: u64 = counted
            .iter()
            .map(|achievement| u64::from(self.weights.points(&achievement.level, &achievement.result)))
            .sum();
        document.add_u64(fields.best, score);
        let shown = TeacherFields {
            name: &name,
            region,
            school_code: &teacher.school_code,
            school_name,
            subject: teacher.subject.as_deref(),
            pupils_prepared: pupils.len(),
            item15_score: score,
            item15_achievements: counted.len(),
        };
        document.add_text(fields.fields, json(&shown));
        document
    }
}

/// The target groups of the decree a child belongs to: rural, large family, low income.
fn target_groups(child: &ChildRow) -> impl Iterator<Item = &'static str> {
    [
        (child.area_type == AreaType::Rural.code(), "rural"),
        (child.large_family, "large_family"),
        (child.low_income, "low_income"),
    ]
    .into_iter()
    .filter_map(|(belongs, group)| belongs.then_some(group))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_order_levels_before_results() {
        assert!(achievement_rank("republican", "participant") > achievement_rank("regional", "winner"));
        assert!(achievement_rank("international", "winner") > achievement_rank("international", "prize_winner"));
        assert_eq!(achievement_rank("school", "participant"), 10);
        assert_eq!(achievement_rank("nonsense", "nonsense"), 0);
    }
}
