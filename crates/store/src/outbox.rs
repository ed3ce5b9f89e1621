//! [`OutboxRepository`] on the store: what the dispatcher sends and what came of it.

use async_trait::async_trait;
use diesel::prelude::*;
use switchboard_domain::Timestamp;
use switchboard_domain::conversation::model::ConversationId;
use switchboard_domain::error::RepoError;
use switchboard_domain::live::model::EventKind;
use switchboard_domain::message::{DeliveryError, MessageId, MessageStatus};
use switchboard_domain::numbers::model::BusinessNumberId;
use switchboard_domain::outbound::model::OutboundMessage;
use switchboard_domain::outbound::ports::{DispatchItem, OutboxRepository};

use crate::conn::{AsConn, Conn, on_backend};
use crate::conversations::{StoredFile, message_owner, outbound_content};
use crate::events::log_event;
use crate::locks::{Topic, serialize};
use crate::prepared::Prepared;
use crate::schema::{business_numbers, contacts, conversations, messages, pending_statuses};
use crate::sql_types::{JsonText, Millis};
use crate::statuses::advance_status;
use crate::store::Store;
use crate::time::to_millis;

/// How many queued messages one look at the queue considers.
const SCAN: i64 = 1000;

#[async_trait]
impl OutboxRepository for Store {
    async fn claim_due(
        &self,
        now: Timestamp,
        until: Timestamp,
        limit: u32,
    ) -> Result<Vec<DispatchItem>, RepoError> {
        let me = self.instance().to_owned();
        self.write(move |conn| {
            // One process uses an SQLite file: a claim some other process left there is from one
            // that is gone. On PostgreSQL another instance's claim holds until it runs out.
            let single_process = matches!(conn, Conn::Sqlite(_));
            on_backend!(conn, |conn| {
                let (now, until) = (to_millis(now), to_millis(until));
                #[allow(clippy::type_complexity)]
                let queued: Vec<(
                    (i64, i64, JsonText, i32, Option<Millis>),
                    (Option<String>, Option<Millis>),
                    (i64, String, String),
                    (Option<String>, Option<String>, Option<i64>, Option<String>),
                )> = messages::table
                    .inner_join(
                        conversations::table
                            .inner_join(contacts::table)
                            .inner_join(business_numbers::table),
                    )
                    .filter(messages::status.eq(MessageStatus::Queued.as_str()))
                    .order(messages::id)
                    .limit(SCAN)
                    .select((
                        (
                            messages::id,
                            messages::conversation_id,
                            messages::payload,
                            messages::attempts,
                            messages::next_attempt_at,
                        ),
                        (messages::claimed_by, messages::claim_expires_at),
                        (
                            conversations::business_number_id,
                            business_numbers::phone_number_id,
                            contacts::wa_id,
                        ),
                        (
                            messages::media_mime,
                            messages::media_key,
                            messages::media_size,
                            messages::media_sha256,
                        ),
                    ))
                    .load(conn)?;
                let mut seen = std::collections::HashSet::new();
                let mut due = Vec::new();
                for (
                    (id, conversation, payload, attempts, next_attempt_at),
                    (claimed_by, claim_expires_at),
                    (number, phone_number_id, wa_id),
                    (mime_type, key, size, sha256),
                ) in queued
                {
                    // Only a conversation's oldest queued message may go: order is preserved even
                    // while it waits for a retry or is being sent by another instance.
                    if !seen.insert(conversation) || next_attempt_at.is_some_and(|t| t > now) {
                        continue;
                    }
                    let held_by_another = claimed_by.as_deref().is_some_and(|by| by != me)
                        && claim_expires_at.is_some_and(|t| t > now);
                    if held_by_another && !single_process {
                        continue;
                    }
                    due.push(DispatchItem {
                        message_id: MessageId(id),
                        conversation_id: ConversationId(conversation),
                        business_number_id: BusinessNumberId(number),
                        attempts: u32::try_from(attempts).unwrap_or(0),
                        outbound: OutboundMessage {
                            phone_number_id,
                            to: wa_id,
                            content: outbound_content(
                                &payload.0,
                                StoredFile {
                                    mime_type,
                                    key,
                                    size,
                                    sha256,
                                },
                            )?,
                            reply_to: None,
                        },
                    });
                    if due.len() >= limit as usize {
                        break;
                    }
                }
                if due.is_empty() {
                    return Ok(due);
                }
                // The claim is one guarded update: of two instances claiming at once, one
                // changes a row, and the other (waiting on its lock) then finds it taken and
                // leaves it out.
                let ids: Vec<i64> = due.iter().map(|d| d.message_id.0).collect();
                let candidates = messages::table
                    .filter(messages::id.eq_any(&ids))
                    .filter(messages::status.eq(MessageStatus::Queued.as_str()));
                let claim = (
                    messages::claimed_by.eq(Some(&me)),
                    messages::claim_expires_at.eq(Some(until)),
                );
                let claimed: std::collections::HashSet<i64> = if single_process {
                    diesel::update(candidates)
                        .set(claim)
                        .returning(messages::id)
                        .load::<i64>(conn)?
                } else {
                    diesel::update(
                        candidates.filter(
                            messages::claim_expires_at
                                .is_null()
                                .or(messages::claim_expires_at.le(now))
                                .or(messages::claimed_by.eq(&me)),
                        ),
                    )
                    .set(claim)
                    .returning(messages::id)
                    .load::<i64>(conn)?
                }
                .into_iter()
                .collect();
                due.retain(|d| claimed.contains(&d.message_id.0));
                Ok(due)
            })
        })
        .await
    }

