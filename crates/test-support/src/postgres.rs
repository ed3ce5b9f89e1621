//! A database of its own on the test PostgreSQL server, for each test that needs PostgreSQL.
//!
//! The server is the one `SWITCHBOARD_TEST_DATABASE_URL` names: `scripts/test-postgres.sh`
//! (which `make test` runs the tests through) starts a throwaway one and sets the variable, or
//! a developer points it at a server of their own whose user may create databases. A test
//! starts with
//!
//! ```no_run
//! # use switchboard_test_support::TestDatabase;
//! let Some(db) = TestDatabase::create() else { return };
//! // ... open the store on db.url() ...
//! ```
//!
//! and so skips itself, saying so, when no server is configured, except under `CI=true`,
//! where a missing server is a failure: CI must run the PostgreSQL tests.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use diesel::pg::PgConnection;
use diesel::{Connection as _, RunQueryDsl as _};

/// The variable naming the PostgreSQL server the tests may create databases on.
pub const TEST_DATABASE_URL_VAR: &str = "SWITCHBOARD_TEST_DATABASE_URL";

/// Databases created by this process so far: part of each name, so that two in one process
/// never collide (the process id and a random suffix keep nextest's processes apart).
static CREATED: AtomicU64 = AtomicU64::new(0);

/// A database created for one test on the test server, dropped (with any connections still
/// open to it) when this value is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    server_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates a fresh, empty database on the server `SWITCHBOARD_TEST_DATABASE_URL` names.
    ///
    /// Returns `None`, after printing that the calling test is skipped, when the variable is
    /// unset or empty.
    ///
    /// # Panics
    /// When the variable is unset under `CI=true` (CI must run the PostgreSQL tests), when it
    /// is not a `postgres://` or `postgresql://` URL, or when the server cannot be reached or
    /// refuses `CREATE DATABASE`: a configured server that does not work is a failure, never
    /// a skip.
    #[must_use]
    pub fn create() -> Option<Self> {
        let server_url = match std::env::var(TEST_DATABASE_URL_VAR) {
            Ok(url) if !url.is_empty() => url,
            _ => {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "{TEST_DATABASE_URL_VAR} is not set, and under CI=true the PostgreSQL tests \
                     must run: run the tests through scripts/test-postgres.sh (as `make test` \
                     does), which starts a throwaway server and sets it"
                );
                eprintln!(
                    "PostgreSQL test SKIPPED: {TEST_DATABASE_URL_VAR} is not set (run the tests \
                     through scripts/test-postgres.sh, as `make test` does, to get a throwaway \
                     server)"
                );
                return None;
            }
        };
        assert!(
            server_url.starts_with("postgres://") || server_url.starts_with("postgresql://"),
            "{TEST_DATABASE_URL_VAR} must be a postgres:// URL, not {server_url:?}"
        );
        let name = unique_name();
        let mut server = PgConnection::establish(&server_url).unwrap_or_else(|e| {
            panic!("cannot connect to the test PostgreSQL server at {server_url}: {e}")
        });
        diesel::sql_query(format!("CREATE DATABASE {}", quoted(&name)))
            .execute(&mut server)
            .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
        let url = with_database(&server_url, &name);
        Some(Self {
            server_url,
            name,
            url,
        })
    }

    /// The new database's URL: the server's URL, query parameters and all, naming this
    /// database.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The new database's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A new connection to this database.
    ///
    /// # Panics
    /// When the server cannot be reached.
    #[must_use]
    pub fn connect(&self) -> PgConnection {
        PgConnection::establish(&self.url)
            .unwrap_or_else(|e| panic!("cannot connect to the test database {}: {e}", self.name))
    }
}

