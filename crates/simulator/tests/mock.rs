//! The mock Cloud API gateway against a webhook receiver on a loopback port: what `send` answers
//! for each test number, and the signed, Cloud-API-shaped webhooks that follow.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::time::Duration;

use switchboard_domain::message::{MessageId, MessageStatus};
use switchboard_domain::outbound::model::{
    GatewayError, OutboundContent, OutboundMessage, is_transient,
};
use switchboard_domain::outbound::ports::WhatsAppGateway;
use switchboard_domain::simulator::ports::AwaitingStatus;
use switchboard_simulator::mock::{
    DEMO_NUMBER, MockDeliveryError, MockGateway, MockSettings, SimulatedInbound,
    parse_status_delays,
};
use switchboard_test_support::{Post, WebhookReceiver};
use switchboard_whatsapp::webhook::{Envelope, MessageContent, StatusKind};

const SECRET: &[u8] = b"mock-app-secret-for-tests";
const CUSTOMER: &str = "16505551234";

/// The envelope `post` carries, checked to be what Meta sends, signed with [`SECRET`].
fn envelope_of(post: &Post) -> Envelope {
    post.envelope(SECRET)
}

/// Waits until `wamid` has `count` status POSTs and returns their kinds, in arrival order.
async fn wait_for_statuses(
    receiver: &WebhookReceiver,
    wamid: &str,
    count: usize,
) -> Vec<StatusKind> {
    receiver
        .wait_until(format!("{count} statuses for {wamid}"), |posts| {
            let kinds = status_kinds(posts, wamid);
            (kinds.len() >= count).then_some(kinds)
        })
        .await
}

