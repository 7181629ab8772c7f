//! Daryn's synthetic data and forms: the national data generator that every test and
//! benchmark runs on (no real child's data is ever used in development), and the XLSX
//! roadmap templates coordinators fill in (item 7 of the decree).
//!
//! Nothing here is needed at run time by the registry, ingest or query crates.

pub mod error;
pub mod generate;
pub mod template;

pub use error::{Error, Result};
