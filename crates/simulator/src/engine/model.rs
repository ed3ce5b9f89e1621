//! What goes in and out of the engine: its settings, a customer's message, a message to
//! resume after a restart, and a send's answer.

use std::fmt;
use std::time::Duration;

use serde_json::{Value, json};

use crate::limits::ThroughputLimits;
use crate::scenario::Reached;

/// How the engine decides whether a customer is inside the 24-hour window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowRule {
    /// As Meta: a customer who never wrote to the number (as far as the engine saw) is outside
    /// the window. The HTTP door's rule.
    Strict,
    /// Only customers the engine saw write are checked; any other is taken to be inside. For
    /// the in-process door, whose caller applies its own window policy before sending and may
    /// know of customers who wrote before the engine started.
    KnownCustomersOnly,
}

/// The configuration of a [`SimulatorEngine`].
#[derive(Clone)]
pub struct EngineSettings {
    /// Where webhooks go, e.g. `http://127.0.0.1:8080/webhooks/whatsapp`.
    pub callback_url: String,
    /// The Meta app secret webhooks are signed with (`X-Hub-Signature-256`).
    pub app_secret: Vec<u8>,
    /// How long before the `sent`, `delivered` and `read` webhooks of an accepted message, each
    /// counted from the previous one.
    pub status_delays: [Duration; 3],
    /// Who is inside the 24-hour window.
    pub window: WindowRule,
    /// The throughput and pair limits to enforce; `None` sends without limits.
    pub limits: Option<ThroughputLimits>,
}

impl fmt::Debug for EngineSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EngineSettings")
            .field("callback_url", &self.callback_url)
            .field("status_delays", &self.status_delays)
            .field("window", &self.window)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// A message a customer sends to one of the simulated business numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    /// Meta's id of the business number written to.
    pub phone_number_id: String,
    /// The customer's WhatsApp id (their number, digits only).
    pub from: String,
    /// The customer's WhatsApp profile name, if they share one.
    pub name: Option<String>,
    /// What the customer sent.
    pub content: InboundContent,
    /// When the customer sent it, in Unix seconds; now when `None`. An earlier time plays a
    /// customer who wrote long ago, whose window may have closed.
    pub timestamp: Option<i64>,
}

/// What a customer sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundContent {
    /// A text message.
    Text {
        /// The message text.
        body: String,
    },
    /// An image, video, audio file, document or sticker: which one follows from the MIME type of
    /// the stored media (see [`MediaKind::of_mime`]). Store the bytes first with
    /// [`SimulatorEngine::upload_media`], as the customer's phone uploads them to Meta.
    Media {
        /// The id of the stored media.
        media_id: String,
        /// The customer's caption; only images, videos and documents carry one, as on Meta, so
        /// it is left out of the webhook of other kinds.
        caption: Option<String>,
        /// The file name; only documents carry one, so it is left out for other kinds.
        filename: Option<String>,
    },
}

/// A message an engine accepted before a restart, to [resume](SimulatorEngine::resume) the
/// status webhooks of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resumed {
    /// The business number it was sent from.
    pub phone_number_id: String,
    /// The id the engine gave it, `wamid.…`.
    pub wamid: String,
    /// The recipient's WhatsApp id, whose last four digits choose the statuses.
    pub recipient: String,
    /// A template, priced and windowed as one; anything else is free-form.
    pub template: bool,
    /// The last of its statuses the receiver took.
    pub reached: Reached,
}

/// The Cloud API took a message: what Meta answers, field for field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendSuccess {
    /// `to` exactly as the request gave it.
    pub input: String,
    /// The recipient's WhatsApp id.
    pub wa_id: String,
    /// The new message's id, `wamid.…`; its statuses arrive by webhook under it.
    pub wamid: String,
    /// `accepted` for a template, as Meta reports it; `None` (absent) for other messages.
    pub message_status: Option<&'static str>,
}

impl SendSuccess {
    /// Meta's success body: `{"messaging_product":"whatsapp","contacts":[{"input":..,
    /// "wa_id":..}],"messages":[{"id":"wamid.…"}]}`, with `message_status` for a template.
    pub fn to_json(&self) -> Value {
        let mut message = json!({ "id": self.wamid });
        if let Some(status) = self.message_status {
            message["message_status"] = json!(status);
        }
        json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": self.input, "wa_id": self.wa_id}],
            "messages": [message],
        })
    }
}
