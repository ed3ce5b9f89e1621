//! The webhook Meta calls: the GET subscription handshake and the POST envelope of messages and
//! statuses, parsed exactly as the Cloud API sends them.
//!
//! One POST may batch many entries, changes, messages and statuses; [`Envelope::messages`],
//! [`Envelope::statuses`] and [`Envelope::errors`] walk all of them so that no caller handles the
//! first one and drops the rest.

mod batch;
mod decoder;
mod message;
mod status;

use hmac::Mac;
use serde::Deserialize;
use serde::de::{Deserializer, Error as _, IgnoredAny};
use serde_json::{Value, error::Category};

pub use decoder::CloudWebhook;
pub use message::{Context, InboundMessage, InteractiveReply, Media, MessageContent};
pub use status::{StatusKind, StatusUpdate};

use crate::signature::keyed;

/// The only `object` a WhatsApp Business Account webhook carries (and the simulator's webhooks
/// send).
pub const OBJECT: &str = "whatsapp_business_account";

/// Why a webhook POST body could not be read as an envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// The body is not syntactically valid JSON.
    #[error("the webhook body is not JSON: {0}")]
    NotJson(String),
    /// The body is JSON, but not a WhatsApp Business Account webhook envelope.
    #[error("the webhook body is not a WhatsApp envelope: {0}")]
    NotAnEnvelope(String),
}

/// Parses the raw body of a webhook POST.
///
/// A message of an unknown type, or of a known type with a payload we cannot read, becomes
/// [`MessageContent::Unsupported`] rather than failing the envelope; a change of a field other than
/// `messages` is kept as [`Change::Other`].
///
/// # Errors
/// [`EnvelopeError::NotJson`] when the body is not JSON, [`EnvelopeError::NotAnEnvelope`] when it
/// lacks the envelope's shape (no `entry`, another `object`, a message without a numeric string
/// `timestamp`, ...).
pub fn parse_envelope(raw_body: &[u8]) -> Result<Envelope, EnvelopeError> {
    let envelope: Envelope =
        serde_json::from_slice(raw_body).map_err(|error| match error.classify() {
            // A shape error can be hit before a syntax error further on; only a body that is JSON
            // throughout counts as "not an envelope", and otherwise the syntax error is the news.
            Category::Data => match serde_json::from_slice::<IgnoredAny>(raw_body) {
                Ok(_) => EnvelopeError::NotAnEnvelope(error.to_string()),
                Err(syntax) => EnvelopeError::NotJson(syntax.to_string()),
            },
            Category::Io | Category::Syntax | Category::Eof => {
                EnvelopeError::NotJson(error.to_string())
            }
        })?;
    if envelope.object != OBJECT {
        return Err(EnvelopeError::NotAnEnvelope(format!(
            "`object` is {:?}, not {OBJECT:?}",
            envelope.object
        )));
    }
    Ok(envelope)
}

/// The body of a webhook POST.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Envelope {
    /// Always `whatsapp_business_account` once parsed.
    pub object: String,
    /// One entry per WhatsApp Business Account with news.
    pub entry: Vec<Entry>,
}

impl Envelope {
    /// Every inbound message in every entry and change, with the business number it was sent to
    /// and the senders' contact cards delivered alongside it.
    pub fn messages(&self) -> impl Iterator<Item = (&Metadata, &[Contact], &InboundMessage)> {
        self.values().flat_map(|value| {
            value
                .messages
                .iter()
                .map(move |message| (&value.metadata, value.contacts.as_slice(), message))
        })
    }

    /// Every status update (sent, delivered, read, failed, ...) in every entry and change, with the
    /// business number that sent the message.
    pub fn statuses(&self) -> impl Iterator<Item = (&Metadata, &StatusUpdate)> {
        self.values().flat_map(|value| {
            value
                .statuses
                .iter()
                .map(move |status| (&value.metadata, status))
        })
    }

    /// Every system-level error (one tied to no message or status) in every entry and change.
    pub fn errors(&self) -> impl Iterator<Item = (&Metadata, &WireError)> {
        self.values().flat_map(|value| {
            value
                .errors
                .iter()
                .map(move |error| (&value.metadata, error))
        })
    }

    fn values(&self) -> impl Iterator<Item = &ChangeValue> {
        self.entry
            .iter()
            .flat_map(|entry| &entry.changes)
            .filter_map(|change| match change {
                Change::Messages(value) => Some(value),
                Change::Other { .. } => None,
            })
    }
}

/// The news of one WhatsApp Business Account.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Entry {
    /// The WhatsApp Business Account id.
    pub id: String,
    /// What changed, one item per subscribed field.
    pub changes: Vec<Change>,
}

