//! Finding drops on disk (contract section 1): `<drops>/<YYYY-MM-DD>/<region>/`, the
//! region folder named by its 2- or 9-digit KATO code.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use daryn_registry::RegionCode;
use daryn_registry::iin::mask_path;

use super::manifest::Manifest;
use crate::error::{Error, Result};

/// A region's drop folder found on disk.
#[derive(Debug)]
pub struct DropSource {
    pub folder: PathBuf,
    pub region: RegionCode,
    /// The date of the parent folder, when it is named `YYYY-MM-DD`.
    pub folder_date: Option<NaiveDate>,
    /// `manifest.json`, when the drop has one and it is valid.
    pub manifest: Option<Manifest>,
    /// Why `manifest.json` was refused, when the drop has one that is not valid (not
    /// JSON of the contract's shape, a bad `exported_at`, another region). Such a drop
    /// is refused with [`Error::code`] `manifest_invalid`; `manifest` is then `None`.
    pub manifest_error: Option<Error>,
}

impl DropSource {
    /// Opens one region's drop folder: its region from the folder's name, its date from
    /// the parent folder's name, and its manifest.
    pub fn open(folder: &Path) -> Result<DropSource> {
        let name = folder_name(folder);
        let region = match region_code(&name) {
            Some(Some(region)) => region,
            Some(None) => {
                let reason = format!("`{name}` is not the code of one of the 20 regions");
                return Err(Error::NotADrop { path: folder.to_owned(), reason });
            }
            None => {
                let reason = "a drop folder is named by its region's 2- or 9-digit KATO code".to_owned();
                return Err(Error::NotADrop { path: folder.to_owned(), reason });
            }
        };
        if !folder.is_dir() {
            return Err(Error::NotADrop { path: folder.to_owned(), reason: "not a folder".to_owned() });
        }
        // The date of the parent as given (`drops/2026-11-25/35`), else of the folder's
        // real parent (`.`, `./35`, or a link `latest/35` to a dated folder).
        let given = folder.parent().and_then(|parent| date_of(&folder_name(parent)));
        let real = || std::fs::canonicalize(folder).ok()?.parent().and_then(|parent| date_of(&folder_name(parent)));
        let folder_date = given.or_else(real);
        // Named in any case (`Manifest.json`), as the data files may be.
        let manifest_path = std::fs::read_dir(folder)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| {
                path.file_name().is_some_and(|name| name.to_string_lossy().eq_ignore_ascii_case("manifest.json"))
            })
            // The exact name first, when another case sits beside it.
            .min_by_key(|path| path.file_name().is_none_or(|name| name != "manifest.json"))
            .unwrap_or_else(|| folder.join("manifest.json"));
        let (manifest, manifest_error) = if manifest_path.is_file() {
            match Manifest::load(&manifest_path).and_then(|manifest| check_region(&manifest_path, manifest, region)) {
                Ok(manifest) => (Some(manifest), None),
                Err(error) => (None, Some(error)),
            }
        } else if std::fs::symlink_metadata(&manifest_path).is_ok() {
            // There, but no file (a folder, a pipe, a link to nothing): not the same as no
            // manifest, whose drop would go unchecked against it.
            (None, Some(Error::BadManifest { path: manifest_path, reason: super::NOT_A_FILE.to_owned() }))
        } else {
            (None, None)
        };
        Ok(DropSource { folder: folder.to_owned(), region, folder_date, manifest, manifest_error })
    }

    /// When the drop was exported: the manifest's `exported_at`; without a manifest, the
    /// folder date at 00:00 +05:00. `None` when neither is known, and when the drop has a
    /// manifest that is not valid ([`DropSource::manifest_error`]): its time is unknown.
    pub fn exported_at(&self) -> Option<DateTime<FixedOffset>> {
        if let Some(manifest) = &self.manifest {
            return Some(manifest.exported_at_parsed);
        }
        if self.manifest_error.is_some() {
            return None;
        }
        // Section 4: the folder date at 00:00 Kazakhstan time.
        self.folder_date?.and_time(NaiveTime::MIN).and_local_timezone(daryn_registry::kazakhstan_offset()).single()
    }
}

fn check_region(path: &Path, manifest: Manifest, region: RegionCode) -> Result<Manifest> {
    if RegionCode::parse(manifest.region.trim()) == Some(region) {
        return Ok(manifest);
    }
    let reason = format!("region `{}` is not the folder's region `{region}`", manifest.region);
    Err(Error::BadManifest { path: path.to_owned(), reason })
}

