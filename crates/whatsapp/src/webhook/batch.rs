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
                .map(|p| p.name.clone());
            batch.messages.push(InboundMessage {
                phone_number_id: metadata.phone_number_id.clone(),
                wa_id: message.from.clone(),
                profile_name,
                wamid: message.id.clone(),
                sent_at: instant(message.timestamp, "message")?,
                // Types we cannot read are stored as `unsupported`; the raw payload keeps
                // Meta's own type name.
                kind: match &message.content {
                    MessageContent::Unsupported { .. } => "unsupported".to_owned(),
                    _ => message.kind.clone(),
                },
                text: message.content.text_preview().map(str::to_owned),
                payload: message.raw.to_string(),
                reply_to: message.context.as_ref().and_then(|c| c.id.clone()),
                media: match &message.content {
                    MessageContent::Image(media)
                    | MessageContent::Video(media)
                    | MessageContent::Audio(media)
                    | MessageContent::Document(media)
                    | MessageContent::Sticker(media) => Some(InboundMedia {
                        id: media.id.clone(),
                        mime_type: media.mime_type.clone(),
                        sha256: media.sha256.clone(),
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
                phone_number_id: metadata.phone_number_id.clone(),
                wamid: status.id.clone(),
                status: kind,
                at: instant(status.timestamp, "status")?,
                error: status.errors.first().map(DeliveryError::from),
            });
        }
        Ok(batch)
    }
}
