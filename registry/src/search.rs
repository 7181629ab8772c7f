//! Talent search: a tantivy index over the current children and teachers of a registry
//! version, with analysis for Kazakh and Russian in Cyrillic or Latin.
//!
//! - [`analysis`]: Kazakh-aware lower case, the script folding, stemming (Kazakh, and
//!   Russian only for words without Kazakh letters), the tokenizer the index uses.
//! - [`kazakh`]: the light Kazakh stemmer.
//! - [`fields`]: the index schema; [`documents`]: rows to documents; [`tags`]: coded
//!   values, one term each, that filters select and words spell; [`rows`]: reading a
//!   region of a pinned version; [`key`]: the `child_key` pseudonym.
//! - [`index`]: building a generation at publish, incrementally per region, pinned by
//!   the registry version.
//! - [`query`]: parsing a search, filters, facets, sorting and snippets; [`facets`]: facet
//!   counts as bits.
//!
//! The CLI (`daryn search`) lives in `api/`; the publish that calls [`index_version`] in
//! `daryn-ingest`.

pub mod analysis;
pub mod documents;
pub mod facets;
pub mod fields;
pub mod index;
pub mod kazakh;
pub mod key;
pub mod query;
pub mod read_only;
pub mod rows;
pub mod tags;
pub mod union;

use std::path::{Path, PathBuf};

pub use index::{IndexReport, index_version};
pub use query::{Facets, Hit, HitKind, SearchIndex, SearchRequest, SearchResults, SortOrder};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("cannot use `{path}`: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("reading table `{table}` for the index: {reason}")]
    Read { table: String, reason: String },
    #[error("search index `{path}`: {reason}")]
    Index { path: PathBuf, reason: String },
    #[error("`{path}` is not a usable Daryn search index: {reason}")]
    BadIndex { path: PathBuf, reason: String },
    #[error("registry version {version} has no search index; `daryn reindex` or the next `daryn ingest` builds one")]
    NoIndex { version: u64 },
    #[error("`{parameter}`: {reason}")]
    BadParameter { parameter: &'static str, reason: String },
}

impl SearchError {
    pub fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SearchError + '_ {
        move |source| SearchError::Io { path: path.to_owned(), source }
    }

    /// A stable code for scripts and the HTTP layer.
    pub fn code(&self) -> &'static str {
        match self {
            SearchError::Io { .. } => "io",
            SearchError::Store(store) => store.code(),
            SearchError::Read { .. } => "read",
            SearchError::Index { .. } => "index",
            SearchError::BadIndex { .. } => "bad_index",
            SearchError::NoIndex { .. } => "no_index",
            SearchError::BadParameter { .. } => "bad_parameter",
        }
    }
}

pub type SearchResult<T> = std::result::Result<T, SearchError>;
