//! The real Cloud API client against the Cloud API simulator on a loopback port: every send
//! type, media uploads, read receipts, and each mapped error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use switchboard_domain::media::model::MediaKind;
use switchboard_domain::outbound::model::{GatewayError, OutboundContent, OutboundMessage};
use switchboard_domain::outbound::ports::WhatsAppGateway;
use switchboard_simulator::{SimulatorConfig, bind};
use switchboard_whatsapp::cloud::{CloudGateway, CloudSettings};

const TOKEN: &str = "EAAcloudClientTestToken";
const NUMBER_ID: &str = "106540352242922";

/// A simulator whose webhooks go nowhere (these tests look only at the client's answers).
fn simulator(throughput_limits: bool) -> String {
    let (address, server) = bind(SimulatorConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        callback_url: "http://127.0.0.1:9/webhooks/whatsapp".into(),
        app_secret: b"secret".to_vec(),
        access_token: TOKEN.into(),
        status_delays: [Duration::ZERO; 3],
        numbers: vec![(NUMBER_ID.into(), "15550100001".into())],
        throughput_limits,
    })
    .unwrap();
    actix_web::rt::spawn(server);
    format!("http://{address}")
}

fn client(base_url: &str, token: &str) -> CloudGateway {
    CloudGateway::new(CloudSettings {
        base_url: base_url.into(),
        api_version: "v23.0".into(),
        access_token: token.into(),
        timeout: Duration::from_secs(5),
    })
    .unwrap()
}

fn text(to: &str, body: &str) -> OutboundMessage {
    OutboundMessage {
        phone_number_id: NUMBER_ID.into(),
        to: to.into(),
        content: OutboundContent::Text { body: body.into() },
        reply_to: None,
    }
}

fn template(to: &str) -> OutboundMessage {
    OutboundMessage {
        content: OutboundContent::Template {
            name: "order_update".into(),
            language: "en_US".into(),
            components_json: r#"[{"type":"body","parameters":[{"type":"text","text":"42"}]}]"#
                .into(),
        },
        ..text(to, "")
    }
}

fn permanent_code(result: Result<impl std::fmt::Debug, GatewayError>) -> i64 {
    match result {
        Err(GatewayError::Permanent { code, .. }) => code,
        other => panic!("expected a permanent error, got {other:?}"),
    }
}

#[actix_web::test]
async fn text_template_reply_and_reaction_sends_are_accepted_with_a_wamid() {
    let gateway = client(&simulator(false), TOKEN);
    let first = gateway.send(&text("16505551234", "Hello")).await.unwrap();
    assert!(first.wamid.starts_with("wamid."), "{}", first.wamid);
    let second = gateway.send(&template("16505551234")).await.unwrap();
    assert_ne!(first.wamid, second.wamid);
    let reply = OutboundMessage {
        reply_to: Some(first.wamid.clone()),
        ..text("16505551234", "About that")
    };
    assert!(gateway.send(&reply).await.is_ok());
    let reaction = OutboundMessage {
        content: OutboundContent::Reaction {
            message_id: first.wamid.clone(),
            emoji: "\u{1f44d}".into(),
        },
        ..text("16505551234", "")
    };
    assert!(
        gateway
            .send(&reaction)
            .await
            .unwrap()
            .wamid
            .starts_with("wamid.")
    );
}

#[actix_web::test]
async fn a_read_receipt_is_accepted() {
    let gateway = client(&simulator(false), TOKEN);
    gateway
        .mark_read(
            NUMBER_ID,
            "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
        )
        .await
        .unwrap();
}

#[actix_web::test]
async fn a_wrong_token_is_permanent_190() {
    let gateway = client(&simulator(false), "not-the-token");
    assert_eq!(
        permanent_code(gateway.send(&text("16505551234", "Hi")).await),
        190
    );
}

#[actix_web::test]
async fn an_unknown_sending_number_is_permanent_100() {
    let gateway = client(&simulator(false), TOKEN);
    let message = OutboundMessage {
        phone_number_id: "999999".into(),
        ..text("16505551234", "Hi")
    };
    assert_eq!(permanent_code(gateway.send(&message).await), 100);
}

#[actix_web::test]
async fn invalid_messages_get_metas_permanent_codes() {
    let gateway = client(&simulator(false), TOKEN);
    assert_eq!(
        permanent_code(gateway.send(&text("16505551234", "")).await),
        100
    );
    let unnamed = OutboundMessage {
        content: OutboundContent::Template {
            name: String::new(),
            language: "en_US".into(),
            components_json: "[]".into(),
        },
        ..text("16505551234", "")
    };
    assert_eq!(permanent_code(gateway.send(&unnamed).await), 132001);
    assert_eq!(
        permanent_code(gateway.send(&text("15550000000", "Hi")).await),
        131026
    );
}

#[actix_web::test]
async fn temporary_failures_are_transient_with_metas_code_and_retry_hint() {
    let gateway = client(&simulator(false), TOKEN);
    match gateway.send(&text("15550000500", "Hi")).await {
        Err(GatewayError::Transient { code, .. }) => assert_eq!(code, Some(131000)),
        other => panic!("expected transient 131000, got {other:?}"),
    }
    match gateway.send(&text("15550000429", "Hi")).await {
        Err(GatewayError::Transient {
            code, retry_after, ..
        }) => {
            assert_eq!(code, Some(130429));
            assert_eq!(retry_after, Some(Duration::from_secs(1)));
        }
        other => panic!("expected transient 130429, got {other:?}"),
    }
}