impl Drop for TestDatabase {
    /// Drops the database, closing whatever connections a test left open to it. Failing is
    /// only reported: the cluster is thrown away anyway, and a panic here would hide the
    /// test's own result.
    fn drop(&mut self) {
        let dropped = PgConnection::establish(&self.server_url)
            .map_err(|e| e.to_string())
            .and_then(|mut server| {
                diesel::sql_query(format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    quoted(&self.name)
                ))
                .execute(&mut server)
                .map_err(|e| e.to_string())
            });
        if let Err(e) = dropped {
            eprintln!("could not drop the test database {}: {e}", self.name);
        }
    }
}

/// A database name no other test, in this process or another, has: the process id, this
/// process's count, and a random suffix (in case a process id is reused on a long-lived
/// server that kept a database).
fn unique_name() -> String {
    let count = CREATED.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    // RandomState is seeded randomly per process: a random number without a dependency.
    let random = RandomState::new().hash_one((nanos, count));
    format!(
        "switchboard_test_{}_{count}_{random:016x}",
        std::process::id()
    )
}

/// `name` as a quoted SQL identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `server_url` with its database (the URL's path) replaced by `name`, keeping the query.
fn with_database(server_url: &str, name: &str) -> String {
    let (address, query) =
        server_url.split_at(server_url.find(['?', '#']).unwrap_or(server_url.len()));
    let authority = address.find("://").map_or(0, |i| i + 3);
    let path = address[authority..]
        .find('/')
        .map_or(address.len(), |i| authority + i);
    format!("{}/{name}{query}", &address[..path])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use diesel::sql_types::{BigInt, Text};

    #[test]
    fn the_url_names_the_new_database_and_keeps_the_query() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database(
                "postgresql://u:p%2Fw@db.example:6543/main?sslmode=disable&application_name=x",
                "t2"
            ),
            "postgresql://u:p%2Fw@db.example:6543/t2?sslmode=disable&application_name=x"
        );
        assert_eq!(
            with_database("postgres://localhost", "t3"),
            "postgres://localhost/t3"
        );
        assert_eq!(
            with_database("postgres://localhost?sslmode=require", "t4"),
            "postgres://localhost/t4?sslmode=require"
        );
    }

    #[test]
    fn names_are_unique_within_a_process_and_valid_identifiers() {
        let (a, b) = (unique_name(), unique_name());
        assert_ne!(a, b);
        for name in [a, b] {
            assert!(
                name.len() <= 63,
                "{name} is longer than PostgreSQL's 63 bytes"
            );
            assert!(
                name.bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
            );
        }
    }

    #[derive(diesel::QueryableByName)]
    struct CurrentDatabase {
        #[diesel(sql_type = Text)]
        name: String,
    }

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    fn databases_named(name: &str) -> i64 {
        let server_url = std::env::var(TEST_DATABASE_URL_VAR).unwrap();
        let mut server = PgConnection::establish(&server_url).unwrap();
        diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
            .bind::<Text, _>(name)
            .get_result::<Count>(&mut server)
            .unwrap()
            .n
    }

    #[test]
    fn a_test_database_is_reachable_at_its_url_and_dropped_with_its_open_connections() {
        let Some(db) = TestDatabase::create() else {
            return;
        };
        let mut conn = db.connect();
        let current = diesel::sql_query("SELECT current_database()::text AS name")
            .get_result::<CurrentDatabase>(&mut conn)
            .unwrap();
        assert_eq!(current.name, db.name());
        let name = db.name().to_owned();
        assert_eq!(databases_named(&name), 1);
        // The connection stays open: dropping must close it rather than fail.
        drop(db);
        assert_eq!(databases_named(&name), 0);
        drop(conn);
    }

    #[test]
    fn two_test_databases_are_separate() {
        let Some(a) = TestDatabase::create() else {
            return;
        };
        let b = TestDatabase::create().expect("the server that made the first makes the second");
        assert_ne!(a.url(), b.url());
        diesel::sql_query("CREATE TABLE only_in_a (id BIGINT)")
            .execute(&mut a.connect())
            .unwrap();
        let in_b = diesel::sql_query(
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'only_in_a'",
        )
        .get_result::<Count>(&mut b.connect())
        .unwrap();
        assert_eq!(in_b.n, 0);
    }
}
