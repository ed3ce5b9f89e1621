//! The PostgreSQL backend: a pool of connections (r2d2, Diesel's own integration), reads run
//! on tokio's blocking threads, writes by the writer thread's group commit (see [`writer`]).
//!
//! r2d2 rather than deadpool or diesel-async: the repositories' statements are Diesel's
//! synchronous ones, shared with SQLite, and r2d2 is the pool Diesel ships an adapter for
//! (`diesel::r2d2`), with connection checks and timeouts; diesel-async would need every
//! statement written a second time against its own traits.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use diesel::connection::SimpleConnection as _;
use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, HandleError, Pool, PoolError};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use switchboard_domain::error::RepoError;
use switchboard_domain::live::ports::ChangeSignal;
use tokio::sync::Semaphore;

use crate::conn::Conn;
use crate::error::Fail;
use crate::store::OpenError;

pub(crate) mod listener;
pub(crate) mod writer;

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// How long a call waits for a free connection before it answers `Unavailable`, and how long
/// opening waits for the first connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The advisory lock every instance takes to migrate, so instances starting together apply
/// each migration once, one after the other (an arbitrary key, the same for every instance).
const MIGRATION_LOCK: i64 = 0x5357_4954_4348_0001;

pub(crate) type PgPool = Pool<ConnectionManager<PgConnection>>;

/// How long a session may sit idle inside an open transaction before the server ends it: a
/// frozen or cut-off instance would otherwise hold the event log's lock, and so every other
/// instance's writes, for as long as its TCP connection looks alive.
const IDLE_IN_TRANSACTION_TIMEOUT: &str = "30s";

/// A pool of PostgreSQL connections; cloning shares it.
#[derive(Clone)]
pub(crate) struct PgBackend {
    pool: PgPool,
    /// A permit for every connection but the writer's: a read waits here, not on a blocking
    /// thread of its own, so a burst of reads never starts more threads than there are
    /// connections, nor takes the writer's.
    permits: Arc<Semaphore>,
    writer: writer::Writer,
    closed: Arc<AtomicBool>,
    /// Where the listener connects (it holds a connection of its own, outside the pool).
    url: String,
    /// The URL without its password, for messages.
    shown_url: String,
}

impl std::fmt::Debug for PgBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgBackend")
            .field("url", &self.shown_url)
            .field("pool_size", &self.pool.max_size())
            .finish_non_exhaustive()
    }
}