/// The kinds of the statuses about `wamid`, across `posts` in arrival order.
fn status_kinds(posts: &[Post], wamid: &str) -> Vec<StatusKind> {
    posts
        .iter()
        .flat_map(|post| {
            envelope_of(post)
                .statuses()
                .filter(|(_, status)| status.id == wamid)
                .map(|(_, status)| status.status.clone())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn settings(callback_url: &str) -> MockSettings {
    MockSettings {
        callback_url: callback_url.to_owned(),
        app_secret: SECRET.to_vec(),
        status_delays: [Duration::ZERO; 3],
    }
}

fn gateway(receiver: &WebhookReceiver) -> MockGateway {
    MockGateway::new(settings(receiver.url())).unwrap()
}

fn text(to: &str, body: &str) -> OutboundMessage {
    OutboundMessage {
        phone_number_id: DEMO_NUMBER.phone_number_id.to_owned(),
        to: to.to_owned(),
        content: OutboundContent::Text {
            body: body.to_owned(),
        },
        reply_to: None,
    }
}

fn template(to: &str, name: &str) -> OutboundMessage {
    OutboundMessage {
        content: OutboundContent::Template {
            name: name.to_owned(),
            language: "en_US".to_owned(),
            components_json: "[]".to_owned(),
        },
        ..text(to, "unused")
    }
}

fn permanent_code(result: Result<impl std::fmt::Debug, GatewayError>) -> i64 {
    match result {
        Err(GatewayError::Permanent { code, .. }) => code,
        other => panic!("expected a permanent error, got {other:?}"),
    }
}

/// A port nothing listens on.
fn closed_port_url() -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}/webhooks/whatsapp")
}

/// Sends an ordinary message and waits for all its statuses: webhooks of anything sent before it
/// would have come by then, so their absence means there are none.
async fn send_sentinel(gateway: &MockGateway, receiver: &WebhookReceiver) {
    let wamid = gateway
        .send(&text(CUSTOMER, "sentinel"))
        .await
        .unwrap()
        .wamid;
    wait_for_statuses(receiver, &wamid, 3).await;
}

#[actix_web::test]
async fn ordinary_send_is_accepted_then_signed_sent_delivered_read_webhooks_follow_in_order() {
    let receiver = WebhookReceiver::start().await;
    let gateway = gateway(&receiver);

    let wamid = gateway.send(&text(CUSTOMER, "Olá 👋")).await.unwrap().wamid;

    let id = wamid.strip_prefix("wamid.").unwrap();
    assert!(
        id.len() >= 20
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{wamid}"
    );
    let posts = receiver.wait_for_posts(3).await;
    assert_eq!(posts.len(), 3);
    let mut kinds = Vec::new();
    for post in &posts {
        let envelope = envelope_of(post);
        assert_eq!(envelope.entry.len(), 1);
        assert_eq!(envelope.entry[0].id, DEMO_NUMBER.waba_id);
        assert_eq!(envelope.entry[0].changes[0].field(), "messages");
        let statuses: Vec<_> = envelope.statuses().collect();
        assert_eq!(statuses.len(), 1);
        let (metadata, status) = statuses[0];
        assert_eq!(metadata.phone_number_id, DEMO_NUMBER.phone_number_id);
        assert_eq!(metadata.display_phone_number, "15550100001");
        assert_eq!(status.id, wamid);
        assert_eq!(status.recipient_id, CUSTOMER);
        assert!(status.timestamp > 1_700_000_000, "{}", status.timestamp);
        assert!(status.errors.is_empty());
        assert!(status.conversation.is_some());
        assert_eq!(status.pricing.as_ref().unwrap()["category"], "service");
        kinds.push(status.status.clone());
        assert_eq!(envelope.to_batch().unwrap().statuses.len(), 1);
    }
    assert_eq!(
        kinds,
        [StatusKind::Sent, StatusKind::Delivered, StatusKind::Read]
    );
}

#[actix_web::test]
async fn every_accepted_message_gets_a_fresh_wamid() {
    let receiver = WebhookReceiver::start().await;
    let gateway = gateway(&receiver);

    let first = gateway.send(&text(CUSTOMER, "one")).await.unwrap().wamid;
    let second = gateway.send(&text(CUSTOMER, "one")).await.unwrap().wamid;

    assert_ne!(first, second);
}

#[actix_web::test]
async fn a_reply_goes_out_with_its_context_and_is_delivered() {
    let receiver = WebhookReceiver::start().await;
    let gateway = gateway(&receiver);
    let reply = OutboundMessage {
        reply_to: Some("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUY".to_owned()),
        ..text(CUSTOMER, "Yes, in blue too.")
    };

    let wamid = gateway.send(&reply).await.unwrap().wamid;

    assert_eq!(
        wait_for_statuses(&receiver, &wamid, 3).await,
        [StatusKind::Sent, StatusKind::Delivered, StatusKind::Read]
    );
}

#[actix_web::test]
async fn recipient_ending_0000_is_refused_as_undeliverable_without_webhooks() {
    let receiver = WebhookReceiver::start().await;
    let gateway = gateway(&receiver);

    let refused = gateway.send(&text("16505550000", "hello")).await;

    assert_eq!(permanent_code(refused), 131026);
    send_sentinel(&gateway, &receiver).await;
    assert_eq!(receiver.posts().len(), 3, "only the sentinel's statuses");
}

#[actix_web::test]
async fn text_to_recipient_ending_0047_fails_asynchronously_with_131047_and_nothing_else() {
    let receiver = WebhookReceiver::start().await;
    let gateway = gateway(&receiver);

    let wamid = gateway
        .send(&text("16505550047", "are you there?"))
        .await
        .unwrap()
        .wamid;

    wait_for_statuses(&receiver, &wamid, 1).await;
    send_sentinel(&gateway, &receiver).await;
    let posts = receiver.posts();
    assert_eq!(status_kinds(&posts, &wamid), [StatusKind::Failed]);
    let envelope = posts
        .iter()
        .map(envelope_of)
        .find(|envelope| envelope.statuses().any(|(_, status)| status.id == wamid))
        .unwrap();
    let (_, failed) = envelope.statuses().next().unwrap();
    assert_eq!(failed.recipient_id, "16505550047");
    assert_eq!(failed.errors.len(), 1);
    assert_eq!(failed.errors[0].code, 131047);
    assert_eq!(
        failed.errors[0].title.as_deref(),
        Some("Re-engagement message")
    );
    assert_eq!(
        failed.errors[0].details.as_deref(),
        Some(
            "More than 24 hours have passed since the recipient last replied to the sender number."
        )
    );
    let batch = envelope.to_batch().unwrap();
    assert_eq!(batch.statuses[0].error.as_ref().unwrap().code, 131047);
}

#[actix_web::test]
async fn template_to_recipient_ending_0047_goes_through_normally() {
    let receiver = WebhookReceiver::start().await;
    let gateway = gateway(&receiver);

    let wamid = gateway
        .send(&template("16505550047", "order_update"))
        .await
        .unwrap()
        .wamid;

    assert_eq!(
        wait_for_statuses(&receiver, &wamid, 3).await,
        [StatusKind::Sent, StatusKind::Delivered, StatusKind::Read]
    );
    let pricing = envelope_of(&receiver.posts()[0])
        .statuses()
        .next()
        .unwrap()
        .1
        .pricing
        .clone();
    assert_eq!(pricing.unwrap()["category"], "utility");
}

#[actix_web::test]
async fn recipient_ending_0429_is_rate_limited_twice_then_accepted() {
    let receiver = WebhookReceiver::start().await;
    let gateway = gateway(&receiver);
    let limited = "16505550429";

    for _ in 0..2 {
        match gateway.send(&text(limited, "hi")).await {
            Err(GatewayError::Transient {
                code: Some(130429),
                message,
                retry_after: Some(retry_after),
            }) => {
                assert_eq!(message, "Rate limit hit");
                assert_eq!(retry_after, Duration::from_secs(1));
            }
            other => panic!("expected rate limit 130429, got {other:?}"),
        }
    }
    let third = gateway.send(&text(limited, "hi")).await.unwrap().wamid;
    gateway.send(&text(limited, "hi")).await.unwrap();
    // The count is per recipient: another such number starts afresh.
    assert!(matches!(
        gateway.send(&text("4915110000429", "hi")).await,
        Err(GatewayError::Transient {
            code: Some(130429),
            ..
        })
    ));

    assert_eq!(
        wait_for_statuses(&receiver, &third, 3).await,
        [StatusKind::Sent, StatusKind::Delivered, StatusKind::Read]
    );
}

#[actix_web::test]
async fn recipient_ending_0500_always_fails_transiently_with_131000() {
    let receiver = WebhookReceiver::start().await;
    let gateway = gateway(&receiver);

    for _ in 0..3 {
        match gateway.send(&text("16505550500", "hi")).await {
            Err(GatewayError::Transient {
                code: Some(code), ..
            }) => {
                assert_eq!(code, 131000);
                assert!(is_transient(code));
            }
            other => panic!("expected transient 131000, got {other:?}"),
        }
    }
    send_sentinel(&gateway, &receiver).await;
    assert_eq!(receiver.posts().len(), 3, "only the sentinel's statuses");
}

#[actix_web::test]
async fn recipient_ending_0002_gets_sent_and_read_without_delivered() {
    let receiver = WebhookReceiver::start().await;
    let gateway = gateway(&receiver);

    let wamid = gateway
        .send(&text("16505550002", "hi"))
        .await
        .unwrap()
        .wamid;

    assert_eq!(
        wait_for_statuses(&receiver, &wamid, 2).await,
        [StatusKind::Sent, StatusKind::Read]
    );
    send_sentinel(&gateway, &receiver).await;
    assert_eq!(
        status_kinds(&receiver.posts(), &wamid),
        [StatusKind::Sent, StatusKind::Read]
    );
}

#[actix_web::test]
async fn invalid_messages_are_refused_with_the_cloud_api_permanent_codes() {
    let receiver = WebhookReceiver::start().await;
    let gateway = gateway(&receiver);
    let with_template = |name: &str, language: &str, components: &str| OutboundMessage {
        content: OutboundContent::Template {
            name: name.to_owned(),
            language: language.to_owned(),
            components_json: components.to_owned(),
        },
        ..text(CUSTOMER, "unused")
    };
    let cases = [
        ("empty text", text(CUSTOMER, ""), 100),
        ("4097 characters", text(CUSTOMER, &"é".repeat(4097)), 100),
        ("6-digit to", text("165055", "hi"), 100),
        ("16-digit to", text("1650555123412345", "hi"), 100),
        ("letters in to", text("1650555abcd", "hi"), 100),
        ("empty to", text("", "hi"), 100),
        ("empty template name", template(CUSTOMER, ""), 132001),
        (
            "empty language",
            with_template("order_update", "", "[]"),
            100,
        ),
        (
            "components not JSON",
            with_template("order_update", "en_US", "{"),
            100,
        ),
        (
            "components not an array",
            with_template("order_update", "en_US", "{}"),
            100,
        ),
    ];

    for (case, message, code) in cases {
        assert_eq!(permanent_code(gateway.send(&message).await), code, "{case}");
        assert!(!is_transient(code));
    }
}

#[actix_web::test]
async fn messages_at_the_limits_are_accepted() {
    let receiver = WebhookReceiver::start().await;
    let gateway = gateway(&receiver);

    for message in [
        text(CUSTOMER, &"é".repeat(4096)),
        text("1650555", "seven digits"),
        text("165055512341234", "fifteen digits"),
        text("+16505551234", "with a plus"),
    ] {
        gateway.send(&message).await.unwrap();
    }
}

#[actix_web::test]
async fn deliver_inbound_posts_a_signed_text_envelope_and_returns_after_the_200() {
    let receiver = WebhookReceiver::start().await;
    let gateway = gateway(&receiver);
    let inbound = SimulatedInbound {
        phone_number_id: DEMO_NUMBER.phone_number_id.to_owned(),
        display_phone_number: DEMO_NUMBER.display_phone_number.to_owned(),
        from: "5511987654321".to_owned(),
        name: Some("José Ñandú".to_owned()),
        text: "Tem em azul? 👋".to_owned(),
    };

    let wamid = gateway.deliver_inbound(inbound).await.unwrap();

    // No waiting: the POST was answered before deliver_inbound returned.
    let posts = receiver.posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].answered, 200);
    let envelope = envelope_of(&posts[0]);
    assert_eq!(envelope.entry[0].id, DEMO_NUMBER.waba_id);
    let messages: Vec<_> = envelope.messages().collect();
    assert_eq!(messages.len(), 1);
    let (metadata, contacts, message) = messages[0];
    assert_eq!(metadata.phone_number_id, DEMO_NUMBER.phone_number_id);
    assert_eq!(metadata.display_phone_number, "15550100001");
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].wa_id, "5511987654321");
    assert_eq!(contacts[0].profile.as_ref().unwrap().name, "José Ñandú");
    assert_eq!(message.from, "5511987654321");
    assert_eq!(message.id, wamid);
    assert_eq!(message.kind, "text");
    assert_eq!(
        message.content,
        MessageContent::Text {
            body: "Tem em azul? 👋".to_owned()
        }
    );
    let batch = envelope.to_batch().unwrap();
    assert_eq!(
        batch.messages[0].profile_name.as_deref(),
        Some("José Ñandú")
    );
}

