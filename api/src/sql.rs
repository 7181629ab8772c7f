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
    /// Whether `--format` was given (else `-o`'s extension chose, or a table).
    pub format_given: bool,
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
    pub format: bool,
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
    } else if given.format && name == "annual" {
        return Some(daryn_query::Error::BadParameter {
            parameter: "--format",
            reason: "`annual` always writes XLSX workbooks, one per region and the national one".to_owned(),
        });
    } else {
        return None;
    };
    known.then(|| daryn_query::Error::BadParameter {
        parameter,
        reason: format!("`{name}` does nothing with it; it is for {applies}"),
    })
}

/// The stack of the query runtime's threads, only touched as far as used: DataFusion
/// plans (on a worker, under the time limit) and evaluates a statement by recursion, and
/// the guard lets expressions, set operations and subqueries nest to its limits
/// (`daryn_query::guard`), which tokio's 2 MiB do not hold.
const QUERY_THREAD_STACK: usize = 64 << 20;

fn runtime() -> Result<Runtime> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(QUERY_THREAD_STACK)
        .build()
        .context("starting the async runtime")?;
    Ok(Runtime(Some(runtime)))
}

/// The async runtime of a query command. Dropped, it does not wait for a statement
/// stopped at its time limit to reach the end of its batch: the command is done.
struct Runtime(Option<tokio::runtime::Runtime>);

impl std::ops::Deref for Runtime {
    type Target = tokio::runtime::Runtime;

    fn deref(&self) -> &tokio::runtime::Runtime {
        self.0.as_ref().expect("the runtime is there until dropped")
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            // Its threads are joined when they end at once, as they do unless a statement
            // was stopped at its time limit; those still busy a moment later are left to
            // end with the process. (Leaving every thread so, the process once crashed
            // on its way out, detaching a thread that had ended.)
            runtime.shutdown_timeout(std::time::Duration::from_millis(250));
        }
    }
}

/// Prints a query error with its code and, when known, where in the statement it is;
/// returns the exit code: 2 for a parameter given wrong (a flag's value, a report's
/// name), as for a command line clap refuses, and 1 for everything else.
fn report_error(sql: Option<&str>, error: &daryn_query::Error) -> ExitCode {
    let code = match error.code() {
        "output" => crate::output_code(&error.to_string()),
        code => code,
    };
    eprintln!("error[{code}]: {error}");
    if let (Some(sql), Some(position)) = (sql, error.position())
        && let Some(pointer) = point_at(sql, position)
    {
        eprintln!("at line {}, column {}:\n{pointer}", position.line, position.column);
    }
    ExitCode::from(if matches!(error.code(), "bad_parameter" | "unknown_report") { 2 } else { 1 })
}

/// Refuses a `--registry` that is no registry (a file, an empty folder, a folder of
/// something else) as every command does, before a session would take it for a damaged one.
fn registry_refused(registry: &Path) -> Option<ExitCode> {
    let error = crate::ingest::check_registry_folder(registry).err()?;
    eprintln!("error[{}]: {error:#}", crate::error_code(&error));
    Some(ExitCode::from(1))
}

/// Refuses `--format` given with an `-o` whose extension names another format daryn
/// writes: `--format csv -o out.xlsx` wrote CSV into a file Excel then would not open.
fn format_refused(format: OutputFormat, format_given: bool, out: Option<&Path>) -> Option<ExitCode> {
    let out = out.filter(|out| format_given && !daryn_query::output::names_stdout(out))?;
    let extension = out.extension()?.to_str()?;
    let named = OutputFormat::parse(extension).filter(|named| *named != OutputFormat::Table)?;
    if named == format {
        return None;
    }
    let asked = format!("{format:?}").to_lowercase();
    let reason = format!(
        "`{}` names a .{extension} file, but --format asks for {asked}: give one of them, or make them agree",
        out.display()
    );
    Some(report_error(None, &daryn_query::Error::BadParameter { parameter: "--format", reason }))
}

