//! The schema of a message's `payload`: the Cloud API's message object, told apart by `type`.
//! Documentation types only: the payload is answered exactly as stored, so the schema is open
//! (a catch-all for the types Meta adds, extra fields allowed) and accepts every stored payload.
//!
//! Outbound payloads are `{"type": kind, kind: {...}}` as the store writes them; inbound ones are
//! Meta's message object as received, with `from`, `id`, `timestamp` and maybe `context`.
#![allow(dead_code)] // The types exist for their schemas; nothing is built from them.

use utoipa::openapi::schema::{AllOfBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use super::open_union::open_union;
use super::template_component::TemplateComponent;

/// A message's payload: the fields an inbound message has, and one of the typed contents (or
/// another type, kept as sent).
#[derive(Debug)]
pub struct MessagePayload;

impl PartialSchema for MessagePayload {
    fn schema() -> RefOr<Schema> {
        AllOfBuilder::new()
            .item(Ref::from_schema_name(InboundMessageFields::name()))
            .item(open_union(
                &KnownMessagePayload::name(),
                "The typed content, named by `type`.",
                "A type Switchboard does not model (the message's own `type` is then `unsupported`), or a known type whose content does not have the documented shape; kept exactly as Meta sent it.",
                true,
            ))
            .description(Some(
                "The full message as JSON, told apart by `type`: Meta's message object for an inbound message, `{\"type\": kind, kind: {...}}` for an outbound one.",
            ))
            .into()
    }
}

impl ToSchema for MessagePayload {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            InboundMessageFields::name().into_owned(),
            InboundMessageFields::schema(),
        ));
        <InboundMessageFields as ToSchema>::schemas(schemas);
        schemas.push((
            KnownMessagePayload::name().into_owned(),
            KnownMessagePayload::schema(),
        ));
        <KnownMessagePayload as ToSchema>::schemas(schemas);
    }
}

/// What Meta sends beside the content of every inbound message (absent on outbound ones).
#[derive(Debug, ToSchema)]
pub struct InboundMessageFields {
    /// The sender's WhatsApp id (digits only).
    #[schema(example = "16505551234")]
    pub from: Option<String>,
    /// WhatsApp's message id.
    pub id: Option<String>,
    /// Unix seconds, as a string.
    #[schema(example = "1749416383")]
    pub timestamp: Option<String>,
    pub context: Option<MessageContextPayload>,
}

/// What an inbound message replies to, or that it was forwarded.
#[derive(Debug, ToSchema)]
pub struct MessageContextPayload {
    pub from: Option<String>,
    pub id: Option<String>,
    pub forwarded: Option<bool>,
    pub frequently_forwarded: Option<bool>,
}

/// The contents Switchboard documents, each under the member named after its `type`.
#[derive(Debug, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum KnownMessagePayload {
    Text {
        text: TextPayload,
    },
    Image {
        image: MediaPayload,
    },
    Video {
        video: MediaPayload,
    },
    Audio {
        audio: MediaPayload,
    },
    Document {
        document: MediaPayload,
    },
    Sticker {
        sticker: MediaPayload,
    },
    Reaction {
        reaction: ReactionPayload,
    },
    /// Outbound only.
    Template {
        template: TemplatePayload,
    },
    Location {
        location: LocationPayload,
    },
    Contacts {
        contacts: Vec<ContactCardPayload>,
    },
    /// The customer's answer to an interactive message.
    Interactive {
        interactive: InteractivePayload,
    },
    /// The customer pressed a template's quick-reply button.
    Button {
        button: ButtonPayload,
    },
    Order {
        order: OrderPayload,
    },
    System {
        system: SystemPayload,
    },
    /// Meta could not deliver the content to the API; `errors` says why.
    Unsupported {
        errors: Option<Vec<WireErrorPayload>>,
    },
}

#[derive(Debug, ToSchema)]
pub struct TextPayload {
    pub body: String,
}

/// A file: Meta's media id and details (inbound), or the file name, caption and, once uploaded,
/// media id (outbound).
#[derive(Debug, ToSchema)]
pub struct MediaPayload {
    pub id: Option<String>,
    #[schema(example = "image/jpeg")]
    pub mime_type: Option<String>,
    /// Base64, as Meta sends it.
    pub sha256: Option<String>,
    pub caption: Option<String>,
    pub filename: Option<String>,
    pub url: Option<String>,
    /// A voice note (audio).
    pub voice: Option<bool>,
    /// An animated sticker.
    pub animated: Option<bool>,
}

#[derive(Debug, ToSchema)]
pub struct ReactionPayload {
    pub message_id: String,
    /// Absent or empty when the customer removed their reaction.
    pub emoji: Option<String>,
}

#[derive(Debug, ToSchema)]
pub struct TemplatePayload {
    pub name: String,
    pub language: TemplateLanguagePayload,
    pub components: Vec<TemplateComponent>,
}

#[derive(Debug, ToSchema)]
pub struct TemplateLanguagePayload {
    #[schema(example = "en_US")]
    pub code: String,
}

#[derive(Debug, ToSchema)]
pub struct LocationPayload {
    pub latitude: f64,
    pub longitude: f64,
    pub name: Option<String>,
    pub address: Option<String>,
    pub url: Option<String>,
}

/// A shared contact card (Meta's shape; only the commonest fields are listed).
#[derive(Debug, ToSchema)]
pub struct ContactCardPayload {
    pub name: Option<ContactNamePayload>,
    pub phones: Option<Vec<ContactPhonePayload>>,
}

#[derive(Debug, ToSchema)]
pub struct ContactNamePayload {
    pub formatted_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

#[derive(Debug, ToSchema)]
pub struct ContactPhonePayload {
    pub phone: Option<String>,
    pub wa_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// `button_reply` or `list_reply`, as `type` says.
#[derive(Debug, ToSchema)]
pub struct InteractivePayload {
    #[serde(rename = "type")]
    #[schema(example = "button_reply")]
    pub kind: String,
    pub button_reply: Option<ReplyPayload>,
    pub list_reply: Option<ReplyPayload>,
}

#[derive(Debug, ToSchema)]
pub struct ReplyPayload {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
}

#[derive(Debug, ToSchema)]
pub struct ButtonPayload {
    pub payload: String,
    pub text: String,
}

/// An order from a catalog.
#[derive(Debug, ToSchema)]
pub struct OrderPayload {
    pub catalog_id: Option<String>,
    pub text: Option<String>,
    pub product_items: Option<Vec<ProductItemPayload>>,
}

#[derive(Debug, ToSchema)]
pub struct ProductItemPayload {
    pub product_retailer_id: Option<String>,
    pub quantity: Option<f64>,
    pub item_price: Option<f64>,
    pub currency: Option<String>,
}

/// A system notice, such as the customer changing their number.
#[derive(Debug, ToSchema)]
pub struct SystemPayload {
    pub body: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub wa_id: Option<String>,
}

/// An error as Meta reports it in webhooks.
#[derive(Debug, ToSchema)]
pub struct WireErrorPayload {
    #[schema(example = 131051)]
    pub code: i64,
    pub title: Option<String>,
    pub message: Option<String>,
    pub error_data: Option<WireErrorData>,
}

#[derive(Debug, ToSchema)]
pub struct WireErrorData {
    pub details: Option<String>,
}
