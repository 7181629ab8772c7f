//! Helpers for the end-to-end tests: the `daryn` binary, the reference data beside the
//! project (tests may read `../shared/reference`; the product never does), and readers
//! that turn generated drops back into rows without using the product's own readers.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The `daryn` binary of this workspace, built once (dev profile) for the test run.
pub fn daryn_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let output = Command::new(cargo)
            .args(["build", "-p", "daryn-api", "--bin", "daryn", "--message-format=json"])
            .current_dir(workspace_root())
            .output()
            .expect("cargo runs");
        assert!(output.status.success(), "building daryn failed: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|message| message["target"]["name"] == "daryn")
            .find_map(|message| message["executable"].as_str().map(PathBuf::from))
            .expect("cargo reports the daryn executable")
    })
}

/// Runs `daryn` with arguments and returns its output.
pub fn daryn(args: &[&str]) -> Output {
    Command::new(daryn_binary()).args(args).output().expect("daryn runs")
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
