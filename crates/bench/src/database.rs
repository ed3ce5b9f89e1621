//! The database the measured server runs on, SQLite in its data directory or a PostgreSQL
//! database of the bench's own, and read-only checks on it: what the API answered must be
//! what was committed.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use diesel::pg::PgConnection;
use diesel::sql_types::{BigInt, Text};
use diesel::{Connection as _, QueryableByName, RunQueryDsl as _, SqliteConnection};
use switchboard_store::DatabaseUrl;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// An accepted outbound message, as a status webhook names it.
#[derive(Debug, QueryableByName)]
pub struct Accepted {
    #[diesel(sql_type = Text)]
    pub wamid: String,
    #[diesel(sql_type = Text)]
    pub wa_id: String,
    #[diesel(sql_type = BigInt)]
    pub business_number_id: i64,
}

/// A connection to the SQLite database in `data_dir` that waits for the server's writer
/// rather than failing (the crash probes, which only run on SQLite, read it directly).
pub fn open(data_dir: &Path) -> anyhow::Result<SqliteConnection> {
    open_sqlite(&data_dir.join("switchboard.db"))
}

fn open_sqlite(path: &Path) -> anyhow::Result<SqliteConnection> {
    let mut connection = SqliteConnection::establish(&path.to_string_lossy())
        .with_context(|| format!("cannot open {}", path.display()))?;
    diesel::sql_query("PRAGMA busy_timeout = 5000").execute(&mut connection)?;
    Ok(connection)
}

/// Where the server keeps its data.
#[derive(Debug, Clone)]
pub enum Database {
    /// `switchboard.db` in this data directory, the server's default.
    Sqlite(PathBuf),
    /// A database on a PostgreSQL server, named by its URL.
    Postgres(String),
}

/// The name of the database the bench creates afresh on a PostgreSQL server.
const BENCH_DATABASE: &str = "switchboard_bench";

impl Database {
    /// The default: SQLite in `data_dir`.
    pub fn sqlite(data_dir: &Path) -> Self {
        Self::Sqlite(data_dir.join("switchboard.db"))
    }

    /// An empty database named `switchboard_bench` on the server `server_url` names (any
    /// database on it that its user can connect to), dropped first if a run left one.
    pub fn fresh_postgres(server_url: &str) -> anyhow::Result<Self> {
        Self::fresh_postgres_named(server_url, BENCH_DATABASE)
    }

    /// As [`Database::fresh_postgres`], named `name` (a plain identifier).
    pub fn fresh_postgres_named(server_url: &str, name: &str) -> anyhow::Result<Self> {
        anyhow::ensure!(
            name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "not a plain database name: {name:?}"
        );
        let mut server = PgConnection::establish(server_url)
            .with_context(|| format!("cannot connect to PostgreSQL at {server_url}"))?;
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut server)?;
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut server)?;
        let (base, _) = server_url
            .rsplit_once('/')
            .context("the PostgreSQL URL names no database")?;
        Ok(Self::Postgres(format!("{base}/{name}")))
    }

    /// The URL the store opens.
    pub fn url(&self) -> DatabaseUrl {
        match self {
            Self::Sqlite(path) => DatabaseUrl::Sqlite(path.clone()),
            Self::Postgres(url) => DatabaseUrl::Postgres(url.clone()),
        }
    }

    /// What the server must be told to use this database (nothing for the default).
    pub fn server_env(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::Sqlite(_) => Vec::new(),
            Self::Postgres(url) => vec![("SWITCHBOARD_DATABASE_URL", url.clone())],
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }

    /// The rows `sql` (with no parameters) yields.
    pub fn load<T>(&self, sql: &str) -> anyhow::Result<Vec<T>>
    where
        T: QueryableByName<diesel::sqlite::Sqlite> + QueryableByName<diesel::pg::Pg> + 'static,
    {
        match self {
            Self::Sqlite(path) => Ok(diesel::sql_query(sql).load(&mut open_sqlite(path)?)?),
            Self::Postgres(url) => {
                let mut connection = PgConnection::establish(url)
                    .with_context(|| format!("cannot connect to {url}"))?;
                Ok(diesel::sql_query(sql).load(&mut connection)?)
            }
        }
    }

    /// Every outbound message to a silent customer (WhatsApp id ending in 0003) that the
    /// provider accepted and nothing has reported on since.
    pub fn accepted_outbound(&self) -> anyhow::Result<Vec<Accepted>> {
        self.load(
            "SELECT m.wamid AS wamid, c.wa_id AS wa_id, v.business_number_id AS business_number_id \
             FROM messages m JOIN conversations v ON v.id = m.conversation_id \
             JOIN contacts c ON c.id = v.contact_id \
             WHERE m.direction = 'outbound' AND m.status = 'accepted' AND c.wa_id LIKE '%0003' \
             ORDER BY m.id",
        )
    }

    /// The single number `sql` (a `SELECT count(*) AS n ...`) yields.
    pub fn count(&self, sql: &str) -> anyhow::Result<i64> {
        let rows: Vec<Count> = self.load(sql)?;
        rows.first().map(|c| c.n).context("no count")
    }
}
