//! Opening the SQLite database: its pragmas, embedded migrations, the reader threads and the
//! writer thread that run Diesel's synchronous calls off the async executor.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use diesel::Connection as _;
use diesel::connection::SimpleConnection;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use switchboard_domain::error::{RepoError, chain};
use switchboard_domain::health::HealthCheck;

use crate::checkpointer::Checkpointer;
use crate::database_url::DatabaseUrl;
use crate::error::Fail;
use crate::readers::Readers;
use crate::wal::{self, WalSettings};
use crate::writer::{WalLog, Writer};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("the PostgreSQL backend is not available yet; use an SQLite path or sqlite:// URL")]
    PostgresNotYetSupported,
    #[error("cannot create the directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the SQLite database {path}: {message}")]
    Connect { path: PathBuf, message: String },
    #[error("database migration failed: {0}")]
    Migrate(String),
}

/// Every connection gets these: `busy_timeout` (first, so the rest wait rather than fail)
/// waits out a checkpoint or another process instead of failing; `synchronous = FULL` makes
/// every commit durable (fsync) before it returns, which the webhook's "200 only after commit"
/// promise relies on; SQLite enforces foreign keys only when asked. `temp_store = MEMORY`
/// keeps the statement journal of the writer's per-write savepoints in memory: once a batch's
/// savepoints had journalled 64 KiB of pages, SQLite spilled it to a temporary file, and those
/// writes were a fifth of the writer thread's time (it holds only pages the batch changes, and
/// is emptied at every commit).
const PRAGMAS: &str = "PRAGMA busy_timeout = 5000;
     PRAGMA synchronous = FULL;
     PRAGMA foreign_keys = ON;
     PRAGMA temp_store = MEMORY;";

/// Connections for reads (WAL lets them run beside the writer), each on its own thread.
const READ_CONNECTIONS: usize = 8;

/// The store: reader threads with a connection each for reads, the one writer thread (group
/// commit) for writes and a thread checkpointing the WAL, implementing every repository port.
#[derive(Clone)]
pub struct Store {
    path: PathBuf,
    readers: Readers,
    writer: Writer,
    _checkpointer: Checkpointer,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the database the URL names, with the default settings.
    /// Does not migrate.
    ///
    /// # Errors
    /// [`OpenError`] when the backend is unavailable or the file cannot be opened.
    pub fn open(url: &DatabaseUrl) -> Result<Self, OpenError> {
        Self::open_with(url, WalSettings::default())
    }

    /// As [`Store::open`], with the write-ahead log kept within `wal`'s limit.
    ///
    /// # Errors
    /// As [`Store::open`].
    pub fn open_with(url: &DatabaseUrl, wal: WalSettings) -> Result<Self, OpenError> {
        match url {
            DatabaseUrl::Sqlite(path) => Self::open_sqlite(path, wal),
            DatabaseUrl::Postgres(_) => Err(OpenError::PostgresNotYetSupported),
        }
    }

    fn open_sqlite(path: &Path, wal: WalSettings) -> Result<Self, OpenError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| OpenError::CreateDir {
                path: parent.to_owned(),
                source,
            })?;
        }
        let connect_error = |message: String| OpenError::Connect {
            path: path.to_owned(),
            message,
        };
        // WAL (readers run beside the writer) is a property of the file: set it once, on one
        // connection, before the others open and race for the lock.
        let mut first = SqliteConnection::establish(&path.to_string_lossy())
            .map_err(|e| connect_error(e.to_string()))?;
        first
            .batch_execute("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;")
            .map_err(|e| connect_error(e.to_string()))?;
        // That connection becomes the writer's, with the same pragmas as the readers', and
        // leaves checkpoints to the checkpoint thread. A log a crash left behind, however
        // long, is copied back and emptied before anything else opens.
        first
            .batch_execute(PRAGMAS)
            .and_then(|()| {
                first.batch_execute(&format!(
                    "PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = {};",
                    wal.limit_bytes
                ))
            })
            .and_then(|()| wal::checkpoint(&mut first, wal::Mode::Truncate))
            .map_err(|e| connect_error(e.to_string()))?;
        let checkpointer = connect(path).map_err(connect_error).and_then(|conn| {
            Checkpointer::start(conn, wal.idle_after).map_err(|e| connect_error(e.to_string()))
        })?;
        let log = WalLog {
            path: wal::wal_path(path),
            settings: wal,
            catch_up: checkpointer.catch_up(),
        };
        let writer = Writer::start(first, log).map_err(|e| connect_error(e.to_string()))?;
        let readers = (0..READ_CONNECTIONS)
            .map(|_| connect(path))
            .collect::<Result<Vec<_>, _>>()
            .map_err(connect_error)?;
        let readers = Readers::start(readers).map_err(|e| connect_error(e.to_string()))?;
        Ok(Self {
            path: path.to_owned(),
            readers,
            writer,
            _checkpointer: checkpointer,
        })
    }

    /// Applies every pending embedded migration; returns the versions applied.
    ///
    /// # Errors
    /// [`OpenError::Migrate`] if a migration fails (the failed one is rolled back).
    pub fn migrate(&self) -> Result<Vec<String>, OpenError> {
        let mut conn = connect(&self.path).map_err(OpenError::Migrate)?;
        let applied = conn
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map_err(|e| OpenError::Migrate(e.to_string()))?;
        Ok(applied.iter().map(ToString::to_string).collect())
    }

    /// Lets the writes already sent commit, then truncates the write-ahead log and stops the
    /// writer, so a clean shutdown leaves an empty log; writes after it answer
    /// [`RepoError::Unavailable`]. Reads still work.
    pub async fn close(&self) {
        self.writer.close().await;
    }

    /// The write-ahead log file beside the database (empty or absent after a truncation).
    pub fn wal_path(&self) -> PathBuf {
        wal::wal_path(&self.path)
    }

    /// Runs a write on the writer thread, in its own savepoint of the next group commit;
    /// answers once that commit is durable (see [`Writer::write`]). Every write goes here, so
    /// writers never wait on each other's locks.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, RepoError>
    where
        F: FnOnce(&mut SqliteConnection) -> Result<T, Fail> + Send + 'static,
        T: Send + 'static,
    {
        self.writer.write(work).await
    }

    /// Runs a Diesel closure (a read) on the next free reader connection (see [`Readers`]).
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, RepoError>
    where
        F: FnOnce(&mut SqliteConnection) -> Result<T, Fail> + Send + 'static,
        T: Send + 'static,
    {
        self.readers.read(work).await
    }
}

/// A connection to the database file with the store's pragmas.
fn connect(path: &Path) -> Result<SqliteConnection, String> {
    let mut conn =
        SqliteConnection::establish(&path.to_string_lossy()).map_err(|e| e.to_string())?;
    conn.batch_execute(PRAGMAS).map_err(|e| e.to_string())?;
    Ok(conn)
}

#[async_trait]
impl HealthCheck for Store {
    async fn ping(&self) -> Result<(), RepoError> {
        self.run(|conn| {
            conn.batch_execute("SELECT 1")?;
            Ok(())
        })
        .await
        .map_err(|e| match e {
            RepoError::Unexpected(cause) => RepoError::Unavailable(chain(&cause)),
            other => other,
        })
    }
}
