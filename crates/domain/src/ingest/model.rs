//! What a WhatsApp webhook delivery carries, in domain terms, and what storing it did.
//!
//! The WhatsApp adapter translates Meta's envelope into a [`WebhookBatch`]; the store applies a
//! whole batch in one transaction ([`crate::ingest::ports::InboundRepository::ingest`]), so the webhook
//! is answered 200 only once everything it carried is durable.

use crate::Timestamp;
use crate::message::MessageStatus;

/// A customer's message as delivered by the webhook.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundMessage {
    /// Meta's id of the business number it was sent to (`metadata.phone_number_id`).
    pub phone_number_id: String,
    /// The customer's WhatsApp id.
    pub wa_id: String,
    /// The customer's WhatsApp profile name, when the delivery named it.
    pub profile_name: Option<String>,
    /// WhatsApp's message id; the key for exactly-once storage.
    pub wamid: String,
    /// Meta's timestamp.
    pub sent_at: Timestamp,
    /// Meta's message type (`text`, `image`, ..., `unsupported`); unknown types are kept.
    pub kind: String,
    /// The text, caption or reply title, for previews and search.
    pub text: Option<String>,
    /// The message exactly as Meta sent it (JSON).
    pub payload: String,
    /// The WhatsApp id of the message this one replies to.
    pub reply_to: Option<String>,
    /// The attached file (image, video, audio, document, sticker), to download.
    pub media: Option<InboundMedia>,
}

/// A customer's file as the webhook names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMedia {
    /// Meta's media id, to look up and download.
    pub id: String,
    pub mime_type: Option<String>,
    /// SHA-256 of the file as Meta sent it (hex or base64).
    pub sha256: Option<String>,
}

/// Meta's reason for a failed delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryError {
    pub code: i64,
    pub title: Option<String>,
    pub details: Option<String>,
}

/// A delivery status for one of the business's messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    pub phone_number_id: String,
    pub wamid: String,
    /// `Sent`, `Delivered`, `Read` or `Failed`.
    pub status: MessageStatus,
    /// Meta's timestamp of the status.
    pub at: Timestamp,
    pub error: Option<DeliveryError>,
}

/// Everything one webhook POST carried.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebhookBatch {
    pub messages: Vec<InboundMessage>,
    pub statuses: Vec<StatusReport>,
}

/// What ingesting a batch changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestSummary {
    /// New messages stored.
    pub messages_stored: usize,
    /// Messages already stored (a redelivery): nothing changed.
    pub duplicate_messages: usize,
    /// Statuses that changed a message: moved it forward, or (arriving after a later one) only
    /// recorded their time.
    pub statuses_applied: usize,
    /// Duplicate statuses, and statuses a message can no longer take: nothing changed.
    pub statuses_ignored: usize,
    /// Statuses for ids not stored yet, kept to apply when the id appears.
    pub statuses_deferred: usize,
    /// `phone_number_id`s that name no business number here; their items were skipped.
    pub unknown_numbers: Vec<String>,
}

/// Why a webhook delivery was refused before anything was stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookRejection {
    /// No `X-Hub-Signature-256` header.
    #[error("the X-Hub-Signature-256 header is missing")]
    MissingSignature,
    /// A malformed signature header, or one that does not match the body under our app secret.
    #[error("the webhook signature is invalid: {0}")]
    BadSignature(String),
    /// The body is not JSON.
    #[error("the webhook body is not JSON: {0}")]
    NotJson(String),
    /// The body is JSON but not a WhatsApp Business Account envelope.
    #[error("the webhook body is not a WhatsApp Cloud API envelope: {0}")]
    NotAnEnvelope(String),
}
