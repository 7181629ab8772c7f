//! Analyst SQL over the registry: a read-only DataFusion session bound to one registry
//! version ([`session`]; store tables read by [`pinned`]), the read-only rule ([`guard`]), the built-in reference tables
//! and views ([`reference`]), the decree's reports as `.sql` files ([`reports`], the
//! annual workbooks in [`annual`]) and the output formats ([`output`]).
//!
//! The store itself (Delta tables, registry versions) is `daryn-registry`'s; the
//! command line and the interactive shell are the `daryn` binary's (`api/`). Nothing
//! here writes to the registry.

pub mod annual;
pub mod error;
pub mod guard;
pub mod output;
mod pinned;
pub mod reference;
pub mod reports;
pub mod session;

pub use error::{Error, Result};
pub use output::OutputFormat;
pub use reports::{REPORTS, ReportParams};
pub use session::{QueryOptions, QueryResult, RegistrySession};
