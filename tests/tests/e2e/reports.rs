//! Golden tests of `daryn report` on the hand-made registry of `fixture.rs`. Every
//! expected row below was worked out by hand from the fixture's rows; the comments say
//! how. The registry date is the drops' date, 2026-11-25, so "six months before" is
//! 2026-05-25 and "past planned_end" means an end before 2026-11-25.

use std::path::Path;

use super::fixture::{self, Fixture};
use crate::daryn;

/// Runs a report as CSV and returns its header and rows.
fn report(registry: &Path, args: &[&str]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut full = vec!["report"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--registry", registry.to_str().unwrap(), "--format", "csv"]);
    let output = daryn(&full);
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("CSV starts with a BOM");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = reader.records().map(|record| record.unwrap().iter().map(str::to_owned).collect()).collect();
    (header, rows)
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|cell| cell.to_string()).collect()
}

fn find<'a>(rows: &'a [Vec<String>], first: &str) -> &'a Vec<String> {
    rows.iter().find(|row| row[0] == first).unwrap_or_else(|| panic!("no row starting with `{first}`"))
}

/// Writes the annual workbooks of `year` into `out` (suppressed when asked), in English:
/// its sheets and columns are named as the reports name them.
fn write_annual(registry: &Path, year: &str, out: &Path, suppress_small: bool) {
    let mut args = vec!["report", "annual", "--registry", registry.to_str().unwrap(), "--year", year, "--lang", "en"];
    args.extend(["-o", out.to_str().unwrap()]);
    if suppress_small {
        args.push("--suppress-small");
    }
    let output = daryn(&args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// Item 15 counts each achievement once: the two disciplines won at one olympiad and the
/// contest of the same name and date are three republican wins (10 each), 30 in all;
/// the mathematics row pasted twice is one achievement. The explanation lists the same
/// three.
#[test]
fn item15_counts_every_discipline_and_kind_of_one_event_once() {
    let root = tempfile::tempdir().unwrap();
    let (registry, teacher) = fixture::one_event(root.path());
    let (_, rows) = report(&registry, &["top-teachers"]);
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0][1].as_str(), rows[0][5].as_str(), rows[0][6].as_str()), (teacher.as_str(), "30", "3"));
    let (header, explained) = report(&registry, &["top-teachers", "--explain", &teacher]);
    let at = |name: &str| header.iter().position(|column| column == name).unwrap();
    let mut wins: Vec<(&str, &str, &str)> = explained
        .iter()
        .map(|row| (row[at("event_kind")].as_str(), row[at("discipline")].as_str(), row[at("weight")].as_str()))
        .collect();
    wins.sort();
    assert_eq!(
        wins,
        [
            ("intellectual_contest", "mathematics", "10"),
            ("olympiad", "mathematics", "10"),
            ("olympiad", "physics", "10")
        ]
    );
    // The teacher's score in search is the same.
    let registry = registry.to_str().unwrap();
    let output = daryn(&["search", "--registry", registry, "--teachers", "--format", "json", ""]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let results: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let fields = &results["hits"][0]["fields"];
    assert_eq!((fields["item15_score"].as_u64(), fields["item15_achievements"].as_u64()), (Some(30), Some(3)));
}

/// The annual workbooks of 2025, suppressed: the teacher's 5 achievements in region 35
/// and 3 (`<5`) in region 10 add up to the national 8, which would give the 3 back; so
/// region 35's 5 is hidden too (x). A hidden count blanks the score beside it.
#[test]
fn item15_counts_are_suppressed_across_the_annual_workbooks() {
    use calamine::Reader;
    let root = tempfile::tempdir().unwrap();
    let (registry, teacher) = fixture::shared_teacher(root.path());
    let out = root.path().join("annual");
    write_annual(&registry, "2025", &out, true);
    // Prepared for publication, the lists show no teacher's IIN whole.
    let shown = format!("{}*****{}", &teacher[..6], &teacher[11..]);
    let teacher_row = |file: &str| {
        let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(out.join(file)).unwrap();
        let sheet = workbook.worksheet_range("item 15").unwrap();
        let header: Vec<String> = sheet.rows().next().unwrap().iter().map(|cell| cell.to_string()).collect();
        let at = |name: &str| header.iter().position(|column| column == name).unwrap();
        assert!(!sheet.rows().any(|row| row[at("teacher_id")].to_string() == teacher), "{file}");
        let row = sheet.rows().find(|row| row[at("teacher_id")].to_string() == shown).unwrap().to_vec();
        (row[at("score")].to_string(), row[at("achievements")].to_string())
    };
    assert_eq!(teacher_row("annual-2025-national.xlsx"), ("80".to_owned(), "8".to_owned()));
    assert_eq!(teacher_row("annual-2025-35.xlsx"), (String::new(), "x".to_owned()));
    assert_eq!(teacher_row("annual-2025-10.xlsx"), (String::new(), "<5".to_owned()));
}

