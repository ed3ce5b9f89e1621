//! SQLite's writer: the one thread that owns the only writing connection and applies writes by
//! group commit (see [`crate::group_commit`]).
//!
//! SQLite has one writer at a time and `synchronous = FULL` pays an fsync per commit, so one
//! transaction per request caps writes at the disk's fsync rate, and writers from a pool only
//! wait on each other's locks.
//!
//! Between two batches the writer also keeps the write-ahead log bounded (see [`crate::sqlite::wal`]):
//! once the log file passes its limit it runs a RESTART checkpoint before the next batch.

use std::path::PathBuf;
use std::sync::mpsc;

use diesel::sqlite::SqliteConnection;
use switchboard_domain::error::RepoError;

use crate::error::Fail;
use crate::group_commit::{self, Queue, Request};
use crate::sqlite::checkpointer::CatchUp;
use crate::sqlite::wal::{self, Mode, WalSettings};

/// The sending side of the writer thread; the thread ends when every clone is dropped or
/// [`Writer::close`] is called.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    queue: Queue<SqliteConnection>,
}

/// Where the writer's log is, how long it may grow, and who copies it back.
#[derive(Debug, Clone)]
pub(crate) struct WalLog {
    pub path: PathBuf,
    pub settings: WalSettings,
    pub catch_up: CatchUp,
}

impl Writer {
    /// Starts the writer thread on `connection` (opened with the store's pragmas), keeping
    /// the log at `wal` within its limit.
    pub(crate) fn start(connection: SqliteConnection, wal: WalLog) -> std::io::Result<Self> {
        let (queue, requests) = Queue::new();
        std::thread::Builder::new()
            .name("sqlite-writer".to_owned())
            .spawn(move || write_forever(connection, &requests, &wal))?;
        Ok(Self { queue })
    }

    /// Lets every write sent before it commit, truncates the log and stops the writer; later
    /// writes answer `Unavailable`. Returns at once if the writer had already stopped.
    pub(crate) async fn close(&self) {
        self.queue.close().await;
    }

    /// Runs `work` inside a savepoint of the next batch and answers once that batch is
    /// committed: `work`'s own error (only its writes undone), the commit's error, or its value.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, RepoError>
    where
        F: FnOnce(&mut SqliteConnection) -> Result<T, Fail> + Send + 'static,
        T: Send + 'static,
    {
        self.queue.write(work).await
    }
}

