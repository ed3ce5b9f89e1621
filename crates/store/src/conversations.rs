//! [`ConversationRepository`] on the store: threads and agents' changes to one conversation, and
//! the helpers the inbox, sends and ingest share (event log, views, queueing).

use async_trait::async_trait;
use diesel::dsl::case_when;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};
use switchboard_domain::Timestamp;
use switchboard_domain::conversation::model::{
    ConversationChanges, ConversationId, ConversationStatus, ConversationView,
};
use switchboard_domain::conversation::ports::{ConversationRepository, MessageCursor};
use switchboard_domain::error::RepoError;
use switchboard_domain::live::model::EventKind;
use switchboard_domain::media::model::MediaKind;
use switchboard_domain::message::{MediaState, Message, MessageId, MessageStatus};
use switchboard_domain::outbound::model::OutboundContent;
use switchboard_domain::outbound::ports::NewOutbound;

use crate::conn::{AsConn, Conn, on_backend};
use crate::error::Fail;
use crate::events::log_event;
use crate::prepared::Prepared;
use crate::rows::{ContactRow, ConversationRow, MessageRow};
use crate::schema::{contacts, conversations, messages};
use crate::sql_types::{JsonText, Millis, Moment};
use crate::store::Store;
use crate::time::to_millis;

/// The business number and conversation a message belongs to, for its events.
pub(crate) fn message_owner(mut conn: Conn<'_>, message: i64) -> Result<(i64, i64), Fail> {
    on_backend!(&mut conn, |conn| {
        Ok(messages::table
            .inner_join(conversations::table)
            .filter(messages::id.eq(message))
            .select((conversations::business_number_id, messages::conversation_id))
            .get_result(conn)?)
    })
}

/// The JSON stored as an outbound message's payload: the Cloud API's own shape for it (a media
/// message's object also names the `filename` for every kind, which the upload needs, and its
/// `id` only once the file is uploaded). Returns the message kind, its text (for media the
/// caption, else a preview such as `📎 report.pdf`) and the payload.
pub(crate) fn outbound_payload(
    content: &OutboundContent,
) -> Result<(String, Option<String>, String), Fail> {
    Ok(match content {
        OutboundContent::Text { body } => (
            "text".to_owned(),
            Some(body.clone()),
            serde_json::json!({"type": "text", "text": {"body": body}}).to_string(),
        ),
        OutboundContent::Reaction { message_id, emoji } => (
            "reaction".to_owned(),
            Some(emoji.clone()),
            serde_json::json!({"type": "reaction", "reaction": {"message_id": message_id, "emoji": emoji}})
                .to_string(),
        ),
        OutboundContent::Media {
            kind,
            filename,
            caption,
            media_id,
            ..
        } => {
            let mut object = serde_json::json!({"filename": filename});
            if let Some(caption) = caption {
                object["caption"] = caption.clone().into();
            }
            if let Some(id) = media_id {
                object["id"] = id.clone().into();
            }
            let mut payload = serde_json::json!({"type": kind.as_str()});
            payload[kind.as_str()] = object;
            (
                kind.as_str().to_owned(),
                Some(
                    caption
                        .clone()
                        .unwrap_or_else(|| format!("\u{1f4ce} {filename}")),
                ),
                payload.to_string(),
            )
        }
        OutboundContent::Template {
            name,
            language,
            components_json,
        } => {
            let components: serde_json::Value = serde_json::from_str(components_json)
                .map_err(|e| RepoError::unexpected("stored template components", e))?;
            (
                "template".to_owned(),
                Some(name.clone()),
                serde_json::json!({"type": "template", "template": {
                    "name": name, "language": {"code": language}, "components": components,
                }})
                .to_string(),
            )
        }
    })
}

/// A stored message's file, from its media columns.
#[derive(Debug, Default)]
pub(crate) struct StoredFile {
    pub(crate) mime_type: Option<String>,
    pub(crate) key: Option<String>,
    pub(crate) size: Option<i64>,
    pub(crate) sha256: Option<String>,
}

