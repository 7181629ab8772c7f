//! The subcommands and their flags.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use daryn_data::generate::{self, FormatChoice, GenerateOptions};
use daryn_ingest::IngestOptions;
use daryn_query::{OutputFormat, QueryOptions, ReportParams};
use daryn_registry::{KatoClassifier, Lang, RegionCode};

#[derive(Parser)]
#[command(name = "daryn", version, about = "The national registry of gifted children (decree 997, item 19)")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a small national sample and show what to do with it
    Demo {
        /// Where to put the sample
        #[arg(long, default_value = "daryn-demo")]
        dir: PathBuf,
        /// How many children the sample has
        #[arg(long, default_value_t = 2_000)]
        children: u64,
    },
    /// Write a synthetic national data set as the 20 regions' nightly drops
    Generate {
        /// Folder to write `<date>/<region>/` drops into
        #[arg(long)]
        out: PathBuf,
        /// Number of children across the country
        #[arg(long)]
        children: u64,
        /// Random seed; the same seed gives byte-identical output
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Folder date of the drops, YYYY-MM-DD (default: today in Kazakhstan)
        #[arg(long, value_parser = parse_date)]
        date: Option<NaiveDate>,
        /// Chance that a row carries an injected error (0 to 0.2)
        #[arg(long, default_value_t = 0.0)]
        error_rate: f64,
        /// csv, xlsx, jsonl, or mixed (each region its own)
        #[arg(long, default_value = "csv", value_parser = parse_format)]
        format: FormatChoice,
        /// KATO classifier CSV whose districts to use (its columns: README, "The KATO classifier file")
        #[arg(long)]
        kato: Option<PathBuf>,
    },
    /// Validate the regions' drops and publish them as one new registry version
    Ingest {
        /// The registry folder (created on first use)
        #[arg(long)]
        registry: PathBuf,
        /// Let this region's drop remove more than 20 % of its children (repeatable)
        #[arg(long = "allow-shrink", value_name = "REGION", value_parser = parse_region)]
        allow_shrink: Vec<RegionCode>,
        /// Also write the run, with every rejection, as JSON
        #[arg(long)]
        report: Option<PathBuf>,
        /// KATO classifier CSV to read districts with (default: `[districts] classifier` of daryn.toml)
        #[arg(long)]
        kato: Option<PathBuf>,
        /// Drop folders (`.../35`) or dated folders of them (`.../2026-11-25`)
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// List the registry's versions with their time and drops
    Versions {
        /// The registry folder
        #[arg(long)]
        registry: PathBuf,
        /// Only the N newest versions (a registry never vacuumed lists every night)
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
        last: Option<u64>,
    },
    /// Run read-only SQL on a registry version; without SQL, an interactive shell
    Sql {
        #[command(flatten)]
        session: SessionArgs,
        /// table, csv, json, parquet or xlsx (parquet and xlsx need `-o`); without it, the
        /// one `-o FILE`'s extension names, else table
        #[arg(long, value_parser = parse_output)]
        format: Option<OutputFormat>,
        /// Write the result to this file instead of standard output
        #[arg(short = 'o', long = "out")]
        out: Option<PathBuf>,
        /// The statement; the shell opens when it is not given
        sql: Option<String>,
    },
    /// Run one of the decree's reports (item1, coverage, unsupported, overdue, funding,
    /// top-teachers, annual, data-quality)
    Report {
        /// The report's name
        name: String,
        #[command(flatten)]
        session: SessionArgs,
        /// Reporting year (item1, coverage, funding, top-teachers, annual)
        #[arg(long)]
        year: Option<i32>,
        /// Only this region (two- or nine-digit code)
        #[arg(long, value_parser = parse_region)]
        region: Option<RegionCode>,
        /// table, csv, json, xlsx or parquet (xlsx and parquet need `-o`); without it, the
        /// one `-o FILE`'s extension names, else table; not for annual, which always writes
        /// XLSX
        #[arg(long, value_parser = parse_output)]
        format: Option<OutputFormat>,
        /// Write to this file (annual: into this folder; without it, the current folder)
        #[arg(short = 'o', long = "out")]
        out: Option<PathBuf>,
        /// How many teachers top-teachers ranks (default 100)
        #[arg(long)]
        limit: Option<u32>,
        /// top-teachers: list the achievements behind this teacher's score
        #[arg(long, value_name = "TEACHER_ID")]
        explain: Option<String>,
        /// Language of region names (item1, data-quality, annual): kk, ru or en (default kk)
        #[arg(long, value_parser = parse_lang)]
        lang: Option<Lang>,
        /// Show counts 1-4 as `<5` and blank what derives from them, for publication
        #[arg(long)]
        suppress_small: bool,
        /// Run the report N times in one session, printing each run's time (benchmarks)
        #[arg(long, default_value_t = 0, hide = true)]
        repeat: u32,
    },
    /// Keep the newest N versions and delete what only older versions read
    Vacuum {
        /// The registry folder
        #[arg(long)]
        registry: PathBuf,
        /// How many versions to keep, the current one included (1 or more)
        #[arg(long, value_parser = parse_keep)]
        keep: u64,
    },
    /// Read every file the kept versions pin and say whether the registry is whole (after
    /// a copy, a restore from a backup, or trouble with the disk); exit 1 when it is not
    Check {
        /// The registry folder
        #[arg(long)]
        registry: PathBuf,
        /// Only that every data file is there with the size its log gives: no file decoded
        /// and no search index checksum verified
        #[arg(long)]
        quick: bool,
    },
    /// Rebuild the search index of the current version, published as a new version
    /// (after upgrading daryn, or changing item 15's weights in daryn.toml)
    Reindex {
        /// The registry folder
        #[arg(long)]
        registry: PathBuf,
    },
    /// Search children (or teachers) by name, discipline, award, school, in kk/ru/en, Cyrillic or Latin
    Search(Box<crate::search::SearchArgs>),
    /// Print the form for the regions (columns, headers, words, codes) as Markdown
    FormDoc {
        /// Write to this file instead of standard output
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write the roadmap form (item 7) as an XLSX template for coordinators
    Template {
        /// Language of the headers, words and explanations: kk, ru or en
        #[arg(long, value_parser = parse_lang)]
        lang: Lang,
        /// The workbook to write
        #[arg(long)]
        out: PathBuf,
    },
}

/// The registry version and the limits a query runs under.
#[derive(clap::Args)]
struct SessionArgs {
    /// The registry folder
    #[arg(long)]
    registry: PathBuf,
    /// Read this registry version instead of the current one
    #[arg(long, value_name = "VERSION")]
    as_of: Option<u64>,
    /// Memory for one query; sorts, joins and aggregates spill to disk beyond it
    #[arg(long, default_value = "2GiB", value_parser = daryn_query::session::parse_bytes)]
    memory_limit: usize,
    /// How much one query may write to temporary files when it spills
    #[arg(long, default_value = "10GiB", value_parser = daryn_query::session::parse_bytes)]
    spill_limit: usize,
    /// How long one statement may run (e.g. 30s, 5m)
    #[arg(long, default_value = "300s", value_parser = daryn_query::session::parse_duration)]
    timeout: std::time::Duration,
}

impl SessionArgs {
    fn options(&self) -> QueryOptions {
        QueryOptions {
            as_of: self.as_of,
            memory_limit: self.memory_limit,
            time_limit: self.timeout,
            spill_limit: self.spill_limit,
        }
    }
}

fn parse_output(text: &str) -> std::result::Result<OutputFormat, String> {
    OutputFormat::parse(text).ok_or_else(|| format!("`{text}` is not one of table, csv, json, parquet, xlsx"))
}

fn parse_date(text: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| format!("`{text}` is not a date in the form YYYY-MM-DD"))
}