#[actix_web::test]
async fn deliver_inbound_without_a_name_sends_a_contact_without_profile() {
    let receiver = WebhookReceiver::start().await;
    let gateway = gateway(&receiver);

    gateway
        .deliver_inbound(SimulatedInbound {
            phone_number_id: "100000000000777".to_owned(),
            display_phone_number: "+1 555-010-0777".to_owned(),
            from: "447700900123".to_owned(),
            name: None,
            text: "hello".to_owned(),
        })
        .await
        .unwrap();

    let envelope = envelope_of(&receiver.posts()[0]);
    let (metadata, contacts, _) = envelope.messages().next().unwrap();
    assert_eq!(metadata.display_phone_number, "15550100777");
    assert_eq!(contacts[0].wa_id, "447700900123");
    assert_eq!(contacts[0].profile, None);
}

#[actix_web::test]
async fn deliver_inbound_reports_a_500_as_rejected_with_its_body() {
    let receiver = WebhookReceiver::answering([500]).await;
    let gateway = gateway(&receiver);

    let refused = gateway
        .deliver_inbound(SimulatedInbound {
            phone_number_id: DEMO_NUMBER.phone_number_id.to_owned(),
            display_phone_number: DEMO_NUMBER.display_phone_number.to_owned(),
            from: CUSTOMER.to_owned(),
            name: None,
            text: "hello".to_owned(),
        })
        .await;

    assert_eq!(
        refused,
        Err(MockDeliveryError::Rejected {
            status: 500,
            body: "scripted failure".to_owned()
        })
    );
}

