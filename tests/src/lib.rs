//! Helpers for the end-to-end tests (`tests/tests/e2e.rs`, run as the `daryn-api`
//! package's integration test so that Cargo builds the `daryn` binary for it): running
//! the binary, the reference data beside the project (tests may read `../shared/reference`; the product never does), and readers
//! that turn generated drops back into rows without using the product's own readers.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `daryn` binary with arguments and returns its output.
pub fn run(binary: &Path, args: &[&str]) -> Output {
    Command::new(binary).args(args).output().expect("daryn runs")
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace").to_owned()
}

/// `../shared/reference/` beside the project, where the KATO lists are.
pub fn reference_dir() -> PathBuf {
    let root = workspace_root();
    let beside = root.parent().map(|parent| parent.join("shared/reference")).filter(|path| path.exists());
    beside.unwrap_or_else(|| panic!("the reference data is expected in ../shared/reference beside {}", root.display()))
}

/// Decodes a CSV export the way Excel writes them: UTF-16 with a BOM, or UTF-8 with or
/// without one.
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xff, 0xfe]) {
        let (text, _, had_errors) = encoding_rs::UTF_16LE.decode(rest);
        assert!(!had_errors, "invalid UTF-16");
        return text.into_owned();
    }
    let text = String::from_utf8(bytes.to_vec()).expect("valid UTF-8");
    text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text)
}

/// Starts the `daryn` binary with arguments and extra environment.
pub fn spawn(binary: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Child {
    let mut command = Command::new(binary);
    command.args(args).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    command.spawn().expect("daryn starts")
}

/// What a registry version holds, as text to compare: rows per region of every table.
pub fn registry_fingerprint(registry: &Path) -> String {
    use daryn_registry::store::Store;
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let store = Store::open(registry, false).expect("the registry opens");
        let Some(version) = store.current().expect("the current version reads") else {
            return "empty".to_owned();
        };
        let context = store.session(&version).await.expect("a session");
        let mut text = format!("version {}\n", version.version);
        for table in ["children", "measures", "achievements", "teachers", "rejections"] {
            let query = format!(
                "SELECT region, count(*) AS n, count(DISTINCT iin_or_id) AS k FROM (SELECT region, {} AS iin_or_id FROM {table}) GROUP BY region ORDER BY region",
                if table == "teachers" { "teacher_id" } else if table == "rejections" { "code" } else { "iin" }
            );
            let batches = context.sql(&query).await.expect("the query plans").collect().await.expect("the query runs");
            let shown = deltalake::arrow::util::pretty::pretty_format_batches(&batches).expect("printable").to_string();
            text.push_str(&format!("{table}\n{shown}\n"));
        }
        text
    })
}
