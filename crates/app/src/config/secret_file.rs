//! Secrets generated on first start and kept in the data directory.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// Reads a generated secret (64 hex characters), creating it with owner-only permissions on
/// first use.
///
/// Several instances may start together on one shared data directory: the secret is written
/// whole to a file of this process's own and then linked into place, which only one of them
/// can do; the others read the winner's. So no instance ever reads a half-written secret, nor
/// keeps one of its own that the others do not share.
pub(super) fn load_or_create_secret(path: &Path) -> anyhow::Result<String> {
    match read_secret(path)? {
        Some(secret) => Ok(secret),
        None => create_secret(path),
    }
}

fn read_secret(path: &Path) -> anyhow::Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) if text.trim().is_empty() => anyhow::bail!(
            "{} is empty; delete it to have a new secret generated (everyone it signed for is \
             signed out)",
            path.display()
        ),
        Ok(text) => Ok(Some(text.trim().to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn create_secret(path: &Path) -> anyhow::Result<String> {
    use std::io::Write as _;

    let secret = switchboard_auth::random_hex(32);
    let draft = draft_path(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(&draft)
        .and_then(|mut file| {
            file.write_all(secret.as_bytes())?;
            file.sync_all()
        })
        .with_context(|| format!("cannot write {}", draft.display()));
    let linked = written.and_then(|()| {
        std::fs::hard_link(&draft, path).or_else(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Ok(())
            } else {
                Err(e).with_context(|| format!("cannot create {}", path.display()))
            }
        })
    });
    let _ = std::fs::remove_file(&draft);
    linked?;
    // Whichever instance's link won, that is the secret.
    let stored = read_secret(path)?
        .with_context(|| format!("{} vanished as it was created", path.display()))?;
    if stored == secret {
        tracing::info!(path = %path.display(), "generated a secret");
    }
    Ok(stored)
}

/// A name beside `path` that no other process uses.
fn draft_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(
        ".{}.{}.draft",
        std::process::id(),
        switchboard_auth::random_hex(4)
    ));
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processes_starting_together_on_one_directory_all_get_the_one_stored_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jwt-secret");
        let barrier = std::sync::Barrier::new(8);
        let secrets: Vec<String> = std::thread::scope(|s| {
            let starts: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        barrier.wait();
                        load_or_create_secret(&path).unwrap()
                    })
                })
                .collect();
            starts.into_iter().map(|t| t.join().unwrap()).collect()
        });
        let stored = std::fs::read_to_string(&path).unwrap();
        assert_eq!(stored.len(), 64);
        assert!(secrets.iter().all(|s| *s == stored), "{secrets:?}");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no draft is left behind: {left:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn an_empty_secret_file_is_refused_rather_than_used() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jwt-secret");
        std::fs::write(&path, "").unwrap();
        let error = load_or_create_secret(&path).unwrap_err().to_string();
        assert!(error.contains("is empty"), "{error}");
    }
}