/// Finds drops. Each path is one region's drop folder (named by a 2- or 9-digit region
/// code), or a folder holding region folders: a dated one (`YYYY-MM-DD`) or any other.
/// Entries of such a folder that are not region folders (`truth.jsonl`, notes, an
/// unknown code, which is logged) are ignored. Drops come in the order of `paths`, and
/// by region within a folder.
///
/// A drop folder given twice (`35 35`, or `2026-11-25 2026-11-25/35`) is one drop.
///
/// Errors: a path that does not exist, or that is neither a region folder nor a folder
/// holding one (a dated folder may be empty).
pub fn discover(paths: &[PathBuf]) -> Result<Vec<DropSource>> {
    let mut drops = Vec::new();
    let mut seen = HashSet::new();
    let mut open = |folder: &Path, drops: &mut Vec<DropSource>| -> Result<()> {
        let canonical = std::fs::canonicalize(folder).map_err(Error::io(folder))?;
        if seen.insert(canonical) {
            drops.push(DropSource::open(folder)?);
        } else {
            tracing::info!(folder = %mask_path(folder), "drop folder given twice, read once");
        }
        Ok(())
    };
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(Error::io(path))?;
        if !metadata.is_dir() {
            return Err(Error::NotADrop { path: path.clone(), reason: "not a folder".to_owned() });
        }
        let name = folder_name(path);
        if region_code(&name).is_some() {
            open(path, &mut drops)?;
            continue;
        }
        let mut found = Vec::new();
        for entry in std::fs::read_dir(path).map_err(Error::io(path))? {
            let entry = entry.map_err(Error::io(path))?;
            let entry_path = entry.path();
            let entry_name = entry.file_name().to_string_lossy().into_owned();
            match region_code(&entry_name) {
                Some(Some(region)) if entry_path.is_dir() => found.push((region, entry_name, entry_path)),
                Some(None) if entry_path.is_dir() => {
                    tracing::warn!(
                        folder = %mask_path(&entry_path),
                        "not the code of one of the 20 regions, ignored"
                    );
                }
                _ => tracing::debug!(
                    entry = %mask_path(&entry_path),
                    "not a region folder, ignored"
                ),
            }
        }
        if found.is_empty() && date_of(&name).is_none() {
            let reason = "neither a region's drop folder (a 2- or 9-digit KATO code) nor a folder of them".to_owned();
            return Err(Error::NotADrop { path: path.clone(), reason });
        }
        found.sort();
        for (_, _, folder) in found {
            open(&folder, &mut drops)?;
        }
    }
    Ok(drops)
}

/// The folder's name; of `.` or `..`, the name of the folder it is.
fn folder_name(path: &Path) -> String {
    let named = path.file_name().map(|name| name.to_string_lossy().into_owned());
    let real = || std::fs::canonicalize(path).ok()?.file_name().map(|name| name.to_string_lossy().into_owned());
    named.or_else(real).unwrap_or_default()
}

/// `None` when the name does not look like a region code (2 or 9 digits); `Some(None)`
/// when it does but names none of the 20 regions.
fn region_code(name: &str) -> Option<Option<RegionCode>> {
    let looks_like_code = matches!(name.len(), 2 | 9) && name.bytes().all(|byte| byte.is_ascii_digit());
    looks_like_code.then(|| RegionCode::parse(name))
}

fn date_of(name: &str) -> Option<NaiveDate> {
    (name.len() == 10).then(|| NaiveDate::parse_from_str(name, "%Y-%m-%d").ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_folders_are_two_or_nine_digits_of_a_known_region() {
        assert_eq!(region_code("35"), Some(RegionCode::parse("35")));
        assert!(region_code("350000000").unwrap().is_some());
        assert_eq!(region_code("99"), Some(None));
        assert_eq!(region_code("351010000"), Some(None));
        assert_eq!(region_code("truth.jsonl"), None);
        assert_eq!(region_code("035"), None);
        assert_eq!(date_of("2026-11-25"), NaiveDate::from_ymd_opt(2026, 11, 25));
        assert_eq!(date_of("2026-11-25x"), None);
    }

    #[test]
    fn a_drop_folder_given_twice_is_one_drop() {
        let root = tempfile::tempdir().unwrap();
        let day = root.path().join("2026-11-25");
        for region in ["35", "47"] {
            std::fs::create_dir_all(day.join(region)).unwrap();
        }
        let paths = [day.join("35"), day.join("35"), day.clone(), day.join("47").join("..").join("35")];
        let found: Vec<String> = discover(&paths).unwrap().iter().map(|drop| drop.region.to_string()).collect();
        assert_eq!(found, ["35", "47"]);
    }

    #[test]
    fn the_date_comes_from_the_real_folder_when_the_path_does_not_name_it() {
        let root = tempfile::tempdir().unwrap();
        let day = root.path().join("2026-11-25");
        std::fs::create_dir_all(day.join("35")).unwrap();
        std::os::unix::fs::symlink(&day, root.path().join("latest")).unwrap();
        let dated = |path: PathBuf| {
            let found = discover(&[path]).unwrap();
            found
                .iter()
                .map(|drop| (drop.region.to_string(), drop.folder_date.map(|date| date.to_string())))
                .collect::<Vec<_>>()
        };
        let expected = [("35".to_owned(), Some("2026-11-25".to_owned()))];
        assert_eq!(dated(root.path().join("latest/35")), expected);
        assert_eq!(dated(root.path().join("latest")), expected);
        assert_eq!(dated(day.join("35/.")), expected);
        assert_eq!(dated(day.join("35").join("..")), expected);
        // A manifest named in another case is the manifest.
        std::fs::write(day.join("35/Manifest.json"), "not json").unwrap();
        assert!(DropSource::open(&day.join("35")).unwrap().manifest_error.is_some());
        // Beside one of the exact name, that one.
        let manifest = r#"{"region": "35", "exported_at": "2026-11-25T00:00:00+05:00", "files": {}}"#;
        std::fs::write(day.join("35/manifest.json"), manifest).unwrap();
        let drop = DropSource::open(&day.join("35")).unwrap();
        assert!(drop.manifest.is_some() && drop.manifest_error.is_none(), "{:?}", drop.manifest_error);
    }
}
