//! The store: one type implementing every repository port, over the backend its URL chose.

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use switchboard_domain::error::{RepoError, chain};
use switchboard_domain::health::HealthCheck;
use switchboard_domain::live::ports::ChangeSignal;

use crate::conn::Conn;
use crate::database_url::DatabaseUrl;
use crate::error::Fail;
use crate::inbound::queue::IngestQueue;
use crate::postgres::PgBackend;
use crate::sqlite::{SqliteBackend, WalSettings};

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create the directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the SQLite database {path}: {message}")]
    Connect { path: PathBuf, message: String },
    #[error("cannot connect to PostgreSQL at {url}: {message}")]
    ConnectPostgres { url: String, message: String },
    #[error("database migration failed: {0}")]
    Migrate(String),
}

/// How the store is opened; every field has a default that suits one machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreSettings {
    /// SQLite only: how far the write-ahead log may grow.
    pub wal: WalSettings,
    /// PostgreSQL only: the most connections this instance holds, at least two (one is the
    /// writer's; a smaller figure counts as two).
    pub pool_size: u32,
}

impl StoreSettings {
    /// Connections per instance when `SWITCHBOARD_DATABASE_POOL_SIZE` is not set: enough for
    /// the readers, the writers and the background workers of one instance on a small machine,
    /// few enough that several instances stay well under PostgreSQL's default of 100.
    pub const DEFAULT_POOL_SIZE: u32 = 16;
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            wal: WalSettings::default(),
            pool_size: Self::DEFAULT_POOL_SIZE,
        }
    }
}

/// Every repository port, on SQLite or PostgreSQL. Cloning is cheap and shares the
/// connections.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    /// This process's name in the claims it holds on queued messages (see
    /// `OutboxRepository::claim_due`): new at every start.
    instance: Arc<str>,
    /// PostgreSQL only: webhook deliveries waiting to be stored together.
    ingest_queue: IngestQueue,
}

#[derive(Clone, Debug)]
enum Backend {
    Sqlite(SqliteBackend),
    Postgres(PgBackend),
}

impl Store {
    /// Opens (creating an SQLite file if needed) the database the URL names, with the default
    /// settings. Does not migrate.
    ///
    /// # Errors
    /// [`OpenError`] when the database cannot be reached or opened.
    pub fn open(url: &DatabaseUrl) -> Result<Self, OpenError> {
        Self::open_with(url, StoreSettings::default())
    }

    /// As [`Store::open`], with `settings`.
    ///
    /// # Errors
    /// As [`Store::open`].
    pub fn open_with(url: &DatabaseUrl, settings: StoreSettings) -> Result<Self, OpenError> {
        let backend = match url {
            DatabaseUrl::Sqlite(path) => Backend::Sqlite(SqliteBackend::open(path, settings.wal)?),
            DatabaseUrl::Postgres(url) => {
                Backend::Postgres(PgBackend::open(url, settings.pool_size)?)
            }
        };
        Ok(Self {
            backend,
            instance: uuid::Uuid::new_v4().to_string().into(),
            ingest_queue: IngestQueue::default(),
        })
    }

    /// Applies every pending embedded migration of the backend; returns the versions applied.
    ///
    /// # Errors
    /// [`OpenError::Migrate`] if a migration fails (the failed one is rolled back).
    pub fn migrate(&self) -> Result<Vec<String>, OpenError> {
        match &self.backend {
            Backend::Sqlite(b) => b.migrate(),
            Backend::Postgres(b) => b.migrate(),
        }
    }

    /// Lets the writes already sent commit and stops taking new ones; writes after it answer
    /// [`RepoError::Unavailable`]. On SQLite it also truncates the write-ahead log, so a clean
    /// shutdown leaves an empty log. Reads still work.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(b) => b.close().await,
            Backend::Postgres(b) => b.close().await,
        }
    }

    /// Has `signal` woken whenever another instance on the same database commits an event
    /// (PostgreSQL's `LISTEN`); on SQLite, which has one instance, it does nothing.
    ///
    /// # Errors
    /// When the listening thread cannot be started.
    pub fn watch_changes(&self, signal: Arc<dyn ChangeSignal>) -> std::io::Result<()> {
        match &self.backend {
            Backend::Sqlite(_) => Ok(()),
            Backend::Postgres(b) => b.watch_changes(signal),
        }
    }

    /// The PostgreSQL backend, for what it does differently.
    pub(crate) fn postgres(&self) -> Option<&PgBackend> {
        match &self.backend {
            Backend::Sqlite(_) => None,
            Backend::Postgres(b) => Some(b),
        }
    }

    pub(crate) fn ingest_queue(&self) -> &IngestQueue {
        &self.ingest_queue
    }

    /// This process's name in the claims it holds.
    pub(crate) fn instance(&self) -> &str {
        &self.instance
    }

    /// Runs a write in its own transaction (on SQLite, a savepoint of the writer thread's next
    /// group commit); answers once it is durable.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, RepoError>
    where
        F: FnOnce(&mut Conn<'_>) -> Result<T, Fail> + Send + 'static,
        T: Send + 'static,
    {
        match &self.backend {
            Backend::Sqlite(b) => b.write(work).await,
            Backend::Postgres(b) => b.write(work).await,
        }
    }

    /// Runs a read on a connection of its own.
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, RepoError>
    where
        F: FnOnce(&mut Conn<'_>) -> Result<T, Fail> + Send + 'static,
        T: Send + 'static,
    {
        match &self.backend {
            Backend::Sqlite(b) => b.read(work).await,
            Backend::Postgres(b) => b.read(work).await,
        }
    }
}

#[async_trait]
impl HealthCheck for Store {
    async fn ping(&self) -> Result<(), RepoError> {
        self.run(|conn| {
            crate::conn::on_backend!(conn, |c| {
                diesel::connection::SimpleConnection::batch_execute(c, "SELECT 1")
            })?;
            Ok(())
        })
        .await
        .map_err(|e| match e {
            RepoError::Unexpected(cause) => RepoError::Unavailable(chain(&cause)),
            other => other,
        })
    }
}
