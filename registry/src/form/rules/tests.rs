use super::*;
use crate::form::TableDef;

fn context() -> DropContext<'static> {
    DropContext {
        region: RegionCode::parse("35").unwrap(),
        export_date: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        classifier: None,
    }
}

/// 10010560001? — a girl born 2010-01-05 (digit 6: female, 2000s). Check digit by hand:
/// 1·1+0·2+0·3+1·4+0·5+5·6+6·7+0·8+0·9+0·10+1·11 = 1+4+30+42+11 = 88 → 88 mod 11 = 0.
const GIRL: &str = "100105600010";

fn row(table: &'static TableDef, values: &[(&str, &str)]) -> Vec<Cell> {
    let mut cells = vec![Cell::Empty; table.columns.len()];
    for (name, value) in values {
        cells[table.index(name)] = Cell::text(*value);
    }
    cells
}

fn valid_child() -> Vec<(&'static str, &'static str)> {
    vec![
        ("iin", GIRL),
        ("last_name", "ӘБДІРАХМАНОВА"),
        ("first_name", "Аружан"),
        ("birth_date", "05.01.2010"),
        ("district", "351600000"),
        ("area_type", "ауыл"),
        ("school_code", "S-1"),
        ("school_name", "№3 мектеп"),
        ("grade", "10"),
        ("large_family", "жоқ"),
        ("low_income", "нет"),
        ("talent_domains", "ғылым; sport"),
        ("disciplines", "математика, шахматы"),
        ("identified_on", "2022-09-01"),
        ("identification_method", "олимпиада"),
        ("coordinator", "Координатор 1"),
    ]
}

fn with(
    mut base: Vec<(&'static str, &'static str)>,
    column: &'static str,
    value: &'static str,
) -> Vec<(&'static str, &'static str)> {
    base.retain(|(name, _)| *name != column);
    base.push((column, value));
    base
}

/// Each rejection of a checked drop: its table, row index and code.
fn rejected(checked: &CheckedDrop) -> Vec<(TableKind, usize, RejectCode)> {
    checked.rejections.iter().map(|r| (r.table, r.index, r.issue.code)).collect()
}

fn child_issue(values: &[(&str, &str)]) -> (String, RejectCode) {
    let issue = check_child(&mut row(&CHILDREN, values), &context()).expect_err("the row must be rejected");
    (issue.column.to_owned(), issue.code)
}

#[test]
fn a_valid_child_is_normalised() {
    let (child, warnings) = check_child(&mut row(&CHILDREN, &valid_child()), &context()).unwrap();
    assert!(warnings.is_empty());
    assert_eq!(child.last_name, "Әбдірахманова");
    assert_eq!(child.sex, Sex::Female);
    assert_eq!(child.talent_domains, [TalentDomain::Science, TalentDomain::Sport]);
    assert_eq!(child.disciplines.iter().map(DisciplineRef::as_str).collect::<Vec<_>>(), ["mathematics", "chess"]);
    assert_eq!(child.roadmap_status, RoadmapStatus::Active);
    assert!(child.in_target_groups());
}

#[test]
fn each_child_rule_has_its_code_and_column() {
    let cases: Vec<(&str, &str, &str, RejectCode)> = vec![
        ("iin", "12345", "iin", RejectCode::IinFormat),
        ("iin", "100105600011", "iin", RejectCode::IinCheckDigit),
        ("iin", "101305600010", "iin", RejectCode::IinBirthDate),
        ("last_name", " ", "last_name", RejectCode::RequiredMissing),
        ("birth_date", "2010-13-05", "birth_date", RejectCode::DateInvalid),
        ("birth_date", "06.01.2010", "birth_date", RejectCode::IinMismatch),
        ("sex", "М", "sex", RejectCode::IinMismatch),
        ("sex", "X", "sex", RejectCode::EnumInvalid),
        ("region", "Павлодарская область", "region", RejectCode::RegionMismatch),
        ("district", "551600000", "district", RejectCode::DistrictOutsideRegion),
        ("district", "Абай ауданы", "district", RejectCode::DistrictUnknown),
        ("area_type", "пригород", "area_type", RejectCode::EnumInvalid),
        ("grade", "десятый", "grade", RejectCode::IntInvalid),
        ("grade", "13", "grade", RejectCode::GradeOutOfRange),
        ("large_family", "возможно", "large_family", RejectCode::BoolInvalid),
        ("talent_domains", "science; cooking", "talent_domains", RejectCode::EnumInvalid),
        ("talent_domains", " ; ", "talent_domains", RejectCode::ListEmpty),
        ("identified_on", "2026-11-25", "identified_on", RejectCode::DateInFuture),
        ("identified_on", "2013-01-04", "identified_on", RejectCode::IdentifiedTooEarly),
        ("identification_method", "гадание", "identification_method", RejectCode::EnumInvalid),
        ("coordinator", "", "coordinator", RejectCode::RequiredMissing),
        ("roadmap_status", "lost", "roadmap_status", RejectCode::EnumInvalid),
        ("area_type", "қала", "area_type", RejectCode::OutOfScope),
    ];
    for (column, value, expected_column, expected_code) in cases {
        let (got_column, got_code) = child_issue(&with(valid_child(), column, value));
        assert_eq!((got_column.as_str(), got_code), (expected_column, expected_code), "{column} = `{value}`");
    }
}