#[actix_web::test]
async fn a_burst_to_one_customer_hits_the_pair_limit_as_transient_131056() {
    let gateway = client(&simulator(true), TOKEN);
    let mut codes = Vec::new();
    for _ in 0..8 {
        if let Err(GatewayError::Transient { code, .. }) =
            gateway.send(&text("16505551234", "ping")).await
        {
            codes.push(code);
        }
    }
    assert!(!codes.is_empty(), "the burst exceeded the pair limit");
    assert!(codes.iter().all(|c| *c == Some(131056)), "{codes:?}");
}

#[actix_web::test]
async fn an_unresponsive_api_is_a_transient_timeout() {
    // Accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let gateway = CloudGateway::new(CloudSettings {
        base_url: base,
        api_version: "v23.0".into(),
        access_token: TOKEN.into(),
        timeout: Duration::from_millis(300),
    })
    .unwrap();
    match gateway.send(&text("16505551234", "Hi")).await {
        Err(GatewayError::Transient {
            code: None,
            message,
            ..
        }) => assert!(message.contains("in time"), "{message}"),
        other => panic!("expected a transient timeout, got {other:?}"),
    }
    drop(listener);
}

#[actix_web::test]
async fn an_unreachable_api_is_transient() {
    let gateway = client("http://127.0.0.1:9", TOKEN);
    assert!(matches!(
        gateway.send(&text("16505551234", "Hi")).await,
        Err(GatewayError::Transient { code: None, .. })
    ));
}

fn media(to: &str, kind: MediaKind, media_id: &str, caption: Option<&str>) -> OutboundMessage {
    OutboundMessage {
        content: OutboundContent::Media {
            kind,
            mime_type: String::new(),
            key: String::new(),
            filename: "file.bin".into(),
            caption: caption.map(str::to_owned),
            size: 0,
            sha256: String::new(),
            media_id: Some(media_id.into()),
        },
        ..text(to, "")
    }
}

#[actix_web::test]
async fn uploads_reach_the_simulator_and_every_media_kind_is_sent_by_its_id() {
    let gateway = client(&simulator(false), TOKEN);
    for (kind, mime_type, filename, caption) in [
        (MediaKind::Image, "image/jpeg", "photo.jpg", Some("look")),
        (
            MediaKind::Document,
            "application/pdf",
            "invoice.pdf",
            Some("your invoice"),
        ),
        (MediaKind::Video, "video/mp4", "clip.mp4", None),
        (MediaKind::Audio, "audio/ogg", "note.ogg", None),
        (MediaKind::Sticker, "image/webp", "sticker.webp", None),
    ] {
        let bytes = format!("{kind} bytes").into_bytes();
        let media_id = gateway
            .upload_media(NUMBER_ID, &bytes, mime_type, filename)
            .await
            .unwrap_or_else(|e| panic!("{kind} upload: {e}"));
        assert!(
            media_id.len() == 16 && media_id.bytes().all(|b| b.is_ascii_digit()),
            "{media_id}"
        );

        // The simulator holds exactly what was uploaded, under the type the form named.
        let info = gateway.media_info(&media_id).await.unwrap();
        assert_eq!(info.mime_type, mime_type);
        assert_eq!(info.file_size, bytes.len() as u64);
        assert_eq!(gateway.download_media(&info).await.unwrap(), bytes);

        // It checks a send by id names stored media of the message's own kind.
        let sent = gateway
            .send(&media("16505551234", kind, &media_id, caption))
            .await
            .unwrap_or_else(|e| panic!("{kind} send: {e}"));
        assert!(sent.wamid.starts_with("wamid."), "{}", sent.wamid);
    }
}

#[actix_web::test]
async fn a_send_naming_an_unknown_media_id_is_permanent_100() {
    let gateway = client(&simulator(false), TOKEN);
    let unknown = media("16505551234", MediaKind::Image, "1234567890123456", None);
    assert_eq!(permanent_code(gateway.send(&unknown).await), 100);
}

#[actix_web::test]
async fn a_media_id_of_another_kind_is_permanent_131053() {
    let gateway = client(&simulator(false), TOKEN);
    let pdf = gateway
        .upload_media(NUMBER_ID, b"%PDF-1.7", "application/pdf", "a.pdf")
        .await
        .unwrap();
    let as_image = media("16505551234", MediaKind::Image, &pdf, None);
    assert_eq!(permanent_code(gateway.send(&as_image).await), 131053);
}

#[actix_web::test]
async fn uploads_meta_refuses_are_permanent_with_its_code() {
    let gateway = client(&simulator(false), TOKEN);
    assert_eq!(
        permanent_code(
            gateway
                .upload_media(NUMBER_ID, b"GIF89a", "image/gif", "a.gif")
                .await
        ),
        100
    );
    let too_big = vec![0; 100 * 1024 + 1];
    assert_eq!(
        permanent_code(
            gateway
                .upload_media(NUMBER_ID, &too_big, "image/webp", "big.webp")
                .await
        ),
        131053
    );
    let wrong_token = client(&simulator(false), "not-the-token");
    assert_eq!(
        permanent_code(
            wrong_token
                .upload_media(NUMBER_ID, b"x", "text/plain", "a.txt")
                .await
        ),
        190
    );
}
