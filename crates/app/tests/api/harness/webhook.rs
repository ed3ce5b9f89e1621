//! What Meta posts to the webhook: the envelope, customers' messages and delivery statuses.

use serde_json::{Value, json};

/// The business number most tests seed (see [`super::SUPPORT`]).
pub const PHONE_NUMBER_ID: &str = "106540352242922";

/// The customer of the default envelope.
pub const CUSTOMER: &str = "16505551234";

/// A `whatsapp_business_account` delivery to `phone_number_id`, from the customer
/// "Sheena Nelson" ([`CUSTOMER`]).
pub fn envelope(phone_number_id: &str, messages: Value, statuses: Value) -> Value {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": phone_number_id},
            "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": CUSTOMER}],
            "messages": messages,
            "statuses": statuses,
        }}]}],
    })
}

/// A customer's text message with Meta's timestamp `secs_ago` seconds in the past.
pub fn inbound(id: &str, from: &str, body: &str, secs_ago: i64) -> Value {
    let at = chrono::Utc::now().timestamp() - secs_ago;
    json!({"from": from, "id": id, "timestamp": at.to_string(), "type": "text", "text": {"body": body}})
}

/// A delivery status of an outbound message, stamped now.
pub fn status(wamid: &str, status: &str) -> Value {
    let at = chrono::Utc::now().timestamp();
    json!({"id": wamid, "status": status, "timestamp": at.to_string(), "recipient_id": CUSTOMER})
}
