//! The store contract: what every backend must do to satisfy the domain's ports, one module per
//! port, written against the port traits and domain types only.
//!
//! Every test gets its ports from `backend()`, the constructor of the backend module it is
//! compiled into, which returns a [`backend::Backend`]: each port as an `Arc<dyn Port>` over a
//! fresh database, plus the seeding the modules share. The port modules are compiled once per
//! backend, inside that backend's module here, so the same tests run on each, named
//! `<backend>::<port>::<behaviour>`.
//!
//! A second backend (PostgreSQL) plugs in with two changes:
//! 1. a constructor in `backend.rs` beside `Backend::sqlite`, e.g. `Backend::postgres()`
//!    opening a fresh database or schema and handing the store to `Backend::over`;
//! 2. a copy of the `sqlite` module below named `postgres`, whose `backend()` calls it.
//!
//! No test module changes. What is particular to one backend (SQLite's embedded migrations,
//! WAL, checkpoints, the single writer) is tested in `tests/sqlite.rs` or beside the code, not
//! here.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod backend;

/// The suite on SQLite: each test on a new database file in a temp directory of its own.
///
/// `path = "."` loads the port modules from this directory, so another backend's module can
/// load the very same files.
#[path = "."]
mod sqlite {
    use crate::backend::Backend;

    /// The ports every test below runs against.
    async fn backend() -> Backend {
        Backend::sqlite().await
    }

    mod attachments;
    mod awaiting_statuses;
    mod business_numbers;
    mod events;
    mod health;
    mod login_attempts;
    mod outbox;
    mod sessions;
    mod users;
}
