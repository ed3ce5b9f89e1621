//! [`InboundRepository`] on the store: one webhook batch, one savepoint of the writer's next
//! group commit; on PostgreSQL, the deliveries queued together are stored together
//! ([`queue`], [`merged`]), by the same rules.
//!
//! Nothing here relies on being the only writer: contacts and conversations are created with
//! `ON CONFLICT`, a redelivered message meets the unique index on its wamid, a conversation's
//! times only move forward and its unread count grows in SQL, and statuses advance by guarded
//! updates. A batch takes its row locks in one order (messages by sender, statuses by wamid),
//! so two instances applying overlapping batches wait for each other instead of deadlocking.

use std::collections::HashMap;

use async_trait::async_trait;
use diesel::dsl::case_when;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use switchboard_domain::Timestamp;
use switchboard_domain::conversation::model::ConversationStatus;
use switchboard_domain::error::RepoError;
use switchboard_domain::ingest::model::{
    InboundMessage, IngestSummary, StatusReport, WebhookBatch,
};
use switchboard_domain::ingest::ports::InboundRepository;
use switchboard_domain::live::model::EventKind;
use switchboard_domain::message::{MediaState, MessageStatus};

use crate::conn::{AsConn, Conn, on_backend};
use crate::contacts::upsert_contact;
use crate::conversations::find_or_create_conversation;
use crate::error::Fail;
use crate::events::{NewEvent, log_events};
use crate::locks::{Topic, serialize};
use crate::prepared::Prepared;
use crate::schema::{business_numbers, conversations, messages, pending_statuses};
use crate::sql_types::{JsonText, Millis, Moment};
use crate::statuses::{StatusChange, advance_status};
use crate::store::Store;
use crate::time::to_millis;

mod merged;
pub(crate) mod queue;
#[cfg(test)]
mod tests;

#[async_trait]
impl InboundRepository for Store {
    async fn ingest(
        &self,
        batch: &WebhookBatch,
        now: Timestamp,
    ) -> Result<IngestSummary, RepoError> {
        // On PostgreSQL deliveries arriving together are stored together (see `queue`).
        if let Some(postgres) = self.postgres() {
            return self
                .ingest_queue()
                .ingest(postgres, batch.clone(), to_millis(now))
                .await;
        }
        let batch = batch.clone();
        self.write(move |conn| Ingest::new(conn.conn(), to_millis(now)).batch(&batch))
            .await
    }
}

/// The order a batch's messages lock their rows in: by sender, then number (both paths).
fn lock_order(message: &InboundMessage) -> (&str, &str) {
    (&message.wa_id, &message.phone_number_id)
}

/// A customer's message as it is inserted, by either path.
#[derive(Insertable)]
#[diesel(table_name = messages)]
#[diesel(treat_none_as_null = true)]
struct NewInboundMessage<'a> {
    conversation_id: i64,
    direction: &'static str,
    kind: &'a str,
    body: Option<&'a str>,
    payload: JsonText,
    wamid: &'a str,
    sent_at: Millis,
    status: &'static str,
    reply_to_wamid: Option<&'a str>,
    media_id: Option<&'a str>,
    media_mime: Option<&'a str>,
    media_sha256: Option<&'a str>,
    media_state: Option<&'static str>,
    created_at: Millis,
}

impl<'a> NewInboundMessage<'a> {
    fn new(message: &'a InboundMessage, conversation: i64, received: Millis) -> Self {
        let media = message.media.as_ref();
        Self {
            conversation_id: conversation,
            direction: "inbound",
            kind: &message.kind,
            body: message.text.as_deref(),
            payload: JsonText(message.payload.clone()),
            wamid: &message.wamid,
            sent_at: to_millis(message.sent_at),
            status: MessageStatus::Received.as_str(),
            reply_to_wamid: message.reply_to.as_deref(),
            media_id: media.map(|m| m.id.as_str()),
            media_mime: media.and_then(|m| m.mime_type.as_deref()),
            media_sha256: media.and_then(|m| m.sha256.as_deref()),
            media_state: media.map(|_| MediaState::Pending.as_str()),
            created_at: received,
        }
    }
}

/// One batch being applied inside its transaction.
struct Ingest<'c> {
    conn: Conn<'c>,
    now: Millis,
    numbers: HashMap<String, Option<i64>>,
    /// The batch's events, appended in order as its last write.
    events: Vec<NewEvent>,
    summary: IngestSummary,
}

impl<'c> Ingest<'c> {
    fn new(conn: Conn<'c>, now: Millis) -> Self {
        Self {
            conn,
            now,
            numbers: HashMap::new(),
            events: Vec::new(),
            summary: IngestSummary::default(),
        }
    }

    /// As [`Ingest::new`], for a batch whose messages are already stored (see `merged`): the
    /// numbers they named, known or not, and what storing them counted.
    fn after_messages(
        conn: Conn<'c>,
        now: Millis,
        numbers: HashMap<String, Option<i64>>,
        summary: IngestSummary,
    ) -> Self {
        Self {
            numbers,
            summary,
            ..Self::new(conn, now)
        }
    }

    /// The batch's statuses alone, and their events.
    fn statuses(mut self, batch: &WebhookBatch) -> Result<IngestSummary, Fail> {
        let mut statuses: Vec<&StatusReport> = batch.statuses.iter().collect();
        statuses.sort_by(|a, b| a.wamid.cmp(&b.wamid));
        for status in statuses {
            if self.number(&status.phone_number_id)?.is_some() {
                self.status(status)?;
            }
        }
        log_events(self.conn.conn(), &self.events, self.now)?;
        Ok(self.summary)
    }

