//! Every error code the server can emit, provoked through the public API and its whole body
//! (status and JSON) pinned by an insta snapshot; and a check that no code of the OpenAPI
//! document's `ErrorCode` schema lacks one.

use actix_web::test::TestRequest;
use reqwest::Method;
use serde_json::{Value, json};
use switchboard_domain::users::model::Role;
use switchboard_http::ErrorCode;

use crate::common::{PASSWORD, TestApp};
use crate::harness::webhook::{PHONE_NUMBER_ID, envelope, inbound};
use crate::harness::{ApiRequest, InProcess, Reply, SUPPORT, Transport};
use crate::outbound_media::{file, multipart};

/// Codes no request from outside can provoke, each with the reason.
const UNREACHABLE: &[(&str, &str)] = &[
    (
        "internal_error",
        "an unexpected failure inside the server; nothing a client sends causes one",
    ),
    (
        "service_unavailable",
        "the database must be unreachable while the server runs",
    ),
    (
        "not_ready",
        "`/readyz` answers it only while the database does not answer",
    ),
    (
        "conflict",
        "every unique value the API writes has its own code (username_taken, business_number_exists)",
    ),
    (
        "template_required",
        "the one route that starts conversations takes only a template",
    ),
    (
        "bad_request",
        "actix answers a plain 400 only for requests it cannot parse at all, which the HTTP layer refuses before any route",
    ),
    (
        "request_failed",
        "no route or extractor answers a 4xx outside the mapped statuses",
    ),
    (
        "invalid_body",
        "only a transport failure in the middle of a body reaches it; the connection is gone before any answer",
    ),
    (
        "simulation_failed",
        "needs the simulator's own webhook delivery to fail, which the mock provider in-process does not",
    ),
    (
        "request_timeout",
        "needs a client that trickles its body over TCP for seconds; slow_clients.rs asserts it",
    ),
    (
        "too_many_concurrent_requests",
        "needs many stalled TCP connections from one address; slow_clients.rs asserts it",
    ),
];

/// The snapshots live beside this file, one per code, named after the code.
const SNAPSHOTS: &str = "snapshots/error_bodies";

/// Snapshots the whole error reply under the name of `code`, after checking it carries it.
/// `redact` lists selectors of values that vary from run to run.
fn snapshot<T>(code: ErrorCode, reply: &Reply<T>, redact: &[&str]) {
    let body = reply.error();
    assert_eq!(body.error.code, code, "{reply:?}");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(SNAPSHOTS);
    settings.set_prepend_module_to_snapshot(false);
    for selector in redact {
        settings.add_redaction(selector, "[varies]");
    }
    let whole = json!({"status": reply.status.as_u16(), "body": reply.raw()});
    settings.bind(|| insta::assert_json_snapshot!(code.to_string(), whole));
}

async fn desk(secs_ago: i64) -> (InProcess, i64) {
    let app = TestApp::builder()
        .with_admin()
        .with_number(SUPPORT)
        .with_agent("agent")
        .member_of(SUPPORT)
        .with_viewer("viewer")
        .member_of(SUPPORT)
        .with_agent("outsider")
        .build()
        .await;
    let message = inbound("wamid.IN1", "16505551234", "Hello?", secs_ago);
    let receipt = app
        .deliver_to(PHONE_NUMBER_ID, json!([message]), json!([]))
        .await
        .ok();
    assert_eq!(receipt.messages_stored, 1);
    let conversation = app.as_(app.admin()).conversations("").await.ok().items[0].id;
    (app, conversation)
}

fn json_post(path: &str, token: &str, payload: &str) -> TestRequest {
    TestRequest::post()
        .uri(path)
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("content-type", "application/json"))
        .set_payload(payload.to_owned())
}

