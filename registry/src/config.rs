//! The registry's configuration file, `DIR/daryn.toml`: what an operator may change
//! without a new release: item 15's weights, and the KATO classifier that district
//! names are looked up in.
//!
//! - The file is optional: without it every setting has its built-in default.
//! - The first ingest writes [`TEMPLATE`] there, so an operator finds every setting with
//!   its default and an explanation.
//! - A wrong key, value or type is an error naming the file, the key and the reason;
//!   nothing runs on a half-read configuration.

use std::path::{Path, PathBuf};

use crate::enums::{AchievementResult, Level};

/// The file's name inside a registry folder.
pub const CONFIG_FILE: &str = "daryn.toml";

/// What the first ingest writes: every setting at its default, explained.
pub const TEMPLATE: &str = r#"# Daryn registry configuration. Commands read it each time they start.

# Item 15, the "100 best teachers": the points one achievement of a pupil adds to the
# score of each teacher who prepared it, by the achievement's level and result. Only
# republican and international achievements count. A result left out keeps the
# weight shown here. Weights are whole numbers from 0 to 1000.
[item15.republican]
winner = 10
prize_winner = 6
honourable_mention = 2
participant = 0

[item15.international]
winner = 20
prize_winner = 12
honourable_mention = 4
participant = 0

# Districts written by name (`Абай ауданы`, `Абайский район`) are looked up in a KATO
# classifier CSV, the shape the README describes (`kato`, `region_kato`, `district_kk`,
# `district_ru`, `district_en`); without one a district must be
# given as its nine-digit KATO code. A relative path is read from this folder.
# `daryn ingest --kato FILE` uses another file for one run.
# [districts]
# classifier = "/etc/daryn/kato.csv"
"#;

/// The largest weight accepted, so no sum over a teacher's pupils can overflow.
const MAX_WEIGHT: i64 = 1000;

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("configuration `{}`: {key}{reason}", .path.display())]
pub struct ConfigError {
    pub path: PathBuf,
    /// The dotted key at fault, followed by ": ", or empty when the whole file is.
    pub key: String,
    pub reason: String,
}

/// Item 15's weights: the points of a republican or international achievement by result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item15Weights {
    /// Per level of [`COUNTED_LEVELS`], per result in [`AchievementResult::ALL`]'s order.
    by_level: [[u32; 4]; 2],
}

impl Default for Item15Weights {
    /// Issue 4's table: republican 10 / 6 / 2 / 0, international 20 / 12 / 4 / 0 for
    /// winner, prize-winner, honourable mention and participant.
    fn default() -> Item15Weights {
        Item15Weights { by_level: [[10, 6, 2, 0], [20, 12, 4, 0]] }
    }
}

/// The two levels item 15 counts.
const COUNTED_LEVELS: [Level; 2] = [Level::Republican, Level::International];

fn level_index(level: Level) -> Option<usize> {
    COUNTED_LEVELS.iter().position(|counted| *counted == level)
}

fn result_index(result: AchievementResult) -> usize {
    AchievementResult::ALL.iter().position(|known| *known == result).expect("every result is in ALL")
}

impl Item15Weights {
    /// The points of one achievement; levels below republican count nothing.
    pub fn weight(&self, level: Level, result: AchievementResult) -> u32 {
        level_index(level).map_or(0, |row| self.by_level[row][result_index(result)])
    }

    /// The points of an achievement as stored (canonical codes); unknown words count nothing.
    pub fn points(&self, level: &str, result: &str) -> u32 {
        match (Level::parse(level), AchievementResult::parse(result)) {
            (Some(level), Some(result)) => self.weight(level, result),
            _ => 0,
        }
    }

    /// Every counted level and result with its weight, in the table's order.
    pub fn rows(&self) -> impl Iterator<Item = (Level, AchievementResult, u32)> + '_ {
        COUNTED_LEVELS.into_iter().flat_map(move |level| {
            AchievementResult::ALL.iter().map(move |&result| (level, result, self.weight(level, result)))
        })
    }

    /// A short text that differs whenever a weight does (the search index records it).
    pub fn fingerprint(&self) -> String {
        self.rows().map(|(level, result, weight)| format!("{level}/{result}={weight}")).collect::<Vec<_>>().join(",")
    }
}

/// Everything `daryn.toml` can set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegistryConfig {
    pub item15: Item15Weights,
    /// `[districts] classifier`: the KATO classifier CSV an ingest reads district names
    /// with, made absolute against the registry's folder.
    pub kato_classifier: Option<PathBuf>,
}

