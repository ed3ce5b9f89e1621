//! The HTTP Cloud API simulator on a loopback port, driven with reqwest as a Cloud API client
//! would drive Meta, with a webhook receiver standing in for the desk.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};
use switchboard_domain::outbound::model::is_transient;
use switchboard_simulator::{SimulatorConfig, ThroughputLimits, bind};
use switchboard_test_support::{Post, WebhookReceiver};
use switchboard_whatsapp::webhook::{Envelope, MessageContent, StatusKind};

const SECRET: &[u8] = b"simulator-app-secret-for-tests";
const TOKEN: &str = "EAAsimulatorTestToken";
const NUMBER_ID: &str = "106540352242922";
const CUSTOMER: &str = "16505551234";

/// The envelopes of the `posts` the desk took (answered with a success), each checked to be
/// what Meta sends: ASCII-only JSON, signed over the exact bytes.
fn taken(posts: &[Post]) -> Vec<Envelope> {
    posts
        .iter()
        .filter(|post| post.accepted())
        .map(|post| post.envelope(SECRET))
        .collect()
}

/// The kinds and error codes of the statuses about `wamid`, across `posts` in arrival order.
fn statuses_of(posts: &[Envelope], wamid: &str) -> Vec<(StatusKind, Vec<i64>)> {
    posts
        .iter()
        .flat_map(Envelope::statuses)
        .filter(|(_, status)| status.id == wamid)
        .map(|(_, status)| {
            let codes = status.errors.iter().map(|error| error.code).collect();
            (status.status.clone(), codes)
        })
        .collect()
}

fn kinds(statuses: &[(StatusKind, Vec<i64>)]) -> Vec<StatusKind> {
    statuses.iter().map(|(kind, _)| kind.clone()).collect()
}

/// One simulator on a loopback port, with its receiver and an HTTP client.
struct Simulator {
    base_url: String,
    client: reqwest::Client,
    /// The desk's webhook.
    receiver: WebhookReceiver,
}

/// One answer of the simulator.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Simulator {
    async fn start() -> Self {
        Self::with(WebhookReceiver::start().await, false)
    }

    fn with(receiver: WebhookReceiver, throughput_limits: bool) -> Self {
        let (address, server) = bind(SimulatorConfig {
            bind: "127.0.0.1:0".parse().unwrap(),
            callback_url: receiver.url().to_owned(),
            app_secret: SECRET.to_vec(),
            access_token: TOKEN.to_owned(),
            status_delays: [Duration::ZERO; 3],
            numbers: vec![(NUMBER_ID.to_owned(), "+1 555-078-3881".to_owned())],
            throughput_limits,
        })
        .unwrap();
        actix_web::rt::spawn(server);
        Self {
            base_url: format!("http://{address}"),
            // An HTTP proxy from the environment must not stand between the test and loopback.
            client: reqwest::Client::builder().no_proxy().build().unwrap(),
            receiver,
        }
    }

    async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> Answer {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base_url))
            .header("Content-Type", "application/json")
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.json().await.unwrap();
        Answer {
            status,
            headers,
            body,
        }
    }

    /// `POST /v23.0/{NUMBER_ID}/messages` with the right token.
    async fn messages(&self, body: &Value) -> Answer {
        self.post(
            &format!("/v23.0/{NUMBER_ID}/messages"),
            Some(TOKEN),
            body.to_string(),
        )
        .await
    }

    /// Sends `body` and returns the new message's id, failing unless it was accepted.
    async fn accepted(&self, body: &Value) -> String {
        let answer = self.messages(body).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        answer.body["messages"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Plays `from` writing `text` to [`NUMBER_ID`], at `timestamp` when given.
    async fn customer_writes(&self, from: &str, text: &str, timestamp: Option<i64>) -> Answer {
        let mut body = json!({"phone_number_id": NUMBER_ID, "from": from, "text": text});
        if let Some(timestamp) = timestamp {
            body["timestamp"] = json!(timestamp);
        }
        self.post("/control/inbound", Some(TOKEN), body.to_string())
            .await
    }

    /// The envelopes the desk took so far, in arrival order.
    fn webhooks(&self) -> Vec<Envelope> {
        taken(&self.receiver.posts())
    }

    /// Waits until `wamid` has `count` statuses the desk took and returns them, in arrival
    /// order.
    async fn wait_for_statuses(&self, wamid: &str, count: usize) -> Vec<(StatusKind, Vec<i64>)> {
        self.receiver
            .wait_until(format!("{count} statuses for {wamid}"), |posts| {
                let statuses = statuses_of(&taken(posts), wamid);
                (statuses.len() >= count).then_some(statuses)
            })
            .await
    }
}

fn text(to: &str, body: &str) -> Value {
    json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"preview_url": false, "body": body},
    })
}

