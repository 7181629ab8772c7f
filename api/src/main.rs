//! The `daryn` binary: the one entry point for operators, analysts and coordinators.
//! It parses the command line, installs logging and hands each subcommand to the
//! library crate that owns the work; no domain logic lives here.

/// `println!` that does not panic when standard output is a closed pipe (`| head`): what
/// a command did must decide its exit code, not whether all of its lines were read.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Writes a command's whole output to standard output. A reader that has read enough
/// (`| head`) is no error; any other failure to write (a full disk) is, so that the
/// command does not exit 0 having lost its output.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    match to_stdout(text) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(error).context("writing to standard output"))
        }
        _ => Ok(()),
    }
}

/// Writes `text` to standard output at once (written and flushed).
fn to_stdout(text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush())
}

mod cli;
mod demo;
mod ingest;
mod interrupt;
mod search;
mod sql;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use daryn_ingest::run::RunError;
use daryn_registry::search::SearchError;
use daryn_registry::store::StoreError;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

/// mimalloc rather than the system allocator: an ingest allocates and frees millions of
/// small strings on every core, and glibc's allocator both spent much of the run in
/// `malloc` and kept what the reading stage freed, so the search indexing that follows
/// it raised the peak RSS far above what either stage needs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Tells mimalloc to keep the memory the process frees instead of handing it back to
/// the kernel (`purge_delay` = -1; by default it gives back what stays free for 1 s).
/// For an ingest, a batch that ends by itself: it reads, checks and writes one region
/// after another, each freeing what the next then takes again, and every page handed
/// back was zeroed and faulted in again on its next use. That was a seventh of the run's
/// CPU time, nearly all of it in the kernel; keeping the pages cut a 1,000,000-children
/// ingest from 41–46 s to 37–38 s in runs taken in turn (11–17 s of system time to 6–7),
/// for about 0.7 GB more peak RSS (README, benchmark). Every other command keeps the default, and so will
/// the long-lived servers to come, so that memory taken by one large query goes back.
#[allow(unsafe_code)]
fn keep_freed_memory() {
    /// `mi_option_purge_delay` in mimalloc 3's `mi_option_t` (`mimalloc.h` of
    /// `libmimalloc-sys` 0.1.49, the version in Cargo.lock: check it again on an
    /// upgrade). The crate's Rust declarations name only some of the options.
    const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;
    unsafe extern "C" {
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }
    // SAFETY: `mi_option_set` is part of mimalloc's public C API, linked into this binary
    // by the `mimalloc` crate (the global allocator above), and declared here with the
    // signature of `mimalloc.h`: `void mi_option_set(mi_option_t option, long value)`,
    // `mi_option_t` being a C enum (an `int`). It stores the value in mimalloc's table of
    // options without synchronisation, so it must run while the process has one thread:
    // `main` calls it right after parsing the command line, before any runtime, pool
    // or thread is started.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

/// Makes SIGTERM and SIGHUP (`timeout`, a service stopped, a terminal closed) say in
/// the log what became of the run, then end it as the signal would have: a writer
/// stopped that way printed nothing, and its cron log looked like a run that never began.
#[allow(unsafe_code)]
fn tell_when_stopped() {
    extern "C" fn stopped(signal: libc::c_int) {
        let message: &[u8] = if signal == libc::SIGTERM {
            b"daryn: stopped by SIGTERM before it finished; the registry stays at its last published version, and \
              the next ingest or vacuum clears what this run left\n"
        } else {
            b"daryn: stopped by SIGHUP before it finished; the registry stays at its last published version, and \
              the next ingest or vacuum clears what this run left\n"
        };
        // SAFETY: `write`, `signal` and `raise` are async-signal-safe (POSIX), and the
        // message is a static byte string. The signal is blocked while its handler runs:
        // raised again with the default action, it ends the process once this returns,
        // as killed by that signal (what `timeout` and service managers look for).
        unsafe {
            libc::write(libc::STDERR_FILENO, message.as_ptr().cast(), message.len());
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }
    for signal in [libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: `sigaction` is given a valid signal number, a zeroed action read back
        // first, and then a handler of the C signature it expects, which only calls
        // async-signal-safe functions (above).
        unsafe {
            let mut before: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, std::ptr::null(), &mut before) != 0 {
                continue;
            }
            // A signal ignored by whoever started daryn (`nohup` ignores SIGHUP) stays so.
            if before.sa_sigaction == libc::SIG_IGN {
                continue;
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = stopped as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// The crates whose events a bare `DARYN_LOG` level shows (`daryn` is this binary).
const OWN_CRATES: [&str; 5] = ["daryn", "daryn_data", "daryn_ingest", "daryn_query", "daryn_registry"];

/// What `DARYN_LOG` asks to be logged. A bare level (`info`, `debug`) is for daryn's own
/// events, and the libraries under it (deltalake, DataFusion, tantivy) still log only
/// their warnings: at `info` deltalake alone writes a line per table scan, which buried a
/// cron log's line per drop and per stage. A level quieter than that (`error`, `off`)
/// holds for the libraries too. A filter (`warn,deltalake=debug`) is taken as written;
/// one bare word that is no level is refused. Unset: warnings only.
fn log_filter(asked: Option<&str>) -> Result<EnvFilter, String> {
    let asked = asked.map(str::trim).unwrap_or_default();
    let directives = if asked.is_empty() {
        "warn".to_owned()
    } else if let Ok(level) = asked.parse::<LevelFilter>() {
        if level < LevelFilter::WARN {
            level.to_string()
        } else {
            let own = OWN_CRATES.map(|name| format!("{name}={level}"));
            format!("warn,{}", own.join(","))
        }
    } else if !asked.contains(['=', ',']) {
        // A bare target is a valid filter, but far more often a level mistyped (`inf`).
        return Err(format!(
            "`{asked}` is not a level (off, error, warn, info, debug, trace); for a target say `{asked}=info`"
        ));
    } else {
        // Each directive trimmed here: tracing-subscriber trims them itself, but then
        // slices the untrimmed text, and a directive after a no-break space panicked.
        asked.split(',').map(str::trim).filter(|directive| !directive.is_empty()).collect::<Vec<_>>().join(",")
    };
    EnvFilter::try_new(&directives).map_err(|error| format!("`{asked}` is not a log level or filter: {error}"))
}

/// The stack of the thread a command runs on (see `main`).
const COMMAND_STACK: usize = 512 << 20;

/// The libraries whose panics their callers catch and turn into errors: object_store's
/// buffered writer, which panics ("Already shut down") when the Delta writer aborts an
/// upload after a failed write (a full disk) and catches it; calamine, whose panics on a
/// malformed workbook the reader makes the file's refusal (`ingest/src/read.rs`).
const CAUGHT_BY_THEIR_CALLERS: [&str; 2] = ["/object_store-", "/calamine-"];

/// Logs at `debug`, rather than prints, the panics of [`CAUGHT_BY_THEIR_CALLERS`]: on a
/// full disk the Delta writer's filled a cron log with what looked like crashes, up to
/// fifteen backtraces a run around the one error that mattered. Every other panic prints
/// as Rust's own hook prints it.
fn quiet_caught_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let location = info.location();
        let caught = location.is_some_and(|at| {
            let file = at.file().replace('\\', "/");
            CAUGHT_BY_THEIR_CALLERS.iter().any(|library| file.contains(library))
        });
        if !caught {
            return default(info);
        }
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|text| (*text).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = location.map(ToString::to_string).unwrap_or_default();
        tracing::debug!(%at, %payload, "a panic its caller catches");
    }));
}

/// Whether an error comes of a full disk (`ENOSPC`) or quota (`EDQUOT`): the libraries
/// under daryn pass the system's error on in their own messages' text, which ends as
/// Rust words it, `(os error 28)`; the bare words could be a quoted value's.
fn disk_full(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::StorageFull)
            || says_disk_full(&cause.to_string())
    })
}