#[test]
fn golden_reports_match_the_hand_worked_values() {
    let root = tempfile::tempdir().unwrap();
    let fixture = fixture::build(root.path());
    item1(&fixture);
    coverage(&fixture);
    unsupported(&fixture);
    overdue(&fixture);
    funding(&fixture);
    top_teachers(&fixture);
    data_quality(&fixture);
    annual(&fixture, root.path());
    bad_parameters(&fixture);
    configured_weights(&fixture);
}

/// Region 35: C1, C2 rural (2); C3, C4, C5 urban with a large or low-income family (3).
/// Region 10: D1 rural (1), D2 urban large family (1). The rejected sixth row of 35 is
/// not a child. National: 3 rural, 4 urban, 7. The other 18 regions are listed with 0.
fn item1(fixture: &Fixture) {
    let (header, rows) = report(&fixture.registry, &["item1"]);
    assert_eq!(header, ["region_kato", "region_name", "rural_gifted", "urban_large_or_low_income_gifted", "total"]);
    assert_eq!(rows.len(), 21, "20 regions and the total");
    assert_eq!(rows[0], row(&["100000000", "Абай облысы", "1", "1", "2"]));
    assert_eq!(find(&rows, "350000000"), &row(&["350000000", "Қарағанды облысы", "2", "3", "5"]));
    assert_eq!(rows[20], row(&["", "total", "3", "4", "7"]));
    let zeros = rows[..20].iter().filter(|row| row[4] == "0").count();
    assert_eq!(zeros, 18);

    // For publication: 1-4 become <5. Abay's total (2) is then the only hidden cell of
    // the `total` column, and 7 - 5 - 0 would give it back, so Karaganda's 5 is hidden
    // too (x). Every other row and column already hides two cells or none.
    let (_, shown) = report(&fixture.registry, &["item1", "--suppress-small", "--lang", "en"]);
    assert_eq!(shown[0], row(&["100000000", "Abay Region", "<5", "<5", "<5"]));
    assert_eq!(find(&shown, "350000000"), &row(&["350000000", "Karagandy Region", "<5", "<5", "x"]));
    assert_eq!(shown[20], row(&["", "total", "<5", "<5", "7"]));

    let (_, one) = report(&fixture.registry, &["item1", "--region", "10"]);
    assert_eq!(one, vec![row(&["100000000", "Абай облысы", "1", "1", "2"]), row(&["", "total", "1", "1", "2"])]);

    // By the end of 2025: C2 and C5 of 35 were identified in 2026, so 35 has C1 rural and
    // C3, C4 urban; 10 has both its children (identified in 2025).
    let (_, by_2025) = report(&fixture.registry, &["item1", "--year", "2025"]);
    assert_eq!(find(&by_2025, "350000000"), &row(&["350000000", "Қарағанды облысы", "1", "2", "3"]));
    assert_eq!(find(&by_2025, "100000000"), &row(&["100000000", "Абай облысы", "1", "1", "2"]));
    assert_eq!(by_2025[20], row(&["", "total", "2", "3", "5"]));
}

