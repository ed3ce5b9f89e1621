//! Agents' files: uploads, media sends by reference and by multipart, Meta's limits enforced up
//! front, the dispatcher uploading to WhatsApp once, and the file served back.

use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::test::TestRequest;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use switchboard_domain::media::model::MediaKind;
use switchboard_domain::outbound::model::{GatewayError, OutboundContent};
use switchboard_domain::users::model::Role;

use crate::common::{Reply, TestApp, get, login, post, send, sign_in_over_http, spawn_server_with};
use crate::webhook::{PHONE_NUMBER_ID, app_with_number, envelope, signed};

const KB: usize = 1024;
const MB: usize = 1024 * KB;

/// A part of a multipart form.
pub struct Part<'a> {
    pub name: &'a str,
    pub filename: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub bytes: Vec<u8>,
}

pub fn file<'a>(filename: &'a str, content_type: &'a str, bytes: &[u8]) -> Part<'a> {
    Part {
        name: "file",
        filename: Some(filename),
        content_type: Some(content_type),
        bytes: bytes.to_vec(),
    }
}

pub fn caption(text: &str) -> Part<'_> {
    Part {
        name: "caption",
        filename: None,
        content_type: None,
        bytes: text.as_bytes().to_vec(),
    }
}

/// A `multipart/form-data` request body as a browser writes it (the server parses it with
/// actix-multipart).
pub fn multipart(request: TestRequest, parts: &[Part<'_>]) -> TestRequest {
    const BOUNDARY: &str = "----switchboard-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", part.name);
        if let Some(filename) = part.filename {
            disposition.push_str(&format!("; filename=\"{filename}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(content_type) = part.content_type {
            body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(&part.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    request
        .insert_header((
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        ))
        .set_payload(body)
}

fn upload_request(token: &str, parts: &[Part<'_>]) -> TestRequest {
    multipart(
        TestRequest::post()
            .uri("/api/v1/attachments")
            .insert_header(("authorization", format!("Bearer {token}"))),
        parts,
    )
}

fn send_request(conversation: i64, token: &str, parts: &[Part<'_>]) -> TestRequest {
    multipart(
        TestRequest::post()
            .uri(&format!("/api/v1/conversations/{conversation}/messages"))
            .insert_header(("authorization", format!("Bearer {token}"))),
        parts,
    )
}

fn media_message(attachment_id: &Value, caption: Option<&str>) -> Value {
    let mut media = json!({"attachment_id": attachment_id});
    if let Some(caption) = caption {
        media["caption"] = json!(caption);
    }
    json!({"type": "media", "media": media})
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n not really a png, but WhatsApp does not look";

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// An app with a number, an agent member, another agent member, a viewer member, and one
/// conversation whose customer wrote `secs_ago` seconds ago.
struct Desk {
    t: TestApp,
    conversation: i64,
}

async fn desk(secs_ago: i64) -> Desk {
    let t = app_with_number().await;
    let agent = t.user("agent", Role::Agent).await;
    let colleague = t.user("colleague", Role::Agent).await;
    let viewer = t.user("viewer", Role::Viewer).await;
    let number = t
        .state
        .numbers
        .list(&switchboard_domain::authz::Actor {
            user_id: agent,
            role: Role::Admin,
        })
        .await
        .unwrap()[0]
        .id;
    for user in [agent, colleague, viewer] {
        t.member(number, user).await;
    }
    let app = t.service().await;
    let at = chrono::Utc::now().timestamp() - secs_ago;
    let inbound = json!({"from": "16505551234", "id": "wamid.IN1", "timestamp": at.to_string(),
        "type": "text", "text": {"body": "Can you send me the invoice?"}});
    let body = serde_json::to_vec(&envelope(PHONE_NUMBER_ID, json!([inbound]), json!([]))).unwrap();
    assert_eq!(send(&app, signed(&body)).await.body["messages_stored"], 1);
    let (agent, _) = login(&app, "agent").await;
    let conversation =
        send(&app, get("/api/v1/conversations", &agent)).await.body["items"][0]["id"]
            .as_i64()
            .unwrap();
    drop(app);
    Desk { t, conversation }
}

fn thread_path(conversation: i64) -> String {
    format!("/api/v1/conversations/{conversation}/messages")
}

#[actix_web::test]
async fn an_uploaded_attachment_is_sent_by_reference_uploaded_to_whatsapp_once_and_served_back() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;

    let uploaded = send(
        &app,
        upload_request(&agent, &[file("photo.png", "image/png", PNG)]),
    )
    .await;
    assert_eq!(uploaded.status.as_u16(), 201, "{}", uploaded.body);
    assert_eq!(uploaded.body["kind"], "image");
    assert_eq!(uploaded.body["mime_type"], "image/png");
    assert_eq!(uploaded.body["size"], PNG.len());
    assert_eq!(uploaded.body["filename"], "photo.png");
    assert_eq!(uploaded.body["sha256"], sha256_hex(PNG));
    assert!(uploaded.body["created_at"].is_string());

    let queued = send(
        &app,
        post(
            &thread_path(d.conversation),
            &agent,
            media_message(&uploaded.body["id"], Some("Here it is")),
        ),
    )
    .await;
    assert_eq!(queued.status.as_u16(), 202, "{}", queued.body);
    assert_eq!(queued.body["type"], "image");
    assert_eq!(queued.body["text"], "Here it is");
    assert_eq!(queued.body["status"], "queued");
    assert_eq!(queued.body["media"]["state"], "stored");
    assert_eq!(queued.body["media"]["mime_type"], "image/png");

    assert_eq!(d.t.dispatch().await.accepted, 1);
    let uploads = d.t.gateway.uploads();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].bytes, PNG);
    assert_eq!(uploads[0].mime_type, "image/png");
    assert_eq!(uploads[0].filename, "photo.png");
    assert_eq!(uploads[0].phone_number_id, PHONE_NUMBER_ID);
    let sent = d.t.gateway.sent();
    let OutboundContent::Media {
        kind,
        caption,
        media_id,
        ..
    } = &sent[0].content
    else {
        panic!("{:?}", sent[0].content);
    };
    assert_eq!(*kind, MediaKind::Image);
    assert_eq!(caption.as_deref(), Some("Here it is"));
    assert_eq!(media_id.as_deref(), Some("MEDIA-1"));

    // The agent's own file is served like a customer's.
    let path = queued.body["media"]["url"].as_str().unwrap().to_owned();
    let served = actix_web::test::call_service(&app, get(&path, &agent).to_request()).await;
    assert_eq!(served.status().as_u16(), 200);
    assert_eq!(served.headers().get("content-type").unwrap(), "image/png");
    assert_eq!(actix_web::test::read_body(served).await.as_ref(), PNG);

    let thread = send(&app, get(&thread_path(d.conversation), &agent)).await;
    let message = &thread.body["items"][1];
    assert_eq!(message["status"], "accepted");
    assert_eq!(
        message["payload"],
        json!({"type": "image", "image": {"id": "MEDIA-1", "caption": "Here it is", "filename": "photo.png"}})
    );
}

#[actix_web::test]
async fn a_multipart_send_stores_the_file_and_queues_a_document_in_one_request() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    let pdf = b"%PDF-1.7 an invoice".to_vec();
    let queued = send(
        &app,
        send_request(
            d.conversation,
            &agent,
            &[
                caption("Your invoice"),
                file("../../invoice.pdf", "application/pdf", &pdf),
            ],
        ),
    )
    .await;
    assert_eq!(queued.status.as_u16(), 202, "{}", queued.body);
    assert_eq!(queued.body["type"], "document");
    assert_eq!(queued.body["text"], "Your invoice");
    assert_eq!(
        queued.body["payload"]["document"]["filename"],
        "invoice.pdf"
    );

    // Without a caption the thread shows the file name.
    let plain = send(
        &app,
        send_request(
            d.conversation,
            &agent,
            &[file("notes.txt", "text/plain; charset=utf-8", b"hello")],
        ),
    )
    .await;
    assert_eq!(plain.status.as_u16(), 202, "{}", plain.body);
    assert_eq!(plain.body["text"], "\u{1f4ce} notes.txt");

    d.t.dispatch().await;
    d.t.dispatch().await;
    let uploads = d.t.gateway.uploads();
    assert_eq!(uploads[0].bytes, pdf);
    assert_eq!(uploads[0].filename, "invoice.pdf");
    assert_eq!(uploads[1].mime_type, "text/plain");
}

#[actix_web::test]
async fn a_failed_send_after_the_upload_is_retried_by_the_recorded_media_id() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    let queued = send(
        &app,
        send_request(d.conversation, &agent, &[file("a.jpg", "image/jpeg", PNG)]),
    )
    .await;
    assert_eq!(queued.status.as_u16(), 202, "{}", queued.body);
    d.t.gateway.answer(Err(GatewayError::Transient {
        code: Some(131000),
        message: "Something went wrong".into(),
        retry_after: None,
    }));
    assert_eq!(d.t.dispatch().await.retried, 1);
    assert_eq!(d.t.dispatch().await.accepted, 1);

    assert_eq!(d.t.gateway.uploads().len(), 1, "uploaded once");
    let sent = d.t.gateway.sent();
    assert_eq!(sent.len(), 2);
    for attempt in sent {
        let OutboundContent::Media { media_id, .. } = attempt.content else {
            panic!("{:?}", attempt.content);
        };
        assert_eq!(media_id.as_deref(), Some("MEDIA-1"));
    }
}

#[actix_web::test]
async fn upload_errors_retry_when_transient_and_fail_the_message_with_metas_code_when_not() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    let queued = send(
        &app,
        send_request(
            d.conversation,
            &agent,
            &[file("a.mp4", "video/mp4", b"mp4")],
        ),
    )
    .await;
    assert_eq!(queued.status.as_u16(), 202, "{}", queued.body);
    d.t.gateway.upload_script.lock().unwrap().extend([
        GatewayError::Transient {
            code: Some(130429),
            message: "Rate limit hit".into(),
            retry_after: None,
        },
        GatewayError::Permanent {
            code: 131053,
            title: "Media upload error".into(),
            details: Some("the file could not be processed".into()),
        },
    ]);
    assert_eq!(d.t.dispatch().await.retried, 1);
    assert_eq!(d.t.dispatch().await.failed, 1);
    assert!(
        d.t.gateway.sent().is_empty(),
        "nothing was sent without a media id"
    );

    let thread = send(&app, get(&thread_path(d.conversation), &agent)).await;
    let message = &thread.body["items"][1];
    assert_eq!(message["status"], "failed");
    assert_eq!(message["error"]["code"], 131053);
    assert_eq!(message["error"]["title"], "Media upload error");
    // The agent's file stays, to send again.
    assert_eq!(message["media"]["state"], "stored");
}

async fn thread_len<S, B>(app: &S, conversation: i64, token: &str) -> usize
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    send(app, get(&thread_path(conversation), token)).await.body["items"]
        .as_array()
        .unwrap()
        .len()
}