#[test]
fn age_is_judged_on_the_export_date() {
    // Born 2010-01-05, exported 2026-11-24: 16. A child born 2021-11-25 is 4 that day.
    assert_eq!(age_on(NaiveDate::from_ymd_opt(2010, 1, 5).unwrap(), context().export_date), 16);
    assert_eq!(age_on(NaiveDate::from_ymd_opt(2021, 11, 25).unwrap(), context().export_date), 4);
    assert_eq!(age_on(NaiveDate::from_ymd_opt(2021, 11, 24).unwrap(), context().export_date), 5);
}

#[test]
fn urban_children_of_large_or_low_income_families_are_in_scope() {
    let urban_large = with(with(valid_child(), "area_type", "город"), "large_family", "да");
    assert!(check_child(&mut row(&CHILDREN, &urban_large), &context()).is_ok());
}

#[test]
fn names_in_capitals_become_title_case() {
    assert_eq!(title_case_if_all_caps("ИВАНОВА-ӘЛИЕВА"), "Иванова-Әлиева");
    assert_eq!(title_case_if_all_caps("McLeod"), "McLeod");
    assert_eq!(title_case_if_all_caps("Ә"), "Ә");
    assert_eq!(title_case_if_all_caps("Ә1"), "Ә1");
    assert_eq!(title_case_if_all_caps("ӘБ"), "Әб");
    assert_eq!(title_case_if_all_caps("Әлиев"), "Әлиев");
    assert_eq!(title_case_if_all_caps("ӘЛИЕВ ӘЛИ"), "Әлиев Әли");
}

#[test]
fn unknown_disciplines_are_kept_and_warned() {
    let values = with(valid_child(), "disciplines", "математика; Кубизм");
    let (child, warnings) = check_child(&mut row(&CHILDREN, &values), &context()).unwrap();
    assert_eq!(child.disciplines[1], DisciplineRef::Unknown("Кубизм".to_owned()));
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].column, "disciplines");
}

fn valid_measure() -> Vec<(&'static str, &'static str)> {
    vec![
        ("iin", GIRL),
        ("measure_type", "стипендия"),
        ("title", "Именная стипендия"),
        ("planned_start", "2026-01-01"),
        ("planned_end", "2026-06-01"),
        ("status", "выполнено"),
        ("completed_on", "2026-06-01"),
        ("amount_kzt", "25 000"),
    ]
}

#[test]
fn measure_rules() {
    let (measure, _) = check_measure(&mut row(&MEASURES, &valid_measure()), &context()).unwrap();
    assert_eq!(measure.amount_tiyn, Some(2_500_000));
    assert!(measure.measure_id.starts_with("m-"));
    let cases: Vec<(&str, &str, &str, RejectCode)> = vec![
        ("planned_end", "2025-12-31", "planned_end", RejectCode::EndBeforeStart),
        ("completed_on", "", "completed_on", RejectCode::CompletedOnRequired),
        ("amount_kzt", "", "amount_kzt", RejectCode::AmountRequired),
        ("amount_kzt", "-5", "amount_kzt", RejectCode::AmountInvalid),
        ("measure_type", "прогулка", "measure_type", RejectCode::EnumInvalid),
        ("status", "забыто", "status", RejectCode::EnumInvalid),
    ];
    for (column, value, expected_column, expected_code) in cases {
        let issue = check_measure(&mut row(&MEASURES, &with(valid_measure(), column, value)), &context()).unwrap_err();
        assert_eq!((issue.column, issue.code), (expected_column, expected_code), "{column} = `{value}`");
    }
}

