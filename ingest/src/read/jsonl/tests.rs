//! `roadmap.jsonl` and per-table JSONL files, read from memory.

use std::path::Path;

use daryn_registry::form::{ACHIEVEMENTS, MEASURES, TEACHERS};

use super::super::{DropContent, read_drop_files};
use super::*;
use crate::error::Error;

fn read(name: &str, text: &str) -> std::result::Result<DropContent, Error> {
    read_drop_files(Path::new("35"), vec![(name.to_owned(), text.as_bytes().to_vec())])
}

const TEACHER: &str = r#"{"teacher_id":"800101300123","last_name":"Ахметова","first_name":"Гүлнар"}"#;

fn roadmap() -> String {
    let first = format!(
        r#"{{"iin":"100101500123","last_name":"Серікқызы","grade":9,"large_family":true,"patronymic":null,
            "talent_domains":["science","art"],"disciplines":["mathematics"],"note":"x",
            "measures":[{{"measure_type":"scholarship","title":"Стипендия","amount_kzt":25000.5}},
                        {{"measure_type":"mentoring","title":"Тәлімгер","teacher_id":"800101300123"}}],
            "achievements":[{{"event_name":"Олимпиада","result":"winner","teacher_ids":["800101300123",900101300456]}}],
            "teachers":[{TEACHER}]}}"#
    )
    .replace('\n', " ");
    let second = format!(
        r#"{{"ЖСН":"120202600456","measures":[],"achievements":null,"teachers":[{TEACHER}, 5],"measures_extra":1}}"#
    );
    format!("\u{feff}{first}\r\n\r\nnot json\n[1,2]\n{second}\n")
}

#[test]
fn nested_rows_take_their_childs_iin_and_location() {
    let content = read("roadmap.jsonl", &roadmap()).unwrap();
    assert_eq!(content.present, TableKind::ALL);
    let children = content.table(TableKind::Children);
    assert_eq!(children.len(), 2);
    let child = &children.rows[0];
    assert_eq!(child[CHILDREN.index("iin")], Cell::text("100101500123"));
    assert_eq!(child[CHILDREN.index("grade")], Cell::Number(9.0));
    assert_eq!(child[CHILDREN.index("large_family")], Cell::Bool(true));
    assert_eq!(child[CHILDREN.index("patronymic")], Cell::Empty);
    assert_eq!(child[CHILDREN.index("talent_domains")], Cell::text("science\u{1f}art\u{1f}"));
    assert_eq!(children.locations[0].row, 1);
    assert_eq!(children.locations[1].row, 5);
    assert_eq!(children.rows[1][CHILDREN.index("iin")], Cell::text("120202600456"));

    let measures = content.table(TableKind::Measures);
    assert_eq!(measures.len(), 2);
    assert_eq!(measures.rows[0][MEASURES.index("iin")], Cell::text("100101500123"));
    assert_eq!(measures.rows[0][MEASURES.index("amount_kzt")], Cell::Number(25000.5));
    assert_eq!(measures.locations[1].row, 1);
    assert_eq!(measures.locations[1].nested.map(|nested| nested.to_string()).as_deref(), Some("measures[1]"));
    let achievements = content.table(TableKind::Achievements);
    assert_eq!(achievements.rows[0][ACHIEVEMENTS.index("iin")], Cell::text("100101500123"));
    assert_eq!(
        achievements.rows[0][ACHIEVEMENTS.index("teacher_ids")],
        Cell::text("800101300123\u{1f}900101300456\u{1f}")
    );
    // Each nested row knows its child's row: the first document is children row 0.
    assert!(measures.locations.iter().all(|location| location.nested.is_some_and(|nested| nested.parent == 0)));
}

#[test]
fn a_teacher_under_several_children_is_one_teacher() {
    let content = read("roadmap.jsonl", &roadmap()).unwrap();
    let teachers = content.table(TableKind::Teachers);
    assert_eq!(teachers.len(), 1);
    assert_eq!(teachers.rows[0][TEACHERS.index("teacher_id")], Cell::text("800101300123"));
    assert_eq!(teachers.locations[0].row, 1);
}

#[test]
fn a_teacher_is_one_teacher_whether_her_iin_is_text_or_a_number() {
    // 050101500127 is a valid IIN (the rules' tests use it); as a number it lost its zero.
    let text = concat!(
        r#"{"iin":"100101500123","teachers":[{"teacher_id":"050101500127"}]}"#,
        "\n",
        r#"{"iin":"100101500124","teachers":[{"teacher_id":50101500127}]}"#,
        "\n"
    );
    let content = read("roadmap.jsonl", text).unwrap();
    assert_eq!(content.table(TableKind::Teachers).len(), 1);
}

