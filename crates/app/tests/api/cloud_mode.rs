//! Switchboard in `cloud` mode against the Cloud API simulator over loopback: an integrator's
//! set-up without a Meta account.

use std::time::Duration;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use switchboard_simulator::{SimulatorConfig, bind};

use crate::common::{sign_in_over_http, spawn_server_with};

const TOKEN: &str = "EAAcloudModeTestToken";
const SECRET: &str = "cloud-mode-app-secret";
const NUMBER_ID: &str = "106540352242922";

/// Switchboard in cloud mode and the simulator, each pointed at the other, with the admin
/// signed in, the number added and a customer's message delivered through the simulator.
struct CloudDesk {
    /// Switchboard's base URL.
    base: String,
    /// The simulator's base URL.
    simulator: String,
    http: reqwest::Client,
    token: String,
    _dir: tempfile::TempDir,
}

impl CloudDesk {
    async fn start() -> Self {
        // Each side needs the other's address: reserve Switchboard's port first.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let (simulator, server) = bind(SimulatorConfig {
            bind: "127.0.0.1:0".parse().unwrap(),
            callback_url: format!("http://127.0.0.1:{port}/webhooks/whatsapp"),
            app_secret: SECRET.as_bytes().to_vec(),
            access_token: TOKEN.into(),
            status_delays: [Duration::ZERO; 3],
            numbers: vec![(NUMBER_ID.into(), "15550783881".into())],
            throughput_limits: false,
        })
        .unwrap();
        actix_web::rt::spawn(server);

        let dir = tempfile::tempdir().unwrap();
        let bind_address = format!("127.0.0.1:{port}");
        let base_url = format!("http://{simulator}");
        let desk = spawn_server_with(
            dir.path(),
            Some("cloud-mode-pw"),
            &[
                ("SWITCHBOARD_BIND", &bind_address),
                ("SWITCHBOARD_WHATSAPP_PROVIDER", "cloud"),
                ("SWITCHBOARD_WHATSAPP_API_BASE_URL", &base_url),
                ("SWITCHBOARD_WHATSAPP_ACCESS_TOKEN", TOKEN),
                ("SWITCHBOARD_WHATSAPP_APP_SECRET", SECRET),
                ("SWITCHBOARD_WHATSAPP_VERIFY_TOKEN", "verify-me"),
            ],
        )
        .await;
        let http = reqwest::Client::new();
        let token = sign_in_over_http(&http, &desk.base, "admin", "cloud-mode-pw").await;
        let created = http
            .post(format!("{}/api/v1/business-numbers", desk.base))
            .bearer_auth(&token)
            .json(&json!({"name": "Support", "display_phone_number": "+15550783881", "phone_number_id": NUMBER_ID}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status().as_u16(), 201);

        // The customer writes, as Meta would deliver it.
        let injected = http
            .post(format!("{base_url}/control/inbound"))
            .bearer_auth(TOKEN)
            .json(&json!({"phone_number_id": NUMBER_ID, "from": "16505551234", "name": "Sheena", "text": "Hello?"}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            injected.status().as_u16(),
            200,
            "{}",
            injected.text().await.unwrap()
        );
        Self {
            base: desk.base,
            simulator: base_url,
            http,
            token,
            _dir: dir,
        }
    }

    async fn get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Polls the thread until its message at `index` has `status`, for at most 10 s.
    async fn message_reaching(&self, conversation: i64, index: usize, status: &str) -> Value {
        let mut message = Value::Null;
        for _ in 0..200 {
            let thread = self
                .get(&format!("/api/v1/conversations/{conversation}/messages"))
                .await;
            message = thread["items"][index].clone();
            if message["status"] == status {
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        message
    }
}

#[actix_web::test]
async fn a_reply_goes_through_the_graph_api_and_its_signed_statuses_reach_read() {
    let d = CloudDesk::start().await;
    let (base, base_url, http, token) = (&d.base, &d.simulator, &d.http, &d.token);
    let inbox: Value = http
        .get(format!("{base}/api/v1/conversations"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(inbox["items"][0]["last_message"]["text"], "Hello?");
    let conversation = inbox["items"][0]["id"].as_i64().unwrap();

    let reply = http
        .post(format!(
            "{base}/api/v1/conversations/{conversation}/messages"
        ))
        .bearer_auth(token)
        .json(&json!({"type": "text", "text": {"body": "Hi Sheena!"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 202);

    let message = d.message_reaching(conversation, 1, "read").await;
    assert_eq!(message["status"], "read", "{message}");
    assert!(message["wamid"].as_str().unwrap().starts_with("wamid."));

    // The customer sends a photo whose first two downloads fail: the desk keeps the message,
    // retries, checks the SHA-256 and serves the bytes.
    let photo = b"\x89PNG\r\n\x1a\n a tiny png".to_vec();
    let upload = reqwest::multipart::Form::new()
        .text("messaging_product", "whatsapp")
        .text("type", "image/png")
        .part(
            "file",
            reqwest::multipart::Part::bytes(photo.clone())
                .file_name("photo.png")
                .mime_str("image/png")
                .unwrap(),
        );
    let uploaded: Value = http
        .post(format!("{base_url}/v23.0/{NUMBER_ID}/media"))
        .bearer_auth(TOKEN)
        .multipart(upload)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let media_id = uploaded["id"].as_str().unwrap().to_owned();
    let scripted = http
        .post(format!("{base_url}/control/media/{media_id}/fail"))
        .bearer_auth(TOKEN)
        .json(&json!({"times": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(scripted.status().as_u16(), 200);
    let injected = http
        .post(format!("{base_url}/control/inbound"))
        .bearer_auth(TOKEN)
        .json(&json!({"phone_number_id": NUMBER_ID, "from": "16505551234", "media": {"id": media_id, "caption": "this one"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        injected.status().as_u16(),
        200,
        "{}",
        injected.text().await.unwrap()
    );
    let mut image = Value::Null;
    for _ in 0..300 {
        let thread: Value = http
            .get(format!(
                "{base}/api/v1/conversations/{conversation}/messages"
            ))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        image = thread["items"][2].clone();
        if image["media"]["state"] == "stored" {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(image["type"], "image", "{image}");
    assert_eq!(image["media"]["state"], "stored", "{image}");
    let served = http
        .get(format!("{base}{}", image["media"]["url"].as_str().unwrap()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap().to_vec(), photo);

    // Marking the conversation read sends the receipt to the Graph API.
    let read = http
        .post(format!("{base}/api/v1/conversations/{conversation}/read"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status().as_u16(), 200);
}

#[actix_web::test]
async fn an_agents_image_reaches_the_simulator_as_an_upload_and_a_message_naming_its_id() {
    let d = CloudDesk::start().await;
    let conversation = d.get("/api/v1/conversations").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let photo: Vec<u8> = b"\x89PNG\r\n\x1a\n"
        .iter()
        .copied()
        .chain((0..=255u8).cycle().take(64 * 1024))
        .collect();
    let form = reqwest::multipart::Form::new()
        .text("caption", "Here you go")
        .part(
            "file",
            reqwest::multipart::Part::bytes(photo.clone())
                .file_name("blue.png")
                .mime_str("image/png")
                .unwrap(),
        );
    let queued = d
        .http
        .post(format!(
            "{}/api/v1/conversations/{conversation}/messages",
            d.base
        ))
        .bearer_auth(&d.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status().as_u16(), 202);

    // The simulator took the message only because its id names an uploaded image; its signed
    // statuses then carried it to read.
    let message = d.message_reaching(conversation, 1, "read").await;
    assert_eq!(message["status"], "read", "{message}");
    assert_eq!(message["type"], "image");
    let media_id = message["payload"]["image"]["id"].as_str().unwrap();

    // The upload the simulator holds under that id is the agent's file, byte for byte.
    let lookup: Value = d
        .http
        .get(format!("{}/v23.0/{media_id}", d.simulator))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(lookup["mime_type"], "image/png", "{lookup}");
    assert_eq!(lookup["file_size"], photo.len());
    assert_eq!(lookup["sha256"], hex::encode(Sha256::digest(&photo)));
    let downloaded = d
        .http
        .get(lookup["url"].as_str().unwrap())
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(downloaded.to_vec(), photo);
}
