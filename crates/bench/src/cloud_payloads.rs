//! Signed WhatsApp Cloud API webhook deliveries, as Meta sends them.

use serde_json::{Value, json};

use crate::server::APP_SECRET;

/// A business number the benchmark creates.
#[derive(Debug, Clone)]
pub struct Number {
    pub id: i64,
    pub phone_number_id: String,
    pub display_phone_number: String,
}

/// A body and its `X-Hub-Signature-256`, made before the clock starts.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub body: Vec<u8>,
    pub signature: String,
    /// Messages or statuses it carries.
    pub items: u64,
}

impl Delivery {
    /// This delivery's signed POST to the webhook at `url`, as Meta sends it.
    pub fn post(&self, client: &reqwest::Client, url: &str) -> reqwest::RequestBuilder {
        client
            .post(url)
            .header("content-type", "application/json")
            .header("x-hub-signature-256", &self.signature)
            .body(self.body.clone())
    }
}

fn signed(envelope: &Value, items: usize) -> Delivery {
    let body = envelope.to_string().into_bytes();
    Delivery {
        items: items as u64,
        signature: switchboard_whatsapp::signature::signature_header(APP_SECRET.as_bytes(), &body),
        body,
    }
}

fn envelope(number: &Number, value: Value) -> Value {
    let mut value = value;
    value["messaging_product"] = json!("whatsapp");
    value["metadata"] = json!({
        "display_phone_number": number.display_phone_number.trim_start_matches('+'),
        "phone_number_id": number.phone_number_id,
    });
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}],
    })
}

/// The customer's WhatsApp id for contact `n`. It ends in 1, which the mock provider treats as
/// an ordinary recipient (other endings script failures and retries).
pub fn wa_id(n: usize) -> String {
    format!("1555{n:06}1")
}

/// The WhatsApp id of silent customer `n`: it ends in 0003, for which the mock provider
/// accepts messages and then sends no status webhook, leaving the statuses to the benchmark.
pub fn silent_wa_id(n: usize) -> String {
    format!("1556{n:05}0003")
}

/// One inbound text message from contact `contact` to `number`.
pub fn inbound_text(number: &Number, from: &str, wamid: &str, unix_seconds: i64) -> Delivery {
    signed(
        &envelope(
            number,
            json!({
                "contacts": [{"profile": {"name": format!("Customer {from}")}, "wa_id": from}],
                "messages": [{
                    "from": from,
                    "id": wamid,
                    "timestamp": unix_seconds.to_string(),
                    "type": "text",
                    "text": {"body": "Hi! Is my order on its way? It was due yesterday."},
                }],
            }),
        ),
        1,
    )
}

/// Status updates for outbound messages: `(wamid, recipient wa_id)` each with `status`.
pub fn statuses(
    number: &Number,
    messages: &[(String, String)],
    status: &str,
    unix_seconds: i64,
) -> Delivery {
    let statuses: Vec<Value> = messages
        .iter()
        .map(|(wamid, recipient)| {
            json!({
                "id": wamid,
                "status": status,
                "timestamp": unix_seconds.to_string(),
                "recipient_id": recipient,
                "conversation": {"id": "c0ffee", "origin": {"type": "service"}},
                "pricing": {"billable": true, "pricing_model": "PMP", "category": "service"},
            })
        })
        .collect();
    signed(
        &envelope(number, json!({"statuses": statuses})),
        messages.len(),
    )
}