/// The content back from a stored outbound payload and, for media, the message's media columns.
pub(crate) fn outbound_content(payload: &str, file: StoredFile) -> Result<OutboundContent, Fail> {
    let value: serde_json::Value = serde_json::from_str(payload)
        .map_err(|e| RepoError::unexpected("a stored outbound payload", e))?;
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    match value["type"].as_str() {
        Some("text") => Ok(OutboundContent::Text {
            body: text(&value["text"]["body"]),
        }),
        Some("reaction") => Ok(OutboundContent::Reaction {
            message_id: text(&value["reaction"]["message_id"]),
            emoji: text(&value["reaction"]["emoji"]),
        }),
        Some("template") => Ok(OutboundContent::Template {
            name: text(&value["template"]["name"]),
            language: text(&value["template"]["language"]["code"]),
            components_json: value["template"]["components"].to_string(),
        }),
        other => match other.map(str::parse::<MediaKind>) {
            Some(Ok(kind)) => media_content(&value, kind, file),
            _ => Err(Fail(RepoError::broken(format!(
                "outbound payload of unknown type {other:?}"
            )))),
        },
    }
}

/// A media message's content: kind, caption, file name and media id from the payload, the
/// rest from the media columns.
fn media_content(
    value: &serde_json::Value,
    kind: MediaKind,
    file: StoredFile,
) -> Result<OutboundContent, Fail> {
    let object = &value[kind.as_str()];
    let missing = |what: &str| {
        Fail(RepoError::broken(format!(
            "outbound {kind} message without its {what}"
        )))
    };
    Ok(OutboundContent::Media {
        kind,
        mime_type: file.mime_type.ok_or_else(|| missing("MIME type"))?,
        key: file.key.ok_or_else(|| missing("stored file"))?,
        filename: object["filename"].as_str().unwrap_or_default().to_owned(),
        caption: object["caption"].as_str().map(str::to_owned),
        size: file
            .size
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or_default(),
        sha256: file.sha256.unwrap_or_default(),
        media_id: object["id"].as_str().map(str::to_owned),
    })
}