#[actix_web::test]
async fn deliver_inbound_reports_an_unreachable_webhook() {
    let gateway = MockGateway::new(settings(&closed_port_url())).unwrap();

    let refused = gateway
        .deliver_inbound(SimulatedInbound {
            phone_number_id: DEMO_NUMBER.phone_number_id.to_owned(),
            display_phone_number: DEMO_NUMBER.display_phone_number.to_owned(),
            from: CUSTOMER.to_owned(),
            name: None,
            text: "hello".to_owned(),
        })
        .await;

    assert!(
        matches!(refused, Err(MockDeliveryError::Unreachable(_))),
        "{refused:?}"
    );
}

#[actix_web::test]
async fn status_webhook_answered_500_is_retried_and_delivered_exactly_once_more() {
    let receiver = WebhookReceiver::answering([500]).await;
    let gateway = gateway(&receiver);

    let wamid = gateway.send(&text(CUSTOMER, "hi")).await.unwrap().wamid;

    assert_eq!(
        wait_for_statuses(&receiver, &wamid, 4).await,
        [
            StatusKind::Sent,
            StatusKind::Sent,
            StatusKind::Delivered,
            StatusKind::Read
        ]
    );
    let posts = receiver.posts();
    assert_eq!(posts.len(), 4);
    let answered: Vec<u16> = posts.iter().map(|post| post.answered).collect();
    assert_eq!(answered, [500, 200, 200, 200]);
    assert_eq!(
        posts[0].body, posts[1].body,
        "a retry resends the same event"
    );
}

