//! The store contract: what every backend must do to satisfy the domain's ports, one module per
//! port, written against the port traits and domain types only.
//!
//! Every test gets its ports from `backend()`, the constructor of the backend module it is
//! compiled into, which returns a [`backend::Backend`]: each port as an `Arc<dyn Port>` over a
//! fresh database, plus the seeding the modules share. The port modules are compiled once per
//! backend, inside that backend's module here, so the same tests run on each, named
//! `<backend>::<port>::<behaviour>`.
//!
//! `backend()` answers `None` when its backend cannot be had here (no PostgreSQL server
//! configured, outside CI): the test then returns at once, and the fixture has said it skipped.
//! Another backend plugs in with a constructor in `backend.rs` and a module below; no test
//! module changes. What is particular to one backend (SQLite's WAL, checkpoints and single
//! writer) is tested in `tests/sqlite.rs` or beside the code, not here.

#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(
    clippy::duplicate_mod,
    reason = "the port modules are compiled once per backend on purpose"
)]

mod backend;

/// The suite on SQLite: each test on a new database file in a temp directory of its own.
///
/// `path = "."` loads the port modules from this directory, so another backend's module can
/// load the very same files.
#[path = "."]
mod sqlite {
    use crate::backend::Backend;

    /// The ports every test below runs against.
    #[allow(
        clippy::unnecessary_wraps,
        reason = "the same signature as every backend's"
    )]
    async fn backend() -> Option<Backend> {
        Some(Backend::sqlite().await)
    }

    mod attachments;
    mod awaiting_statuses;
    mod business_numbers;
    mod events;
    mod health;
    mod inbound;
    mod login_attempts;
    mod media;
    mod outbox;
    mod sessions;
    mod users;
}

/// The suite on PostgreSQL: each test on a new database of its own on the test server
/// (`SWITCHBOARD_TEST_DATABASE_URL`; `scripts/test-postgres.sh` starts a throwaway one).
#[path = "."]
mod postgres {
    use crate::backend::Backend;

    /// The ports every test below runs against, or `None` when there is no server.
    async fn backend() -> Option<Backend> {
        Backend::postgres().await
    }

    mod attachments;
    mod awaiting_statuses;
    mod business_numbers;
    mod claims;
    mod events;
    mod health;
    mod inbound;
    mod login_attempts;
    mod media;
    mod outbox;
    mod sessions;
    mod users;
}
