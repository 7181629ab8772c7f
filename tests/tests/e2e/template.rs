//! `daryn template` writes the form; the form's headers read back in each language.

use crate::daryn;
use calamine::{Reader, open_workbook_auto};
use daryn_registry::Lang;
use daryn_registry::form::TableKind;

#[test]
fn templates_in_three_languages_read_back_as_the_form() {
    let dir = tempfile::tempdir().unwrap();
    for lang in Lang::ALL {
        let path = dir.path().join(format!("roadmap-{}.xlsx", lang.code()));
        let output = daryn(&["template", "--lang", lang.code(), "--out", path.to_str().unwrap()]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let mut workbook = open_workbook_auto(&path).unwrap();
        let names = workbook.sheet_names();
        for table in TableKind::ALL {
            let sheet = table.sheet_name(lang);
            assert!(names.iter().any(|name| name == sheet), "{lang:?}: no sheet {sheet}");
            let range = workbook.worksheet_range(sheet).unwrap();
            let header: Vec<String> = range.rows().next().unwrap().iter().map(|cell| cell.to_string()).collect();
            let mapped: Vec<Option<usize>> =
                header.iter().map(|text| table.definition().column_for_header(text)).collect();
            let expected: Vec<Option<usize>> = (0..table.definition().columns.len()).map(Some).collect();
            assert_eq!(mapped, expected, "{lang:?} {table}");
        }
    }
}