fn parse_format(text: &str) -> std::result::Result<FormatChoice, String> {
    FormatChoice::parse(text).ok_or_else(|| format!("`{text}` is not one of csv, xlsx, jsonl, mixed"))
}

fn parse_region(text: &str) -> std::result::Result<RegionCode, String> {
    RegionCode::parse(text).ok_or_else(|| format!("`{text}` is not one of the 20 region codes (two or nine digits)"))
}

fn parse_lang(text: &str) -> std::result::Result<Lang, String> {
    Lang::parse(text).ok_or_else(|| format!("`{text}` is not one of kk, ru, en"))
}

/// `vacuum --keep`: a count of versions, the current one among them. (clap's own range
/// check said `0 is not in 1..18446744073709551615`.)
fn parse_keep(text: &str) -> std::result::Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(0) => Err("a vacuum keeps the current version at least: give 1 or more".to_owned()),
        Ok(keep) => Ok(keep),
        Err(_) => Err(format!("`{text}` is not a number of versions (1 or more)")),
    }
}

impl Cli {
    /// Whether the command is `daryn ingest`, whose exit code 2 means "published, with
    /// rejections".
    pub fn is_ingest(&self) -> bool {
        matches!(self.command, Command::Ingest { .. })
    }

    /// Whether the command ingests drops (`ingest`, and `demo`, which ends with one):
    /// a batch that frees and takes back gigabytes, and then ends.
    pub fn ingests(&self) -> bool {
        matches!(self.command, Command::Ingest { .. } | Command::Demo { .. })
    }