#[actix_web::test]
async fn files_over_their_kinds_limit_are_413_naming_it_and_nothing_is_stored() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;

    let static_sticker = vec![0; 100 * KB + 1];
    let refused = send(
        &app,
        upload_request(&agent, &[file("s.webp", "image/webp", &static_sticker)]),
    )
    .await;
    assert_eq!(refused.error(413), "payload_too_large");
    let message = refused.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("sticker") && message.contains("100 KB"),
        "{message}"
    );

    // Animated stickers may be 500 KB; one byte more is cut off while streaming.
    let mut animated = vec![0; 500 * KB];
    animated[..16].copy_from_slice(b"RIFF\0\0\0\0WEBPVP8X");
    animated[20] = 0x02;
    let ok = send(
        &app,
        upload_request(&agent, &[file("a.webp", "image/webp", &animated)]),
    )
    .await;
    assert_eq!(ok.status.as_u16(), 201, "{}", ok.body);
    assert_eq!(ok.body["kind"], "sticker");
    animated.push(0);
    let too_big = send(
        &app,
        send_request(
            d.conversation,
            &agent,
            &[file("a.webp", "image/webp", &animated)],
        ),
    )
    .await;
    assert_eq!(too_big.error(413), "payload_too_large");

    let image = vec![0xff; 5 * MB + 1];
    let refused = send(
        &app,
        send_request(
            d.conversation,
            &agent,
            &[file("big.jpg", "image/jpeg", &image)],
        ),
    )
    .await;
    assert_eq!(refused.error(413), "payload_too_large");
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("image files may be at most 5 MB"),
        "{}",
        refused.body
    );
    assert_eq!(
        thread_len(&app, d.conversation, &agent).await,
        1,
        "nothing queued"
    );
    assert_eq!(d.t.dispatch().await.handled(), 0);
}

