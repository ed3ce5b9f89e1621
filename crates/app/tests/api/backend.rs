//! Which database the HTTP suite runs on: SQLite in a test's temp directory, or, with
//! `SWITCHBOARD_TEST_BACKEND=postgres` (which `make test` sets for a second pass of this
//! suite when it has a PostgreSQL server), a database of its own on the test server.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use switchboard_store::DatabaseUrl;
use switchboard_test_support::TestDatabase;

/// The variable choosing the backend: `postgres`, or unset for SQLite.
pub const TEST_BACKEND_VAR: &str = "SWITCHBOARD_TEST_BACKEND";

/// Where a test keeps its data: the URL, and the PostgreSQL database to keep alive with it.
pub struct TestDatabaseUrl {
    pub url: DatabaseUrl,
    pub database: Option<Arc<TestDatabase>>,
}

/// Whether this run of the suite is the PostgreSQL one.
pub fn on_postgres() -> bool {
    match std::env::var(TEST_BACKEND_VAR).as_deref() {
        Ok("postgres") => true,
        Ok("" | "sqlite") | Err(_) => false,
        Ok(other) => panic!("{TEST_BACKEND_VAR}={other:?}: expected postgres or sqlite"),
    }
}

/// A new database in `dir` (SQLite) or on the test server, dropped with the value returned.
pub fn fresh(dir: &Path) -> TestDatabaseUrl {
    if !on_postgres() {
        return TestDatabaseUrl {
            url: DatabaseUrl::Sqlite(dir.join("test.db")),
            database: None,
        };
    }
    let database = Arc::new(required());
    TestDatabaseUrl {
        url: DatabaseUrl::parse(database.url()).unwrap(),
        database: Some(database),
    }
}

fn required() -> TestDatabase {
    TestDatabase::create().unwrap_or_else(|| {
        panic!("{TEST_BACKEND_VAR}=postgres needs SWITCHBOARD_TEST_DATABASE_URL")
    })
}

/// The database of a spawned server's data directory `dir` (on SQLite, the file the server
/// makes there): the same one every time it is asked for the same
/// directory, so a server restarted on a directory finds its data, as it does on SQLite. On
/// PostgreSQL those databases live until the test process ends (the throwaway server is then
/// removed; a server of your own keeps them, named `switchboard_test_*`).
pub fn for_data_dir(dir: &Path) -> TestDatabaseUrl {
    if !on_postgres() {
        return TestDatabaseUrl {
            url: DatabaseUrl::Sqlite(dir.join("switchboard.db")),
            database: None,
        };
    }
    static BY_DIR: OnceLock<Mutex<HashMap<PathBuf, Arc<TestDatabase>>>> = OnceLock::new();
    let mut by_dir = BY_DIR
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let database = by_dir
        .entry(dir.to_owned())
        .or_insert_with(|| Arc::new(required()))
        .clone();
    TestDatabaseUrl {
        url: DatabaseUrl::parse(database.url()).unwrap(),
        database: Some(database),
    }
}
