//! Group commit, for both backends: one thread owns the writing connection and applies the
//! writes that queue up while it commits, several to a transaction and so to one commit.
//!
//! Each write runs in its own savepoint inside the batch's transaction: a write that fails is
//! rolled back alone and its caller told, while its neighbours go on. Every caller hears back
//! only after the batch's COMMIT has returned, so an answer of success always means durable;
//! if the COMMIT fails, every write of the batch fails. What a backend does around a batch
//! (SQLite: `BEGIN IMMEDIATE` and keeping its log bounded; PostgreSQL: a pooled connection
//! and the event log's lock) is the backend's writer's.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;

use diesel::Connection;
use diesel::result::Error as DieselError;
use switchboard_domain::error::RepoError;

use crate::error::Fail;

/// The most writes one transaction takes; more wait for the next, so no caller waits on an
/// unbounded batch.
const MAX_BATCH: usize = 256;

/// What a write hands back once run: it is told how the batch's commit went and answers its
/// caller.
pub(crate) type Settle = Box<dyn FnOnce(Option<RepoError>) + Send>;
/// A write waiting for the writer thread, on its connection type `C`.
pub(crate) type Job<C> = Box<dyn FnOnce(&mut C) -> Settle + Send>;

/// What the writer thread is asked to do.
pub(crate) enum Request<C> {
    Write(Job<C>),
    /// Commit what came before and stop; answered once done.
    Close(tokio::sync::oneshot::Sender<()>),
}

/// The sending side of a writer thread; the thread ends when every clone is dropped or
/// [`Queue::close`] is called.
pub(crate) struct Queue<C> {
    jobs: mpsc::Sender<Request<C>>,
}

impl<C> Clone for Queue<C> {
    fn clone(&self) -> Self {
        Self {
            jobs: self.jobs.clone(),
        }
    }
}

impl<C> std::fmt::Debug for Queue<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue").finish_non_exhaustive()
    }
}

impl<C: Connection + 'static> Queue<C> {
    /// A queue and the receiving end its writer thread takes batches from.
    pub(crate) fn new() -> (Self, mpsc::Receiver<Request<C>>) {
        let (jobs, queue) = mpsc::channel();
        (Self { jobs }, queue)
    }

    /// Lets every write sent before it commit and stops the writer; later writes answer
    /// `Unavailable`. Returns at once if the writer had already stopped.
    pub(crate) async fn close(&self) {
        let (done, closed) = tokio::sync::oneshot::channel();
        if self.jobs.send(Request::Close(done)).is_ok() {
            let _ = closed.await;
        }
    }

    /// Hands `job` to the writer as it is: it runs inside the next batch's transaction and
    /// answers its callers itself from the [`Settle`] it returns. A job the writer never runs
    /// (it has stopped, or the batch's transaction could not begin) is dropped.
    pub(crate) fn submit(&self, job: Job<C>) {
        let _ = self.jobs.send(Request::Write(job));
    }

    /// Runs `work` inside a savepoint of the next batch and answers once that batch is
    /// committed: `work`'s own error (only its writes undone), the commit's error, or its value.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, RepoError>
    where
        F: FnOnce(&mut C) -> Result<T, Fail> + Send + 'static,
        T: Send + 'static,
    {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job<C> = Box::new(move |conn| {
            let outcome = conn.transaction(work).map_err(|Fail(e)| e);
            Box::new(move |commit_error| {
                let _ = answer.send(match (outcome, commit_error) {
                    (Ok(value), None) => Ok(value),
                    (Ok(_), Some(e)) | (Err(e), _) => Err(e),
                });
            })
        });
        self.jobs
            .send(Request::Write(job))
            .map_err(|_| RepoError::Unavailable("the database writer has stopped".to_owned()))?;
        answered.await.map_err(|_| {
            RepoError::Unavailable("the database could not start a write transaction".to_owned())
        })?
    }
}

/// What the writer thread takes from its queue at once.
pub(crate) struct Batch<C> {
    pub jobs: Vec<Job<C>>,
    /// Set when the store is closing: the writer commits `jobs`, then answers it and stops.
    pub closing: Option<tokio::sync::oneshot::Sender<()>>,
    /// Every sender is gone: the writer commits `jobs` and stops.
    pub ended: bool,
}

impl<C> Batch<C> {
    /// The writer's loop goes on after this batch.
    pub(crate) fn goes_on(&self) -> bool {
        self.closing.is_none() && !self.ended
    }
}

/// Waits for the next request, then takes whatever queued up meanwhile (typically while the
/// last commit was syncing), up to [`MAX_BATCH`] writes.
pub(crate) fn next_batch<C>(queue: &mpsc::Receiver<Request<C>>) -> Batch<C> {
    let mut batch = Batch {
        jobs: Vec::new(),
        closing: None,
        ended: false,
    };
    match queue.recv() {
        Ok(Request::Write(job)) => batch.jobs.push(job),
        Ok(Request::Close(done)) => {
            batch.closing = Some(done);
            return batch;
        }
        Err(_) => {
            batch.ended = true;
            return batch;
        }
    }
    while batch.jobs.len() < MAX_BATCH {
        match queue.try_recv() {
            Ok(Request::Write(job)) => batch.jobs.push(job),
            Ok(Request::Close(done)) => {
                batch.closing = Some(done);
                break;
            }
            Err(_) => break,
        }
    }
    batch
}

/// Runs the jobs in one transaction, which `transaction` begins around the body it is given,
/// and answers every caller. Jobs dropped without being run (the transaction could not begin)
/// answer their callers with `Unavailable` through their dropped channel. Returns whether the
/// batch committed.
pub(crate) fn apply<C, B>(conn: &mut C, mut jobs: Vec<Job<C>>, transaction: B) -> bool
where
    C: Connection,
    B: FnOnce(&mut C, &mut dyn FnMut(&mut C) -> Result<(), DieselError>) -> Result<(), DieselError>,
{
    let mut settles: Vec<Settle> = Vec::with_capacity(jobs.len());
    let run = catch_unwind(AssertUnwindSafe(|| {
        transaction(conn, &mut |conn| {
            settles.extend(jobs.drain(..).map(|job| job(conn)));
            Ok(())
        })
    }));
    let commit_error = match run {
        Ok(Ok(())) => None,
        Ok(Err(e)) => {
            tracing::error!(error = %e, writes = settles.len(), "a write batch failed to commit");
            Some(RepoError::Unavailable(format!(
                "the database commit failed: {e}"
            )))
        }
        Err(_) => {
            // A write panicked mid-batch: nothing of the batch may count as stored, and the
            // connection's transaction state can no longer be trusted.
            tracing::error!("a database write panicked; its batch is rolled back");
            let _ = conn.batch_execute("ROLLBACK");
            Some(RepoError::broken("a database write panicked"))
        }
    };
    let committed = commit_error.is_none();
    for settle in settles {
        settle(commit_error.clone());
    }
    committed
}
