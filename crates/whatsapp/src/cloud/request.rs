//! Cloud API request bodies from the domain's outbound messages.

use serde_json::{Value, json};
use switchboard_domain::media::model::MediaKind;
use switchboard_domain::outbound::model::{OutboundContent, OutboundMessage};

/// The body of `POST /{phone_number_id}/messages` for a send. The mock gateway sends the same
/// body to the simulator engine, so the engine checks what Meta would get.
///
/// # Errors
/// A description when stored template components are not a JSON array, or a media message has
/// no uploaded media id yet.
pub fn send_body(message: &OutboundMessage) -> Result<Value, String> {
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
        OutboundContent::Media {
            kind,
            filename,
            caption,
            media_id,
            ..
        } => {
            let id = media_id
                .as_ref()
                .ok_or("a media message is sent by the id of its uploaded file, which it lacks")?;
            let mut media = json!({ "id": id });
            // Meta shows captions on images, videos and documents only, file names on documents.
            if let Some(caption) = caption.as_ref().filter(|_| kind.takes_caption()) {
                media["caption"] = json!(caption);
            }
            if *kind == MediaKind::Document {
                media["filename"] = json!(filename);
            }
            body["type"] = json!(kind.as_str());
            body[kind.as_str()] = media;
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

/// The body that marks an inbound message read (the mock gateway's too).
pub fn read_body(wamid: &str) -> Value {
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

    fn media(kind: MediaKind, caption: Option<&str>, media_id: Option<&str>) -> OutboundContent {
        OutboundContent::Media {
            kind,
            mime_type: "application/pdf".into(),
            key: "attachments/1".into(),
            filename: "invoice.pdf".into(),
            caption: caption.map(str::to_owned),
            size: 10,
            sha256: String::new(),
            media_id: media_id.map(str::to_owned),
        }
    }

    #[test]
    fn media_goes_by_id_with_caption_and_a_documents_filename() {
        let image = send_body(&message(
            media(MediaKind::Image, Some("look"), Some("1037")),
            None,
        ))
        .unwrap();
        assert_eq!(image["type"], "image");
        assert_eq!(image["image"], json!({"id": "1037", "caption": "look"}));

        let document = send_body(&message(
            media(MediaKind::Document, Some("your invoice"), Some("1038")),
            None,
        ))
        .unwrap();
        assert_eq!(
            document["document"],
            json!({"id": "1038", "caption": "your invoice", "filename": "invoice.pdf"})
        );

        let sticker = send_body(&message(
            media(MediaKind::Sticker, None, Some("1039")),
            None,
        ))
        .unwrap();
        assert_eq!(sticker["sticker"], json!({"id": "1039"}));
    }

    #[test]
    fn media_without_an_uploaded_id_cannot_be_sent() {
        assert!(send_body(&message(media(MediaKind::Audio, None, None), None)).is_err());
    }

    #[test]
    fn a_read_receipt_names_the_message() {
        assert_eq!(
            read_body("wamid.Y"),
            json!({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.Y"})
        );
    }
}
