//! The coded values of a hit, one term each in the `tags` field: what the filters of a
//! search select, and what a word that spells a value (`шахмат`, `жүлдегер`, `облысы`)
//! finds.
//!
//! | term | what |
//! |---|---|
//! | `kind/child`, `kind/teacher` | the kind of hit |
//! | `region/35`, `district/…`, `area/rural`, `grade/7`, `status/…` | a child's place, grade and roadmap status |
//! | `group/rural`, `group/large_family`, `group/low_income` | the decree's target groups (a teacher's: its pupils') |
//! | `domain/science`, `discipline/chess` | a child's talent domains and disciplines; a teacher's subject |
//! | `achieved/chess` | the discipline of an achievement, when not already a `discipline/…` |
//! | `level/republican`, `level/republican/winner`, `result/winner` | the levels and results of achievements (a teacher's: its pupils') |
//!
//! A discipline has up to a dozen spellings in three languages. When each value was
//! indexed as the words of all its spellings, they were about a hundred of the 170
//! words of a child's document and most of the cost of building the index; and the
//! values were indexed once more as tantivy facets, which add a term for every level of
//! their path. Here each value is one term. A word typed looks up the values with a
//! spelling that has that word ([`values_spelled_with`]), as well as the text: a search
//! finds what it found when the spellings were indexed, and the spellings can change
//! without rebuilding the index.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::analysis::{Analysis, KazakhTokenizer};
use crate::discipline::Taxonomy;
use crate::enums::{AchievementResult, AreaType, Level, TalentDomain};
use crate::kato::Region;
use crate::lang::Lang;

/// The words a large family is searched by, in Kazakh, Russian and English.
const LARGE_FAMILY: &[&str] = &["көп балалы отбасы", "многодетная семья", "large family"];
/// The words a low-income family is searched by.
const LOW_INCOME: &[&str] = &["аз қамтылған отбасы", "малообеспеченная семья", "low income"];

/// The term of one value: `name/value`.
pub fn tag(name: &str, value: &str) -> String {
    [name, "/", value].concat()
}

/// The term of an achievement's level and result together (`level/republican/winner`),
/// so that a filter on both holds for one achievement.
pub fn level_result(level: &str, result: &str) -> String {
    ["level/", level, "/", result].concat()
}

/// The terms of one document, each once.
#[derive(Debug, Default)]
pub struct TagSet {
    terms: Vec<String>,
    /// The disciplines of the hit itself, which `achieved/…` does not repeat.
    own_disciplines: Vec<String>,
}

impl TagSet {
    pub fn add(&mut self, name: &str, value: &str) {
        self.terms.push(tag(name, value));
    }

    /// A discipline of the hit (a child's, a teacher's subject): its code, or text kept as
    /// written (which has no term, and is then searched as words by the caller).
    pub fn discipline(&mut self, stored: &str) -> bool {
        let known = Taxonomy::builtin().by_code(stored).is_some();
        if known {
            self.add("discipline", stored);
            self.own_disciplines.push(stored.to_owned());
        }
        known
    }

    /// An achievement's discipline, level and result; false when the discipline is text
    /// kept as written.
    pub fn achievement(&mut self, discipline: Option<&str>, level: &str, result: &str) -> bool {
        self.add("level", level);
        self.terms.push(level_result(level, result));
        self.add("result", result);
        match discipline {
            Some(code) if Taxonomy::builtin().by_code(code).is_some() => {
                if !self.own_disciplines.iter().any(|own| own == code) {
                    self.add("achieved", code);
                }
                true
            }
            Some(_) => false,
            None => true,
        }
    }

    /// The terms, sorted, each once.
    pub fn into_terms(mut self) -> Vec<String> {
        self.terms.sort_unstable();
        self.terms.dedup();
        self.terms
    }
}