/// Region 35 has 5 children. Done measures: item 6 for C1 (M1 in 2025, M2 in 2026: one
/// child), item 9 for C2 (M7, 2026), item 14 for C3 (M3, 2025). M4, M5 (item 8) are not
/// done, M6 (item 12) is cancelled, M8 (item 13) is planned. So 1/5 = 20 % for items 6,
/// 9, 14 and 0 for the rest. Region 10 has 2 children; item 6 for D1 (N1, 2025): 50 %.
fn coverage(fixture: &Fixture) {
    let (header, all) = report(&fixture.registry, &["coverage"]);
    assert_eq!(header, ["region_kato", "item", "covered", "registered", "percent"]);
    assert_eq!(all.len(), 200, "20 regions by the 10 items 6, 8-14, 16, 17");

    let (_, rows) = report(&fixture.registry, &["coverage", "--region", "35"]);
    let expected: Vec<Vec<String>> =
        [(6, 1), (8, 0), (9, 1), (10, 0), (11, 0), (12, 0), (13, 0), (14, 1), (16, 0), (17, 0)]
            .iter()
            .map(|(item, covered)| {
                let percent = if *covered == 1 { "20.0" } else { "0.0" };
                row(&["350000000", &item.to_string(), &covered.to_string(), "5", percent])
            })
            .collect();
    assert_eq!(rows, expected);

    // 2025: M1 (item 6) and M3 (item 14) were completed then; M7 in 2026 is not.
    let (_, in_2025) = report(&fixture.registry, &["coverage", "--region", "35", "--year", "2025"]);
    let covered: Vec<(&str, &str)> =
        in_2025.iter().filter(|r| r[2] != "0").map(|r| (r[1].as_str(), r[2].as_str())).collect();
    assert_eq!(covered, [("6", "1"), ("14", "1")]);
    // 2026: M2 (item 6) and M7 (item 9).
    let (_, in_2026) = report(&fixture.registry, &["coverage", "--region", "35", "--year", "2026"]);
    let covered: Vec<(&str, &str)> =
        in_2026.iter().filter(|r| r[2] != "0").map(|r| (r[1].as_str(), r[2].as_str())).collect();
    assert_eq!(covered, [("6", "1"), ("9", "1")]);

    let (_, abay) = report(&fixture.registry, &["coverage", "--region", "10"]);
    assert_eq!(abay[0], row(&["100000000", "6", "1", "2", "50.0"]));

    // Published: 1 of 5 is hidden, and so is the percentage derived from it; 0 stays.
    let (_, shown) = report(&fixture.registry, &["coverage", "--region", "35", "--suppress-small"]);
    assert_eq!(shown[0], row(&["350000000", "6", "<5", "5", ""]));
    assert_eq!(shown[1], row(&["350000000", "8", "0", "5", "0.0"]));
}

/// Identified before 2026-05-25 with no done measure: C4 (2025-03-01; M5 planned, M6
/// cancelled) and D2 (2025-06-01; mentoring in progress). C1, C3 and D1 have a done
/// measure; C2 and C5 were identified recently.
fn unsupported(fixture: &Fixture) {
    let (header, rows) = report(&fixture.registry, &["unsupported"]);
    assert_eq!(header[..3], ["region_kato", "district_kato", "iin"]);
    let found: Vec<(&str, &str, &str)> = rows.iter().map(|r| (r[0].as_str(), r[2].as_str(), r[5].as_str())).collect();
    assert_eq!(
        found,
        [("100000000", fixture.d[1].as_str(), "2025-06-01"), ("350000000", fixture.c[3].as_str(), "2025-03-01")]
    );
}

/// Past planned_end and neither done nor cancelled: M4 (C3, ends 2026-06-30) and M8
/// (C5, ends 2026-06-15), both kept by Бекова; N2 (D2, ends 2026-05-31) kept by
/// Серікова. M5 ends in December; M6 is cancelled.
fn overdue(fixture: &Fixture) {
    let (header, rows) = report(&fixture.registry, &["overdue"]);
    assert_eq!(header, ["region_kato", "coordinator", "overdue_measures", "children", "oldest_planned_end"]);
    assert_eq!(
        rows,
        vec![
            row(&["100000000", "Серікова С.С.", "1", "1", "2026-05-31"]),
            row(&["350000000", "Бекова Б.Б.", "2", "2", "2026-06-15"]),
        ]
    );
}