#[actix_web::test]
async fn unsupported_empty_or_missing_files_are_422_listing_what_is_accepted() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    let gif = send(
        &app,
        upload_request(&agent, &[file("a.gif", "image/gif", b"GIF89a")]),
    )
    .await;
    assert_eq!(gif.error(422), "unsupported_file_type");
    let message = gif.body["error"]["message"].as_str().unwrap();
    for accepted in [
        "image/jpeg",
        "video/mp4",
        "audio/ogg",
        "application/pdf",
        "image/webp",
    ] {
        assert!(message.contains(accepted), "{message}");
    }
    let untyped = Part {
        content_type: None,
        ..file("a.bin", "", b"x")
    };
    assert_eq!(
        send(&app, upload_request(&agent, &[untyped]))
            .await
            .error(422),
        "unsupported_file_type"
    );
    assert_eq!(
        send(
            &app,
            send_request(d.conversation, &agent, &[file("e.png", "image/png", b"")])
        )
        .await
        .error(422),
        "empty_file"
    );
    let missing = send(&app, send_request(d.conversation, &agent, &[caption("hi")])).await;
    assert_eq!(missing.error(422), "validation_failed");
    assert_eq!(missing.body["error"]["details"][0]["field"], "file");
    let unknown = send(
        &app,
        upload_request(&agent, &[file("a.png", "image/png", PNG), caption("no")]),
    )
    .await;
    assert_eq!(unknown.error(422), "validation_failed");
    assert_eq!(unknown.body["error"]["details"][0]["field"], "caption");

    // Neither JSON nor a form.
    let text = TestRequest::post()
        .uri(&thread_path(d.conversation))
        .insert_header(("authorization", format!("Bearer {agent}")))
        .insert_header(("content-type", "text/plain"))
        .set_payload("hello");
    assert_eq!(send(&app, text).await.error(415), "unsupported_media_type");
    let broken = TestRequest::post()
        .uri("/api/v1/attachments")
        .insert_header(("authorization", format!("Bearer {agent}")))
        .insert_header(("content-type", "multipart/form-data; boundary=xyz"))
        .set_payload("not a form at all");
    assert_eq!(send(&app, broken).await.error(400), "invalid_multipart");
    assert_eq!(thread_len(&app, d.conversation, &agent).await, 1);
}

