//! Secrets generated on first start and kept in the data directory.

use std::path::Path;

/// Reads a generated secret (64 hex characters), creating it with owner-only permissions on
/// first use.
pub(super) fn load_or_create_secret(path: &Path) -> anyhow::Result<String> {
    use anyhow::Context as _;
    use std::io::Write as _;

    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text.trim().to_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret = switchboard_auth::random_hex(32);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            file.write_all(secret.as_bytes())
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write {}", path.display()))?;
            tracing::info!(path = %path.display(), "generated a secret");
            Ok(secret)
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}
