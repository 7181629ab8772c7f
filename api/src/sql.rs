//! `daryn sql` and `daryn report`: analysts' SQL and the decree's reports from a
//! terminal. A statement given on the command line runs once; without one, an
//! interactive shell reads statements (ended by `;`, over several lines), keeps a
//! history, and answers `\d` (the tables) and `\d NAME` (one table's columns).
//! Errors print as `error[code]: message`, with the statement's line and a caret when
//! DataFusion gives a position; the exit code is 1.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use daryn_query::error::point_at;
use daryn_query::session::TableKind;
use daryn_query::{OutputFormat, QueryOptions, QueryResult, RegistrySession, ReportParams};

/// What `daryn sql` was asked to do.
pub struct SqlCommand {
    pub registry: PathBuf,
    pub options: QueryOptions,
    pub format: OutputFormat,
    pub out: Option<PathBuf>,
    pub statement: Option<String>,
}

/// What `daryn report` was asked to do.
pub struct ReportCommand {
    pub registry: PathBuf,
    pub options: QueryOptions,
    pub name: String,
    pub params: ReportParams,
    pub format: OutputFormat,
    pub out: Option<PathBuf>,
    pub suppress_small: bool,
    /// Which of `--lang` and `--limit` were given (`params` holds their defaults
    /// otherwise): a report they do nothing for refuses them.
    pub given: GivenOptions,
    /// Runs the report this many times in one session and prints each run's seconds to
    /// standard error (for `scripts/bench-reports.sh`); 0 runs it once, silently.
    pub repeat: u32,
}

/// The options of `daryn report` that have defaults, and whether each was given.
#[derive(Clone, Copy, Debug, Default)]
pub struct GivenOptions {
    pub lang: bool,
    pub limit: bool,
}

/// Why `report` refuses an option it would ignore: `--lang` names regions in `item1`,
/// `data-quality` and `annual` only, `--limit` ranks `top-teachers` only. `None` for an
/// unknown report, which is refused as that.
fn ignored_option(name: &str, given: GivenOptions) -> Option<daryn_query::Error> {
    let known = name == "annual" || daryn_query::reports::report(name).is_ok();
    let (parameter, applies) = if given.lang && !matches!(name, "item1" | "data-quality" | "annual") {
        ("--lang", "`item1`, `data-quality` and `annual`, which name regions")
    } else if given.limit && name != "top-teachers" {
        ("--limit", "`top-teachers`")
    } else {
        return None;
    };
    known.then(|| daryn_query::Error::BadParameter {
        parameter,
        reason: format!("`{name}` does nothing with it; it is for {applies}"),
    })
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Runtime::new().context("starting the async runtime")
}

/// Prints a query error with its code and, when known, where in the statement it is;
/// returns the exit code: 2 for a parameter given wrong (a flag's value, a report's
/// name), as for a command line clap refuses, and 1 for everything else.
fn report_error(sql: Option<&str>, error: &daryn_query::Error) -> ExitCode {
    eprintln!("error[{}]: {error}", error.code());
    if let (Some(sql), Some(position)) = (sql, error.position())
        && let Some(pointer) = point_at(sql, position)
    {
        eprintln!("at line {}, column {}:\n{pointer}", position.line, position.column);
    }
    ExitCode::from(if matches!(error.code(), "bad_parameter" | "unknown_report") { 2 } else { 1 })
}

pub fn run_sql(command: SqlCommand) -> Result<ExitCode> {
    let runtime = runtime()?;
    let session = match runtime.block_on(RegistrySession::open(&command.registry, command.options.clone())) {
        Ok(session) => session,
        Err(error) => {
            return Ok(report_error(None, &error));
        }
    };
    match &command.statement {
        Some(sql) => {
            let outcome = runtime
                .block_on(session.query(sql))
                .and_then(|result| daryn_query::output::write_result(&result, command.format, command.out.as_deref()));
            match outcome {
                Ok(()) => Ok(ExitCode::SUCCESS),
                Err(error) => Ok(report_error(Some(sql), &error)),
            }
        }
        None => shell(&runtime, &session, &command),
    }
}

pub fn run_report(command: ReportCommand) -> Result<ExitCode> {
    if let Some(error) = ignored_option(&command.name, command.given) {
        return Ok(report_error(None, &error));
    }
    if command.suppress_small && command.params.teacher.is_some() {
        let error = daryn_query::Error::BadParameter {
            parameter: "--suppress-small",
            reason: "`--explain` lists one teacher's achievements row by row, with the children's IINs: it checks a \
                     score and is not for publication"
                .to_owned(),
        };
        return Ok(report_error(None, &error));
    }
    let runtime = runtime()?;
    let outcome = runtime.block_on(async {
        let session = RegistrySession::open(&command.registry, command.options.clone()).await?;
        if command.name == "annual" {
            let folder = command.out.clone().unwrap_or_else(|| PathBuf::from("."));
            let written =
                daryn_query::annual::write_annual(&session, &command.params, command.suppress_small, &folder).await?;
            let mut stdout = std::io::stdout().lock();
            for workbook in written {
                // A closed pipe (`| head`) is not an error of the report.
                let _ = writeln!(stdout, "wrote {} ({})", workbook.path.display(), workbook.sheets.join(", "));
            }
            return Ok(());
        }
        let report = daryn_query::reports::report(&command.name)?;
        for run in 1..command.repeat {
            let started = std::time::Instant::now();
            daryn_query::reports::run_report(&session, report, &command.params).await?;
            eprintln!("run {run}: {:.4} s", started.elapsed().as_secs_f64());
        }
        let started = std::time::Instant::now();
        let mut result = daryn_query::reports::run_report(&session, report, &command.params).await?;
        if command.repeat > 0 {
            eprintln!("run {}: {:.4} s", command.repeat, started.elapsed().as_secs_f64());
        }
        if command.suppress_small {
            result = daryn_query::reports::suppress_small(&result, report)?;
        }
        daryn_query::output::write_result(&result, command.format, command.out.as_deref())
    });
    match outcome {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(error) => Ok(report_error(None, &error)),
    }
}

