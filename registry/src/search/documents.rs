//! Turns one region's rows into index documents: one per current child, one per teacher
//! (see [`super::fields`] for what each field holds).

use std::collections::HashMap;

use serde_json::json;
use tantivy::TantivyDocument;
use tantivy::schema::Facet;

use super::facets::FacetBits;
use super::fields::IndexFields;
use super::key::ChildKeyer;
use super::rows::{AchievementRow, ChildRow, RegionRows, TeacherRow};
use crate::config::Item15Weights;
use crate::discipline::Taxonomy;
use crate::enums::{AchievementResult, AreaType, Level, TalentDomain};
use crate::kato::RegionCode;
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

fn facet(parts: &[&str]) -> Facet {
    Facet::from_path(parts.iter().copied())
}

fn full_name(last: &str, first: &str, patronymic: Option<&str>) -> String {
    match patronymic {
        Some(patronymic) if !patronymic.is_empty() => format!("{last} {first} {patronymic}"),
        _ => format!("{last} {first}"),
    }
}

/// Every spelling of a discipline as the rows hold it (a code, or text kept as written).
fn discipline_words(stored: &str, into: &mut String) {
    match Taxonomy::builtin().by_code(stored) {
        Some(discipline) => {
            for spelling in discipline.spellings() {
                into.push_str(spelling);
                into.push(' ');
            }
        }
        None => {
            into.push_str(stored);
            into.push(' ');
        }
    }
}

fn spelled<T: Copy>(value: Option<T>, spellings: impl Fn(T) -> Vec<&'static str>, into: &mut String) {
    if let Some(value) = value {
        for spelling in spellings(value) {
            into.push_str(spelling);
            into.push(' ');
        }
    }
}

fn region_words(region: &str, into: &mut String) {
    if let Some(code) = RegionCode::parse(region) {
        let record = code.region();
        for lang in Lang::ALL {
            into.push_str(record.name(lang));
            into.push(' ');
        }
        for old in record.old_names {
            into.push_str(old);
            into.push(' ');
        }
    }
}

fn achievement_words(achievement: &AchievementRow, into: &mut String) {
    if let Some(discipline) = &achievement.discipline {
        discipline_words(discipline, into);
    }
    spelled(Level::parse(&achievement.level), |level| level.spellings().collect(), into);
    spelled(AchievementResult::parse(&achievement.result), |result| result.spellings().collect(), into);
}