/// Whether a message holds the system's error for a full disk or quota as Rust words it.
fn says_disk_full(text: &str) -> bool {
    ["(os error 28)", "(os error 122)"].iter().any(|code| text.contains(code))
}

/// The code of a file not written: `disk_full` when for want of space, as every other
/// command says it, else `output`.
fn output_code(message: &str) -> &'static str {
    if says_disk_full(message) { "disk_full" } else { "output" }
}

fn main() -> ExitCode {
    quiet_caught_panics();
    let asked = match std::env::var("DARYN_LOG") {
        Ok(asked) => Ok(Some(asked)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        // Said, as a value mistyped is, rather than taken for no value at all.
        Err(std::env::VarError::NotUnicode(_)) => Err("it is not UTF-8 text".to_owned()),
    };
    let filter = asked.and_then(|asked| log_filter(asked.as_deref())).unwrap_or_else(|error| {
        eprintln!("DARYN_LOG: {error}; logging warnings only");
        EnvFilter::new("warn")
    });
    // Colours only on a terminal: a cron log or a file gets plain text.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    let command = match cli::Cli::try_parse() {
        Ok(command) => command,
        // Exit code 2 of `daryn ingest` means "published, with rejected rows or refused
        // drops": a cron script must not read a mistyped command line as that. Its usage
        // errors exit 1 ("nothing was published"); other commands keep clap's 2.
        Err(error) if error.use_stderr() => {
            // With the code of every parameter given wrong, as daryn's own errors have.
            let text = error.render().to_string();
            match text.strip_prefix("error: ") {
                Some(rest) => eprint!("error[bad_parameter]: {rest}"),
                None => eprint!("{text}"),
            }
            let ingest = std::env::args_os().nth(1).is_some_and(|word| word == "ingest");
            return ExitCode::from(if ingest { 1 } else { 2 });
        }
        // `--help` and `--version`, on standard output.
        Err(error) => error.exit(),
    };
    if command.writes() {
        tell_when_stopped();
    }
    if command.ingests() {
        keep_freed_memory();
    }
    // 2 is an ingest's "published, with rejections" (as for its usage errors above).
    let refused_parameter = ExitCode::from(if command.is_ingest() { 1 } else { 2 });
    // On a thread of its own with a large stack, only touched as far as used: a query is
    // planned by recursion as deep as the statement nests, and the main thread's 8 MiB
    // overflowed (ending the process) on statements within the SQL guard's limits.
    let ran = std::thread::Builder::new()
        .name("daryn".to_owned())
        .stack_size(COMMAND_STACK)
        .spawn(move || command.run())
        // Only a limit on virtual memory (`ulimit -v`) refuses the reservation, with no
        // more than "Resource temporarily unavailable".
        .map_err(|error| {
            anyhow::Error::new(error).context(format!(
                "starting the command's thread, whose stack reserves {} MiB of address space (used only as far as \
                 needed): a virtual memory limit (`ulimit -v`) this low is too small for daryn",
                COMMAND_STACK >> 20
            ))
        })
        .and_then(|running| running.join().map_err(|_| anyhow::anyhow!("the command panicked")))
        .and_then(|ran| ran);
    match ran {
        Ok(code) => code,
        Err(error) if disk_full(&error) => {
            eprintln!(
                "error[disk_full]: {}\nthe disk is full: free space on it and run the command again (`df -h`; with \
                 space shown free, the files may have run out: `df -i`). An ingest or reindex that stopped here \
                 published nothing, and the next run undoes what it wrote",
                message(&error)
            );
            ExitCode::from(1)
        }
        Err(error) => {
            let code = error_code(&error);
            eprintln!("error[{code}]: {}", message(&error));
            // A parameter given wrong (a query of too many words, an error rate out of
            // range) exits as the flags clap refuses do. A busy registry has its own
            // code, so that a cron job can tell "try again later" from a failure.
            if code == "bad_parameter" { refused_parameter } else { ExitCode::from(1) }
        }
    }
}

