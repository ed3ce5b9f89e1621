//! [`InboundRepository`](switchboard_domain::ingest::ports::InboundRepository) under concurrency:
//! deliveries applied side by side (on one instance's writer, or on several instances at once)
//! store each message once, create each contact and conversation once, and leave every message
//! at its furthest status with the time of each.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use switchboard_domain::inbox::model::{AssigneeFilter, ConversationQuery};
use switchboard_domain::ingest::model::{InboundMessage, StatusReport, WebhookBatch};
use switchboard_domain::ingest::ports::InboundRepository;
use switchboard_domain::message::MessageStatus;
use switchboard_domain::numbers::model::BusinessNumberId;
use switchboard_domain::outbound::model::OutboundContent;
use switchboard_domain::outbound::ports::NewOutbound;
use switchboard_domain::users::model::Role;

use super::backend;
use crate::backend::{Backend, inbound_text};

/// Applies each batch on its own task, all at once; every one must succeed.
async fn ingest_at_once(inbound: &Arc<dyn InboundRepository>, batches: Vec<WebhookBatch>) {
    let mut tasks = tokio::task::JoinSet::new();
    for batch in batches {
        let inbound = Arc::clone(inbound);
        tasks.spawn(async move { inbound.ingest(&batch, Utc::now()).await });
    }
    for outcome in tasks.join_all().await {
        outcome.unwrap();
    }
}

fn only(message: InboundMessage) -> WebhookBatch {
    WebhookBatch {
        messages: vec![message],
        statuses: vec![],
    }
}

async fn conversations(b: &Backend, n: BusinessNumberId) -> Vec<i64> {
    b.inbox
        .list_conversations(&ConversationQuery {
            numbers: vec![n],
            status: None,
            assignee: AssigneeFilter::Any,
            after: None,
            limit: 100,
        })
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.conversation.id.0)
        .collect()
}

#[tokio::test]
async fn fifty_redeliveries_at_once_store_one_message() {
    let Some(b) = backend().await else { return };
    let n = b.number("+15550100001", "111").await;
    let message = inbound_text("111", "16505551234", "wamid.redelivered", "hello");
    ingest_at_once(&b.inbound, (0..50).map(|_| only(message.clone())).collect()).await;
    let conversations = conversations(&b, n).await;
    assert_eq!(conversations.len(), 1);
    let view = b
        .conversations
        .get_conversation(switchboard_domain::conversation::model::ConversationId(
            conversations[0],
        ))
        .await
        .unwrap();
    let thread = b
        .conversations
        .list_messages(view.conversation.id, None, 100)
        .await
        .unwrap();
    assert_eq!(thread.len(), 1, "{thread:?}");
    assert_eq!(view.conversation.unread_count, 1);
}

#[tokio::test]
async fn first_messages_at_once_from_one_new_customer_make_one_contact_and_one_conversation() {
    let Some(b) = backend().await else { return };
    let n = b.number("+15550100001", "111").await;
    let batches = (0..20)
        .map(|i| {
            only(inbound_text(
                "111",
                "16505559876",
                &format!("wamid.first-{i}"),
                "hi",
            ))
        })
        .collect();
    ingest_at_once(&b.inbound, batches).await;
    let contacts = b.contacts.list_contacts(None, None, 100).await.unwrap();
    assert_eq!(contacts.len(), 1, "{contacts:?}");
    let conversations = conversations(&b, n).await;
    assert_eq!(conversations.len(), 1);
    let id = switchboard_domain::conversation::model::ConversationId(conversations[0]);
    let thread = b.conversations.list_messages(id, None, 100).await.unwrap();
    assert_eq!(thread.len(), 20);
    let view = b.conversations.get_conversation(id).await.unwrap();
    assert_eq!(
        view.conversation.unread_count, 20,
        "every message counted once"
    );
}

#[tokio::test]
async fn statuses_applied_at_once_in_every_order_end_at_read_with_each_time_kept() {
    let Some(b) = backend().await else { return };
    let ana = b.user("ana", Role::Agent).await;
    let n = b.number("+15550100001", "111").await;
    let base = Utc.timestamp_opt(1_750_000_000, 0).unwrap();
    let road = [
        (MessageStatus::Sent, base + Duration::seconds(1)),
        (MessageStatus::Delivered, base + Duration::seconds(2)),
        (MessageStatus::Read, base + Duration::seconds(3)),
    ];
    // The six orders of three statuses, each on a message of its own, all applied at once.
    let orders = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    let mut messages = Vec::new();
    let mut batches = Vec::new();
    for (i, order) in orders.iter().enumerate() {
        let new = NewOutbound {
            sender: ana,
            content: OutboundContent::Text { body: "ok".into() },
            idempotency_key: None,
        };
        let started = b
            .outbound
            .start_conversation(n, &format!("1650555100{i}"), &new, Utc::now())
            .await
            .unwrap();
        let wamid = format!("wamid.order-{i}");
        b.outbox
            .mark_accepted(started.message.id, &wamid, Utc::now())
            .await
            .unwrap();
        messages.push(started.message.id);
        for &step in order {
            let (status, at) = road[step];
            batches.push(WebhookBatch {
                messages: vec![],
                statuses: vec![StatusReport {
                    phone_number_id: "111".into(),
                    wamid: wamid.clone(),
                    status,
                    at,
                    error: None,
                }],
            });
        }
    }
    ingest_at_once(&b.inbound, batches).await;
    for id in messages {
        let message = b.conversations.get_message(id).await.unwrap();
        assert_eq!(message.status, MessageStatus::Read, "{message:?}");
        assert_eq!(message.sent_status_at, Some(road[0].1));
        assert_eq!(message.delivered_at, Some(road[1].1));
        assert_eq!(message.read_at, Some(road[2].1));
    }
}