/// `Event name (2025): республикалық, жеңімпаз`, the line a snippet shows.
fn achievement_line(achievement: &AchievementRow) -> String {
    let level = Level::parse(&achievement.level).map(|level| level.word(Lang::Kk)).unwrap_or(&achievement.level);
    let result = AchievementResult::parse(&achievement.result)
        .map(|result| result.word(Lang::Kk))
        .unwrap_or(&achievement.result);
    format!("{} ({}): {level}, {result}", achievement.event_name, achievement.year)
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
        let teachers: HashMap<&str, &TeacherRow> =
            rows.teachers.iter().map(|teacher| (teacher.teacher_id.as_str(), teacher)).collect();
        let mut achievements_of: HashMap<&str, Vec<&AchievementRow>> = HashMap::new();
        let mut prepared_by: HashMap<&str, Vec<&AchievementRow>> = HashMap::new();
        for achievement in &rows.achievements {
            achievements_of.entry(achievement.iin.as_str()).or_default().push(achievement);
            for teacher_id in &achievement.teacher_ids {
                prepared_by.entry(teacher_id.as_str()).or_default().push(achievement);
            }
        }
        let mut measures_of: HashMap<&str, Vec<&super::rows::MeasureRow>> = HashMap::new();
        for measure in &rows.measures {
            measures_of.entry(measure.iin.as_str()).or_default().push(measure);
        }
        let mut documents = 0u64;
        let mut children_by_iin: HashMap<&str, &ChildRow> = HashMap::new();
        let mut school_names: HashMap<&str, &str> = HashMap::new();
        for child in &rows.children {
            children_by_iin.insert(child.iin.as_str(), child);
            school_names.entry(child.school_code.as_str()).or_insert(child.school_name.as_str());
            let achievements = achievements_of.get(child.iin.as_str()).map(Vec::as_slice).unwrap_or_default();
            let measures = measures_of.get(child.iin.as_str()).map(Vec::as_slice).unwrap_or_default();
            add(self.child_document(region, child, achievements, measures, &teachers))?;
            documents += 1;
        }
        for teacher in &rows.teachers {
            let prepared: Vec<(&ChildRow, &AchievementRow)> = prepared_by
                .get(teacher.teacher_id.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter_map(|achievement| Some((*children_by_iin.get(achievement.iin.as_str())?, *achievement)))
                .collect();
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
        measures: &[&super::rows::MeasureRow],
        teachers: &HashMap<&str, &TeacherRow>,
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

        let mut text = child.school_name.clone();
        if let Some(locality) = &child.locality {
            text.push_str(", ");
            text.push_str(locality);
        }
        text.push('\n');
        if let Some(interests) = &child.interests {
            text.push_str(interests);
            text.push('\n');
        }
        for achievement in achievements {
            text.push_str(&achievement_line(achievement));
            text.push('\n');
        }
        for measure in measures {
            text.push_str(&measure.title);
            text.push('\n');
        }
        // People's names are searched in `name` and `people`, not again in `words`.
        document.add_text(fields.words, &text);
        if !mentors.is_empty() {
            text.push_str("Тәлімгер / наставник: ");
            text.push_str(&mentors.join(", "));
        }
        document.add_text(fields.text, text);

        let mut tags = String::new();
        for discipline in &child.disciplines {
            discipline_words(discipline, &mut tags);
        }
        for domain in &child.domains {
            spelled(TalentDomain::parse(domain), |domain| domain.spellings().collect(), &mut tags);
        }
        spelled(AreaType::parse(&child.area_type), |area| area.spellings().collect(), &mut tags);
        if child.large_family {
            tags.push_str("көп балалы отбасы многодетная семья large family ");
        }
        if child.low_income {
            tags.push_str("аз қамтылған отбасы малообеспеченная семья low income ");
        }
        region_words(region, &mut tags);
        for achievement in achievements {
            achievement_words(achievement, &mut tags);
        }
        document.add_text(fields.words, tags);

        document.add_facet(fields.facets, facet(&["kind", "child"]));
        document.add_facet(fields.facets, facet(&["region", region]));
        document.add_facet(fields.facets, facet(&["district", &child.district_kato]));
        document.add_facet(fields.facets, facet(&["area", &child.area_type]));
        let groups: Vec<&str> = target_groups(child).collect();
        for group in &groups {
            document.add_facet(fields.facets, facet(&["group", group]));
        }
        for domain in &child.domains {
            document.add_facet(fields.facets, facet(&["domain", domain]));
        }
        for discipline in child.disciplines.iter().filter(|code| Taxonomy::builtin().by_code(code).is_some()) {
            document.add_facet(fields.facets, facet(&["discipline", discipline]));
        }
        for achievement in achievements {
            document.add_facet(fields.facets, facet(&["achievement", &achievement.level, &achievement.result]));
            document.add_facet(fields.facets, facet(&["result", &achievement.result]));
        }
        document.add_facet(fields.facets, facet(&["grade", &child.grade.to_string()]));
        document.add_facet(fields.facets, facet(&["status", &child.roadmap_status]));

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
        bits.set("grade", &child.grade.to_string());
        bits.set("roadmap_status", &child.roadmap_status);
        bits.add_to(&fields, &mut document);

        let best = achievements
            .iter()
            .max_by_key(|achievement| achievement_rank(&achievement.level, &achievement.result))
            .copied();
        document.add_u64(fields.best, best.map(|a| achievement_rank(&a.level, &a.result)).unwrap_or(0));
        let shown = json!({
            "name": name,
            "region": region,
            "district_kato": child.district_kato,
            "locality": child.locality,
            "area_type": child.area_type,
            "school_code": child.school_code,
            "school_name": child.school_name,
            "grade": child.grade,
            "groups": groups,
            "talent_domains": child.domains,
            "disciplines": child.disciplines,
            "roadmap_status": child.roadmap_status,
            "achievements": achievements.len(),
            "best_achievement": best.map(|a| json!({
                "event_name": a.event_name, "level": a.level, "result": a.result, "year": a.year,
            })),
        });
        document.add_text(fields.fields, shown.to_string());
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
            let line = achievement_line(achievement);
            text.push_str(&format!("{} {}: {line}\n", child.last_name, child.first_name));
            words.push_str(&line);
            words.push('\n');
        }
        // The pupils' names are searched in `people`, not again in `words`.
        document.add_text(fields.words, words);
        document.add_text(fields.text, text);

        let mut tags = String::new();
        if let Some(subject) = &teacher.subject {
            discipline_words(subject, &mut tags);
        }
        region_words(region, &mut tags);
        for (_, achievement) in prepared {
            achievement_words(achievement, &mut tags);
        }
        document.add_text(fields.words, tags);

        document.add_facet(fields.facets, facet(&["kind", "teacher"]));
        document.add_facet(fields.facets, facet(&["region", region]));
        if let Some(subject) = teacher.subject.as_deref().filter(|code| Taxonomy::builtin().by_code(code).is_some()) {
            document.add_facet(fields.facets, facet(&["discipline", subject]));
        }
        let mut groups: Vec<&str> = Vec::new();
        for (child, achievement) in prepared {
            document.add_facet(fields.facets, facet(&["achievement", &achievement.level, &achievement.result]));
            document.add_facet(fields.facets, facet(&["result", &achievement.result]));
            groups.extend(target_groups(child));
        }
        groups.sort_unstable();
        groups.dedup();
        for group in &groups {
            document.add_facet(fields.facets, facet(&["group", group]));
        }
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
        let shown = json!({
            "name": name,
            "region": region,
            "school_code": teacher.school_code,
            "school_name": school_name,
            "subject": teacher.subject,
            "pupils_prepared": pupils.len(),
            "item15_score": score,
            "item15_achievements": counted.len(),
        });
        document.add_text(fields.fields, shown.to_string());
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