/// A message about the file as a terminal can show it: the parser quotes the line at
/// fault, and a file of binary bytes put there its control characters (shown as `\u{1b}`)
/// and ran to kilobytes. A long message keeps its first and last 1,000 characters, the
/// position and the reason, with ` … ` for the middle of the line quoted.
fn plain(text: &str) -> String {
    const KEPT: usize = 1_000;
    let characters: Vec<char> = text.chars().collect();
    let mut shown = String::new();
    let mut push = |character: char| match character {
        '\n' => shown.push('\n'),
        _ if character.is_control() => shown.extend(character.escape_unicode()),
        _ => shown.push(character),
    };
    if characters.len() <= 2 * KEPT {
        characters.iter().copied().for_each(&mut push);
    } else {
        characters[..KEPT].iter().copied().for_each(&mut push);
        " … ".chars().for_each(&mut push);
        characters[characters.len() - KEPT..].iter().copied().for_each(&mut push);
    }
    shown
}

impl RegistryConfig {
    /// Reads `DIR/daryn.toml`, or the defaults when there is no such file.
    pub fn load(registry: &Path) -> Result<RegistryConfig, ConfigError> {
        let path = registry.join(CONFIG_FILE);
        match crate::read_regular(&path) {
            Ok(text) => RegistryConfig::parse(&text, &path),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(RegistryConfig::default()),
            Err(error) => Err(ConfigError { path, key: String::new(), reason: error.to_string() }),
        }
    }

    /// Reads a configuration's text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<RegistryConfig, ConfigError> {
        let fail = |key: &str, reason: String| ConfigError {
            path: path.to_owned(),
            key: if key.is_empty() { String::new() } else { format!("`{}`: ", plain(key)) },
            reason: plain(&reason),
        };
        let table: toml::Table = text.parse().map_err(|error: toml::de::Error| fail("", error.to_string()))?;
        let mut config = RegistryConfig::default();
        for (key, value) in &table {
            match key.as_str() {
                "item15" => read_item15(value, &mut config.item15, &fail)?,
                "districts" => config.kato_classifier = read_districts(value, path, &fail)?,
                other => {
                    return Err(fail(other, "unknown setting; the known ones are `item15` and `districts`".to_owned()));
                }
            }
        }
        Ok(config)
    }
}

/// `[districts]`: `classifier`, a path; relative to the folder of `daryn.toml`.
fn read_districts(
    value: &toml::Value,
    config_path: &Path,
    fail: &impl Fn(&str, String) -> ConfigError,
) -> Result<Option<PathBuf>, ConfigError> {
    let settings = value.as_table().ok_or_else(|| fail("districts", "must be a table".to_owned()))?;
    let mut classifier = None;
    for (key, value) in settings {
        let dotted = format!("districts.{key}");
        if key != "classifier" {
            return Err(fail(&dotted, "unknown setting; the known one is `classifier`".to_owned()));
        }
        let text = value
            .as_str()
            .filter(|text| !text.trim().is_empty())
            .ok_or_else(|| fail(&dotted, format!("must be the path of a KATO classifier CSV, not {value}")))?;
        let folder = config_path.parent().unwrap_or(Path::new("."));
        classifier = Some(folder.join(text.trim()));
    }
    Ok(classifier)
}

