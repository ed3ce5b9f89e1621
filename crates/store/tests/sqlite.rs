//! What is particular to the SQLite backend, beside the port contract every backend runs
//! (`tests/contract/`): its embedded migrations.

#![allow(clippy::unwrap_used)]

use switchboard_store::{DatabaseUrl, Store};

#[tokio::test]
async fn migrating_an_up_to_date_database_applies_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&DatabaseUrl::Sqlite(dir.path().join("store.db"))).unwrap();
    assert!(
        !store.migrate().unwrap().is_empty(),
        "a new database gets every migration"
    );
    assert!(store.migrate().unwrap().is_empty(), "nothing left to apply");
}