#[actix_web::test]
async fn status_webhook_is_dropped_after_five_failed_attempts_and_the_next_status_follows() {
    let receiver = WebhookReceiver::answering([500; 5]).await;
    let gateway = gateway(&receiver);

    let wamid = gateway.send(&text(CUSTOMER, "hi")).await.unwrap().wamid;

    let mut expected = vec![StatusKind::Sent; 5];
    expected.extend([StatusKind::Delivered, StatusKind::Read]);
    assert_eq!(wait_for_statuses(&receiver, &wamid, 7).await, expected);
    let answered: Vec<u16> = receiver.posts().iter().map(|post| post.answered).collect();
    assert_eq!(answered, [500, 500, 500, 500, 500, 200, 200]);
}

#[actix_web::test]
async fn callback_url_set_after_construction_receives_the_webhooks() {
    let receiver = WebhookReceiver::start().await;
    let gateway = MockGateway::new(settings(&closed_port_url())).unwrap();

    gateway.set_callback_url(receiver.url().to_owned());
    let wamid = gateway.send(&text(CUSTOMER, "hi")).await.unwrap().wamid;

    assert_eq!(
        wait_for_statuses(&receiver, &wamid, 3).await,
        [StatusKind::Sent, StatusKind::Delivered, StatusKind::Read]
    );
}

#[actix_web::test]
async fn webhooks_carry_the_sending_number_and_its_registered_display_number() {
    let receiver = WebhookReceiver::start().await;
    let gateway = gateway(&receiver);
    gateway.register_number("100000000000042", "+1 555 010 0042");
    let from = |phone_number_id: &str| OutboundMessage {
        phone_number_id: phone_number_id.to_owned(),
        ..text(CUSTOMER, "hi")
    };

    let registered = gateway.send(&from("100000000000042")).await.unwrap().wamid;
    let unregistered = gateway.send(&from("100000000000099")).await.unwrap().wamid;

    wait_for_statuses(&receiver, &registered, 3).await;
    wait_for_statuses(&receiver, &unregistered, 3).await;
    for post in receiver.posts() {
        let envelope = envelope_of(&post);
        let (metadata, status) = envelope.statuses().next().unwrap();
        let expected = if status.id == registered {
            ("100000000000042", "15550100042")
        } else {
            ("100000000000099", "100000000000099")
        };
        assert_eq!(
            (
                metadata.phone_number_id.as_str(),
                metadata.display_phone_number.as_str()
            ),
            expected
        );
    }
}

#[actix_web::test]
async fn mark_read_succeeds_and_is_recorded() {
    let gateway = MockGateway::new(settings(&closed_port_url())).unwrap();

    gateway
        .mark_read(DEMO_NUMBER.phone_number_id, "wamid.first")
        .await
        .unwrap();
    gateway
        .mark_read(DEMO_NUMBER.phone_number_id, "wamid.second")
        .await
        .unwrap();

    assert_eq!(gateway.read_receipts(), ["wamid.first", "wamid.second"]);
}

#[test]
fn status_delays_parse_as_sent_delivered_read_milliseconds() {
    assert_eq!(parse_status_delays("0,0,0"), Ok([Duration::ZERO; 3]));
    assert_eq!(
        parse_status_delays("300,700,1500"),
        Ok(MockSettings::DEFAULT_STATUS_DELAYS)
    );
    assert_eq!(
        parse_status_delays(" 1, 20 ,300 "),
        Ok([1, 20, 300].map(Duration::from_millis))
    );
}

#[test]
fn status_delays_reject_a_wrong_count_non_numbers_and_negatives() {
    for (text, complaint) in [
        ("1,2", "expected 3"),
        ("1,2,3,4", "expected 3"),
        ("", "expected 3"),
        ("a,b,c", "not a whole number"),
        ("1.5,0,0", "not a whole number"),
        ("0,,0", "not a whole number"),
        ("-1,0,0", "negative"),
    ] {
        let error = parse_status_delays(text).unwrap_err();
        assert!(error.contains(complaint), "{text:?}: {error}");
    }
}