/// One change of a subscribed webhook field.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RawChange")]
pub enum Change {
    /// The `messages` field: inbound messages, statuses and system errors.
    Messages(ChangeValue),
    /// Any other field (`account_update`, `message_template_status_update`, ...), kept verbatim
    /// because subscribing to more fields must not break message ingestion.
    Other {
        /// The webhook field name.
        field: String,
        /// The change's `value`, as sent.
        value: Value,
    },
}

impl Change {
    /// The webhook field this change belongs to.
    pub fn field(&self) -> &str {
        match self {
            Self::Messages(_) => "messages",
            Self::Other { field, .. } => field,
        }
    }
}

#[derive(Deserialize)]
struct RawChange {
    field: String,
    #[serde(default)]
    value: Value,
}

impl TryFrom<RawChange> for Change {
    type Error = serde_json::Error;

    fn try_from(RawChange { field, value }: RawChange) -> Result<Self, Self::Error> {
        if field == "messages" {
            ChangeValue::deserialize(value).map(Self::Messages)
        } else {
            Ok(Self::Other { field, value })
        }
    }
}

/// The `value` of a `messages` change.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ChangeValue {
    /// Always `whatsapp`.
    pub messaging_product: String,
    /// The business number the change concerns.
    pub metadata: Metadata,
    /// Contact cards of the customers who sent `messages`.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// Messages customers sent to the business number.
    #[serde(default)]
    pub messages: Vec<InboundMessage>,
    /// Status updates of messages the business number sent.
    #[serde(default)]
    pub statuses: Vec<StatusUpdate>,
    /// System-level errors, tied to no message or status.
    #[serde(default)]
    pub errors: Vec<WireError>,
}

/// The business number a change concerns.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Metadata {
    /// The number as customers see it, digits only (e.g. `15550783881`).
    pub display_phone_number: String,
    /// Meta's id of the number; the key we route on.
    pub phone_number_id: String,
}

/// A customer's contact card.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Contact {
    /// The customer's WhatsApp id (their number, digits only); matches a message's `from`.
    pub wa_id: String,
    /// The customer's WhatsApp profile, when they share it.
    pub profile: Option<Profile>,
}

/// A customer's WhatsApp profile.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Profile {
    /// The customer's profile name.
    pub name: String,
}

/// An error as the Cloud API reports it in webhooks (on a failed status, an unsupported message or
/// a change's system errors). Decisions key on `code`, never on the texts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "RawWireError")]
pub struct WireError {
    /// Meta's error code, e.g. 131047 (outside the 24-hour window).
    pub code: i64,
    /// A short title.
    pub title: Option<String>,
    /// A longer message.
    pub message: Option<String>,
    /// The most specific explanation, from `error_data.details`.
    pub details: Option<String>,
}

#[derive(Deserialize)]
struct RawWireError {
    code: i64,
    title: Option<String>,
    message: Option<String>,
    error_data: Option<ErrorData>,
    // Older payloads put `details` beside `code` instead of inside `error_data`.
    details: Option<String>,
}

#[derive(Deserialize)]
struct ErrorData {
    details: Option<String>,
}

impl From<RawWireError> for WireError {
    fn from(raw: RawWireError) -> Self {
        Self {
            code: raw.code,
            title: raw.title,
            message: raw.message,
            details: raw.error_data.and_then(|data| data.details).or(raw.details),
        }
    }
}

/// Reads Meta's timestamps, which are strings of Unix seconds.
fn unix_seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let text = String::deserialize(deserializer)?;
    text.parse().map_err(|_| {
        D::Error::custom(format_args!(
            "timestamp {text:?} is not a string of Unix seconds"
        ))
    })
}

/// Answers Meta's GET subscription handshake (`hub.mode`, `hub.verify_token`, `hub.challenge`):
/// the challenge to echo with a 200 when the mode is `subscribe` and the token is ours, `None`
/// (answer 403) otherwise. An empty `expected_token` matches nothing, so a missing configuration
/// cannot be satisfied by an empty token.
pub fn verify_subscription(
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&str>,
    expected_token: &str,
) -> Option<String> {
    if mode != Some("subscribe") || expected_token.is_empty() {
        return None;
    }
    // Comparing fixed-length keyed digests keeps the comparison constant time and hides the
    // length of the expected token; the key need not be secret.
    const KEY: &[u8] = b"switchboard webhook verify token";
    let expected = keyed(KEY, expected_token.as_bytes())
        .finalize()
        .into_bytes();
    keyed(KEY, token?.as_bytes()).verify_slice(&expected).ok()?;
    challenge.map(str::to_owned)
}