#[test]
fn generated_measure_ids_are_stable_and_depend_on_content() {
    assert_eq!(content_id(&["a", "b"]), content_id(&["a", "b"]));
    assert_ne!(content_id(&["a", "b"]), content_id(&["ab", ""]));
    // FNV-1a 64 of "a", the published test vector: a one-field id is the plain hash.
    assert_eq!(content_id(&["a"]), "m-af63dc4c8601ec8c");
    // A measure without an id gets the id of its IIN, type, title and planned dates as
    // written in ISO form, whatever form the row wrote them in: ids stay what earlier
    // versions of the registry hold.
    let dotted = with(with(valid_measure(), "planned_start", "1.1.2026"), "planned_end", "01.06.2026");
    for values in [valid_measure(), dotted] {
        let (measure, _) = check_measure(&mut row(&MEASURES, &values), &context()).unwrap();
        let expected =
            content_id(&[GIRL, measure.measure_type.code(), "Именная стипендия", "2026-01-01", "2026-06-01"]);
        assert_eq!(measure.measure_id, expected);
    }
}

#[test]
fn the_drop_cascades_and_checks_references() {
    // A second, valid boy: 090807500012? → 0+18+0+32+0+42+35+0+0+0+11 = 138 → 138 mod 11 = 6.
    let boy = "090807500016";
    let rows = DropRows {
        children: vec![
            row(&CHILDREN, &valid_child()),
            row(&CHILDREN, &with(valid_child(), "grade", "99")),
            row(
                &CHILDREN,
                &with(with(with(valid_child(), "iin", boy), "birth_date", "2009-08-07"), "last_name", "Иванов"),
            ),
        ],
        measures: vec![
            row(&MEASURES, &with(valid_measure(), "iin", boy)),
            row(&MEASURES, &with(valid_measure(), "iin", "050101500127")),
            row(&MEASURES, &with(with(valid_measure(), "iin", boy), "teacher_id", "050101500127")),
        ],
        achievements: vec![row(
            &ACHIEVEMENTS,
            &[
                ("iin", GIRL),
                ("event_name", "Олимпиада"),
                ("event_kind", "olympiad"),
                ("level", "облыстық"),
                ("event_date", "2026-03-01"),
                ("result", "II"),
            ],
        )],
        teachers: vec![],
        ..DropRows::default()
    };
    let checked = check_drop(rows, &context());
    // The girl's first row is accepted and her second rejected for its grade (its IIN
    // repeating hers is never reached); a measure of an IIN with no child is unknown, and
    // so is a teacher the drop does not list. (A repeated IIN: below.)
    let codes = rejected(&checked);
    assert_eq!(
        codes,
        [
            (TableKind::Children, 1, RejectCode::GradeOutOfRange),
            (TableKind::Measures, 1, RejectCode::ChildUnknown),
            (TableKind::Measures, 2, RejectCode::TeacherUnknown),
        ]
    );
    assert_eq!(checked.children.len(), 2);
    assert_eq!(checked.measures.len(), 1);
    assert_eq!(checked.achievements.len(), 1);
}

#[test]
fn a_rejected_childs_rows_go_with_it() {
    let rows = DropRows {
        children: vec![row(&CHILDREN, &with(valid_child(), "grade", "99"))],
        measures: vec![row(&MEASURES, &with(valid_measure(), "status", "??"))],
        achievements: vec![row(
            &ACHIEVEMENTS,
            &[
                ("iin", GIRL),
                ("event_name", "X"),
                ("event_kind", "olympiad"),
                ("level", "school"),
                ("event_date", "2026-03-01"),
                ("result", "1"),
            ],
        )],
        teachers: vec![],
        ..DropRows::default()
    };
    let checked = check_drop(rows, &context());
    let codes: Vec<RejectCode> = checked.rejections.iter().map(|r| r.issue.code).collect();
    assert_eq!(codes, [RejectCode::GradeOutOfRange, RejectCode::ChildRejected, RejectCode::ChildRejected]);
    assert!(checked.children.is_empty() && checked.measures.is_empty() && checked.achievements.is_empty());
}

