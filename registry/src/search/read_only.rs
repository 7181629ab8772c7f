//! A published generation opened for searching, without writing to it.
//!
//! tantivy takes a lock file (`.tantivy-meta.lock`) while a reader opens an index's
//! segments, so that a writer in another process does not remove them meanwhile; taking
//! it means creating a file in the generation's folder. A published generation is never
//! written again (an incremental build hard-links its files into a new folder), so the
//! lock guards nothing here, and taking it kept anyone who may read the registry but not
//! write to it (an analyst's account, a read-only copy or mount) from searching.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};

/// An [`MmapDirectory`] that reads, takes no lock and refuses every write, and opens
/// regular files only.
#[derive(Clone, Debug)]
pub struct ReadOnlyDirectory {
    mmap: MmapDirectory,
    root: PathBuf,
}

impl ReadOnlyDirectory {
    pub fn open(path: &Path) -> tantivy::Result<ReadOnlyDirectory> {
        Ok(ReadOnlyDirectory { mmap: MmapDirectory::open(path)?, root: path.to_owned() })
    }

    /// Refuses a file of the generation that is not a regular file before tantivy opens
    /// it: a FIFO in the place of a segment file held a search, a check or a vacuum at
    /// the open, forever (see [`crate::open_regular`]). A file that is not there is left
    /// to tantivy, which says so in its own words.
    fn regular(&self, path: &Path) -> Result<(), OpenReadError> {
        match std::fs::metadata(self.root.join(path)) {
            Ok(metadata) if !metadata.is_file() => Err(OpenReadError::IoError {
                io_error: Arc::new(crate::not_regular(metadata.file_type())),
                filepath: path.to_owned(),
            }),
            _ => Ok(()),
        }
    }
}

/// A tantivy error as said to people: a file that cannot be opened is named, with the
/// reason in words, where tantivy's own text quotes the Rust form of its error.
pub(crate) fn described(error: &tantivy::TantivyError) -> String {
    match error {
        tantivy::TantivyError::OpenReadError(OpenReadError::IoError { io_error, filepath }) => {
            format!("`{}` cannot be opened: {io_error}", filepath.display())
        }
        other => other.to_string(),
    }
}

fn read_only(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!("a published search index is not written: `{}`", path.display()),
    )
}

impl Directory for ReadOnlyDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.regular(path)?;
        self.mmap.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError { io_error: Arc::new(read_only(path)), filepath: path.to_owned() })
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.mmap.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::IoError { io_error: Arc::new(read_only(path)), filepath: path.to_owned() })
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.regular(path)?;
        self.mmap.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, _data: &[u8]) -> io::Result<()> {
        Err(read_only(path))
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    /// No lock file: see the module documentation.
    fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, LockError> {
        Ok(DirectoryLock::from(Box::new(())))
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.mmap.watch(watch_callback)
    }
}
