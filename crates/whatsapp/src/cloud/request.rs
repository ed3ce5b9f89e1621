//! Cloud API request bodies from the domain's outbound messages.

use serde_json::{Value, json};
use switchboard_domain::gateway::{OutboundContent, OutboundMessage};

/// The body of `POST /{phone_number_id}/messages` for a send.
///
/// # Errors
/// A description when stored template components are not a JSON array.
pub(crate) fn send_body(message: &OutboundMessage) -> Result<Value, String> {
    let mut body = json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": message.to,
    });
    match &message.content {
        OutboundContent::Text { body: text } => {
            body["type"] = json!("text");
            body["text"] = json!({"preview_url": false, "body": text});
        }
        OutboundContent::Reaction { message_id, emoji } => {
            body["type"] = json!("reaction");
            body["reaction"] = json!({"message_id": message_id, "emoji": emoji});
        }
        OutboundContent::Template {
            name,
            language,
            components_json,
        } => {
            let components: Value = serde_json::from_str(components_json)
                .map_err(|e| format!("template components are not JSON: {e}"))?;
            if !components.is_array() {
                return Err("template components must be a JSON array".to_owned());
            }
            body["type"] = json!("template");
            body["template"] =
                json!({"name": name, "language": {"code": language}, "components": components});
        }
    }
    if let Some(reply_to) = &message.reply_to {
        body["context"] = json!({"message_id": reply_to});
    }
    Ok(body)
}

/// The body that marks an inbound message read.
pub(crate) fn read_body(wamid: &str) -> Value {
    json!({"messaging_product": "whatsapp", "status": "read", "message_id": wamid})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(content: OutboundContent, reply_to: Option<&str>) -> OutboundMessage {
        OutboundMessage {
            phone_number_id: "106540352242922".into(),
            to: "16505551234".into(),
            content,
            reply_to: reply_to.map(str::to_owned),
        }
    }

    #[test]
    fn a_text_reply_has_metas_shape_with_context() {
        let body = send_body(&message(
            OutboundContent::Text {
                body: "Hello".into(),
            },
            Some("wamid.X"),
        ))
        .unwrap();
        assert_eq!(
            body,
            json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": "16505551234",
                   "type": "text", "text": {"preview_url": false, "body": "Hello"},
                   "context": {"message_id": "wamid.X"}})
        );
    }

    #[test]
    fn a_template_carries_name_language_and_components() {
        let content = OutboundContent::Template {
            name: "order_update".into(),
            language: "en_US".into(),
            components_json: r#"[{"type":"body","parameters":[{"type":"text","text":"42"}]}]"#
                .into(),
        };
        let body = send_body(&message(content, None)).unwrap();
        assert_eq!(body["template"]["name"], "order_update");
        assert_eq!(body["template"]["language"]["code"], "en_US");
        assert_eq!(
            body["template"]["components"][0]["parameters"][0]["text"],
            "42"
        );
        assert!(body.get("context").is_none());
    }

    #[test]
    fn template_components_must_be_an_array() {
        let content = OutboundContent::Template {
            name: "x".into(),
            language: "en".into(),
            components_json: "{}".into(),
        };
        assert!(send_body(&message(content, None)).is_err());
    }

    #[test]
    fn a_reaction_names_the_message_and_the_emoji() {
        let content = OutboundContent::Reaction {
            message_id: "wamid.Z".into(),
            emoji: "\u{1f44d}".into(),
        };
        let body = send_body(&message(content, None)).unwrap();
        assert_eq!(body["type"], "reaction");
        assert_eq!(
            body["reaction"],
            json!({"message_id": "wamid.Z", "emoji": "\u{1f44d}"})
        );
    }

    #[test]
    fn a_read_receipt_names_the_message() {
        assert_eq!(
            read_body("wamid.Y"),
            json!({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.Y"})
        );
    }
}
