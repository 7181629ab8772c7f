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

/// A process killed when dropped: a test that fails while a run it started is paused
/// (`DARYN_PAUSE_AT`, which waits for good) must not leave it behind, holding a lock.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
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

/// What a registry version holds, as text to compare: for every data table and region,
/// its rows, its distinct keys and a digest of all the rows' values, in whatever order
/// they are stored. The `drops` table is left out: a run records its drops (their times
/// included) even when it changes no data.
pub fn registry_fingerprint(registry: &Path) -> String {
    use daryn_registry::store::Store;
    use deltalake::arrow::util::display::{ArrayFormatter, FormatOptions};
    use sha2::{Digest, Sha256};
    use std::collections::BTreeMap;
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let store = Store::open(registry, false).expect("the registry opens");
        let Some(version) = store.current().expect("the current version reads") else {
            return "empty".to_owned();
        };
        let context = store.session(&version).await.expect("a session");
        let mut text = format!("version {}\n", version.version);
        for (table, key) in [
            ("children", "iin"),
            ("measures", "iin"),
            ("achievements", "iin"),
            ("teachers", "teacher_id"),
            ("rejections", "code"),
            ("conflicts", "iin"),
        ] {
            let batches = context
                .sql(&format!("SELECT * FROM {table}"))
                .await
                .expect("the query plans")
                .collect()
                .await
                .expect("the query runs");
            // Each region's rows, every value written out.
            let mut rows: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
            let options = FormatOptions::default().with_null("NULL");
            for batch in &batches {
                let schema = batch.schema();
                let column = |name: &str| schema.index_of(name).unwrap_or_else(|_| panic!("{table} has `{name}`"));
                let (region, key) = (column("region"), column(key));
                let formatters: Vec<ArrayFormatter> = batch
                    .columns()
                    .iter()
                    .map(|array| ArrayFormatter::try_new(array.as_ref(), &options).expect("a printable column"))
                    .collect();
                for row in 0..batch.num_rows() {
                    let values: Vec<String> = formatters.iter().map(|value| value.value(row).to_string()).collect();
                    rows.entry(values[region].clone()).or_default().push((values[key].clone(), values.join("\u{1f}")));
                }
            }
            for (region, mut region_rows) in rows {
                region_rows.sort();
                let keys = region_rows.iter().map(|(key, _)| key).collect::<std::collections::BTreeSet<_>>().len();
                let mut digest = Sha256::new();
                for (_, row) in &region_rows {
                    digest.update(row.as_bytes());
                    digest.update(b"\n");
                }
                let digest = hex::encode(&digest.finalize()[..8]);
                text.push_str(&format!("{table} {region}: {} rows, {keys} keys, {digest}\n", region_rows.len()));
            }
        }
        text
    })
}