/// The stable code of an error that stopped a command: that of the first cause in its
/// chain that has one (the run's and the search's errors wrap the store's
/// transparently, and answer with its code); `failed` when none has.
fn error_code(error: &anyhow::Error) -> &'static str {
    let coded = |cause: &(dyn std::error::Error + 'static)| {
        if let Some(error) = cause.downcast_ref::<StoreError>() {
            Some(error.code())
        } else if let Some(error) = cause.downcast_ref::<RunError>() {
            Some(error.code())
        } else if let Some(error) = cause.downcast_ref::<SearchError>() {
            Some(error.code())
        } else if let Some(error) = cause.downcast_ref::<daryn_query::Error>() {
            Some(error.code())
        } else if let Some(error) = cause.downcast_ref::<daryn_ingest::error::Error>() {
            Some(error.code())
        } else if let Some(error) = cause.downcast_ref::<daryn_data::Error>() {
            Some(match error {
                daryn_data::Error::Parameter { .. } => "bad_parameter",
                daryn_data::Error::Io { .. } | daryn_data::Error::Xlsx { .. } => "output",
                // Transparent: the chain goes on past it, not into it.
                daryn_data::Error::Registry(error) => registry_code(error),
            })
        } else if let Some(error) = cause.downcast_ref::<daryn_registry::Error>() {
            Some(registry_code(error))
        } else if cause.is::<daryn_registry::config::ConfigError>() {
            Some("config")
        } else if let Some(error) = cause.downcast_ref::<ingest::RegistryFolderError>() {
            Some(error.code)
        } else {
            cause.downcast_ref::<std::io::Error>().map(|_| "io")
        }
    };
    error.chain().find_map(coded).unwrap_or("failed")
}

