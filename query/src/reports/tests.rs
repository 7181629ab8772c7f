use super::*;
use deltalake::arrow::array::{Float64Array, Int64Array};

#[test]
fn every_report_file_names_only_known_parameters() {
    let all = REPORTS.iter().map(|report| report.sql).chain([TOP_TEACHERS_EXPLAIN, ANNUAL_ITEMS]);
    for sql in all {
        let rendered =
            render(sql, &ReportParams { year: Some(2025), teacher: Some("0".repeat(12)), ..Default::default() });
        assert!(!rendered.contains("{{"), "an unknown parameter is left in:\n{rendered}");
    }
}

#[test]
fn parameters_become_literals() {
    let params = ReportParams { region: RegionCode::parse("35"), year: Some(2025), ..Default::default() };
    assert_eq!(render("{{region}} {{year}} {{limit}} name_{{lang}}", &params), "'35' 2025 100 name_kk");
    let none = render("{{region}} {{year}}", &ReportParams::default());
    assert_eq!(none, "CAST(NULL AS VARCHAR) CAST(NULL AS BIGINT)");
}

#[test]
fn bad_parameters_are_named() {
    let bad_year = ReportParams { year: Some(1850), ..Default::default() };
    assert!(matches!(bad_year.validate(), Err(Error::BadParameter { parameter: "--year", .. })));
    let bad_teacher = ReportParams { teacher: Some("12ab".to_owned()), ..Default::default() };
    assert!(matches!(bad_teacher.validate(), Err(Error::BadParameter { parameter: "--explain", .. })));
    assert_eq!(report("nope").unwrap_err().code(), "unknown_report");
}

#[test]
fn small_counts_and_what_derives_from_them_are_hidden() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("covered", DataType::Int64, false),
        Field::new("registered", DataType::Int64, false),
        Field::new("percent", DataType::Float64, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(vec![0, 3, 5, 40])),
            Arc::new(Int64Array::from(vec![10, 10, 4, 80])),
            Arc::new(Float64Array::from(vec![0.0, 30.0, 125.0, 50.0])),
        ],
    )
    .unwrap();
    let result = QueryResult { schema, batches: vec![batch] };
    let shown = suppress_small(&result, report("coverage").unwrap()).unwrap();
    let rows = crate::output::rows_as_text(&shown).unwrap();
    assert_eq!(rows[0], ["0", "10", "0.0"]);
    assert_eq!(rows[1], ["<5", "10", ""]);
    assert_eq!(rows[2], ["5", "<5", ""]);
    assert_eq!(rows[3], ["40", "80", "50.0"]);
}

/// A row of `item1`: region (`None` for the national row), rural, urban, total.
type Item1Row<'a> = (Option<&'a str>, i64, i64, i64);

/// `item1` shown for publication.
fn item1_shown(rows: &[Item1Row<'_>]) -> Vec<Vec<String>> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("region_kato", DataType::Utf8, true),
        Field::new("rural_gifted", DataType::Int64, false),
        Field::new("urban_large_or_low_income_gifted", DataType::Int64, false),
        Field::new("total", DataType::Int64, false),
    ]));
    let column = |pick: fn(&Item1Row<'_>) -> i64| -> ArrayRef {
        Arc::new(Int64Array::from(rows.iter().map(pick).collect::<Vec<_>>()))
    };
    let regions: ArrayRef = Arc::new(StringArray::from(rows.iter().map(|row| row.0).collect::<Vec<_>>()));
    let columns = vec![regions, column(|row| row.1), column(|row| row.2), column(|row| row.3)];
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let result = QueryResult { schema, batches: vec![batch] };
    let shown = suppress_small(&result, report("item1").unwrap()).unwrap();
    crate::output::rows_as_text(&shown).unwrap()
}