fn write_forever(
    mut conn: SqliteConnection,
    queue: &mpsc::Receiver<Request<SqliteConnection>>,
    wal: &WalLog,
) {
    let mut asked = false;
    let closing = loop {
        let batch = group_commit::next_batch(queue);
        let goes_on = batch.goes_on();
        if !batch.jobs.is_empty() {
            let writes = batch.jobs.len();
            let started = std::time::Instant::now();
            group_commit::apply(&mut conn, batch.jobs, |conn, body| {
                conn.immediate_transaction(|conn| body(conn))
            });
            tracing::trace!(
                writes,
                took_us = wal::micros(started.elapsed()),
                "write batch committed"
            );
        }
        if !goes_on {
            break batch.closing;
        }
        // A restarted log's file is cut back to exactly the limit and overwritten from its
        // start, so it passes the limit again only once the log itself does. Between two
        // batches is the one moment the log can restart under steady writes; the checkpoint
        // thread first copies back what it can while commits go on, so this stop is short.
        let len = wal::wal_len(&wal.path);
        if len > wal.settings.limit_bytes {
            if !asked {
                asked = wal.catch_up.ask();
            }
            if !asked || len > wal.settings.most_bytes() || wal.catch_up.take_done() {
                wal::start_over(&mut conn, Mode::Restart, "the log passed its limit");
                asked = false;
            }
        }
    };
    wal::start_over(&mut conn, Mode::Truncate, "the store is closing");
    if let Some(done) = closing {
        let _ = done.send(());
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Barrier};

    use diesel::connection::SimpleConnection as _;
    use diesel::sql_types::BigInt;
    use diesel::{Connection as _, RunQueryDsl as _};

    use super::*;

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    fn database() -> (tempfile::TempDir, Writer, std::path::PathBuf) {
        database_with(WalSettings::default(), CatchUp::unanswered())
    }

    fn database_with(
        settings: WalSettings,
        catch_up: CatchUp,
    ) -> (tempfile::TempDir, Writer, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let mut conn = SqliteConnection::establish(&path.to_string_lossy()).unwrap();
        conn.batch_execute(
            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;
             CREATE TABLE parents (id INTEGER PRIMARY KEY);
             CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
                                 parent BIGINT REFERENCES parents (id));",
        )
        .unwrap();
        let wal = WalLog {
            path: wal::wal_path(&path),
            settings,
            catch_up,
        };
        (dir, Writer::start(conn, wal).unwrap(), path)
    }

    fn count(path: &std::path::Path) -> i64 {
        let mut conn = SqliteConnection::establish(&path.to_string_lossy()).unwrap();
        let rows: Vec<Count> = diesel::sql_query("SELECT count(*) AS n FROM items")
            .load(&mut conn)
            .unwrap();
        rows[0].n
    }

    fn insert(name: &str) -> impl FnOnce(&mut SqliteConnection) -> Result<(), Fail> + use<> {
        let sql = format!("INSERT INTO items (name) VALUES ('{name}')");
        move |conn| {
            diesel::sql_query(sql).execute(conn)?;
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_checkpoint_thread_that_never_answers_holds_the_log_back_only_a_quarter_over_its_limit()
     {
        let settings = WalSettings {
            limit_bytes: 256 * 1024,
            ..WalSettings::default()
        };
        let (catch_up, _asked) = CatchUp::never_answered();
        let (_dir, writer, path) = database_with(settings, catch_up);
        let wal = wal::wal_path(&path);
        let mut high_water = 0;
        // About 64 KiB a write, 4 MiB in all: sixteen times the limit.
        for n in 0..64 {
            writer
                .write(move |conn| {
                    conn.batch_execute(&format!(
                        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 64)
                         INSERT INTO items (name) SELECT printf('{n}-%d-%.1000c', i, 'x') FROM n;"
                    ))?;
                    Ok(())
                })
                .await
                .unwrap();
            high_water = high_water.max(wal::wal_len(&wal));
        }
        assert!(
            high_water <= settings.most_bytes() + settings.limit_bytes / 2,
            "the log reached {high_water} bytes; the writer restarts it at {}",
            settings.most_bytes()
        );
    }

    /// Holds the writer inside a write until released, so everything sent meanwhile lands in
    /// the next batch together.
    async fn hold(writer: &Writer) -> (Arc<Barrier>, tokio::task::JoinHandle<()>) {
        let (entered, release) = (Arc::new(Barrier::new(2)), Arc::new(Barrier::new(2)));
        let (inside, gate) = (entered.clone(), release.clone());
        let writer = writer.clone();
        let held = tokio::spawn(async move {
            writer
                .write(move |_| {
                    inside.wait();
                    gate.wait();
                    Ok(())
                })
                .await
                .unwrap();
        });
        let waiting = entered.clone();
        tokio::task::spawn_blocking(move || waiting.wait())
            .await
            .unwrap();
        (release, held)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn in_one_batch_a_failing_write_is_undone_alone_and_its_neighbours_commit() {
        let (_dir, writer, path) = database();
        let (release, held) = hold(&writer).await;
        let writes: Vec<_> = ["ana", "bo", "ana", "cy"]
            .into_iter()
            .map(|name| {
                tokio::spawn({
                    let writer = writer.clone();
                    async move { writer.write(insert(name)).await }
                })
            })
            .collect();
        // Give every write time to queue behind the held one.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        tokio::task::spawn_blocking(move || release.wait())
            .await
            .unwrap();
        held.await.unwrap();
        let outcomes: Vec<_> = futures_outcomes(writes).await;
        // The two "ana" writes race for the queue; whichever came second is the duplicate.
        let (anas, others) = ([&outcomes[0], &outcomes[2]], [&outcomes[1], &outcomes[3]]);
        assert!(others.iter().all(|o| o.is_ok()), "{outcomes:?}");
        assert_eq!(anas.iter().filter(|o| o.is_ok()).count(), 1, "{outcomes:?}");
        // `items.name` is no index the domain knows, so its violation is unexpected, not a
        // conflict.
        assert!(
            anas.iter()
                .any(|o| matches!(o, Err(RepoError::Unexpected(_)))),
            "the duplicate alone fails: {outcomes:?}"
        );
        assert_eq!(count(&path), 3);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn when_the_commit_fails_no_write_of_the_batch_reports_success_and_none_is_stored() {
        let (_dir, writer, path) = database();
        let (release, held) = hold(&writer).await;
        let good = tokio::spawn({
            let writer = writer.clone();
            async move { writer.write(insert("ana")).await }
        });
        // A foreign key checked only at COMMIT: the savepoint succeeds, the commit cannot.
        let poison = tokio::spawn({
            let writer = writer.clone();
            async move {
                writer
                    .write(|conn| {
                        conn.batch_execute(
                            "PRAGMA defer_foreign_keys = ON;
                             INSERT INTO items (name, parent) VALUES ('orphan', 999);",
                        )?;
                        Ok(())
                    })
                    .await
            }
        });
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        tokio::task::spawn_blocking(move || release.wait())
            .await
            .unwrap();
        let _ = held.await;
        assert!(matches!(
            good.await.unwrap(),
            Err(RepoError::Unavailable(_))
        ));
        assert!(matches!(
            poison.await.unwrap(),
            Err(RepoError::Unavailable(_))
        ));
        assert_eq!(count(&path), 0);
        // The writer goes on after a failed batch.
        writer.write(insert("bo")).await.unwrap();
        assert_eq!(count(&path), 1);
    }

    async fn futures_outcomes(
        writes: Vec<tokio::task::JoinHandle<Result<(), RepoError>>>,
    ) -> Vec<Result<(), RepoError>> {
        let mut outcomes = Vec::new();
        for write in writes {
            outcomes.push(write.await.unwrap());
        }
        outcomes
    }
}