fn registry_code(error: &daryn_registry::Error) -> &'static str {
    match error {
        daryn_registry::Error::Io { .. } => "io",
        daryn_registry::Error::Classifier { .. } => "config",
        daryn_registry::Error::UnknownWord { .. } => "bad_parameter",
    }
}

/// An error and its causes on one line, each cause once: many of daryn's errors already
/// end with their cause (`cannot use `DIR`: No such file or directory`), and `{:#}` would
/// repeat it after them.
fn message(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !line.ends_with(&text) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&text);
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_says_each_cause_once() {
        let missing = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory (os error 2)");
        let store = daryn_registry::store::StoreError::Io { path: "/srv/reg".into(), source: missing };
        let error = anyhow::Error::new(store).context("opening the registry `/srv/reg`");
        assert_eq!(
            message(&error),
            "opening the registry `/srv/reg`: cannot use `/srv/reg`: No such file or directory (os error 2)"
        );
        let chained = anyhow::anyhow!("inner").context("outer");
        assert_eq!(message(&chained), "outer: inner");
    }

    #[test]
    fn an_error_has_the_code_of_its_first_coded_cause() {
        let busy = || StoreError::Busy { path: "/srv/reg".into() };
        // Wrapped transparently by the run's and the search's errors, and given context.
        assert_eq!(error_code(&anyhow::Error::new(RunError::Store(busy())).context("ingesting")), "busy");
        assert_eq!(error_code(&anyhow::Error::new(SearchError::Store(busy()))), "busy");
        let empty = StoreError::Empty { path: "/srv/reg".into() };
        assert_eq!(error_code(&anyhow::Error::new(empty).context("opening")), "registry");
        let parameter = daryn_data::Error::Parameter { parameter: "--children", reason: "0".into() };
        assert_eq!(error_code(&anyhow::Error::new(parameter)), "bad_parameter");
        let missing = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        assert_eq!(error_code(&anyhow::Error::new(missing).context("reading `x`")), "io");
        assert_eq!(error_code(&anyhow::anyhow!("the command panicked")), "failed");
    }

    #[test]
    fn a_full_disk_is_known_however_a_library_words_it() {
        let enospc = std::io::Error::from_raw_os_error(28);
        assert!(disk_full(&anyhow::Error::new(enospc).context("writing `x`")));
        // Passed on as text, in the Parquet writer's words.
        let parquet = anyhow::anyhow!("Failed to parse parquet: External: No space left on device (os error 28)");
        assert!(disk_full(&parquet.context("delta table `children`")));
        assert!(disk_full(&anyhow::Error::new(std::io::Error::from_raw_os_error(122))));
        assert!(!disk_full(&anyhow::Error::new(std::io::Error::from_raw_os_error(13))));
        assert!(!disk_full(&anyhow::anyhow!("index writer was killed")));
        assert!(!disk_full(&anyhow::anyhow!("cannot cast 'No space left on device' to Int64")));
    }

    #[test]
    fn a_bare_level_is_for_daryns_own_crates() {
        let filter = log_filter(Some(" info ")).unwrap().to_string();
        assert!(filter.contains("daryn_ingest=info") && filter.contains("daryn=info"), "{filter}");
        assert!(!filter.contains("deltalake"), "{filter}");
        assert_eq!(log_filter(None).unwrap().to_string(), "warn");
        assert_eq!(log_filter(Some("")).unwrap().to_string(), "warn");
        let written = log_filter(Some("warn,deltalake=debug")).unwrap().to_string();
        assert!(written.contains("deltalake=debug") && !written.contains("daryn"), "{written}");
        let error = log_filter(Some("loud")).unwrap_err();
        assert!(error.contains("`loud`"), "{error}");
        let spaced = log_filter(Some("warn,\u{a0}deltalake=info ,")).unwrap().to_string();
        assert!(spaced.contains("deltalake=info"), "{spaced}");
        // Quieter than the libraries' warnings: for everyone.
        assert_eq!(log_filter(Some("off")).unwrap().to_string(), "off");
        assert_eq!(log_filter(Some("ERROR")).unwrap().to_string(), "error");
        assert!(log_filter(Some("deltalake")).unwrap_err().contains("`deltalake=info`"));
    }
}