fn template(to: &str) -> Value {
    json!({
        "messaging_product": "whatsapp",
        "to": to,
        "type": "template",
        "template": {
            "name": "order_update",
            "language": {"code": "en_US"},
            "components": [{"type": "body", "parameters": [{"type": "text", "text": "42"}]}],
        },
    })
}

/// `body` without its `fbtrace_id`, which must be there and is random.
fn without_trace(mut body: Value) -> Value {
    let trace = body["error"]
        .as_object_mut()
        .unwrap()
        .remove("fbtrace_id")
        .unwrap();
    assert!(!trace.as_str().unwrap().is_empty());
    body
}

/// Meta's error body for a WhatsApp-layer error, without the trace id.
fn whatsapp_error(code: i64, title: &str, details: &str) -> Value {
    json!({"error": {
        "message": format!("(#{code}) {title}"),
        "type": "OAuthException",
        "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": details},
    }})
}

#[actix_web::test]
async fn text_to_a_customer_who_wrote_gets_metas_success_json_then_signed_sent_delivered_read() {
    let simulator = Simulator::start().await;
    assert_eq!(
        simulator
            .customer_writes(CUSTOMER, "Hi!", None)
            .await
            .status,
        200
    );

    let answer = simulator.messages(&text("+16505551234", "Olá 👋")).await;

    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.headers["content-type"].to_str().unwrap(),
        "application/json"
    );
    let wamid = answer.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(wamid.starts_with("wamid.") && wamid.len() > 20, "{wamid}");
    assert_eq!(
        answer.body,
        json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": "+16505551234", "wa_id": CUSTOMER}],
            "messages": [{"id": wamid}],
        })
    );
    let statuses = simulator.wait_for_statuses(&wamid, 3).await;
    assert_eq!(
        kinds(&statuses),
        [StatusKind::Sent, StatusKind::Delivered, StatusKind::Read]
    );
    let posts = simulator.webhooks();
    let (metadata, status) = posts
        .iter()
        .flat_map(Envelope::statuses)
        .find(|(_, status)| status.id == wamid)
        .unwrap();
    assert_eq!(metadata.phone_number_id, NUMBER_ID);
    assert_eq!(metadata.display_phone_number, "15550783881");
    assert_eq!(status.recipient_id, CUSTOMER);
    assert_eq!(status.pricing.as_ref().unwrap()["category"], "service");
}

#[actix_web::test]
async fn control_inbound_posts_a_signed_message_webhook_and_answers_its_wamid() {
    let simulator = Simulator::start().await;

    let answer = simulator
        .post(
            "/control/inbound",
            Some(TOKEN),
            json!({"phone_number_id": NUMBER_ID, "from": "+5511987654321",
                   "name": "José Ñandú", "text": "Tem em azul? 👋"})
            .to_string(),
        )
        .await;

    assert_eq!(answer.status, 200, "{answer:?}");
    let wamid = answer.body["wamid"].as_str().unwrap();
    // No waiting: the webhook was answered before the control route was.
    let posts = simulator.webhooks();
    assert_eq!(posts.len(), 1);
    let (metadata, contacts, message) = posts[0].messages().next().unwrap();
    assert_eq!(metadata.phone_number_id, NUMBER_ID);
    assert_eq!(metadata.display_phone_number, "15550783881");
    assert_eq!(contacts[0].wa_id, "5511987654321");
    assert_eq!(contacts[0].profile.as_ref().unwrap().name, "José Ñandú");
    assert_eq!(message.from, "5511987654321");
    assert_eq!(message.id, wamid);
    assert_eq!(
        message.content,
        MessageContent::Text {
            body: "Tem em azul? 👋".to_owned()
        }
    );
}

#[actix_web::test]
async fn control_inbound_answers_502_when_the_desk_refuses_the_webhook() {
    let simulator = Simulator::with(WebhookReceiver::answering([500]).await, false);

    let answer = simulator.customer_writes(CUSTOMER, "hello", None).await;

    assert_eq!(answer.status, 502, "{answer:?}");
    assert!(
        answer.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("500"),
        "{answer:?}"
    );
}

