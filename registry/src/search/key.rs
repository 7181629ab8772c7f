//! The `child_key`: the pseudonym search results give a child instead of the IIN.
//!
//! `child_key` = the first 16 bytes, in hex, of HMAC-SHA256(registry key, "child:" + IIN).
//! The registry key is 32 random bytes in `DIR/keys/child-key`, written (mode 0600) the
//! first time the registry publishes a version with a search index. The same IIN keeps
//! the same key across versions of one registry, and the key of another registry is
//! different; without the file nobody can turn a `child_key` back into an IIN by
//! hashing all IINs. Losing the file changes every `child_key` of the next index.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{SearchError, SearchResult};

const KEY_BYTES: usize = 32;
const BLOCK: usize = 64;

/// The registry's pseudonym key.
#[derive(Clone)]
pub struct ChildKeyer {
    key: [u8; KEY_BYTES],
}

impl ChildKeyer {
    fn path(registry: &Path) -> PathBuf {
        registry.join("keys").join("child-key")
    }

    /// Whether the registry has its key.
    pub fn exists(registry: &Path) -> bool {
        ChildKeyer::path(registry).exists()
    }

    /// Reads the registry's key, which its search index is keyed with: a missing key is
    /// an error (restored from a backup, or made anew by `daryn reindex`).
    pub fn load(registry: &Path) -> SearchResult<ChildKeyer> {
        let path = ChildKeyer::path(registry);
        if !path.exists() {
            return Err(SearchError::BadIndex {
                path,
                reason: "the key the search index's `child_key`s are made with is missing; restore it from the \
                         registry's backup, or run `daryn reindex` to key every child anew (every `child_key` \
                         then changes)"
                    .to_owned(),
            });
        }
        ChildKeyer::read(&path)
    }

    /// Reads the registry's key, creating it when the registry has none yet.
    pub fn load_or_create(registry: &Path) -> SearchResult<ChildKeyer> {
        let path = ChildKeyer::path(registry);
        if !path.exists() {
            let folder = registry.join("keys");
            std::fs::create_dir_all(&folder).map_err(SearchError::io(&folder))?;
            let mut key = [0u8; KEY_BYTES];
            use std::io::Read;
            std::fs::File::open("/dev/urandom")
                .and_then(|mut random| random.read_exact(&mut key))
                .map_err(SearchError::io(Path::new("/dev/urandom")))?;
            // Created readable by its owner only (not chmod-ed after, which left a moment
            // when others could read it), and on the disk before the rename names it.
            let temporary = path.with_extension("tmp");
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let _ = std::fs::remove_file(&temporary);
            options
                .open(&temporary)
                .and_then(|mut file| {
                    use std::io::Write;
                    file.write_all(hex::encode(key).as_bytes())?;
                    file.sync_all()
                })
                .map_err(SearchError::io(&temporary))?;
            std::fs::rename(&temporary, &path).map_err(SearchError::io(&path))?;
        }
        ChildKeyer::read(&path)
    }

    fn read(path: &Path) -> SearchResult<ChildKeyer> {
        let text = crate::read_regular(path).map_err(SearchError::io(path))?;
        let bytes = hex::decode(text.trim()).ok().filter(|bytes| bytes.len() == KEY_BYTES).ok_or_else(|| {
            SearchError::BadIndex {
                path: path.to_owned(),
                reason: "the child key file is not 64 hex digits".to_owned(),
            }
        })?;
        let mut key = [0u8; KEY_BYTES];
        key.copy_from_slice(&bytes);
        Ok(ChildKeyer { key })
    }

    pub fn from_key(key: [u8; KEY_BYTES]) -> ChildKeyer {
        ChildKeyer { key }
    }

    /// The pseudonym of the child with this IIN.
    pub fn child_key(&self, iin: &str) -> String {
        let mac = hmac_sha256(&self.key, format!("child:{iin}").as_bytes());
        hex::encode(&mac[..16])
    }
}

/// HMAC (RFC 2104) over SHA-256.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|value| value ^ byte);
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(hex::encode(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn child_keys_are_stable_per_key_and_differ_across_keys() {
        let one = ChildKeyer::from_key([1; 32]);
        let two = ChildKeyer::from_key([2; 32]);
        assert_eq!(one.child_key("060315550123"), one.child_key("060315550123"));
        assert_ne!(one.child_key("060315550123"), one.child_key("060315550124"));
        assert_ne!(one.child_key("060315550123"), two.child_key("060315550123"));
        assert_eq!(one.child_key("060315550123").len(), 32);
    }

    #[test]
    fn an_index_built_on_another_needs_the_key_there_is() {
        let folder = tempfile::tempdir().unwrap();
        let error = ChildKeyer::load(folder.path()).err().unwrap().to_string();
        assert!(error.contains("restore it from the registry's backup"), "{error}");
        assert!(!folder.path().join("keys").exists());
        let made = ChildKeyer::load_or_create(folder.path()).unwrap().child_key("1");
        assert_eq!(ChildKeyer::load(folder.path()).unwrap().child_key("1"), made);
    }

    #[test]
    fn the_key_file_is_created_once_and_reused() {
        let folder = tempfile::tempdir().unwrap();
        let first = ChildKeyer::load_or_create(folder.path()).unwrap().child_key("1");
        let second = ChildKeyer::load_or_create(folder.path()).unwrap().child_key("1");
        assert_eq!(first, second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(folder.path().join("keys/child-key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(folder.path().join("keys/child-key"), "zz").unwrap();
        assert!(ChildKeyer::load_or_create(folder.path()).is_err());
    }
}
