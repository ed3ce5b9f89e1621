//! [`InboundRepository`] on the store: one webhook batch, one transaction.

use std::collections::HashMap;

use async_trait::async_trait;
use diesel::prelude::*;
use switchboard_domain::Timestamp;
use switchboard_domain::conversation::model::ConversationStatus;
use switchboard_domain::error::RepoError;
use switchboard_domain::ingest::model::{
    DeliveryError, InboundMessage, IngestSummary, StatusReport, WebhookBatch,
};
use switchboard_domain::ingest::ports::InboundRepository;
use switchboard_domain::live::model::EventKind;
use switchboard_domain::message::{MediaState, MessageStatus};

use crate::conn::{AsConn, Conn, on_backend};
use crate::contacts::upsert_contact;
use crate::conversations::{find_or_create_conversation, log_event};
use crate::error::Fail;
use crate::prepared::Prepared;
use crate::schema::{business_numbers, conversations, messages, pending_statuses};
use crate::sql_types::{JsonText, Millis};
use crate::store::Store;
use crate::time::to_millis;

#[cfg(test)]
mod tests;

#[async_trait]
impl InboundRepository for Store {
    async fn ingest(
        &self,
        batch: &WebhookBatch,
        now: Timestamp,
    ) -> Result<IngestSummary, RepoError> {
        let batch = batch.clone();
        self.write(move |conn| Ingest::new(conn.conn(), to_millis(now)).batch(&batch))
            .await
    }
}

/// One batch being applied inside its transaction.
struct Ingest<'c> {
    conn: Conn<'c>,
    now: Millis,
    numbers: HashMap<String, Option<i64>>,
    summary: IngestSummary,
}

impl<'c> Ingest<'c> {
    fn new(conn: Conn<'c>, now: Millis) -> Self {
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

    fn event(
        &mut self,
        number: i64,
        kind: EventKind,
        conversation: i64,
        message: Option<i64>,
    ) -> Result<(), Fail> {
        log_event(
            self.conn.conn(),
            number,
            kind,
            conversation,
            message,
            self.now,
        )
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
        let inserted = on_backend!(&mut self.conn, |c| diesel::insert_into(messages::table)
            .values((
                messages::conversation_id.eq(conversation),
                messages::direction.eq("inbound"),
                messages::kind.eq(&message.kind),
                messages::body.eq(&message.text),
                messages::payload.eq(JsonText(message.payload.clone())),
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
            .get_result::<i64>(c)
            .optional())?;
        let Some(message_id) = inserted else {
            self.summary.duplicate_messages += 1;
            return Ok(());
        };

        let status: ConversationStatus = row
            .status
            .parse()
            .map_err(|e| RepoError::broken(format!("conversation {conversation}: {e}")))?;
        on_backend!(&mut self.conn, |c| Prepared(
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
        .changed(c))?;
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
        let found: Option<(i64, String, i64, i64)> =
            on_backend!(&mut self.conn, |c| messages::table
                .inner_join(conversations::table)
                .filter(messages::wamid.eq(&report.wamid))
                .select((
                    messages::id,
                    messages::status,
                    messages::conversation_id,
                    conversations::business_number_id,
                ))
                .get_result(c)
                .optional())?;
        let Some((id, current, conversation, number)) = found else {
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
        let current: MessageStatus = current
            .parse()
            .map_err(|e| RepoError::broken(format!("message {id}: {e}")))?;
        if !current.can_advance_to(report.status) {
            self.summary.statuses_ignored += 1;
            return Ok(());
        }
        set_status(
            self.conn.conn(),
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
    mut conn: Conn<'_>,
    id: i64,
    status: MessageStatus,
    at: Millis,
    error: Option<&DeliveryError>,
) -> Result<(), Fail> {
    on_backend!(&mut conn, |conn| {
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
    })
}