    async fn mark_accepted(
        &self,
        id: MessageId,
        wamid: &str,
        now: Timestamp,
    ) -> Result<(), RepoError> {
        let wamid = wamid.to_owned();
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                let now = to_millis(now);
                // Beside a webhook bringing a status for this wamid: either it finds the
                // message, or the status it keeps for later is read here.
                serialize(&mut conn.conn(), Topic::Wamid(&wamid))?;
                let (number, conversation) = message_owner(conn.conn(), id.0)?;
                let changed = Prepared(
                    diesel::update(
                        messages::table
                            .find(id.0)
                            .filter(messages::status.eq(MessageStatus::Queued.as_str())),
                    )
                    .set((
                        messages::status.eq(MessageStatus::Accepted.as_str()),
                        messages::wamid.eq(&wamid),
                        messages::accepted_at.eq(now),
                        messages::attempts.eq(messages::attempts + 1),
                        messages::next_attempt_at.eq(None::<Millis>),
                        messages::claimed_by.eq(None::<String>),
                        messages::claim_expires_at.eq(None::<Millis>),
                    ))
                    .returning(messages::id),
                )
                .changed(conn)?;
                if changed == 0 {
                    return Ok(());
                }
                // Statuses that beat the send response: apply them in their natural order.
                let mut early: Vec<(String, Millis, Option<i64>, Option<String>, Option<String>)> =
                    pending_statuses::table
                        .filter(pending_statuses::wamid.eq(&wamid))
                        .select((
                            pending_statuses::status,
                            pending_statuses::status_at,
                            pending_statuses::error_code,
                            pending_statuses::error_title,
                            pending_statuses::error_details,
                        ))
                        .load(conn)?;
                early.sort_by_key(|(_, at, ..)| *at);
                // Each is a guarded update: a status the message is past keeps only its time.
                for (status, at, code, title, details) in early {
                    let Ok(status) = status.parse::<MessageStatus>() else {
                        continue;
                    };
                    let error = code.map(|code| DeliveryError {
                        code,
                        title,
                        details,
                    });
                    advance_status(conn.conn(), id.0, status, at, error.as_ref())?;
                }
                diesel::delete(pending_statuses::table.filter(pending_statuses::wamid.eq(&wamid)))
                    .execute(conn)?;
                log_event(
                    conn.conn(),
                    number,
                    EventKind::MessageUpdated,
                    conversation,
                    Some(id.0),
                    now,
                )
            })
        })
        .await
    }

    async fn mark_failed(
        &self,
        id: MessageId,
        error: &DeliveryError,
        now: Timestamp,
    ) -> Result<(), RepoError> {
        let error = error.clone();
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                let now = to_millis(now);
                let (number, conversation) = message_owner(conn.conn(), id.0)?;
                Prepared(
                    diesel::update(messages::table.find(id.0))
                        .set((
                            messages::attempts.eq(messages::attempts + 1),
                            messages::next_attempt_at.eq(None::<Millis>),
                            messages::claimed_by.eq(None::<String>),
                            messages::claim_expires_at.eq(None::<Millis>),
                        ))
                        .returning(messages::id),
                )
                .changed(conn)?;
                advance_status(conn.conn(), id.0, MessageStatus::Failed, now, Some(&error))?;
                log_event(
                    conn.conn(),
                    number,
                    EventKind::MessageUpdated,
                    conversation,
                    Some(id.0),
                    now,
                )
            })
        })
        .await
    }

    async fn schedule_retry(
        &self,
        id: MessageId,
        attempts: u32,
        next_attempt_at: Timestamp,
    ) -> Result<(), RepoError> {
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                Prepared(
                    diesel::update(messages::table.find(id.0))
                        .set((
                            messages::attempts.eq(i32::try_from(attempts).unwrap_or(i32::MAX)),
                            messages::next_attempt_at.eq(to_millis(next_attempt_at)),
                            messages::claimed_by.eq(None::<String>),
                            messages::claim_expires_at.eq(None::<Millis>),
                        ))
                        .returning(messages::id),
                )
                .changed(conn)?;
                Ok(())
            })
        })
        .await
    }

    async fn record_media_upload(&self, id: MessageId, media_id: &str) -> Result<(), RepoError> {
        let media_id = media_id.to_owned();
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                let (kind, payload): (String, JsonText) = messages::table
                    .find(id.0)
                    .select((messages::kind, messages::payload))
                    .get_result(conn)?;
                // The payload is what the thread shows: it names the id the send goes by.
                let mut value: serde_json::Value = serde_json::from_str(&payload.0)
                    .map_err(|e| RepoError::unexpected("a stored outbound payload", e))?;
                if let Some(object) = value.get_mut(&kind).and_then(|v| v.as_object_mut()) {
                    object.insert("id".to_owned(), media_id.clone().into());
                }
                diesel::update(messages::table.find(id.0))
                    .set((
                        messages::media_id.eq(&media_id),
                        messages::payload.eq(JsonText(value.to_string())),
                    ))
                    .execute(conn)?;
                Ok(())
            })
        })
        .await
    }
}