#[actix_web::test]
async fn unreadable_requests_have_their_error_bodies() {
    let (app, conversation) = desk(60).await;
    let admin = app.admin().token.clone();
    let agent = app.as_(app.user("agent"));

    let reply = app
        .send(json_post("/api/v1/users", &admin, "{not json"))
        .await;
    snapshot(ErrorCode::InvalidJson, &reply, &[".body.error.message"]);

    let broken = TestRequest::post()
        .uri("/api/v1/attachments")
        .insert_header((
            "authorization",
            format!("Bearer {}", app.user("agent").token),
        ))
        .insert_header(("content-type", "multipart/form-data; boundary=xyz"))
        .set_payload("not a form at all");
    snapshot(ErrorCode::InvalidMultipart, &app.send(broken).await, &[]);

    snapshot(
        ErrorCode::InvalidQuery,
        &agent.get::<Value>("/api/v1/stats").await,
        &[],
    );
    snapshot(
        ErrorCode::InvalidCursor,
        &agent.conversations("cursor=garbage").await,
        &[],
    );
    let body = json!({"type": "text", "text": {"body": "x"}});
    let reply = agent.send_message_with_key(conversation, &body, "").await;
    snapshot(ErrorCode::InvalidIdempotencyKey, &reply, &[]);
    let events = agent
        .request(Method::GET, "/api/v1/events")
        .header("last-event-id", "yesterday");
    snapshot(
        ErrorCode::InvalidLastEventId,
        &agent.send::<Value>(events).await,
        &[],
    );

    let fields =
        json!({"username": "a b", "password": "short", "role": "agent", "display_name": " "});
    let reply = app.as_(app.admin()).create_user(&fields).await;
    snapshot(ErrorCode::ValidationFailed, &reply, &[]);

    let huge = "x".repeat(switchboard_http::JSON_BODY_LIMIT + 1);
    let reply = app.send(json_post("/api/v1/auth/login", "", &huge)).await;
    snapshot(ErrorCode::PayloadTooLarge, &reply, &[]);

    let text = TestRequest::post()
        .uri("/api/v1/auth/login")
        .insert_header(("content-type", "text/plain"))
        .set_payload("username=admin");
    snapshot(ErrorCode::UnsupportedMediaType, &app.send(text).await, &[]);

    let wrong_method = app
        .send(TestRequest::delete().uri("/api/v1/auth/login"))
        .await;
    snapshot(ErrorCode::MethodNotAllowed, &wrong_method, &[]);
}

#[actix_web::test]
async fn who_is_asking_errors_have_their_error_bodies() {
    let app = TestApp::builder()
        .with_admin()
        .with_agent("agent")
        .with_agent("ana")
        .build()
        .await;
    let anonymous = app.send(TestRequest::get().uri("/api/v1/auth/me")).await;
    snapshot(ErrorCode::MissingToken, &anonymous, &[]);
    let forged = app.with_token("eyJhbGciOiJIUzI1NiJ9.e30.sig").me().await;
    snapshot(ErrorCode::InvalidToken, &forged, &[]);
    let wrong = app.sign_in("agent", "not the password").await;
    snapshot(ErrorCode::InvalidCredentials, &wrong, &[]);

    let ana = app.user("ana").id;
    let admin = app.as_(app.admin());
    admin
        .update_user(ana, &json!({"active": false}))
        .await
        .expect(200);
    snapshot(
        ErrorCode::AccountDeactivated,
        &app.sign_in("ana", PASSWORD).await,
        &[],
    );

    // With the wrong password above, five failures lock the username.
    for _ in 0..4 {
        app.sign_in("agent", "wrong").await.error_code(401);
    }
    let locked = app.sign_in("agent", PASSWORD).await;
    snapshot(
        ErrorCode::TooManyLoginAttempts,
        &locked,
        &[".body.error.message"],
    );

    // The test wiring allows 20 attempts per address and minute.
    let attempt = |n: usize| {
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .peer_addr("203.0.113.7:4000".parse().unwrap())
            .set_json(json!({"username": format!("user{n}"), "password": "leaked"}))
    };
    for n in 0..20 {
        app.send(attempt(n)).await.error_code(401);
    }
    let spent = app.send(attempt(20)).await;
    snapshot(
        ErrorCode::TooManySignInAttempts,
        &spent,
        &[".body.error.message"],
    );

    snapshot(
        ErrorCode::InvalidRefreshToken,
        &app.refresh("made-up").await,
        &[],
    );
    let first = app.user("agent").refresh_token.clone();
    app.refresh(&first).await.expect(200);
    snapshot(
        ErrorCode::RefreshTokenReused,
        &app.refresh(&first).await,
        &[],
    );

    // A deactivated user's old token is refused outright.
    let stale = app.as_(app.user("ana")).users().await;
    assert_eq!(stale.error_code(401), ErrorCode::InvalidToken);
    let eve = app.seed_user("eve", Role::Agent).await;
    snapshot(ErrorCode::Forbidden, &app.as_(&eve).users().await, &[]);
}