    fn batch(mut self, batch: &WebhookBatch) -> Result<IngestSummary, Fail> {
        // Sorted by (sender, number) and by wamid (in `statuses`): the order of the contacts,
        // conversations and messages they lock. A sort is stable, so one sender's messages
        // keep theirs.
        let mut messages: Vec<&InboundMessage> = batch.messages.iter().collect();
        messages.sort_by(|a, b| lock_order(a).cmp(&lock_order(b)));
        for message in messages {
            if let Some(number) = self.number(&message.phone_number_id)? {
                self.message(number, message)?;
            }
        }
        self.statuses(batch)
    }

    /// The business number behind a `phone_number_id`, remembering unknown ones to report.
    fn number(&mut self, phone_number_id: &str) -> Result<Option<i64>, Fail> {
        if let Some(known) = self.numbers.get(phone_number_id) {
            return Ok(*known);
        }
        let found = on_backend!(&mut self.conn, |c| business_numbers::table
            .filter(business_numbers::phone_number_id.eq(phone_number_id))
            .select(business_numbers::id)
            .get_result::<i64>(c)
            .optional())?;
        if found.is_none() {
            self.summary
                .unknown_numbers
                .push(phone_number_id.to_owned());
        }
        self.numbers.insert(phone_number_id.to_owned(), found);
        Ok(found)
    }

    fn message(&mut self, number: i64, message: &InboundMessage) -> Result<(), Fail> {
        let contact = upsert_contact(
            self.conn.conn(),
            &message.wa_id,
            message.profile_name.as_deref(),
            self.now,
        )?;
        let sent_at = to_millis(message.sent_at);
        let (row, created) =
            find_or_create_conversation(self.conn.conn(), number, contact, sent_at, self.now)?;
        let conversation = row.id;

        // The unique index on wamid decides: a redelivery inserts nothing and changes nothing.
        let row = NewInboundMessage::new(message, conversation, self.now);
        let inserted = on_backend!(&mut self.conn, |c| diesel::insert_into(messages::table)
            .values(&row)
            .on_conflict_do_nothing()
            .returning(messages::id)
            .get_result::<i64>(c)
            .optional())?;
        let Some(message_id) = inserted else {
            self.summary.duplicate_messages += 1;
            return Ok(());
        };

        // Computed from the row as it is when the update runs, not as it was read: deliveries
        // arrive out of order and side by side, and these only move forward.
        let reopened = ConversationStatus::Resolved.after_inbound();
        on_backend!(&mut self.conn, |c| Prepared(
            diesel::update(conversations::table.find(conversation))
                .set((
                    conversations::status.eq(case_when::<_, _, Text>(
                        conversations::status.eq(ConversationStatus::Resolved.as_str()),
                        reopened.as_str(),
                    )
                    .otherwise(conversations::status)),
                    conversations::last_message_at.eq(case_when::<_, _, Moment>(
                        conversations::last_message_at.lt(sent_at),
                        sent_at,
                    )
                    .otherwise(conversations::last_message_at)),
                    conversations::last_message_id.eq(case_when::<_, _, Nullable<BigInt>>(
                        conversations::last_message_at.le(sent_at),
                        Some(message_id),
                    )
                    .otherwise(conversations::last_message_id)),
                    conversations::last_inbound_at.eq(case_when::<_, _, Nullable<Moment>>(
                        conversations::last_inbound_at
                            .is_null()
                            .or(conversations::last_inbound_at.lt(sent_at)),
                        Some(sent_at),
                    )
                    .otherwise(conversations::last_inbound_at)),
                    conversations::unread_count.eq(conversations::unread_count + 1),
                    conversations::updated_at.eq(self.now),
                ))
                .returning(conversations::id),
        )
        .changed(c))?;
        let kind = if created {
            EventKind::ConversationCreated
        } else {
            EventKind::ConversationUpdated
        };
        self.events.push((number, kind, conversation, None));
        self.events.push((
            number,
            EventKind::MessageCreated,
            conversation,
            Some(message_id),
        ));
        self.summary.messages_stored += 1;
        Ok(())
    }

    fn status(&mut self, report: &StatusReport) -> Result<(), Fail> {
        // Beside an instance accepting this very message: either this finds the message, or
        // the status it keeps for later is there when the other one looks.
        serialize(&mut self.conn, Topic::Wamid(&report.wamid))?;
        let found: Option<(i64, i64, i64)> = on_backend!(&mut self.conn, |c| messages::table
            .inner_join(conversations::table)
            .filter(messages::wamid.eq(&report.wamid))
            .select((
                messages::id,
                messages::conversation_id,
                conversations::business_number_id,
            ))
            .get_result(c)
            .optional())?;
        let Some((id, conversation, number)) = found else {
            let kept = on_backend!(&mut self.conn, |c| diesel::insert_into(
                pending_statuses::table
            )
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
            .execute(c))?;
            if kept == 1 {
                self.summary.statuses_deferred += 1;
            } else {
                self.summary.statuses_ignored += 1;
            }
            return Ok(());
        };
        let change = advance_status(
            self.conn.conn(),
            id,
            report.status,
            to_millis(report.at),
            report.error.as_ref(),
        )?;
        if change == StatusChange::Unchanged {
            self.summary.statuses_ignored += 1;
            return Ok(());
        }
        self.events
            .push((number, EventKind::MessageUpdated, conversation, Some(id)));
        self.summary.statuses_applied += 1;
        Ok(())
    }
}