#[test]
fn masked_values_hide_the_iin() {
    let issue = check_child(&mut row(&CHILDREN, &with(valid_child(), "iin", "100105600011")), &context()).unwrap_err();
    assert_eq!(issue.value, "100105*****1");
}

#[test]
fn a_measure_id_is_taken_once_and_records_keep_their_texts() {
    let rows = DropRows {
        children: vec![row(&CHILDREN, &with(valid_child(), "school_name", "  Абай  атындағы №3 мектеп "))],
        measures: vec![
            row(&MEASURES, &with(valid_measure(), "measure_id", "M-1")),
            row(&MEASURES, &with(with(valid_measure(), "measure_id", "M-2"), "provider", "Дарын")),
            row(&MEASURES, &with(valid_measure(), "measure_id", "M-1")),
            row(&MEASURES, &with(valid_measure(), "measure_id", "M-3")),
        ],
        achievements: vec![],
        teachers: vec![],
        ..DropRows::default()
    };
    let checked = check_drop(rows, &context());
    let rejected: Vec<(usize, &str, RejectCode, &str)> =
        checked.rejections.iter().map(|r| (r.index, r.issue.column, r.issue.code, r.issue.value.as_str())).collect();
    // The third row repeats the first one's id; the id is shown as written.
    assert_eq!(rejected, [(2, "measure_id", RejectCode::DuplicateKey, "M-1")]);
    let ids: Vec<(usize, &str)> =
        checked.measures.iter().map(|(index, measure)| (*index, measure.measure_id.as_str())).collect();
    assert_eq!(ids, [(0, "M-1"), (1, "M-2"), (3, "M-3")]);
    assert_eq!(checked.measures[1].1.provider.as_deref(), Some("Дарын"));
    assert!(checked.measures.iter().all(|(_, measure)| measure.title == "Именная стипендия"));
    // Texts taken from the cells: a clean one as it was, an untidy one collapsed, an
    // ALL-CAPS name title-cased.
    let child = &checked.children[0].1;
    assert_eq!(child.school_name, "Абай атындағы №3 мектеп");
    assert_eq!(child.school_code, "S-1");
    assert_eq!(child.last_name, "Әбдірахманова");
    assert_eq!(child.first_name, "Аружан");
    assert_eq!(child.coordinator, "Координатор 1");
}

#[test]
fn a_rejected_value_is_shown_as_typed_unless_it_may_be_an_iin() {
    let value_of = |column: &'static str, value: &'static str| {
        let issue = check_child(&mut row(&CHILDREN, &with(valid_child(), column, value)), &context()).unwrap_err();
        assert_eq!(issue.column, column);
        issue.value
    };
    // What the coordinator must fix is readable: a date, a district code.
    assert_eq!(value_of("identified_on", "2026-11-25"), "2026-11-25");
    assert_eq!(value_of("identified_on", "25.11.2026"), "25.11.2026");
    assert_eq!(value_of("district", "471010000"), "471010000");
    // An IIN, or what may be one, is not: in the IIN column from eight digits (the
    // first six and the last are shown), and an IIN typed into another column.
    assert_eq!(value_of("iin", "100105600011"), "100105*****1");
    assert_eq!(value_of("iin", "10010560"), "100105*0");
    assert_eq!(value_of("district", "100105600010"), "100105*****0");
}

#[test]
fn a_region_is_a_code_as_text_or_number_or_a_name() {
    let accepts = |cell: Cell| {
        let mut cells = row(&CHILDREN, &valid_child());
        cells[CHILDREN.index("region")] = cell;
        check_child(&mut cells, &context()).map(|_| ()).map_err(|issue| issue.code)
    };
    // The drop is region 35's: its codes (the region's or a district's, as text or in a
    // numeric cell) and its names pass; another region's code or name does not.
    for text in ["35", "350000000", "351010000", "Қарағанды облысы", "Карагандинская область"]
    {
        assert_eq!(accepts(Cell::text(text)), Ok(()), "{text}");
    }
    assert_eq!(accepts(Cell::Number(351010000.0)), Ok(()));
    for text in ["55", "551010000", "Павлодарская область"] {
        assert_eq!(accepts(Cell::text(text)), Err(RejectCode::RegionMismatch), "{text}");
    }
    assert_eq!(accepts(Cell::Number(551010000.0)), Err(RejectCode::RegionMismatch));
}

