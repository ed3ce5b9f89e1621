//! Keeping statements in Diesel's prepared-statement cache that Diesel would re-prepare.
//!
//! Diesel marks every UPDATE and every `IN (…)` list unsafe to cache, because their SQL text
//! can change from call to call (a changeset's optional fields, a list's length); it then
//! prepares them afresh on each execution, and SQLite re-parses and re-plans them. On the
//! writer thread that parsing was a visible share of each webhook's cost. A statement without
//! a static query id is cached under its SQL text and bind types, so a statement whose text
//! varies gets one entry per distinct text: caching is correct for any statement, and cheap
//! when the distinct texts are few. Use it only where they are: fixed changesets, and lists
//! bounded by a page size or the number of business numbers.

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::LoadQuery;
use diesel::{Connection, QueryResult, RunQueryDsl};

/// A statement that Diesel would otherwise re-prepare on every execution, cached by its SQL
/// text. Run it with `load` (or `get_result`, `first`), never `execute`: Diesel's `execute`
/// hands the connection a reference, and a reference asks the statement inside whether it may
/// be cached, which for an UPDATE is always no. An UPDATE therefore ends in
/// `.returning(<primary key>)` and runs with [`Prepared::changed`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Prepared<Q>(pub(crate) Q);

impl<Q> Prepared<Q> {
    /// Runs an `UPDATE … RETURNING <primary key>`; the number of rows it changed.
    pub(crate) fn changed<'q, C: Connection>(self, conn: &mut C) -> QueryResult<usize>
    where
        Self: LoadQuery<'q, C, i64>,
    {
        Ok(self.load::<i64>(conn)?.len())
    }
}

impl<DB: Backend, Q: QueryFragment<DB>> QueryFragment<DB> for Prepared<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &DB) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q> QueryId for Prepared<Q> {
    // No static id: the cache keys it by its SQL text, never by type alone.
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Prepared<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, Conn> RunQueryDsl<Conn> for Prepared<Q> {}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use diesel::connection::{Instrumentation, InstrumentationEvent, SimpleConnection as _};
    use diesel::prelude::*;
    use diesel::sqlite::SqliteConnection;

    use super::*;

    diesel::table! {
        items (id) {
            id -> BigInt,
            name -> Text,
            note -> Nullable<Text>,
        }
    }

    /// Counts the statements the connection prepared into its cache.
    fn cached(conn: &mut SqliteConnection) -> Arc<Mutex<Vec<String>>> {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let watch = move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::CacheQuery { sql, .. } = event {
                log.lock().unwrap().push(sql.to_owned());
            }
        };
        conn.set_instrumentation(Box::new(watch) as Box<dyn Instrumentation>);
        seen
    }

    fn database() -> SqliteConnection {
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        conn.batch_execute(
            "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT);
             INSERT INTO items (id, name) VALUES (1, 'a'), (2, 'b');",
        )
        .unwrap();
        conn
    }

    fn names(conn: &mut SqliteConnection) -> Vec<(String, Option<String>)> {
        items::table
            .order(items::id)
            .select((items::name, items::note))
            .load(conn)
            .unwrap()
    }

    #[test]
    fn an_update_is_prepared_once_and_reused_with_new_binds() {
        let mut conn = database();
        let seen = cached(&mut conn);
        for (id, name) in [(1, "x"), (2, "y"), (1, "z")] {
            let changed: Vec<i64> = Prepared(
                diesel::update(items::table.find(id))
                    .set(items::name.eq(name))
                    .returning(items::id),
            )
            .load(&mut conn)
            .unwrap();
            assert_eq!(changed, [id]);
        }
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(
            names(&mut conn),
            [("z".to_owned(), None), ("y".to_owned(), None)]
        );
    }

    #[test]
    fn updates_whose_text_differs_are_cached_apart_and_each_runs_its_own_sql() {
        let mut conn = database();
        let seen = cached(&mut conn);
        let note: Option<&str> = Some("n");
        let update = |conn: &mut SqliteConnection, id: i64, name: &str, note: Option<&str>| {
            let changed: Vec<i64> = match note {
                None => Prepared(
                    diesel::update(items::table.find(id))
                        .set(items::name.eq(name))
                        .returning(items::id),
                )
                .load(conn),
                Some(note) => Prepared(
                    diesel::update(items::table.find(id))
                        .set((items::name.eq(name), items::note.eq(note)))
                        .returning(items::id),
                )
                .load(conn),
            }
            .unwrap();
            assert_eq!(changed, [id]);
        };
        update(&mut conn, 1, "x", None);
        update(&mut conn, 2, "y", note);
        update(&mut conn, 1, "w", None);
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert_eq!(
            names(&mut conn),
            [
                ("w".to_owned(), None),
                ("y".to_owned(), Some("n".to_owned()))
            ]
        );
    }

    #[test]
    fn a_list_is_cached_per_length_and_each_load_sees_its_own_values() {
        let mut conn = database();
        let seen = cached(&mut conn);
        let load = |conn: &mut SqliteConnection, ids: &[i64]| -> Vec<String> {
            Prepared(
                items::table
                    .filter(items::id.eq_any(ids))
                    .order(items::id)
                    .select(items::name)
                    .into_boxed(),
            )
            .load(conn)
            .unwrap()
        };
        assert_eq!(load(&mut conn, &[1]), ["a"]);
        assert_eq!(load(&mut conn, &[2]), ["b"]);
        assert_eq!(load(&mut conn, &[1, 2]), ["a", "b"]);
        assert_eq!(load(&mut conn, &[2, 3]), ["b"]);
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 2, "one entry per list length: {seen:?}");
    }
}
