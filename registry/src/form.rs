//! The roadmap form (item 7 of the decree) as data: its four tables, their columns with
//! canonical names and Kazakh and Russian template headers, column types, and what each
//! column means. Readers map headers through here; the templates and `docs/FORM.md` are
//! written from here; [`rules`] checks rows against it.

pub mod columns;
pub mod document;
pub mod rules;

use crate::enums::*;
use crate::lang::{Lang, Trilingual};
use crate::spelling::fold;

pub use columns::{ACHIEVEMENTS, CHILDREN, MEASURES, TEACHERS};

/// The four tables of a drop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TableKind {
    Children,
    Measures,
    Achievements,
    Teachers,
}

impl TableKind {
    pub const ALL: [TableKind; 4] =
        [TableKind::Children, TableKind::Measures, TableKind::Achievements, TableKind::Teachers];

    /// The file stem and canonical sheet name: `children`, `measures`, …
    pub fn name(self) -> &'static str {
        match self {
            TableKind::Children => "children",
            TableKind::Measures => "measures",
            TableKind::Achievements => "achievements",
            TableKind::Teachers => "teachers",
        }
    }

    pub fn sheet_name(self, lang: Lang) -> &'static str {
        let names = match self {
            TableKind::Children => Trilingual { kk: "Балалар", ru: "Дети", en: "children" },
            TableKind::Measures => {
                Trilingual { kk: "Іс-шаралар", ru: "Мероприятия", en: "measures" }
            }
            TableKind::Achievements => {
                Trilingual { kk: "Жетістіктер", ru: "Достижения", en: "achievements" }
            }
            TableKind::Teachers => Trilingual { kk: "Мұғалімдер", ru: "Педагоги", en: "teachers" },
        };
        names.get(lang)
    }

    /// Finds the table a sheet or file stem names, in any of the three languages.
    pub fn from_sheet_name(name: &str) -> Option<TableKind> {
        let folded = fold(name);
        TableKind::ALL.into_iter().find(|table| Lang::ALL.iter().any(|&lang| fold(table.sheet_name(lang)) == folded))
    }

    /// Finds the table a sheet is named for, also when the name goes on after the table's
    /// name with something other than a letter: `Іс-шаралар 2026`, `Балалар (2)` (Excel's
    /// name for a copied sheet), `measures_new`.
    pub fn from_sheet_name_loosely(name: &str) -> Option<TableKind> {
        TableKind::from_sheet_name(name).or_else(|| {
            let folded = fold(name);
            TableKind::ALL.into_iter().find(|table| {
                Lang::ALL.iter().any(|&lang| {
                    folded
                        .strip_prefix(fold(table.sheet_name(lang)).as_str())
                        .is_some_and(|rest| rest.chars().next().is_some_and(|next| !next.is_alphabetic()))
                })
            })
        })
    }

    pub fn is_required(self) -> bool {
        self == TableKind::Children
    }

    pub fn definition(self) -> &'static TableDef {
        match self {
            TableKind::Children => &CHILDREN,
            TableKind::Measures => &MEASURES,
            TableKind::Achievements => &ACHIEVEMENTS,
            TableKind::Teachers => &TEACHERS,
        }
    }
}

impl std::fmt::Display for TableKind {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.name())
    }
}

/// The closed vocabularies a column may draw from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vocabulary {
    Sex,
    AreaType,
    YesNo,
    InstructionLanguage,
    TalentDomain,
    IdentificationMethod,
    RoadmapStatus,
    MeasureType,
    MeasureStatus,
    FundingSource,
    EventKind,
    Level,
    AchievementResult,
}

impl Vocabulary {
    /// The words a template in `lang` offers, in the contract's order.
    pub fn words(self, lang: Lang) -> Vec<&'static str> {
        fn words_of<T: Copy>(all: &[T], word: impl Fn(T, Lang) -> &'static str, lang: Lang) -> Vec<&'static str> {
            all.iter().map(|&value| word(value, lang)).collect()
        }
        match self {
            Vocabulary::Sex => words_of(Sex::ALL, Sex::word, lang),
            Vocabulary::AreaType => words_of(AreaType::ALL, AreaType::word, lang),
            Vocabulary::YesNo => words_of(YesNo::ALL, YesNo::word, lang),
            Vocabulary::InstructionLanguage => words_of(InstructionLanguage::ALL, InstructionLanguage::word, lang),
            Vocabulary::TalentDomain => words_of(TalentDomain::ALL, TalentDomain::word, lang),
            Vocabulary::IdentificationMethod => words_of(IdentificationMethod::ALL, IdentificationMethod::word, lang),
            Vocabulary::RoadmapStatus => words_of(RoadmapStatus::ALL, RoadmapStatus::word, lang),
            Vocabulary::MeasureType => words_of(MeasureType::ALL, MeasureType::word, lang),
            Vocabulary::MeasureStatus => words_of(MeasureStatus::ALL, MeasureStatus::word, lang),
            Vocabulary::FundingSource => words_of(FundingSource::ALL, FundingSource::word, lang),
            Vocabulary::EventKind => words_of(EventKind::ALL, EventKind::word, lang),
            Vocabulary::Level => words_of(Level::ALL, Level::word, lang),
            Vocabulary::AchievementResult => words_of(AchievementResult::ALL, AchievementResult::word, lang),
        }
    }
}

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    /// An IIN: twelve digits, kept as text so that leading zeros survive.
    Iin,
    Date,
    Int,
    Decimal,
    /// One word of a vocabulary.
    Enum(Vocabulary),
    /// Several words of a vocabulary, separated by `;` or `,`.
    EnumList(Vocabulary),
    /// Free values separated by `;` or `,`.
    List,
    /// A KATO code or a name.
    Kato,
}