#[actix_web::test]
async fn control_inbound_refuses_an_unregistered_number_and_a_malformed_sender() {
    let simulator = Simulator::start().await;

    let unknown = simulator
        .post(
            "/control/inbound",
            Some(TOKEN),
            json!({"phone_number_id": "999", "from": CUSTOMER, "text": "hi"}).to_string(),
        )
        .await;
    let malformed = simulator.customer_writes("12ab", "hi", None).await;

    assert_eq!(unknown.status, 404, "{unknown:?}");
    assert_eq!(malformed.status, 400, "{malformed:?}");
    assert!(simulator.webhooks().is_empty());
}

#[actix_web::test]
async fn free_text_to_a_customer_who_never_wrote_is_accepted_then_fails_with_131047_until_they_write()
 {
    let simulator = Simulator::start().await;

    let refused = simulator.accepted(&text(CUSTOMER, "Are you there?")).await;

    let statuses = simulator.wait_for_statuses(&refused, 1).await;
    assert_eq!(statuses[0], (StatusKind::Failed, vec![131047]));

    simulator.customer_writes(CUSTOMER, "Yes!", None).await;
    let delivered = simulator.accepted(&text(CUSTOMER, "Great")).await;

    assert_eq!(
        kinds(&simulator.wait_for_statuses(&delivered, 3).await),
        [StatusKind::Sent, StatusKind::Delivered, StatusKind::Read]
    );
    // The refused message got its failure and nothing else, even after the customer wrote.
    assert_eq!(
        statuses_of(&simulator.webhooks(), &refused),
        [(StatusKind::Failed, vec![131047])]
    );
}

#[actix_web::test]
async fn a_customer_whose_last_message_is_over_24_hours_old_is_outside_the_window() {
    let simulator = Simulator::start().await;
    let yesterday = Utc::now().timestamp() - 25 * 60 * 60;
    simulator
        .customer_writes(CUSTOMER, "old news", Some(yesterday))
        .await;

    let wamid = simulator
        .accepted(&text(CUSTOMER, "Sorry for the wait"))
        .await;

    assert_eq!(
        simulator.wait_for_statuses(&wamid, 1).await[0],
        (StatusKind::Failed, vec![131047])
    );
}

#[actix_web::test]
async fn template_to_a_customer_who_never_wrote_is_accepted_with_message_status_and_delivered() {
    let simulator = Simulator::start().await;

    let answer = simulator.messages(&template(CUSTOMER)).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    let wamid = answer.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        answer.body,
        json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": CUSTOMER, "wa_id": CUSTOMER}],
            "messages": [{"id": wamid, "message_status": "accepted"}],
        })
    );
    assert_eq!(
        kinds(&simulator.wait_for_statuses(&wamid, 3).await),
        [StatusKind::Sent, StatusKind::Delivered, StatusKind::Read]
    );
}

#[actix_web::test]
async fn missing_or_wrong_bearer_token_is_refused_with_401_and_metas_error_190() {
    let simulator = Simulator::start().await;
    let expected = json!({"error": {
        "message": "Invalid OAuth access token - Cannot parse access token",
        "type": "OAuthException",
        "code": 190,
    }});
    let messages = format!("/v23.0/{NUMBER_ID}/messages");
    let inbound = json!({"phone_number_id": NUMBER_ID, "from": CUSTOMER, "text": "hi"});

    for (path, token, body) in [
        (messages.as_str(), None, text(CUSTOMER, "hi")),
        (
            messages.as_str(),
            Some("EAAsomeoneElsesToken"),
            text(CUSTOMER, "hi"),
        ),
        (messages.as_str(), Some(""), text(CUSTOMER, "hi")),
        ("/control/inbound", None, inbound.clone()),
        ("/control/numbers", Some("wrong"), inbound),
    ] {
        let answer = simulator.post(path, token, body.to_string()).await;

        assert_eq!(answer.status, 401, "{path} {token:?}");
        assert_eq!(without_trace(answer.body), expected, "{path} {token:?}");
    }
    assert!(simulator.webhooks().is_empty());
}

