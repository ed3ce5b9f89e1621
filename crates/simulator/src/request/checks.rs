//! Each message type's own object, checked as the Cloud API checks it.

use crate::error::GraphError;
use serde_json::{Map, Value};
// Meta's limit, which the domain's own rule mirrors.
use switchboard_domain::outbound::content::MAX_TEXT_CHARS;

use super::Kind;

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

/// Checks the payload object named after the message `kind`.
pub(super) fn check_payload(body: &Map<String, Value>, kind: &str) -> Result<Kind, GraphError> {
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
pub(super) fn required_str<'a>(
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
