//! `manifest.json` (contract section 5): the region, the export time, and per data file
//! its record count and SHA-256. A drop whose files disagree with it is refused.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDateTime};
use serde::Deserialize;

use super::{DropContent, FileStats};
use crate::error::{Error, Result};

/// A drop's manifest as the region wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// The region code as written (`35` or `350000000`).
    pub region: String,
    /// The export time as written.
    pub exported_at: String,
    /// [`Manifest::exported_at`] read as RFC 3339.
    pub exported_at_parsed: DateTime<FixedOffset>,
    /// Per file name, what the region says it sent.
    pub files: BTreeMap<String, ManifestFile>,
}

/// One file as the manifest lists it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ManifestFile {
    /// Records excluding the header; lines (children) for `roadmap.jsonl`.
    pub rows: u64,
    /// SHA-256 of the file's bytes, hex (either case).
    pub sha256: String,
}

/// The manifest's JSON; other keys are allowed (the contract only ever adds).
#[derive(Deserialize)]
struct RawManifest {
    region: RegionField,
    exported_at: String,
    files: BTreeMap<String, ManifestFile>,
}

/// A region written as a string (`"35"`) or a number (`35`).
#[derive(Deserialize)]
#[serde(untagged)]
enum RegionField {
    Text(String),
    Number(u64),
}

impl Manifest {
    /// Reads a manifest from its JSON text; `path` is for messages.
    pub fn parse(path: &Path, text: &str) -> Result<Manifest> {
        let bad = |reason: String| Error::BadManifest { path: path.to_owned(), reason };
        let raw: RawManifest =
            serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|error| bad(error.to_string()))?;
        let exported_at_parsed = export_time(raw.exported_at.trim()).map_err(|error| {
            bad(format!("`exported_at` `{}` is not a time such as 2026-11-24T23:10:00+05:00: {error}", raw.exported_at))
        })?;
        // No roadmap predates the decree (2019): a year before 2000 is a slip, which would
        // otherwise reject every child for their age.
        if daryn_registry::kazakhstan_time(exported_at_parsed.to_utc()).year() < 2000 {
            return Err(bad(format!("`exported_at` `{}` is before the year 2000", raw.exported_at)));
        }
        let region = match raw.region {
            RegionField::Text(text) => text,
            RegionField::Number(number) => number.to_string(),
        };
        Ok(Manifest { region, exported_at: raw.exported_at, exported_at_parsed, files: raw.files })
    }

    /// Reads `manifest.json` from a file.
    pub fn load(path: &Path) -> Result<Manifest> {
        let bytes = std::fs::read(path).map_err(Error::io(path))?;
        let text = String::from_utf8(bytes)
            .map_err(|error| Error::BadManifest { path: path.to_owned(), reason: error.to_string() })?;
        Manifest::parse(path, &text)
    }
}

/// The manifest's export time: RFC 3339 (`2026-11-24T23:10:00+05:00`), or the same
/// without a zone (`2026-11-24T23:10:00`, `2026-11-24 23:10`), which is Kazakhstan time as
/// the folder date is (section 4).
fn export_time(text: &str) -> std::result::Result<DateTime<FixedOffset>, chrono::ParseError> {
    let zoned = DateTime::parse_from_rfc3339(text);
    if zoned.is_ok() {
        return zoned;
    }
    let local = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok());
    match local.and_then(|local| local.and_local_timezone(daryn_registry::kazakhstan_offset()).single()) {
        Some(stamp) => Ok(stamp),
        None => zoned,
    }
}

/// How a drop's files disagree with its manifest: the drop is refused (section 4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestMismatch {
    /// The file name as the manifest lists it.
    pub file: String,
    pub kind: MismatchKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MismatchKind {
    /// The manifest lists a file the drop does not have (or that was not read).
    FileMissing,
    Rows {
        listed: u64,
        found: u64,
    },
    Checksum {
        listed: String,
        found: String,
    },
}

impl ManifestMismatch {
    /// The stable code a drop refused for this reason is reported with.
    pub fn code(&self) -> &'static str {
        "manifest_mismatch"
    }
}

impl fmt::Display for ManifestMismatch {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = &self.file;
        match &self.kind {
            MismatchKind::FileMissing => {
                write!(formatter, "the manifest lists `{file}` but the drop has no such data file")
            }
            MismatchKind::Rows { listed, found } => {
                write!(formatter, "the manifest gives `{file}` {listed} rows but it has {found}")
            }
            MismatchKind::Checksum { listed, found } => {
                write!(formatter, "the SHA-256 of `{file}` is `{found}`, the manifest says `{listed}`")
            }
        }
    }
}

/// The first way the files of `content` disagree with `manifest`, in the manifest's
/// file order: a listed file missing, a row count or a checksum that differs. A data
/// file the manifest does not list is no mismatch. File names match exactly, or else
/// ignoring ASCII case.
pub fn compare_manifest(manifest: &Manifest, content: &DropContent) -> Option<ManifestMismatch> {
    for (name, listed) in &manifest.files {
        let mismatch = |kind| Some(ManifestMismatch { file: name.clone(), kind });
        let Some(found) = find_named(&content.files, name, |file: &FileStats| &file.name) else {
            return mismatch(MismatchKind::FileMissing);
        };
        if found.rows != listed.rows {
            return mismatch(MismatchKind::Rows { listed: listed.rows, found: found.rows });
        }
        if !found.sha256.eq_ignore_ascii_case(listed.sha256.trim()) {
            return mismatch(MismatchKind::Checksum { listed: listed.sha256.clone(), found: found.sha256.clone() });
        }
    }
    None
}

