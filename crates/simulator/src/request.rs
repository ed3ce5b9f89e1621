//! Reading the body of `POST /{phone_number_id}/messages` as the Cloud API does: a message to
//! send or a read receipt, checked field by field in Meta's order, so that the fault reported is
//! the one Meta would report first.

use serde_json::{Map, Value};

use crate::error::GraphError;
use crate::media::MediaKind;

/// The Cloud API's longest text body, in characters.
const MAX_TEXT_CHARS: usize = 4096;
/// The most reply buttons an interactive `button` message may carry.
const MAX_REPLY_BUTTONS: usize = 3;
/// The most rows an interactive `list` message may carry, across all its sections.
const MAX_LIST_ROWS: usize = 10;
/// Media message types; each payload names an uploaded media `id` or a public `link`.
const MEDIA_TYPES: [&str; 5] = ["image", "document", "audio", "video", "sticker"];
/// Interactive types the simulator takes as they are; `button` and `list` are checked further.
const UNCHECKED_INTERACTIVE_TYPES: [&str; 6] = [
    "cta_url",
    "flow",
    "product",
    "product_list",
    "catalog_message",
    "location_request_message",
];

/// A checked send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SendRequest<'a> {
    /// `to` exactly as given; Meta echoes it as `contacts[].input`.
    pub(super) input: &'a str,
    /// The recipient's WhatsApp id: `to` without its `+`.
    pub(super) wa_id: &'a str,
    pub(super) kind: Kind,
    /// For a media message by `id`: the kind its `type` names and the id, which must name
    /// stored media of that kind.
    pub(super) media_id: Option<(MediaKind, &'a str)>,
}

/// What matters about a send's `type` after the checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// An approved template: allowed at any time and billed.
    Template,
    /// Anything else (text, media, interactive, reaction, ...): only inside the customer-service
    /// window.
    FreeForm,
}

/// Whether `body` is a read receipt rather than a message: Meta tells them apart by `status`.
pub(super) fn is_read_receipt(body: &Value) -> bool {
    body.get("status").is_some()
}

/// Reads `body` as a read receipt and returns the id of the message it marks as read.
///
/// # Errors
/// 100 when `messaging_product` or `status` is wrong or `message_id` empty, 131008 when
/// `message_id` is missing.
pub(super) fn parse_mark_read(body: &Value) -> Result<&str, GraphError> {
    let body = envelope(body)?;
    if body.get("status").and_then(Value::as_str) != Some("read") {
        return Err(GraphError::invalid_parameter(
            "Param status must be one of {READ}.",
        ));
    }
    let message_id = required_str(body, "message_id", "message_id")?;
    if message_id.is_empty() {
        return Err(GraphError::invalid_parameter(
            "Param message_id must not be empty",
        ));
    }
    Ok(message_id)
}

/// Reads `body` as a message to send, checked field by field in Meta's order.
///
/// # Errors
/// The [`GraphError`] Meta answers for the first fault: 100 for a wrong value, 131008 for a
/// missing one, 131009 for a broken rule, 131051 for an unknown `type`, 132001 for a template
/// without a name.
pub(super) fn parse_send(body: &Value) -> Result<SendRequest<'_>, GraphError> {
    let body = envelope(body)?;
    match body.get("recipient_type") {
        None => {}
        Some(Value::String(kind)) if kind == "individual" => {}
        Some(other) => {
            return Err(GraphError::invalid_parameter(format!(
                "Param recipient_type must be one of {{INDIVIDUAL}} - got {other}."
            )));
        }
    }
    let input = match body.get("to") {
        None => {
            return Err(GraphError::required_parameter_missing(
                "The parameter to is required.",
            ));
        }
        Some(Value::String(to)) => to.as_str(),
        Some(other) => {
            return Err(GraphError::invalid_parameter(format!(
                "Param to must be a string, got {other}"
            )));
        }
    };
    let wa_id = wa_id(input).ok_or_else(|| {
        GraphError::invalid_parameter(format!(
            "Param to must be a phone number of 7 to 15 digits, got {input:?}"
        ))
    })?;
    // Meta sends text when `type` is left out.
    let kind = match body.get("type") {
        None => "text",
        Some(Value::String(kind)) => kind.as_str(),
        Some(other) => {
            return Err(GraphError::invalid_parameter(format!(
                "Param type must be a string, got {other}"
            )));
        }
    };
    let media_id = MediaKind::of_message_type(kind).zip(
        body.get(kind)
            .and_then(|media| media.get("id"))
            .and_then(Value::as_str),
    );
    let kind = check_payload(body, kind)?;
    if let Some(context) = body.get("context") {
        let context = context
            .as_object()
            .ok_or_else(|| GraphError::invalid_parameter("Param context must be a JSON object"))?;
        required_str(context, "message_id", "context['message_id']")?;
    }
    Ok(SendRequest {
        input,
        wa_id,
        kind,
        media_id,
    })
}