/// Without the cancelled M6: 35 has item 6 local_budget M1+M2 (2, no money), item 8
/// none M4 and sponsor M5, item 9 sponsor M7, item 13 local_budget M8 (120 000), item
/// 14 republican_budget M3 (50 000). 10 has item 6 none N1, and mentoring N2 with no
/// item and no source (last, as `unspecified`).
fn funding(fixture: &Fixture) {
    let (header, rows) = report(&fixture.registry, &["funding"]);
    assert_eq!(header, ["region_kato", "item", "funding_source", "measures", "amount_kzt"]);
    assert_eq!(
        rows,
        vec![
            row(&["100000000", "6", "none", "1", "0.00"]),
            row(&["100000000", "", "unspecified", "1", "0.00"]),
            row(&["350000000", "6", "local_budget", "2", "0.00"]),
            row(&["350000000", "8", "none", "1", "0.00"]),
            row(&["350000000", "8", "sponsor", "1", "0.00"]),
            row(&["350000000", "9", "sponsor", "1", "0.00"]),
            row(&["350000000", "13", "local_budget", "1", "120000.00"]),
            row(&["350000000", "14", "republican_budget", "1", "50000.00"]),
        ]
    );
    // 2025 (by planned start): M1, M3, M4 in 35 and N1 in 10.
    let (_, in_2025) = report(&fixture.registry, &["funding", "--year", "2025"]);
    let counted: usize = in_2025.iter().map(|r| r[3].parse::<usize>().unwrap()).sum();
    assert_eq!(counted, 4);
    // Published: every count here is under 5, so every sum is blanked.
    let (_, shown) = report(&fixture.registry, &["funding", "--suppress-small"]);
    assert!(shown.iter().all(|r| r[3] == "<5" && r[4].is_empty()), "{shown:?}");
}

/// Scores: T3 = A7 international winner 20 + A8 republican prize-winner 6 = 26 (2).
/// T1 = A1 republican winner 10 + A2 international prize-winner 12 = 22 (2).
/// T2 = A1 10 + A5 republican honourable mention 2 + A6 republican winner 10 = 22 (3);
/// A3 (regional) and A4 (participant, weight 0) add nothing. T1 and T2 tie at 22; T2's
/// id is the lower, so T2 ranks second.
fn top_teachers(fixture: &Fixture) {
    let (header, rows) = report(&fixture.registry, &["top-teachers"]);
    assert_eq!(header, ["rank", "teacher_id", "last_name", "first_name", "region_kato", "score", "achievements"]);
    assert!(fixture.t2 < fixture.t1);
    assert_eq!(
        rows,
        vec![
            row(&["1", &fixture.t3, "Үшінші", "Сәуле", "100000000", "26", "2"]),
            row(&["2", &fixture.t2, "Второв", "Борис", "350000000", "22", "3"]),
            row(&["3", &fixture.t1, "Первова", "Анна", "350000000", "22", "2"]),
        ]
    );
    // The achievements of 2025 only: A6 (2026) leaves T2's score, so T2 = A1 10 + A5 2
    // = 12 (2); T1 keeps A1 and A2 (22), T3 A7 and A8 (26).
    let (_, of_2025) = report(&fixture.registry, &["top-teachers", "--year", "2025"]);
    let scores: Vec<(&str, &str, &str)> =
        of_2025.iter().map(|r| (r[1].as_str(), r[5].as_str(), r[6].as_str())).collect();
    assert_eq!(
        scores,
        [(fixture.t3.as_str(), "26", "2"), (fixture.t1.as_str(), "22", "2"), (fixture.t2.as_str(), "12", "2")]
    );
    let (_, top_two) = report(&fixture.registry, &["top-teachers", "--limit", "2"]);
    assert_eq!(top_two.len(), 2);
    assert_eq!(top_two[1][1], fixture.t2);
    // Prepared for publication, the list names the teachers but shows no IIN whole.
    let (_, published) = report(&fixture.registry, &["top-teachers", "--suppress-small"]);
    let masked = |iin: &str| format!("{}*****{}", &iin[..6], &iin[11..]);
    let ids: Vec<&str> = published.iter().map(|row| row[1].as_str()).collect();
    assert_eq!(ids, [masked(&fixture.t3), masked(&fixture.t2), masked(&fixture.t1)]);
    assert_eq!(published[0][2], "Үшінші");

    // T2's explanation: A1 and A6 (10 each, by date), then A5 (2).
    let (header, explained) = report(&fixture.registry, &["top-teachers", "--explain", &fixture.t2]);
    assert_eq!(
        header,
        ["region_kato", "iin", "event_name", "event_kind", "discipline", "event_date", "level", "result", "weight"]
    );
    let events: Vec<(&str, &str)> = explained.iter().map(|r| (r[2].as_str(), r[8].as_str())).collect();
    assert_eq!(
        events,
        [("Republican olympiad", "10"), ("Republican science projects", "10"), ("Republican contest", "2")]
    );
}

