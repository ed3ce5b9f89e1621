//! Live updates: where a subscriber starts and what it may receive.

use std::sync::Arc;

use thiserror::Error;

use crate::authz::Actor;
use crate::authz::visibility::Visibility;
use crate::error::RepoError;
use crate::live::model::LiveEvent;
use crate::live::ports::EventRepository;
use crate::numbers::model::BusinessNumberId;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum LiveError {
    #[error(transparent)]
    Store(#[from] RepoError),
}

/// Replaying the event log to a subscriber.
#[derive(Clone)]
pub struct Live {
    events: Arc<dyn EventRepository>,
    visibility: Visibility,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live").finish_non_exhaustive()
    }
}

impl Live {
    pub fn new(events: Arc<dyn EventRepository>, visibility: Visibility) -> Self {
        Self { events, visibility }
    }

    /// The numbers whose events the caller may receive (`None`: all, for admins). Membership is
    /// looked up each time, so a removed member stops receiving at once.
    ///
    /// # Errors
    /// Storage failures only.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0))]
    pub async fn event_scope(
        &self,
        actor: &Actor,
    ) -> Result<Option<Vec<BusinessNumberId>>, LiveError> {
        Ok(self.visibility.number_scope(actor).await?)
    }

    /// Where a new subscriber starts: after the newest event.
    ///
    /// # Errors
    /// Storage failures only.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn last_event_id(&self) -> Result<i64, LiveError> {
        Ok(self.events.last_event_id().await?)
    }

    /// Events after `after` that the caller may see, each with its conversation (and message)
    /// as they are now.
    ///
    /// # Errors
    /// Storage failures only.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0, after, limit))]
    pub async fn events_after(
        &self,
        actor: &Actor,
        after: i64,
        limit: u32,
    ) -> Result<Vec<LiveEvent>, LiveError> {
        let scope = self.event_scope(actor).await?;
        Ok(self
            .events
            .events_after(after, scope.as_deref(), limit)
            .await?)
    }
}
