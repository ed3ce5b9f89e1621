//! The schema of the body Meta posts to the webhook. Documentation types only: the handler reads
//! the raw bytes (the signature is over them) and the WhatsApp adapter parses them, answering a
//! body that does not match as it always has.
#![allow(dead_code)] // The types exist for their schemas; nothing is built from them.

use utoipa::ToSchema;

use super::message_payload::{MessagePayload, WireErrorPayload};

/// A WhatsApp Business Account webhook delivery: one entry per account with news.
#[derive(Debug, ToSchema)]
pub struct WebhookEnvelope {
    pub object: WebhookObject,
    pub entry: Vec<WebhookEntry>,
}

/// The only object a WhatsApp webhook carries.
#[derive(Debug, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookObject {
    WhatsappBusinessAccount,
}

/// The news of one WhatsApp Business Account.
#[derive(Debug, ToSchema)]
pub struct WebhookEntry {
    /// The WhatsApp Business Account id.
    pub id: String,
    pub changes: Vec<WebhookChange>,
}

/// One change of a subscribed field; only `messages` is read, the others are accepted and
/// skipped.
#[derive(Debug, ToSchema)]
pub struct WebhookChange {
    #[schema(example = "messages")]
    pub field: String,
    pub value: WebhookChangeValue,
}

/// The `value` of a `messages` change (other fields carry their own members).
#[derive(Debug, ToSchema)]
pub struct WebhookChangeValue {
    /// `whatsapp`.
    pub messaging_product: Option<String>,
    pub metadata: Option<WebhookMetadata>,
    /// The contact cards of the customers who sent `messages`.
    pub contacts: Option<Vec<WebhookContact>>,
    pub messages: Option<Vec<MessagePayload>>,
    pub statuses: Option<Vec<WebhookStatus>>,
    /// System-level errors, tied to no message or status.
    pub errors: Option<Vec<WireErrorPayload>>,
}

/// The business number a change concerns.
#[derive(Debug, ToSchema)]
pub struct WebhookMetadata {
    #[schema(example = "15550783881")]
    pub display_phone_number: String,
    /// The key Switchboard routes on.
    #[schema(example = "106540352242922")]
    pub phone_number_id: String,
}

/// A customer's contact card.
#[derive(Debug, ToSchema)]
pub struct WebhookContact {
    pub wa_id: String,
    pub profile: Option<WebhookProfile>,
}

#[derive(Debug, ToSchema)]
pub struct WebhookProfile {
    pub name: String,
}

/// A status update of a message the business number sent.
#[derive(Debug, ToSchema)]
pub struct WebhookStatus {
    /// The message's WhatsApp id.
    pub id: String,
    /// `sent`, `delivered`, `read`, `failed` or `played`.
    #[schema(example = "delivered")]
    pub status: String,
    /// Unix seconds, as a string.
    pub timestamp: String,
    pub recipient_id: Option<String>,
    pub conversation: Option<WebhookConversation>,
    pub pricing: Option<WebhookPricing>,
    /// Why a `failed` message failed.
    pub errors: Option<Vec<WireErrorPayload>>,
}

#[derive(Debug, ToSchema)]
pub struct WebhookConversation {
    pub id: Option<String>,
    pub expiration_timestamp: Option<String>,
    pub origin: Option<WebhookConversationOrigin>,
}

#[derive(Debug, ToSchema)]
pub struct WebhookConversationOrigin {
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, ToSchema)]
pub struct WebhookPricing {
    pub billable: Option<bool>,
    pub pricing_model: Option<String>,
    pub category: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}
