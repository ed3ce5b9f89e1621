//! [`InboundRepository`] on the store: one webhook batch, one transaction.

use std::collections::HashMap;

use async_trait::async_trait;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use switchboard_domain::Timestamp;
use switchboard_domain::conversation::model::ConversationStatus;
use switchboard_domain::error::RepoError;
use switchboard_domain::ingest::model::{
    DeliveryError, InboundMessage, IngestSummary, StatusReport, WebhookBatch,
};
use switchboard_domain::ingest::ports::InboundRepository;
use switchboard_domain::live::model::EventKind;
use switchboard_domain::message::{MediaState, MessageStatus};

use crate::contacts::upsert_contact;
use crate::conversations::{find_or_create_conversation, log_event};
use crate::error::Fail;
use crate::prepared::Prepared;
use crate::schema::{business_numbers, conversations, messages, pending_statuses};
use crate::sqlite::Store;
use crate::time::to_millis;

#[async_trait]
impl InboundRepository for Store {
    async fn ingest(
        &self,
        batch: &WebhookBatch,
        now: Timestamp,
    ) -> Result<IngestSummary, RepoError> {
        let batch = batch.clone();
        self.write(move |conn| Ingest::new(conn, to_millis(now)).batch(&batch))
            .await
    }
}

/// One batch being applied inside its transaction.
struct Ingest<'c> {
    conn: &'c mut SqliteConnection,
    now: i64,
    numbers: HashMap<String, Option<i64>>,
    summary: IngestSummary,
}

impl<'c> Ingest<'c> {
    fn new(conn: &'c mut SqliteConnection, now: i64) -> Self {
        Self {
            conn,
            now,
            numbers: HashMap::new(),
            summary: IngestSummary::default(),
        }
    }

    fn batch(mut self, batch: &WebhookBatch) -> Result<IngestSummary, Fail> {
        for message in &batch.messages {
            if let Some(number) = self.number(&message.phone_number_id)? {
                self.message(number, message)?;
            }
        }
        for status in &batch.statuses {
            if self.number(&status.phone_number_id)?.is_some() {
                self.status(status)?;
            }
        }
        Ok(self.summary)
    }

    /// The business number behind a `phone_number_id`, remembering unknown ones to report.
    fn number(&mut self, phone_number_id: &str) -> Result<Option<i64>, Fail> {
        if let Some(known) = self.numbers.get(phone_number_id) {
            return Ok(*known);
        }
        let found = business_numbers::table
            .filter(business_numbers::phone_number_id.eq(phone_number_id))
            .select(business_numbers::id)
            .get_result::<i64>(self.conn)
            .optional()?;
        if found.is_none() {
            self.summary
                .unknown_numbers
                .push(phone_number_id.to_owned());
        }
        self.numbers.insert(phone_number_id.to_owned(), found);
        Ok(found)
    }

    fn event(
        &mut self,
        number: i64,
        kind: EventKind,
        conversation: i64,
        message: Option<i64>,
    ) -> Result<(), Fail> {
        log_event(self.conn, number, kind, conversation, message, self.now)
    }

