//! The generator's vocabulary (`data/vocab/`): invented names, places, schools, events
//! and measure titles, built into the binary and parsed once.

use std::sync::OnceLock;

use daryn_registry::enums::{EventKind, Level, MeasureType};

pub struct Vocab {
    pub kk_male: Vec<&'static str>,
    pub kk_female: Vec<&'static str>,
    pub kk_surnames: Vec<&'static str>,
    pub ru_male: Vec<&'static str>,
    pub ru_female: Vec<&'static str>,
    pub ru_surnames: Vec<&'static str>,
    pub locality_roots: Vec<&'static str>,
    pub school_patterns: Vec<&'static str>,
    pub school_persons: Vec<&'static str>,
    pub events: Vec<(EventKind, Option<Level>, &'static str)>,
    pub measure_titles: Vec<(MeasureType, &'static str)>,
    pub providers: Vec<&'static str>,
    pub interests: Vec<&'static str>,
    pub qualifications: Vec<&'static str>,
    pub results: Vec<&'static str>,
}

fn lines(text: &'static str) -> Vec<&'static str> {
    text.lines().map(str::trim).filter(|line| !line.is_empty()).collect()
}

impl Vocab {
    pub fn get() -> &'static Vocab {
        static VOCAB: OnceLock<Vocab> = OnceLock::new();
        VOCAB.get_or_init(|| Vocab {
            kk_male: lines(include_str!("../../vocab/kk_male_first.txt")),
            kk_female: lines(include_str!("../../vocab/kk_female_first.txt")),
            kk_surnames: lines(include_str!("../../vocab/kk_surname_stems.txt")),
            ru_male: lines(include_str!("../../vocab/ru_male_first.txt")),
            ru_female: lines(include_str!("../../vocab/ru_female_first.txt")),
            ru_surnames: lines(include_str!("../../vocab/ru_surnames.txt")),
            locality_roots: lines(include_str!("../../vocab/locality_roots.txt")),
            school_patterns: lines(include_str!("../../vocab/school_patterns.txt")),
            school_persons: lines(include_str!("../../vocab/school_persons.txt")),
            events: lines(include_str!("../../vocab/event_patterns.tsv"))
                .into_iter()
                .map(|line| {
                    let mut fields = line.split('\t');
                    let kind =
                        EventKind::parse(fields.next().unwrap_or("")).expect("event kinds in the vocabulary are valid");
                    let level = fields.next().and_then(Level::parse);
                    (kind, level, fields.next().expect("event patterns have three fields"))
                })
                .collect(),
            measure_titles: lines(include_str!("../../vocab/measure_titles.tsv"))
                .into_iter()
                .map(|line| {
                    let (kind, title) = line.split_once('\t').expect("measure titles have two fields");
                    (MeasureType::parse(kind).expect("measure types in the vocabulary are valid"), title)
                })
                .collect(),
            providers: lines(include_str!("../../vocab/providers.txt")),
            interests: lines(include_str!("../../vocab/interests.txt")),
            qualifications: lines(include_str!("../../vocab/qualifications.txt")),
            results: lines(include_str!("../../vocab/results_free.txt")),
        })
    }
}