#[actix_web::test]
async fn missing_and_conflicting_resources_have_their_error_bodies() {
    let (app, conversation) = desk(60).await;
    let admin = app.as_(app.admin());
    let agent_user = app.user("agent");
    let number = app.number(SUPPORT).id;

    snapshot(ErrorCode::NotFound, &admin.user(999).await, &[]);
    snapshot(
        ErrorCode::UserNotFound,
        &admin.add_member(number, 999).await,
        &[],
    );
    let outsider = app.user("outsider").id;
    snapshot(
        ErrorCode::NotAMember,
        &admin.remove_member(number, outsider).await,
        &[],
    );

    let agent = app.as_(agent_user);
    let attachment = json!({"type": "media", "media": {"attachment_id": 999_999}});
    let reply = agent.send_message(conversation, &attachment).await;
    snapshot(ErrorCode::AttachmentNotFound, &reply, &[]);

    let thread = agent.thread(conversation, "").await.ok();
    let text_id = thread.items[0].id;
    let reply = agent
        .get::<Value>(&format!("/api/v1/messages/{text_id}/media"))
        .await;
    snapshot(ErrorCode::NoMedia, &reply, &[]);

    let at = chrono::Utc::now().timestamp().to_string();
    let image = json!({"from": "16505551234", "id": "wamid.IMG", "timestamp": at, "type": "image",
        "image": {"id": "1037543291543636", "mime_type": "image/jpeg", "sha256": "x"}});
    app.deliver_to(PHONE_NUMBER_ID, json!([image]), json!([]))
        .await
        .ok();
    let image_id = agent.thread(conversation, "").await.ok().items[1].id;
    let reply = agent
        .get::<Value>(&format!("/api/v1/messages/{image_id}/media"))
        .await;
    snapshot(ErrorCode::MediaNotReady, &reply, &[]);

    let taken = json!({"username": "AGENT", "password": "a long passphrase", "role": "agent"});
    snapshot(
        ErrorCode::UsernameTaken,
        &admin.create_user(&taken).await,
        &[],
    );
    let clash = json!({"name": "Again", "display_phone_number": "+15550100003", "phone_number_id": PHONE_NUMBER_ID});
    snapshot(
        ErrorCode::BusinessNumberExists,
        &admin.create_number(&clash).await,
        &[],
    );
    let root = app.admin().id;
    let reply = admin.update_user(root, &json!({"role": "agent"})).await;
    snapshot(ErrorCode::LastAdmin, &reply, &[]);
}

#[actix_web::test]
async fn messaging_rule_errors_have_their_error_bodies() {
    let (app, conversation) = desk(25 * 3600).await;
    let agent = app.as_(app.user("agent"));
    let late = agent.send_text(conversation, "too late").await;
    snapshot(
        ErrorCode::OutsideCustomerServiceWindow,
        &late,
        &[".body.error.message"],
    );
    assert!(
        late.error().error.message.contains("only templates"),
        "{late:?}"
    );
    let outsider = app.user("outsider").id;
    let reply = agent
        .update_conversation(conversation, &json!({"assignee_id": outsider}))
        .await;
    snapshot(ErrorCode::AssigneeNotMember, &reply, &[]);

    let token = &app.user("agent").token;
    let upload = |parts| {
        multipart(
            TestRequest::post()
                .uri("/api/v1/attachments")
                .insert_header(("authorization", format!("Bearer {token}"))),
            parts,
        )
    };
    let gif = [file("a.gif", "image/gif", b"GIF89a")];
    let gif = app.send(upload(&gif)).await;
    snapshot(ErrorCode::UnsupportedFileType, &gif, &[]);
    let empty = [file("e.png", "image/png", b"")];
    let empty = app.send(upload(&empty)).await;
    snapshot(ErrorCode::EmptyFile, &empty, &[]);
}

#[actix_web::test]
async fn webhook_errors_have_their_error_bodies() {
    let app = TestApp::builder().with_number(SUPPORT).build().await;
    let body = serde_json::to_vec(&envelope(PHONE_NUMBER_ID, json!([]), json!([]))).unwrap();
    let unsigned = ApiRequest::new(Method::POST, "/webhooks/whatsapp")
        .header("content-type", "application/json")
        .bytes(body.clone());
    snapshot(
        ErrorCode::MissingSignature,
        &app.call(unsigned.clone()).await,
        &[],
    );
    let forged = unsigned.header("x-hub-signature-256", "sha256=00");
    snapshot(ErrorCode::InvalidSignature, &app.call(forged).await, &[]);
    let not_envelope = app.deliver(br#"{"object": "page"}"#).await;
    snapshot(ErrorCode::NotAWebhookEnvelope, &not_envelope, &[]);
    let handshake = ApiRequest::new(
        Method::GET,
        "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1",
    );
    snapshot(
        ErrorCode::VerificationFailed,
        &app.call(handshake).await,
        &[],
    );
}

/// The codes of the OpenAPI document's `ErrorCode` schema.
fn documented_codes() -> Vec<String> {
    let doc = serde_json::to_value(switchboard_http::api_doc()).unwrap();
    doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .expect("an ErrorCode enum in the OpenAPI document")
        .iter()
        .map(|code| code.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_documented_error_code_has_a_snapshot_or_a_reason() {
    let codes = documented_codes();
    assert!(codes.len() >= 40, "{codes:?}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/api")
        .join(SNAPSHOTS);
    let missing: Vec<_> = codes
        .iter()
        .filter(|code| !UNREACHABLE.iter().any(|(name, _)| name == code))
        .filter(|code| !dir.join(format!("{code}.snap")).exists())
        .collect();
    assert!(
        missing.is_empty(),
        "no snapshot of {missing:?} in {}",
        dir.display()
    );
    for (name, _) in UNREACHABLE {
        assert!(
            codes.contains(&(*name).to_owned()),
            "{name} is no longer a code"
        );
        assert!(
            !dir.join(format!("{name}.snap")).exists(),
            "{name} has a snapshot: drop it from UNREACHABLE"
        );
    }
}