#[actix_web::test]
async fn a_caption_on_audio_or_a_sticker_or_over_1024_characters_or_with_a_nul_is_422() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    let refused = send(
        &app,
        send_request(
            d.conversation,
            &agent,
            &[file("v.ogg", "audio/ogg", b"OggS"), caption("listen")],
        ),
    )
    .await;
    assert_eq!(refused.error(422), "validation_failed");
    assert_eq!(refused.body["error"]["details"][0]["field"], "caption");

    let sticker = send(
        &app,
        upload_request(&agent, &[file("s.webp", "image/webp", b"RIFF....WEBPVP8 ")]),
    )
    .await;
    assert_eq!(sticker.status.as_u16(), 201, "{}", sticker.body);
    let refused = send(
        &app,
        post(
            &thread_path(d.conversation),
            &agent,
            media_message(&sticker.body["id"], Some("cute")),
        ),
    )
    .await;
    assert_eq!(refused.error(422), "validation_failed");

    let long = "x".repeat(1025);
    let refused = send(
        &app,
        send_request(
            d.conversation,
            &agent,
            &[file("a.png", "image/png", PNG), caption(&long)],
        ),
    )
    .await;
    assert_eq!(refused.error(422), "validation_failed");
    let refused = send(
        &app,
        send_request(
            d.conversation,
            &agent,
            &[file("a.png", "image/png", PNG), caption("a\u{0}b")],
        ),
    )
    .await;
    assert_eq!(refused.error(422), "validation_failed");
    assert_eq!(refused.body["error"]["details"][0]["field"], "caption");
    assert_eq!(thread_len(&app, d.conversation, &agent).await, 1);
}

