//! [`AwaitingStatusRepository`](switchboard_domain::simulator::ports::AwaitingStatusRepository):
//! the outbound messages the mock provider still owes status webhooks, in pages.

use chrono::{Duration, Utc};
use switchboard_domain::Timestamp;
use switchboard_domain::ingest::model::{InboundMessage, StatusReport, WebhookBatch};
use switchboard_domain::message::{DeliveryError, MessageId, MessageStatus};
use switchboard_domain::numbers::model::BusinessNumberId;
use switchboard_domain::outbound::model::{OutboundContent, Started};
use switchboard_domain::outbound::ports::NewOutbound;
use switchboard_domain::simulator::ports::AwaitingStatus;
use switchboard_domain::users::model::{Role, UserId};

use super::backend;
use crate::backend::{Backend, inbound_text};

/// Queues a text (or, with `template`, a template) to `wa_id` on `number` and, unless `wamid` is
/// `None`, has the provider accept it at `accepted_at`.
async fn outbound(
    b: &Backend,
    number: BusinessNumberId,
    sender: UserId,
    wa_id: &str,
    template: bool,
    wamid: Option<&str>,
    accepted_at: Timestamp,
) -> MessageId {
    let content = if template {
        OutboundContent::Template {
            name: "order_update".into(),
            language: "en_US".into(),
            components_json: "[]".into(),
        }
    } else {
        OutboundContent::Text {
            body: format!("to {wa_id}"),
        }
    };
    let new = NewOutbound {
        sender,
        content,
        idempotency_key: None,
    };
    let Started { message, .. } = b
        .outbound
        .start_conversation(number, wa_id, &new, Utc::now())
        .await
        .unwrap();
    if let Some(wamid) = wamid {
        b.outbox
            .mark_accepted(message.id, wamid, accepted_at)
            .await
            .unwrap();
    }
    message.id
}

/// Ingests the provider's `status` webhook for `wamid` on the number Meta knows as "111".
async fn report(b: &Backend, wamid: &str, status: MessageStatus) {
    let error = (status == MessageStatus::Failed).then(|| DeliveryError {
        code: 131026,
        title: Some("Message undeliverable".into()),
        details: None,
    });
    b.inbound
        .ingest(
            &WebhookBatch {
                messages: Vec::new(),
                statuses: vec![StatusReport {
                    phone_number_id: "111".into(),
                    wamid: wamid.into(),
                    status,
                    at: Utc::now(),
                    error,
                }],
            },
            Utc::now(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn awaiting_statuses_walks_accepted_sent_and_delivered_replies_accepted_before_the_bound_in_pages()
 {
    let Some(b) = backend().await else { return };
    let ana = b.user("ana", Role::Agent).await;
    let n = b.number("+15550100001", "111").await;
    let start = Utc::now();
    let before = start - Duration::seconds(1);
    let queued = outbound(&b, n, ana, "16505550101", false, None, before).await;
    let accepted = outbound(&b, n, ana, "16505550102", false, Some("wamid.a"), before).await;
    let sent = outbound(&b, n, ana, "16505550103", true, Some("wamid.s"), before).await;
    report(&b, "wamid.s", MessageStatus::Sent).await;
    let read = outbound(&b, n, ana, "16505550104", false, Some("wamid.r"), before).await;
    report(&b, "wamid.r", MessageStatus::Read).await;
    let failed = outbound(&b, n, ana, "16505550105", false, Some("wamid.f"), before).await;
    report(&b, "wamid.f", MessageStatus::Failed).await;
    let delivered = outbound(&b, n, ana, "16505550106", false, Some("wamid.d"), before).await;
    report(&b, "wamid.d", MessageStatus::Delivered).await;
    // Accepted by the running process: it reports that one itself.
    let late = outbound(&b, n, ana, "16505550107", false, Some("wamid.l"), start).await;
    // A customer's message has a WhatsApp id and no statuses to come.
    b.inbound
        .ingest(
            &WebhookBatch {
                messages: vec![InboundMessage {
                    sent_at: before,
                    ..inbound_text("111", "16505550108", "wamid.in", "hi")
                }],
                statuses: Vec::new(),
            },
            Utc::now(),
        )
        .await
        .unwrap();

    let s = &b.awaiting_statuses;
    let first = s.awaiting_statuses(start, None, 2).await.unwrap();
    let second = s
        .awaiting_statuses(start, Some(first[1].message_id), 2)
        .await
        .unwrap();
    let third = s
        .awaiting_statuses(start, Some(second[0].message_id), 2)
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(second.len(), 1, "the last page is short: {second:?}");
    assert!(third.is_empty(), "{third:?}");
    let expect = |message_id, wamid: &str, recipient: &str, kind: &str, status| AwaitingStatus {
        message_id,
        wamid: wamid.into(),
        phone_number_id: "111".into(),
        display_phone_number: "+15550100001".into(),
        recipient: recipient.into(),
        kind: kind.into(),
        status,
    };
    assert_eq!(
        [first, second].concat(),
        [
            expect(
                accepted,
                "wamid.a",
                "16505550102",
                "text",
                MessageStatus::Accepted
            ),
            expect(
                sent,
                "wamid.s",
                "16505550103",
                "template",
                MessageStatus::Sent
            ),
            expect(
                delivered,
                "wamid.d",
                "16505550106",
                "text",
                MessageStatus::Delivered
            ),
        ]
    );
    let all = s
        .awaiting_statuses(start + Duration::seconds(1), None, 100)
        .await
        .unwrap();
    let ids: Vec<MessageId> = all.iter().map(|m| m.message_id).collect();
    assert_eq!(ids, [accepted, sent, delivered, late]);
    for left_out in [queued, read, failed] {
        assert!(
            !ids.contains(&left_out),
            "{left_out} is not awaiting statuses"
        );
    }
}