/// The interactive shell.
fn shell(runtime: &tokio::runtime::Runtime, session: &RegistrySession, command: &SqlCommand) -> Result<ExitCode> {
    use rustyline::error::ReadlineError;
    let mut editor = rustyline::DefaultEditor::new().context("starting the line editor")?;
    let history = history_file();
    if let Some(path) = &history {
        // A missing history file is the first session's normal state.
        let _ = editor.load_history(path);
    }
    let version = session.version();
    println!(
        "daryn sql: registry version {} ({}); end statements with `;`, `\\d` lists tables, `\\q` quits",
        version.version,
        version.created_at.format("%Y-%m-%d %H:%M UTC")
    );
    let mut buffer = String::new();
    loop {
        let prompt = if buffer.is_empty() { "daryn> " } else { "   ..> " };
        let line = match editor.readline(prompt) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => {
                buffer.clear();
                continue;
            }
            Err(ReadlineError::Eof) => break,
            Err(error) => return Err(error).context("reading a line"),
        };
        let trimmed = line.trim();
        if buffer.is_empty() && trimmed.starts_with('\\') {
            let _ = editor.add_history_entry(trimmed);
            match meta_command(runtime, session, trimmed) {
                MetaOutcome::Quit => break,
                MetaOutcome::Done => continue,
            }
        }
        if trimmed.is_empty() && buffer.is_empty() {
            continue;
        }
        buffer.push_str(&line);
        buffer.push('\n');
        // Complete when a `;` outside quotes and comments ends it; each statement of the
        // line runs in turn.
        let Some(statements) = daryn_query::session::complete_statements(&buffer) else { continue };
        let _ = editor.add_history_entry(buffer.trim());
        buffer.clear();
        for statement in statements {
            let started = std::time::Instant::now();
            match runtime.block_on(session.query(&statement)) {
                Ok(result) => show(&result, command, started.elapsed()),
                Err(error) => {
                    report_error(Some(&statement), &error);
                }
            }
        }
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
    Ok(ExitCode::SUCCESS)
}

enum MetaOutcome {
    Done,
    Quit,
}

fn meta_command(runtime: &tokio::runtime::Runtime, session: &RegistrySession, text: &str) -> MetaOutcome {
    let mut words = text.split_whitespace();
    match (words.next(), words.next()) {
        (Some("\\q"), _) => return MetaOutcome::Quit,
        (Some("\\d"), None) => print!("{}", list_tables(session)),
        (Some("\\d"), Some(name)) => match runtime.block_on(describe(session, name)) {
            Ok(text) => print!("{text}"),
            Err(error) => {
                report_error(None, &error);
            }
        },
        _ => eprintln!("unknown command `{text}`; `\\d`, `\\d NAME` and `\\q` are known"),
    }
    MetaOutcome::Done
}

/// The text of `\d`: every table and view with what it is.
pub fn list_tables(session: &RegistrySession) -> String {
    let mut text = String::from("name                  kind\n");
    for table in session.tables() {
        let kind = match table.kind {
            TableKind::Store => "table",
            TableKind::Reference => "reference",
            TableKind::View => "view",
        };
        text.push_str(&format!("{:<21} {kind}\n", table.name));
    }
    text
}

/// The text of `\d NAME`: its columns, types and whether they may be empty.
pub async fn describe(session: &RegistrySession, name: &str) -> daryn_query::Result<String> {
    let schema = session.describe(name).await?;
    let mut text = format!("{name}\ncolumn                 type                           empty\n");
    for field in schema.fields() {
        let empty = if field.is_nullable() { "yes" } else { "no" };
        text.push_str(&format!("{:<22} {:<30} {empty}\n", field.name(), field.data_type().to_string()));
    }
    Ok(text)
}

fn show(result: &QueryResult, command: &SqlCommand, elapsed: std::time::Duration) {
    let outcome = match command.format {
        // In the shell, binary formats and `-o` write the last result to the file.
        format if format.needs_file() || command.out.is_some() => {
            daryn_query::output::write_result(result, format, command.out.as_deref())
                .map(|()| println!("wrote {} rows to {}", result.rows(), shown_path(command.out.as_deref())))
        }
        format => daryn_query::output::write_result(result, format, None),
    };
    match outcome {
        Ok(()) => eprintln!("({:.3} s)", elapsed.as_secs_f64()),
        Err(error) => {
            report_error(None, &error);
        }
    }
}

fn shown_path(path: Option<&Path>) -> String {
    path.map(|path| path.display().to_string()).unwrap_or_else(|| "-".to_owned())
}

fn history_file() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".daryn_sql_history"))
}
