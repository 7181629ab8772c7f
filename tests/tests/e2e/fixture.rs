//! A small hand-made registry for the report tests: two regions, seven children, ten
//! measures, eight achievements and three teachers, written as CSV drops the way a
//! coordinator would send them, then ingested by `daryn ingest`. Every expected value
//! of the golden tests is worked out by hand from the rows below, so each row says what
//! it is there to test.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use daryn_registry::Iin;
use daryn_registry::enums::Sex;

use crate::daryn;

/// The folder date of the drops; without a manifest a drop is exported at 00:00 +05:00
/// that day, so it is also the registry date the reports use.
pub const DROP_DATE: &str = "2026-11-25";

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn iin(birth: &str, sex: Sex, serial: u16) -> String {
    Iin::compose(date(birth), sex, serial).expect("a valid IIN").as_string()
}

/// The IINs of the fixture, by the names the tests use.
pub struct Fixture {
    pub registry: PathBuf,
    /// Region 35: C1 and C2 rural; C3 urban large family; C4 urban low-income; C5 urban both.
    pub c: [String; 5],
    /// Region 10: D1 rural; D2 urban large family.
    pub d: [String; 2],
    /// Teachers: T1 and T2 of region 35, T3 of region 10; T2's id sorts before T1's.
    pub t1: String,
    pub t2: String,
    pub t3: String,
}

const CHILD_HEADER: &str = "iin,last_name,first_name,patronymic,birth_date,sex,district,area_type,school_code,school_name,grade,large_family,low_income,talent_domains,disciplines,identified_on,identification_method,coordinator";
const MEASURE_HEADER: &str =
    "iin,measure_id,measure_type,title,planned_start,planned_end,status,completed_on,funding_source,amount_kzt";
const ACHIEVEMENT_HEADER: &str = "iin,event_name,event_kind,discipline,level,event_date,result,teacher_ids";
const TEACHER_HEADER: &str = "teacher_id,last_name,first_name,school_code";

#[allow(clippy::too_many_arguments)]
fn child(
    iin: &str,
    name: &str,
    birth: &str,
    sex: &str,
    district: &str,
    area: &str,
    large: bool,
    low: bool,
    identified: &str,
    coordinator: &str,
) -> String {
    format!(
        "{iin},{name},Test,,{birth},{sex},{district},{area},S1,School 1,7,{large},{low},science,mathematics,{identified},olympiad,{coordinator}"
    )
}

fn write(folder: &Path, file: &str, header: &str, rows: &[String]) {
    std::fs::create_dir_all(folder).unwrap();
    let mut text = format!("{header}\n");
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    std::fs::write(folder.join(file), text).unwrap();
}

