//! Daryn's nightly ingest: finds the regions' drops, reads them (CSV, XLSX, JSONL),
//! maps their headers to the roadmap form, and hands rows to the form's rules.
//!
//! The form itself and its rules live in `daryn-registry`; the versioned store too.

pub mod error;
pub mod read;
pub mod run;

pub use run::{IngestOptions, RunOutcome, ingest};
