//! Several instances on one database: each hears the events the others commit, and they share
//! the outbox, where a claimed message is theirs until they are done with it or their claim
//! runs out. PostgreSQL only: one process uses an SQLite file, so there a claim some other
//! process left is taken at once (`tests/sqlite.rs`).

use std::collections::HashSet;

use chrono::{Duration, Utc};
use switchboard_domain::message::MessageId;
use switchboard_domain::numbers::model::BusinessNumberId;
use switchboard_domain::outbound::model::OutboundContent;
use switchboard_domain::outbound::ports::NewOutbound;
use switchboard_domain::users::model::{Role, UserId};

use super::backend;
use crate::backend::Backend;

fn text(sender: UserId, body: &str) -> NewOutbound {
    NewOutbound {
        sender,
        content: OutboundContent::Text { body: body.into() },
        idempotency_key: None,
    }
}

/// Starts a conversation of `n` with `wa_id` by queueing `body`; the message's id.
async fn start(
    b: &Backend,
    n: BusinessNumberId,
    sender: UserId,
    wa_id: &str,
    body: &str,
) -> MessageId {
    b.outbound
        .start_conversation(n, wa_id, &text(sender, body), Utc::now())
        .await
        .unwrap()
        .message
        .id
}

fn ids(items: &[switchboard_domain::outbound::ports::DispatchItem]) -> Vec<MessageId> {
    items.iter().map(|i| i.message_id).collect()
}

#[tokio::test]
async fn another_instance_takes_a_held_message_only_once_its_claim_has_run_out() {
    let Some(b) = backend().await else { return };
    let ana = b.user("ana", Role::Agent).await;
    let n = b.number("+15550100001", "111").await;
    let first = start(&b, n, ana, "16505550001", "one").await;
    let conversation = b
        .conversations
        .get_message(first)
        .await
        .unwrap()
        .conversation_id;
    let second = b
        .outbound
        .queue_message(conversation, &text(ana, "two"), Utc::now())
        .await
        .unwrap()
        .message
        .id;
    let other = b.another_instance();
    let now = Utc::now();
    let until = now + Duration::minutes(2);

    assert_eq!(
        ids(&b.outbox.claim_due(now, until, 10).await.unwrap()),
        [first]
    );
    // Held: neither it nor the message queued behind it in its conversation is handed out.
    assert!(
        other
            .outbox
            .claim_due(now, until, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Its holder asking again gets it again (it is asking because it is not sending it).
    assert_eq!(
        ids(&b.outbox.claim_due(now, until, 10).await.unwrap()),
        [first]
    );

    // The holder died: once the claim has run out the other instance takes it, still first.
    let later = until + Duration::seconds(1);
    let taken = other
        .outbox
        .claim_due(later, later + Duration::minutes(2), 10)
        .await
        .unwrap();
    assert_eq!(ids(&taken), [first]);
    assert!(
        b.outbox
            .claim_due(later, later + Duration::minutes(2), 10)
            .await
            .unwrap()
            .is_empty(),
        "the first holder, back, finds it taken"
    );
    other
        .outbox
        .mark_accepted(first, "wamid.claims-1", later)
        .await
        .unwrap();
    // Accepted, the claim is over: the next message of the conversation is free for anyone.
    assert_eq!(
        ids(&b
            .outbox
            .claim_due(later, later + Duration::minutes(2), 10)
            .await
            .unwrap()),
        [second]
    );
}

#[tokio::test]
async fn instances_claiming_at_once_share_out_the_queue_without_overlap() {
    let Some(b) = backend().await else { return };
    let ana = b.user("ana", Role::Agent).await;
    let n = b.number("+15550100001", "111").await;
    let mut queued = HashSet::new();
    for i in 0..30 {
        queued.insert(start(&b, n, ana, &format!("1650555{i:04}"), "hello").await);
    }
    let instances: Vec<Backend> = (0..3).map(|_| b.another_instance()).collect();
    let now = Utc::now();
    let claims = futures_util::future::join_all(instances.iter().map(|i| async move {
        i.outbox
            .claim_due(now, now + Duration::minutes(2), 100)
            .await
            .unwrap()
    }))
    .await;
    let mut seen = HashSet::new();
    for claim in &claims {
        for id in ids(claim) {
            assert!(seen.insert(id), "{id:?} was handed to two instances");
        }
    }
    assert_eq!(
        seen, queued,
        "every queued message is handed to one of them"
    );
}

/// Counts the ticks of a live-event signal.
#[derive(Default)]
struct Ticks(std::sync::atomic::AtomicUsize);

impl switchboard_domain::live::ports::ChangeSignal for Ticks {
    fn changed(&self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[tokio::test]
async fn an_event_committed_by_one_instance_wakes_another_within_a_second() {
    let Some(b) = backend().await else { return };
    let n = b.number("+15550100001", "111").await;
    let ticks = std::sync::Arc::new(Ticks::default());
    let other = b.another_instance_watching(ticks.clone());
    // The listener ticks once on connecting (for what it may have missed): wait for that.
    let settled = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while ticks.0.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        assert!(
            std::time::Instant::now() < settled,
            "the listener never connected"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let before = ticks.0.load(std::sync::atomic::Ordering::SeqCst);
    let message = crate::backend::inbound_text("111", "16505551234", "wamid.listen", "hi");
    b.inbound
        .ingest(
            &switchboard_domain::ingest::model::WebhookBatch {
                messages: vec![message],
                statuses: vec![],
            },
            Utc::now(),
        )
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
    while ticks.0.load(std::sync::atomic::Ordering::SeqCst) == before {
        assert!(
            std::time::Instant::now() < deadline,
            "no wake-up within a second of the commit"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // What woke it is there to read on the other instance.
    let events = other.events.events_after(0, Some(&[n]), 10).await.unwrap();
    assert_eq!(events.len(), 2);
}
