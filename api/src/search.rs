//! `daryn search`: talent search over a registry version's index, as a table for people
//! or JSON for scripts. Filter values are read here, once, into the registry's codes;
//! the search itself is `daryn_registry::search`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use daryn_registry::discipline::Taxonomy;
use daryn_registry::enums::{AchievementResult, AreaType, Level, RoadmapStatus, TalentDomain};
use daryn_registry::search::{HitKind, SearchIndex, SearchRequest, SearchResults, SortOrder};
use daryn_registry::{KatoCode, RegionCode};
use serde_json::json;

/// The flags of `daryn search`.
#[derive(clap::Args)]
pub struct SearchArgs {
    /// The registry folder
    #[arg(long)]
    pub registry: PathBuf,
    /// Search the registry as this older version had it
    #[arg(long = "as-of", value_name = "VERSION")]
    pub as_of: Option<u64>,
    /// Search teachers (with their pupils' achievements and item-15 score) instead of children
    #[arg(long)]
    pub teachers: bool,
    /// Region code, two or nine digits (repeatable: any of them)
    #[arg(long, value_name = "CODE", value_parser = parse_region)]
    pub region: Vec<String>,
    /// District KATO code, nine digits (repeatable)
    #[arg(long, value_name = "KATO", value_parser = parse_district)]
    pub district: Vec<String>,
    /// rural or urban
    #[arg(long = "area-type", value_name = "AREA", value_parser = parse_area_type)]
    pub area_type: Vec<String>,
    /// rural, large_family or low_income (repeatable: any of them)
    #[arg(long, value_parser = parse_group)]
    pub group: Vec<String>,
    /// Talent domain: science, culture, art, sport, military
    #[arg(long, value_parser = parse_domain)]
    pub domain: Vec<String>,
    /// Discipline, by any of its names (chess, шахматы, шахмат)
    #[arg(long, value_name = "D", value_parser = parse_discipline)]
    pub discipline: Vec<String>,
    /// Achievement level: school, district, regional, republican, international
    #[arg(long, value_name = "L", value_parser = parse_level)]
    pub level: Vec<String>,
    /// Achievement result: winner, prize_winner, honourable_mention, participant
    #[arg(long, value_name = "R", value_parser = parse_result)]
    pub result: Vec<String>,
    /// School grade, 0 to 12
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=12))]
    pub grade: Vec<u8>,
    /// Roadmap status: active, completed, withdrawn
    #[arg(long, value_parser = parse_status)]
    pub status: Vec<String>,
    /// relevance, or best (best achievement; for teachers the item-15 score)
    #[arg(long, default_value = "relevance", value_parser = parse_sort)]
    pub sort: SortOrder,
    /// How many hits to show, 1 to 1000
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub limit: u16,
    /// table or json
    #[arg(long, default_value = "table", value_parser = parse_format)]
    pub format: OutputFormat,
    /// Benchmark: run every query of this file (one a line, tab-separated filters) and print latencies
    #[arg(long, value_name = "FILE")]
    pub queries: Option<PathBuf>,
    /// What to look for; empty lists everything the filters let through
    #[arg(conflicts_with = "queries")]
    pub query: Vec<String>,
}

fn parse_sort(text: &str) -> std::result::Result<SortOrder, String> {
    match text {
        "relevance" => Ok(SortOrder::Relevance),
        "best" => Ok(SortOrder::BestAchievement),
        _ => Err(format!("`{text}` is not one of relevance, best")),
    }
}

/// Runs `daryn search` with its flags.
pub fn run_command(args: SearchArgs) -> Result<()> {
    let request = SearchRequest {
        query: args.query.join(" "),
        teachers: args.teachers,
        regions: args.region,
        districts: args.district,
        area_types: args.area_type,
        groups: args.group,
        domains: args.domain,
        disciplines: args.discipline,
        levels: args.level,
        results: args.result,
        grades: args.grade,
        statuses: args.status,
        sort: args.sort,
        limit: usize::from(args.limit),
    };
    match args.queries {
        Some(file) => run_query_file(&args.registry, args.as_of, &file, &request),
        None => run(&args.registry, args.as_of, &request, args.format),
    }
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Json,
}

