//! The two migration folders give the same schema, so that they cannot drift: both are
//! embedded here, applied one migration at a time (and reverted one at a time) to a fresh
//! SQLite file and a fresh PostgreSQL database, and after every step the two catalogs must
//! agree table by table (columns with their types under the mapping of
//! `migrations/postgres/README.md`, nullability and defaults; primary keys; foreign keys;
//! indexes by name with uniqueness, key columns in order and their sort order, and partial
//! predicates; CHECK constraints by column and allowed values).
//!
//! The PostgreSQL half needs a server: run through `scripts/test-postgres.sh` (as `make test`
//! does), or with `SWITCHBOARD_TEST_DATABASE_URL` set; otherwise it skips itself, except under
//! `CI=true`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod model;
mod postgres;
mod sqlite;

use diesel::Connection as _;
use diesel::backend::Backend;
use diesel::pg::{Pg, PgConnection};
use diesel::sqlite::{Sqlite, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use switchboard_test_support::TestDatabase;

use model::{Schema, differences};

const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Diesel's own bookkeeping table, left out of the comparison.
pub const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

fn names<DB: Backend>(migrations: &EmbeddedMigrations) -> Vec<String>
where
    EmbeddedMigrations: diesel::migration::MigrationSource<DB>,
{
    diesel::migration::MigrationSource::<DB>::migrations(migrations)
        .expect("the embedded migrations list")
        .iter()
        .map(|m| m.name().to_string())
        .collect()
}

#[test]
fn both_folders_hold_the_same_migrations_in_the_same_order() {
    let sqlite = names::<Sqlite>(&SQLITE);
    let postgres = names::<Pg>(&POSTGRES);
    assert!(!sqlite.is_empty(), "no SQLite migrations were embedded");
    assert_eq!(
        sqlite, postgres,
        "migrations/sqlite and migrations/postgres must hold the same migrations (add every \
         migration to both folders under the same name)"
    );
}

fn fresh_sqlite() -> (tempfile::TempDir, SqliteConnection) {
    let dir = tempfile::tempdir().expect("a temp directory");
    let path = dir.path().join("schema.db");
    let conn = SqliteConnection::establish(path.to_str().expect("a UTF-8 temp path"))
        .expect("a new SQLite file opens");
    (dir, conn)
}

fn assert_same(step: &str, sqlite: &Schema, postgres: &Schema) {
    let found = differences(sqlite, postgres);
    assert!(
        found.is_empty(),
        "{step}: the PostgreSQL schema differs from the SQLite one:\n  {}",
        found.join("\n  ")
    );
}

#[test]
fn every_migration_gives_the_same_schema_on_sqlite_and_postgresql_up_and_down() {
    let Some(db) = TestDatabase::create() else {
        return;
    };
    let mut pg: PgConnection = db.connect();
    let (_dir, mut lite) = fresh_sqlite();

    for name in names::<Sqlite>(&SQLITE) {
        lite.run_next_migration(SQLITE).expect("SQLite migrates");
        pg.run_next_migration(POSTGRES)
            .expect("PostgreSQL migrates");
        assert_same(
            &format!("after {name} up"),
            &sqlite::schema(&mut lite),
            &postgres::schema(&mut pg),
        );
    }
    let full = sqlite::schema(&mut lite);
    assert!(
        !full.tables.is_empty(),
        "the migrated SQLite database has no tables"
    );

    for name in names::<Sqlite>(&SQLITE).iter().rev() {
        lite.revert_last_migration(SQLITE)
            .expect("SQLite reverts its migration");
        pg.revert_last_migration(POSTGRES)
            .expect("PostgreSQL reverts its migration");
        assert_same(
            &format!("after {name} down"),
            &sqlite::schema(&mut lite),
            &postgres::schema(&mut pg),
        );
    }
    let empty = postgres::schema(&mut pg);
    assert!(
        empty.tables.is_empty(),
        "reverting every migration leaves tables on PostgreSQL: {:?}",
        empty.tables.keys().collect::<Vec<_>>()
    );
}

/// The comparison is only as good as what the SQLite side reads; this pins what it must see
/// of each kind (were it to see nothing, two empty descriptions would agree).
#[test]
fn the_sqlite_catalog_reading_sees_columns_keys_indexes_and_checks() {
    let (_dir, mut lite) = fresh_sqlite();
    lite.run_pending_migrations(SQLITE)
        .expect("SQLite migrates");
    let schema = sqlite::schema(&mut lite);

    let messages = &schema.tables["messages"];
    assert_eq!(messages.columns["id"].ty, "INTEGER PRIMARY KEY");
    assert!(!messages.columns["id"].nullable);
    assert_eq!(messages.columns["payload"].ty, "TEXT");
    assert!(messages.columns["body"].nullable);
    assert_eq!(messages.columns["attempts"].default.as_deref(), Some("0"));
    assert_eq!(messages.primary_key, ["id"]);
    let idempotency = &messages.indexes["messages_idempotency"];
    assert!(idempotency.unique);
    assert_eq!(
        idempotency.columns,
        [
            ("conversation_id".to_owned(), false),
            ("idempotency_key".to_owned(), false)
        ]
    );
    assert_eq!(
        idempotency.predicate.as_deref(),
        Some("idempotency_key is not null")
    );
    assert_eq!(
        messages.indexes["messages_media_pending"]
            .predicate
            .as_deref(),
        Some("media_state = 'pending'")
    );
    assert!(messages.foreign_keys.contains(&(
        "conversation_id".to_owned(),
        "conversations".to_owned(),
        "id".to_owned()
    )));
    assert_eq!(
        messages.checks.keys().collect::<Vec<_>>(),
        ["direction", "media_state"]
    );
    assert!(messages.checks["media_state"].contains("stored"));

    let inbox = &schema.tables["conversations"].indexes["conversations_inbox"];
    assert_eq!(
        inbox.columns,
        [
            ("business_number_id".to_owned(), false),
            ("last_message_at".to_owned(), true),
            ("id".to_owned(), true)
        ]
    );
    assert_eq!(
        schema.tables["business_number_members"].primary_key,
        ["business_number_id", "user_id"]
    );
    assert_eq!(
        schema.tables["users"].checks["role"]
            .iter()
            .collect::<Vec<_>>(),
        ["admin", "agent", "viewer"]
    );
    assert!(
        !schema.tables.contains_key(MIGRATIONS_TABLE),
        "diesel's bookkeeping is left out"
    );
}
