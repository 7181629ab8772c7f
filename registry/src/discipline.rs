//! The discipline taxonomy: each discipline belongs to one of the five talent domains and
//! has Kazakh, Russian and English names plus the spellings real exports use. The table
//! is `registry/data/disciplines.csv`, built into the binary.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::enums::TalentDomain;
use crate::lang::Lang;
use crate::spelling::{fold, folded};

const TABLE: &str = include_str!("../data/disciplines.csv");

/// One discipline of the taxonomy.
#[derive(Debug, PartialEq, Eq)]
pub struct Discipline {
    pub code: String,
    pub domain: TalentDomain,
    pub name_kk: String,
    pub name_ru: String,
    pub name_en: String,
    pub aliases: Vec<String>,
}

impl Discipline {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Kk => &self.name_kk,
            Lang::Ru => &self.name_ru,
            Lang::En => &self.name_en,
        }
    }

    /// Every accepted spelling: the code, the three names and the aliases.
    pub fn spellings(&self) -> impl Iterator<Item = &str> {
        [self.code.as_str(), &self.name_kk, &self.name_ru, &self.name_en]
            .into_iter()
            .chain(self.aliases.iter().map(String::as_str))
    }
}

/// The whole taxonomy with its lookup by any spelling.
#[derive(Debug)]
pub struct Taxonomy {
    disciplines: Vec<Discipline>,
    by_spelling: FxHashMap<String, usize>,
    by_code: FxHashMap<String, usize>,
}

impl Taxonomy {
    /// The built-in taxonomy, parsed once.
    pub fn builtin() -> &'static Taxonomy {
        static TAXONOMY: OnceLock<Taxonomy> = OnceLock::new();
        TAXONOMY.get_or_init(|| Taxonomy::parse(TABLE).expect("the built-in discipline table is valid"))
    }

    fn parse(text: &str) -> Result<Taxonomy, String> {
        let mut lines = text.lines();
        let header = lines.next().ok_or("empty discipline table")?;
        if header != "code,domain,name_kk,name_ru,name_en,aliases" {
            return Err(format!("unexpected header `{header}`"));
        }
        let mut taxonomy =
            Taxonomy { disciplines: Vec::new(), by_spelling: FxHashMap::default(), by_code: FxHashMap::default() };
        for line in lines.filter(|line| !line.trim().is_empty()) {
            let fields: Vec<&str> = line.split(',').collect();
            let [code, domain, name_kk, name_ru, name_en, aliases] = fields[..] else {
                return Err(format!("line `{line}` does not have six fields"));
            };
            let domain = TalentDomain::parse(domain).ok_or_else(|| format!("unknown domain `{domain}`"))?;
            let discipline = Discipline {
                code: code.to_owned(),
                domain,
                name_kk: name_kk.to_owned(),
                name_ru: name_ru.to_owned(),
                name_en: name_en.to_owned(),
                aliases: aliases.split('|').filter(|alias| !alias.is_empty()).map(str::to_owned).collect(),
            };
            let index = taxonomy.disciplines.len();
            for spelling in discipline.spellings() {
                if let Some(previous) = taxonomy.by_spelling.insert(fold(spelling), index)
                    && previous != index
                {
                    return Err(format!("spelling `{spelling}` names two disciplines"));
                }
            }
            // Each spelling also as the table writes it (`Математика`), which is how most
            // exports write it too: `lookup` finds those without folding. Such a key
            // cannot name another discipline, since its folded form would too.
            for spelling in discipline.spellings() {
                taxonomy.by_spelling.entry(spelling.to_owned()).or_insert(index);
            }
            if taxonomy.by_code.insert(discipline.code.clone(), index).is_some() {
                return Err(format!("code `{code}` is given twice"));
            }
            taxonomy.disciplines.push(discipline);
        }
        Ok(taxonomy)
    }

    pub fn all(&self) -> &[Discipline] {
        &self.disciplines
    }

    /// Finds the discipline a typed name means, in any language, case or spacing.
    pub fn lookup(&self, text: &str) -> Option<&Discipline> {
        let text = text.trim_matches(|ch: char| ch == '«' || ch == '»' || ch == '"');
        // A name typed as the taxonomy keeps it needs no folding.
        let index = match self.by_spelling.get(text) {
            Some(&index) => index,
            None => *self.by_spelling.get(folded(text).as_ref())?,
        };
        Some(&self.disciplines[index])
    }

    pub fn by_code(&self, code: &str) -> Option<&Discipline> {
        self.by_code.get(code).map(|&index| &self.disciplines[index])
    }

    pub fn in_domain(&self, domain: TalentDomain) -> impl Iterator<Item = &Discipline> {
        self.disciplines.iter().filter(move |discipline| discipline.domain == domain)
    }
}

/// A discipline as a row holds it: normalised when the taxonomy knows the name, kept as
/// written (and warned about) when it does not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DisciplineRef {
    Known(&'static str),
    Unknown(String),
}

impl DisciplineRef {
    pub fn resolve(text: &str) -> DisciplineRef {
        match Taxonomy::builtin().lookup(text) {
            Some(discipline) => DisciplineRef::Known(discipline.code.as_str()),
            None => DisciplineRef::Unknown(text.trim().to_owned()),
        }
    }

    /// The value stored: the code of a known discipline, the text of an unknown one.
    pub fn as_str(&self) -> &str {
        match self {
            DisciplineRef::Known(code) => code,
            DisciplineRef::Unknown(text) => text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_taxonomy_covers_all_five_domains_with_sixty_or_more_disciplines() {
        let taxonomy = Taxonomy::builtin();
        assert!(taxonomy.all().len() >= 60, "{} disciplines", taxonomy.all().len());
        for &domain in TalentDomain::ALL {
            assert!(taxonomy.in_domain(domain).count() >= 3, "{domain} has too few disciplines");
        }
    }

    #[test]
    fn synonyms_in_three_languages_meet() {
        let taxonomy = Taxonomy::builtin();
        let code = |text: &str| taxonomy.lookup(text).map(|discipline| discipline.code.clone());
        assert_eq!(code("математика"), code("Mathematics"));
        assert_eq!(code("math"), code("МАТЕМАТИКА"));
        assert_eq!(code("шахмат"), code("шахматы"));
        assert_eq!(code("chess"), code("шахматы"));
        assert_eq!(code("домбыра"), code("домбра"));
        assert!(code("математика").is_some());
        assert!(code("chess").is_some());
        assert_eq!(code("basket weaving on mars"), None);
    }

    #[test]
    fn every_spelling_round_trips_to_its_discipline() {
        let taxonomy = Taxonomy::builtin();
        for discipline in taxonomy.all() {
            for spelling in discipline.spellings() {
                assert_eq!(taxonomy.lookup(spelling).map(|d| &d.code), Some(&discipline.code), "`{spelling}`");
                // Upper case is lossless except for letters like the Latin dotless ı.
                let upper = spelling.to_uppercase();
                if fold(&upper) == fold(spelling) {
                    assert_eq!(taxonomy.lookup(&upper).map(|d| &d.code), Some(&discipline.code));
                }
            }
        }
    }

    #[test]
    fn unknown_names_are_kept_as_written() {
        assert_eq!(DisciplineRef::resolve(" Кубизм ").as_str(), "Кубизм");
        assert!(matches!(DisciplineRef::resolve("шахматы"), DisciplineRef::Known(_)));
    }
}
