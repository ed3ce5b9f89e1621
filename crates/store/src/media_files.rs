//! [`MediaStore`] on the filesystem: one file per key under a directory (by default
//! `<data dir>/media`).

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use switchboard_domain::error::RepoError;
use switchboard_domain::media::ports::MediaStore;

/// Media files in a directory. Keys are relative paths of safe segments.
#[derive(Debug, Clone)]
pub struct FsMediaStore {
    root: PathBuf,
}

impl FsMediaStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The file for a key; keys with anything but `[A-Za-z0-9._-]` segments are refused, so a
    /// key can never point outside the root.
    fn path(&self, key: &str) -> Result<PathBuf, RepoError> {
        let safe = !key.is_empty()
            && key.split('/').all(|segment| {
                !segment.is_empty()
                    && segment != "."
                    && segment != ".."
                    && segment
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
            });
        if !safe {
            return Err(RepoError::broken(format!("unsafe media key {key:?}")));
        }
        Ok(self.root.join(key))
    }
}

fn unavailable(path: &Path, e: &std::io::Error) -> RepoError {
    RepoError::Unavailable(format!("{}: {e}", path.display()))
}

#[async_trait]
impl MediaStore for FsMediaStore {
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), RepoError> {
        let path = self.path(key)?;
        let bytes = bytes.to_vec();
        tokio::task::spawn_blocking(move || {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| unavailable(parent, &e))?;
            }
            // Write aside, sync, then rename: a reader never sees half a file.
            let partial = path.with_extension("partial");
            let write = || -> std::io::Result<()> {
                use std::io::Write as _;
                let mut file = std::fs::File::create(&partial)?;
                file.write_all(&bytes)?;
                file.sync_all()?;
                std::fs::rename(&partial, &path)
            };
            write().map_err(|e| unavailable(&path, &e))
        })
        .await
        .map_err(|e| RepoError::unexpected("the media write task", e))?
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, RepoError> {
        let path = self.path(key)?;
        tokio::task::spawn_blocking(move || match std::fs::read(&path) {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(RepoError::NotFound),
            Err(e) => Err(unavailable(&path, &e)),
        })
        .await
        .map_err(|e| RepoError::unexpected("the media read task", e))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stored_bytes_read_back_and_missing_keys_are_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsMediaStore::new(dir.path().join("media"));
        store.put("messages/7", b"\x89PNG...").await.unwrap();
        assert_eq!(store.get("messages/7").await.unwrap(), b"\x89PNG...");
        assert_eq!(
            store.get("messages/8").await.unwrap_err(),
            RepoError::NotFound
        );
    }

    #[tokio::test]
    async fn keys_cannot_escape_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsMediaStore::new(dir.path());
        for key in ["../etc/passwd", "/abs", "a//b", "", "a/./b", "we ird"] {
            assert!(store.put(key, b"x").await.is_err(), "{key:?}");
        }
    }
}