#[actix_web::test]
async fn viewers_cannot_upload_or_send_files() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (viewer, _) = login(&app, "viewer").await;
    assert_eq!(
        send(
            &app,
            upload_request(&viewer, &[file("a.png", "image/png", PNG)])
        )
        .await
        .error(403),
        "forbidden"
    );
    assert_eq!(
        send(
            &app,
            send_request(d.conversation, &viewer, &[file("a.png", "image/png", PNG)])
        )
        .await
        .error(403),
        "forbidden"
    );
    assert_eq!(
        send(
            &app,
            post(
                &thread_path(d.conversation),
                &viewer,
                media_message(&json!(1), None)
            )
        )
        .await
        .error(403),
        "forbidden"
    );
}

#[actix_web::test]
async fn someone_elses_attachment_or_a_missing_one_is_404() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (colleague, _) = login(&app, "colleague").await;
    let (agent, _) = login(&app, "agent").await;
    let theirs = send(
        &app,
        upload_request(&colleague, &[file("a.png", "image/png", PNG)]),
    )
    .await;
    assert_eq!(theirs.status.as_u16(), 201);
    for id in [theirs.body["id"].clone(), json!(999_999)] {
        let refused = send(
            &app,
            post(
                &thread_path(d.conversation),
                &agent,
                media_message(&id, None),
            ),
        )
        .await;
        assert_eq!(refused.error(404), "attachment_not_found", "{id}");
    }
    // Its owner can send it.
    let sent = send(
        &app,
        post(
            &thread_path(d.conversation),
            &colleague,
            media_message(&theirs.body["id"], None),
        ),
    )
    .await;
    assert_eq!(sent.status.as_u16(), 202, "{}", sent.body);
}

#[actix_web::test]
async fn files_outside_the_24_hour_window_are_refused_like_text() {
    let d = desk(24 * 3600 + 60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    let refused = send(
        &app,
        send_request(d.conversation, &agent, &[file("a.png", "image/png", PNG)]),
    )
    .await;
    assert_eq!(refused.error(422), "outside_customer_service_window");
    let uploaded = send(
        &app,
        upload_request(&agent, &[file("a.png", "image/png", PNG)]),
    )
    .await;
    let refused = send(
        &app,
        post(
            &thread_path(d.conversation),
            &agent,
            media_message(&uploaded.body["id"], None),
        ),
    )
    .await;
    assert_eq!(refused.error(422), "outside_customer_service_window");
    assert_eq!(thread_len(&app, d.conversation, &agent).await, 1);
}

#[actix_web::test]
async fn a_repeated_media_send_with_the_same_idempotency_key_returns_the_first_message() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    let request = || {
        send_request(d.conversation, &agent, &[file("a.png", "image/png", PNG)])
            .insert_header(("idempotency-key", "photo-1"))
    };
    let first: Reply = send(&app, request()).await;
    let again = send(&app, request()).await;
    assert_eq!(first.status.as_u16(), 202, "{}", first.body);
    assert_eq!(again.status.as_u16(), 200, "{}", again.body);
    assert_eq!(first.body["id"], again.body["id"]);

    let uploaded = send(
        &app,
        upload_request(&agent, &[file("b.png", "image/png", PNG)]),
    )
    .await;
    let by_reference = || {
        post(
            &thread_path(d.conversation),
            &agent,
            media_message(&uploaded.body["id"], None),
        )
        .insert_header(("idempotency-key", "photo-2"))
    };
    let first = send(&app, by_reference()).await;
    let again = send(&app, by_reference()).await;
    assert_eq!((first.status.as_u16(), again.status.as_u16()), (202, 200));
    assert_eq!(first.body["id"], again.body["id"]);

    d.t.dispatch().await;
    d.t.dispatch().await;
    assert_eq!(d.t.gateway.uploads().len(), 2);
    assert_eq!(d.t.gateway.sent().len(), 2);
}