    fn message(&mut self, number: i64, message: &InboundMessage) -> Result<(), Fail> {
        let contact = upsert_contact(
            self.conn,
            &message.wa_id,
            message.profile_name.as_deref(),
            self.now,
        )?;
        let sent_at = to_millis(message.sent_at);
        let (row, created) =
            find_or_create_conversation(self.conn, number, contact, sent_at, self.now)?;
        let conversation = row.id;

        // The unique index on wamid decides: a redelivery inserts nothing and changes nothing.
        let inserted = diesel::insert_into(messages::table)
            .values((
                messages::conversation_id.eq(conversation),
                messages::direction.eq("inbound"),
                messages::kind.eq(&message.kind),
                messages::body.eq(&message.text),
                messages::payload.eq(&message.payload),
                messages::wamid.eq(&message.wamid),
                messages::sent_at.eq(sent_at),
                messages::status.eq(MessageStatus::Received.as_str()),
                messages::reply_to_wamid.eq(&message.reply_to),
                messages::media_id.eq(message.media.as_ref().map(|m| &m.id)),
                messages::media_mime.eq(message.media.as_ref().and_then(|m| m.mime_type.as_ref())),
                messages::media_sha256.eq(message.media.as_ref().and_then(|m| m.sha256.as_ref())),
                messages::media_state
                    .eq(message.media.as_ref().map(|_| MediaState::Pending.as_str())),
                messages::created_at.eq(self.now),
            ))
            .on_conflict_do_nothing()
            .returning(messages::id)
            .get_result::<i64>(self.conn)
            .optional()?;
        let Some(message_id) = inserted else {
            self.summary.duplicate_messages += 1;
            return Ok(());
        };

        let status: ConversationStatus = row
            .status
            .parse()
            .map_err(|e| RepoError::Unexpected(format!("conversation {conversation}: {e}")))?;
        Prepared(
            diesel::update(conversations::table.find(conversation))
                .set((
                    conversations::status.eq(status.after_inbound().as_str()),
                    // Deliveries arrive out of order: these only move forward.
                    conversations::last_message_at.eq(row.last_message_at.max(sent_at)),
                    conversations::last_message_id.eq(if sent_at >= row.last_message_at {
                        Some(message_id)
                    } else {
                        row.last_message_id
                    }),
                    conversations::last_inbound_at
                        .eq(row.last_inbound_at.map_or(sent_at, |t| t.max(sent_at))),
                    conversations::unread_count.eq(conversations::unread_count + 1),
                    conversations::updated_at.eq(self.now),
                ))
                .returning(conversations::id),
        )
        .changed(self.conn)?;
        let kind = if created {
            EventKind::ConversationCreated
        } else {
            EventKind::ConversationUpdated
        };
        self.event(number, kind, conversation, None)?;
        self.event(
            number,
            EventKind::MessageCreated,
            conversation,
            Some(message_id),
        )?;
        self.summary.messages_stored += 1;
        Ok(())
    }

    fn status(&mut self, report: &StatusReport) -> Result<(), Fail> {
        let found: Option<(i64, String, i64, i64)> = messages::table
            .inner_join(conversations::table)
            .filter(messages::wamid.eq(&report.wamid))
            .select((
                messages::id,
                messages::status,
                messages::conversation_id,
                conversations::business_number_id,
            ))
            .get_result(self.conn)
            .optional()?;
        let Some((id, current, conversation, number)) = found else {
            let kept = diesel::insert_into(pending_statuses::table)
                .values((
                    pending_statuses::wamid.eq(&report.wamid),
                    pending_statuses::status.eq(report.status.as_str()),
                    pending_statuses::status_at.eq(to_millis(report.at)),
                    pending_statuses::error_code.eq(report.error.as_ref().map(|e| e.code)),
                    pending_statuses::error_title
                        .eq(report.error.as_ref().and_then(|e| e.title.clone())),
                    pending_statuses::error_details
                        .eq(report.error.as_ref().and_then(|e| e.details.clone())),
                    pending_statuses::received_at.eq(self.now),
                ))
                .on_conflict_do_nothing()
                .execute(self.conn)?;
            if kept == 1 {
                self.summary.statuses_deferred += 1;
            } else {
                self.summary.statuses_ignored += 1;
            }
            return Ok(());
        };
        let current: MessageStatus = current
            .parse()
            .map_err(|e| RepoError::Unexpected(format!("message {id}: {e}")))?;
        if !current.can_advance_to(report.status) {
            self.summary.statuses_ignored += 1;
            return Ok(());
        }
        set_status(
            self.conn,
            id,
            report.status,
            to_millis(report.at),
            report.error.as_ref(),
        )?;
        self.event(number, EventKind::MessageUpdated, conversation, Some(id))?;
        self.summary.statuses_applied += 1;
        Ok(())
    }
}