/// Refuses an `-o` that would write inside the registry read (a report written over
/// `keys/child-key` or a version file damaged the registry), or, without `--format`, one
/// whose extension names a format daryn does not write.
fn output_refused(out: Option<&Path>, registry: &Path, format_given: bool) -> Option<ExitCode> {
    // Standard output named as a file (`-`, `/dev/stdout`) is written as it is.
    let out = out.filter(|out| !daryn_query::output::names_stdout(out))?;
    if let (false, Some(reason)) = (format_given, OutputFormat::foreign_extension(out)) {
        return Some(report_error(None, &daryn_query::Error::BadParameter { parameter: "-o", reason }));
    }
    let inside = crate::ingest::lands_inside(out, [registry])?;
    let reason = format!(
        "`{}` is inside the registry `{}`, which it would damage; write it elsewhere",
        out.display(),
        inside.display()
    );
    Some(report_error(None, &daryn_query::Error::BadParameter { parameter: "-o", reason }))
}

pub fn run_sql(command: SqlCommand) -> Result<ExitCode> {
    if let Some(refused) = registry_refused(&command.registry) {
        return Ok(refused);
    }
    if let Some(refused) = output_refused(command.out.as_deref(), &command.registry, command.format_given)
        .or_else(|| format_refused(command.format, command.format_given, command.out.as_deref()))
    {
        return Ok(refused);
    }
    // Before any statement runs, and in the shell as for a statement given: the shell
    // once started, and refused every statement in turn.
    if let Err(error) = daryn_query::output::needs_a_file(command.format, command.out.as_deref()) {
        return Ok(report_error(None, &error));
    }
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
    // A report with no counts lists children, with their IINs and names: nothing in it is
    // for publication, and accepting the flag would suggest otherwise.
    if command.suppress_small
        && let Ok(report) = daryn_query::reports::report(&command.name)
        && report.counts.is_empty()
    {
        let error = daryn_query::Error::BadParameter {
            parameter: "--suppress-small",
            reason: format!(
                "`{}` lists children with their IINs and names, for the coordinators: it has no counts to prepare \
                 for publication",
                command.name
            ),
        };
        return Ok(report_error(None, &error));
    }
    if let Some(refused) = registry_refused(&command.registry) {
        return Ok(refused);
    }
    // The annual report's `-o` is a folder its workbooks are written into (the current
    // one without it).
    let annual_folder = (command.name == "annual")
        .then(|| command.out.clone().unwrap_or_else(|| PathBuf::from(".")).join("annual.xlsx"));
    if let Some(refused) =
        output_refused(annual_folder.as_deref().or(command.out.as_deref()), &command.registry, command.given.format)
    {
        return Ok(refused);
    }
    if annual_folder.is_none()
        && let Some(refused) = format_refused(command.format, command.given.format, command.out.as_deref())
    {
        return Ok(refused);
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

/// The interactive shell. Fed from a file or a pipe rather than typed, it runs a last
/// statement left without `;` and exits with 1 when any statement failed, as a script
/// would want; it stops quietly when its reader goes away (`| head`), and with 1 when
/// its output cannot be written.
fn shell(runtime: &tokio::runtime::Runtime, session: &RegistrySession, command: &SqlCommand) -> Result<ExitCode> {
    use rustyline::error::ReadlineError;
    use std::io::IsTerminal;
    let mut editor = rustyline::DefaultEditor::new().context("starting the line editor")?;
    let typed = std::io::stdin().is_terminal();
    // Only what someone types is kept: a script fed through a pipe went into the history
    // file too, whatever its size, and with whatever IINs its statements held.
    let history = if typed { history_file() } else { None };
    if let Some(path) = &history {
        // A missing history file is the first session's normal state.
        let _ = editor.load_history(path);
    }
    let version = session.version();
    let banner = format!(
        "daryn sql: registry version {} ({}); end statements with `;`, `\\d` lists tables, `\\q` quits\n",
        version.version,
        version.created_at.format("%Y-%m-%d %H:%M UTC")
    );
    let mut shell = Shell { runtime, session, command, typed, failed: false };
    let mut buffer = String::new();
    // The lines read, and the line the statement in `buffer` began on.
    let (mut lines_read, mut buffer_line) = (0u64, 1u64);
    let mut flow = shell.say(&banner);
    while flow == Flow::Go {
        let prompt = if buffer.is_empty() { "daryn> " } else { "   ..> " };
        let line = match editor.readline(prompt) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => {
                buffer.clear();
                continue;
            }
            Err(ReadlineError::Eof) => {
                // A last statement without its `;`.
                if !buffer.trim().is_empty() {
                    buffer.push(';');
                    flow = match daryn_query::session::complete_statements(&buffer) {
                        Some(statements) => shell.run(&statements),
                        None => {
                            eprintln!(
                                "error[sql_syntax]: the input ended inside the statement begun on line {buffer_line} (an \
                                 open quote or comment)"
                            );
                            shell.failed = true;
                            Flow::Go
                        }
                    };
                }
                break;
            }
            Err(error) => return Err(error).context("reading a line"),
        };
        // The byte order mark Windows' Notepad begins a script with (`checks.sql`) is
        // no part of its first statement.
        let line = match line.strip_prefix('\u{feff}') {
            Some(rest) if lines_read == 0 => rest.to_owned(),
            _ => line,
        };
        lines_read += 1;
        let trimmed = line.trim();
        if buffer.is_empty() && trimmed.starts_with('\\') {
            let _ = editor.add_history_entry(trimmed);
            flow = shell.meta_command(trimmed);
            continue;
        }
        if trimmed.is_empty() && buffer.is_empty() {
            continue;
        }
        if buffer.is_empty() {
            buffer_line = lines_read;
        }
        let line_start = buffer.len();
        buffer.push_str(&line);
        buffer.push('\n');
        // Complete when a `;` outside quotes and comments ends it; each statement of the
        // line runs in turn, and one begun after them (`SELECT 1; SELECT 'a`) waits.
        let Some((statements, end)) = complete_prefix(&buffer, line_start) else { continue };
        let _ = editor.add_history_entry(buffer[..end].trim());
        let rest = buffer.split_off(end);
        buffer_line += buffer.matches('\n').count() as u64;
        buffer = if rest.trim().is_empty() { String::new() } else { rest };
        flow = shell.run(&statements);
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
    Ok(match flow {
        Flow::OutputFailed => ExitCode::from(1),
        _ if shell.failed && !typed => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    })
}

/// The statements of `buffer` up to its last `;` that ends one outside quotes and
/// comments, and where that `;` ends: the text after it is a statement still being typed.
/// Only a `;` of the line just added (from `line_start`) can end one that was not
/// complete before, and the last [`PREFIXES_TRIED`] of them are tried: a line of
/// thousands of `;` inside a quote left open would otherwise have the whole buffer read
/// once for each.
fn complete_prefix(buffer: &str, line_start: usize) -> Option<(Vec<String>, usize)> {
    if let Some(statements) = daryn_query::session::complete_statements(buffer) {
        return Some((statements, buffer.len()));
    }
    let line = buffer.get(line_start..)?;
    let ends = line.match_indices(';').map(|(at, _)| line_start + at + 1);
    ends.rev()
        .take(PREFIXES_TRIED)
        .find_map(|end| Some((daryn_query::session::complete_statements(&buffer[..end])?, end)))
}

/// How many `;` of a line [`complete_prefix`] tries as the end of what is complete.
const PREFIXES_TRIED: usize = 32;

/// Whether the shell goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    Go,
    Quit,
    /// Its reader has gone (`| head`): nothing more is wanted.
    ReaderGone,
    /// Its output cannot be written (a full disk): said on standard error.
    OutputFailed,
}

/// What the shell works with, and whether a statement failed.
struct Shell<'a> {
    runtime: &'a tokio::runtime::Runtime,
    session: &'a RegistrySession,
    command: &'a SqlCommand,
    /// Whether a person types (standard input is a terminal): then standard output is
    /// theirs to read, else it holds results alone.
    typed: bool,
    failed: bool,
}