/// Region A's 3 rural children are small. Row A would give them back (13 - 10), so
/// A's urban 10 is hidden; column rural would too (23 - 20 - 0), so B's rural 20 is
/// hidden; then column urban has one hidden cell (A's 10), so B's urban 6 is hidden.
/// Row B now hides two cells and the totals stay: 4 unknowns, and the four sums
/// (13, 26, 23, 16) are not independent, so none of them can be solved.
#[test]
fn a_small_count_that_subtraction_would_give_back_takes_second_cells_with_it() {
    let rows = item1_shown(&[(Some("A"), 3, 10, 13), (Some("B"), 20, 6, 26), (Some("C"), 0, 0, 0), (None, 23, 16, 39)]);
    assert_eq!(rows[0], ["A", "<5", "x", "13"]);
    assert_eq!(rows[1], ["B", "x", "x", "26"]);
    assert_eq!(rows[2], ["C", "0", "0", "0"]);
    assert_eq!(rows[3], ["", "23", "16", "39"]);
}

/// Region A's two counts are `<5` and its total 8 is shown: both can only be 4, so
/// A's total is hidden (no part of A is left to hide). Each column then has one
/// hidden cell of A, so B's rural 10, urban 10 and total 20 are hidden too. The
/// national row stays: 14 = A + B has two unknowns in every column.
#[test]
fn small_counts_that_their_bounds_would_give_back_take_a_second_cell() {
    let rows = item1_shown(&[(Some("A"), 4, 4, 8), (Some("B"), 10, 10, 20), (None, 14, 14, 28)]);
    assert_eq!(rows[0], ["A", "<5", "<5", "x"]);
    assert_eq!(rows[1], ["B", "x", "x", "x"]);
    assert_eq!(rows[2], ["", "14", "14", "28"]);
}

/// 150 rejected rows: 140 + 9 + 1. The 1 is small, and 150 - 140 - 9 would give it
/// back, so the smallest other count, 9, is hidden too. A list whose total is hidden
/// only hides its small counts.
#[test]
fn counts_in_a_list_are_hidden_as_counts_are() {
    assert_eq!(
        suppress_list("amount_invalid: 1; date_invalid: 9; iin_format: 140", true),
        "amount_invalid: <5; date_invalid: x; iin_format: 140"
    );
    assert_eq!(suppress_list("amount_invalid: 2; date_invalid: 3", false), "amount_invalid: <5; date_invalid: <5");
    assert_eq!(suppress_list("iin_format: 140", true), "iin_format: 140");
    // Two 4s under a shown total could only be 4 each: 142 is hidden with them.
    assert_eq!(suppress_list("a: 4; b: 4; c: 142", true), "a: <5; b: <5; c: x");
    // 1 + 5 + 20 = 26: with 5 hidden as `x`, `x` + `<5` = 6 could only be 5 + 1, so
    // 20 goes too; then 26 = `<5` + `x` + `x` gives nothing back.
    assert_eq!(suppress_list("a: 1; b: 5; c: 20", true), "a: <5; b: x; c: x");
}

/// What hidden parts under a shown total give back, worked out by hand: `<5` parts
/// are 1-4, `x` parts 0 or 5 and more.
#[test]
fn hidden_parts_given_back_by_their_bounds() {
    assert!(gives_back(3, 1, 0), "one hidden part");
    assert!(gives_back(9, 0, 1), "one hidden part");
    assert!(gives_back(2, 2, 0) && gives_back(8, 2, 0), "1 + 1, 4 + 4");
    assert!(!gives_back(5, 2, 0), "1 + 4, 2 + 3, 3 + 2, 4 + 1");
    assert!(gives_back(6, 1, 1), "<5 + x = 6 is 1 + 5");
    assert!(!gives_back(7, 1, 1), "1 + 6 or 2 + 5");
    assert!(gives_back(4, 1, 1), "<5 + x = 4 is 4 + 0");
    assert!(!gives_back(9, 1, 1), "4 + 5, or 1 + 8 and more");
    assert!(!gives_back(12, 0, 2), "x + x = 12: 0 + 12, 5 + 7, ...");
    assert!(gives_back(0, 0, 2), "x + x = 0: both 0");
    assert!(!gives_back(10, 2, 1), "<5 + <5 + x = 10: each <5 may be 1 to 4, x 5 to 8");
}
