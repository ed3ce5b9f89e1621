//! [`MediaRepository`] on the store: the media downloader's queue.

use async_trait::async_trait;
use diesel::prelude::*;
use switchboard_domain::Timestamp;
use switchboard_domain::conversation::model::ConversationId;
use switchboard_domain::error::RepoError;
use switchboard_domain::live::model::EventKind;
use switchboard_domain::media::ports::{MediaRepository, PendingMedia};
use switchboard_domain::message::{MediaState, MessageId};
use switchboard_domain::numbers::model::BusinessNumberId;

use crate::conn::{AsConn, on_backend};
use crate::conversations::message_owner;
use crate::events::log_event;
use crate::schema::{conversations, messages};
use crate::sql_types::Millis;
use crate::store::Store;
use crate::time::to_millis;

#[async_trait]
impl MediaRepository for Store {
    async fn claim_pending_media(
        &self,
        now: Timestamp,
        until: Timestamp,
        limit: u32,
    ) -> Result<Vec<PendingMedia>, RepoError> {
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                let (now, until) = (to_millis(now), to_millis(until));
                let due = || {
                    messages::media_state.eq(MediaState::Pending.as_str()).and(
                        messages::media_next_at
                            .is_null()
                            .or(messages::media_next_at.le(now)),
                    )
                };
                let candidates: Vec<i64> = messages::table
                    .filter(due())
                    .order(messages::id)
                    .limit(i64::from(limit))
                    .select(messages::id)
                    .load(conn)?;
                // The guard repeats the filter: another instance that claimed a candidate
                // since it was read has moved its time past `now`, and this update skips it.
                let won: Vec<i64> = diesel::update(
                    messages::table
                        .filter(messages::id.eq_any(&candidates))
                        .filter(due()),
                )
                .set(messages::media_next_at.eq(Some(until)))
                .returning(messages::id)
                .get_results(conn)?;
                let rows: Vec<(i64, i64, i64, Option<String>, i32)> = messages::table
                    .inner_join(conversations::table)
                    .filter(messages::id.eq_any(&won))
                    .order(messages::id)
                    .select((
                        messages::id,
                        messages::conversation_id,
                        conversations::business_number_id,
                        messages::media_id,
                        messages::media_attempts,
                    ))
                    .load(conn)?;
                Ok(rows
                    .into_iter()
                    .filter_map(|(id, conversation, number, media_id, attempts)| {
                        Some(PendingMedia {
                            message_id: MessageId(id),
                            conversation_id: ConversationId(conversation),
                            business_number_id: BusinessNumberId(number),
                            media_id: media_id?,
                            attempts: u32::try_from(attempts).unwrap_or(0),
                        })
                    })
                    .collect())
            })
        })
        .await
    }

    async fn media_stored(
        &self,
        message: MessageId,
        key: &str,
        mime_type: &str,
        size: u64,
        now: Timestamp,
    ) -> Result<(), RepoError> {
        let key = key.to_owned();
        let mime_type = mime_type.to_owned();
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                let now = to_millis(now);
                diesel::update(messages::table.find(message.0))
                    .set((
                        messages::media_state.eq(MediaState::Stored.as_str()),
                        messages::media_key.eq(&key),
                        messages::media_mime.eq(&mime_type),
                        messages::media_size.eq(i64::try_from(size).unwrap_or(i64::MAX)),
                        messages::media_next_at.eq(None::<Millis>),
                    ))
                    .execute(conn)?;
                let (number, conversation) = message_owner(conn.conn(), message.0)?;
                log_event(
                    conn.conn(),
                    number,
                    EventKind::MessageUpdated,
                    conversation,
                    Some(message.0),
                    now,
                )
            })
        })
        .await
    }

    async fn media_retry(
        &self,
        message: MessageId,
        attempts: u32,
        next_attempt_at: Timestamp,
        failed: bool,
        now: Timestamp,
    ) -> Result<(), RepoError> {
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                let now = to_millis(now);
                let state = if failed {
                    MediaState::Failed
                } else {
                    MediaState::Pending
                };
                diesel::update(messages::table.find(message.0))
                    .set((
                        messages::media_state.eq(state.as_str()),
                        messages::media_attempts.eq(i32::try_from(attempts).unwrap_or(i32::MAX)),
                        messages::media_next_at.eq(to_millis(next_attempt_at)),
                    ))
                    .execute(conn)?;
                if failed {
                    let (number, conversation) = message_owner(conn.conn(), message.0)?;
                    log_event(
                        conn.conn(),
                        number,
                        EventKind::MessageUpdated,
                        conversation,
                        Some(message.0),
                        now,
                    )?;
                }
                Ok(())
            })
        })
        .await
    }
}