/// 35: 5 children + 8 measures + 6 achievements + 2 teachers = 21 accepted, 1 rejected
/// (the broken IIN). 10: 2 + 2 + 2 + 1 = 7 accepted. Exported at 00:00 +05:00 on the
/// folder date; the age counts days from then to today in Kazakhstan time.
fn data_quality(fixture: &Fixture) {
    // Today in Kazakhstan, on both sides of the report: it may run across midnight.
    let kazakhstan_today = || (chrono::Utc::now() + chrono::Duration::hours(5)).date_naive();
    let before = kazakhstan_today();
    let (header, rows) = report(&fixture.registry, &["data-quality"]);
    let after = kazakhstan_today();
    assert_eq!(
        header,
        [
            "region_kato",
            "region_name",
            "drop_id",
            "exported_at",
            "age_days",
            "status",
            "refusal_code",
            "accepted",
            "rejected",
            "rejected_by_code"
        ]
    );
    assert_eq!(rows.len(), 20);
    let karagandy = find(&rows, "350000000");
    let drop_day = chrono::NaiveDate::parse_from_str(fixture::DROP_DATE, "%Y-%m-%d").unwrap();
    assert_eq!(karagandy[3], "2026-11-24T19:00:00Z");
    let ages = [before, after].map(|today| (today - drop_day).num_days().to_string());
    assert!(ages.contains(&karagandy[4]), "{} days, expected {ages:?}", karagandy[4]);
    assert_eq!(karagandy[5], "published");
    assert_eq!((karagandy[7].as_str(), karagandy[8].as_str()), ("21", "1"));
    let by_code = &karagandy[9];
    assert!(by_code.ends_with(": 1") && !by_code.contains(';'), "one code, one row: {by_code}");
    let abay = find(&rows, "100000000");
    assert_eq!((abay[5].as_str(), abay[7].as_str(), abay[8].as_str(), abay[9].as_str()), ("published", "7", "0", ""));
    assert_eq!(find(&rows, "750000000")[5], "no drop");

    // For publication the one rejection is `<5`, in the count and in the list by code.
    let (_, shown) = report(&fixture.registry, &["data-quality", "--suppress-small"]);
    let karagandy = find(&shown, "350000000");
    assert_eq!((karagandy[7].as_str(), karagandy[8].as_str()), ("21", "<5"));
    assert!(karagandy[9].ends_with(": <5") && !karagandy[9].contains(": 1"), "{}", karagandy[9]);
}