pub fn parse_format(text: &str) -> std::result::Result<OutputFormat, String> {
    match text {
        "table" => Ok(OutputFormat::Table),
        "json" => Ok(OutputFormat::Json),
        _ => Err(format!("`{text}` is not one of table, json")),
    }
}

pub fn parse_region(text: &str) -> std::result::Result<String, String> {
    RegionCode::parse(text)
        .map(|code| code.to_string())
        .ok_or_else(|| format!("`{text}` is not one of the 20 region codes (two or nine digits)"))
}

pub fn parse_district(text: &str) -> std::result::Result<String, String> {
    let code = KatoCode::parse(text)
        .filter(|code| !code.is_region())
        .ok_or_else(|| format!("`{text}` is not a nine-digit KATO district code"))?;
    // As `--region 99` is refused, so is a district of no region: it would find nobody.
    match daryn_registry::kato::Region::get(code.region()) {
        Some(_) => Ok(code.to_string()),
        None => Err(format!("`{text}` lies in no region: its first two digits are not one of the 20 region codes")),
    }
}

pub fn parse_discipline(text: &str) -> std::result::Result<String, String> {
    Taxonomy::builtin()
        .lookup(text)
        .map(|discipline| discipline.code.clone())
        .ok_or_else(|| format!("`{text}` is not a discipline of the taxonomy (any of its kk/ru/en names)"))
}

pub fn parse_group(text: &str) -> std::result::Result<String, String> {
    match text {
        "rural" | "large_family" | "low_income" => Ok(text.to_owned()),
        _ => Err(format!("`{text}` is not one of rural, large_family, low_income")),
    }
}

pub fn parse_area_type(text: &str) -> std::result::Result<String, String> {
    AreaType::parse(text).map(|area| area.code().to_owned()).ok_or_else(|| format!("`{text}` is not rural or urban"))
}

pub fn parse_domain(text: &str) -> std::result::Result<String, String> {
    TalentDomain::parse(text)
        .map(|domain| domain.code().to_owned())
        .ok_or_else(|| format!("`{text}` is not one of science, culture, art, sport, military"))
}

pub fn parse_level(text: &str) -> std::result::Result<String, String> {
    Level::parse(text)
        .map(|level| level.code().to_owned())
        .ok_or_else(|| format!("`{text}` is not one of school, district, regional, republican, international"))
}

pub fn parse_result(text: &str) -> std::result::Result<String, String> {
    AchievementResult::parse(text)
        .map(|result| result.code().to_owned())
        .ok_or_else(|| format!("`{text}` is not one of winner, prize_winner, honourable_mention, participant"))
}

pub fn parse_status(text: &str) -> std::result::Result<String, String> {
    RoadmapStatus::parse(text)
        .map(|status| status.code().to_owned())
        .ok_or_else(|| format!("`{text}` is not one of active, completed, withdrawn"))
}

/// Runs one search and prints it.
pub fn run(registry: &Path, as_of: Option<u64>, request: &SearchRequest, format: OutputFormat) -> Result<()> {
    let store = crate::ingest::open_registry(registry)?;
    let version = store.resolve(as_of)?;
    let index = SearchIndex::open(&store, &version)?;
    let results = index.search(request)?;
    let text = match format {
        OutputFormat::Json => {
            serde_json::to_string_pretty(&as_json(&results)).context("serialising the results")? + "\n"
        }
        OutputFormat::Table => table(&results, std::io::stdout().is_terminal()),
    };
    // A reader that stops early (`| head`) is not an error.
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(error).context("writing the results"),
        _ => Ok(()),
    }
}

