//! Daryn's nightly ingest: finds the regions' drops, reads them (CSV, XLSX, JSONL),
//! maps their headers to the roadmap form, and hands rows to the form's rules.
//!
//! The form itself and its rules live in `daryn-registry`; the versioned store too.

#[cfg(feature = "run")]
pub mod conflicts;
pub mod error;
pub mod read;
#[cfg(feature = "run")]
pub mod run;

#[cfg(feature = "run")]
pub use run::{IngestOptions, RunOutcome, ingest};