/// Every value a person may type, with the terms that hold it and its spellings.
fn spelled_values() -> Vec<(Vec<String>, Vec<&'static str>)> {
    let mut all: Vec<(Vec<String>, Vec<&'static str>)> = Vec::new();
    for entry in Taxonomy::builtin().all() {
        all.push((vec![tag("discipline", &entry.code), tag("achieved", &entry.code)], entry.spellings().collect()));
    }
    for &domain in TalentDomain::ALL {
        all.push((vec![tag("domain", domain.code())], domain.spellings().collect()));
    }
    for &area in AreaType::ALL {
        all.push((vec![tag("area", area.code())], area.spellings().collect()));
    }
    all.push((vec![tag("group", "large_family")], LARGE_FAMILY.to_vec()));
    all.push((vec![tag("group", "low_income")], LOW_INCOME.to_vec()));
    for region in Region::all() {
        // The full names too ("Қарағанды облысы", "г. Алматы"): every word of a query must
        // match, and `облысы` or `область` alone spells no value. Leaked once: this
        // list is built once, for a static map.
        let full_names = [Lang::Kk, Lang::Ru, Lang::En].map(|lang| &*region.full_name(lang).leak());
        all.push((vec![tag("region", &region.code.to_string())], region.names().chain(full_names).collect()));
    }
    for &level in Level::ALL {
        all.push((vec![tag("level", level.code())], level.spellings().collect()));
    }
    for &result in AchievementResult::ALL {
        all.push((vec![tag("result", result.code())], result.spellings().collect()));
    }
    all
}

/// The terms of the values one analysed word of a query (a key of the text analyzer)
/// spells: those with a spelling that has this word. Empty for most words. A word that
/// is a whole spelling of a level or result (`winner`) spells no other level or result
/// whose longer spelling has it (`prize winner`): typed together, those words are that
/// value ([`values_spelled_by`]). (A discipline's word still finds the disciplines
/// spelled with it, `күрес` and `қазақ күресі`.)
pub fn values_spelled_with(key: &str) -> &'static [String] {
    spellings().by_word.get(key).map(Vec::as_slice).unwrap_or_default()
}

/// The terms of the values whose spelling of two or more words is exactly these keys
/// (joined with spaces): `prize winner`, `Республиканская олимпиада`. Empty for others.
pub fn values_spelled_by(keys: &str) -> &'static [String] {
    spellings().by_words.get(keys).map(Vec::as_slice).unwrap_or_default()
}

/// The terms of the values spelled by one word that is exactly this name key (a key of
/// the name analyzer: not stemmed): `Астана`, `шахмат`, but not `Сұлтан`, a word of
/// `Нұр-Сұлтан`, nor `Семён`, whose stem is `семья`'s. What a word that is someone's
/// name looks values up by (see `query::words::word_groups`).
pub fn values_spelled_as(name_key: &str) -> &'static [String] {
    spellings().by_name.get(name_key).map(Vec::as_slice).unwrap_or_default()
}

/// Every value's spellings as keys of the text analyzer, looked up by one word and by
/// the words of a longer spelling, and the one-word spellings by their name keys;
/// analysed once, at the first search.
struct Spellings {
    by_word: HashMap<String, Vec<String>>,
    by_words: HashMap<String, Vec<String>>,
    by_name: HashMap<String, Vec<String>>,
}

