//! [`MediaRepository`](switchboard_domain::media::ports::MediaRepository): customers' files
//! waiting to be downloaded are claimed, so that of several instances (or passes) only one
//! downloads a file at a time, and a claim whose holder never reported back runs out.

use std::collections::HashSet;

use chrono::{Duration, Utc};
use switchboard_domain::ingest::model::{InboundMedia, InboundMessage, WebhookBatch};

use super::backend;
use crate::backend::{Backend, inbound_text};

fn image(wamid: &str) -> InboundMessage {
    InboundMessage {
        kind: "image".into(),
        text: None,
        media: Some(InboundMedia {
            id: format!("media-{wamid}"),
            mime_type: Some("image/jpeg".into()),
            sha256: None,
        }),
        ..inbound_text("111", "16505551234", wamid, "")
    }
}

async fn receive(b: &Backend, messages: Vec<InboundMessage>) {
    b.inbound
        .ingest(
            &WebhookBatch {
                messages,
                statuses: vec![],
            },
            Utc::now(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_claimed_download_is_no_one_elses_until_its_claim_runs_out_or_it_is_stored() {
    let Some(b) = backend().await else { return };
    b.number("+15550100001", "111").await;
    receive(&b, vec![image("wamid.photo")]).await;
    let other = b.another_instance();
    let now = Utc::now();
    let lease = Duration::minutes(2);

    let mine = b
        .media
        .claim_pending_media(now, now + lease, 10)
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].media_id, "media-wamid.photo");
    assert!(
        other
            .media
            .claim_pending_media(now + Duration::seconds(1), now + lease, 10)
            .await
            .unwrap()
            .is_empty(),
        "held by the first claim"
    );

    // The first holder never reported back: once its claim has run out, the file is due again.
    let later = now + lease + Duration::seconds(1);
    let taken_over = other
        .media
        .claim_pending_media(later, later + lease, 10)
        .await
        .unwrap();
    assert_eq!(taken_over, mine);

    other
        .media
        .media_stored(mine[0].message_id, "media/k", "image/jpeg", 10, later)
        .await
        .unwrap();
    let much_later = later + Duration::hours(1);
    assert!(
        b.media
            .claim_pending_media(much_later, much_later + lease, 10)
            .await
            .unwrap()
            .is_empty(),
        "a stored file is never claimed again"
    );
}

#[tokio::test]
async fn instances_claiming_at_once_never_get_the_same_download() {
    let Some(b) = backend().await else { return };
    b.number("+15550100001", "111").await;
    receive(
        &b,
        (0..30)
            .map(|i| image(&format!("wamid.photo-{i}")))
            .collect(),
    )
    .await;
    let instances: Vec<Backend> = (0..3).map(|_| b.another_instance()).collect();
    let now = Utc::now();
    let mut tasks = tokio::task::JoinSet::new();
    for instance in instances {
        tasks.spawn(async move {
            let mut won = Vec::new();
            loop {
                let claimed = instance
                    .media
                    .claim_pending_media(now, now + Duration::minutes(2), 4)
                    .await
                    .unwrap();
                if claimed.is_empty() {
                    return won;
                }
                won.extend(claimed.into_iter().map(|p| p.message_id));
            }
        });
    }
    let claims: Vec<_> = tasks.join_all().await.into_iter().flatten().collect();
    let distinct: HashSet<_> = claims.iter().collect();
    assert_eq!(claims.len(), 30, "every file claimed once: {claims:?}");
    assert_eq!(distinct.len(), 30);
}