/// The national workbook has item 1, the measure items with measures running in 2025
/// (6: M1, N1; 8: M4; 12: M6; 14: M3) and item 15. Region 10's has item 1, item 6 (N1)
/// and item 15 (T3's achievements); mentoring has no item.
fn annual(fixture: &Fixture, root: &Path) {
    use calamine::Reader;
    // The workbooks are one publication: with a name taken (by a folder), none is written.
    let blocked = root.join("annual-blocked");
    std::fs::create_dir_all(blocked.join("annual-2025-35.xlsx")).unwrap();
    let registry = fixture.registry.to_str().unwrap();
    let output =
        daryn(&["report", "annual", "--registry", registry, "--year", "2025", "-o", blocked.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("annual-2025-35.xlsx"));
    let left: Vec<_> = std::fs::read_dir(&blocked).unwrap().map(|entry| entry.unwrap().file_name()).collect();
    assert_eq!(left, ["annual-2025-35.xlsx"], "no workbook, no temporary file");
    // `-o` names a folder: a file there is a parameter given wrong, not "File exists".
    let file = root.join("annual-file");
    std::fs::write(&file, "kept").unwrap();
    let output = daryn(&["report", "annual", "--registry", registry, "--year", "2025", "-o", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error[bad_parameter]") && stderr.contains("writes its workbooks into a folder"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "kept");

    let out = root.join("annual");
    write_annual(&fixture.registry, "2025", &out, false);
    // No temporary file is left beside the workbooks.
    assert!(
        std::fs::read_dir(&out).unwrap().all(|entry| !entry.unwrap().file_name().to_string_lossy().starts_with('.'))
    );
    let sheets = |file: &str| {
        let workbook: calamine::Xlsx<_> = calamine::open_workbook(out.join(file)).unwrap();
        workbook.sheet_names().to_vec()
    };
    assert_eq!(
        sheets("annual-2025-national.xlsx"),
        ["cover", "item 1", "item 6", "item 8", "item 12", "item 14", "item 15"]
    );
    assert_eq!(sheets("annual-2025-10.xlsx"), ["cover", "item 1", "item 6", "item 15"]);
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 21);

    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(out.join("annual-2025-35.xlsx")).unwrap();
    // Item 12 has only M6, cancelled: its row books none of the 15 000 once planned, as
    // `funding` leaves it out.
    let item12 = workbook.worksheet_range("item 12").unwrap();
    let header: Vec<String> = item12.rows().next().unwrap().iter().map(|cell| cell.to_string()).collect();
    let (status, amount) = (
        header.iter().position(|name| name == "status").unwrap(),
        header.iter().position(|name| name == "amount_kzt").unwrap(),
    );
    let rows: Vec<(String, String)> =
        item12.rows().skip(1).map(|row| (row[status].to_string(), row[amount].to_string())).collect();
    assert_eq!(rows, [("cancelled".to_owned(), "0".to_owned())]);
    let cover = workbook.worksheet_range("cover").unwrap();
    let text: Vec<String> = cover.rows().map(|r| format!("{}={}", r[0], r[1])).collect();
    assert!(text.contains(&"reporting year=2025".to_owned()), "{text:?}");
    assert!(text.contains(&"due to the ministry (akimat)=2026-01-10".to_owned()), "{text:?}");
    assert!(text.contains(&"due to the Government (ministry)=2026-01-25".to_owned()), "{text:?}");

    // Without `--lang`, in Kazakh, as the ministry reads it; in Russian when asked. The
    // cancelled measure of item 12 is told in the form's word for it.
    for (lang, cover_name, item12_name, year_label, status_label, cancelled) in [
        (None, "титул", "12-тармақ", "есепті жыл", "мәртебесі", "тоқтатылды"),
        (Some("ru"), "титульный лист", "пункт 12", "отчётный год", "статус", "отменено"),
    ] {
        let out = root.join(format!("annual-{}", lang.unwrap_or("kk")));
        let mut args = vec!["report", "annual", "--registry", registry, "--year", "2025", "--region", "35"];
        args.extend(lang.map(|lang| ["--lang", lang]).into_iter().flatten());
        args.extend(["-o", out.to_str().unwrap()]);
        let output = daryn(&args);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(out.join("annual-2025-35.xlsx")).unwrap();
        let names = workbook.sheet_names().to_vec();
        assert_eq!((names[0].as_str(), names.contains(&item12_name.to_owned())), (cover_name, true), "{names:?}");
        let cover = workbook.worksheet_range(cover_name).unwrap();
        let text: Vec<String> = cover.rows().map(|r| format!("{}={}", r[0], r[1])).collect();
        assert!(text.contains(&format!("{year_label}=2025")), "{text:?}");
        let item12 = workbook.worksheet_range(item12_name).unwrap();
        let header: Vec<String> = item12.rows().next().unwrap().iter().map(|cell| cell.to_string()).collect();
        let status = header.iter().position(|name| name == status_label).unwrap_or_else(|| panic!("{header:?}"));
        assert_eq!(item12.rows().nth(1).unwrap()[status].to_string(), cancelled);
    }

    // Suppressed, the workbooks are one publication. For 2026 every child is identified
    // by the year's end, so item 1 is `item1`'s table: the national sheet hides
    // Karaganda's total 5 (x, see `item1`); Karaganda's own workbook, whose rows are its
    // row and its total (the same counts), hides it too, or it would give the hidden
    // cell back. Shown counts stay numbers: the national total 7.
    let suppressed = root.join("annual-suppressed");
    write_annual(&fixture.registry, "2026", &suppressed, true);
    let item1_sheet = |file: &str| {
        let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(suppressed.join(file)).unwrap();
        workbook.worksheet_range("item 1").unwrap()
    };
    let regional = item1_sheet("annual-2026-35.xlsx");
    let cells: Vec<Vec<String>> =
        regional.rows().skip(1).map(|r| r[2..5].iter().map(|cell| cell.to_string()).collect()).collect();
    assert_eq!(cells, [["<5", "<5", "x"], ["<5", "<5", "x"]]);
    let national = item1_sheet("annual-2026-national.xlsx");
    let total = national.rows().next_back().unwrap();
    assert_eq!(total[1].to_string(), "total");
    assert_eq!(total[4], calamine::Data::Float(7.0));
}

fn bad_parameters(fixture: &Fixture) {
    let registry = fixture.registry.to_str().unwrap();
    let teacher = fixture.t2.as_str();
    let cases: [(&[&str], &str); 9] = [
        (&["report", "coverage", "--registry", registry, "--lang", "ru"], "error[bad_parameter]: `--lang`"),
        (&["report", "item1", "--registry", registry, "--limit", "5"], "error[bad_parameter]: `--limit`"),
        (&["report", "nonesuch", "--registry", registry], "error[unknown_report]"),
        (
            &["report", "top-teachers", "--registry", registry, "--explain", teacher, "--suppress-small"],
            "error[bad_parameter]: `--suppress-small`",
        ),
        (&["report", "unsupported", "--registry", registry, "--year", "2025"], "error[bad_parameter]: `--year`"),
        (&["report", "coverage", "--registry", registry, "--year", "1850"], "error[bad_parameter]: `--year`"),
        (&["report", "top-teachers", "--registry", registry, "--explain", "x1"], "error[bad_parameter]: `--explain`"),
        // An id of no teacher is told, not shown as a teacher with nothing counted.
        (
            &["report", "top-teachers", "--registry", registry, "--explain", "999999999999"],
            "`--explain`: no teacher of this registry version has the id `999999999999`",
        ),
        (&["report", "item1", "--registry", registry, "--format", "xlsx"], "error[bad_parameter]: `-o`"),
    ];
    // A parameter given wrong exits with 2, as a command line clap refuses does.
    for (args, expected) in cases {
        let output = daryn(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let output = daryn(&["report", "coverage", "--registry", registry, "--region", "99"]);
    assert_eq!(output.status.code(), Some(2), "clap refuses an unknown region");
    assert!(String::from_utf8_lossy(&output.stderr).contains("--region"));
}

/// The teachers' scores in the search index were computed with the weights the index was
/// built with (those of `top_teachers`: T3 26, T2 22, T1 22) until `daryn reindex`
/// publishes a version whose index has the new ones (T3 7, T2 6, T1 1, as worked out
/// for `configured_weights`); the version before keeps its index and its scores.
fn reindexed_scores(fixture: &Fixture) {
    let registry = fixture.registry.to_str().unwrap();
    let scores = |extra: &[&str]| -> Vec<(String, u64)> {
        let mut args = vec!["search", "--registry", registry, "--teachers", "--sort", "best", "--format", "json"];
        args.extend_from_slice(extra);
        args.push("");
        let output = daryn(&args);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let results: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let hits = results["hits"].as_array().unwrap().iter();
        let mut found: Vec<(String, u64)> = hits
            .map(|hit| {
                (hit["teacher_id"].as_str().unwrap().to_owned(), hit["fields"]["item15_score"].as_u64().unwrap())
            })
            .collect();
        assert!(found.windows(2).all(|pair| pair[0].1 >= pair[1].1), "sorted by score: {found:?}");
        // Search leaves the order of equal scores open; the report breaks ties by id.
        found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        found
    };
    let before = scores(&[]);
    assert_eq!(before, [(fixture.t3.clone(), 26), (fixture.t2.clone(), 22), (fixture.t1.clone(), 22)]);
    let version_before = std::fs::read_to_string(fixture.registry.join("CURRENT")).unwrap();
    let version_before: u64 = version_before.trim().parse().unwrap();

    // Killed while its index is built, or before `CURRENT` names the new version: the
    // registry stays at the version before, with its scores.
    for point in ["index-built", "current-temporary-written"] {
        let mut child = crate::spawn_daryn(&["reindex", "--registry", registry], &[("DARYN_PAUSE_AT", point)]);
        let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        let reached = std::io::BufRead::lines(stderr).any(|line| line.unwrap_or_default().contains("paused at"));
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(reached, "the reindex never reached `{point}`");
        let current = std::fs::read_to_string(fixture.registry.join("CURRENT")).unwrap();
        assert_eq!(current.trim(), version_before.to_string(), "killed at {point}");
        assert_eq!(scores(&[]), before, "killed at {point}");
    }

    // A killed ingest's coordinators' files under the number reindex is to publish (an
    // ingest writes them before it publishes) are not taken for the new version's.
    let leftover = fixture.registry.join("reports").join(format!("{:08}", version_before + 1));
    std::fs::create_dir_all(&leftover).unwrap();
    std::fs::write(leftover.join("35-rejections.csv"), "from a run that never published").unwrap();
    let output = daryn(&["reindex", "--registry", registry]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(!leftover.exists(), "a killed run's files were published with the reindexed version");
    let version = version_before + 1;
    assert!(stdout.contains(&format!("version {version} published: the data of version {version_before}")), "{stdout}");
    assert_eq!(scores(&[]), [(fixture.t3.clone(), 7), (fixture.t2.clone(), 6), (fixture.t1.clone(), 1)]);
    assert_eq!(scores(&["--as-of", &version_before.to_string()]), before);

    let listed = daryn(&["versions", "--registry", registry]);
    let listed = String::from_utf8_lossy(&listed.stdout);
    let expected = format!("search index rebuilt by `daryn reindex`; the data of version {version_before}");
    assert!(listed.contains(&format!("version {version} (current)")) && listed.contains(&expected), "{listed}");
    // The data is the same: a report reads the same rows in both versions.
    let (_, now) = report(&fixture.registry, &["item1"]);
    let (_, then) = report(&fixture.registry, &["item1", "--as-of", &version_before.to_string()]);
    assert_eq!(now, then);

    let empty = tempfile::tempdir().unwrap();
    let output = daryn(&["reindex", "--registry", empty.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("holds no registry yet"), "{stderr}");
    // Refused before the lock: the folder is left as it was, empty.
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
    let output = daryn(&["vacuum", "--keep", "1", "--registry", empty.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
}

/// Item 15's weights come from `DIR/daryn.toml`, which the first ingest wrote with the
/// issue's table. With republican winner, prize-winner and honourable mention 1 each,
/// international winner 6 and international participant 3 (every other weight 0):
/// T3 = A7 6 + A8 1 = 7 (2). T2 = A1 1 + A4 3 + A5 1 + A6 1 = 6 (4); A3 is regional.
/// T1 = A1 1 = 1 (1); A2, an international prize, now weighs 0 and is not counted.
fn configured_weights(fixture: &Fixture) {
    let config = fixture.registry.join("daryn.toml");
    let written = std::fs::read_to_string(&config).expect("the first ingest writes daryn.toml");
    assert!(written.contains("[item15.international]"), "{written}");
    std::fs::write(
        &config,
        "[item15.republican]\nwinner = 1\nprize_winner = 1\nhonourable_mention = 1\n\n\
         [item15.international]\nwinner = 6\nprize_winner = 0\nhonourable_mention = 0\nparticipant = 3\n",
    )
    .unwrap();
    let (_, rows) = report(&fixture.registry, &["top-teachers"]);
    let scores: Vec<(&str, &str, &str)> = rows.iter().map(|r| (r[1].as_str(), r[5].as_str(), r[6].as_str())).collect();
    assert_eq!(
        scores,
        [(fixture.t3.as_str(), "7", "2"), (fixture.t2.as_str(), "6", "4"), (fixture.t1.as_str(), "1", "1")]
    );
    reindexed_scores(fixture);

    std::fs::write(&config, "[item15.regional]\nwinner = 5\n").unwrap();
    let output = daryn(&["report", "top-teachers", "--registry", fixture.registry.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error[config]") && stderr.contains("daryn.toml"), "{stderr}");
    assert!(stderr.contains("`item15.regional`: item 15 counts only"), "{stderr}");
    std::fs::write(&config, daryn_registry::config::TEMPLATE).unwrap();
}
