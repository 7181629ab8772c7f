//! End-to-end tests through the `daryn` binary. One test binary (each links the whole
//! stack); scenarios are modules under `e2e/`. Built as an integration test of the
//! `daryn-api` package (see `api/Cargo.toml`), so Cargo builds the binary it runs.

use std::path::Path;
use std::process::{Child, Output};

/// The `daryn` binary Cargo built for this test run. Worktrees that share one
/// `CARGO_TARGET_DIR` overwrite each other's `target/debug/daryn`; `DARYN_E2E_BINARY`
/// names another copy (e.g. this build's `target/debug/deps/daryn-<hash>`).
pub fn binary() -> &'static Path {
    static BINARY: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BINARY.get_or_init(|| {
        std::env::var_os("DARYN_E2E_BINARY").map(Into::into).unwrap_or_else(|| env!("CARGO_BIN_EXE_daryn").into())
    })
}

/// Runs `daryn` with arguments.
pub fn daryn(args: &[&str]) -> Output {
    daryn_tests::run(binary(), args)
}

/// Starts `daryn` with arguments and extra environment.
pub fn spawn_daryn(args: &[&str], env: &[(&str, &str)]) -> Child {
    daryn_tests::spawn(binary(), args, env)
}

/// Whether the tests run as root, who may run `daryn` as another user.
pub fn as_root() -> bool {
    let uid = std::process::Command::new("id").arg("-u").output().expect("id runs");
    String::from_utf8_lossy(&uid.stdout).trim() == "0"
}

/// Runs `daryn` as `nobody` (user and group 65534), as root can.
pub fn daryn_as_nobody(args: &[&str]) -> Output {
    std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(binary())
        .args(args)
        .output()
        .expect("setpriv runs")
}

/// `--allow-shrink` for every region: two generated days share no children, so a second
/// day replaces each region's children entirely, which the shrink guard would refuse.
pub fn allow_every_shrink() -> Vec<String> {
    daryn_registry::Region::all()
        .iter()
        .flat_map(|region| ["--allow-shrink".to_owned(), region.code.to_string()])
        .collect()
}

mod e2e {
    pub mod check;
    pub mod cli;
    pub mod crash;
    pub mod duckdb;
    pub mod fixture;
    pub mod generator;
    pub mod generator_files;
    pub mod ingest;
    pub mod outside;
    pub mod reports;
    pub mod search;
    pub mod sql;
    pub mod template;
}