#[test]
fn broken_lines_are_reported_and_the_rest_is_read() {
    let content = read("roadmap.jsonl", &roadmap()).unwrap();
    let broken: Vec<(TableKind, u64, Option<String>)> = content
        .broken
        .iter()
        .map(|record| (record.table, record.location.row, record.location.nested.map(|nested| nested.to_string())))
        .collect();
    assert_eq!(
        broken,
        [
            (TableKind::Children, 3, None),
            (TableKind::Children, 4, None),
            (TableKind::Teachers, 5, Some("teachers[1]".to_owned())),
        ]
    );
    assert!(content.broken[0].reason.starts_with("the line is not valid JSON"), "{}", content.broken[0].reason);
    assert_eq!(content.broken[1].reason, "the line is not a JSON object");
    // Lines as the manifest counts them: every non-blank line, broken ones included.
    assert_eq!(content.files[0].rows, 4);
    let unknown: Vec<&str> = content.unknown_columns.iter().map(|column| column.header.as_str()).collect();
    assert_eq!(unknown, ["note", "measures_extra"]);
}

#[test]
fn a_nested_list_that_is_not_an_array_is_broken() {
    let content = read("roadmap.jsonl", r#"{"iin":"1","measures":{"title":"x"}}"#).unwrap();
    assert_eq!(content.broken.len(), 1);
    assert_eq!(content.broken[0].table, TableKind::Measures);
    assert_eq!(content.broken[0].reason, "`measures` is not a JSON array");
    assert!(content.table(TableKind::Measures).is_empty());
}

#[test]
fn a_per_table_file_holds_flat_rows_of_its_table() {
    let content = read("children.jsonl", r#"{"iin":"1","measures":[{"title":"x"}],"Тегі":"Ахметов"}"#).unwrap();
    assert_eq!(content.present, [TableKind::Children]);
    let child = &content.table(TableKind::Children).rows[0];
    assert_eq!(child[CHILDREN.index("last_name")], Cell::text("Ахметов"));
    assert!(content.table(TableKind::Measures).is_empty());
    assert_eq!(content.unknown_columns[0].header, "measures");
}

#[test]
fn two_keys_for_one_column_keep_the_first() {
    let content = read("roadmap.jsonl", "{\"ИИН\":\"2\",\"iin\":\"1\"}\n{\"iin\":\"3\",\"iin\":\"4\"}").unwrap();
    let children = &content.table(TableKind::Children).rows;
    assert_eq!(children[0][CHILDREN.index("iin")], Cell::text("2"));
    assert_eq!(children[1][CHILDREN.index("iin")], Cell::text("3"));
    let unknown: Vec<&str> = content.unknown_columns.iter().map(|column| column.header.as_str()).collect();
    assert_eq!(unknown, ["iin"]);
}

#[test]
fn escaped_keys_and_trailing_text() {
    let content = read("roadmap.jsonl", "{\"i\\u0069n\":\"1\"}\n{\"iin\":\"2\"} x\n{\"iin\":\"3\"\n").unwrap();
    let children = &content.table(TableKind::Children);
    assert_eq!(children.rows[0][CHILDREN.index("iin")], Cell::text("1"));
    assert_eq!(children.len(), 1);
    let broken: Vec<u64> = content.broken.iter().map(|record| record.location.row).collect();
    assert_eq!(broken, [2, 3]);
}

#[test]
fn values_become_cells() {
    assert_eq!(cell_of(serde_json::json!(12.0), false), Cell::Number(12.0));
    assert_eq!(cell_of(serde_json::json!("  "), false), Cell::Empty);
    assert_eq!(cell_of(serde_json::json!([]), false), Cell::Empty);
    let mixed = cell_of(serde_json::json!([null, "a", 2.0, 2.5, true, [1]]), false);
    assert_eq!(mixed, Cell::text("a\u{1f}2\u{1f}2.5\u{1f}true\u{1f}[1]\u{1f}"));
    // An item is one item, whatever it holds.
    let items = cell_of(serde_json::json!(["Робототехника, 3D-модельдеу", "шахмат"]), false);
    assert_eq!(daryn_registry::cell::list_items(&items), ["Робототехника, 3D-модельдеу", "шахмат"]);
    assert_eq!(cell_of(serde_json::json!({"a": 1}), false), Cell::text(r#"{"a":1}"#));
    // IINs written as numbers in `teacher_ids` get their leading zero back.
    let iins = serde_json::json!([50101500127u64, "060315550123", 950101500127u64, 50101500127.0]);
    let joined = |items: [&str; 4]| Cell::text(items.join("\u{1f}") + "\u{1f}");
    assert_eq!(cell_of(iins.clone(), true), joined(["050101500127", "060315550123", "950101500127", "050101500127"]));
    assert_eq!(cell_of(iins, false), joined(["50101500127", "060315550123", "950101500127", "50101500127"]));
}

#[test]
fn an_object_or_an_array_where_the_form_has_one_value_breaks_the_line() {
    let text = concat!(
        r#"{"iin":"100101500123","last_name":{"ru":"Скворцова"}}"#,
        "\n",
        r#"{"iin":"100101500124","measures":[{"planned_start":["2025-09-01"]}]}"#,
        "\n",
        r#"{"iin":"100101500125","disciplines":["a","b"],"talent_domains":{"x":1}}"#,
        "\n",
        r#"{"iin":"100101500127","disciplines":[{"ru":"Шахматы"},["x"]]}"#,
        "\n",
        r#"{"iin":"100101500126","disciplines":["a, b"],"interests":["шахмат", null, "музыка"]}"#,
        "\n"
    );
    let content = read("roadmap.jsonl", text).unwrap();
    let reasons: Vec<(u64, &str)> =
        content.broken.iter().map(|broken| (broken.location.row, broken.reason.as_str())).collect();
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert!(reasons[3].1.starts_with("`disciplines` holds an array of arrays or objects"), "{reasons:?}");
    assert!(reasons[0].1.starts_with("`last_name` holds an object where the form has one value"), "{reasons:?}");
    assert!(
        reasons[1].1.starts_with("`measures`: `planned_start` holds an array where the form has one value"),
        "{reasons:?}"
    );
    assert!(reasons[2].1.starts_with("`talent_domains` holds an object where the form has a list"), "{reasons:?}");
    assert_eq!([reasons[0].0, reasons[1].0, reasons[2].0], [1, 2, 3]);
    let children = content.table(TableKind::Children);
    assert_eq!(children.len(), 1);
    assert_eq!(daryn_registry::cell::list_items(&children.rows[0][CHILDREN.index("disciplines")]), ["a, b"]);
    assert_eq!(children.rows[0][CHILDREN.index("interests")], Cell::text("шахмат; музыка"));
}

proptest::proptest! {
    #[test]
    fn no_line_makes_the_reader_panic(text in "\\PC{0,80}") {
        let _ = read("roadmap.jsonl", &text);
        let _ = read("roadmap.jsonl", &format!("{{\"iin\":{text}}}"));
    }
}

/// An empty children file, or `roadmap.jsonl`, is an export cut short: refused, not a
/// region without children. An empty measures file is a region without measures.
#[test]
fn an_empty_children_file_is_unreadable() {
    for name in ["children.jsonl", "roadmap.jsonl"] {
        for text in ["", "\u{feff}\n", "  \r\n"] {
            let error = read(name, text).unwrap_err();
            assert_eq!(error.code(), "table_unreadable", "{name} {text:?}");
            assert!(error.to_string().contains("the file is empty"), "{error}");
        }
    }
    let files = vec![
        ("children.jsonl".to_owned(), br#"{"iin":"100101500123"}"#.to_vec()),
        ("measures.jsonl".to_owned(), b"\n".to_vec()),
    ];
    let content = read_drop_files(Path::new("35"), files).unwrap();
    assert!(content.table(TableKind::Measures).is_empty());
}

/// A line longer than any child's roadmap refuses the file, naming the line, before it
/// is parsed (a 100 MB line took about a gigabyte).
#[test]
fn a_line_longer_than_any_roadmap_is_refused() {
    let long = format!("{{\"iin\":\"100101500123\",\"interests\":\"{}\"}}", "а".repeat(MAX_LINE_BYTES / 2 + 1));
    let text = format!("{{\"iin\":\"120202600456\"}}\n\n{long}\n");
    let error = read("children.jsonl", &text).unwrap_err();
    assert_eq!(error.code(), "table_unreadable", "{error}");
    assert!(error.to_string().contains("line 3 is longer than 16 MiB"), "{error}");
    // Just under the limit, the line is read.
    let under = format!("{{\"iin\":\"100101500123\",\"interests\":\"{}\"}}", "a".repeat(MAX_LINE_BYTES - 64));
    assert_eq!(read("children.jsonl", &under).unwrap().table(TableKind::Children).len(), 1);
}
