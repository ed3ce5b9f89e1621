//! Status updates of the messages a business number sent.

use serde::Deserialize;
use serde_json::Value;

use super::{WireError, unix_seconds};

/// A change in the delivery state of one outbound message.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StatusUpdate {
    /// The WhatsApp id of the message the status is about.
    pub id: String,
    /// The new state.
    pub status: StatusKind,
    /// When the message reached that state, in Unix seconds (Meta's clock).
    #[serde(deserialize_with = "unix_seconds")]
    pub timestamp: i64,
    /// The customer's WhatsApp id.
    pub recipient_id: String,
    /// Why the message failed, for a failed status.
    #[serde(default)]
    pub errors: Vec<WireError>,
    /// The conversation the message was billed in, as sent.
    pub conversation: Option<Value>,
    /// How the message was priced, as sent.
    pub pricing: Option<Value>,
}

/// The delivery state a status update reports.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub enum StatusKind {
    /// Meta's servers took the message.
    Sent,
    /// The message reached the customer's device.
    Delivered,
    /// The customer opened it (implies delivered).
    Read,
    /// The message could not be delivered; see [`StatusUpdate::errors`].
    Failed,
    /// The customer played a voice message.
    Played,
    /// A status this version does not know, kept rather than refused.
    Other(String),
}

impl From<String> for StatusKind {
    fn from(status: String) -> Self {
        match status.as_str() {
            "sent" => Self::Sent,
            "delivered" => Self::Delivered,
            "read" => Self::Read,
            "failed" => Self::Failed,
            "played" => Self::Played,
            _ => Self::Other(status),
        }
    }
}