/// Runs every query of a file against one opened index and prints latency percentiles:
/// the benchmark's in-process measure (`scripts/bench-search.sh`). Each line is a query,
/// then optional tab-separated filters `region=35`, `discipline=chess`, `level=republican`,
/// `group=rural`, `teachers=1`.
pub fn run_query_file(registry: &Path, as_of: Option<u64>, file: &Path, base: &SearchRequest) -> Result<()> {
    let store = crate::ingest::open_registry(registry)?;
    let version = store.resolve(as_of)?;
    let index = SearchIndex::open(&store, &version)?;
    let text = daryn_registry::read_text_bounded(file, 16 << 20)
        .with_context(|| format!("reading `--queries` `{}`", file.display()))?;
    let mut requests = Vec::new();
    for (number, line) in text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
        let mut parts = line.split('\t');
        let mut request = base.clone();
        request.query = parts.next().unwrap_or_default().to_owned();
        for filter in parts {
            let (name, value) = filter.split_once('=').unwrap_or((filter, ""));
            let bad = |reason: String| anyhow::anyhow!("`--queries` line {}: {reason}", number + 1);
            match name {
                "region" => request.regions.push(parse_region(value).map_err(bad)?),
                "discipline" => request.disciplines.push(parse_discipline(value).map_err(bad)?),
                "level" => request.levels.push(parse_level(value).map_err(bad)?),
                "group" => request.groups.push(parse_group(value).map_err(bad)?),
                "teachers" => request.teachers = value == "1",
                _ => return Err(bad(format!("`{name}` is not one of region, discipline, level, group, teachers"))),
            }
        }
        requests.push((number + 1, request));
    }
    if requests.is_empty() {
        anyhow::bail!("`--queries` `{}` holds no query", file.display());
    }
    let mut micros = Vec::with_capacity(requests.len());
    let mut hits = 0usize;
    for (line, request) in &requests {
        let started = std::time::Instant::now();
        hits += index.search(request).with_context(|| format!("`--queries` line {line}"))?.total;
        micros.push(started.elapsed().as_micros() as u64);
    }
    micros.sort_unstable();
    let at =
        |share: f64| micros[((micros.len() as f64 * share).ceil() as usize).clamp(1, micros.len()) - 1] as f64 / 1000.0;
    let mean = micros.iter().sum::<u64>() as f64 / micros.len() as f64 / 1000.0;
    let summary = json!({
        "queries": micros.len(), "p50_ms": at(0.50), "p99_ms": at(0.99), "mean_ms": mean, "max_ms": at(1.0),
        "total_hits": hits, "index_generation": version.index_generation,
    });
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{summary}");
    Ok(())
}

fn as_json(results: &SearchResults) -> serde_json::Value {
    let hits: Vec<serde_json::Value> = results
        .hits
        .iter()
        .map(|hit| {
            let key_name = match hit.kind {
                HitKind::Child => "child_key",
                HitKind::Teacher => "teacher_id",
            };
            json!({
                key_name: hit.key,
                "score": hit.score,
                "best": hit.best,
                "name": hit.name,
                "name_highlighted": hit.name_highlighted,
                "snippet": hit.snippet,
                "fields": hit.fields,
            })
        })
        .collect();
    let facets: serde_json::Map<String, serde_json::Value> = results
        .facets
        .iter()
        .map(|(name, counts)| {
            let counts: serde_json::Map<String, serde_json::Value> =
                counts.iter().map(|(value, count)| (value.clone(), json!(count))).collect();
            ((*name).to_owned(), serde_json::Value::Object(counts))
        })
        .collect();
    json!({
        "registry_version": results.registry_version,
        "index_generation": results.index_generation,
        "total": results.total,
        "hits": hits,
        "facets": facets,
    })
}

/// Turns the `<b>` marks of a highlighted fragment into bold on a terminal, `[…]` elsewhere.
fn plain(html: &str, terminal: bool) -> String {
    let (open, close) = if terminal { ("\x1b[1m", "\x1b[0m") } else { ("[", "]") };
    html.replace("<b>", open)
        .replace("</b>", close)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace('\n', " · ")
}

