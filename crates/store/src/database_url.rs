//! Choosing a backend from `SWITCHBOARD_DATABASE_URL`.

use std::path::PathBuf;

/// Where the data lives, as selected by the URL's scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An SQLite database file (`sqlite://PATH` or a plain path).
    Sqlite(PathBuf),
    /// A PostgreSQL server (`postgres://` or `postgresql://`), with libpq's URL parameters.
    Postgres(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatabaseUrlError {
    #[error("is empty")]
    Empty,
    #[error(
        "has an unsupported scheme {0:?}: use sqlite://PATH, a plain file path, or postgres://"
    )]
    UnsupportedScheme(String),
    #[error("sqlite:// needs a file path after it (for example sqlite://data/switchboard.db)")]
    MissingPath,
}

impl DatabaseUrl {
    /// Parses a database URL.
    ///
    /// `sqlite://data/x.db` is the relative path `data/x.db`; `sqlite:///var/x.db` is absolute;
    /// anything without `scheme://` is taken as a file path.
    ///
    /// # Errors
    /// [`DatabaseUrlError`] for an empty value, an unknown scheme or a `sqlite://` with no path.
    pub fn parse(raw: &str) -> Result<Self, DatabaseUrlError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(DatabaseUrlError::Empty);
        }
        let Some((scheme, rest)) = raw.split_once("://") else {
            return Ok(Self::Sqlite(PathBuf::from(
                raw.strip_prefix("sqlite:").unwrap_or(raw),
            )));
        };
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" if rest.is_empty() => Err(DatabaseUrlError::MissingPath),
            "sqlite" => Ok(Self::Sqlite(PathBuf::from(rest))),
            "postgres" | "postgresql" => Ok(Self::Postgres(raw.to_owned())),
            other => Err(DatabaseUrlError::UnsupportedScheme(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_and_plain_paths_select_sqlite() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/x.db").unwrap(),
            DatabaseUrl::Sqlite("data/x.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/x.db").unwrap(),
            DatabaseUrl::Sqlite("/var/lib/x.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("./x.db").unwrap(),
            DatabaseUrl::Sqlite("./x.db".into())
        );
    }

    #[test]
    fn postgres_urls_select_postgres() {
        assert!(matches!(
            DatabaseUrl::parse("postgres://u:p@localhost/db").unwrap(),
            DatabaseUrl::Postgres(_)
        ));
        assert!(matches!(
            DatabaseUrl::parse("postgresql://localhost/db").unwrap(),
            DatabaseUrl::Postgres(_)
        ));
    }

    #[test]
    fn bad_urls_are_rejected() {
        assert_eq!(DatabaseUrl::parse(" "), Err(DatabaseUrlError::Empty));
        assert_eq!(
            DatabaseUrl::parse("mysql://x"),
            Err(DatabaseUrlError::UnsupportedScheme("mysql".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://"),
            Err(DatabaseUrlError::MissingPath)
        );
    }
}
