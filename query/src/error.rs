//! The errors of analyst SQL and reports. Each has a stable code that scripts and the
//! HTTP layer can rely on; the message names the parameter or the place in the SQL.

use std::path::PathBuf;

use daryn_registry::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Registry(#[from] StoreError),
    #[error("the statement {what}; analyst SQL is read-only (SELECT, WITH, EXPLAIN, SHOW, DESCRIBE)")]
    ReadOnly { what: String },
    #[error("`{function}` reads files; analyst SQL reads only the registry's tables")]
    FileFunction { function: String },
    #[error("{message}")]
    Syntax { message: String, position: Option<Position> },
    #[error("{message}")]
    Plan { message: String, position: Option<Position> },
    #[error(
        "the query needs more than the memory limit of {limit}; raise `--memory-limit` or narrow the query: {message}"
    )]
    MemoryLimit { limit: String, message: String },
    #[error(
        "the query needs more than the memory limit, and spilling it to disk would take more than the spill limit of \
         {limit}; raise `--spill-limit` (if the disk has room) or `--memory-limit`, or narrow the query"
    )]
    SpillLimit { limit: String },
    #[error("the query ran longer than the time limit of {seconds} s (`--timeout`)")]
    TimeLimit { seconds: f64 },
    #[error("the statement was stopped (Ctrl-C) before it finished")]
    Interrupted,
    #[error("the query failed while running: {message}")]
    Execution { message: String },
    #[error(
        "registry version {version} was vacuumed while this read it, and its files are gone; the oldest kept is \
         {oldest}: run it again (on the current version, or `--as-of` a kept one)"
    )]
    VacuumedUnder { version: u64, oldest: u64 },
    #[error("`{parameter}`: {reason}")]
    BadParameter { parameter: &'static str, reason: String },
    #[error("no report named `{name}`; the reports are {known}")]
    UnknownReport { name: String, known: String },
    #[error("writing `{path}`: {reason}")]
    Output { path: PathBuf, reason: String },
    #[error("table `{table}` is not in this registry version; `\\d` lists the tables")]
    NoSuchTable { table: String },
}

/// Where in a statement an error is, 1-based, as DataFusion reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: u64,
    pub column: u64,
}

impl Error {
    /// The stable code of the error, for scripts and for the HTTP layer.
    pub fn code(&self) -> &'static str {
        match self {
            // The store's own code, as every other command prints it: `registry`,
            // `damaged`, `io`, `config`.
            Error::Registry(store) => store.code(),
            Error::VacuumedUnder { .. } => "registry",
            Error::ReadOnly { .. } => "read_only",
            Error::FileFunction { .. } => "file_function",
            Error::Syntax { .. } => "sql_syntax",
            Error::Plan { .. } => "sql_plan",
            Error::MemoryLimit { .. } => "memory_limit",
            Error::TimeLimit { .. } => "time_limit",
            Error::Interrupted => "interrupted",
            Error::SpillLimit { .. } => "spill_limit",
            Error::Execution { .. } => "execution",
            Error::BadParameter { .. } => "bad_parameter",
            Error::UnknownReport { .. } => "unknown_report",
            Error::Output { .. } => "output",
            Error::NoSuchTable { .. } => "no_such_table",
        }
    }

    /// The position in the statement, when the error has one.
    pub fn position(&self) -> Option<Position> {
        match self {
            Error::Syntax { position, .. } | Error::Plan { position, .. } => *position,
            _ => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// Reads `Line: 3, Column: 14` out of a parser message, the form sqlparser writes.
pub fn position_in_message(message: &str) -> Option<Position> {
    let after_line = &message[message.find("Line: ")? + "Line: ".len()..];
    let line: u64 = after_line.split(|ch: char| !ch.is_ascii_digit()).next()?.parse().ok()?;
    let after_column = &after_line[after_line.find("Column: ")? + "Column: ".len()..];
    let column: u64 = after_column.split(|ch: char| !ch.is_ascii_digit()).next()?.parse().ok()?;
    Some(Position { line, column })
}

/// The statement's line with a caret under the error's column, for a terminal.
pub fn point_at(sql: &str, position: Position) -> Option<String> {
    let line = sql.lines().nth(usize::try_from(position.line).ok()?.checked_sub(1)?)?;
    let column = usize::try_from(position.column).ok()?.max(1);
    let pad: String = line.chars().take(column - 1).map(|ch| if ch == '\t' { '\t' } else { ' ' }).collect();
    Some(format!("{line}\n{pad}^"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_positions_are_read_from_the_message() {
        let message = "sql parser error: Expected: end of statement, found: FORM at Line: 2, Column: 10";
        assert_eq!(position_in_message(message), Some(Position { line: 2, column: 10 }));
        assert_eq!(position_in_message("no position here"), None);
    }

    #[test]
    fn the_caret_sits_under_the_column() {
        let shown = point_at("SELECT 1\nSELECT x FORM t", Position { line: 2, column: 10 }).unwrap();
        assert_eq!(shown, "SELECT x FORM t\n         ^");
        assert_eq!(point_at("SELECT 1", Position { line: 5, column: 1 }), None);
    }
}
