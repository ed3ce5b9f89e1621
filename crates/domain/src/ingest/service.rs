//! Storing what a webhook delivery carried.

use std::sync::Arc;

use thiserror::Error;

use crate::clock::Clock;
use crate::error::RepoError;
use crate::ingest::model::{IngestSummary, WebhookBatch};
use crate::ingest::ports::InboundRepository;
use crate::live::ports::ChangeSignal;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum IngestError {
    /// Nothing of the batch is stored; the webhook must not be acknowledged.
    #[error(transparent)]
    Store(#[from] RepoError),
}

/// Ingesting webhook deliveries.
#[derive(Clone)]
pub struct Ingest {
    inbound: Arc<dyn InboundRepository>,
    changes: Arc<dyn ChangeSignal>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Ingest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ingest").finish_non_exhaustive()
    }
}

impl Ingest {
    pub fn new(
        inbound: Arc<dyn InboundRepository>,
        changes: Arc<dyn ChangeSignal>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            inbound,
            changes,
            clock,
        }
    }

    /// Stores everything one webhook delivery carried, durably, exactly once.
    ///
    /// # Errors
    /// [`IngestError::Store`]; then nothing of the batch is stored and the webhook must not be
    /// acknowledged, so Meta delivers it again.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn receive_webhook(
        &self,
        batch: &WebhookBatch,
    ) -> Result<IngestSummary, IngestError> {
        let summary = self.inbound.ingest(batch, self.clock.now()).await?;
        if summary.messages_stored + summary.statuses_applied > 0 {
            self.changes.changed();
        }
        Ok(summary)
    }
}