#[actix_web::test]
async fn unknown_phone_number_id_is_refused_with_400_and_error_100_subcode_33() {
    let simulator = Simulator::start().await;

    let answer = simulator
        .post(
            "/v23.0/123456789/messages",
            Some(TOKEN),
            text(CUSTOMER, "hi").to_string(),
        )
        .await;

    assert_eq!(answer.status, 400);
    assert_eq!(
        without_trace(answer.body),
        json!({"error": {
            "message": "Unsupported post request. Object with ID '123456789' does not exist, \
                        cannot be loaded due to missing permissions, or does not support this \
                        operation. Please read the Graph API documentation at \
                        https://developers.facebook.com/docs/graph-api",
            "type": "GraphMethodException",
            "code": 100,
            "error_subcode": 33,
        }})
    );
}

#[actix_web::test]
async fn body_that_is_not_json_is_refused_with_400_and_error_100() {
    let simulator = Simulator::start().await;

    let answer = simulator
        .post(
            &format!("/v23.0/{NUMBER_ID}/messages"),
            Some(TOKEN),
            "to=16505551234&type=text",
        )
        .await;

    assert_eq!(answer.status, 400);
    assert_eq!(answer.body["error"]["code"], 100);
    assert_eq!(answer.body["error"]["message"], "(#100) Invalid parameter");
}

#[actix_web::test]
async fn unsupported_message_type_is_refused_with_metas_exact_131051_error() {
    let simulator = Simulator::start().await;

    let answer = simulator
        .messages(&json!({"messaging_product": "whatsapp", "to": CUSTOMER,
                          "type": "hologram", "hologram": {}}))
        .await;

    assert_eq!(answer.status, 400);
    assert_eq!(
        without_trace(answer.body),
        whatsapp_error(
            131051,
            "Unsupported message type",
            "Message type hologram is not currently supported"
        )
    );
}

#[actix_web::test]
async fn missing_to_is_refused_with_131008_required_parameter_missing() {
    let simulator = Simulator::start().await;

    let answer = simulator
        .messages(&json!({"messaging_product": "whatsapp", "type": "text",
                          "text": {"body": "hi"}}))
        .await;

    assert_eq!(answer.status, 400);
    assert_eq!(
        without_trace(answer.body),
        whatsapp_error(
            131008,
            "Required parameter is missing",
            "The parameter to is required."
        )
    );
}

#[actix_web::test]
async fn invalid_messages_get_the_cloud_api_error_codes() {
    let simulator = Simulator::start().await;
    let buttons: Vec<Value> = (1..=4)
        .map(|i| json!({"type": "reply", "reply": {"id": i.to_string(), "title": "Yes"}}))
        .collect();
    let cases = [
        (
            "no messaging_product",
            json!({"to": CUSTOMER, "text": {"body": "hi"}}),
            100,
        ),
        ("empty text", text(CUSTOMER, ""), 100),
        ("4097 characters", text(CUSTOMER, &"é".repeat(4097)), 100),
        ("letters in to", text("1650555abcd", "hi"), 100),
        (
            "no text object",
            json!({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "text"}),
            131008,
        ),
        (
            "template without a name",
            json!({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "template",
                   "template": {"language": {"code": "en_US"}}}),
            132001,
        ),
        (
            "four reply buttons",
            json!({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "interactive",
                   "interactive": {"type": "button", "body": {"text": "Pick one"},
                                   "action": {"buttons": buttons}}}),
            131009,
        ),
        (
            "reaction without message_id",
            json!({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "reaction",
                   "reaction": {"emoji": "👍"}}),
            131008,
        ),
    ];

    for (case, body, code) in cases {
        let answer = simulator.messages(&body).await;

        assert_eq!(answer.status, 400, "{case}");
        assert_eq!(answer.body["error"]["code"], code, "{case}: {answer:?}");
        assert!(!is_transient(code), "{case}");
    }
    assert!(simulator.webhooks().is_empty());
}

#[actix_web::test]
async fn test_numbers_answer_over_http_as_in_process() {
    let simulator = Simulator::start().await;

    let undeliverable = simulator.messages(&template("16505550000")).await;
    let unavailable = simulator.messages(&template("16505550500")).await;
    let limited = simulator.messages(&template("16505550429")).await;

    assert_eq!(
        (undeliverable.status, &undeliverable.body["error"]["code"]),
        (400, &json!(131026))
    );
    assert_eq!(
        (unavailable.status, &unavailable.body["error"]["code"]),
        (500, &json!(131000))
    );
    assert_eq!(limited.body["error"]["code"], 130429);
    assert_eq!(limited.headers["retry-after"].to_str().unwrap(), "1");
}