/// A teacher born in 2001 has an IIN that starts with 0; a workbook holding it in a
/// number cell has lost that zero, as it has for the `iin` column, and it comes back.
#[test]
fn one_teacher_iin_in_a_number_cell_keeps_its_leading_zero() {
    let born = NaiveDate::from_ymd_opt(2001, 2, 3).unwrap();
    let teacher = Iin::compose(born, crate::enums::Sex::Female, 1).unwrap().as_string();
    assert!(teacher.starts_with("010203"), "{teacher}");
    let mut cells = row(
        &ACHIEVEMENTS,
        &[
            ("iin", GIRL),
            ("event_name", "Республикалық олимпиада"),
            ("event_kind", "olympiad"),
            ("level", "republican"),
            ("event_date", "2025-04-10"),
            ("result", "winner"),
        ],
    );
    cells[ACHIEVEMENTS.index("teacher_ids")] = Cell::Number(teacher.parse::<f64>().unwrap());
    let (achievement, _) = check_achievement(&mut cells, &context()).expect("accepted");
    assert_eq!(achievement.teacher_ids.iter().map(Iin::as_string).collect::<Vec<_>>(), [teacher]);
}

/// Without the classifier a district's name cannot be read, and the coordinator is told
/// what to write instead rather than that no such district exists.
#[test]
fn a_district_name_without_the_classifier_asks_for_the_code() {
    let mut cells = row(&CHILDREN, &with(valid_child(), "district", "Абай ауданы"));
    let issue = check_child(&mut cells, &context()).expect_err("rejected");
    assert_eq!(issue.code, RejectCode::DistrictUnknown);
    assert!(issue.detail.en.contains("nine-digit KATO code"), "{:?}", issue.detail);
    assert!(issue.detail.kk.contains("ӘАОЖ (КАТО)") && issue.detail.ru.contains("код района"), "{:?}", issue.detail);
}

#[test]
fn measures_titled_alike_in_two_disciplines_are_two_measures() {
    let course = |discipline: &'static str| with(valid_measure(), "discipline", discipline);
    let rows = DropRows {
        children: vec![row(&CHILDREN, &valid_child())],
        measures: vec![
            row(&MEASURES, &course("математика")),
            row(&MEASURES, &course("физика")),
            // Pasted twice: the same measure, whichever id it would get.
            row(&MEASURES, &course("физика")),
            row(&MEASURES, &course("математика")),
            // Given ids are the region's own: the same id twice is a duplicate.
            row(&MEASURES, &with(course("химия"), "measure_id", "M-1")),
            row(&MEASURES, &with(course("биология"), "measure_id", "M-1")),
        ],
        achievements: vec![],
        teachers: vec![],
        ..DropRows::default()
    };
    let checked = check_drop(rows, &context());
    let rejected: Vec<(usize, RejectCode)> = checked.rejections.iter().map(|r| (r.index, r.issue.code)).collect();
    assert_eq!(rejected, [(2, RejectCode::DuplicateKey), (3, RejectCode::DuplicateKey), (5, RejectCode::DuplicateKey)]);
    assert!(checked.rejections[0].issue.detail.en.contains("same measure"), "{:?}", checked.rejections[0].issue.detail);
    let ids: Vec<&str> = checked.measures.iter().map(|(_, measure)| measure.measure_id.as_str()).collect();
    // The first keeps the id every earlier version gave it; the second has its own.
    let first = content_id(&[GIRL, "scholarship", "Именная стипендия", "2026-01-01", "2026-06-01"]);
    let second = content_id(&[GIRL, "scholarship", "Именная стипендия", "2026-01-01", "2026-06-01", "physics", ""]);
    assert_eq!(ids, [first.as_str(), second.as_str(), "M-1"]);
}

#[test]
fn rows_nested_in_a_rejected_childs_document_go_with_it_whoever_else_holds_its_iin() {
    // Two documents of the girl: the first accepted, the second a duplicate. Their
    // measures hold the same IIN; the second's goes with its own (rejected) row.
    let rows = DropRows {
        children: vec![row(&CHILDREN, &valid_child()), row(&CHILDREN, &with(valid_child(), "first_name", "Айым"))],
        measures: vec![row(&MEASURES, &valid_measure()), row(&MEASURES, &with(valid_measure(), "title", "Грант"))],
        measure_parents: vec![Some(0), Some(1)],
        ..DropRows::default()
    };
    let checked = check_drop(rows, &context());
    let codes = rejected(&checked);
    assert_eq!(
        codes,
        [(TableKind::Children, 1, RejectCode::DuplicateKey), (TableKind::Measures, 1, RejectCode::ChildRejected)]
    );
    assert_eq!(checked.measures.len(), 1);
    assert_eq!(checked.measures[0].1.title, "Именная стипендия");
}

