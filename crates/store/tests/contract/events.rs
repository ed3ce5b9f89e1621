//! [`EventRepository`](switchboard_domain::live::ports::EventRepository): the durable event log
//! replayed to live subscribers, each event with its conversation and message as they are now.

use chrono::Utc;
use switchboard_domain::ingest::model::WebhookBatch;
use switchboard_domain::live::model::EventKind;

use super::backend;
use crate::backend::inbound_text;

#[tokio::test]
async fn a_page_of_events_carries_each_events_conversation_and_message_as_they_are_now() {
    let Some(b) = backend().await else { return };
    let one = b.number("+15550100001", "111").await;
    let two = b.number("+15550100002", "222").await;
    let batch = WebhookBatch {
        messages: vec![
            inbound_text("111", "16505550101", "wamid.1", "first"),
            inbound_text("222", "16505550102", "wamid.2", "other number"),
            inbound_text("111", "16505550101", "wamid.3", "second"),
        ],
        statuses: Vec::new(),
    };
    b.inbound.ingest(&batch, Utc::now()).await.unwrap();

    let s = &b.events;
    let all = s.events_after(0, None, 100).await.unwrap();
    assert!(all.windows(2).all(|w| w[0].id < w[1].id), "in id order");
    let of_one = s.events_after(0, Some(&[one]), 100).await.unwrap();
    assert!(!of_one.is_empty());
    assert!(
        of_one
            .iter()
            .all(|e| e.conversation.conversation.business_number_id == one)
    );
    assert!(
        all.iter()
            .any(|e| e.conversation.conversation.business_number_id == two)
    );
    // Every event shows its conversation as it is now: after both messages.
    for event in &of_one {
        assert_eq!(event.conversation.conversation.unread_count, 2);
        let newest = event.conversation.last_message.as_ref().unwrap();
        assert_eq!(newest.text.as_deref(), Some("second"));
    }
    let texts: Vec<Option<&str>> = of_one
        .iter()
        .filter(|e| e.kind == EventKind::MessageCreated)
        .map(|e| e.message.as_ref().unwrap().text.as_deref())
        .collect();
    assert_eq!(texts, [Some("first"), Some("second")]);
    assert!(
        of_one
            .iter()
            .filter(|e| e.kind != EventKind::MessageCreated && e.kind != EventKind::MessageUpdated)
            .all(|e| e.message.is_none())
    );
    // Paging: ids above the cursor, at most `limit`.
    let page = s.events_after(all[0].id, None, 2).await.unwrap();
    assert_eq!(
        page.iter().map(|e| e.id).collect::<Vec<_>>(),
        all[1..3].iter().map(|e| e.id).collect::<Vec<_>>()
    );
    assert!(
        s.events_after(all.last().unwrap().id, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}