#[actix_web::test]
async fn reaction_and_reply_context_are_accepted() {
    let simulator = Simulator::start().await;
    let inbound = simulator
        .customer_writes(CUSTOMER, "Is it blue?", None)
        .await;
    let inbound_wamid = inbound.body["wamid"].as_str().unwrap();

    let reaction = simulator
        .accepted(&json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": CUSTOMER,
            "type": "reaction",
            "reaction": {"message_id": inbound_wamid, "emoji": "👍"},
        }))
        .await;
    let mut reply = text(CUSTOMER, "Yes, it is.");
    reply["context"] = json!({"message_id": inbound_wamid});
    let reply = simulator.accepted(&reply).await;

    for wamid in [reaction, reply] {
        assert_eq!(
            kinds(&simulator.wait_for_statuses(&wamid, 3).await),
            [StatusKind::Sent, StatusKind::Delivered, StatusKind::Read]
        );
    }
}

#[actix_web::test]
async fn mark_read_answers_success_true() {
    let simulator = Simulator::start().await;
    let inbound = simulator.customer_writes(CUSTOMER, "Hello?", None).await;

    let answer = simulator
        .messages(&json!({
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": inbound.body["wamid"],
        }))
        .await;

    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, json!({"success": true}));
}

#[actix_web::test]
async fn with_throughput_limits_a_burst_over_the_pair_limit_gets_transient_131056_for_the_excess() {
    let simulator = Simulator::with(WebhookReceiver::start().await, true);
    let burst = ThroughputLimits::default().pair_burst;
    simulator
        .customer_writes(CUSTOMER, "Tell me more", None)
        .await;

    for i in 0..burst {
        simulator
            .accepted(&text(CUSTOMER, &format!("part {i}")))
            .await;
    }
    let excess = simulator.messages(&text(CUSTOMER, "one too many")).await;

    assert_eq!(excess.status, 400, "{excess:?}");
    assert_eq!(
        without_trace(excess.body),
        whatsapp_error(
            131056,
            "(Business Account, Consumer Account) pair rate limit hit",
            "Message failed to send because there were too many messages sent from this phone \
             number to the same phone number in a short period of time."
        )
    );
    assert!(is_transient(131056));
    let wait: u64 = excess.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=6).contains(&wait), "{wait}");
    // The limit is per pair: a template to another customer still goes.
    simulator.accepted(&template("447700900123")).await;
}

#[actix_web::test]
async fn numbers_registered_at_control_numbers_can_send_with_their_display_number() {
    let simulator = Simulator::start().await;

    let registered = simulator
        .post(
            "/control/numbers",
            Some(TOKEN),
            json!({"phone_number_id": "100000000000042", "display_phone_number": "+1 555 010 0042"})
                .to_string(),
        )
        .await;
    let malformed = simulator
        .post(
            "/control/numbers",
            Some(TOKEN),
            json!({"phone_number_id": "10/42", "display_phone_number": "+1 555 010 0042"})
                .to_string(),
        )
        .await;
    let sent = simulator
        .post(
            "/v23.0/100000000000042/messages",
            Some(TOKEN),
            template(CUSTOMER).to_string(),
        )
        .await;

    assert_eq!(registered.status, 200);
    assert_eq!(registered.body, json!({"success": true}));
    assert_eq!(malformed.status, 400, "{malformed:?}");
    assert_eq!(sent.status, 200, "{sent:?}");
    let wamid = sent.body["messages"][0]["id"].as_str().unwrap();
    simulator.wait_for_statuses(wamid, 1).await;
    let posts = simulator.webhooks();
    let (metadata, _) = posts
        .iter()
        .flat_map(Envelope::statuses)
        .find(|(_, status)| status.id == wamid)
        .unwrap();
    assert_eq!(metadata.phone_number_id, "100000000000042");
    assert_eq!(metadata.display_phone_number, "15550100042");
}

#[actix_web::test]
async fn healthz_answers_ok_without_a_token() {
    let simulator = Simulator::start().await;

    let response = simulator
        .client
        .get(format!("{}/healthz", simulator.base_url))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"status": "ok"})
    );
}

// Media: uploads, look-ups, downloads, deletes, media sends and customers' media.

const BOUNDARY: &str = "switchboard-test-boundary";

