//! One webhook batch through the store: contacts and conversations made, redeliveries and
//! late deliveries changing nothing, statuses only moving forward.

use chrono::{TimeZone, Utc};
use switchboard_domain::numbers::model::{E164, InboxName, MetaId, NewBusinessNumber};
use switchboard_domain::numbers::ports::BusinessNumberRepository;

use super::*;
use crate::DatabaseUrl;
use crate::schema::{contacts, events};
use switchboard_domain::ingest::model::DeliveryError;

struct Fixture {
    store: Store,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&DatabaseUrl::Sqlite(dir.path().join("inbound.db"))).unwrap();
    store.migrate().unwrap();
    store
        .create_number(
            NewBusinessNumber {
                name: InboxName::parse("Support").unwrap(),
                display_phone_number: E164::parse("p", "+15550100001").unwrap(),
                phone_number_id: MetaId::parse("p", "111").unwrap(),
                waba_id: None,
            },
            Utc::now(),
        )
        .await
        .unwrap();
    Fixture { store, _dir: dir }
}

fn at(secs: i64) -> Timestamp {
    Utc.timestamp_opt(1_750_000_000 + secs, 0).unwrap()
}

fn text(wamid: &str, from: &str, secs: i64) -> InboundMessage {
    InboundMessage {
        phone_number_id: "111".into(),
        wa_id: from.into(),
        profile_name: Some("Sheena".into()),
        wamid: wamid.into(),
        sent_at: at(secs),
        kind: "text".into(),
        text: Some(format!("hello {wamid}")),
        payload: format!(r#"{{"id":"{wamid}","type":"text"}}"#),
        reply_to: None,
        media: None,
    }
}

fn batch(messages: Vec<InboundMessage>, statuses: Vec<StatusReport>) -> WebhookBatch {
    WebhookBatch { messages, statuses }
}

/// (status, last_message_at, last_inbound_at, unread) of the only conversation.
async fn conversation(store: &Store) -> (String, Millis, Option<Millis>, i32) {
    store
        .run(|conn| {
            on_backend!(conn, |conn| {
                Ok(conversations::table
                    .select((
                        conversations::status,
                        conversations::last_message_at,
                        conversations::last_inbound_at,
                        conversations::unread_count,
                    ))
                    .get_result(conn)?)
            })
        })
        .await
        .unwrap()
}

async fn event_kinds(store: &Store) -> Vec<String> {
    store
        .run(|conn| {
            on_backend!(conn, |conn| {
                Ok(events::table
                    .order(events::id)
                    .select(events::kind)
                    .load(conn)?)
            })
        })
        .await
        .unwrap()
}

async fn count_messages(store: &Store) -> i64 {
    store
        .run(|conn| on_backend!(conn, |conn| Ok(messages::table.count().get_result(conn)?)))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_first_message_creates_contact_conversation_message_and_events() {
    let f = fixture().await;
    let summary = f
        .store
        .ingest(
            &batch(vec![text("w1", "16505551234", 0)], vec![]),
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(summary.messages_stored, 1);
    let (status, last, inbound, unread) = conversation(&f.store).await;
    assert_eq!(status, "open");
    assert_eq!(last, to_millis(at(0)));
    assert_eq!(inbound, Some(to_millis(at(0))));
    assert_eq!(unread, 1);
    assert_eq!(
        event_kinds(&f.store).await,
        ["conversation.created", "message.created"]
    );
    let phone: String = f
        .store
        .run(|conn| {
            on_backend!(conn, |conn| Ok(contacts::table
                .select(contacts::phone)
                .get_result(conn)?))
        })
        .await
        .unwrap();
    assert_eq!(phone, "+16505551234");
}

#[tokio::test]
async fn a_redelivered_message_changes_nothing() {
    let f = fixture().await;
    let delivery = batch(vec![text("w1", "16505551234", 0)], vec![]);
    f.store.ingest(&delivery, Utc::now()).await.unwrap();
    let again = f.store.ingest(&delivery, Utc::now()).await.unwrap();
    assert_eq!(again.messages_stored, 0);
    assert_eq!(again.duplicate_messages, 1);
    assert_eq!(count_messages(&f.store).await, 1);
    assert_eq!(conversation(&f.store).await.3, 1, "unread counted once");
    assert_eq!(event_kinds(&f.store).await.len(), 2, "no new events");
}

#[tokio::test]
async fn the_same_message_twice_in_one_batch_is_stored_once() {
    let f = fixture().await;
    let summary = f
        .store
        .ingest(
            &batch(vec![text("w1", "1650", 0), text("w1", "1650", 0)], vec![]),
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(
        (summary.messages_stored, summary.duplicate_messages),
        (1, 1)
    );
}

#[tokio::test]
async fn concurrent_redeliveries_store_the_message_once() {
    let f = fixture().await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let store = f.store.clone();
        tasks.spawn(async move {
            store
                .ingest(&batch(vec![text("w1", "1650", 0)], vec![]), Utc::now())
                .await
                .unwrap()
        });
    }
    let stored: usize = tasks
        .join_all()
        .await
        .iter()
        .map(|s| s.messages_stored)
        .sum();
    assert_eq!(stored, 1);
    assert_eq!(count_messages(&f.store).await, 1);
}

#[tokio::test]
async fn late_deliveries_never_move_the_conversation_times_backward() {
    let f = fixture().await;
    f.store
        .ingest(&batch(vec![text("new", "1650", 100)], vec![]), Utc::now())
        .await
        .unwrap();
    f.store
        .ingest(&batch(vec![text("old", "1650", 50)], vec![]), Utc::now())
        .await
        .unwrap();
    let (_, last, inbound, unread) = conversation(&f.store).await;
    assert_eq!(last, to_millis(at(100)));
    assert_eq!(inbound, Some(to_millis(at(100))));
    assert_eq!(unread, 2);
    assert_eq!(count_messages(&f.store).await, 2);
}

#[tokio::test]
async fn an_inbound_message_reopens_a_resolved_conversation() {
    let f = fixture().await;
    f.store
        .ingest(&batch(vec![text("w1", "1650", 0)], vec![]), Utc::now())
        .await
        .unwrap();
    f.store
        .run(|conn| {
            on_backend!(conn, |conn| {
                diesel::update(conversations::table)
                    .set(conversations::status.eq("resolved"))
                    .execute(conn)?;
                Ok(())
            })
        })
        .await
        .unwrap();
    f.store
        .ingest(&batch(vec![text("w2", "1650", 10)], vec![]), Utc::now())
        .await
        .unwrap();
    assert_eq!(conversation(&f.store).await.0, "open");
}

#[tokio::test]
async fn items_for_unknown_numbers_are_skipped_and_reported() {
    let f = fixture().await;
    let mut stranger = text("w1", "1650", 0);
    stranger.phone_number_id = "999".into();
    let status = StatusReport {
        phone_number_id: "999".into(),
        wamid: "w9".into(),
        status: MessageStatus::Sent,
        at: at(0),
        error: None,
    };
    let summary = f
        .store
        .ingest(&batch(vec![stranger], vec![status]), Utc::now())
        .await
        .unwrap();
    assert_eq!(summary.unknown_numbers, ["999"]);
    assert_eq!(summary.messages_stored + summary.statuses_deferred, 0);
    assert_eq!(count_messages(&f.store).await, 0);
}

#[tokio::test]
async fn a_status_for_an_unknown_id_is_kept_once_for_later() {
    let f = fixture().await;
    let report = StatusReport {
        phone_number_id: "111".into(),
        wamid: "wamid.not-yet".into(),
        status: MessageStatus::Delivered,
        at: at(5),
        error: None,
    };
    let first = f
        .store
        .ingest(&batch(vec![], vec![report.clone()]), Utc::now())
        .await
        .unwrap();
    let again = f
        .store
        .ingest(&batch(vec![], vec![report]), Utc::now())
        .await
        .unwrap();
    assert_eq!(first.statuses_deferred, 1);
    assert_eq!((again.statuses_deferred, again.statuses_ignored), (0, 1));
}

#[tokio::test]
async fn statuses_move_an_outbound_message_forward_only_and_late_ones_keep_their_times() {
    let f = fixture().await;
    f.store
        .ingest(&batch(vec![text("in", "1650", 0)], vec![]), Utc::now())
        .await
        .unwrap();
    // An outbound message already accepted by the Cloud API.
    f.store
        .run(|conn| {
            on_backend!(conn, |conn| {
                let conversation: i64 = conversations::table
                    .select(conversations::id)
                    .get_result(conn)?;
                diesel::insert_into(messages::table)
                    .values((
                        messages::conversation_id.eq(conversation),
                        messages::direction.eq("outbound"),
                        messages::kind.eq("text"),
                        messages::payload.eq(JsonText("{}".to_owned())),
                        messages::wamid.eq("out"),
                        messages::sent_at.eq(Millis(1)),
                        messages::status.eq("accepted"),
                        messages::created_at.eq(Millis(1)),
                    ))
                    .execute(conn)?;
                Ok(())
            })
        })
        .await
        .unwrap();
    let report = |status, secs| StatusReport {
        phone_number_id: "111".into(),
        wamid: "out".into(),
        status,
        at: at(secs),
        error: None,
    };
    let summary = f
        .store
        .ingest(
            &batch(
                vec![],
                vec![
                    report(MessageStatus::Read, 30),
                    report(MessageStatus::Sent, 10),
                    report(MessageStatus::Delivered, 20),
                    report(MessageStatus::Read, 30),
                ],
            ),
            Utc::now(),
        )
        .await
        .unwrap();
    // Read moves it; sent and delivered, arriving after it, only keep their times; the
    // second read changes nothing.
    assert_eq!((summary.statuses_applied, summary.statuses_ignored), (3, 1));
    let (status, sent_at, delivered_at, read_at): (
        String,
        Option<Millis>,
        Option<Millis>,
        Option<Millis>,
    ) = f
        .store
        .run(|conn| {
            on_backend!(conn, |conn| {
                Ok(messages::table
                    .filter(messages::wamid.eq("out"))
                    .select((
                        messages::status,
                        messages::sent_status_at,
                        messages::delivered_at,
                        messages::read_at,
                    ))
                    .get_result(conn)?)
            })
        })
        .await
        .unwrap();
    assert_eq!(status, "read");
    assert_eq!(sent_at, Some(to_millis(at(10))));
    assert_eq!(delivered_at, Some(to_millis(at(20))));
    assert_eq!(read_at, Some(to_millis(at(30))));

    let failed = StatusReport {
        error: Some(DeliveryError {
            code: 131026,
            title: Some("Undeliverable".into()),
            details: None,
        }),
        ..report(MessageStatus::Failed, 40)
    };
    let late = f
        .store
        .ingest(&batch(vec![], vec![failed]), Utc::now())
        .await
        .unwrap();
    assert_eq!(late.statuses_ignored, 1, "a read message cannot fail");
    assert_eq!(
        event_kinds(&f.store).await.last().map(String::as_str),
        Some("message.updated")
    );
}

#[tokio::test]
async fn a_status_for_an_inbound_message_is_ignored() {
    let f = fixture().await;
    f.store
        .ingest(&batch(vec![text("in", "1650", 0)], vec![]), Utc::now())
        .await
        .unwrap();
    let report = StatusReport {
        phone_number_id: "111".into(),
        wamid: "in".into(),
        status: MessageStatus::Read,
        at: at(1),
        error: None,
    };
    let summary = f
        .store
        .ingest(&batch(vec![], vec![report]), Utc::now())
        .await
        .unwrap();
    assert_eq!(summary.statuses_ignored, 1);
}
