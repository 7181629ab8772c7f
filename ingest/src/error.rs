//! Errors of the ingest crate. Each variant has a stable [`Error::code`]: a refused drop
//! is reported to its region with that code, so codes are never renamed, only added.

use std::path::PathBuf;

use daryn_registry::form::TableKind;

pub type Result<T> = std::result::Result<T, Error>;

/// Why a drop (or a path given as one) cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A table the contract requires (`children`) has no file or sheet in the drop.
    #[error("drop `{folder}` has no `{table}` table{unread}")]
    MissingTable {
        folder: PathBuf,
        table: TableKind,
        /// Files named for a table in a format the form does not take (`children.txt`, as
        /// Excel saves "Unicode text"), told as a hint; empty when there are none.
        unread: String,
    },
    /// Two files or sheets of one drop hold the same table, e.g. `children.csv` and
    /// `children.xlsx`, or `measures.csv` beside `roadmap.jsonl`.
    #[error("drop `{folder}` gives the `{table}` table twice: `{first}` and `{second}`")]
    AmbiguousTable { folder: PathBuf, table: TableKind, first: String, second: String },
    /// A data file that cannot be decoded or parsed at all.
    #[error("cannot read `{path}`: {reason}")]
    Unreadable { path: PathBuf, reason: String },
    /// A table whose header row cannot be found (too few cells name a column of the form).
    #[error("no header row naming the form's columns in `{path}`{}", sheet_suffix(sheet))]
    NoHeader { path: PathBuf, sheet: Option<String> },
    /// `manifest.json` exists but is not valid JSON of the contract's shape, or names
    /// another region.
    #[error("manifest `{path}` is invalid: {reason}")]
    BadManifest { path: PathBuf, reason: String },
    /// A path given to discovery that is neither a region's drop folder nor a folder of them.
    #[error("`{path}` is not a drop: {reason}")]
    NotADrop { path: PathBuf, reason: String },
    /// A file or folder that cannot be read from disk.
    #[error("cannot read `{path}`: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// A file the run writes (a coordinator's file) that cannot be written: a full disk.
    #[error("cannot write `{path}`: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

fn sheet_suffix(sheet: &Option<String>) -> String {
    match sheet {
        Some(sheet) => format!(", sheet `{sheet}`"),
        None => String::new(),
    }
}

impl Error {
    /// The stable code a refused drop is reported with.
    pub fn code(&self) -> &'static str {
        match self {
            Error::MissingTable { .. } => "table_missing",
            Error::AmbiguousTable { .. } => "table_ambiguous",
            Error::Unreadable { .. } | Error::NoHeader { .. } => "table_unreadable",
            Error::BadManifest { .. } => "manifest_invalid",
            Error::NotADrop { .. } => "not_a_drop",
            Error::Io { .. } => "io",
            Error::Write { .. } => "output",
        }
    }

    /// Wraps an IO error with the path it happened on: `.map_err(Error::io(&path))`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }

    pub fn write(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Write { path, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_lowercase_with_names_in_backticks() {
        let error = Error::MissingTable {
            folder: PathBuf::from("drops/35"),
            table: TableKind::Children,
            unread: String::new(),
        };
        assert_eq!(error.to_string(), "drop `drops/35` has no `children` table");
        assert_eq!(error.code(), "table_missing");
        let error = Error::NoHeader { path: PathBuf::from("35/roadmap.xlsx"), sheet: Some("Дети".to_owned()) };
        assert_eq!(error.to_string(), "no header row naming the form's columns in `35/roadmap.xlsx`, sheet `Дети`");
        assert_eq!(error.code(), "table_unreadable");
        let error = Error::NoHeader { path: PathBuf::from("35/children.csv"), sheet: None };
        assert_eq!(error.to_string(), "no header row naming the form's columns in `35/children.csv`");
    }
}
