//! PostgreSQL's writer: one thread per instance applies the instance's writes by group commit
//! (see [`crate::group_commit`]) on a connection from the pool, each batch under the event
//! log's lock.
//!
//! One transaction per write held the event log's lock (see [`crate::locks::Topic::Events`])
//! from its events to the end of its COMMIT, so writes went one commit at a time, each paying
//! its own round trips and WAL flush under the lock: about a thousand a second, with the
//! server mostly idle. A batch pays them once for all its writes.
//!
//! The lock is taken first, for the whole batch: batches of two instances then never hold
//! rows in opposite orders (within one write rows are locked in a sorted order, but a batch of
//! several writes cannot be), so they cannot deadlock, and writes across instances go one
//! batch at a time. Several instances add HTTP, webhook-verification and live-stream capacity
//! and availability; the database's writes stay one stream, batched.

use std::sync::mpsc;
use std::time::Instant;

use diesel::Connection as _;
use diesel::pg::PgConnection;
use switchboard_domain::error::RepoError;

use crate::error::Fail;
use crate::group_commit::{self, Queue, Request};
use crate::locks;
use crate::postgres::PgPool;

/// The sending side of the writer thread.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    queue: Queue<PgConnection>,
}

impl Writer {
    /// Starts the writer thread, which takes a connection from `pool` for each batch.
    pub(crate) fn start(pool: PgPool) -> std::io::Result<Self> {
        let (queue, requests) = Queue::new();
        std::thread::Builder::new()
            .name("postgres-writer".to_owned())
            .spawn(move || write_forever(&pool, &requests))?;
        Ok(Self { queue })
    }

    /// Lets every write sent before it commit and stops the writer; later writes answer
    /// `Unavailable`.
    pub(crate) async fn close(&self) {
        self.queue.close().await;
    }

    /// Hands a job to the writer as it is (see [`Queue::submit`]).
    pub(crate) fn submit(&self, job: group_commit::Job<PgConnection>) {
        self.queue.submit(job);
    }

    /// Runs `work` inside a savepoint of the next batch and answers once that batch is
    /// committed: `work`'s own error (only its writes undone), the commit's error, or its value.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, RepoError>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, Fail> + Send + 'static,
        T: Send + 'static,
    {
        self.queue.write(work).await
    }
}

fn write_forever(pool: &PgPool, queue: &mpsc::Receiver<Request<PgConnection>>) {
    let closing = loop {
        let batch = group_commit::next_batch(queue);
        let goes_on = batch.goes_on();
        if !batch.jobs.is_empty() {
            let writes = batch.jobs.len();
            let started = Instant::now();
            // The pool checks a connection before lending it and replaces a broken one, so a
            // server restart costs the batches of the moment, not the writer.
            match pool.get() {
                Ok(mut conn) => {
                    group_commit::apply(&mut *conn, batch.jobs, |conn, body| {
                        conn.transaction(|conn| {
                            locks::serialize_events(conn)?;
                            body(conn)
                        })
                    });
                }
                Err(e) => {
                    // Dropping the jobs answers each caller `Unavailable`.
                    tracing::warn!(error = %e, writes, "no PostgreSQL connection for a write batch");
                }
            }
            tracing::trace!(
                writes,
                took_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
                "write batch committed"
            );
        }
        if !goes_on {
            break batch.closing;
        }
    };
    if let Some(done) = closing {
        let _ = done.send(());
    }
}
