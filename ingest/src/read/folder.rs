//! A drop folder's files by name, before any is read: which are the tables' files,
//! which only look like one, and each one's checksum, by which a drop that could not be
//! read is known again.

use std::path::Path;

use daryn_registry::form::TableKind;
use daryn_registry::iin::mask_digit_runs;
use sha2::{Digest, Sha256};

use super::{NOT_A_FILE, classify};
use crate::error::{Error, Result};

/// The files of a drop folder not read as a table whose name is or goes on from a
/// table's name (`measures (1).csv`, `Жетістіктер_2026.xlsx`, `measures.txt`), with that
/// table, in name order.
pub(super) fn files_like_tables(folder: &Path) -> Vec<(TableKind, String)> {
    let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
    let mut names: Vec<(TableKind, String)> = entries
        .filter_map(|entry| match entry.ok()?.file_name().into_string() {
            Ok(name) if classify(&name).is_none() => Some((like_table(&name)?, name)),
            Ok(_) => None,
            Err(raw) => windows_names(&raw).into_iter().find_map(|name| Some((like_table(&name)?, name))),
        })
        .collect();
    names.sort_by(|left, right| left.1.cmp(&right.1));
    names
}

/// A name that is not UTF-8 as Windows' Cyrillic code pages read it: cp1251, and cp866
/// (Windows' own zip).
fn windows_names(raw: &std::ffi::OsStr) -> [String; 2] {
    use std::os::unix::ffi::OsStrExt;
    [encoding_rs::WINDOWS_1251, encoding_rs::IBM866]
        .map(|encoding| encoding.decode_without_bom_handling(raw.as_bytes()).0.into_owned())
}

/// The table a file not read as one seems to hold: named for it, or going on from its
/// name (`measures (1).csv`), as a spreadsheet or text file (`measures.txt`, Excel's
/// "Unicode text"; `measures.xls`).
fn like_table(name: &str) -> Option<TableKind> {
    const SPREADSHEETS: [&str; 10] = ["csv", "tsv", "txt", "xlsx", "xlsm", "xlsb", "xls", "ods", "json", "jsonl"];
    let (stem, extension) = name.rsplit_once('.')?;
    if !SPREADSHEETS.contains(&extension.to_ascii_lowercase().as_str()) {
        return None;
    }
    TableKind::from_sheet_name_loosely(stem)
}

/// The files of a drop folder named for a table (or `roadmap`) in a format the form
/// does not take: `children.txt`, `roadmap.xls`, `Балалар.ods`.
pub(super) fn unread_table_files(folder: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
    let mut names: Vec<String> = entries
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| {
            let stem = name.split('.').next().unwrap_or_default();
            classify(name).is_none()
                && name.contains('.')
                && (TableKind::from_sheet_name(stem).is_some() || stem.trim().eq_ignore_ascii_case("roadmap"))
        })
        .collect();
    names.sort();
    names
}

/// The names of a drop folder's data files, in order; other files are ignored.
pub(super) fn data_file_names(folder: &Path) -> Result<Vec<String>> {
    let entries = std::fs::read_dir(folder).map_err(Error::io(folder))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(Error::io(folder))?;
        let name = match entry.file_name().into_string() {
            Ok(name) => name,
            // What `unzip` leaves of a Windows archive's Cyrillic names (`Іс-шаралар.csv`
            // in cp1251, or in cp866 as Windows' own zip writes them): refused when it is
            // a table's file name in either, which the run would otherwise take for no
            // table. One only like a table's (`Дети (копия).csv`) counts when that table
            // has no file ([`files_like_tables`]); a note so named is passed over.
            Err(raw) => {
                let decoded = windows_names(&raw);
                if let Some(named) = decoded.iter().find(|name| classify(name).is_some()) {
                    return Err(Error::Unreadable {
                        path: folder.join(raw.to_string_lossy().as_ref()),
                        reason: format!(
                            "its name is not UTF-8 text: it reads `{named}` in Windows' Cyrillic, a table's file; \
                             rename it (or unzip the archive with a tool that keeps Cyrillic names)"
                        ),
                    });
                }
                tracing::debug!(file = %mask_digit_runs(&raw.to_string_lossy()), "a name that is not UTF-8, ignored");
                continue;
            }
        };
        if classify(&name).is_some() {
            // Followed if a link: a link to a file is read; to nothing, a folder, a pipe
            // or a device, it is no table, and the run must not take it for an empty one
            // (or wait on a pipe for ever).
            let path = entry.path();
            match std::fs::metadata(&path) {
                Ok(metadata) if metadata.is_file() => names.push(name),
                _ => {
                    return Err(Error::Unreadable { path, reason: NOT_A_FILE.to_owned() });
                }
            }
        } else if name != "manifest.json" {
            tracing::debug!(file = %mask_digit_runs(&name), "not a data file of the drop, ignored");
        }
    }
    names.sort();
    Ok(names)
}

/// Each data file of a drop folder with the SHA-256 of its bytes, as [`read_folder`]
/// gives them in [`DropContent::files`], without reading what they hold: what a drop
/// that could not be read is compared with its manifest by. A file that cannot be read
/// is an error.
pub fn file_checksums(folder: &Path) -> Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    for name in data_file_names(folder)? {
        let path = folder.join(&name);
        files.push((name, streamed_sha256(&path).map_err(Error::io(&path))?));
    }
    Ok(files)
}

/// The SHA-256 of a file's bytes in hex, read a piece at a time: a drop refused for a
/// file too large to read is still known by it.
fn streamed_sha256(path: &Path) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

/// What knows a drop folder again when it could not be read, as [`file_checksums`] does
/// one that could (the same pairs then): each data file's name with the SHA-256 of its
/// bytes, or, for one that is no file or cannot be opened (a link to nothing, a file
/// this account may not read), what it is instead. A retried night's refusal of such a
/// drop is then known as the one recorded. `None` when the folder cannot be listed.
pub fn file_fingerprints(folder: &Path) -> Option<Vec<(String, String)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).ok()? {
        let entry = entry.ok()?;
        let name = match entry.file_name().into_string() {
            Ok(name) if classify(&name).is_some() => name,
            Ok(_) => continue,
            // A table's file under a name in Windows' Cyrillic, as `data_file_names` refuses.
            Err(raw) if windows_names(&raw).iter().any(|name| classify(name).is_some()) => {
                raw.to_string_lossy().into_owned()
            }
            Err(_) => continue,
        };
        let path = entry.path();
        let print = match std::fs::metadata(&path) {
            Ok(metadata) if metadata.is_file() => {
                streamed_sha256(&path).unwrap_or_else(|error| format!("cannot be opened: {:?}", error.kind()))
            }
            Ok(_) => "not a file".to_owned(),
            Err(error) => format!("cannot be opened: {:?}", error.kind()),
        };
        files.push((name, print));
    }
    files.sort();
    Some(files)
}
