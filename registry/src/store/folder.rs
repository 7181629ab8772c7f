//! What a registry's folder must be before anything is written in it: no stranger's
//! folder, no path the Delta library would read as escaped, not root's writing into
//! another account's; and a new one closed to users outside its owner and group.

use std::path::{Path, PathBuf};

use crate::config::CONFIG_FILE;

use super::{StoreError, StoreResult, io};

/// Refuses to make a registry in a folder that holds something else: the first ingest
/// would remove what it took for a killed run's files, and vacuum the rest. A folder
/// whose making was cut short (`daryn.toml`, the lock file, `CURRENT.tmp`, empty `versions` and
/// `tables`) is no stranger's, nor a `daryn.toml` written before the first ingest.
pub(super) fn refuse_foreign_folder(root: &Path) -> StoreResult<()> {
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(StoreError::Io { path: root.to_owned(), source: error }),
    };
    for entry in entries {
        let entry = entry.map_err(io(root))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = match name.as_str() {
            CONFIG_FILE | "LOCK" | "CURRENT.tmp" => true,
            leftover if leftover.starts_with("CURRENT.tmp.") => true,
            // What a volume, a file server or a desktop puts in any folder makes it no
            // one else's. Other hidden entries do (`.git`, `.ssh`, a home folder's).
            "lost+found" | ".DS_Store" | ".localized" | ".directory" | ".snapshot" | ".snapshots" | ".zfs"
            | ".Spotlight-V100" | ".fseventsd" | ".TemporaryItems" | ".stfolder" | ".gitkeep" | "desktop.ini"
            | "Thumbs.db" => true,
            system if system.starts_with("._") || system.starts_with(".nfs") || system.starts_with(".Trash") => true,
            "versions" | "tables" => std::fs::read_dir(entry.path()).is_ok_and(|mut inside| inside.next().is_none()),
            _ => false,
        };
        if !ours {
            return Err(StoreError::NotARegistry { path: root.to_owned(), entry: name });
        }
    }
    Ok(())
}

/// Refuses a registry path that holds `%` and two hex digits (`pct%20dir`): the Delta
/// library takes the table's URL for escaped and decodes it, so the tables of
/// `/srv/pct%20dir` are looked for, and written, in `/srv/pct dir`; a first ingest made
/// half a registry and failed, and every command on it failed after. A `%` followed by
/// anything else is kept as it is, and such paths work.
pub(super) fn refuse_escapes(root: &Path) -> StoreResult<()> {
    let text = resolved(root).to_string_lossy().into_owned();
    let bytes = text.as_bytes();
    let escape = bytes
        .windows(3)
        .find(|window| window[0] == b'%' && window[1].is_ascii_hexdigit() && window[2].is_ascii_hexdigit());
    match escape {
        Some(escape) => {
            Err(StoreError::EscapedPath { path: root.to_owned(), escape: String::from_utf8_lossy(escape).into_owned() })
        }
        None => Ok(()),
    }
}

/// The path the system will use for `path`: its nearest folder that exists, with links
/// and `..` resolved, and the rest as given (a registry not made yet).
pub(super) fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut rest = Vec::new();
    let mut existing = absolute.as_path();
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            return rest.iter().rev().fold(real, |joined, part| joined.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// Refuses root writing into a registry another account owns: every file and folder it
/// made would be root's, which the owner's runs could then neither change nor remove (a
/// `reindex` run once as root left index generations the nightly vacuum failed on).
pub(super) fn refuse_root_on_anothers(root: &Path) -> StoreResult<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // A process's `/proc/self` belongs to its effective user.
        let (Ok(me), Ok(registry)) = (std::fs::metadata("/proc/self"), std::fs::metadata(root)) else {
            return Ok(());
        };
        if me.uid() == 0 && registry.uid() != 0 {
            return Err(StoreError::RootOnAnothers { path: root.to_owned(), owner: registry.uid() });
        }
    }
    #[cfg(not(unix))]
    let _ = root;
    Ok(())
}

/// Takes every right to a new registry's folder from users outside its owner and group,
/// whatever the umask: the files below it hold children's personal data, and a folder
/// that others cannot enter keeps them from every file in it. A folder this user may not
/// change (another's, shared with a group; a file system without Unix modes) is left as
/// it is: the run goes on, and warns ([`Store::open_to_others`]).
pub(super) fn close_to_others(root: &Path) {
    #[cfg(unix)]
    if let Some(mode) = others_may_enter(root) {
        use std::os::unix::fs::PermissionsExt;
        if let Err(error) = std::fs::set_permissions(root, std::fs::Permissions::from_mode(mode & !0o007)) {
            tracing::debug!(%error, "the registry's folder cannot be closed to other users");
        }
    }
    #[cfg(not(unix))]
    let _ = root;
}

/// The mode of a folder (set-id and sticky bits included) when users outside its owner
/// and group have any right to it; `None` where modes are not Unix's.
pub(super) fn others_may_enter(folder: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(folder).ok()?.permissions().mode() & 0o7777;
        (mode & 0o007 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        None
    }
}
