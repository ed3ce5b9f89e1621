//! Messaging use cases: what arrives from WhatsApp and what agents do with conversations.

use std::sync::Arc;

use crate::clock::Clock;
use crate::error::RepoError;
use crate::ingest::{IngestSummary, WebhookBatch};
use crate::ports::InboundRepository;

/// The ports messaging needs.
#[derive(Clone)]
pub struct MessagingPorts {
    pub inbound: Arc<dyn InboundRepository>,
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for MessagingPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessagingPorts").finish_non_exhaustive()
    }
}

/// Messaging use cases.
#[derive(Debug, Clone)]
pub struct Messaging {
    ports: MessagingPorts,
}

impl Messaging {
    pub fn new(ports: MessagingPorts) -> Self {
        Self { ports }
    }

    /// Stores everything one webhook delivery carried, durably, exactly once.
    ///
    /// # Errors
    /// Storage failures; then nothing of the batch is stored and the webhook must not be
    /// acknowledged, so Meta delivers it again.
    pub async fn receive_webhook(&self, batch: &WebhookBatch) -> Result<IngestSummary, RepoError> {
        self.ports
            .inbound
            .ingest(batch, self.ports.clock.now())
            .await
    }
}
