//! The `daryn` binary: the one entry point for operators, analysts and coordinators.
//! It parses the command line, installs logging and hands each subcommand to the
//! library crate that owns the work; no domain logic lives here.

mod cli;
mod demo;
mod ingest;
mod search;
mod sql;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the system allocator: an ingest allocates and frees millions of
/// small strings on every core, and glibc's allocator both spent much of the run in
/// `malloc` and kept what the reading stage freed, so the search indexing that follows
/// it raised the peak RSS far above what either stage needs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("DARYN_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let command = cli::Cli::parse();
    match command.run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}
