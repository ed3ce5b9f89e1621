//! Ports of ingest: decoding what the channel posts and storing it.
//!
//! Every store method is atomic: where one business step touches several records it is one
//! method, run by the adapter in one transaction.

use async_trait::async_trait;

use crate::Timestamp;
use crate::error::RepoError;
use crate::ingest::model::{IngestSummary, WebhookBatch, WebhookRejection};

/// Storing what the WhatsApp webhook delivers.
#[async_trait]
pub trait InboundRepository: Send + Sync {
    /// Applies a whole webhook batch in ONE durable transaction: for each message, upsert the
    /// contact by WhatsApp id (refreshing its profile name), find or create the conversation
    /// of that business number and contact (reopening it if resolved, counting it unread,
    /// moving `last_message_at` / `last_inbound_at` forward only), insert the message, and log
    /// the events; for each status, move the message forward if
    /// [`crate::message::MessageStatus::can_advance_to`] allows it (keeping Meta's timestamp
    /// for that status and the error of a failure), or keep it for later if the WhatsApp id is
    /// unknown. Items for unknown `phone_number_id`s are skipped and reported.
    ///
    /// MUST be idempotent: a message or status delivered again changes nothing, enforced by
    /// unique indexes (not look-up-then-insert), so concurrent redeliveries are safe.
    ///
    /// # Errors
    /// Storage failures only; on error nothing of the batch is stored.
    async fn ingest(
        &self,
        batch: &WebhookBatch,
        now: Timestamp,
    ) -> Result<IngestSummary, RepoError>;
}

/// The channel's webhook format: authenticity and decoding of what Meta (or the mock) posts.
pub trait WebhookDecoder: Send + Sync {
    /// Checks the signature over the exact raw bytes, then decodes every message and status.
    ///
    /// # Errors
    /// [`WebhookRejection`]: a missing or wrong signature (checked first, so an unsigned body
    /// is never parsed), a body that is not JSON, or JSON that is not an envelope.
    fn decode(
        &self,
        raw_body: &[u8],
        signature: Option<&str>,
    ) -> Result<WebhookBatch, WebhookRejection>;

    /// The subscription handshake: the challenge to echo when `mode` is `subscribe` and `token`
    /// is our verify token; `None` (answer 403) otherwise, including when no verify token is
    /// configured.
    fn handshake(
        &self,
        mode: Option<&str>,
        token: Option<&str>,
        challenge: Option<&str>,
    ) -> Option<String>;
}
