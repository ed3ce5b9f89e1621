//! Inbound messages: the fields every message shares, plus a typed view of its payload.
//!
//! Each message is read as JSON first and typed by hand from its `type`, so that a type we do not
//! know, or a payload we cannot read, degrades to [`MessageContent::Unsupported`] instead of
//! failing the whole envelope. The raw JSON is kept either way: it is what we store.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{WireError, unix_seconds};

/// A message a customer sent to a business number.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "Value")]
pub struct InboundMessage {
    /// The sender's WhatsApp id (their number, digits only).
    pub from: String,
    /// The WhatsApp message id (`wamid.…`), unique per message; the dedup key.
    pub id: String,
    /// When the customer sent it, in Unix seconds (Meta's clock, not ours).
    pub timestamp: i64,
    /// Set for a reply to an earlier message, or for a forwarded message.
    pub context: Option<Context>,
    /// The message's `type` as sent, also for types we do not know.
    pub kind: String,
    /// The typed payload.
    pub content: MessageContent,
    /// The whole message object exactly as received.
    pub raw: Value,
}

/// The fields every message has, whatever its type.
#[derive(Deserialize)]
struct Common {
    from: String,
    id: String,
    #[serde(deserialize_with = "unix_seconds")]
    timestamp: i64,
    context: Option<Context>,
    #[serde(rename = "type")]
    kind: String,
}

impl TryFrom<Value> for InboundMessage {
    type Error = String;

    fn try_from(raw: Value) -> Result<Self, Self::Error> {
        let common = Common::deserialize(&raw).map_err(|error| format!("message: {error}"))?;
        Ok(Self {
            content: MessageContent::from_wire(&common.kind, &raw),
            from: common.from,
            id: common.id,
            timestamp: common.timestamp,
            context: common.context,
            kind: common.kind,
            raw,
        })
    }
}

/// What an inbound message refers to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Context {
    /// The sender of the message replied to (our business number for a reply to us).
    pub from: Option<String>,
    /// The WhatsApp id of the message replied to.
    pub id: Option<String>,
    /// The message was forwarded.
    #[serde(default)]
    pub forwarded: bool,
    /// The message was forwarded more than five times.
    #[serde(default)]
    pub frequently_forwarded: bool,
}

/// The typed payload of an inbound message.
#[derive(Debug, Clone, PartialEq)]
pub enum MessageContent {
    /// Plain text.
    Text {
        /// The text.
        body: String,
    },
    /// A picture.
    Image(Media),
    /// A video.
    Video(Media),
    /// An audio file or, with [`Media::voice`], a voice note.
    Audio(Media),
    /// A document, usually with [`Media::filename`].
    Document(Media),
    /// A sticker, possibly [`Media::animated`].
    Sticker(Media),
    /// A shared location.
    Location {
        /// Degrees north.
        latitude: f64,
        /// Degrees east.
        longitude: f64,
        /// The place's name, for a named place.
        name: Option<String>,
        /// The place's address, for a named place.
        address: Option<String>,
    },
    /// Shared contact cards, the `contacts` array as sent.
    Contacts(Value),
    /// The customer's answer to an interactive message we sent.
    Interactive(InteractiveReply),
    /// The customer pressed a quick-reply button of a template we sent.
    Button {
        /// The payload we attached to the button.
        payload: String,
        /// The button's label.
        text: String,
    },
    /// A reaction to an earlier message.
    Reaction {
        /// The WhatsApp id of the message reacted to.
        message_id: String,
        /// The emoji; `None` when the customer removed their reaction (Meta sends it empty or
        /// leaves it out).
        emoji: Option<String>,
    },
    /// An order from a catalog, the `order` object as sent.
    Order(Value),
    /// A system notice (e.g. the customer changed their number), the `system` object as sent.
    System(Value),
    /// A message we cannot read: Meta's own `unsupported` type, a type we do not know, or a known
    /// type whose payload does not have the documented shape.
    Unsupported {
        /// The message's `type` as sent.
        kind: String,
        /// Meta's explanation, for its `unsupported` type.
        errors: Vec<WireError>,
    },
}

/// The answer to an interactive message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InteractiveReply {
    /// The customer pressed a reply button.
    ButtonReply {
        /// The id we gave the button.
        id: String,
        /// The button's label.
        title: String,
    },
    /// The customer picked a row of a list.
    ListReply {
        /// The id we gave the row.
        id: String,
        /// The row's title.
        title: String,
        /// The row's description, if it had one.
        description: Option<String>,
    },
}

