//! The whole loop on the real server with the mock provider: a simulated customer writes, an
//! agent answers, the mock's signed status webhooks move the reply to `read`, and a live
//! subscriber sees every step, then replays them after reconnecting.

use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{sign_in_over_http, spawn_server_with};
use crate::harness::live::{SseEvent, eventually, subscribe};

/// A real server with the mock provider sending statuses at once, and the admin signed in.
struct Session {
    base: String,
    client: reqwest::Client,
    token: String,
    /// The demo business number's id.
    number: i64,
    _dir: tempfile::TempDir,
}

impl Session {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let server = spawn_server_with(
            dir.path(),
            Some("round-trip-pw"),
            &[("SWITCHBOARD_MOCK_STATUS_DELAYS_MS", "0,0,0")],
        )
        .await;
        let client = reqwest::Client::new();
        let token = sign_in_over_http(&client, &server.base, "admin", "round-trip-pw").await;
        let mut session = Self {
            base: server.base,
            client,
            token,
            number: 0,
            _dir: dir,
        };
        session.number = session.get("/api/v1/business-numbers").await["items"][0]["id"]
            .as_i64()
            .unwrap();
        session
    }

    async fn get(&self, path: &str) -> Value {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Polls the thread until its message at `index` has `status`, for at most 10 s.
    async fn message_reaching(&self, conversation: i64, index: usize, status: &str) -> Value {
        let path = format!("/api/v1/conversations/{conversation}/messages");
        let mut message = Value::Null;
        for _ in 0..200 {
            message = self.get(&path).await["items"][index].clone();
            if message["status"] == status {
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        message
    }
}

#[actix_web::test]
async fn customer_message_reply_and_read_receipts_flow_through_the_signed_webhook_loop() {
    let s = Session::start().await;
    let events_url = format!("{}/api/v1/events", s.base);
    let live = subscribe(&s.client, events_url.clone(), &s.token, None);
    // The subscription starts at the newest event; give it a moment to be established.
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;

    let simulated = s
        .post(
            "/api/v1/simulator/inbound",
            json!({"business_number_id": s.number, "from": "+16505551234", "name": "Sheena Nelson", "text": "Do you ship to Lisbon?"}),
        )
        .await;
    assert_eq!(simulated.status().as_u16(), 201);

    let inbox = s.get("/api/v1/conversations").await;
    let conversation = &inbox["items"][0];
    assert_eq!(
        conversation["last_message"]["text"],
        "Do you ship to Lisbon?"
    );
    assert_eq!(conversation["contact"]["profile_name"], "Sheena Nelson");
    let conversation_id = conversation["id"].as_i64().unwrap();

    let reply = s
        .post(
            &format!("/api/v1/conversations/{conversation_id}/messages"),
            json!({"type": "text", "text": {"body": "Yes, in 3 days."}}),
        )
        .await;
    assert_eq!(reply.status().as_u16(), 202);
    let reply: Value = reply.json().await.unwrap();
    let reply_id = reply["id"].as_i64().unwrap();

    let read = s.message_reaching(conversation_id, 1, "read").await;
    assert_eq!(
        read["status"], "read",
        "the mock's signed statuses reached the reply: {read}"
    );

    let reply_reached_read = |events: &[SseEvent]| {
        events.iter().any(|e| {
            e.name == "message.updated" && e.data["id"] == reply_id && e.data["status"] == "read"
        })
    };
    eventually("the live stream to show the reply read", || {
        reply_reached_read(&live.lock().unwrap())
    })
    .await;
    let seen = live.lock().unwrap().clone();
    let names: Vec<&str> = seen.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names[..2],
        ["conversation.created", "message.created"],
        "{names:?}"
    );
    assert!(names.contains(&"conversation.updated"));
    assert!(
        seen.iter()
            .any(|e| e.name == "message.created" && e.data["id"] == reply_id)
    );
    assert!(seen.windows(2).all(|w| w[0].id < w[1].id), "ids only grow");
    assert_eq!(seen[0].data["id"], conversation_id);

    // A reconnect with Last-Event-ID replays exactly what came after it.
    let replay = subscribe(&s.client, events_url, &s.token, Some(seen[0].id));
    eventually("the replay", || {
        replay.lock().unwrap().len() >= seen.len() - 1
    })
    .await;
    let replayed: Vec<i64> = replay.lock().unwrap().iter().map(|e| e.id).collect();
    let expected: Vec<i64> = seen[1..].iter().map(|e| e.id).collect();
    assert_eq!(replayed[..expected.len()], expected[..]);
}

#[actix_web::test]
async fn a_test_number_ending_in_0000_fails_with_metas_code() {
    let s = Session::start().await;
    let started: Value = s
        .post(
            "/api/v1/conversations",
            json!({"business_number_id": s.number, "to": "+15550000000", "template": {"name": "hello_world", "language": {"code": "en_US"}}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let conversation_id = started["conversation"]["id"].as_i64().unwrap();
    let message = s.message_reaching(conversation_id, 0, "failed").await;
    assert_eq!(message["status"], "failed");
    assert_eq!(message["error"]["code"], 131026);
}

#[actix_web::test]
async fn live_events_reach_only_members_of_the_number() {
    let s = Session::start().await;
    let created: Value = s
        .post(
            "/api/v1/users",
            json!({"username": "agent", "password": "agent-password", "role": "agent"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let agent_id = created["id"].as_i64().unwrap();
    let agent_token = sign_in_over_http(&s.client, &s.base, "agent", "agent-password").await;
    let events_url = format!("{}/api/v1/events", s.base);
    let admin_stream = subscribe(&s.client, events_url.clone(), &s.token, None);
    let agent_stream = subscribe(&s.client, events_url, &agent_token, None);
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;

    let inbound =
        |from: &'static str| json!({"business_number_id": s.number, "from": from, "text": "Hello"});
    s.post("/api/v1/simulator/inbound", inbound("+16505550001"))
        .await;
    eventually("the admin to see the first customer", || {
        admin_stream
            .lock()
            .unwrap()
            .iter()
            .any(|e| e.name == "message.created")
    })
    .await;
    // The admin's stream has it; give the agent's the same chance before judging it empty.
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    assert!(
        agent_stream.lock().unwrap().is_empty(),
        "not a member: nothing"
    );

    let added = s
        .client
        .put(format!(
            "{}/api/v1/business-numbers/{}/members/{agent_id}",
            s.base, s.number
        ))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(added.status().as_u16(), 201);
    s.post("/api/v1/simulator/inbound", inbound("+16505550002"))
        .await;
    eventually("the new member to see the second customer", || {
        agent_stream.lock().unwrap().iter().any(|e| {
            e.name == "conversation.created" && e.data["contact"]["wa_id"] == "16505550002"
        })
    })
    .await;
}
