//! [`EventRepository`] on the store: reading the durable event log.

use async_trait::async_trait;
use diesel::prelude::*;
use switchboard_domain::business_number::BusinessNumberId;
use switchboard_domain::conversation::ConversationId;
use switchboard_domain::error::RepoError;
use switchboard_domain::event::StoredEvent;
use switchboard_domain::message::MessageId;
use switchboard_domain::ports::EventRepository;

use crate::schema::events;
use crate::sqlite::Store;

#[async_trait]
impl EventRepository for Store {
    async fn events_after(
        &self,
        after: i64,
        numbers: Option<&[BusinessNumberId]>,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, RepoError> {
        let numbers: Option<Vec<i64>> = numbers.map(|n| n.iter().map(|n| n.0).collect());
        self.run(move |conn| {
            let mut query = events::table
                .filter(events::id.gt(after))
                .order(events::id)
                .limit(i64::from(limit))
                .select((
                    events::id,
                    events::business_number_id,
                    events::kind,
                    events::conversation_id,
                    events::message_id,
                ))
                .into_boxed();
            if let Some(numbers) = numbers {
                query = query.filter(events::business_number_id.eq_any(numbers));
            }
            let rows: Vec<(i64, i64, String, i64, Option<i64>)> = query.load(conn)?;
            rows.into_iter()
                .map(|(id, number, kind, conversation, message)| {
                    Ok(StoredEvent {
                        id,
                        business_number_id: BusinessNumberId(number),
                        kind: kind.parse().map_err(|e: String| {
                            RepoError::Unexpected(format!("event {id}: {e}"))
                        })?,
                        conversation_id: ConversationId(conversation),
                        message_id: message.map(MessageId),
                    })
                })
                .collect()
        })
        .await
    }

    async fn last_event_id(&self) -> Result<i64, RepoError> {
        self.run(|conn| {
            let last: Option<i64> = events::table
                .select(diesel::dsl::max(events::id))
                .get_result(conn)?;
            Ok(last.unwrap_or(0))
        })
        .await
    }
}
