//! Ports of sending: storing agents' messages, the outbox the dispatcher drains, the channel's API.
//!
//! Every store method is atomic: where one business step touches several records it is one
//! method, run by the adapter in one transaction.

use async_trait::async_trait;

use crate::Timestamp;
use crate::conversation::model::ConversationId;
use crate::error::RepoError;
use crate::ingest::model::DeliveryError;
use crate::message::{Message, MessageId};
use crate::numbers::model::BusinessNumberId;
use crate::outbound::model::{
    Accepted, GatewayError, MediaInfo, OutboundContent, OutboundMessage, Queued, Started,
};
use crate::users::model::UserId;

/// An agent's message to store as `queued`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutbound {
    pub sender: UserId,
    pub content: OutboundContent,
    /// The client's key: the same key on the same conversation yields the first message.
    pub idempotency_key: Option<String>,
}

/// A queued message ready for the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchItem {
    pub message_id: MessageId,
    pub conversation_id: ConversationId,
    pub business_number_id: BusinessNumberId,
    pub attempts: u32,
    pub outbound: OutboundMessage,
}

/// Storing agents' messages to send.
#[async_trait]
pub trait OutboundRepository: Send + Sync {
    /// Stores an agent's message as `queued` and logs `message.created` and
    /// `conversation.updated`, in one transaction. If a message with the same idempotency key
    /// exists on the conversation, stores nothing and returns that one with `created: false`.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if the conversation does not exist; storage failures.
    async fn queue_message(
        &self,
        conversation: ConversationId,
        new: &NewOutbound,
        now: Timestamp,
    ) -> Result<Queued, RepoError>;

    /// The message sent on `conversation` with this idempotency key, if any.
    ///
    /// # Errors
    /// Storage failures only.
    async fn find_by_idempotency_key(
        &self,
        conversation: ConversationId,
        key: &str,
    ) -> Result<Option<Message>, RepoError>;

    /// Finds or creates the contact (by WhatsApp id) and its conversation on `number`, then
    /// queues the message as [`OutboundRepository::queue_message`] does, in one transaction.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if the number does not exist; storage failures.
    async fn start_conversation(
        &self,
        number: BusinessNumberId,
        wa_id: &str,
        new: &NewOutbound,
        now: Timestamp,
    ) -> Result<Started, RepoError>;
}

/// The dispatcher's view of queued messages.
#[async_trait]
pub trait OutboxRepository: Send + Sync {
    /// Claims for this process, until `until`, up to `limit` queued messages due at `now`: per
    /// conversation only the oldest queued one, and only if no other process holds a claim on
    /// it that runs past `now`. So a conversation's messages go out in order, and with several
    /// instances on one database each message is handed to one of them at a time. The claim
    /// ends when the message is accepted, failed or rescheduled; a claim that ran out (its
    /// process died mid-send) may be taken by anyone. Messages this process holds already are
    /// handed out again (it is asking because it is no longer sending them).
    ///
    /// # Errors
    /// Storage failures only.
    async fn claim_due(
        &self,
        now: Timestamp,
        until: Timestamp,
        limit: u32,
    ) -> Result<Vec<DispatchItem>, RepoError>;

    /// Records the Cloud API's acceptance (ending the claim) and applies any statuses that
    /// arrived for the WhatsApp id before it was known, logging `message.updated`, in one
    /// transaction. A message no longer queued (accepted already) is left as it is.
    ///
    /// # Errors
    /// [`RepoError::Conflict`]`(`[`ConflictKey::Wamid`](crate::error::ConflictKey::Wamid)`)` if another message already has this
    /// WhatsApp id; storage failures.
    async fn mark_accepted(
        &self,
        id: MessageId,
        wamid: &str,
        now: Timestamp,
    ) -> Result<(), RepoError>;

    /// Fails a message with Meta's error (ending the claim) and logs `message.updated`.
    ///
    /// # Errors
    /// Storage failures only.
    async fn mark_failed(
        &self,
        id: MessageId,
        error: &DeliveryError,
        now: Timestamp,
    ) -> Result<(), RepoError>;

    /// Keeps a message queued for another attempt at `next_attempt_at`, ending the claim.
    ///
    /// # Errors
    /// Storage failures only.
    async fn schedule_retry(
        &self,
        id: MessageId,
        attempts: u32,
        next_attempt_at: Timestamp,
    ) -> Result<(), RepoError>;

    /// Records the WhatsApp media id a queued media message's file was uploaded as, so that a
    /// later attempt sends by that id instead of uploading again. MUST be visible in the
    /// [`OutboundContent::Media`] that [`OutboxRepository::claim_due`] returns afterwards.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if there is no such message; storage failures.
    async fn record_media_upload(&self, id: MessageId, media_id: &str) -> Result<(), RepoError>;
}

/// Wakes the dispatcher when a message is queued, so it need not wait for its next poll.
pub trait OutboxSignal: Send + Sync {
    /// Never blocks; waking an already-awake dispatcher is harmless.
    fn wake(&self);
}

/// The WhatsApp Cloud API (real or mock), as the dispatcher uses it.
#[async_trait]
pub trait WhatsAppGateway: Send + Sync {
    /// Sends one message.
    ///
    /// # Errors
    /// [`GatewayError::Transient`] when a later retry may succeed (rate limits, Meta's
    /// temporary codes, timeouts, network failures); [`GatewayError::Permanent`] with Meta's
    /// code otherwise. Implementations MUST classify Meta codes with
    /// [`crate::outbound::model::is_transient`].
    async fn send(&self, message: &OutboundMessage) -> Result<Accepted, GatewayError>;

    /// Sends the read receipt for an inbound message (the customer sees blue ticks).
    ///
    /// # Errors
    /// As [`WhatsAppGateway::send`].
    async fn mark_read(&self, phone_number_id: &str, wamid: &str) -> Result<(), GatewayError>;

    /// Looks a media object up (its download URL, type, checksum and size).
    ///
    /// # Errors
    /// As [`WhatsAppGateway::send`]; an unknown media id is permanent.
    async fn media_info(&self, media_id: &str) -> Result<MediaInfo, GatewayError>;

    /// Downloads the bytes behind a looked-up media object and checks them against its SHA-256.
    ///
    /// # Errors
    /// As [`WhatsAppGateway::send`]; a checksum mismatch is transient (a truncated or corrupted
    /// transfer is worth retrying).
    async fn download_media(&self, media: &MediaInfo) -> Result<Vec<u8>, GatewayError>;

    /// Uploads a file for the business number `phone_number_id` to send, and returns
    /// WhatsApp's media id for it; a media message then names that id.
    ///
    /// # Errors
    /// As [`WhatsAppGateway::send`]: [`GatewayError::Transient`] for rate limits, Meta's
    /// temporary codes, timeouts and network failures (the upload may be retried as a whole);
    /// [`GatewayError::Permanent`] with Meta's code otherwise, e.g. 100 for a type Meta does not
    /// take or 131053 for a file over its type's limit. Implementations MUST classify Meta codes
    /// with [`crate::outbound::model::is_transient`].
    async fn upload_media(
        &self,
        phone_number_id: &str,
        bytes: &[u8],
        mime_type: &str,
        filename: &str,
    ) -> Result<String, GatewayError>;
}
