//! The real server on a free port with a fresh database, driven over HTTP.

use serde_json::{Value, json};

use crate::common::spawn_server;

struct Running {
    base: String,
    generated_password: Option<String>,
    _dir: tempfile::TempDir,
}

async fn start(dir: tempfile::TempDir, admin_password: Option<&str>) -> Running {
    let spawned = spawn_server(dir.path(), admin_password).await;
    Running {
        base: spawned.base,
        generated_password: spawned.report.admin.and_then(|a| a.generated_password),
        _dir: dir,
    }
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = client.request(method, url);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let response = req.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[actix_web::test]
async fn login_refresh_reuse_and_logout_over_real_http() {
    let server = start(tempfile::tempdir().unwrap(), Some("black-box-password")).await;
    let client = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        call(
            &client,
            reqwest::Method::POST,
            format!("{}{path}", server.base),
            None,
            Some(body),
        )
    };

    let (status, login) = post(
        "/api/v1/auth/login",
        json!({"username": "admin", "password": "black-box-password"}),
    )
    .await;
    assert_eq!(status, 200, "{login}");
    let first = login["refresh_token"].as_str().unwrap().to_owned();

    let (status, refreshed) = post("/api/v1/auth/refresh", json!({"refresh_token": first})).await;
    assert_eq!(status, 200, "{refreshed}");
    let second = refreshed["refresh_token"].as_str().unwrap().to_owned();
    let access = refreshed["access_token"].as_str().unwrap().to_owned();
    let (status, me) = call(
        &client,
        reqwest::Method::GET,
        format!("{}/api/v1/auth/me", server.base),
        Some(&access),
        None,
    )
    .await;
    assert_eq!((status, me["username"].as_str()), (200, Some("admin")));

    let (status, reused) = post("/api/v1/auth/refresh", json!({"refresh_token": first})).await;
    assert_eq!(status, 401);
    assert_eq!(reused["error"]["code"], "refresh_token_reused");
    let (status, revoked) = post("/api/v1/auth/refresh", json!({"refresh_token": second})).await;
    assert_eq!(status, 401, "the family is revoked: {revoked}");

    let (_, fresh) = post(
        "/api/v1/auth/login",
        json!({"username": "admin", "password": "black-box-password"}),
    )
    .await;
    let fresh_refresh = fresh["refresh_token"].as_str().unwrap().to_owned();
    let (status, _) = post(
        "/api/v1/auth/logout",
        json!({"refresh_token": fresh_refresh}),
    )
    .await;
    assert_eq!(status, 204);
    let (status, after) = post(
        "/api/v1/auth/refresh",
        json!({"refresh_token": fresh_refresh}),
    )
    .await;
    assert_eq!(
        (status, after["error"]["code"].as_str()),
        (401, Some("invalid_refresh_token"))
    );
}

#[actix_web::test]
async fn a_first_start_without_a_password_generates_one_and_a_demo_number() {
    let server = start(tempfile::tempdir().unwrap(), None).await;
    let password = server
        .generated_password
        .clone()
        .expect("a generated password is reported");
    assert!(password.len() >= 16);
    let client = reqwest::Client::new();
    let (status, login) = call(
        &client,
        reqwest::Method::POST,
        format!("{}/api/v1/auth/login", server.base),
        None,
        Some(json!({"username": "admin", "password": password})),
    )
    .await;
    assert_eq!(status, 200);
    let token = login["access_token"].as_str().unwrap();
    let (_, numbers) = call(
        &client,
        reqwest::Method::GET,
        format!("{}/api/v1/business-numbers", server.base),
        Some(token),
        None,
    )
    .await;
    let number = &numbers["items"][0];
    assert_eq!(
        number["display_phone_number"],
        switchboard_simulator::mock::DEMO_NUMBER.display_phone_number
    );
    let (_, members) = call(
        &client,
        reqwest::Method::GET,
        format!(
            "{}/api/v1/business-numbers/{}/members",
            server.base, number["id"]
        ),
        Some(token),
        None,
    )
    .await;
    assert_eq!(members["items"][0]["user"]["username"], "admin");
}

#[actix_web::test]
async fn a_restart_on_the_same_data_directory_keeps_sessions_and_bootstraps_nothing_new() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    let first = start(dir, Some("black-box-password")).await;
    let client = reqwest::Client::new();
    let (_, login) = call(
        &client,
        reqwest::Method::POST,
        format!("{}/api/v1/auth/login", first.base),
        None,
        Some(json!({"username": "admin", "password": "black-box-password"})),
    )
    .await;
    let token = login["access_token"].as_str().unwrap().to_owned();

    // A second process on the same data directory: same stored JWT secret, same database.
    let second = spawn_server(&path, None).await;
    assert!(second.report.admin.is_none());
    assert!(second.report.demo_number.is_none());
    let base = second.base;
    let (status, me) = call(
        &client,
        reqwest::Method::GET,
        format!("{base}/api/v1/auth/me"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!((status, me["username"].as_str()), (200, Some("admin")));
}

#[actix_web::test]
async fn cloud_mode_has_no_demo_number_and_no_simulator() {
    let dir = tempfile::tempdir().unwrap();
    let server = crate::common::spawn_server_with(
        dir.path(),
        Some("black-box-password"),
        &[
            ("SWITCHBOARD_WHATSAPP_PROVIDER", "cloud"),
            ("SWITCHBOARD_WHATSAPP_ACCESS_TOKEN", "test-token"),
            ("SWITCHBOARD_WHATSAPP_APP_SECRET", "test-app-secret"),
            ("SWITCHBOARD_WHATSAPP_VERIFY_TOKEN", "test-verify"),
            // Nothing listens here: nothing may be sent in this test.
            ("SWITCHBOARD_WHATSAPP_API_BASE_URL", "http://127.0.0.1:9"),
        ],
    )
    .await;
    assert!(server.report.demo_number.is_none());
    let client = reqwest::Client::new();
    let (_, login) = call(
        &client,
        reqwest::Method::POST,
        format!("{}/api/v1/auth/login", server.base),
        None,
        Some(json!({"username": "admin", "password": "black-box-password"})),
    )
    .await;
    let token = login["access_token"].as_str().unwrap();
    let (status, body) = call(
        &client,
        reqwest::Method::POST,
        format!("{}/api/v1/simulator/inbound", server.base),
        Some(token),
        Some(json!({"business_number_id": 1, "from": "+16505551234", "text": "hi"})),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (status, _) = call(
        &client,
        reqwest::Method::GET,
        format!(
            "{}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=test-verify&hub.challenge=7",
            server.base
        ),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200);
}

#[actix_web::test]
async fn a_spawned_server_seeded_by_the_builder_answers_the_typed_helpers() {
    use crate::harness::webhook::{PHONE_NUMBER_ID, inbound};
    use crate::harness::{SUPPORT, Transport};

    let server = crate::common::TestApp::builder()
        .with_number(SUPPORT)
        .with_agent("agent")
        .member_of(SUPPORT)
        .spawn()
        .await;
    let message = inbound("wamid.SPAWNED", "16505551234", "Hello?", 60);
    let receipt = server
        .deliver_to(PHONE_NUMBER_ID, json!([message]), json!([]))
        .await
        .ok();
    assert_eq!(receipt.messages_stored, 1);
    let agent = server.as_(server.user("agent"));
    let inbox = agent.conversations("").await.ok();
    assert_eq!(inbox.items[0].contact.wa_id, "16505551234");
    let sent = agent.send_text(inbox.items[0].id, "hi").await.expect(202);
    assert_eq!(sent.text.as_deref(), Some("hi"));
    assert_eq!(server.admin().username, "admin");
}
