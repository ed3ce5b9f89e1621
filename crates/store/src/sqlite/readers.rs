//! The read connections: a fixed set of threads, each owning one connection, taking reads
//! from one queue.
//!
//! Reads used to borrow a pooled connection on tokio's blocking pool. That pool starts a new
//! thread whenever a read arrives while no thread is idle yet, including the moment between
//! one read's answer and its thread going back to wait, so under `make bench`'s send load the
//! server had 61 of them, each keeping its malloc arena. Here the number of threads is the
//! number of connections, whatever the load: reads beyond it wait in the queue, in arrival
//! order.

use std::panic::{AssertUnwindSafe, catch_unwind};

use diesel::sqlite::SqliteConnection;
use switchboard_domain::error::RepoError;

use crate::error::Fail;

/// A read waiting for a connection.
type Job = Box<dyn FnOnce(&mut SqliteConnection) + Send>;

/// The sending side of the reader threads; they end when every clone is dropped.
#[derive(Debug, Clone)]
pub(crate) struct Readers {
    jobs: crossbeam_channel::Sender<Job>,
}

impl Readers {
    /// Starts one thread per connection (each opened with the store's pragmas).
    pub(crate) fn start(connections: Vec<SqliteConnection>) -> std::io::Result<Self> {
        let (jobs, queue) = crossbeam_channel::unbounded::<Job>();
        for (n, connection) in connections.into_iter().enumerate() {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("sqlite-reader-{n}"))
                .spawn(move || read_forever(connection, &queue))?;
        }
        Ok(Self { jobs })
    }

    /// Runs `work` on the next free connection and answers with its outcome.
    pub(crate) async fn read<T, F>(&self, work: F) -> Result<T, RepoError>
    where
        F: FnOnce(&mut SqliteConnection) -> Result<T, Fail> + Send + 'static,
        T: Send + 'static,
    {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let _ = answer.send(work(conn).map_err(|Fail(e)| e));
        });
        self.jobs
            .send(job)
            .map_err(|_| RepoError::Unavailable("the database readers have stopped".to_owned()))?;
        // The answer is dropped unsent only when the read panicked.
        answered
            .await
            .map_err(|_| RepoError::broken("a database read panicked"))?
    }
}

fn read_forever(mut conn: SqliteConnection, queue: &crossbeam_channel::Receiver<Job>) {
    while let Ok(job) = queue.recv() {
        // A panicking read loses its answer (its caller hears `Unexpected`), not the thread.
        if catch_unwind(AssertUnwindSafe(|| job(&mut conn))).is_err() {
            tracing::error!("a database read panicked");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Barrier};

    use diesel::Connection as _;
    use diesel::RunQueryDsl as _;
    use diesel::connection::SimpleConnection as _;
    use diesel::sql_types::BigInt;

    use super::*;

    #[derive(diesel::QueryableByName)]
    struct Number {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    fn readers(count: usize) -> (tempfile::TempDir, Readers) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let connections = (0..count)
            .map(|_| SqliteConnection::establish(&path.to_string_lossy()).unwrap())
            .collect();
        (dir, Readers::start(connections).unwrap())
    }

    fn select(n: i64) -> impl FnOnce(&mut SqliteConnection) -> Result<i64, Fail> + use<> {
        move |conn| {
            let rows: Vec<Number> = diesel::sql_query(format!("SELECT {n} AS n")).load(conn)?;
            Ok(rows[0].n)
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_beyond_the_connections_wait_their_turn_and_each_gets_its_own_answer() {
        let (_dir, readers) = readers(2);
        // Both connections busy until released: the other reads must queue, not fail.
        let release = Arc::new(Barrier::new(3));
        let held: Vec<_> = (0..2)
            .map(|n| {
                let (readers, gate) = (readers.clone(), release.clone());
                tokio::spawn(async move {
                    readers
                        .read(move |conn| {
                            gate.wait();
                            select(100 + n)(conn)
                        })
                        .await
                })
            })
            .collect();
        let queued: Vec<_> = (0..20)
            .map(|n| {
                let readers = readers.clone();
                tokio::spawn(async move { readers.read(select(n)).await })
            })
            .collect();
        tokio::task::spawn_blocking(move || release.wait())
            .await
            .unwrap();
        for (n, read) in queued.into_iter().enumerate() {
            assert_eq!(read.await.unwrap().unwrap(), n as i64);
        }
        for (n, read) in held.into_iter().enumerate() {
            assert_eq!(read.await.unwrap().unwrap(), 100 + n as i64);
        }
    }

    #[tokio::test]
    async fn a_failing_or_panicking_read_is_reported_and_the_connection_serves_the_next() {
        let (_dir, readers) = readers(1);
        let failed = readers
            .read(|conn| {
                conn.batch_execute("SELECT * FROM missing")?;
                Ok(())
            })
            .await;
        assert!(failed.is_err(), "{failed:?}");
        let panicked = readers
            .read(|_| -> Result<(), Fail> { panic!("a bug in a read") })
            .await;
        assert!(
            matches!(panicked, Err(RepoError::Unexpected(_))),
            "{panicked:?}"
        );
        assert_eq!(readers.read(select(7)).await.unwrap(), 7);
    }
}