/// Polls the thread until its message at `index` has one of `statuses`, for at most 10 s.
async fn message_reaching(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    index: usize,
    statuses: &[&str],
) -> Value {
    let mut message = Value::Null;
    for _ in 0..200 {
        let thread: Value = client
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        message = thread["items"][index].clone();
        if statuses.iter().any(|s| message["status"] == *s) {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    message
}

#[actix_web::test]
async fn in_mock_mode_a_multipart_image_reaches_sent_and_is_served_back_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn_server_with(
        dir.path(),
        Some("media-mock-pw"),
        &[("SWITCHBOARD_MOCK_STATUS_DELAYS_MS", "0,0,0")],
    )
    .await;
    let base = server.base;
    let http = reqwest::Client::new();
    let token = sign_in_over_http(&http, &base, "admin", "media-mock-pw").await;
    let numbers: Value = http
        .get(format!("{base}/api/v1/business-numbers"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let number = numbers["items"][0]["id"].as_i64().unwrap();
    let simulated = http
        .post(format!("{base}/api/v1/simulator/inbound"))
        .bearer_auth(&token)
        .json(&json!({"business_number_id": number, "from": "+16505551234", "text": "A photo please"}))
        .send()
        .await
        .unwrap();
    assert_eq!(simulated.status().as_u16(), 201);
    let inbox: Value = http
        .get(format!("{base}/api/v1/conversations"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let conversation = inbox["items"][0]["id"].as_i64().unwrap();

    let photo: Vec<u8> = (0..=255u8).cycle().take(200 * KB).collect();
    let form = reqwest::multipart::Form::new()
        .text("caption", "The blue one")
        .part(
            "file",
            reqwest::multipart::Part::bytes(photo.clone())
                .file_name("blue.png")
                .mime_str("image/png")
                .unwrap(),
        );
    let queued = http
        .post(format!(
            "{base}/api/v1/conversations/{conversation}/messages"
        ))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status().as_u16(), 202);
    let queued: Value = queued.json().await.unwrap();
    assert_eq!(queued["type"], "image");

    let thread = format!("{base}/api/v1/conversations/{conversation}/messages");
    let message = message_reaching(&http, &thread, &token, 1, &["sent", "delivered", "read"]).await;
    assert!(
        ["sent", "delivered", "read"].contains(&message["status"].as_str().unwrap()),
        "the mock uploaded the file and took the message: {message}"
    );
    assert!(message["wamid"].as_str().unwrap().starts_with("wamid."));
    let media_id = message["payload"]["image"]["id"].as_str().unwrap();
    assert_eq!(media_id.len(), 16, "a media id of the simulator: {message}");

    let served = http
        .get(format!(
            "{base}{}",
            message["media"]["url"].as_str().unwrap()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(served.status().as_u16(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap().to_vec(), photo);

    // Over a real connection, an oversize file is answered 413 once its limit is passed.
    let big = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(vec![0; 5 * MB + 1])
            .file_name("big.jpg")
            .mime_str("image/jpeg")
            .unwrap(),
    );
    let refused = http
        .post(format!("{base}/api/v1/attachments"))
        .bearer_auth(&token)
        .multipart(big)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 413);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large");
}
