//! The durable event log: appending to it inside a write's transaction, and
//! [`EventRepository`], reading it.

use std::collections::HashMap;

use async_trait::async_trait;
use diesel::prelude::*;
use switchboard_domain::conversation::model::ConversationView;
use switchboard_domain::error::RepoError;
use switchboard_domain::live::model::{EventKind, LiveEvent};
use switchboard_domain::live::ports::EventRepository;
use switchboard_domain::message::Message;
use switchboard_domain::numbers::model::BusinessNumberId;

use crate::conn::{AsConn, Conn, on_backend};
use crate::conversations::views;
use crate::error::Fail;
use crate::rows::{ContactRow, ConversationRow, MessageRow};
use crate::schema::{contacts, conversations, events, messages};
use crate::sql_types::Millis;
use crate::store::Store;

/// Events per insert statement: five parameters each, well under either backend's limit.
const EVENTS_PER_INSERT: usize = 1000;

/// An event to append: business number, kind, conversation, message.
pub(crate) type NewEvent = (i64, EventKind, i64, Option<i64>);

/// Appends one event to the log (inside the caller's transaction; see [`log_events`]).
pub(crate) fn log_event(
    conn: Conn<'_>,
    number: i64,
    kind: EventKind,
    conversation: i64,
    message: Option<i64>,
    now: Millis,
) -> Result<(), Fail> {
    log_events(conn, &[(number, kind, conversation, message)], now)
}

/// Appends events to the log in order. Every write runs under the event log's lock (on SQLite
/// the file's write lock, on PostgreSQL [`crate::locks::Topic::Events`], which the writer takes
/// to begin each batch), so ids become visible in the order they were given and a reader
/// resuming after an id never skips a smaller one committed later.
pub(crate) fn log_events(mut conn: Conn<'_>, new: &[NewEvent], now: Millis) -> Result<(), Fail> {
    if new.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = new
        .iter()
        .map(|&(number, kind, conversation, message)| {
            (
                events::business_number_id.eq(number),
                events::kind.eq(kind.as_str()),
                events::conversation_id.eq(conversation),
                events::message_id.eq(message),
                events::created_at.eq(now),
            )
        })
        .collect();
    // In statements of a bounded size: every value is a bound parameter, and SQLite takes at
    // most 32,766 of them in one statement (PostgreSQL 65,535).
    for chunk in rows.chunks(EVENTS_PER_INSERT) {
        on_backend!(&mut conn, |c| diesel::insert_into(events::table)
            .values(chunk)
            .execute(c))?;
    }
    if let Conn::Postgres(c) = &mut conn {
        crate::postgres::listener::notify(c)?;
    }
    Ok(())
}

/// An event row: id, kind, conversation, message.
type EventRow = (i64, String, i64, Option<i64>);

/// The events of one page with their resources: one query for the events, one for their
/// conversations (and one for those conversations' newest messages), one for their messages.
fn live_events(
    mut conn: Conn<'_>,
    after: i64,
    numbers: Option<&[i64]>,
    limit: u32,
) -> Result<Vec<LiveEvent>, Fail> {
    on_backend!(&mut conn, |conn| {
        let mut query = events::table
            .filter(events::id.gt(after))
            .order(events::id)
            .limit(i64::from(limit))
            .select((
                events::id,
                events::kind,
                events::conversation_id,
                events::message_id,
            ))
            .into_boxed();
        if let Some(numbers) = numbers {
            query = query.filter(events::business_number_id.eq_any(numbers));
        }
        let rows: Vec<EventRow> = query.load(conn)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut conversation_ids: Vec<i64> = rows.iter().map(|r| r.2).collect();
        conversation_ids.sort_unstable();
        conversation_ids.dedup();
        let found: Vec<(ConversationRow, ContactRow)> = conversations::table
            .inner_join(contacts::table)
            .filter(conversations::id.eq_any(&conversation_ids))
            .select((ConversationRow::as_select(), ContactRow::as_select()))
            .load(conn)?;
        let conversations: HashMap<i64, ConversationView> = views(conn.conn(), found)?
            .into_iter()
            .map(|v| (v.conversation.id.0, v))
            .collect();
        let message_ids: Vec<i64> = rows.iter().filter_map(|r| r.3).collect();
        let mut messages: HashMap<i64, Message> = HashMap::new();
        if !message_ids.is_empty() {
            for row in messages::table
                .filter(messages::id.eq_any(&message_ids))
                .select(MessageRow::as_select())
                .load::<MessageRow>(conn)?
            {
                let message = row.into_domain()?;
                messages.insert(message.id.0, message);
            }
        }
        rows.into_iter()
            .map(|(id, kind, conversation, message)| {
                let kind: EventKind = kind
                    .parse()
                    .map_err(|e: String| RepoError::broken(format!("event {id}: {e}")))?;
                let conversation = conversations.get(&conversation).cloned().ok_or_else(|| {
                    RepoError::broken(format!(
                        "event {id} names conversation {conversation}, which does not exist"
                    ))
                })?;
                Ok(LiveEvent {
                    id,
                    kind,
                    conversation,
                    message: message.and_then(|m| messages.get(&m).cloned()),
                })
            })
            .collect()
    })
}

#[async_trait]
impl EventRepository for Store {
    async fn events_after(
        &self,
        after: i64,
        numbers: Option<&[BusinessNumberId]>,
        limit: u32,
    ) -> Result<Vec<LiveEvent>, RepoError> {
        let numbers: Option<Vec<i64>> = numbers.map(|n| n.iter().map(|n| n.0).collect());
        self.run(move |conn| live_events(conn.conn(), after, numbers.as_deref(), limit))
            .await
    }

    async fn last_event_id(&self) -> Result<i64, RepoError> {
        self.run(|conn| {
            on_backend!(conn, |conn| {
                let last: Option<i64> = events::table
                    .select(diesel::dsl::max(events::id))
                    .get_result(conn)?;
                Ok(last.unwrap_or(0))
            })
        })
        .await
    }
}