fn read_item15(
    value: &toml::Value,
    weights: &mut Item15Weights,
    fail: &impl Fn(&str, String) -> ConfigError,
) -> Result<(), ConfigError> {
    let levels = value.as_table().ok_or_else(|| fail("item15", "must be a table of levels".to_owned()))?;
    for (level_key, results) in levels {
        let key = format!("item15.{level_key}");
        let level = Level::ALL
            .iter()
            .copied()
            .find(|level| level.code() == level_key)
            .ok_or_else(|| fail(&key, "unknown level; use `republican` or `international`".to_owned()))?;
        let row = level_index(level).ok_or_else(|| {
            fail(&key, "item 15 counts only `republican` and `international` achievements".to_owned())
        })?;
        let results = results.as_table().ok_or_else(|| fail(&key, "must be a table of results".to_owned()))?;
        for (result_key, weight) in results {
            let key = format!("{key}.{result_key}");
            let result =
                AchievementResult::ALL.iter().copied().find(|result| result.code() == result_key).ok_or_else(|| {
                    fail(&key, "unknown result; use winner, prize_winner, honourable_mention or participant".to_owned())
                })?;
            let weight = weight
                .as_integer()
                .filter(|weight| (0..=MAX_WEIGHT).contains(weight))
                .ok_or_else(|| fail(&key, format!("must be a whole number from 0 to {MAX_WEIGHT}, not {weight}")))?;
            weights.by_level[row][result_index(result)] = weight as u32;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<RegistryConfig, ConfigError> {
        RegistryConfig::parse(text, Path::new("/r/daryn.toml"))
    }

    #[test]
    fn the_template_holds_the_issues_table() {
        let config = parse(TEMPLATE).unwrap();
        assert_eq!(config, RegistryConfig::default());
        let weights = &config.item15;
        use AchievementResult::*;
        assert_eq!(weights.weight(Level::Republican, Winner), 10);
        assert_eq!(weights.weight(Level::Republican, PrizeWinner), 6);
        assert_eq!(weights.weight(Level::Republican, HonourableMention), 2);
        assert_eq!(weights.weight(Level::Republican, Participant), 0);
        assert_eq!(weights.weight(Level::International, Winner), 20);
        assert_eq!(weights.weight(Level::International, PrizeWinner), 12);
        assert_eq!(weights.weight(Level::International, HonourableMention), 4);
        assert_eq!(weights.weight(Level::International, Participant), 0);
        assert_eq!(weights.weight(Level::Regional, Winner), 0);
        assert_eq!(weights.points("republican", "winner"), 10);
        assert_eq!(weights.points("school", "winner"), 0);
        assert_eq!(weights.rows().count(), 8);
    }

    #[test]
    fn a_partial_table_keeps_the_other_defaults() {
        let config = parse("[item15.international]\nparticipant = 3\n").unwrap();
        assert_eq!(config.item15.weight(Level::International, AchievementResult::Participant), 3);
        assert_eq!(config.item15.weight(Level::International, AchievementResult::Winner), 20);
        assert_ne!(config.item15.fingerprint(), Item15Weights::default().fingerprint());
    }

    #[test]
    fn every_wrong_setting_names_its_key() {
        let cases = [
            ("[item15.regional]\nwinner = 5\n", "`item15.regional`: item 15 counts only"),
            ("[item15.olympic]\nwinner = 5\n", "`item15.olympic`: unknown level"),
            ("[item15.republican]\nfirst = 5\n", "`item15.republican.first`: unknown result"),
            ("[item15.republican]\nwinner = \"ten\"\n", "`item15.republican.winner`: must be a whole number"),
            ("[item15.republican]\nwinner = -1\n", "`item15.republican.winner`: must be a whole number"),
            ("[item15.republican]\nwinner = 1001\n", "`item15.republican.winner`: must be a whole number"),
            ("item15 = 3\n", "`item15`: must be a table"),
            ("[item_15]\n", "`item_15`: unknown setting"),
            ("[districts]\nclasifier = \"k.csv\"\n", "`districts.clasifier`: unknown setting"),
            ("[districts]\nclassifier = 3\n", "`districts.classifier`: must be the path"),
            ("[districts]\nclassifier = \" \"\n", "`districts.classifier`: must be the path"),
            ("districts = \"k.csv\"\n", "`districts`: must be a table"),
        ];
        for (text, expected) in cases {
            let error = parse(text).unwrap_err().to_string();
            assert!(error.starts_with("configuration `/r/daryn.toml`: "), "{error}");
            assert!(error.contains(expected), "{text:?} gave {error}");
        }
        let broken = parse("[item15.republican\n").unwrap_err().to_string();
        assert!(broken.contains("line 1"), "{broken}");
    }

    #[test]
    fn the_classifier_path_is_read_from_the_registry_folder() {
        assert_eq!(parse(TEMPLATE).unwrap().kato_classifier, None, "commented out in the template");
        let relative = parse("[districts]\nclassifier = \"ref/kato.csv\"\n").unwrap();
        assert_eq!(relative.kato_classifier, Some(PathBuf::from("/r/ref/kato.csv")));
        let absolute = parse("[districts]\nclassifier = \"/etc/daryn/kato.csv\"\n").unwrap();
        assert_eq!(absolute.kato_classifier, Some(PathBuf::from("/etc/daryn/kato.csv")));
    }

    #[test]
    fn no_file_means_the_defaults() {
        let folder = tempfile::tempdir().unwrap();
        assert_eq!(RegistryConfig::load(folder.path()).unwrap(), RegistryConfig::default());
        std::fs::write(folder.path().join(CONFIG_FILE), "[item15.republican]\nwinner = 1\n").unwrap();
        let loaded = RegistryConfig::load(folder.path()).unwrap();
        assert_eq!(loaded.item15.weight(Level::Republican, AchievementResult::Winner), 1);
    }

    /// A file of binary bytes is told with its control characters escaped and cut short,
    /// never with the bytes that would drive the terminal.
    #[test]
    fn a_binary_file_is_told_plainly_and_briefly() {
        let binary = format!("\u{1b}[2J{}\u{7}", "x".repeat(10_000));
        let error = parse(&binary).unwrap_err().to_string();
        assert!(!error.chars().any(|character| character.is_control() && character != '\n'), "{error:?}");
        assert!(error.contains("\\u{1b}") && error.contains(" … "), "{error:?}");
        assert!(error.chars().count() < 2_200, "{}", error.len());
        // The reason, at the end of the parser's message, is kept.
        let reason = toml::from_str::<toml::Table>(&binary).unwrap_err().message().to_owned();
        assert!(error.ends_with(&format!("{reason}\n")) || error.ends_with(&reason), "{reason:?}: {error:?}");
    }
}