fn table(results: &SearchResults, terminal: bool) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} hits (registry version {}, index generation {})",
        results.total, results.registry_version, results.index_generation
    );
    for (rank, hit) in results.hits.iter().enumerate() {
        let field = |name: &str| hit.fields.get(name).map(|value| value.to_string().trim_matches('"').to_owned());
        let place = match hit.kind {
            HitKind::Child => format!(
                "region {}, grade {}, {}",
                field("region").unwrap_or_default(),
                field("grade").unwrap_or_default(),
                field("school_name").unwrap_or_default()
            ),
            HitKind::Teacher => format!(
                "region {}, item-15 score {}, {}",
                field("region").unwrap_or_default(),
                hit.best,
                field("subject").unwrap_or_default()
            ),
        };
        let name = plain(&hit.name_highlighted, terminal);
        let _ = writeln!(out, "{:>3}. {:>6.2}  {}  {name}  ({place})", rank + 1, hit.score, hit.key);
        if !hit.snippet.is_empty() {
            let _ = writeln!(out, "              {}", plain(&hit.snippet, terminal));
        }
    }
    for (name, counts) in &results.facets {
        if counts.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{}", facet_line(name, counts));
    }
    out
}

/// How many values of a facet the table shows.
const FACET_VALUES_SHOWN: usize = 12;

/// One facet's line of the table: its largest counts first, and how many values are left
/// out (JSON has them all).
fn facet_line(name: &str, counts: &[(String, u64)]) -> String {
    let mut sorted: Vec<&(String, u64)> = counts.iter().collect();
    sorted.sort_by(|(a_value, a_count), (b_value, b_count)| b_count.cmp(a_count).then_with(|| a_value.cmp(b_value)));
    let mut shown: Vec<String> =
        sorted.iter().take(FACET_VALUES_SHOWN).map(|(value, count)| format!("{value} {count}")).collect();
    if sorted.len() > FACET_VALUES_SHOWN {
        shown.push(format!("and {} more (--format json lists every value)", sorted.len() - FACET_VALUES_SHOWN));
    }
    format!("{name}: {}", shown.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_facet_line_shows_the_largest_counts_and_says_how_many_are_left_out() {
        let counts = |pairs: &[(&str, u64)]| {
            pairs.iter().map(|(value, count)| ((*value).to_owned(), *count)).collect::<Vec<_>>()
        };
        assert_eq!(facet_line("area_type", &counts(&[("rural", 3), ("urban", 9)])), "area_type: urban 9, rural 3");
        // Fourteen values counted 1..=14 (`d01`..`d14`): the twelve largest, 14 down to
        // 3, then the two left out; a tie goes by value.
        let many: Vec<(String, u64)> = (1..=14).map(|count| (format!("d{count:02}"), count)).collect();
        let line = facet_line("discipline", &many);
        let expected: Vec<String> = (3..=14).rev().map(|count| format!("d{count:02} {count}")).collect();
        assert_eq!(line, format!("discipline: {}, and 2 more (--format json lists every value)", expected.join(", ")));
        assert_eq!(facet_line("grade", &counts(&[("9", 2), ("10", 2)])), "grade: 10 2, 9 2");
    }

    #[test]
    fn filter_values_are_read_in_any_language_or_refused_by_name() {
        assert_eq!(parse_region("350000000").unwrap(), "35");
        assert!(parse_region("99").unwrap_err().contains("`99`"));
        assert_eq!(parse_level("республиканский").unwrap(), "republican");
        assert_eq!(parse_result("1").unwrap(), "winner");
        assert_eq!(parse_area_type("ауыл").unwrap(), "rural");
        assert!(parse_group("poor").is_err());
        assert!(parse_discipline("шахматы").is_ok());
        assert!(parse_discipline("basket weaving").is_err());
        assert!(parse_district("35").is_err());
        assert_eq!(parse_district("351610000").unwrap(), "351610000");
        assert!(parse_district("991010000").unwrap_err().contains("no region"));
    }

    #[test]
    fn highlights_become_brackets_off_a_terminal() {
        assert_eq!(plain("<b>Қайрат</b> &amp; co\nnext", false), "[Қайрат] & co · next");
    }
}