/// The body as an object whose `messaging_product` is `whatsapp`, which Meta checks first.
fn envelope(body: &Value) -> Result<&Map<String, Value>, GraphError> {
    let body = body
        .as_object()
        .ok_or_else(|| GraphError::invalid_parameter("The request body must be a JSON object"))?;
    match body.get("messaging_product") {
        None => Err(GraphError::invalid_parameter(
            "The parameter messaging_product is required.",
        )),
        Some(Value::String(product)) if product == "whatsapp" => Ok(body),
        Some(other) => Err(GraphError::invalid_parameter(format!(
            "Param messaging_product must be one of {{WHATSAPP}} - got {other}."
        ))),
    }
}

/// A phone number written as Meta accepts it in `to` and `from`: 7 to 15 digits after an
/// optional `+`. Returns the digits, which are the customer's WhatsApp id.
pub(super) fn wa_id(number: &str) -> Option<&str> {
    let digits = number.strip_prefix('+').unwrap_or(number);
    ((7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some(digits)
}

/// Checks the payload object named after the message `kind`.
fn check_payload(body: &Map<String, Value>, kind: &str) -> Result<Kind, GraphError> {
    let known = kind == "text"
        || kind == "template"
        || kind == "interactive"
        || kind == "reaction"
        || kind == "location"
        || kind == "contacts"
        || MEDIA_TYPES.contains(&kind);
    if !known {
        return Err(GraphError::unsupported_message_type(format!(
            "Message type {kind} is not currently supported"
        )));
    }
    let payload = match body.get(kind) {
        None => {
            return Err(GraphError::required_parameter_missing(format!(
                "Parameter of type {kind} is missing {kind} value"
            )));
        }
        Some(payload) => payload,
    };
    if kind == "contacts" {
        return match payload.as_array() {
            Some(cards) if !cards.is_empty() => Ok(Kind::FreeForm),
            _ => Err(GraphError::invalid_parameter(
                "Param contacts must be a non-empty array",
            )),
        };
    }
    let payload = payload.as_object().ok_or_else(|| {
        GraphError::invalid_parameter(format!("Param {kind} must be a JSON object"))
    })?;
    match kind {
        "text" => check_text(payload).map(|()| Kind::FreeForm),
        "template" => check_template(payload).map(|()| Kind::Template),
        "interactive" => check_interactive(payload).map(|()| Kind::FreeForm),
        "reaction" => check_reaction(payload).map(|()| Kind::FreeForm),
        "location" => check_location(payload).map(|()| Kind::FreeForm),
        _ => check_media(kind, payload).map(|()| Kind::FreeForm),
    }
}

fn check_text(text: &Map<String, Value>) -> Result<(), GraphError> {
    let body = required_str(text, "body", "text['body']")?;
    if body.is_empty() {
        return Err(GraphError::invalid_parameter(
            "Param text['body'] must not be empty",
        ));
    }
    if body.chars().count() > MAX_TEXT_CHARS {
        return Err(GraphError::invalid_parameter(format!(
            "Param text['body'] must be at most {MAX_TEXT_CHARS} characters long"
        )));
    }
    Ok(())
}

fn check_template(template: &Map<String, Value>) -> Result<(), GraphError> {
    let name = template.get("name").and_then(Value::as_str).unwrap_or("");
    let language = template
        .get("language")
        .and_then(|language| language.get("code"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if name.is_empty() {
        return Err(GraphError::template_missing(format!(
            "template name (empty) does not exist in {language}"
        )));
    }
    if language.is_empty() {
        return Err(GraphError::invalid_parameter(
            "Param template['language']['code'] is required",
        ));
    }
    match template.get("components") {
        None | Some(Value::Array(_)) => Ok(()),
        Some(_) => Err(GraphError::invalid_parameter(
            "Param template['components'] must be a JSON array",
        )),
    }
}

fn check_interactive(interactive: &Map<String, Value>) -> Result<(), GraphError> {
    let kind = required_str(interactive, "type", "interactive['type']")?;
    match kind {
        "button" => {
            required_body_text(interactive)?;
            let buttons = required(interactive, "action", "interactive['action']")?
                .get("buttons")
                .and_then(Value::as_array)
                .ok_or_else(|| {
                    GraphError::required_parameter_missing(
                        "The parameter interactive['action']['buttons'] is required.",
                    )
                })?;
            if buttons.is_empty() || buttons.len() > MAX_REPLY_BUTTONS {
                return Err(GraphError::parameter_value_not_valid(format!(
                    "Buttons count should be between 1 and {MAX_REPLY_BUTTONS}, got {}",
                    buttons.len()
                )));
            }
            Ok(())
        }
        "list" => {
            required_body_text(interactive)?;
            let action = required(interactive, "action", "interactive['action']")?;
            required_str_in(action, "button", "interactive['action']['button']")?;
            let sections = action
                .get("sections")
                .and_then(Value::as_array)
                .filter(|sections| !sections.is_empty())
                .ok_or_else(|| {
                    GraphError::required_parameter_missing(
                        "The parameter interactive['action']['sections'] is required.",
                    )
                })?;
            let rows: usize = sections
                .iter()
                .map(|section| {
                    section
                        .get("rows")
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len)
                })
                .sum();
            if rows == 0 || rows > MAX_LIST_ROWS {
                return Err(GraphError::parameter_value_not_valid(format!(
                    "Total row count should be between 1 and {MAX_LIST_ROWS}, got {rows}"
                )));
            }
            Ok(())
        }
        kind if UNCHECKED_INTERACTIVE_TYPES.contains(&kind) => Ok(()),
        kind => Err(GraphError::invalid_parameter(format!(
            "Param interactive['type'] must be one of button, list, {} - got {kind:?}",
            UNCHECKED_INTERACTIVE_TYPES.join(", ")
        ))),
    }
}

fn required_body_text(interactive: &Map<String, Value>) -> Result<(), GraphError> {
    let body = required(interactive, "body", "interactive['body']")?;
    required_str_in(body, "text", "interactive['body']['text']").map(drop)
}

fn check_reaction(reaction: &Map<String, Value>) -> Result<(), GraphError> {
    let message_id = required_str(reaction, "message_id", "reaction['message_id']")?;
    if message_id.is_empty() {
        return Err(GraphError::invalid_parameter(
            "Param reaction['message_id'] must not be empty",
        ));
    }
    // An empty emoji is valid: it removes the reaction.
    required_str(reaction, "emoji", "reaction['emoji']").map(drop)
}

fn check_location(location: &Map<String, Value>) -> Result<(), GraphError> {
    for coordinate in ["latitude", "longitude"] {
        match location.get(coordinate) {
            None => {
                return Err(GraphError::required_parameter_missing(format!(
                    "The parameter location['{coordinate}'] is required."
                )));
            }
            Some(value) if value.is_number() => {}
            Some(other) => {
                return Err(GraphError::invalid_parameter(format!(
                    "Param location['{coordinate}'] must be a number, got {other}"
                )));
            }
        }
    }
    Ok(())
}

/// A media payload names exactly one of an uploaded media `id` or a public `link`; the engine
/// then checks that the `id` names stored media.
fn check_media(kind: &str, media: &Map<String, Value>) -> Result<(), GraphError> {
    let id = media.get("id").and_then(Value::as_str);
    let link = media.get("link").and_then(Value::as_str);
    match (id, link) {
        (Some(id), None) if !id.is_empty() => Ok(()),
        (None, Some(link)) if link.starts_with("https://") || link.starts_with("http://") => Ok(()),
        (None, None) => Err(GraphError::required_parameter_missing(format!(
            "Param {kind} must have either an id or a link"
        ))),
        _ => Err(GraphError::invalid_parameter(format!(
            "Param {kind} must have exactly one of a non-empty id or an http(s) link"
        ))),
    }
}

/// The member `key` of `object`; `path` names it in the error, Meta style.
fn required<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a Value, GraphError> {
    object.get(key).ok_or_else(|| {
        GraphError::required_parameter_missing(format!("The parameter {path} is required."))
    })
}

/// The string member `key` of `object` (which may be empty).
fn required_str<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a str, GraphError> {
    required(object, key, path)?
        .as_str()
        .ok_or_else(|| GraphError::invalid_parameter(format!("Param {path} must be a string")))
}

/// [`required_str`] on a value that must itself be an object.
fn required_str_in<'a>(value: &'a Value, key: &str, path: &str) -> Result<&'a str, GraphError> {
    let object = value.as_object().ok_or_else(|| {
        GraphError::required_parameter_missing(format!("The parameter {path} is required."))
    })?;
    required_str(object, key, path)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn code(body: &Value) -> i64 {
        let result = if is_read_receipt(body) {
            parse_mark_read(body).map(drop)
        } else {
            parse_send(body).map(drop)
        };
        result.expect_err("expected a refusal").code
    }

    fn send(body: &Value) -> SendRequest<'_> {
        parse_send(body).unwrap()
    }

    fn with(key: &str, kind: &str, payload: Value) -> Value {
        let mut body = json!({"messaging_product": "whatsapp", "to": "+16505551234", "type": kind});
        body[key] = payload;
        body
    }

    #[test]
    fn a_text_send_echoes_to_and_strips_the_plus_for_the_wa_id() {
        let body = with("text", "text", json!({"preview_url": false, "body": "hi"}));

        assert_eq!(
            send(&body),
            SendRequest {
                input: "+16505551234",
                wa_id: "16505551234",
                kind: Kind::FreeForm,
                media_id: None,
            }
        );
    }

    #[test]
    fn type_defaults_to_text_as_on_the_cloud_api() {
        let body =
            json!({"messaging_product": "whatsapp", "to": "16505551234", "text": {"body": "hi"}});

        assert_eq!(send(&body).kind, Kind::FreeForm);
        assert_eq!(
            code(&json!({"messaging_product": "whatsapp", "to": "16505551234"})),
            131008
        );
    }

    #[test]
    fn envelope_faults_are_100_when_wrong_and_131008_when_missing() {
        let text = json!({"body": "hi"});
        assert_eq!(code(&json!([])), 100);
        assert_eq!(code(&json!({"to": "16505551234", "text": text})), 100);
        assert_eq!(
            code(&json!({"messaging_product": "sms", "to": "16505551234", "text": text})),
            100
        );
        assert_eq!(
            code(
                &json!({"messaging_product": "whatsapp", "recipient_type": "group", "to": "16505551234", "text": text})
            ),
            100
        );
        assert_eq!(
            code(&json!({"messaging_product": "whatsapp", "text": text})),
            131008
        );
        assert_eq!(
            code(&json!({"messaging_product": "whatsapp", "to": 16505551234_i64, "text": text})),
            100
        );
        assert_eq!(code(&with("text", "text", json!("hi"))), 100);
        let mut reply = with("text", "text", text);
        reply["context"] = json!({});
        assert_eq!(code(&reply), 131008);
    }

    #[test]
    fn unknown_and_inbound_only_types_are_unsupported() {
        for kind in ["sms", "order", "system", "unsupported", ""] {
            assert_eq!(code(&with(kind, kind, json!({}))), 131051, "{kind}");
        }
    }

    #[test]
    fn templates_need_a_name_a_language_and_array_components() {
        let template = |payload| with("template", "template", payload);

        assert_eq!(
            send(&template(
                json!({"name": "order_update", "language": {"code": "en_US"}})
            ))
            .kind,
            Kind::Template
        );
        assert_eq!(
            code(&template(json!({"language": {"code": "en_US"}}))),
            132001
        );
        assert_eq!(code(&template(json!({"name": "order_update"}))), 100);
        assert_eq!(
            code(&template(
                json!({"name": "x", "language": {"code": "en"}, "components": {}})
            )),
            100
        );
    }

    #[test]
    fn interactive_buttons_are_one_to_three_and_lists_need_sections() {
        let buttons = |count: usize| {
            let buttons: Vec<Value> = (0..count)
                .map(|i| json!({"type": "reply", "reply": {"id": i.to_string(), "title": "Yes"}}))
                .collect();
            with(
                "interactive",
                "interactive",
                json!({"type": "button", "body": {"text": "Pick"}, "action": {"buttons": buttons}}),
            )
        };
        send(&buttons(3));
        assert_eq!(code(&buttons(4)), 131009);
        assert_eq!(code(&buttons(0)), 131009);
        assert_eq!(
            code(&with(
                "interactive",
                "interactive",
                json!({"type": "button", "action": {"buttons": []}})
            )),
            131008
        );

        let list = |sections: Value| {
            with(
                "interactive",
                "interactive",
                json!({"type": "list", "body": {"text": "Pick"},
                       "action": {"button": "Options", "sections": sections}}),
            )
        };
        send(&list(
            json!([{"title": "A", "rows": [{"id": "1", "title": "One"}]}]),
        ));
        assert_eq!(code(&list(json!([]))), 131008);
        let eleven: Vec<Value> = (0..11)
            .map(|i| json!({"id": i.to_string(), "title": "Row"}))
            .collect();
        assert_eq!(code(&list(json!([{"title": "A", "rows": eleven}]))), 131009);
        assert_eq!(
            code(&with(
                "interactive",
                "interactive",
                json!({"type": "carousel"})
            )),
            100
        );
    }

    #[test]
    fn reactions_media_and_locations_need_their_fields() {
        send(&with(
            "reaction",
            "reaction",
            json!({"message_id": "wamid.x", "emoji": "👍"}),
        ));
        send(&with(
            "reaction",
            "reaction",
            json!({"message_id": "wamid.x", "emoji": ""}),
        ));
        assert_eq!(
            code(&with("reaction", "reaction", json!({"emoji": "👍"}))),
            131008
        );

        let image = with(
            "image",
            "image",
            json!({"id": "1037543291543636", "caption": "look"}),
        );
        assert_eq!(
            send(&image).media_id,
            Some((MediaKind::Image, "1037543291543636"))
        );
        let document = with(
            "document",
            "document",
            json!({"link": "https://example.com/a.pdf"}),
        );
        assert_eq!(send(&document).media_id, None);
        assert_eq!(
            code(&with("video", "video", json!({"caption": "x"}))),
            131008
        );
        assert_eq!(
            code(&with(
                "audio",
                "audio",
                json!({"id": "1", "link": "https://example.com/a"})
            )),
            100
        );

        send(&with(
            "location",
            "location",
            json!({"latitude": 1.5, "longitude": -3}),
        ));
        assert_eq!(
            code(&with("location", "location", json!({"latitude": 1.5}))),
            131008
        );
        assert_eq!(code(&with("contacts", "contacts", json!([]))), 100);
    }

    #[test]
    fn mark_read_needs_status_read_and_a_non_empty_message_id() {
        let read =
            json!({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.x"});
        assert!(is_read_receipt(&read));
        assert_eq!(parse_mark_read(&read), Ok("wamid.x"));
        assert_eq!(
            code(
                &json!({"messaging_product": "whatsapp", "status": "delivered", "message_id": "wamid.x"})
            ),
            100
        );
        assert_eq!(
            code(&json!({"messaging_product": "whatsapp", "status": "read"})),
            131008
        );
        assert_eq!(
            code(&json!({"messaging_product": "whatsapp", "status": "read", "message_id": ""})),
            100
        );
        assert_eq!(
            code(&json!({"status": "read", "message_id": "wamid.x"})),
            100
        );
    }
}