impl PgBackend {
    /// Connects a pool of at most `pool_size` connections (at least two: the writer's and one
    /// for reads) to `url`; fails unless the server answers within [`CONNECT_TIMEOUT`]. Does
    /// not migrate.
    pub(crate) fn open(url: &str, pool_size: u32) -> Result<Self, OpenError> {
        let shown_url = without_password(url);
        let pool_size = pool_size.max(2);
        let opened = Arc::new(AtomicBool::new(false));
        let pool = Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(1))
            .connection_timeout(CONNECT_TIMEOUT)
            .error_handler(Box::new(LogConnectErrors {
                opened: Arc::clone(&opened),
            }))
            .connection_customizer(Box::new(SessionSettings))
            .build(ConnectionManager::<PgConnection>::new(url))
            .map_err(|e| OpenError::ConnectPostgres {
                url: shown_url.clone(),
                message: one_line(&e.to_string()),
            })?;
        opened.store(true, Ordering::SeqCst);
        let writer =
            writer::Writer::start(pool.clone()).map_err(|e| OpenError::ConnectPostgres {
                url: shown_url.clone(),
                message: format!("cannot start the writer thread: {e}"),
            })?;
        Ok(Self {
            pool,
            permits: Arc::new(Semaphore::new(pool_size as usize - 1)),
            writer,
            closed: Arc::new(AtomicBool::new(false)),
            url: url.to_owned(),
            shown_url,
        })
    }

    /// Applies every pending embedded migration under [`MIGRATION_LOCK`]; returns the versions
    /// applied.
    pub(crate) fn migrate(&self) -> Result<Vec<String>, OpenError> {
        let fail = |e: &dyn std::fmt::Display| OpenError::Migrate(e.to_string());
        let mut conn = self.pool.get().map_err(|e| fail(&e))?;
        conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
            .map_err(|e| fail(&e))?;
        let applied = conn
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|applied| applied.iter().map(ToString::to_string).collect())
            .map_err(|e| fail(&e));
        let unlocked = conn
            .batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
            .map_err(|e| fail(&e));
        let applied = applied?;
        unlocked?;
        Ok(applied)
    }

    /// Wakes `signal` whenever any instance commits an event, until the store is closed.
    pub(crate) fn watch_changes(&self, signal: Arc<dyn ChangeSignal>) -> std::io::Result<()> {
        listener::start(self.url.clone(), signal, Arc::clone(&self.closed))
    }

    /// Lets the writes already sent commit, then stops taking writes and listening.
    pub(crate) async fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.writer.close().await;
    }

    /// Runs `work` in its own savepoint of the writer's next batch; answers once that batch
    /// has committed (see [`writer`]).
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, RepoError>
    where
        F: FnOnce(&mut Conn<'_>) -> Result<T, Fail> + Send + 'static,
        T: Send + 'static,
    {
        self.writer
            .write(move |conn| work(&mut Conn::Postgres(conn)))
            .await
    }

    /// Hands a job to the writer as it is: it runs inside the next batch and answers its
    /// callers from the settle it returns; dropped unrun if the writer has stopped.
    pub(crate) fn submit(&self, job: crate::group_commit::Job<PgConnection>) {
        self.writer.submit(job);
    }

    /// Runs a read on a pooled connection.
    pub(crate) async fn read<T, F>(&self, work: F) -> Result<T, RepoError>
    where
        F: FnOnce(&mut Conn<'_>) -> Result<T, Fail> + Send + 'static,
        T: Send + 'static,
    {
        self.call(move |conn| work(&mut Conn::Postgres(conn))).await
    }

    async fn call<T, F>(&self, work: F) -> Result<T, RepoError>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, Fail> + Send + 'static,
        T: Send + 'static,
    {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| RepoError::Unavailable("the store has shut down".to_owned()))?;
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut conn = pool.get().map_err(|e: PoolError| {
                RepoError::Unavailable(format!(
                    "no PostgreSQL connection within {CONNECT_TIMEOUT:?}: {}",
                    one_line(&e.to_string())
                ))
            })?;
            work(&mut conn).map_err(|Fail(e)| e)
        })
        .await
        .map_err(|e| RepoError::unexpected("a database call panicked", e))?
    }
}

/// What every pooled connection is set to when it is opened.
///
/// `plan_cache_mode = force_custom_plan`: Diesel prepares and caches its statements, and after
/// five runs PostgreSQL may keep a generic plan made while a table was new and nearly empty,
/// a sequential scan it then runs on every call until the table is next analyzed (a minute or
/// more later). On a fresh database that made the contact lookup by wa_id a scan of the whole
/// table per batch and halved webhook ingest; a plan made for each call's values costs a
/// fraction of a millisecond and follows the table as it grows.
#[derive(Debug)]
struct SessionSettings;

impl diesel::r2d2::CustomizeConnection<PgConnection, diesel::r2d2::Error> for SessionSettings {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(&format!(
            "SET idle_in_transaction_session_timeout = '{IDLE_IN_TRANSACTION_TIMEOUT}'; \
             SET plan_cache_mode = force_custom_plan"
        ))
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Reports the pool's failed connection attempts once the store is open; before, opening
/// reports the last of them itself, as its one error.
#[derive(Debug)]
struct LogConnectErrors {
    opened: Arc<AtomicBool>,
}

impl HandleError<diesel::r2d2::Error> for LogConnectErrors {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        if self.opened.load(Ordering::SeqCst) {
            tracing::warn!(
                error = one_line(&error.to_string()),
                "cannot connect to PostgreSQL"
            );
        }
    }
}

/// libpq's messages span lines (a hint under the error): one line for logs and start-up errors.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `postgres://user:secret@host/db` as `postgres://user:***@host/db`, for logs and errors.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn a_password_in_the_url_is_never_shown() {
        assert_eq!(
            without_password("postgres://sb:s3cr@t@db.internal:5432/sb?sslmode=require"),
            "postgres://sb:***@db.internal:5432/sb?sslmode=require"
        );
        assert_eq!(
            without_password("postgres://sb@localhost/sb"),
            "postgres://sb@localhost/sb"
        );
        assert_eq!(without_password("postgresql:///sb"), "postgresql:///sb");
    }
}
