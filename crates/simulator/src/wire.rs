//! Meta's payloads as the simulator writes them: message ids and webhook envelopes, field for
//! field like the Cloud API's (see `whatsapp-cloud-api.md`).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use switchboard_domain::outbound::model::OUTSIDE_WINDOW_CODE;
use switchboard_whatsapp::webhook::OBJECT;

use crate::media::{MediaInfo, MediaKind};
use crate::request::Kind;
use crate::scenario::Report;

const OUTSIDE_WINDOW_TITLE: &str = "Re-engagement message";
const OUTSIDE_WINDOW_DETAILS: &str =
    "More than 24 hours have passed since the recipient last replied to the sender number.";

/// The business number a webhook is about: the `entry[].id` and `metadata` of its envelope.
#[derive(Debug, Clone)]
pub(super) struct Metadata {
    pub(super) waba_id: String,
    /// Digits only, as Meta writes it in webhooks.
    pub(super) display_phone_number: String,
    pub(super) phone_number_id: String,
}

/// How Meta prices a message under per-message pricing. The simulator cannot know a template's
/// real category and calls every template utility.
#[derive(Debug, Clone, Copy)]
pub(super) enum Category {
    /// Free-form messages, free inside the customer-service window.
    Service,
    Utility,
}

impl Category {
    pub(super) fn of(kind: Kind) -> Self {
        match kind {
            Kind::FreeForm => Self::Service,
            Kind::Template => Self::Utility,
        }
    }

    fn pricing(self) -> Value {
        match self {
            Self::Service => json!({
                "billable": false,
                "pricing_model": "PMP",
                "type": "free_customer_service",
                "category": "service",
            }),
            Self::Utility => json!({
                "billable": true,
                "pricing_model": "PMP",
                "type": "regular",
                "category": "utility",
            }),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Service => "service",
            Self::Utility => "utility",
        }
    }
}

/// What every status webhook of one accepted message repeats.
#[derive(Debug, Clone)]
pub(super) struct Tracked {
    pub(super) wamid: String,
    pub(super) recipient_id: String,
    /// The simulator does not model Meta's billing conversations: each message gets its own.
    pub(super) conversation_id: String,
    pub(super) category: Category,
}

/// A fresh message id shaped like Meta's: `wamid.` and URL-safe base64. 192 random bits make a
/// collision with any id the store already holds practically impossible.
pub(super) fn new_wamid() -> Result<String, getrandom::Error> {
    let mut bytes = [0; 24];
    getrandom::fill(&mut bytes)?;
    Ok(format!("wamid.{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// Whether `wamid` has the shape of the ids [`new_wamid`] draws (`wamid.` and 32 URL-safe
/// base64 characters). Meta's own ids are longer and standard base64, so a message the real
/// Cloud API accepted is not taken for one of the simulator's.
pub(super) fn is_simulator_wamid(wamid: &str) -> bool {
    wamid.strip_prefix("wamid.").is_some_and(|id| {
        id.len() == WAMID_CHARS
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// The base64 characters of a simulator id: 24 random bytes, unpadded.
const WAMID_CHARS: usize = 32;

/// A fresh conversation id shaped like Meta's: 32 hex digits.
pub(super) fn new_conversation_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0; 16];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

/// The webhook that tells the business `message` reached the state of `report` at `timestamp`
/// (Unix seconds).
pub(super) fn status_envelope(
    metadata: &Metadata,
    message: &Tracked,
    report: Report,
    timestamp: i64,
) -> Value {
    let status = match report {
        Report::FailedOutsideWindow => json!({
            "id": message.wamid,
            "status": report.status(),
            "timestamp": timestamp.to_string(),
            "recipient_id": message.recipient_id,
            "errors": [{
                "code": OUTSIDE_WINDOW_CODE,
                "title": OUTSIDE_WINDOW_TITLE,
                "message": OUTSIDE_WINDOW_TITLE,
                "error_data": {"details": OUTSIDE_WINDOW_DETAILS},
            }],
        }),
        Report::Sent | Report::Delivered | Report::Read => json!({
            "id": message.wamid,
            "status": report.status(),
            "timestamp": timestamp.to_string(),
            "recipient_id": message.recipient_id,
            "conversation": {
                "id": message.conversation_id,
                "origin": {"type": message.category.name()},
            },
            "pricing": message.category.pricing(),
        }),
    };
    envelope(
        metadata,
        json!({
            "messaging_product": "whatsapp",
            "metadata": metadata_value(metadata),
            "statuses": [status],
        }),
    )
}

/// The webhook of a message the customer `from` (WhatsApp id) sent at `timestamp` (Unix
/// seconds). Without a `name` the contact card has no profile, as when a customer shares none.
pub(super) fn inbound_envelope(
    metadata: &Metadata,
    from: &str,
    name: Option<&str>,
    wamid: &str,
    timestamp: i64,
    kind: &str,
    payload: Value,
) -> Value {
    let mut message = json!({
        "from": from,
        "id": wamid,
        "timestamp": timestamp.to_string(),
        "type": kind,
    });
    message[kind] = payload;
    let contact = match name {
        Some(name) => json!({"profile": {"name": name}, "wa_id": from}),
        None => json!({"wa_id": from}),
    };
    envelope(
        metadata,
        json!({
            "messaging_product": "whatsapp",
            "metadata": metadata_value(metadata),
            "contacts": [contact],
            "messages": [message],
        }),
    )
}

/// The message `type` and payload of a customer's text.
pub(super) fn text_payload(body: &str) -> (&'static str, Value) {
    ("text", json!({ "body": body }))
}

/// The message `type` and payload of a customer's media, as Meta announces it: the id to look
/// up, the MIME type and the base64 SHA-256 to check the download against, and the caption,
/// file name or animation flag where the kind has one.
pub(super) fn media_payload(
    info: &MediaInfo,
    caption: Option<&str>,
    filename: Option<&str>,
) -> (&'static str, Value) {
    let mut payload = json!({
        "id": info.id,
        "mime_type": info.mime_type,
        "sha256": info.sha256_base64,
    });
    let captioned = matches!(
        info.kind,
        MediaKind::Image | MediaKind::Video | MediaKind::Document
    );
    if let Some(caption) = caption.filter(|_| captioned) {
        payload["caption"] = json!(caption);
    }
    if let Some(filename) = filename.filter(|_| info.kind == MediaKind::Document) {
        payload["filename"] = json!(filename);
    }
    if info.kind == MediaKind::Sticker {
        payload["animated"] = json!(info.animated);
    }
    (info.kind.message_type(), payload)
}

fn metadata_value(metadata: &Metadata) -> Value {
    json!({
        "display_phone_number": metadata.display_phone_number,
        "phone_number_id": metadata.phone_number_id,
    })
}

fn envelope(metadata: &Metadata, value: Value) -> Value {
    json!({
        "object": OBJECT,
        "entry": [{
            "id": metadata.waba_id,
            "changes": [{"field": "messages", "value": value}],
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simulators_own_ids_are_told_from_metas() {
        let own = new_wamid().unwrap();
        assert!(is_simulator_wamid(&own), "{own}");
        // An id as the Cloud API documents them.
        assert!(!is_simulator_wamid(
            "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3NzE1RDg0QkMxNjg4MUZBMUEA"
        ));
        assert!(!is_simulator_wamid("wamid.TEST-1"));
        assert!(!is_simulator_wamid(&own.replacen("wamid.", "wamid:", 1)));
    }
}
