//! Switchboard in `cloud` mode against the Cloud API simulator over loopback: an integrator's
//! set-up without a Meta account.

use std::time::Duration;

use serde_json::{Value, json};
use switchboard_whatsapp::simulator::{SimulatorConfig, bind};

use crate::common::spawn_server_with;

const TOKEN: &str = "EAAcloudModeTestToken";
const SECRET: &str = "cloud-mode-app-secret";
const NUMBER_ID: &str = "106540352242922";

#[actix_web::test]
async fn a_reply_goes_through_the_graph_api_and_its_signed_statuses_reach_read() {
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
    let base = desk.base.clone();
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": "cloud-mode-pw"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap().to_owned();
    let created = http
        .post(format!("{base}/api/v1/business-numbers"))
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

    let inbox: Value = http
        .get(format!("{base}/api/v1/conversations"))
        .bearer_auth(&token)
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
        .bearer_auth(&token)
        .json(&json!({"type": "text", "text": {"body": "Hi Sheena!"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 202);

    let mut message = Value::Null;
    for _ in 0..200 {
        let thread: Value = http
            .get(format!(
                "{base}/api/v1/conversations/{conversation}/messages"
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        message = thread["items"][1].clone();
        if message["status"] == "read" {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
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
            .bearer_auth(&token)
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
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap().to_vec(), photo);

    // Marking the conversation read sends the receipt to the Graph API.
    let read = http
        .post(format!("{base}/api/v1/conversations/{conversation}/read"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status().as_u16(), 200);
}