/// A message the mock accepted in a process that then died: sent through a mock whose statuses
/// would come only in an hour, which the test never waits for.
async fn accepted_before_a_restart(
    receiver: &WebhookReceiver,
    message: &OutboundMessage,
) -> String {
    let doomed = MockGateway::new(MockSettings {
        status_delays: [Duration::from_secs(3600); 3],
        ..settings(receiver.url())
    })
    .unwrap();
    doomed.send(message).await.unwrap().wamid
}

fn awaiting(message: &OutboundMessage, wamid: &str, status: MessageStatus) -> AwaitingStatus {
    AwaitingStatus {
        message_id: MessageId(1),
        wamid: wamid.to_owned(),
        phone_number_id: message.phone_number_id.clone(),
        display_phone_number: DEMO_NUMBER.display_phone_number.to_owned(),
        recipient: message.to.clone(),
        kind: match message.content {
            OutboundContent::Template { .. } => "template",
            _ => "text",
        }
        .to_owned(),
        status,
    }
}

#[actix_web::test]
async fn a_restarted_mock_resumes_only_the_statuses_after_the_stored_one() {
    use MessageStatus::{Accepted, Delivered, Sent};
    for (stored, expected) in [
        (
            Accepted,
            vec![StatusKind::Sent, StatusKind::Delivered, StatusKind::Read],
        ),
        (Sent, vec![StatusKind::Delivered, StatusKind::Read]),
        (Delivered, vec![StatusKind::Read]),
    ] {
        let receiver = WebhookReceiver::start().await;
        let message = text(CUSTOMER, "hi");
        let wamid = accepted_before_a_restart(&receiver, &message).await;

        let restarted = gateway(&receiver);
        restarted
            .resume_statuses(&awaiting(&message, &wamid, stored))
            .await;

        assert_eq!(
            status_kinds(&receiver.posts(), &wamid),
            expected,
            "{stored}"
        );
    }
}

#[actix_web::test]
async fn resumed_statuses_follow_the_recipients_test_number() {
    let receiver = WebhookReceiver::start().await;
    let restarted = gateway(&receiver);
    let silent = text("16505550003", "hi");
    let outside_window = text("16505550047", "hi");
    let skips_delivered = text("16505550002", "hi");
    let template_outside_window = template("16505550047", "order_update");
    let mut resumed = Vec::new();
    for (message, stored) in [
        (&silent, MessageStatus::Accepted),
        (&outside_window, MessageStatus::Accepted),
        (&skips_delivered, MessageStatus::Sent),
        (&template_outside_window, MessageStatus::Delivered),
    ] {
        let wamid = accepted_before_a_restart(&receiver, message).await;
        restarted
            .resume_statuses(&awaiting(message, &wamid, stored))
            .await;
        resumed.push(wamid);
    }

    let posts = receiver.posts();
    assert!(
        status_kinds(&posts, &resumed[0]).is_empty(),
        "0003 hears nothing"
    );
    assert_eq!(status_kinds(&posts, &resumed[1]), [StatusKind::Failed]);
    assert_eq!(status_kinds(&posts, &resumed[2]), [StatusKind::Read]);
    assert_eq!(status_kinds(&posts, &resumed[3]), [StatusKind::Read]);
    let failure = posts
        .iter()
        .map(envelope_of)
        .find_map(|envelope| {
            envelope
                .statuses()
                .find(|(_, status)| status.id == resumed[1])
                .map(|(_, status)| status.errors[0].code)
        })
        .unwrap();
    assert_eq!(failure, 131047);
}

#[actix_web::test]
async fn a_restarted_mock_owes_nothing_for_final_statuses_or_ids_it_did_not_issue() {
    let receiver = WebhookReceiver::start().await;
    let restarted = gateway(&receiver);
    let message = text(CUSTOMER, "hi");
    let own = accepted_before_a_restart(&receiver, &message).await;
    // An id as the real Cloud API issues them: a message sent before switching to the mock.
    let metas = "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3NzE1RDg0QkMxNjg4MUZBMUEA";

    for (wamid, stored) in [
        (own.as_str(), MessageStatus::Read),
        (own.as_str(), MessageStatus::Failed),
        (metas, MessageStatus::Sent),
    ] {
        restarted
            .resume_statuses(&awaiting(&message, wamid, stored))
            .await;
    }

    assert!(receiver.posts().is_empty(), "{:#?}", receiver.posts());
}