/// Finds or creates the conversation of a number and a contact (by their unique index); a new
/// one is `open` with `first_activity` as its last activity. Returns the row and whether it was
/// created. Safe beside other writers: of two first messages at once, one inserts and the
/// other, meeting the index, reads the row the first made.
pub(crate) fn find_or_create_conversation(
    mut conn: Conn<'_>,
    number: i64,
    contact: i64,
    first_activity: Millis,
    now: Millis,
) -> Result<(ConversationRow, bool), Fail> {
    on_backend!(&mut conn, |conn| {
        let find = || {
            conversations::table
                .filter(conversations::business_number_id.eq(number))
                .filter(conversations::contact_id.eq(contact))
                .select(ConversationRow::as_select())
        };
        // Most deliveries continue a conversation: look first, insert only when there is none.
        if let Some(row) = find().get_result(conn).optional()? {
            return Ok((row, false));
        }
        let inserted = diesel::insert_into(conversations::table)
            .values((
                conversations::business_number_id.eq(number),
                conversations::contact_id.eq(contact),
                conversations::status.eq(ConversationStatus::Open.as_str()),
                conversations::last_message_at.eq(first_activity),
                conversations::unread_count.eq(0),
                conversations::created_at.eq(now),
                conversations::updated_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .returning(ConversationRow::as_returning())
            .get_result(conn)
            .optional()?;
        match inserted {
            Some(row) => Ok((row, true)),
            None => Ok((find().get_result(conn)?, false)),
        }
    })
}

pub(crate) fn views(
    mut conn: Conn<'_>,
    rows: Vec<(ConversationRow, ContactRow)>,
) -> Result<Vec<ConversationView>, Fail> {
    on_backend!(&mut conn, |conn| {
        let last_ids: Vec<i64> = rows.iter().filter_map(|(c, _)| c.last_message_id).collect();
        let mut last: std::collections::HashMap<i64, MessageRow> = Prepared(
            messages::table
                .filter(messages::id.eq_any(&last_ids))
                .select(MessageRow::as_select()),
        )
        .load(conn)?
        .into_iter()
        .map(|m| (m.id(), m))
        .collect();
        rows.into_iter()
            .map(|(conversation, contact)| {
                let preview = conversation
                    .last_message_id
                    .and_then(|id| last.remove(&id))
                    .map(MessageRow::preview)
                    .transpose()?;
                Ok(ConversationView {
                    conversation: conversation.into_domain()?,
                    contact: contact.into(),
                    last_message: preview,
                })
            })
            .collect()
    })
}

pub(crate) fn view(mut conn: Conn<'_>, id: i64) -> Result<ConversationView, Fail> {
    on_backend!(&mut conn, |conn| {
        let row: (ConversationRow, ContactRow) = conversations::table
            .inner_join(contacts::table)
            .filter(conversations::id.eq(id))
            .select((ConversationRow::as_select(), ContactRow::as_select()))
            .get_result(conn)?;
        let mut all = views(conn.conn(), vec![row])?;
        all.pop().ok_or(Fail(RepoError::NotFound))
    })
}

/// Inserts a queued message (or finds the one with the same idempotency key) and moves the
/// conversation's last activity; logs the events.
pub(crate) fn queue(
    mut conn: Conn<'_>,
    conversation: i64,
    new: &NewOutbound,
    now: Millis,
) -> Result<(Message, bool), Fail> {
    on_backend!(&mut conn, |conn| {
        let number: i64 = conversations::table
            .find(conversation)
            .select(conversations::business_number_id)
            .get_result(conn)?;
        // Meta's timestamps are whole seconds: an agent's message is placed on the same clock,
        // so within a second the thread falls back to arrival order for both directions.
        let sent_at = now.whole_second();
        let (kind, text, payload) = outbound_payload(&new.content)?;
        // An agent's file is in the media store already: the message serves it at once.
        let file = match &new.content {
            OutboundContent::Media {
                mime_type,
                key,
                size,
                sha256,
                ..
            } => Some((
                mime_type.clone(),
                key.clone(),
                i64::try_from(*size).unwrap_or(i64::MAX),
                sha256.clone(),
            )),
            _ => None,
        };
        let inserted = diesel::insert_into(messages::table)
            .values((
                messages::conversation_id.eq(conversation),
                messages::direction.eq("outbound"),
                messages::kind.eq(kind),
                messages::body.eq(text),
                messages::payload.eq(JsonText(payload)),
                messages::sender_user_id.eq(new.sender.0),
                messages::sent_at.eq(sent_at),
                messages::status.eq(MessageStatus::Queued.as_str()),
                messages::idempotency_key.eq(&new.idempotency_key),
                messages::media_state.eq(file.as_ref().map(|_| MediaState::Stored.as_str())),
                messages::media_mime.eq(file.as_ref().map(|f| f.0.clone())),
                messages::media_key.eq(file.as_ref().map(|f| f.1.clone())),
                messages::media_size.eq(file.as_ref().map(|f| f.2)),
                messages::media_sha256.eq(file.as_ref().map(|f| f.3.clone())),
                messages::created_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .returning(MessageRow::as_returning())
            .get_result(conn)
            .optional()?;
        let Some(row) = inserted else {
            // Only the idempotency index can conflict here: return the first message.
            let existing: MessageRow = messages::table
                .filter(messages::conversation_id.eq(conversation))
                .filter(messages::idempotency_key.eq(&new.idempotency_key))
                .select(MessageRow::as_select())
                .get_result(conn)?;
            return Ok((existing.into_domain()?, false));
        };
        let message = row.into_domain()?;
        // As for a customer's message: the last activity only moves forward, in SQL.
        Prepared(
            diesel::update(conversations::table.find(conversation))
                .set((
                    conversations::last_message_at.eq(case_when::<_, _, Moment>(
                        conversations::last_message_at.lt(sent_at),
                        sent_at,
                    )
                    .otherwise(conversations::last_message_at)),
                    conversations::last_message_id.eq(case_when::<_, _, Nullable<BigInt>>(
                        conversations::last_message_at.le(sent_at),
                        Some(message.id.0),
                    )
                    .otherwise(conversations::last_message_id)),
                    conversations::updated_at.eq(now),
                ))
                .returning(conversations::id),
        )
        .changed(conn)?;
        log_event(
            conn.conn(),
            number,
            EventKind::MessageCreated,
            conversation,
            Some(message.id.0),
            now,
        )?;
        log_event(
            conn.conn(),
            number,
            EventKind::ConversationUpdated,
            conversation,
            None,
            now,
        )?;
        Ok((message, true))
    })
}

#[async_trait]
impl ConversationRepository for Store {
    async fn get_conversation(&self, id: ConversationId) -> Result<ConversationView, RepoError> {
        self.run(move |conn| view(conn.conn(), id.0)).await
    }

    async fn update_conversation(
        &self,
        id: ConversationId,
        changes: &ConversationChanges,
        now: Timestamp,
    ) -> Result<ConversationView, RepoError> {
        let changes = changes.clone();
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                let now = to_millis(now);
                let number: i64 = conversations::table
                    .find(id.0)
                    .select(conversations::business_number_id)
                    .get_result(conn)?;
                if let Some(status) = changes.status {
                    diesel::update(conversations::table.find(id.0))
                        .set(conversations::status.eq(status.as_str()))
                        .execute(conn)?;
                }
                if let Some(assignee) = changes.assignee {
                    diesel::update(conversations::table.find(id.0))
                        .set(conversations::assignee_id.eq(assignee.map(|u| u.0)))
                        .execute(conn)?;
                }
                diesel::update(conversations::table.find(id.0))
                    .set(conversations::updated_at.eq(now))
                    .execute(conn)?;
                log_event(
                    conn.conn(),
                    number,
                    EventKind::ConversationUpdated,
                    id.0,
                    None,
                    now,
                )?;
                view(conn.conn(), id.0)
            })
        })
        .await
    }

    async fn mark_read(
        &self,
        id: ConversationId,
        now: Timestamp,
    ) -> Result<Option<String>, RepoError> {
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                let now = to_millis(now);
                let (number, unread): (i64, i32) = conversations::table
                    .find(id.0)
                    .select((
                        conversations::business_number_id,
                        conversations::unread_count,
                    ))
                    .get_result(conn)?;
                if unread != 0 {
                    diesel::update(conversations::table.find(id.0))
                        .set((
                            conversations::unread_count.eq(0),
                            conversations::updated_at.eq(now),
                        ))
                        .execute(conn)?;
                    log_event(
                        conn.conn(),
                        number,
                        EventKind::ConversationUpdated,
                        id.0,
                        None,
                        now,
                    )?;
                }
                Ok(messages::table
                    .filter(messages::conversation_id.eq(id.0))
                    .filter(messages::direction.eq("inbound"))
                    .order((messages::sent_at.desc(), messages::id.desc()))
                    .select(messages::wamid)
                    .limit(1)
                    .get_result::<Option<String>>(conn)
                    .optional()?
                    .flatten())
            })
        })
        .await
    }

    async fn list_messages(
        &self,
        conversation: ConversationId,
        before: Option<MessageCursor>,
        limit: u32,
    ) -> Result<Vec<Message>, RepoError> {
        self.run(move |conn| {
            on_backend!(conn, |conn| {
                let mut select = messages::table
                    .filter(messages::conversation_id.eq(conversation.0))
                    .select(MessageRow::as_select())
                    .order((messages::sent_at.desc(), messages::id.desc()))
                    .limit(i64::from(limit))
                    .into_boxed();
                if let Some(before) = before {
                    // `(sent_at, id) < (at, id)`, split as in the inbox so the walk starts there.
                    let at = to_millis(before.sent_at);
                    select = select
                        .filter(messages::sent_at.le(at))
                        .filter(messages::sent_at.lt(at).or(messages::id.lt(before.id.0)));
                }
                let mut page = Prepared(select)
                    .load(conn)?
                    .into_iter()
                    .map(MessageRow::into_domain)
                    .collect::<Result<Vec<_>, _>>()?;
                page.reverse();
                Ok(page)
            })
        })
        .await
    }

    async fn get_message(&self, id: MessageId) -> Result<Message, RepoError> {
        self.run(move |conn| {
            on_backend!(conn, |conn| {
                messages::table
                    .find(id.0)
                    .select(MessageRow::as_select())
                    .get_result(conn)?
                    .into_domain()
            })
        })
        .await
    }
}