/// Writes the drops under `root/drops/DROP_DATE/` and ingests them into `root/registry`.
pub fn build(root: &Path) -> Fixture {
    let c = [
        iin("2012-03-04", Sex::Female, 1),
        iin("2011-05-06", Sex::Male, 2),
        iin("2013-07-08", Sex::Female, 3),
        iin("2010-09-10", Sex::Male, 4),
        iin("2012-11-12", Sex::Female, 5),
    ];
    let d = [iin("2011-01-02", Sex::Male, 6), iin("2012-02-03", Sex::Female, 7)];
    // T2 is born earlier, so its IIN (YYMMDD first) sorts before T1's: the tie-break.
    let t1 = iin("1985-04-05", Sex::Female, 11);
    let t2 = iin("1979-06-07", Sex::Male, 12);
    let t3 = iin("1990-08-09", Sex::Female, 13);
    let day = root.join("drops").join(DROP_DATE);
    let karagandy = day.join("35");
    let abay = day.join("10");

    // Region 35. C4 is identified long ago and has no measure done (unsupported); a sixth
    // row with a broken IIN is rejected (1 of 6 rows, under the 20 % refusal line).
    write(
        &karagandy,
        "children.csv",
        CHILD_HEADER,
        &[
            child(&c[0], "Ahmet", "2012-03-04", "F", "351010000", "rural", false, false, "2025-01-10", "Ахметова А.А."),
            child(&c[1], "Bolat", "2011-05-06", "M", "351010000", "rural", false, false, "2026-09-01", "Ахметова А.А."),
            child(&c[2], "Dana", "2013-07-08", "F", "351020000", "urban", true, false, "2024-05-01", "Бекова Б.Б."),
            child(&c[3], "Erlan", "2010-09-10", "M", "351020000", "urban", false, true, "2025-03-01", "Бекова Б.Б."),
            child(&c[4], "Gulnar", "2012-11-12", "F", "351020000", "urban", true, true, "2026-10-01", "Бекова Б.Б."),
            child(
                "123456789012",
                "Broken",
                "2012-01-01",
                "M",
                "351020000",
                "rural",
                false,
                false,
                "2025-01-01",
                "Бекова Б.Б.",
            ),
        ],
    );
    write(
        &karagandy,
        "measures.csv",
        MEASURE_HEADER,
        &[
            // M1, M2: C1, item 6, both done (2025 and 2026): C1 is covered once.
            format!("{},M1,club_or_section,Chess club,2025-01-15,2025-05-31,done,2025-05-10,local_budget,", c[0]),
            format!("{},M2,club_or_section,Robotics,2026-01-10,2026-03-31,done,2026-03-01,local_budget,", c[0]),
            // M3: C3, item 14, done in 2025, 50 000 KZT.
            format!(
                "{},M3,scholarship,Akim's scholarship,2025-09-01,2025-12-31,done,2025-12-20,republican_budget,50000",
                c[2]
            ),
            // M4: C3, item 8, still in progress after its end: overdue.
            format!("{},M4,technopark,Technopark,2025-10-01,2026-06-30,in_progress,,none,", c[2]),
            // M5: C4, item 8, planned for December 2026: not yet overdue.
            format!("{},M5,hackathon,Hackathon,2026-12-01,2026-12-10,planned,,sponsor,", c[3]),
            // M6: C4, item 12, cancelled, 15 000 KZT once planned: neither overdue nor
            // in funding, and no money in the annual report.
            format!("{},M6,museum_visit,Museum,2025-04-01,2025-04-02,cancelled,,local_budget,15000", c[3]),
            // M7: C2, item 9, done in 2026.
            format!("{},M7,summer_subject_camp,Summer camp,2026-07-01,2026-07-20,done,2026-07-20,sponsor,", c[1]),
            // M8: C5, item 13, still planned after its end: overdue; 120 000 KZT.
            format!("{},M8,health_camp_voucher,Camp voucher,2026-06-01,2026-06-15,planned,,local_budget,120000", c[4]),
        ],
    );
    write(
        &karagandy,
        "achievements.csv",
        ACHIEVEMENT_HEADER,
        &[
            // A1: republican winner (10) for T1 and T2.
            format!("{},Republican olympiad,olympiad,mathematics,republican,2025-04-10,winner,{t1};{t2}", c[0]),
            // A2: international prize-winner (12) for T1.
            format!("{},International olympiad,olympiad,mathematics,international,2025-07-15,prize_winner,{t1}", c[2]),
            // A3: regional winner: the level does not count.
            format!("{},Regional olympiad,olympiad,mathematics,regional,2025-02-01,winner,{t2}", c[3]),
            // A4: international participant: weight 0, not behind the score.
            format!(
                "{},World contest,intellectual_contest,mathematics,international,2025-09-01,participant,{t2}",
                c[4]
            ),
            // A5: republican honourable mention (2) for T2.
            format!(
                "{},Republican contest,intellectual_contest,mathematics,republican,2025-10-05,honourable_mention,{t2}",
                c[1]
            ),
            // A6: republican winner (10) for T2.
            format!(
                "{},Republican science projects,science_project,mathematics,republican,2026-03-20,winner,{t2}",
                c[1]
            ),
        ],
    );
    write(
        &karagandy,
        "teachers.csv",
        TEACHER_HEADER,
        &[format!("{t1},Первова,Анна,S1"), format!("{t2},Второв,Борис,S1")],
    );

    // Region 10. D2 is identified long ago with only mentoring in progress (unsupported,
    // overdue, and a measure without a decree item in funding).
    write(
        &abay,
        "children.csv",
        CHILD_HEADER,
        &[
            child(&d[0], "Zhan", "2011-01-02", "M", "101010000", "rural", false, false, "2025-02-01", "Серікова С.С."),
            child(&d[1], "Aru", "2012-02-03", "F", "101020000", "urban", true, false, "2025-06-01", "Серікова С.С."),
        ],
    );
    write(
        &abay,
        "measures.csv",
        MEASURE_HEADER,
        &[
            format!("{},N1,club_or_section,Dombra,2025-09-01,2025-11-01,done,2025-11-01,none,", d[0]),
            format!("{},N2,mentoring,Mentor,2026-01-01,2026-05-31,in_progress,,,", d[1]),
        ],
    );
    write(
        &abay,
        "achievements.csv",
        ACHIEVEMENT_HEADER,
        &[
            // A7: international winner (20) for T3; A8: republican prize-winner (6) for T3.
            format!("{},Asian olympiad,olympiad,mathematics,international,2025-05-05,winner,{t3}", d[0]),
            format!("{},Republican olympiad,olympiad,mathematics,republican,2025-04-10,prize_winner,{t3}", d[1]),
        ],
    );
    write(&abay, "teachers.csv", TEACHER_HEADER, &[format!("{t3},Үшінші,Сәуле,S2")]);

    let registry = root.join("registry");
    let output = daryn(&["ingest", "--registry", registry.to_str().unwrap(), day.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    // Exit 2: published, with the one rejected row.
    assert_eq!(output.status.code(), Some(2), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    Fixture { registry, c, d, t1, t2, t3 }
}

/// A registry of one rural child of region 35 and one teacher, who prepared the child
/// for one republican olympiad (2025-04-10) where the child won in mathematics and in
/// physics, and for a contest of the same name and date; the mathematics row is pasted
/// twice. Returns the registry and the teacher's id.
pub fn one_event(root: &Path) -> (PathBuf, String) {
    let child_iin = iin("2012-03-04", Sex::Female, 21);
    let teacher = iin("1985-04-05", Sex::Female, 22);
    let day = root.join("drops").join(DROP_DATE);
    let folder = day.join("35");
    let row = [child(&child_iin, "Ahmet", "2012-03-04", "F", "351010000", "rural", false, false, "2025-01-10", "А.А.")];
    write(&folder, "children.csv", CHILD_HEADER, &row);
    let won = |kind: &str, discipline: &str| {
        format!("{child_iin},Republican olympiad,{kind},{discipline},republican,2025-04-10,winner,{teacher}")
    };
    let rows = [
        won("olympiad", "mathematics"),
        won("olympiad", "physics"),
        won("intellectual_contest", "mathematics"),
        won("olympiad", "mathematics"),
    ];
    write(&folder, "achievements.csv", ACHIEVEMENT_HEADER, &rows);
    write(&folder, "teachers.csv", TEACHER_HEADER, &[format!("{teacher},Первова,Анна,S1")]);
    (ingested_clean(root, &day), teacher)
}

/// One teacher who prepared a rural child in region 35 for five republican olympiads
/// won in 2025 and a rural child in region 10 for three: 8 achievements, 80 points
/// nationally. Returns the registry and the teacher's id.
pub fn shared_teacher(root: &Path) -> (PathBuf, String) {
    let teacher = iin("1985-04-05", Sex::Female, 31);
    let day = root.join("drops").join(DROP_DATE);
    for (region, district, serial, wins) in [("35", "351010000", 32, 5), ("10", "101010000", 33, 3)] {
        let folder = day.join(region);
        let child_iin = iin("2012-03-04", Sex::Female, serial);
        let row =
            [child(&child_iin, "Ahmet", "2012-03-04", "F", district, "rural", false, false, "2025-01-10", "А.А.")];
        write(&folder, "children.csv", CHILD_HEADER, &row);
        let rows: Vec<String> = (1..=wins)
            .map(|month| {
                format!(
                    "{child_iin},Olympiad {month},olympiad,mathematics,republican,2025-0{month}-10,winner,{teacher}"
                )
            })
            .collect();
        write(&folder, "achievements.csv", ACHIEVEMENT_HEADER, &rows);
        write(&folder, "teachers.csv", TEACHER_HEADER, &[format!("{teacher},Первова,Анна,S1")]);
    }
    (ingested_clean(root, &day), teacher)
}

/// Ingests the drops of `day` into `root/registry`, which must take every row.
fn ingested_clean(root: &Path, day: &Path) -> PathBuf {
    let registry = root.join("registry");
    let output = daryn(&["ingest", "--registry", registry.to_str().unwrap(), day.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stdout));
    registry
}
