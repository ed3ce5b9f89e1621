//! The few writes whose check and change must not interleave with another writer's, and how
//! each backend keeps them apart.
//!
//! Most writes need no lock: unique indexes with `ON CONFLICT`, guarded `UPDATE … WHERE` and
//! increments in SQL make them safe side by side. What is left is a check over several rows
//! followed by a change (the last active admin, a login budget, a status waiting for its
//! message) and the event log's order. On PostgreSQL these take a transaction-scoped advisory
//! lock on their topic, released at commit or rollback. On SQLite every write already runs on
//! the one writer thread, inside the file's single write lock, so there is nothing to take.
//!
//! Locks are taken in one order to rule out deadlocks: [`Topic::Events`] first (PostgreSQL's
//! writer takes it to begin every batch, see [`crate::postgres::writer`]), any other topic
//! after it.

use diesel::RunQueryDsl as _;
use diesel::pg::PgConnection;
use diesel::sql_types::{Integer, Text};

use crate::conn::Conn;
use crate::error::Fail;

/// What a lock keeps apart.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Topic<'a> {
    /// Demoting or deactivating an admin, so two admins demoting each other leave one.
    Admins,
    /// One username's sign-in budget (the key is the lower-cased username).
    LoginAttempts(&'a str),
    /// One WhatsApp message id: a status stored for later must not miss the message being
    /// accepted at the same moment.
    Wamid(&'a str),
    /// The event log: an event's id becomes visible only after every smaller one, so a client
    /// resuming after an id never skips an event committed late (see docs/architecture.md).
    /// Held by every write batch on PostgreSQL from its start to its end.
    Events,
}

impl<'a> Topic<'a> {
    /// The advisory lock's keys: the topic's class and, for a named topic, the name (hashed
    /// into the second key; a collision only makes two names wait for each other).
    fn keys(self) -> (i32, Option<&'a str>) {
        match self {
            Topic::Admins => (1, None),
            Topic::LoginAttempts(key) => (2, Some(key)),
            Topic::Wamid(wamid) => (3, Some(wamid)),
            Topic::Events => (4, None),
        }
    }
}

/// Holds [`Topic::Events`] until the end of the current transaction: a PostgreSQL write batch's
/// first statement.
pub(crate) fn serialize_events(conn: &mut PgConnection) -> Result<(), diesel::result::Error> {
    let (class, _) = Topic::Events.keys();
    diesel::sql_query("SELECT pg_advisory_xact_lock($1, 0)")
        .bind::<Integer, _>(class)
        .execute(conn)?;
    Ok(())
}

/// Holds `topic` until the end of the current transaction.
pub(crate) fn serialize(conn: &mut Conn<'_>, topic: Topic<'_>) -> Result<(), Fail> {
    let Conn::Postgres(c) = conn else {
        return Ok(());
    };
    let c = &mut **c;
    match topic.keys() {
        (class, None) => diesel::sql_query("SELECT pg_advisory_xact_lock($1, 0)")
            .bind::<Integer, _>(class)
            .execute(c)?,
        (class, Some(name)) => diesel::sql_query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
            .bind::<Integer, _>(class)
            .bind::<Text, _>(name)
            .execute(c)?,
    };
    Ok(())
}
