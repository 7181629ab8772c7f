//! The generator's output, checked by the registry's own form rules (not a copy of them)
//! and against what the country looks like.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use daryn_data::generate::{self, FormatChoice, GenerateOptions, Layout};
use daryn_registry::enums::{AchievementResult, AreaType, Level, MeasureType};
use daryn_registry::form::rules::{DropContext, check_drop};
use daryn_registry::form::{ACHIEVEMENTS, CHILDREN, MEASURES, TEACHERS, TableKind};
use daryn_registry::{KatoClassifier, Region, RejectCode};

fn classifier() -> KatoClassifier {
    KatoClassifier::load(&daryn_tests::reference_dir().join("kato-2024-districts.csv"))
        .expect("the reference classifier loads")
}

fn options(
    children: u64,
    error_rate: f64,
    format: FormatChoice,
    classifier: Option<KatoClassifier>,
) -> GenerateOptions {
    GenerateOptions {
        out: std::env::temp_dir().join("unused"),
        children,
        seed: 42,
        date: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
        error_rate,
        format,
        classifier,
    }
}

#[test]
fn every_generated_row_satisfies_the_form() {
    let with_classifier = classifier();
    for (format, classifier) in [
        (FormatChoice::Csv, Some(with_classifier.clone())),
        (FormatChoice::Xlsx, Some(with_classifier.clone())),
        (FormatChoice::Jsonl, None),
        (FormatChoice::Mixed, None),
    ] {
        let options = options(3_000, 0.0, format, classifier);
        for region in Region::all() {
            let (sink, _, truth, counts) = generate::generate_region_in_memory(&options, region.code).unwrap();
            assert!(truth.is_empty());
            let context = DropContext {
                region: region.code,
                export_date: options.export_date(),
                classifier: options.classifier.as_ref(),
            };
            let checked = check_drop(sink.rows.clone(), &context);
            let first = checked.rejections.first();
            assert!(first.is_none(), "{format:?} region {}: {:?}", region.code, first);
            assert!(checked.warnings.is_empty(), "{format:?} region {}: {:?}", region.code, checked.warnings.first());
            assert_eq!(checked.children.len() as u64, counts.children);
            assert_eq!(checked.measures.len() as u64, counts.measures);
            assert_eq!(checked.achievements.len() as u64, counts.achievements);
            assert_eq!(checked.teachers.len() as u64, counts.teachers, "{format:?} region {}", region.code);
        }
    }
}

/// The key a rejection is compared by: table, record, code, and the column (for rows
/// nested in JSONL the truth names `measures[i].column`; the rules name the column).
fn key(table: &str, record: u64, code: &str, column: &str) -> (String, u64, String, String) {
    let column = column.rsplit('.').next().unwrap_or(column);
    (table.to_owned(), record, code.to_owned(), column.to_owned())
}

#[test]
fn injected_errors_are_exactly_what_the_form_rejects() {
    let mut codes_seen = HashSet::new();
    for (format, classifier) in [
        (FormatChoice::Csv, Some(classifier())),
        (FormatChoice::Csv, None),
        (FormatChoice::Xlsx, None),
        (FormatChoice::Jsonl, Some(classifier())),
    ] {
        let options = options(4_000, 0.1, format, classifier);
        for region in Region::all() {
            let (sink, _, truth, _) = generate::generate_region_in_memory(&options, region.code).unwrap();
            let context = DropContext {
                region: region.code,
                export_date: options.export_date(),
                classifier: options.classifier.as_ref(),
            };
            let checked = check_drop(sink.rows.clone(), &context);
            let expected: HashSet<_> =
                truth.iter().map(|entry| key(entry.table, entry.record, entry.code, &entry.column)).collect();
            let found: HashSet<_> = checked
                .rejections
                .iter()
                .map(|rejection| {
                    key(
                        rejection.table.name(),
                        rejection.index as u64,
                        rejection.issue.code.code(),
                        rejection.issue.column,
                    )
                })
                .collect();
            let missing: Vec<_> = expected.difference(&found).take(3).collect();
            let unexpected: Vec<_> = found.difference(&expected).take(3).collect();
            assert!(
                missing.is_empty() && unexpected.is_empty(),
                "{format:?} region {}: missing {missing:?}, unexpected {unexpected:?}",
                region.code
            );
            assert_eq!(truth.len(), checked.rejections.len(), "one truth entry per rejected row");
            codes_seen.extend(truth.iter().map(|entry| entry.code));
        }
    }
    // Every row-level code of the form is injected somewhere; `row_unreadable` is a
    // broken file, not a broken value.
    for code in RejectCode::ALL {
        if !matches!(code, RejectCode::RowUnreadable) {
            assert!(codes_seen.contains(code.code()), "no injected error gives `{code}`");
        }
    }
}