#[tokio::test]
async fn a_batch_with_more_events_than_a_statement_takes_parameters_is_stored_whole() {
    let Some(b) = backend().await else { return };
    let n = b.number("+15550100001", "111").await;
    // 7,000 messages log 14,000 events of five values each: 70,000, past what one statement
    // may bind on SQLite (32,766) or PostgreSQL (65,535).
    let messages = (0..7000)
        .map(|i| inbound_text("111", "16505551234", &format!("wamid.big-{i}"), "x"))
        .collect();
    let summary = b
        .inbound
        .ingest(
            &WebhookBatch {
                messages,
                statuses: vec![],
            },
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(summary.messages_stored, 7000);
    let events = b.events.events_after(0, Some(&[n]), 20_000).await.unwrap();
    assert_eq!(events.len(), 14_000);
    assert!(events.windows(2).all(|w| w[0].id < w[1].id));
}

#[tokio::test]
async fn deliveries_at_once_each_hear_their_own_outcome_and_one_the_database_refuses_fails_alone() {
    let Some(b) = backend().await else { return };
    let n = b.number("+15550100001", "111").await;
    let mut deliveries = Vec::new();
    // Ten customers, three messages each; the first message of the first customer is also
    // redelivered five times.
    for customer in 0..10 {
        for m in 0..3 {
            deliveries.push(only(inbound_text(
                "111",
                &format!("1650555{customer:04}"),
                &format!("wamid.together-{customer}-{m}"),
                "hello",
            )));
        }
    }
    let redelivered = deliveries[0].clone();
    deliveries.extend((0..5).map(|_| redelivered.clone()));
    let unknown = only(inbound_text("999", "16505559999", "wamid.nobody", "hi"));
    deliveries.extend((0..4).map(|_| unknown.clone()));
    // PostgreSQL stores payloads as jsonb and refuses one that is not JSON; SQLite keeps text.
    let mut refused = inbound_text("111", "16505558888", "wamid.refused", "bad");
    refused.payload = "not json".to_owned();
    deliveries.push(only(refused));

    let mut tasks = tokio::task::JoinSet::new();
    for (i, batch) in deliveries.into_iter().enumerate() {
        let inbound = Arc::clone(&b.inbound);
        tasks.spawn(async move { (i, inbound.ingest(&batch, Utc::now()).await) });
    }
    let mut outcomes = tasks.join_all().await;
    outcomes.sort_by_key(|(i, _)| *i);
    let summary = |i: usize| outcomes[i].1.as_ref().unwrap();
    for i in 1..30 {
        assert_eq!(
            summary(i).messages_stored,
            1,
            "delivery {i}: {:?}",
            summary(i)
        );
    }
    let copies: Vec<_> = [0, 30, 31, 32, 33, 34].map(summary).to_vec();
    assert_eq!(copies.iter().map(|s| s.messages_stored).sum::<usize>(), 1);
    assert_eq!(
        copies.iter().map(|s| s.duplicate_messages).sum::<usize>(),
        5
    );
    for i in 35..39 {
        assert_eq!(summary(i).unknown_numbers, vec!["999".to_owned()]);
        assert_eq!(summary(i).messages_stored, 0);
    }
    let refused_stored = match &outcomes[39].1 {
        Ok(s) => s.messages_stored,
        Err(_) => 0,
    };

    let conversations = conversations(&b, n).await;
    assert_eq!(conversations.len(), 10 + refused_stored);
    for id in conversations {
        let view = b
            .conversations
            .get_conversation(switchboard_domain::conversation::model::ConversationId(id))
            .await
            .unwrap();
        let expected = if view.contact.wa_id == "16505558888" {
            1
        } else {
            3
        };
        assert_eq!(view.conversation.unread_count, expected, "{view:?}");
        let last = view.last_message.expect("a preview");
        assert_eq!(
            last.text.as_deref(),
            Some(if expected == 1 { "bad" } else { "hello" })
        );
    }
    let events = b.events.events_after(0, Some(&[n]), 1_000).await.unwrap();
    assert_eq!(
        events.len(),
        2 * (30 + refused_stored),
        "a conversation and a message event each"
    );
}