fn spellings() -> &'static Spellings {
    static SPELLINGS: OnceLock<Spellings> = OnceLock::new();
    SPELLINGS.get_or_init(|| {
        let mut analyser = KazakhTokenizer::new(Analysis::Text);
        let values = spelled_values();
        let spelled: Vec<(Vec<String>, Vec<Vec<String>>)> = values
            .iter()
            .map(|(terms, spellings)| {
                (terms.clone(), spellings.iter().map(|spelling| analyser.keys(spelling)).collect())
            })
            .collect();
        let achievement =
            |terms: &[String]| terms.iter().any(|term| term.starts_with("level/") || term.starts_with("result/"));
        let whole: std::collections::HashSet<&String> = spelled
            .iter()
            .filter(|(terms, _)| achievement(terms))
            .flat_map(|(_, spellings)| spellings.iter().filter(|keys| keys.len() == 1).map(|keys| &keys[0]))
            .collect();
        let add = |map: &mut HashMap<String, Vec<String>>, key: String, terms: &[String]| {
            let found = map.entry(key).or_default();
            for term in terms {
                if !found.contains(term) {
                    found.push(term.clone());
                }
            }
        };
        let mut found = Spellings { by_word: HashMap::new(), by_words: HashMap::new(), by_name: HashMap::new() };
        let mut names = KazakhTokenizer::new(Analysis::Name);
        for (terms, spellings) in &values {
            for spelling in spellings {
                if let [name_key] = &names.keys(spelling)[..] {
                    add(&mut found.by_name, name_key.clone(), terms);
                }
            }
        }
        for (terms, spellings) in &spelled {
            for keys in spellings {
                let shared = |key: &&String| keys.len() == 1 || !achievement(terms) || !whole.contains(key);
                for key in keys.iter().filter(shared) {
                    add(&mut found.by_word, key.clone(), terms);
                }
                if keys.len() >= 2 {
                    add(&mut found.by_words, keys.join(" "), terms);
                }
            }
        }
        found
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(word: &str) -> String {
        KazakhTokenizer::new(Analysis::Text).key(word).unwrap()
    }

    fn spells(word: &str, term: &str) -> bool {
        values_spelled_with(&key(word)).iter().any(|found| found == term)
    }

    #[test]
    fn a_word_of_any_spelling_leads_to_its_value() {
        assert!(Taxonomy::builtin().by_code("chess").is_some());
        for word in ["chess", "шахмат", "Шахматы", "шахматтан"] {
            assert!(spells(word, "discipline/chess") && spells(word, "achieved/chess"), "`{word}`");
        }
        assert!(spells("республиканский", "level/republican"));
        // `winner` is a whole spelling of its own: it is not also `prize winner`, which
        // the two words typed together are.
        assert!(spells("winner", "result/winner") && !spells("winner", "result/prize_winner"));
        assert!(spells("prize", "result/prize_winner"));
        let both = KazakhTokenizer::new(Analysis::Text).keys("prize winner").join(" ");
        assert_eq!(values_spelled_by(&both), ["result/prize_winner"]);
        assert!(spells("жүлдегер", "result/prize_winner"));
        assert!(spells("многодетная", "group/large_family"));
        assert!(spells("ауыл", "area/rural"));
        // A word two spellings share leads to both.
        assert!(spells("семья", "group/large_family") && spells("семья", "group/low_income"));
        assert!(values_spelled_with(&key("олимпиада")).is_empty());
    }

    #[test]
    fn regions_are_found_by_every_name() {
        let region = Region::all().iter().find(|region| !region.old_names.is_empty()).unwrap();
        let term = tag("region", &region.code.to_string());
        let mut analyser = KazakhTokenizer::new(Analysis::Text);
        for name in region.names() {
            let keys = analyser.keys(name);
            assert!(keys.iter().any(|key| values_spelled_with(key).contains(&term)), "`{name}`");
        }
    }

    #[test]
    fn a_set_holds_each_value_once_and_an_achieved_discipline_only_when_new() {
        let mut set = TagSet::default();
        assert!(set.discipline("chess"));
        assert!(!set.discipline("кружок оригами"));
        assert!(set.achievement(Some("chess"), "republican", "winner"));
        assert!(set.achievement(Some("physics"), "republican", "participant"));
        assert!(!set.achievement(Some("кружок оригами"), "school", "winner"));
        set.add("region", "35");
        set.add("region", "35");
        let expected = [
            "achieved/physics",
            "discipline/chess",
            "level/republican",
            "level/republican/participant",
            "level/republican/winner",
            "level/school",
            "level/school/winner",
            "region/35",
            "result/participant",
            "result/winner",
        ];
        assert_eq!(set.into_terms(), expected);
    }
}