#[test]
fn the_data_looks_like_the_country() {
    let options = options(20_000, 0.0, FormatChoice::Csv, Some(classifier()));
    let export_date = options.export_date();
    let mut children = Vec::new();
    let mut measures = Vec::new();
    let mut achievements = Vec::new();
    let mut teachers = 0usize;
    for region in Region::all() {
        let (sink, _, _, _) = generate::generate_region_in_memory(&options, region.code).unwrap();
        let context = DropContext { region: region.code, export_date, classifier: options.classifier.as_ref() };
        let checked = check_drop(sink.rows.clone(), &context);
        teachers += checked.teachers.len();
        children.extend(checked.children.into_iter().map(|(_, child)| child));
        measures.extend(checked.measures.into_iter().map(|(_, measure)| measure));
        achievements.extend(checked.achievements.into_iter().map(|(_, achievement)| achievement));
    }
    let total = children.len() as f64;
    assert_eq!(children.len(), 20_000);

    let rural = children.iter().filter(|child| child.area_type == AreaType::Rural).count() as f64 / total;
    assert!((0.52..=0.68).contains(&rural), "rural share {rural:.3}");

    for child in &children {
        let age = daryn_registry::form::rules::age_on(child.birth_date, export_date);
        assert!((6..=18).contains(&age), "age {age}");
        assert!(child.in_target_groups());
    }

    // Kazakh names with Kazakh letters are the majority; Russian names a real minority.
    let kazakh_letters = |text: &str| text.chars().any(|ch| "әғқңөұүһіӘҒҚҢӨҰҮҺІ".contains(ch));
    let with_kazakh_letters =
        children.iter().filter(|c| kazakh_letters(&c.first_name) || kazakh_letters(&c.last_name)).count() as f64
            / total;
    assert!(with_kazakh_letters > 0.45, "names with Kazakh letters: {with_kazakh_letters:.3}");
    let russian_first: HashSet<String> = ["ru_male_first.txt", "ru_female_first.txt"]
        .iter()
        .flat_map(|file| {
            std::fs::read_to_string(daryn_tests::workspace_root().join("data/vocab").join(file))
                .unwrap()
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    let russian = children.iter().filter(|child| russian_first.contains(&child.first_name)).count() as f64 / total;
    assert!((0.08..=0.35).contains(&russian), "Russian first names: {russian:.3}");

    let measures_per_child = measures.len() as f64 / total;
    assert!((7.6..=8.4).contains(&measures_per_child), "measures per child {measures_per_child:.2}");
    let achievements_per_child = achievements.len() as f64 / total;
    assert!((2.8..=3.2).contains(&achievements_per_child), "achievements per child {achievements_per_child:.2}");
    let teachers_per_child = teachers as f64 / total;
    assert!((0.07..=0.16).contains(&teachers_per_child), "teachers per child {teachers_per_child:.3}");

    let types: HashSet<MeasureType> = measures.iter().map(|measure| measure.measure_type).collect();
    assert_eq!(types.len(), MeasureType::ALL.len(), "every measure type occurs");

    // The level pyramid, and prize-winners a minority.
    let by_level: Vec<usize> =
        Level::ALL.iter().map(|level| achievements.iter().filter(|a| a.level == *level).count()).collect();
    assert!(by_level.windows(2).all(|pair| pair[0] > pair[1]), "levels {by_level:?}");
    assert!(by_level[0] > 4 * by_level[3], "school ≫ republican: {by_level:?}");
    let podium = achievements
        .iter()
        .filter(|a| matches!(a.result, AchievementResult::Winner | AchievementResult::PrizeWinner))
        .count() as f64;
    assert!(podium / (achievements.len() as f64) < 0.4, "prize-winners {:.3}", podium / achievements.len() as f64);

    // Item 15: few teachers prepare many top prize-winners.
    let mut top_prizes: HashMap<String, usize> = HashMap::new();
    for achievement in &achievements {
        if achievement.level >= Level::Republican
            && matches!(achievement.result, AchievementResult::Winner | AchievementResult::PrizeWinner)
        {
            for teacher in &achievement.teacher_ids {
                *top_prizes.entry(teacher.as_string()).or_default() += 1;
            }
        }
    }
    let mut counts: Vec<usize> = top_prizes.values().copied().collect();
    counts.sort_unstable();
    let median = counts[counts.len() / 2];
    eprintln!(
        "top-prize pupils per teacher: {} teachers, median {median}, top {:?}",
        counts.len(),
        &counts[counts.len().saturating_sub(10)..]
    );
    let most = *counts.last().unwrap();
    assert!((counts.len() as f64) < 0.25 * teachers as f64, "{} of {teachers} teachers have top prizes", counts.len());
    assert!(most >= 4 * median, "most {most}, median {median}");

    // A school is rural or urban, in one district.
    let mut schools: HashMap<&str, (AreaType, daryn_registry::KatoCode)> = HashMap::new();
    for child in &children {
        let entry = schools.entry(&child.school_code).or_insert((child.area_type, child.district));
        assert_eq!(*entry, (child.area_type, child.district), "school {} is inconsistent", child.school_code);
    }
}

#[test]
fn regions_export_in_different_styles() {
    let options = options(100, 0.0, FormatChoice::Mixed, None);
    let styles = generate::styles(&options);
    let layouts: HashSet<Layout> = styles.iter().map(|(_, style)| style.layout).collect();
    assert!(layouts.len() >= 3, "layouts {layouts:?}");
    let languages: HashSet<_> = styles.iter().map(|(_, style)| style.header_lang).collect();
    assert_eq!(languages.len(), 3);
}

#[test]
fn the_truth_names_a_row_and_column_of_its_table_and_rejects_under_a_fifth_of_the_children() {
    // A small run with a high error rate.
    let options = options(2_000, 0.1, FormatChoice::Csv, None);
    for region in Region::all() {
        let (sink, _, truth, _) = generate::generate_region_in_memory(&options, region.code).unwrap();
        assert!(!truth.is_empty(), "region {}", region.code);
        for entry in &truth {
            let (rows, table) = match entry.table {
                "children" => (&sink.rows.children, &CHILDREN),
                "measures" => (&sink.rows.measures, &MEASURES),
                "achievements" => (&sink.rows.achievements, &ACHIEVEMENTS),
                "teachers" => (&sink.rows.teachers, &TEACHERS),
                other => panic!("the truth names no table of the form: {other}"),
            };
            assert!((entry.record as usize) < rows.len(), "{entry:?}");
            // CSV: the header is row 1, the record's row is its place after it.
            assert_eq!(entry.row, entry.record + 2, "{entry:?}");
            let column = entry.column.rsplit('.').next().unwrap();
            assert!(table.columns.iter().any(|def| def.name == column), "{entry:?}");
        }
        // It still keeps rejected children under the 20 % that would refuse the drop.
        let rejected_children = truth.iter().filter(|entry| entry.table == TableKind::Children.name()).count();
        assert!((rejected_children as f64) <= 0.2 * sink.rows.children.len() as f64 + 2.0, "region {}", region.code);
    }
}