    /// Whether the command writes into a registry (`ingest`, `demo`, `vacuum`,
    /// `reindex`), so that being stopped part-way is worth a word in its log.
    pub fn writes(&self) -> bool {
        matches!(
            self.command,
            Command::Ingest { .. } | Command::Demo { .. } | Command::Vacuum { .. } | Command::Reindex { .. }
        )
    }

    pub fn run(self) -> Result<ExitCode> {
        match self.command {
            Command::Demo { dir, children } => crate::demo::run(&dir, children),
            Command::Generate { out, children, seed, date, error_rate, format, kato } => {
                let classifier = load_classifier(kato)?;
                let options = GenerateOptions {
                    out,
                    children,
                    seed,
                    date: date.unwrap_or_else(|| daryn_registry::kazakhstan_time(chrono::Utc::now()).date_naive()),
                    error_rate,
                    format,
                    classifier,
                };
                let started = std::time::Instant::now();
                let summary = generate::generate(&options)?;
                print_summary(&summary, started.elapsed());
                Ok(ExitCode::SUCCESS)
            }
            Command::Ingest { registry, allow_shrink, report, kato, paths } => {
                // Before its `daryn.toml` is looked for: a file or a folder out of reach is
                // told as that, not as a configuration that cannot be read.
                crate::ingest::refuse_unusable(&registry)?;
                let classifier = match kato {
                    Some(path) => load_classifier(Some(path))?,
                    None => configured_classifier(&registry)?,
                };
                let options = IngestOptions { registry, paths, allow_shrink, classifier };
                let code = crate::ingest::run(options, report)?;
                Ok(ExitCode::from(code))
            }
            Command::Versions { registry, last } => {
                crate::ingest::versions(&registry, last)?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Sql { session, format, out, sql } => crate::sql::run_sql(crate::sql::SqlCommand {
                registry: session.registry.clone(),
                options: session.options(),
                format: OutputFormat::chosen(format, out.as_deref()),
                format_given: format.is_some(),
                out,
                statement: sql,
            }),
            Command::Report {
                name,
                session,
                year,
                region,
                format,
                out,
                limit,
                explain,
                lang,
                suppress_small,
                repeat,
            } => crate::sql::run_report(crate::sql::ReportCommand {
                registry: session.registry.clone(),
                options: session.options(),
                name,
                params: ReportParams {
                    year,
                    region,
                    limit: limit.unwrap_or(ReportParams::default().limit),
                    lang: lang.unwrap_or(ReportParams::default().lang),
                    teacher: explain,
                },
                given: crate::sql::GivenOptions {
                    lang: lang.is_some(),
                    limit: limit.is_some(),
                    format: format.is_some(),
                },
                format: OutputFormat::chosen(format, out.as_deref()),
                out,
                suppress_small,
                repeat,
            }),
            Command::Vacuum { registry, keep } => {
                crate::ingest::vacuum(&registry, keep)?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Check { registry, quick } => crate::ingest::check(&registry, quick),
            Command::Reindex { registry } => {
                crate::ingest::reindex(&registry)?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Search(args) => {
                crate::search::run_command(*args)?;
                Ok(ExitCode::SUCCESS)
            }
            Command::FormDoc { out } => {
                let text = daryn_registry::form::document::markdown();
                match out {
                    // Beside it first, then renamed: a full disk leaves the file as it was.
                    Some(path) => daryn_query::output::replace_file(&path, |partial| {
                        std::fs::write(partial, &text).map_err(|error| output_error(partial, error))
                    })?,
                    None => crate::write_stdout(&text)?,
                }
                Ok(ExitCode::SUCCESS)
            }
            Command::Template { lang, out } => {
                // The file is a workbook whatever it is called; a `.csv` name would only
                // make Excel refuse it.
                if !out.extension().is_some_and(|extension| extension.eq_ignore_ascii_case("xlsx")) {
                    let reason = format!("`{}`: the template is an Excel workbook; name it `….xlsx`", out.display());
                    return Err(daryn_data::Error::Parameter { parameter: "--out", reason }.into());
                }
                daryn_query::output::replace_file(&out, |partial| {
                    daryn_data::template::write_template(lang, partial).map_err(|error| output_error(partial, error))
                })?;
                say!("wrote the {} roadmap template to {}", lang.code(), out.display());
                Ok(ExitCode::SUCCESS)
            }
        }
    }
}

/// A file that could not be written, as `replace_file` reports it (under the name asked for).
fn output_error(path: &Path, error: impl std::fmt::Display) -> daryn_query::Error {
    daryn_query::Error::Output { path: path.to_owned(), reason: error.to_string() }
}

/// The classifier `[districts] classifier` of the registry's `daryn.toml` names, if any
/// (a registry not created yet has none).
fn configured_classifier(registry: &Path) -> Result<Option<KatoClassifier>> {
    let config = daryn_registry::config::RegistryConfig::load(registry)?;
    let Some(path) = config.kato_classifier else {
        return Ok(None);
    };
    let loaded = KatoClassifier::load(&path).with_context(|| {
        format!("loading the KATO classifier `{}` that `[districts] classifier` of daryn.toml names", path.display())
    })?;
    Ok(Some(loaded))
}

fn load_classifier(path: Option<PathBuf>) -> Result<Option<KatoClassifier>> {
    path.map(|path| KatoClassifier::load(&path)).transpose().context("loading the KATO classifier given with `--kato`")
}

pub fn print_summary(summary: &generate::Summary, elapsed: std::time::Duration) {
    say!(
        "{:<8} {:<14} {:>10} {:>10} {:>13} {:>9} {:>9}",
        "region",
        "layout",
        "children",
        "measures",
        "achievements",
        "teachers",
        "injected"
    );
    for region in &summary.regions {
        let counts = &region.counts;
        say!(
            "{:<8} {:<14} {:>10} {:>10} {:>13} {:>9} {:>9}",
            region.region,
            region.layout,
            counts.children,
            counts.measures,
            counts.achievements,
            counts.teachers,
            counts.injected
        );
    }
    say!(
        "{:<8} {:<14} {:>10} {:>10} {:>13} {:>9} {:>9}",
        "total",
        "",
        summary.total(|c| c.children),
        summary.total(|c| c.measures),
        summary.total(|c| c.achievements),
        summary.total(|c| c.teachers),
        summary.total(|c| c.injected)
    );
    say!(
        "drops in {} ({:.1} s); truth file {}",
        summary.folder.display(),
        elapsed.as_secs_f64(),
        summary.truth.display()
    );
}
