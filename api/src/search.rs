//! `daryn search`: talent search over a registry version's index, as a table for people
//! or JSON for scripts. Filter values are read here, once, into the registry's codes;
//! the search itself is `daryn_registry::search`.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context, Result};
use daryn_registry::discipline::Taxonomy;
use daryn_registry::enums::{AchievementResult, AreaType, Level, RoadmapStatus, TalentDomain};
use daryn_registry::search::{HitKind, SearchIndex, SearchRequest, SearchResults};
use daryn_registry::store::Store;
use daryn_registry::{KatoCode, RegionCode};
use serde_json::json;

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
    KatoCode::parse(text)
        .filter(|code| !code.is_region())
        .map(|code| code.to_string())
        .ok_or_else(|| format!("`{text}` is not a nine-digit KATO district code"))
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
    let store =
        Store::open(registry, false).with_context(|| format!("opening the registry `{}`", registry.display()))?;
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
        let shown: Vec<String> = counts.iter().take(12).map(|(value, count)| format!("{value} {count}")).collect();
        let _ = writeln!(out, "{name}: {}", shown.join(", "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    #[test]
    fn highlights_become_brackets_off_a_terminal() {
        assert_eq!(plain("<b>Қайрат</b> &amp; co\nnext", false), "[Қайрат] & co · next");
    }
}