/// A multipart form of text `fields` and, when given, a `file` part with its content type.
fn upload_form(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((content_type, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; \
                 filename=\"upload\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// A JPEG's first bytes and some more: the simulator does not decode images.
fn jpeg(size: usize) -> Vec<u8> {
    let mut bytes = vec![0x5a; size];
    bytes[..4].copy_from_slice(&[0xff, 0xd8, 0xff, 0xe0]);
    bytes
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

impl Simulator {
    /// `POST /v23.0/{NUMBER_ID}/media` with `file` as `mime_type`.
    async fn upload(&self, mime_type: &str, file: &[u8]) -> Answer {
        self.upload_form(upload_form(
            &[("messaging_product", "whatsapp"), ("type", mime_type)],
            Some((mime_type, file)),
        ))
        .await
    }

    async fn upload_form(&self, form: Vec<u8>) -> Answer {
        let response = self
            .client
            .post(format!("{}/v23.0/{NUMBER_ID}/media", self.base_url))
            .bearer_auth(TOKEN)
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(form)
            .send()
            .await
            .unwrap();
        answer(response).await
    }

    /// Uploads `file` and returns its media id, failing unless the upload was taken.
    async fn uploaded(&self, mime_type: &str, file: &[u8]) -> String {
        let answer = self.upload(mime_type, file).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        answer.body["id"].as_str().unwrap().to_owned()
    }

    /// `GET /v23.0/{media_id}` with the right token.
    async fn look_up(&self, media_id: &str) -> Answer {
        let response = self
            .client
            .get(format!("{}/v23.0/{media_id}", self.base_url))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        answer(response).await
    }

    /// `GET url`, with `token` as the bearer when given.
    async fn download(&self, url: &str, token: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap();
    Answer {
        status,
        headers,
        body,
    }
}

fn media_message(kind: &str, media: Value) -> Value {
    let mut body = json!({"messaging_product": "whatsapp", "to": CUSTOMER, "type": kind});
    body[kind] = media;
    body
}

#[actix_web::test]
async fn an_upload_can_be_looked_up_and_downloaded_from_an_absolute_url_on_the_simulator() {
    let simulator = Simulator::start().await;
    let file = jpeg(2048);

    let answer = simulator.upload("image/jpeg", &file).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    let media_id = answer.body["id"].as_str().unwrap().to_owned();
    assert!(
        !media_id.is_empty() && media_id.bytes().all(|b| b.is_ascii_digit()),
        "{media_id}"
    );
    assert_eq!(answer.body, json!({ "id": media_id }));

    let info = simulator.look_up(&media_id).await;
    assert_eq!(info.status, 200, "{info:?}");
    let url = info.body["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&format!("{}/", simulator.base_url)),
        "{url}"
    );
    assert_eq!(
        info.body,
        json!({
            "messaging_product": "whatsapp",
            "url": url,
            "mime_type": "image/jpeg",
            "sha256": sha256_hex(&file),
            "file_size": 2048,
            "id": media_id,
        })
    );

    let download = simulator.download(&url, Some(TOKEN)).await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "image/jpeg");
    assert_eq!(download.bytes().await.unwrap().as_ref(), file.as_slice());
}

#[actix_web::test]
async fn a_download_without_the_bearer_token_is_refused_with_401_and_error_190() {
    let simulator = Simulator::start().await;
    let media_id = simulator.uploaded("application/pdf", b"%PDF-1.7").await;
    let url = simulator.look_up(&media_id).await.body["url"]
        .as_str()
        .unwrap()
        .to_owned();

    for token in [None, Some("EAAwrong")] {
        let download = simulator.download(&url, token).await;
        assert_eq!(download.status(), 401, "{token:?}");
        let body: Value = download.json().await.unwrap();
        assert_eq!(body["error"]["code"], 190, "{token:?}");
    }
}

#[actix_web::test]
async fn deleted_media_can_no_longer_be_looked_up_or_downloaded() {
    let simulator = Simulator::start().await;
    let media_id = simulator.uploaded("audio/ogg", b"OggS audio").await;
    let url = simulator.look_up(&media_id).await.body["url"]
        .as_str()
        .unwrap()
        .to_owned();

    let deleted = simulator
        .client
        .delete(format!("{}/v23.0/{media_id}", simulator.base_url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();

    let deleted = answer(deleted).await;
    assert_eq!(deleted.status, 200, "{deleted:?}");
    assert_eq!(deleted.body, json!({ "success": true }));
    let info = simulator.look_up(&media_id).await;
    assert_eq!(info.status, 400, "{info:?}");
    assert_eq!(info.body["error"]["code"], 100);
    assert_eq!(info.body["error"]["error_subcode"], 33);
    let download = simulator.download(&url, Some(TOKEN)).await;
    assert_eq!(download.status(), 404);
    let body: Value = download.json().await.unwrap();
    assert_eq!(body["error"]["code"], 100);
}

#[actix_web::test]
async fn an_image_over_5_mb_is_refused_with_131053_media_upload_error() {
    let simulator = Simulator::start().await;

    let answer = simulator
        .upload("image/png", &jpeg(5 * 1024 * 1024 + 1))
        .await;

    assert_eq!(answer.status, 400, "{answer:?}");
    assert_eq!(answer.body["error"]["code"], 131053);
    assert_eq!(
        answer.body["error"]["message"],
        "(#131053) Media upload error"
    );
    assert!(
        answer.body["error"]["error_data"]["details"]
            .as_str()
            .unwrap()
            .contains("5242880"),
        "{answer:?}"
    );
}

#[actix_web::test]
async fn a_mime_type_whatsapp_does_not_take_is_refused_with_100() {
    let simulator = Simulator::start().await;

    let answer = simulator.upload("image/gif", b"GIF89a").await;

    assert_eq!(answer.status, 400, "{answer:?}");
    assert_eq!(answer.body["error"]["code"], 100);
    assert!(
        answer.body["error"]["error_data"]["details"]
            .as_str()
            .unwrap()
            .contains("Received file of type 'image/gif'"),
        "{answer:?}"
    );
}

#[actix_web::test]
async fn an_upload_without_file_type_or_messaging_product_is_refused() {
    let simulator = Simulator::start().await;
    let jpeg = jpeg(16);

    let no_file = simulator
        .upload_form(upload_form(
            &[("messaging_product", "whatsapp"), ("type", "image/jpeg")],
            None,
        ))
        .await;
    let no_type = simulator
        .upload_form(upload_form(
            &[("messaging_product", "whatsapp")],
            Some(("image/jpeg", &jpeg)),
        ))
        .await;
    let no_product = simulator
        .upload_form(upload_form(
            &[("type", "image/jpeg")],
            Some(("image/jpeg", &jpeg)),
        ))
        .await;

    assert_eq!(no_file.body["error"]["code"], 131008, "{no_file:?}");
    assert_eq!(no_type.body["error"]["code"], 131008, "{no_type:?}");
    assert_eq!(no_product.body["error"]["code"], 100, "{no_product:?}");
}

#[actix_web::test]
async fn a_media_send_by_uploaded_id_is_accepted_and_by_unknown_id_refused() {
    let simulator = Simulator::start().await;
    let wrote = simulator
        .customer_writes(CUSTOMER, "Send me the invoice", None)
        .await;
    assert_eq!(wrote.status, 200, "{wrote:?}");
    let image = simulator.uploaded("image/jpeg", &jpeg(64)).await;
    let document = simulator.uploaded("application/pdf", b"%PDF-1.7").await;

    simulator
        .accepted(&media_message(
            "image",
            json!({"id": image, "caption": "Here"}),
        ))
        .await;
    simulator
        .accepted(&media_message(
            "document",
            json!({"id": document, "filename": "invoice.pdf"}),
        ))
        .await;
    simulator
        .accepted(&media_message(
            "video",
            json!({"link": "https://example.com/clip.mp4"}),
        ))
        .await;

    let unknown = simulator
        .messages(&media_message("image", json!({"id": "1037543291543636"})))
        .await;
    assert_eq!(unknown.status, 400, "{unknown:?}");
    assert_eq!(unknown.body["error"]["code"], 100);
    let wrong_kind = simulator
        .messages(&media_message("image", json!({"id": document})))
        .await;
    assert_eq!(wrong_kind.status, 400, "{wrong_kind:?}");
    assert_eq!(wrong_kind.body["error"]["code"], 131053);
}

#[actix_web::test]
async fn an_inbound_image_posts_a_signed_envelope_whose_media_can_be_looked_up_and_downloaded() {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use sha2::Digest as _;

    let simulator = Simulator::start().await;
    let file = jpeg(4096);

    let answer = simulator
        .post(
            "/control/inbound",
            Some(TOKEN),
            json!({"phone_number_id": NUMBER_ID, "from": CUSTOMER, "media": {
                "data": STANDARD.encode(&file), "mime_type": "image/jpeg", "caption": "Broken?"}})
            .to_string(),
        )
        .await;

    assert_eq!(answer.status, 200, "{answer:?}");
    let posts = simulator.webhooks();
    let (_, _, message) = posts[0].messages().next().unwrap();
    assert_eq!(message.id, answer.body["wamid"].as_str().unwrap());
    let MessageContent::Image(media) = &message.content else {
        panic!("expected an image, got {:?}", message.content);
    };
    assert_eq!(media.id, answer.body["media_id"].as_str().unwrap());
    assert_eq!(media.mime_type.as_deref(), Some("image/jpeg"));
    assert_eq!(media.caption.as_deref(), Some("Broken?"));
    let sha256 = STANDARD.decode(media.sha256.as_deref().unwrap()).unwrap();
    assert_eq!(hex::encode(&sha256), sha256_hex(&file));

    let info = simulator.look_up(&media.id).await;
    assert_eq!(info.body["sha256"], sha256_hex(&file));
    let url = info.body["url"].as_str().unwrap();
    let bytes = simulator
        .download(url, Some(TOKEN))
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(
        hex::encode(sha2::Sha256::digest(&bytes)),
        hex::encode(&sha256)
    );
}

#[actix_web::test]
async fn an_inbound_document_by_uploaded_id_carries_its_filename_and_caption() {
    let simulator = Simulator::start().await;
    let media_id = simulator.uploaded("application/pdf", b"%PDF-1.7").await;

    let answer = simulator
        .post(
            "/control/inbound",
            Some(TOKEN),
            json!({"phone_number_id": NUMBER_ID, "from": CUSTOMER, "media": {
                "id": media_id, "caption": "My receipt", "filename": "receipt.pdf"}})
            .to_string(),
        )
        .await;

    assert_eq!(answer.status, 200, "{answer:?}");
    let posts = simulator.webhooks();
    let (_, _, message) = posts[0].messages().next().unwrap();
    let MessageContent::Document(media) = &message.content else {
        panic!("expected a document, got {:?}", message.content);
    };
    assert_eq!(media.id, media_id);
    assert_eq!(media.filename.as_deref(), Some("receipt.pdf"));
    assert_eq!(media.caption.as_deref(), Some("My receipt"));
}

#[actix_web::test]
async fn inbound_media_naming_unknown_media_or_an_unsupported_type_is_refused_without_a_webhook() {
    let simulator = Simulator::start().await;

    let unknown = simulator
        .post(
            "/control/inbound",
            Some(TOKEN),
            json!({"phone_number_id": NUMBER_ID, "from": CUSTOMER,
                   "media": {"id": "1037543291543636"}})
            .to_string(),
        )
        .await;
    let gif = simulator
        .post(
            "/control/inbound",
            Some(TOKEN),
            json!({"phone_number_id": NUMBER_ID, "from": CUSTOMER,
                   "media": {"data": "R0lGODlh", "mime_type": "image/gif"}})
            .to_string(),
        )
        .await;

    assert_eq!(unknown.status, 404, "{unknown:?}");
    assert_eq!(gif.status, 400, "{gif:?}");
    assert!(simulator.webhooks().is_empty());
}

#[actix_web::test]
async fn scripted_download_failures_fail_exactly_that_many_times_then_the_bytes_come() {
    let simulator = Simulator::start().await;
    let media_id = simulator.uploaded("video/mp4", b"\0\0\0 ftypmp42").await;
    let url = simulator.look_up(&media_id).await.body["url"]
        .as_str()
        .unwrap()
        .to_owned();

    let scripted = simulator
        .post(
            &format!("/control/media/{media_id}/fail"),
            Some(TOKEN),
            json!({"times": 2}).to_string(),
        )
        .await;

    assert_eq!(scripted.status, 200, "{scripted:?}");
    for attempt in 1..=2 {
        let download = simulator.download(&url, Some(TOKEN)).await;
        assert_eq!(download.status(), 500, "attempt {attempt}");
    }
    let download = simulator.download(&url, Some(TOKEN)).await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "video/mp4");
    assert_eq!(download.bytes().await.unwrap().as_ref(), b"\0\0\0 ftypmp42");
    let unknown = simulator
        .post(
            "/control/media/1037543291543636/fail",
            Some(TOKEN),
            json!({"times": 1}).to_string(),
        )
        .await;
    assert_eq!(unknown.status, 404, "{unknown:?}");
}