/// How the files of a drop that could not be read disagree with its manifest, from their
/// bytes alone: a file listed but missing, or one whose SHA-256 is not the one listed. A
/// file damaged on its way (a byte changed, a copy cut short) is then told as that, not
/// as a file of the wrong encoding or shape.
pub fn compare_manifest_bytes(manifest: &Manifest, folder: &Path) -> Option<ManifestMismatch> {
    let files = super::file_checksums(folder).ok()?;
    for (name, listed) in &manifest.files {
        let mismatch = |kind| Some(ManifestMismatch { file: name.clone(), kind });
        let Some((_, sha256)) = find_named(&files, name, |(found, _)| found) else {
            return mismatch(MismatchKind::FileMissing);
        };
        if !sha256.eq_ignore_ascii_case(listed.sha256.trim()) {
            return mismatch(MismatchKind::Checksum { listed: listed.sha256.clone(), found: sha256.clone() });
        }
    }
    None
}

/// The file the manifest names: by its exact name, else by its name in another case.
fn find_named<'a, T>(files: &'a [T], name: &str, name_of: impl Fn(&T) -> &String) -> Option<&'a T> {
    files
        .iter()
        .find(|file| name_of(file) == name)
        .or_else(|| files.iter().find(|file| name_of(file).eq_ignore_ascii_case(name)))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::read_drop_files;
    use super::*;

    const MANIFEST: &str = r#"{ "region": "35", "exported_at": "2026-11-24T23:10:00+05:00", "format_version": 1,
        "files": { "children.csv": { "rows": 1, "sha256": "SHA" } } }"#;

    fn content() -> DropContent {
        read_drop_files(
            Path::new("35"),
            vec![("children.csv".to_owned(), b"iin,last_name,first_name\n1,A,B\n".to_vec())],
        )
        .unwrap()
    }

    #[test]
    fn an_export_time_without_a_zone_is_kazakhstan_time() {
        for written in ["2026-11-24T23:10:00", "2026-11-24 23:10", "2026-11-24T23:10:00.000"] {
            let text = MANIFEST.replace("2026-11-24T23:10:00+05:00", written);
            let manifest = Manifest::parse(Path::new("manifest.json"), &text).unwrap();
            assert_eq!(manifest.exported_at_parsed.to_rfc3339(), "2026-11-24T23:10:00+05:00", "{written}");
        }
        let text = MANIFEST.replace("2026-11-24T23:10:00+05:00", "24.11.2026");
        let error = Manifest::parse(Path::new("manifest.json"), &text).unwrap_err().to_string();
        assert!(error.contains("`24.11.2026` is not a time such as 2026-11-24T23:10:00+05:00"), "{error}");
    }

    #[test]
    fn a_manifest_reads_its_time_and_files() {
        let manifest = Manifest::parse(Path::new("manifest.json"), MANIFEST).unwrap();
        assert_eq!(manifest.region, "35");
        assert_eq!(manifest.exported_at_parsed.to_rfc3339(), "2026-11-24T23:10:00+05:00");
        assert_eq!(manifest.files["children.csv"].rows, 1);
        let numeric = MANIFEST.replace(r#""35""#, "35");
        assert_eq!(Manifest::parse(Path::new("manifest.json"), &numeric).unwrap().region, "35");
    }

    #[test]
    fn an_export_before_2000_is_a_slip() {
        // 31.12.1999 23:59 in Kazakhstan is still 1999; a minute later it is 2000.
        let text = MANIFEST.replace("2026-11-24T23:10:00+05:00", "1999-12-31T23:59:00+05:00");
        let error = Manifest::parse(Path::new("manifest.json"), &text).unwrap_err();
        assert_eq!(error.code(), "manifest_invalid");
        assert!(error.to_string().contains("is before the year 2000"), "{error}");
        // 19:00 UTC on 31.12.1999 is midnight of the new year in Kazakhstan.
        let text = MANIFEST.replace("2026-11-24T23:10:00+05:00", "1999-12-31T19:00:00Z");
        assert!(Manifest::parse(Path::new("manifest.json"), &text).is_ok());
    }

    #[test]
    fn a_bad_manifest_says_why() {
        for text in ["{", r#"{"region":"35","files":{}}"#, &MANIFEST.replace("2026-11-24T23:10:00+05:00", "вчера")]
        {
            let error = Manifest::parse(Path::new("manifest.json"), text).unwrap_err();
            assert_eq!(error.code(), "manifest_invalid", "{text}");
        }
    }

    #[test]
    fn rows_checksums_and_missing_files_are_mismatches() {
        let content = content();
        let sha = content.files[0].sha256.to_uppercase();
        let manifest = Manifest::parse(Path::new("m"), &MANIFEST.replace("SHA", &sha)).unwrap();
        assert_eq!(compare_manifest(&manifest, &content), None);

        let wrong_rows =
            Manifest::parse(Path::new("m"), &MANIFEST.replace("SHA", &sha).replace("\"rows\": 1", "\"rows\": 2"))
                .unwrap();
        let mismatch = compare_manifest(&wrong_rows, &content).unwrap();
        assert_eq!(mismatch.kind, MismatchKind::Rows { listed: 2, found: 1 });
        assert_eq!(mismatch.to_string(), "the manifest gives `children.csv` 2 rows but it has 1");

        let wrong_sum = Manifest::parse(Path::new("m"), MANIFEST).unwrap();
        assert!(matches!(compare_manifest(&wrong_sum, &content).unwrap().kind, MismatchKind::Checksum { .. }));

        let missing = Manifest::parse(Path::new("m"), &MANIFEST.replace("children.csv", "children.xlsx")).unwrap();
        assert_eq!(compare_manifest(&missing, &content).unwrap().kind, MismatchKind::FileMissing);
    }
}
