//! Sending through WhatsApp: what the dispatcher hands the gateway port and what comes back.

use std::time::Duration;

use crate::conversation::model::ConversationView;
use crate::media::model::MediaKind;
use crate::message::Message;

/// What to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboundContent {
    /// Free-form text; only inside the 24-hour customer-service window.
    Text { body: String },
    /// An emoji reaction to a message of the conversation (an empty emoji removes it); like
    /// free text, only inside the 24-hour window.
    Reaction {
        /// The WhatsApp id of the message reacted to.
        message_id: String,
        emoji: String,
    },
    /// An image, video, audio file, document or sticker an agent uploaded; like free text,
    /// only inside the 24-hour window. The dispatcher uploads the bytes to WhatsApp first, then
    /// sends the message by the media id it got back.
    Media {
        kind: MediaKind,
        mime_type: String,
        /// Where the media store keeps the bytes.
        key: String,
        /// The file's name (documents show it to the customer).
        filename: String,
        /// Only images, videos and documents carry one.
        caption: Option<String>,
        /// Bytes.
        size: u64,
        /// SHA-256 of the bytes, lowercase hex.
        sha256: String,
        /// WhatsApp's id for the uploaded file; `None` until the dispatcher has uploaded it
        /// (kept afterwards, so a retried send does not upload again).
        media_id: Option<String>,
    },
    /// An approved template; allowed at any time.
    Template {
        name: String,
        /// Language code, e.g. `en_US`.
        language: String,
        /// The Cloud API `components` array as JSON text (`[]` when there are none).
        components_json: String,
    },
}

/// One message for the Cloud API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundMessage {
    /// Meta's id of the sending business number.
    pub phone_number_id: String,
    /// The customer's WhatsApp id (digits, no `+`).
    pub to: String,
    pub content: OutboundContent,
    /// The WhatsApp id of the message this one replies to.
    pub reply_to: Option<String>,
}

/// The Cloud API took the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// WhatsApp's message id (`wamid.…`); statuses arrive by webhook under it.
    pub wamid: String,
}

/// Why the gateway did not take a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// Worth retrying later: rate limits, Meta's temporary errors, timeouts, connection
    /// failures. `code` is Meta's when there is one.
    #[error("temporary WhatsApp error{}: {message}", code.map(|c| format!(" {c}")).unwrap_or_default())]
    Transient {
        code: Option<i64>,
        message: String,
        /// How long Meta asked us to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// Retrying cannot help (invalid recipient, outside the window, bad template, expired
    /// token): the message fails with Meta's error.
    #[error("WhatsApp refused the message ({code}): {title}")]
    Permanent {
        code: i64,
        title: String,
        details: Option<String>,
    },
}

/// What the Cloud API says about a media object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaInfo {
    /// A short-lived download URL (needs the access token).
    pub url: String,
    pub mime_type: String,
    /// SHA-256 of the bytes, as the API gives it (hex or base64).
    pub sha256: String,
    pub file_size: u64,
}

/// Meta's error codes that mean "try again later" (wire contract): throughput (130429), pair
/// rate (131056), unknown (1), temporary (2), service unavailable (131000, 131016).
pub const TRANSIENT_CODES: [i64; 6] = [130429, 131056, 1, 2, 131000, 131016];

/// Whether a Cloud API error code is worth retrying.
pub fn is_transient(code: i64) -> bool {
    TRANSIENT_CODES.contains(&code)
}

/// Re-engagement: the 24-hour window had closed (usually arrives as an asynchronous failure).
pub const OUTSIDE_WINDOW_CODE: i64 = 131047;

/// A queued message, and whether this request queued it (`false`: the idempotency key named
/// an earlier one, which is returned instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub message: Message,
    pub created: bool,
}

/// A started (or continued) conversation with its first message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub conversation: ConversationView,
    pub message: Message,
    pub created: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_and_temporary_errors_are_transient_others_permanent() {
        for code in [130429, 131056, 1, 2, 131000, 131016] {
            assert!(is_transient(code), "{code}");
        }
        for code in [
            131047, 131026, 131051, 132000, 132001, 100, 131008, 131009, 190,
        ] {
            assert!(!is_transient(code), "{code}");
        }
    }
}