impl Shell<'_> {
    /// Tells the person at the shell: on standard output when they type, else on standard
    /// error, since fed from a pipe standard output holds results alone (`< q.sql > out.csv`).
    fn say(&self, text: &str) -> Flow {
        if self.typed {
            return self.print(text);
        }
        eprint!("{text}");
        Flow::Go
    }

    /// Writes to standard output at once; a failed write ends the shell.
    fn print(&self, text: &str) -> Flow {
        match crate::to_stdout(text) {
            Ok(()) => Flow::Go,
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Flow::ReaderGone,
            Err(error) => {
                eprintln!("error[output]: writing to standard output: {error}");
                Flow::OutputFailed
            }
        }
    }

    fn run(&mut self, statements: &[String]) -> Flow {
        for statement in statements {
            let started = std::time::Instant::now();
            let answer = if self.typed {
                let (_watching, pressed) = crate::interrupt::watch();
                self.runtime.block_on(self.session.query_until(statement, pressed))
            } else {
                self.runtime.block_on(self.session.query(statement))
            };
            let flow = match answer {
                Ok(result) => self.show(&result, started.elapsed()),
                Err(error) => {
                    report_error(Some(statement), &error);
                    self.failed = true;
                    // Ctrl-C stops the statements typed after it on the line too.
                    if matches!(error, daryn_query::Error::Interrupted) {
                        return Flow::Go;
                    }
                    Flow::Go
                }
            };
            if flow != Flow::Go {
                return flow;
            }
        }
        Flow::Go
    }

    fn meta_command(&mut self, text: &str) -> Flow {
        let mut words = text.split_whitespace();
        match (words.next(), words.next()) {
            (Some("\\q"), _) => Flow::Quit,
            (Some("\\d"), None) => self.print(&list_tables(self.session)),
            (Some("\\d"), Some(name)) => match self.runtime.block_on(describe(self.session, name)) {
                Ok(text) => self.print(&text),
                Err(error) => {
                    report_error(None, &error);
                    self.failed = true;
                    Flow::Go
                }
            },
            _ => {
                eprintln!("error[sql_syntax]: unknown command `{text}`; `\\d`, `\\d NAME` and `\\q` are known");
                self.failed = true;
                Flow::Go
            }
        }
    }

    fn show(&mut self, result: &QueryResult, elapsed: std::time::Duration) -> Flow {
        let command = self.command;
        let written = match command.format {
            // In the shell, binary formats and `-o` write the last result to the file.
            format if format.needs_file() || command.out.is_some() => {
                daryn_query::output::write_result(result, format, command.out.as_deref()).map(|()| {
                    self.say(&format!("wrote {} rows to {}\n", result.rows(), shown_path(command.out.as_deref())))
                })
            }
            // Printed by the shell itself, so that a reader gone (`| head`) ends it.
            format => daryn_query::output::result_text(result, format)
                .map(|text| self.print(&text))
                .map_err(|reason| daryn_query::Error::Output { path: PathBuf::from("-"), reason }),
        };
        match written {
            Ok(flow) => {
                eprintln!("({:.3} s)", elapsed.as_secs_f64());
                flow
            }
            Err(error) => {
                report_error(None, &error);
                self.failed = true;
                Flow::Go
            }
        }
    }
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

fn shown_path(path: Option<&Path>) -> String {
    path.map(|path| path.display().to_string()).unwrap_or_else(|| "-".to_owned())
}

fn history_file() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".daryn_sql_history"))
}
