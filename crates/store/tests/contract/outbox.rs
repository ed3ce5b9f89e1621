//! [`OutboxRepository`](switchboard_domain::outbound::ports::OutboxRepository): what the
//! dispatcher finds due, and the media id it records before sending.

use chrono::Utc;
use switchboard_domain::media::model::MediaKind;
use switchboard_domain::outbound::model::{OutboundContent, Started};
use switchboard_domain::outbound::ports::NewOutbound;
use switchboard_domain::users::model::Role;

use super::backend;

#[tokio::test]
async fn a_queued_media_message_keeps_its_file_and_the_recorded_media_id() {
    let Some(b) = backend().await else { return };
    let ana = b.user("ana", Role::Agent).await;
    let n = b.number("+15550100001", "111").await;
    let content = OutboundContent::Media {
        kind: MediaKind::Image,
        mime_type: "image/png".into(),
        key: "attachments/1".into(),
        filename: "photo.png".into(),
        caption: Some("look".into()),
        size: 42,
        sha256: "cd".repeat(32),
        media_id: None,
    };
    let new = NewOutbound {
        sender: ana,
        content: content.clone(),
        idempotency_key: None,
    };
    let Started {
        message, created, ..
    } = b
        .outbound
        .start_conversation(n, "16505551234", &new, Utc::now())
        .await
        .unwrap();
    assert!(created);
    assert_eq!(message.kind, "image");
    assert_eq!(message.text.as_deref(), Some("look"));
    let file = message.media.clone().expect("the message has its file");
    assert_eq!(file.key.as_deref(), Some("attachments/1"));
    assert_eq!(file.mime_type.as_deref(), Some("image/png"));
    assert_eq!(file.size, Some(42));

    let due = b
        .outbox
        .claim_due(Utc::now(), Utc::now() + chrono::Duration::minutes(2), 10)
        .await
        .unwrap();
    assert_eq!(due[0].outbound.content, content);

    b.outbox
        .record_media_upload(message.id, "1037543291543636")
        .await
        .unwrap();
    let due = b
        .outbox
        .claim_due(Utc::now(), Utc::now() + chrono::Duration::minutes(2), 10)
        .await
        .unwrap();
    let OutboundContent::Media { media_id, .. } = &due[0].outbound.content else {
        panic!("{:?}", due[0].outbound.content);
    };
    assert_eq!(media_id.as_deref(), Some("1037543291543636"));
    let shown = b.conversations.get_message(message.id).await.unwrap();
    assert!(
        shown.payload.contains("1037543291543636"),
        "{}",
        shown.payload
    );
}
