//! Ports of live updates: the durable event log and the signal that it grew.
//!
//! Every store method is atomic: where one business step touches several records it is one
//! method, run by the adapter in one transaction.

use async_trait::async_trait;

use crate::error::RepoError;
use crate::live::model::LiveEvent;
use crate::numbers::model::BusinessNumberId;

/// The durable event log behind live updates.
#[async_trait]
pub trait EventRepository: Send + Sync {
    /// Up to `limit` events with ids above `after`, in id order, of the given numbers (`None`:
    /// all numbers), each with its conversation and (message events) its message as they are
    /// now. A page costs a fixed number of queries, whatever its length.
    ///
    /// # Errors
    /// Storage failures; [`RepoError::Unexpected`] when an event names a conversation that
    /// does not exist. A message event whose message is missing has `message: None`.
    async fn events_after(
        &self,
        after: i64,
        numbers: Option<&[BusinessNumberId]>,
        limit: u32,
    ) -> Result<Vec<LiveEvent>, RepoError>;

    /// The newest event id (0 when the log is empty): where a new subscriber starts.
    ///
    /// # Errors
    /// Storage failures only.
    async fn last_event_id(&self) -> Result<i64, RepoError>;
}

/// Tells live subscribers that the event log grew, so they need not wait for their next poll.
pub trait ChangeSignal: Send + Sync {
    /// Never blocks.
    fn changed(&self);
}
