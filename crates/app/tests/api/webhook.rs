//! The WhatsApp webhook through HTTP: handshake, signatures, exactly-once storage.

use actix_web::test::TestRequest;
use serde_json::{Value, json};
use switchboard_whatsapp::signature::{escape_non_ascii, signature_header};

use crate::common::{APP_SECRET, TestApp, VERIFY_TOKEN, send};
pub use crate::harness::webhook::{PHONE_NUMBER_ID, envelope};

pub fn text(id: &str, body: &str) -> Value {
    json!({"from": "16505551234", "id": id, "timestamp": "1750000000", "type": "text", "text": {"body": body}})
}

pub fn signed(body: &[u8]) -> TestRequest {
    TestRequest::post()
        .uri("/webhooks/whatsapp")
        .insert_header(("content-type", "application/json"))
        .insert_header(("x-hub-signature-256", signature_header(APP_SECRET, body)))
        .set_payload(body.to_vec())
}

pub async fn app_with_number() -> TestApp {
    let t = TestApp::new();
    t.number("Support", "+15550783881", PHONE_NUMBER_ID).await;
    t
}

#[actix_web::test]
async fn the_handshake_echoes_the_challenge_only_for_our_verify_token() {
    let t = TestApp::new();
    let app = t.service().await;
    let ok = send(
        &app,
        TestRequest::get().uri(&format!(
            "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444"
        )),
    )
    .await;
    assert_eq!(ok.status.as_u16(), 200);
    assert_eq!(ok.body.to_string(), "1158201444", "the challenge, verbatim");
    assert!(
        ok.headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );

    let wrong = send(
        &app,
        TestRequest::get()
            .uri("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1"),
    )
    .await;
    assert_eq!(wrong.error(403), "verification_failed");
}

#[actix_web::test]
async fn a_signed_delivery_is_stored_once_and_redelivery_changes_nothing() {
    let t = app_with_number().await;
    let app = t.service().await;
    let body = serde_json::to_vec(&envelope(
        PHONE_NUMBER_ID,
        json!([text("wamid.1", "hi")]),
        json!([]),
    ))
    .unwrap();
    let first = send(&app, signed(&body)).await;
    assert_eq!(first.status.as_u16(), 200, "{}", first.body);
    assert_eq!(first.body["messages_stored"], 1);
    let again = send(&app, signed(&body)).await;
    assert_eq!(again.body["messages_stored"], 0);
    assert_eq!(again.body["duplicate_messages"], 1);
}

#[actix_web::test]
async fn missing_or_wrong_signatures_are_401_and_store_nothing() {
    let t = app_with_number().await;
    let app = t.service().await;
    let body = serde_json::to_vec(&envelope(
        PHONE_NUMBER_ID,
        json!([text("wamid.1", "hi")]),
        json!([]),
    ))
    .unwrap();
    let unsigned = send(
        &app,
        TestRequest::post()
            .uri("/webhooks/whatsapp")
            .insert_header(("content-type", "application/json"))
            .set_payload(body.clone()),
    )
    .await;
    assert_eq!(unsigned.error(401), "missing_signature");
    let forged = send(
        &app,
        TestRequest::post()
            .uri("/webhooks/whatsapp")
            .insert_header((
                "x-hub-signature-256",
                signature_header(b"not the secret", &body),
            ))
            .set_payload(body.clone()),
    )
    .await;
    assert_eq!(forged.error(401), "invalid_signature");
    // Had either been stored, this would be a duplicate.
    assert_eq!(send(&app, signed(&body)).await.body["messages_stored"], 1);
}

#[actix_web::test]
async fn metas_escaped_signing_form_is_accepted() {
    let t = app_with_number().await;
    let app = t.service().await;
    let raw = serde_json::to_string(&envelope(
        PHONE_NUMBER_ID,
        json!([text("wamid.1", "Olá 😀")]),
        json!([]),
    ))
    .unwrap();
    let meta_signature = signature_header(APP_SECRET, escape_non_ascii(&raw).as_bytes());
    let reply = send(
        &app,
        TestRequest::post()
            .uri("/webhooks/whatsapp")
            .insert_header(("x-hub-signature-256", meta_signature))
            .set_payload(raw.into_bytes()),
    )
    .await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    assert_eq!(reply.body["messages_stored"], 1);
}

#[actix_web::test]
async fn bodies_that_are_not_envelopes_are_400() {
    let t = app_with_number().await;
    let app = t.service().await;
    assert_eq!(
        send(&app, signed(b"{not json")).await.error(400),
        "invalid_json"
    );
    assert_eq!(
        send(&app, signed(br#"{"hello":"world"}"#)).await.error(400),
        "not_a_webhook_envelope"
    );
    let bad_time = envelope(
        PHONE_NUMBER_ID,
        json!([{"from": "1650", "id": "w", "timestamp": "yesterday", "type": "text", "text": {"body": "x"}}]),
        json!([]),
    );
    let reply = send(&app, signed(&serde_json::to_vec(&bad_time).unwrap())).await;
    assert_eq!(reply.error(400), "not_a_webhook_envelope");
}

#[actix_web::test]
async fn a_delivery_for_an_unknown_number_is_acknowledged_and_skipped() {
    let t = app_with_number().await;
    let app = t.service().await;
    let body =
        serde_json::to_vec(&envelope("999", json!([text("wamid.1", "hi")]), json!([]))).unwrap();
    let reply = send(&app, signed(&body)).await;
    assert_eq!(reply.status.as_u16(), 200);
    assert_eq!(reply.body["messages_stored"], 0);
    assert_eq!(reply.body["unknown_numbers"], json!(["999"]));
}

#[actix_web::test]
async fn every_message_and_status_of_a_batch_is_applied() {
    let t = app_with_number().await;
    let app = t.service().await;
    let status = json!({"id": "wamid.ours", "status": "delivered", "timestamp": "1750000001", "recipient_id": "16505551234"});
    let mut body = envelope(
        PHONE_NUMBER_ID,
        json!([text("wamid.1", "a"), text("wamid.2", "b")]),
        json!([status]),
    );
    let second_entry =
        envelope(PHONE_NUMBER_ID, json!([text("wamid.3", "c")]), json!([]))["entry"][0].clone();
    body["entry"].as_array_mut().unwrap().push(second_entry);
    let reply = send(&app, signed(&serde_json::to_vec(&body).unwrap())).await;
    assert_eq!(reply.body["messages_stored"], 3, "{}", reply.body);
    assert_eq!(
        reply.body["statuses_deferred"], 1,
        "a status for an id not yet known is kept"
    );
}

#[actix_web::test]
async fn a_delivery_over_4_mib_is_413() {
    let t = app_with_number().await;
    let app = t.service().await;
    let huge = vec![b' '; 4 * 1024 * 1024 + 1];
    let reply = send(&app, signed(&huge)).await;
    assert_eq!(reply.error(413), "payload_too_large");
}