/// A media attachment, as announced in a webhook: fetch the bytes by `id` through the media API.
/// Fields that only some media kinds have are `None` or `false` for the others.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Media {
    /// The media id, to look up and download.
    pub id: String,
    /// The MIME type, e.g. `image/jpeg`.
    pub mime_type: Option<String>,
    /// The SHA-256 of the file, base64 as Meta sends it.
    pub sha256: Option<String>,
    /// The caption the customer wrote (images, videos, documents).
    pub caption: Option<String>,
    /// The file name (documents).
    pub filename: Option<String>,
    /// A short-lived download URL, when Meta includes one.
    pub url: Option<String>,
    /// A voice note rather than an audio file (audio).
    #[serde(default)]
    pub voice: bool,
    /// An animated sticker (stickers).
    #[serde(default)]
    pub animated: bool,
}

#[derive(Deserialize)]
struct TextPayload {
    body: String,
}

#[derive(Deserialize)]
struct LocationPayload {
    latitude: f64,
    longitude: f64,
    name: Option<String>,
    address: Option<String>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum InteractivePayload {
    ButtonReply { button_reply: ReplyPayload },
    ListReply { list_reply: ReplyPayload },
}

#[derive(Deserialize)]
struct ReplyPayload {
    id: String,
    title: String,
    description: Option<String>,
}

impl From<InteractivePayload> for InteractiveReply {
    fn from(payload: InteractivePayload) -> Self {
        match payload {
            InteractivePayload::ButtonReply {
                button_reply: reply,
            } => Self::ButtonReply {
                id: reply.id,
                title: reply.title,
            },
            InteractivePayload::ListReply { list_reply: reply } => Self::ListReply {
                id: reply.id,
                title: reply.title,
                description: reply.description,
            },
        }
    }
}

#[derive(Deserialize)]
struct ButtonPayload {
    payload: String,
    text: String,
}

#[derive(Deserialize)]
struct ReactionPayload {
    message_id: String,
    emoji: Option<String>,
}

/// The member `key` of `message` read as `T`, or `None` if it is absent or has another shape.
fn member<T: DeserializeOwned>(message: &Value, key: &str) -> Option<T> {
    T::deserialize(message.get(key)?).ok()
}

impl MessageContent {
    /// Reads the payload of a message of type `kind`, which Meta puts under the member named
    /// after the type.
    fn from_wire(kind: &str, message: &Value) -> Self {
        let verbatim = || message.get(kind).cloned();
        let content = match kind {
            "text" => {
                member::<TextPayload>(message, kind).map(|text| Self::Text { body: text.body })
            }
            "image" => member(message, kind).map(Self::Image),
            "video" => member(message, kind).map(Self::Video),
            "audio" => member(message, kind).map(Self::Audio),
            "document" => member(message, kind).map(Self::Document),
            "sticker" => member(message, kind).map(Self::Sticker),
            "location" => member::<LocationPayload>(message, kind).map(|place| Self::Location {
                latitude: place.latitude,
                longitude: place.longitude,
                name: place.name,
                address: place.address,
            }),
            "contacts" => verbatim().map(Self::Contacts),
            "interactive" => member::<InteractivePayload>(message, kind)
                .map(|reply| Self::Interactive(reply.into())),
            "button" => member::<ButtonPayload>(message, kind).map(|button| Self::Button {
                payload: button.payload,
                text: button.text,
            }),
            "reaction" => member::<ReactionPayload>(message, kind).map(|reaction| Self::Reaction {
                message_id: reaction.message_id,
                emoji: reaction.emoji.filter(|emoji| !emoji.is_empty()),
            }),
            "order" => verbatim().map(Self::Order),
            "system" => verbatim().map(Self::System),
            _ => None,
        };
        content.unwrap_or_else(|| Self::Unsupported {
            kind: kind.to_owned(),
            errors: member(message, "errors").unwrap_or_default(),
        })
    }

    /// A short text to show for the message in a conversation list: the text body, a media
    /// caption, a pressed button's label or a picked reply's title.
    pub fn text_preview(&self) -> Option<&str> {
        match self {
            Self::Text { body } => Some(body),
            Self::Image(media)
            | Self::Video(media)
            | Self::Audio(media)
            | Self::Document(media)
            | Self::Sticker(media) => media.caption.as_deref(),
            Self::Button { text, .. } => Some(text),
            Self::Interactive(
                InteractiveReply::ButtonReply { title, .. }
                | InteractiveReply::ListReply { title, .. },
            ) => Some(title),
            Self::Location { .. }
            | Self::Contacts(_)
            | Self::Reaction { .. }
            | Self::Order(_)
            | Self::System(_)
            | Self::Unsupported { .. } => None,
        }
    }
}
