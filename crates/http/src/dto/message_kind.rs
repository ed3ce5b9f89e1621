//! A message's `type`, as the domain stores it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Meta's message type. Inbound messages of a type Switchboard cannot read (or whose content
/// does not have the documented shape) are `unsupported`; their `payload` keeps Meta's own
/// `type`. `template` is outbound only.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MessageKindDto {
    Text,
    Image,
    Video,
    Audio,
    Document,
    Sticker,
    Reaction,
    Template,
    Location,
    Contacts,
    Interactive,
    Button,
    Order,
    System,
    Unsupported,
}

impl MessageKindDto {
    const ALL: [Self; 15] = [
        Self::Text,
        Self::Image,
        Self::Video,
        Self::Audio,
        Self::Document,
        Self::Sticker,
        Self::Reaction,
        Self::Template,
        Self::Location,
        Self::Contacts,
        Self::Interactive,
        Self::Button,
        Self::Order,
        Self::System,
        Self::Unsupported,
    ];

    /// The type's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Image => "image",
            Self::Video => "video",
            Self::Audio => "audio",
            Self::Document => "document",
            Self::Sticker => "sticker",
            Self::Reaction => "reaction",
            Self::Template => "template",
            Self::Location => "location",
            Self::Contacts => "contacts",
            Self::Interactive => "interactive",
            Self::Button => "button",
            Self::Order => "order",
            Self::System => "system",
            Self::Unsupported => "unsupported",
        }
    }

    /// The stored type; a name outside the list (only rows written before unreadable types
    /// were stored as `unsupported` can hold one) is `unsupported`.
    pub fn from_stored(kind: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == kind)
            .unwrap_or(Self::Unsupported)
    }
}

/// Lets clients compare with the wire name (`assert_eq!(message.kind, "text")`).
impl PartialEq<&str> for MessageKindDto {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::MessageKindDto;

    #[test]
    fn every_kind_reads_back_from_its_wire_name_and_serialises_as_it() {
        for kind in MessageKindDto::ALL {
            assert_eq!(MessageKindDto::from_stored(kind.as_str()), kind);
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::from(kind.as_str())
            );
        }
    }

    #[test]
    fn a_stored_type_outside_the_list_is_unsupported() {
        assert_eq!(
            MessageKindDto::from_stored("ephemeral"),
            MessageKindDto::Unsupported
        );
    }
}
