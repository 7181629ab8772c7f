//! Files written whole or not at all, and synced to the disk before a publish.

use std::path::Path;

use super::{StoreResult, io, pause_point};

/// Syncs every file and folder under `folder` modified at or after `since`, folders
/// after what they hold; returns how many were synced. Symbolic links are followed (an
/// operator may put `tables` or `index` on another volume), to a depth that a link loop
/// cannot exceed forever.
pub(super) fn sync_written_since(folder: &Path, since: std::time::SystemTime) -> StoreResult<u64> {
    sync_below(folder, since, 0)
}

pub(super) fn sync_below(folder: &Path, since: std::time::SystemTime, depth: usize) -> StoreResult<u64> {
    const DEEPEST: usize = 16;
    let mut synced = 0;
    for entry in std::fs::read_dir(folder).map_err(io(folder))? {
        let entry = entry.map_err(io(folder))?;
        let path = entry.path();
        let metadata = std::fs::metadata(&path).map_err(io(&path))?;
        if metadata.is_dir() {
            if depth < DEEPEST {
                synced += sync_below(&path, since, depth + 1)?;
            }
        } else if metadata.is_file() && metadata.modified().map_err(io(&path))? >= since {
            std::fs::File::open(&path).and_then(|file| file.sync_all()).map_err(io(&path))?;
            synced += 1;
        }
    }
    // A folder's own time changes when an entry is added, removed or renamed.
    if std::fs::metadata(folder).and_then(|metadata| metadata.modified()).map_err(io(folder))? >= since {
        std::fs::File::open(folder).and_then(|directory| directory.sync_all()).map_err(io(folder))?;
        synced += 1;
    }
    Ok(synced)
}

/// Writes a file that must not exist yet, whole or not at all, and never over one that
/// does: `CURRENT` 0 of a new registry, which two first runs started together both
/// write before either holds the lock. A rename could put 0 back over the version 1 the
/// other had published meanwhile; a link is refused once the name is taken.
pub(super) fn create_once(path: &Path, bytes: &[u8], pause_before_link: &str) -> StoreResult<()> {
    let temporary = path.with_extension(format!("tmp.{}", std::process::id()));
    write_synced(&temporary, bytes)?;
    pause_point(pause_before_link);
    match std::fs::hard_link(&temporary, path) {
        Ok(()) => std::fs::remove_file(&temporary).map_err(io(&temporary))?,
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(&temporary).map_err(io(&temporary))?;
        }
        // A file system without links (FAT, some network shares): renamed, as before.
        Err(_) => std::fs::rename(&temporary, path).map_err(io(path))?,
    }
    sync_parent(path)
}

/// Writes a file so that readers see the old content or the new, never a part: a
/// temporary file beside it, fsync, rename, fsync of the folder.
pub(super) fn write_atomically(path: &Path, bytes: &[u8], pause_before_rename: &str) -> StoreResult<()> {
    let temporary = path.with_extension("tmp");
    write_synced(&temporary, bytes)?;
    pause_point(pause_before_rename);
    std::fs::rename(&temporary, path).map_err(io(path))?;
    sync_parent(path)
}

/// Writes a file and syncs it to the disk.
pub(super) fn write_synced(path: &Path, bytes: &[u8]) -> StoreResult<()> {
    use std::io::Write;
    let mut file = std::fs::File::create(path).map_err(io(path))?;
    file.write_all(bytes).map_err(io(path))?;
    file.sync_all().map_err(io(path))
}

/// Syncs the folder holding `path`, so that a name just made in it is on the disk.
pub(super) fn sync_parent(path: &Path) -> StoreResult<()> {
    if let Some(folder) = path.parent()
        && let Ok(directory) = std::fs::File::open(folder)
    {
        directory.sync_all().map_err(io(folder))?;
    }
    Ok(())
}
