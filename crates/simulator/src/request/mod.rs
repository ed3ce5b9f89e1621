//! Reading the body of `POST /{phone_number_id}/messages` as the Cloud API does: a message to
//! send or a read receipt, checked field by field in Meta's order, so that the fault reported is
//! the one Meta would report first.

use serde_json::{Map, Value};

use crate::error::GraphError;
use crate::media::MediaKind;

mod checks;
#[cfg(test)]
mod tests;

use checks::{check_payload, required_str};

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