/// Moves a message to `status`, keeping Meta's timestamp in that status's column.
pub(crate) fn set_status(
    conn: &mut SqliteConnection,
    id: i64,
    status: MessageStatus,
    at: i64,
    error: Option<&DeliveryError>,
) -> Result<(), Fail> {
    let row = messages::table.find(id);
    let name = messages::status.eq(status.as_str());
    let key = messages::id;
    match status {
        MessageStatus::Accepted => Prepared(
            diesel::update(row)
                .set((name, messages::accepted_at.eq(at)))
                .returning(key),
        )
        .changed(conn)?,
        MessageStatus::Sent => Prepared(
            diesel::update(row)
                .set((name, messages::sent_status_at.eq(at)))
                .returning(key),
        )
        .changed(conn)?,
        MessageStatus::Delivered => Prepared(
            diesel::update(row)
                .set((name, messages::delivered_at.eq(at)))
                .returning(key),
        )
        .changed(conn)?,
        MessageStatus::Read => Prepared(
            diesel::update(row)
                .set((name, messages::read_at.eq(at)))
                .returning(key),
        )
        .changed(conn)?,
        MessageStatus::Failed => Prepared(
            diesel::update(row)
                .set((
                    name,
                    messages::failed_at.eq(at),
                    messages::error_code.eq(error.map(|e| e.code)),
                    messages::error_title.eq(error.and_then(|e| e.title.clone())),
                    messages::error_details.eq(error.and_then(|e| e.details.clone())),
                ))
                .returning(key),
        )
        .changed(conn)?,
        MessageStatus::Received | MessageStatus::Queued => {
            Prepared(diesel::update(row).set(name).returning(key)).changed(conn)?
        }
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use switchboard_domain::numbers::model::{E164, InboxName, MetaId, NewBusinessNumber};
    use switchboard_domain::numbers::ports::BusinessNumberRepository;

    use super::*;
    use crate::DatabaseUrl;
    use crate::schema::{contacts, events};

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
    async fn conversation(store: &Store) -> (String, i64, Option<i64>, i32) {
        store
            .run(|conn| {
                Ok(conversations::table
                    .select((
                        conversations::status,
                        conversations::last_message_at,
                        conversations::last_inbound_at,
                        conversations::unread_count,
                    ))
                    .get_result(conn)?)
            })
            .await
            .unwrap()
    }

    async fn event_kinds(store: &Store) -> Vec<String> {
        store
            .run(|conn| {
                Ok(events::table
                    .order(events::id)
                    .select(events::kind)
                    .load(conn)?)
            })
            .await
            .unwrap()
    }

    async fn count_messages(store: &Store) -> i64 {
        store
            .run(|conn| Ok(messages::table.count().get_result(conn)?))
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
            .run(|conn| Ok(contacts::table.select(contacts::phone).get_result(conn)?))
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
                diesel::update(conversations::table)
                    .set(conversations::status.eq("resolved"))
                    .execute(conn)?;
                Ok(())
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
    async fn statuses_move_an_outbound_message_forward_only_with_meta_timestamps() {
        let f = fixture().await;
        f.store
            .ingest(&batch(vec![text("in", "1650", 0)], vec![]), Utc::now())
            .await
            .unwrap();
        // An outbound message already accepted by the Cloud API.
        f.store
            .run(|conn| {
                let conversation: i64 = conversations::table
                    .select(conversations::id)
                    .get_result(conn)?;
                diesel::insert_into(messages::table)
                    .values((
                        messages::conversation_id.eq(conversation),
                        messages::direction.eq("outbound"),
                        messages::kind.eq("text"),
                        messages::payload.eq("{}"),
                        messages::wamid.eq("out"),
                        messages::sent_at.eq(1),
                        messages::status.eq("accepted"),
                        messages::created_at.eq(1),
                    ))
                    .execute(conn)?;
                Ok(())
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
        assert_eq!((summary.statuses_applied, summary.statuses_ignored), (1, 3));
        let (status, read_at): (String, Option<i64>) = f
            .store
            .run(|conn| {
                Ok(messages::table
                    .filter(messages::wamid.eq("out"))
                    .select((messages::status, messages::read_at))
                    .get_result(conn)?)
            })
            .await
            .unwrap();
        assert_eq!(status, "read");
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
}
