//! The one connection type the repositories see: a borrowed SQLite or PostgreSQL connection.
//!
//! Diesel's statements are typed by backend, so a statement is written once and compiled once
//! per backend by [`on_backend!`]; SQL is branched by hand (a `match` on [`Conn`]) only where the
//! two dialects differ. Diesel's own `MultiConnection` was not used: its backend supports only
//! what every backend does (no `ON CONFLICT`, which ingestion relies on) and binds every value
//! through one more layer, on the write path that the benchmarks measure.

use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;

/// A connection lent to one store call, on whichever backend the store was opened with.
pub(crate) enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

/// Runs a Diesel expression on the backend a `&mut Conn` holds: the expression is compiled once
/// for each backend, with `$c` bound to that backend's connection.
///
/// ```ignore
/// let n: i64 = on_backend!(conn, |c| contacts::table.count().get_result(c))?;
/// ```
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::conn::Conn::Sqlite($c) => {
                let $c: &mut ::diesel::sqlite::SqliteConnection = &mut **$c;
                $body
            }
            $crate::conn::Conn::Postgres($c) => {
                let $c: &mut ::diesel::pg::PgConnection = &mut **$c;
                $body
            }
        }
    };
}
pub(crate) use on_backend;

/// Lends a connection on as a [`Conn`], for the helpers several repositories share: from inside
/// a backend's [`on_backend!`] block (`helper(conn.conn(), ..)`) and from a `Conn` alike.
pub(crate) trait AsConn {
    fn conn(&mut self) -> Conn<'_>;
}

impl AsConn for SqliteConnection {
    fn conn(&mut self) -> Conn<'_> {
        Conn::Sqlite(self)
    }
}

impl AsConn for PgConnection {
    fn conn(&mut self) -> Conn<'_> {
        Conn::Postgres(self)
    }
}

impl AsConn for Conn<'_> {
    fn conn(&mut self) -> Conn<'_> {
        match self {
            Conn::Sqlite(c) => Conn::Sqlite(c),
            Conn::Postgres(c) => Conn::Postgres(c),
        }
    }
}
