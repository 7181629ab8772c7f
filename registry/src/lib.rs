//! Daryn's domain: the types a roadmap is made of, the reference data they are checked
//! against, and the rules of the roadmap form.
//!
//! - [`iin`]: the IIN with its two-pass check digit, birth date and sex.
//! - [`kato`]: KATO codes, the 20 built-in regions, an optional district classifier.
//! - [`discipline`]: the discipline taxonomy across the five talent domains.
//! - [`enums`]: every enum of the form with its Kazakh, Russian and English spellings.
//! - [`config`]: the registry's configuration file, `daryn.toml` (item 15's weights).
//! - [`cell`]: raw cells and their parsers (dates, booleans, numbers, lists).
//! - [`form`]: the four tables of the form, their headers, and the rules ([`form::rules`]).
//! - [`error`]: this crate's errors and the stable rejection codes.
//! - [`spreadsheet`]: text for CSV cells people open in Excel.
//! - [`store`]: the versioned store: Delta tables pinned together as registry versions.
//! - [`search`]: the talent search index and its analyzers for Kazakh and Russian.
//!
//! Reading drops lives in `daryn-ingest`, SQL in `daryn-query`, the synthetic data and
//! templates in `daryn-data`, the CLI and servers in `daryn` (`api/`).

pub mod cell;
pub mod config;
pub mod discipline;
pub mod enums;
pub mod error;
pub mod form;
pub mod iin;
pub mod kato;
pub mod lang;
pub mod records;
#[cfg(feature = "store")]
pub mod search;
mod spelling;
pub mod spreadsheet;
#[cfg(feature = "store")]
pub mod store;

pub use error::{Error, Explained, RejectCode, Result, WarningCode};
pub use iin::Iin;
pub use kato::{KatoClassifier, KatoCode, Region, RegionCode};
pub use lang::Lang;
pub use spelling::fold;

/// Reads a text file named on the command line, refusing one longer than `limit` bytes:
/// a device (`/dev/zero`) or a file far larger than any such file is would otherwise be
/// read until the machine's memory ran out.
pub fn read_text_bounded(path: &std::path::Path, limit: u64) -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    // The length first: the cut may fall inside a character.
    if bytes.len() as u64 > limit {
        let reason = format!("it is longer than {} MiB, far more than such a file holds", limit >> 20);
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, reason));
    }
    String::from_utf8(bytes).map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidData, error))
}

/// Opens one of the registry's own files (`CURRENT`, a version file, `daryn.toml`, the
/// child key, an index file, `LOCK`), refusing anything but a regular file. A FIFO in the
/// place of `CURRENT` held every command at its first read, forever, where a cron job
/// needs an error: the file is opened without waiting for a writer (`O_NONBLOCK`, which
/// changes nothing for a regular file) and then refused by what it is.
pub fn open_regular(path: &std::path::Path, options: &mut std::fs::OpenOptions) -> std::io::Result<std::fs::File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    // Opened for writing without waiting, a FIFO with no reader fails to open (`ENXIO`):
    // told by what it is too.
    let file = options.open(path).map_err(|error| match std::fs::metadata(path) {
        Ok(metadata) if !metadata.is_file() => not_regular(metadata.file_type()),
        _ => error,
    })?;
    let kind = file.metadata()?.file_type();
    if kind.is_file() {
        return Ok(file);
    }
    Err(not_regular(kind))
}

/// The error for a path that is something other than a regular file.
pub fn not_regular(kind: std::fs::FileType) -> std::io::Error {
    let what = if kind.is_dir() {
        "a folder"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if kind.is_fifo() {
                "a FIFO (named pipe)"
            } else if kind.is_socket() {
                "a socket"
            } else {
                "a device"
            }
        }
        #[cfg(not(unix))]
        "not a file"
    };
    std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("it is {what}, not a regular file"))
}

/// Reads one of the registry's own text files ([`open_regular`]), refusing one longer
/// than any daryn writes (64 MiB), which a file put there by mistake could be.
pub fn read_regular(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    const LIMIT: u64 = 64 << 20;
    let file = open_regular(path, std::fs::OpenOptions::new().read(true))?;
    let mut bytes = Vec::new();
    file.take(LIMIT + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > LIMIT {
        let reason = "it is longer than 64 MiB, far more than such a file holds";
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, reason));
    }
    String::from_utf8(bytes).map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidData, error))
}

/// Kazakhstan's time, UTC+05:00 (one zone for the whole country since March 2024): the
/// time the regions read, and the one a drop without a manifest is exported in.
pub fn kazakhstan_offset() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(5 * 3600).expect("+05:00 is a valid offset")
}

/// A moment as the regions read it: `2026-11-25 00:00:00 +05:00`.
pub fn kazakhstan_time(stamp: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::FixedOffset> {
    stamp.with_timezone(&kazakhstan_offset())
}
