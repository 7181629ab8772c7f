//! Errors of the data crate.

use std::path::PathBuf;

pub type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot write `{path}`: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("cannot write workbook `{path}`: {source}")]
    Xlsx { path: PathBuf, source: rust_xlsxwriter::XlsxError },
    #[error("invalid parameter `{parameter}`: {reason}")]
    Parameter { parameter: &'static str, reason: String },
    #[error(transparent)]
    Registry(#[from] daryn_registry::Error),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }

    pub fn xlsx(path: impl Into<PathBuf>) -> impl FnOnce(rust_xlsxwriter::XlsxError) -> Error {
        let path = path.into();
        move |source| Error::Xlsx { path, source }
    }
}
