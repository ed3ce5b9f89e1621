//! The SQLite backend: the database file's pragmas, embedded migrations, the reader threads and
//! the writer thread (group commit) that run Diesel's synchronous calls off the async executor,
//! and the thread that keeps the write-ahead log bounded.

mod checkpointer;
mod readers;
pub(crate) mod wal;
mod writer;

pub use wal::WalSettings;

use std::path::{Path, PathBuf};

use diesel::Connection as _;
use diesel::connection::SimpleConnection;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use switchboard_domain::error::RepoError;

use crate::conn::Conn;
use crate::error::Fail;
use crate::store::OpenError;
use checkpointer::Checkpointer;
use readers::Readers;
use writer::{WalLog, Writer};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

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

/// Reader threads with a connection each for reads, the one writer thread (group commit) for
/// writes and a thread checkpointing the WAL.
#[derive(Clone)]
pub(crate) struct SqliteBackend {
    path: PathBuf,
    readers: Readers,
    writer: Writer,
    _checkpointer: Checkpointer,
}

impl std::fmt::Debug for SqliteBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteBackend")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteBackend {
    /// Opens (creating if needed) the database file, keeping its write-ahead log within `wal`'s
    /// limit. Does not migrate.
    pub(crate) fn open(path: &Path, wal: WalSettings) -> Result<Self, OpenError> {
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
    pub(crate) fn migrate(&self) -> Result<Vec<String>, OpenError> {
        let mut conn = connect(&self.path).map_err(OpenError::Migrate)?;
        let applied = conn
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map_err(|e| OpenError::Migrate(e.to_string()))?;
        Ok(applied.iter().map(ToString::to_string).collect())
    }

    /// Lets the writes already sent commit, then truncates the write-ahead log and stops the
    /// writer, so a clean shutdown leaves an empty log; writes after it answer
    /// [`RepoError::Unavailable`]. Reads still work.
    pub(crate) async fn close(&self) {
        self.writer.close().await;
    }

    /// Runs a write on the writer thread, in its own savepoint of the next group commit;
    /// answers once that commit is durable (see [`Writer::write`]). Every write goes here, so
    /// writers never wait on each other's locks.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, RepoError>
    where
        F: FnOnce(&mut Conn<'_>) -> Result<T, Fail> + Send + 'static,
        T: Send + 'static,
    {
        self.writer
            .write(move |conn| work(&mut Conn::Sqlite(conn)))
            .await
    }

    /// Runs a Diesel closure (a read) on the next free reader connection (see [`Readers`]).
    pub(crate) async fn read<T, F>(&self, work: F) -> Result<T, RepoError>
    where
        F: FnOnce(&mut Conn<'_>) -> Result<T, Fail> + Send + 'static,
        T: Send + 'static,
    {
        self.readers
            .read(move |conn| work(&mut Conn::Sqlite(conn)))
            .await
    }
}

/// A connection to the database file with the store's pragmas.
fn connect(path: &Path) -> Result<SqliteConnection, String> {
    let mut conn =
        SqliteConnection::establish(&path.to_string_lossy()).map_err(|e| e.to_string())?;
    conn.batch_execute(PRAGMAS).map_err(|e| e.to_string())?;
    Ok(conn)
}