#[test]
fn a_rejection_tells_its_particulars_in_kazakh_and_russian_too() {
    // GIRL's IIN says 05.01.2010; the row says 06.01.2010.
    let issue = check_child(&mut row(&CHILDREN, &with(valid_child(), "birth_date", "06.01.2010")), &context())
        .expect_err("rejected");
    assert_eq!(issue.code, RejectCode::IinMismatch);
    for lang in [Lang::En, Lang::Kk, Lang::Ru] {
        assert!(issue.detail.get(lang).contains("05.01.2010"), "{lang:?}: {:?}", issue.detail);
    }
    // Identified on 25.11.2026, the day after the export of 24.11.2026.
    let issue = check_child(&mut row(&CHILDREN, &with(valid_child(), "identified_on", "2026-11-25")), &context())
        .expect_err("rejected");
    assert_eq!(issue.code, RejectCode::DateInFuture);
    assert_eq!(issue.detail.kk, "экспорт күні — 24.11.2026");
    assert_eq!(issue.detail.ru, "дата выгрузки — 24.11.2026");
    // Region 35 is Karaganda oblast; a row of Astana's (71) is not its own.
    let issue = check_child(&mut row(&CHILDREN, &with(valid_child(), "region", "710000000")), &context())
        .expect_err("rejected");
    assert_eq!(issue.code, RejectCode::RegionMismatch);
    assert_eq!(issue.detail.kk, "экспорт өңірі — Қарағанды облысы");
    assert_eq!(issue.detail.ru, "регион выгрузки — Карагандинская область");
}

#[test]
fn the_age_is_told_in_russian_with_its_word_for_years() {
    // 1 год, 2–4 года, 5–20 лет; after 20 by the last digit, but 11–14 лет.
    for (count, word) in [(1, "год"), (2, "года"), (4, "года"), (5, "лет"), (11, "лет"), (14, "лет"), (20, "лет")]
    {
        assert_eq!(years_ru(count), word, "{count}");
    }
    for (count, word) in [(21, "год"), (22, "года"), (25, "лет"), (101, "год"), (111, "лет"), (-1, "год"), (0, "лет")]
    {
        assert_eq!(years_ru(count), word, "{count}");
    }
}

#[test]
fn a_value_told_back_is_cut_at_a_thousand_characters_and_control_characters_blanked() {
    // 1,500 Cyrillic letters (two bytes each): the first thousand and an ellipsis.
    let long = "ә".repeat(1_500);
    let cut = cut_shown(long);
    assert_eq!(cut.chars().count(), MAX_SHOWN_CHARS + 1);
    assert!(cut.ends_with("ә…"));
    assert_eq!(cut_shown("ә".repeat(MAX_SHOWN_CHARS)), "ә".repeat(MAX_SHOWN_CHARS), "at the limit, whole");
    // A NUL, a bell and an escape become spaces; tab and line feed stay.
    assert_eq!(cut_shown("a\0b\x07c\x1bd\te\nf".to_owned()), "a b c d\te\nf");
}

#[test]
fn a_child_born_after_the_export_is_out_of_range_and_told_so() {
    // An IIN of a girl born 2026-12-01 (century digit 6), a week after the export of
    // 24.11.2026: composed, so its check digit is right and only the age rule is left.
    let born = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let iin = Iin::compose(born, Sex::Female, 1).unwrap().as_string();
    let values: Vec<(&str, &str)> = valid_child()
        .into_iter()
        .map(|(column, value)| match column {
            "iin" => (column, iin.as_str()),
            "birth_date" => (column, "01.12.2026"),
            _ => (column, value),
        })
        .collect();
    let issue = check_child(&mut row(&CHILDREN, &values), &context()).expect_err("rejected");
    assert_eq!(issue.code, RejectCode::AgeOutOfRange);
    assert_eq!(issue.detail.en, "born after the export date, 24.11.2026");
    assert_eq!(issue.detail.ru, "дата рождения позже даты выгрузки (24.11.2026)");
    assert!(!issue.detail.kk.contains('-'), "{:?}", issue.detail);
}
