//! PostgreSQL: deliveries that arrive while the writer is busy are stored together, as one job
//! of its next batch (see [`super::merged`]); each caller still hears only its own summary, and
//! only once the batch has committed.
//!
//! The first delivery to find the queue empty hands the writer a job; the job takes whatever
//! is queued when it runs, so a delivery that finds the queue non-empty is already covered by
//! a job not yet run. If the merged statements fail, the deliveries are stored again one by
//! one, each in its own savepoint, so one the database refuses fails alone.

use std::sync::{Arc, Mutex, PoisonError};

use diesel::Connection as _;
use diesel::pg::PgConnection;
use switchboard_domain::error::RepoError;
use switchboard_domain::ingest::model::{IngestSummary, WebhookBatch};
use tokio::sync::oneshot;

use super::{Ingest, merged};
use crate::conn::AsConn;
use crate::error::Fail;
use crate::group_commit::{Job, Settle};
use crate::postgres::PgBackend;
use crate::sql_types::Millis;

/// A delivery waiting to be stored, and where its summary goes.
struct Waiting {
    batch: WebhookBatch,
    received: Millis,
    answer: oneshot::Sender<Result<IngestSummary, RepoError>>,
}

type Answer = Result<IngestSummary, RepoError>;

/// The deliveries waiting for the writer; cloning shares them.
#[derive(Clone, Default)]
pub(crate) struct IngestQueue {
    waiting: Arc<Mutex<Vec<Waiting>>>,
}

impl std::fmt::Debug for IngestQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IngestQueue").finish_non_exhaustive()
    }
}

impl IngestQueue {
    /// Stores `batch` with the deliveries queued beside it; answers once they are committed.
    pub(crate) async fn ingest(
        &self,
        postgres: &PgBackend,
        batch: WebhookBatch,
        received: Millis,
    ) -> Answer {
        let (answer, answered) = oneshot::channel();
        let first = {
            let mut waiting = self.lock();
            waiting.push(Waiting {
                batch,
                received,
                answer,
            });
            waiting.len() == 1
        };
        if first {
            postgres.submit(self.job());
        }
        answered
            .await
            .map_err(|_| RepoError::Unavailable("the database writer has stopped".to_owned()))?
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Waiting>> {
        // Nothing panics while holding it; a poisoned list is still a list.
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The writer's job for everything queued when it runs.
    fn job(&self) -> Job<PgConnection> {
        let mut unrun = Unrun(Some(self.clone()));
        Box::new(move |conn: &mut PgConnection| -> Settle {
            let queue = unrun.0.take().unwrap_or_default();
            let waiting = std::mem::take(&mut *queue.lock());
            let answers = store(conn, &waiting);
            Box::new(move |commit_error: Option<RepoError>| {
                for (waiting, answer) in waiting.into_iter().zip(answers) {
                    let _ = waiting.answer.send(match (answer, &commit_error) {
                        (Ok(summary), None) => Ok(summary),
                        (Ok(_), Some(e)) => Err(e.clone()),
                        (Err(e), _) => Err(e),
                    });
                }
            })
        })
    }
}

/// Stores the deliveries together, or one by one if that fails; an answer for each.
fn store(conn: &mut PgConnection, waiting: &[Waiting]) -> Vec<Answer> {
    let deliveries: Vec<merged::Delivery<'_>> =
        waiting.iter().map(|w| (&w.batch, w.received)).collect();
    let together = conn
        .transaction(|conn| merged::ingest(conn, &deliveries))
        .map_err(|Fail(e)| e);
    match together {
        Ok(summaries) => summaries.into_iter().map(Ok).collect(),
        Err(e) if waiting.len() == 1 => vec![Err(e)],
        Err(e) => {
            tracing::warn!(error = %e, deliveries = waiting.len(), "deliveries stored together failed; storing them one by one");
            waiting
                .iter()
                .map(|w| {
                    conn.transaction(|conn| Ingest::new(conn.conn(), w.received).batch(&w.batch))
                        .map_err(|Fail(e)| e)
                })
                .collect()
        }
    }
}

/// Held by a job until it runs: a job the writer drops unrun (it has stopped, or its batch
/// could not begin) answers everything queued, which no other job would take.
struct Unrun(Option<IngestQueue>);

impl Drop for Unrun {
    fn drop(&mut self) {
        if let Some(queue) = self.0.take() {
            for waiting in std::mem::take(&mut *queue.lock()) {
                let _ = waiting.answer.send(Err(RepoError::Unavailable(
                    "the database could not start a write transaction".to_owned(),
                )));
            }
        }
    }
}
