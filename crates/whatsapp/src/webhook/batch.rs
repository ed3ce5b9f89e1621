//! Translating Meta's envelope into the domain's [`WebhookBatch`], the adapter's boundary.

use switchboard_domain::Timestamp;
use switchboard_domain::ingest::model::{
    DeliveryError, InboundMedia, InboundMessage, StatusReport, WebhookBatch,
};
use switchboard_domain::message::MessageStatus;

use super::{Envelope, EnvelopeError, MessageContent, StatusKind, WireError};

fn instant(secs: i64, what: &str) -> Result<Timestamp, EnvelopeError> {
    chrono::DateTime::from_timestamp(secs, 0).ok_or_else(|| {
        EnvelopeError::NotAnEnvelope(format!("{what} timestamp {secs} is out of range"))
    })
}

impl From<&WireError> for DeliveryError {
    fn from(e: &WireError) -> Self {
        DeliveryError {
            code: e.code,
            title: e.title.clone().or_else(|| e.message.clone()),
            details: e.details.clone(),
        }
    }
}

/// `text` with every NUL character (U+0000) replaced by U+FFFD: a customer's message is never
/// refused for one (PostgreSQL's text and jsonb cannot hold it), and both backends store the
/// same.
fn without_nul(text: &str) -> String {
    text.replace('\0', "\u{FFFD}")
}

/// The raw JSON with every string (and key) passed through [`without_nul`].
fn json_without_nul(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(without_nul(s)),
        Value::Array(items) => Value::Array(items.iter().map(json_without_nul).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (without_nul(k), json_without_nul(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

impl Envelope {
    /// Every message and status of every entry and change, in domain terms. Status kinds the
    /// domain does not track (anything but sent, delivered, read, played and failed) are left
    /// out; `played` (a voice note listened to) counts as read.
    ///
    /// # Errors
    /// [`EnvelopeError::NotAnEnvelope`] for a timestamp outside the representable range.
    pub fn to_batch(&self) -> Result<WebhookBatch, EnvelopeError> {
        let mut batch = WebhookBatch::default();
        for (metadata, contacts, message) in self.messages() {
            let profile_name = contacts
                .iter()
                .find(|c| c.wa_id == message.from)
                .and_then(|c| c.profile.as_ref())
                .map(|p| without_nul(&p.name));
            batch.messages.push(InboundMessage {
                phone_number_id: without_nul(&metadata.phone_number_id),
                wa_id: without_nul(&message.from),
                profile_name,
                wamid: without_nul(&message.id),
                sent_at: instant(message.timestamp, "message")?,
                // Types we cannot read are stored as `unsupported`; the raw payload keeps
                // Meta's own type name.
                kind: match &message.content {
                    MessageContent::Unsupported { .. } => "unsupported".to_owned(),
                    _ => without_nul(&message.kind),
                },
                text: message.content.text_preview().map(without_nul),
                payload: json_without_nul(&message.raw).to_string(),
                reply_to: message
                    .context
                    .as_ref()
                    .and_then(|c| c.id.as_deref())
                    .map(without_nul),
                media: match &message.content {
                    MessageContent::Image(media)
                    | MessageContent::Video(media)
                    | MessageContent::Audio(media)
                    | MessageContent::Document(media)
                    | MessageContent::Sticker(media) => Some(InboundMedia {
                        id: without_nul(&media.id),
                        mime_type: media.mime_type.as_deref().map(without_nul),
                        sha256: media.sha256.as_deref().map(without_nul),
                    }),
                    _ => None,
                },
            });
        }
        for (metadata, status) in self.statuses() {
            let kind = match &status.status {
                StatusKind::Sent => MessageStatus::Sent,
                StatusKind::Delivered => MessageStatus::Delivered,
                StatusKind::Read | StatusKind::Played => MessageStatus::Read,
                StatusKind::Failed => MessageStatus::Failed,
                StatusKind::Other(_) => continue,
            };
            batch.statuses.push(StatusReport {
                phone_number_id: without_nul(&metadata.phone_number_id),
                wamid: without_nul(&status.id),
                status: kind,
                at: instant(status.timestamp, "status")?,
                error: status.errors.first().map(|e| {
                    let error = DeliveryError::from(e);
                    DeliveryError {
                        title: error.title.as_deref().map(without_nul),
                        details: error.details.as_deref().map(without_nul),
                        ..error
                    }
                }),
            });
        }
        Ok(batch)
    }
}
