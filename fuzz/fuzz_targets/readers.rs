//! Any bytes, as any data file a drop may hold, go through the reader and the form's
//! rules. Nothing may panic: a bad file is an error, a bad row a rejection.
#![no_main]

use std::path::Path;

use daryn_registry::RegionCode;
use daryn_registry::form::rules::{DropContext, check_drop};
use libfuzzer_sys::fuzz_target;

/// The first byte picks the file the rest is read as.
const NAMES: [&str; 8] = [
    "children.csv",
    "measures.csv",
    "achievements.csv",
    "teachers.csv",
    "roadmap.xlsx",
    "children.xlsx",
    "roadmap.jsonl",
    "children.jsonl",
];

fuzz_target!(
    init: {
        // calamine 0.38 overflows on crafted cell references (`get_row_and_optional_column`,
        // with overflow checks on, as in fuzz builds). `read_workbook` catches that panic and
        // reports the file as a malformed workbook, which is what the product does with it.
        // libFuzzer's hook aborts on every panic, caught or not; this one lets panics raised
        // inside calamine go on to that catch, and still aborts on every other. A calamine
        // panic that nothing catches still ends the run: the target's own catch aborts.
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |panic| {
            let in_calamine = panic.location().is_some_and(|place| place.file().contains("/calamine-"));
            if !in_calamine {
                abort(panic);
            }
        }));
    },
    |data: &[u8]| read_as_any_file(data)
);

/// Reads `data` as the file its first byte names, and checks the rows against the form.
fn read_as_any_file(data: &[u8]) {
    let Some((&selector, bytes)) = data.split_first() else { return };
    let name = NAMES[usize::from(selector) % NAMES.len()];
    let mut files = vec![(name.to_owned(), bytes.to_vec())];
    // A drop needs a children table; give the other tables a small valid one.
    if !name.starts_with("children") && !name.starts_with("roadmap") {
        files.push(("children.csv".to_owned(), b"iin,last_name\n".to_vec()));
    }
    let Ok(mut content) = daryn_ingest::read::read_drop_files(Path::new("fuzz"), files) else { return };
    let rows = content.take_rows();
    let context = DropContext {
        region: RegionCode::parse("35").expect("35 is a region"),
        export_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("a date"),
        classifier: None,
    };
    let _ = check_drop(rows, &context);
}
