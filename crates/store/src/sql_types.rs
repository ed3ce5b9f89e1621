//! The two column types stored differently by each backend, and the Rust values bound to them.
//!
//! - [`Moment`], a point in time: epoch milliseconds in an `INTEGER` on SQLite (which has no
//!   time type), `timestamptz` on PostgreSQL. Rust holds it as [`Millis`]; PostgreSQL keeps
//!   microseconds, so milliseconds round-trip exactly.
//! - [`Json`], a JSON document: `TEXT` on SQLite, `jsonb` on PostgreSQL. Rust holds its text as
//!   [`JsonText`]. `jsonb` does not keep the text as written (key order, spacing, duplicate
//!   keys): readers parse it, and nothing compares stored JSON as text.

use std::io::Write as _;

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::data_types::PgTimestamp;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{BigInt, Text, Timestamptz};
use diesel::sqlite::Sqlite;

/// A point in time (see the module docs).
#[derive(
    Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
)]
#[diesel(sqlite_type(name = "Long"))]
#[diesel(postgres_type(oid = 1184, array_oid = 1185))]
pub struct Moment;

/// A JSON document (see the module docs).
#[derive(
    Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
)]
#[diesel(sqlite_type(name = "Text"))]
#[diesel(postgres_type(oid = 3802, array_oid = 3807))]
pub struct Json;

/// A [`Moment`]'s value: milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, AsExpression, FromSqlRow)]
#[diesel(sql_type = Moment)]
pub(crate) struct Millis(pub(crate) i64);

impl Millis {
    /// The start of this time's second: Meta's timestamps are whole seconds, and times compared
    /// with theirs are cut to the same clock.
    pub(crate) fn whole_second(self) -> Self {
        Millis(self.0 - self.0.rem_euclid(1000))
    }
}

/// A [`Json`] column's text.
#[derive(Debug, Clone, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Json)]
pub(crate) struct JsonText(pub(crate) String);

/// PostgreSQL counts time from 2000-01-01T00:00:00Z, this many milliseconds after Unix's epoch.
const PG_EPOCH_MS: i64 = 946_684_800_000;

impl ToSql<Moment, Sqlite> for Millis {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        <i64 as ToSql<BigInt, Sqlite>>::to_sql(&self.0, out)
    }
}

impl FromSql<Moment, Sqlite> for Millis {
    fn from_sql(value: diesel::sqlite::SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        <i64 as FromSql<BigInt, Sqlite>>::from_sql(value).map(Millis)
    }
}

impl ToSql<Moment, Pg> for Millis {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        let micros = self
            .0
            .checked_sub(PG_EPOCH_MS)
            .and_then(|ms| ms.checked_mul(1000))
            .ok_or("a time out of PostgreSQL's range")?;
        <PgTimestamp as ToSql<Timestamptz, Pg>>::to_sql(&PgTimestamp(micros), &mut out.reborrow())
    }
}

impl FromSql<Moment, Pg> for Millis {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let PgTimestamp(micros) = <PgTimestamp as FromSql<Timestamptz, Pg>>::from_sql(value)?;
        micros
            .div_euclid(1000)
            .checked_add(PG_EPOCH_MS)
            .map(Millis)
            .ok_or_else(|| "a time out of range".into())
    }
}

impl ToSql<Json, Sqlite> for JsonText {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        <str as ToSql<Text, Sqlite>>::to_sql(self.0.as_str(), out)
    }
}

impl FromSql<Json, Sqlite> for JsonText {
    fn from_sql(value: diesel::sqlite::SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        <String as FromSql<Text, Sqlite>>::from_sql(value).map(JsonText)
    }
}

/// `jsonb`'s binary format is a version byte (1) before the document's text.
const JSONB_VERSION: u8 = 1;

impl ToSql<Json, Pg> for JsonText {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        out.write_all(&[JSONB_VERSION])?;
        out.write_all(self.0.as_bytes())?;
        Ok(IsNull::No)
    }
}

impl FromSql<Json, Pg> for JsonText {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        match value.as_bytes().split_first() {
            Some((&JSONB_VERSION, text)) => Ok(JsonText(String::from_utf8(text.to_vec())?)),
            _ => Err("a jsonb value in an unknown format".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PG_EPOCH_MS;

    #[test]
    fn postgres_epoch_is_2000_01_01_utc() {
        let epoch = chrono::DateTime::parse_from_rfc3339("2000-01-01T00:00:00Z").unwrap();
        assert_eq!(epoch.timestamp_millis(), PG_EPOCH_MS);
    }
}