/// Whether a value must be given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requirement {
    Required,
    Optional,
    /// Required only in some rows; the rule says when.
    Conditional,
}

/// One column of the form.
#[derive(Debug)]
pub struct ColumnDef {
    pub name: &'static str,
    pub header_kk: &'static str,
    pub header_ru: &'static str,
    pub column_type: ColumnType,
    pub requirement: Requirement,
    /// What goes in the column, for the template's explanation sheet and `docs/FORM.md`.
    pub help: Trilingual,
}

impl ColumnDef {
    pub fn header(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Kk => self.header_kk,
            Lang::Ru => self.header_ru,
            Lang::En => self.name,
        }
    }

    pub fn is_required(&self) -> bool {
        self.requirement == Requirement::Required
    }

    /// Whether the column holds IINs: one (`iin`, `teacher_id`), or a list of them
    /// (`teacher_ids`, a list column).
    pub fn holds_iins(&self) -> bool {
        matches!(self.column_type, ColumnType::Iin) || self.name == "teacher_ids"
    }
}

/// One table of the form.
#[derive(Debug)]
pub struct TableDef {
    pub kind: TableKind,
    pub columns: &'static [ColumnDef],
}

impl TableDef {
    /// The index of a canonical column name. Panics on a name the form does not have:
    /// that is a programming error, never input.
    pub fn index(&self, name: &str) -> usize {
        self.columns
            .iter()
            .position(|column| column.name == name)
            .unwrap_or_else(|| panic!("the form's `{}` table has no column `{name}`", self.kind))
    }

    /// Maps a header typed in an export to a column: the canonical name or the Kazakh or
    /// Russian template header, in any case and with stray spaces.
    pub fn column_for_header(&self, header: &str) -> Option<usize> {
        let folded = fold(header.trim_start_matches('\u{feff}'));
        if folded.is_empty() {
            return None;
        }
        self.columns.iter().position(|column| {
            Lang::ALL.iter().any(|&lang| fold(column.header(lang)) == folded)
                || fold(&column.name.replace('_', " ")) == folded
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_header_maps_back_to_its_column() {
        for table in TableKind::ALL {
            let definition = table.definition();
            for (index, column) in definition.columns.iter().enumerate() {
                for lang in Lang::ALL {
                    let header = column.header(lang);
                    assert_eq!(definition.column_for_header(header), Some(index), "{table}: `{header}`");
                    assert_eq!(definition.column_for_header(&format!("  {}  ", header.to_uppercase())), Some(index));
                }
            }
        }
    }

    #[test]
    fn sheet_names_in_three_languages() {
        assert_eq!(TableKind::from_sheet_name("Балалар"), Some(TableKind::Children));
        assert_eq!(TableKind::from_sheet_name("дети"), Some(TableKind::Children));
        assert_eq!(TableKind::from_sheet_name("Іс-шаралар"), Some(TableKind::Measures));
        assert_eq!(TableKind::from_sheet_name("Педагоги"), Some(TableKind::Teachers));
        assert_eq!(TableKind::from_sheet_name("ACHIEVEMENTS"), Some(TableKind::Achievements));
        assert_eq!(TableKind::from_sheet_name("Лист1"), None);
        assert_eq!(TableKind::from_sheet_name("Іс-шаралар 2026"), None);
    }

    #[test]
    fn sheet_names_that_go_on_after_the_table_name() {
        assert_eq!(TableKind::from_sheet_name_loosely("Іс-шаралар 2026"), Some(TableKind::Measures));
        assert_eq!(TableKind::from_sheet_name_loosely("Балалар (2)"), Some(TableKind::Children));
        assert_eq!(TableKind::from_sheet_name_loosely("measures_new"), Some(TableKind::Measures));
        assert_eq!(TableKind::from_sheet_name_loosely("Дети"), Some(TableKind::Children));
        // A longer word is another word.
        assert_eq!(TableKind::from_sheet_name_loosely("Детиздат"), None);
        assert_eq!(TableKind::from_sheet_name_loosely("childrens"), None);
        assert_eq!(TableKind::from_sheet_name_loosely("Лист1"), None);
    }

    #[test]
    fn unknown_headers_match_nothing() {
        assert_eq!(CHILDREN.column_for_header("Шоу размер"), None);
        assert_eq!(CHILDREN.column_for_header(""), None);
        assert_eq!(CHILDREN.column_for_header("ИИН"), Some(CHILDREN.index("iin")));
        assert_eq!(TEACHERS.column_for_header("ИИН педагога"), Some(TEACHERS.index("teacher_id")));
        assert_eq!(CHILDREN.column_for_header("last name"), Some(CHILDREN.index("last_name")));
    }
}
