//! [`AttachmentRepository`](switchboard_domain::media::ports::AttachmentRepository): agents'
//! uploads, kept with their owner until sent or deleted.

use chrono::Utc;
use switchboard_domain::error::RepoError;
use switchboard_domain::media::attachment::{AttachmentId, NewAttachment};
use switchboard_domain::media::model::MediaKind;
use switchboard_domain::users::model::{Role, UserId};

use super::backend;

fn pdf(owner: UserId) -> NewAttachment {
    NewAttachment {
        owner,
        kind: MediaKind::Document,
        mime_type: "application/pdf".into(),
        size: 1234,
        filename: "invoice.pdf".into(),
        sha256: "ab".repeat(32),
    }
}

#[tokio::test]
async fn attachments_are_stored_with_their_owner_and_read_back_whole() {
    let Some(b) = backend().await else { return };
    let s = &b.attachments;
    let ana = b.user("ana", Role::Agent).await;
    let at = Utc::now();
    let stored = s.create_attachment(&pdf(ana), at).await.unwrap();
    let other = s.create_attachment(&pdf(ana), at).await.unwrap();
    assert_ne!(stored.id, other.id, "each upload is its own attachment");
    assert_ne!(stored.key(), other.key());

    let read = s.get_attachment(stored.id).await.unwrap();
    assert_eq!(read, stored);
    assert_eq!(read.owner, ana);
    assert_eq!(read.kind, MediaKind::Document);
    assert_eq!(
        (read.mime_type.as_str(), read.size, read.filename.as_str()),
        ("application/pdf", 1234, "invoice.pdf")
    );
    assert_eq!(read.created_at.timestamp_millis(), at.timestamp_millis());

    assert_eq!(
        s.get_attachment(AttachmentId(999)).await.unwrap_err(),
        RepoError::NotFound
    );
    assert_eq!(
        s.create_attachment(&pdf(UserId(999)), at)
            .await
            .unwrap_err(),
        RepoError::NotFound,
        "the owner must exist"
    );
    s.delete_attachment(stored.id).await.unwrap();
    assert_eq!(
        s.get_attachment(stored.id).await.unwrap_err(),
        RepoError::NotFound
    );
    assert_eq!(
        s.delete_attachment(stored.id).await.unwrap_err(),
        RepoError::NotFound
    );
}
