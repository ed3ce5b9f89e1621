//! [`OutboundRepository`] on the store: queueing agents' messages and starting conversations.

use async_trait::async_trait;
use diesel::prelude::*;
use switchboard_domain::Timestamp;
use switchboard_domain::conversation::model::ConversationId;
use switchboard_domain::error::RepoError;
use switchboard_domain::live::model::EventKind;
use switchboard_domain::message::Message;
use switchboard_domain::numbers::model::BusinessNumberId;
use switchboard_domain::outbound::model::{Queued, Started};
use switchboard_domain::outbound::ports::{NewOutbound, OutboundRepository};

use crate::conn::{AsConn, on_backend};
use crate::contacts::upsert_contact;
use crate::conversations::{find_or_create_conversation, queue, view};
use crate::events::log_event;
use crate::rows::MessageRow;
use crate::schema::messages;
use crate::store::Store;
use crate::time::to_millis;

#[async_trait]
impl OutboundRepository for Store {
    async fn queue_message(
        &self,
        conversation: ConversationId,
        new: &NewOutbound,
        now: Timestamp,
    ) -> Result<Queued, RepoError> {
        let new = new.clone();
        let (message, created) = self
            .write(move |conn| queue(conn.conn(), conversation.0, &new, to_millis(now)))
            .await?;
        Ok(Queued { message, created })
    }

    async fn find_by_idempotency_key(
        &self,
        conversation: ConversationId,
        key: &str,
    ) -> Result<Option<Message>, RepoError> {
        let key = key.to_owned();
        self.run(move |conn| {
            on_backend!(conn, |conn| {
                messages::table
                    .filter(messages::conversation_id.eq(conversation.0))
                    .filter(messages::idempotency_key.eq(key))
                    .select(MessageRow::as_select())
                    .get_result(conn)
                    .optional()?
                    .map(MessageRow::into_domain)
                    .transpose()
            })
        })
        .await
    }

    async fn start_conversation(
        &self,
        number: BusinessNumberId,
        wa_id: &str,
        new: &NewOutbound,
        now: Timestamp,
    ) -> Result<Started, RepoError> {
        let new = new.clone();
        let wa_id = wa_id.to_owned();
        self.write(move |conn| {
            on_backend!(conn, |conn| {
                let now = to_millis(now);
                let contact = upsert_contact(conn.conn(), &wa_id, None, now)?;
                let (row, created) =
                    find_or_create_conversation(conn.conn(), number.0, contact, now, now)?;
                let conversation = row.id;
                if created {
                    log_event(
                        conn.conn(),
                        number.0,
                        EventKind::ConversationCreated,
                        conversation,
                        None,
                        now,
                    )?;
                }
                let (message, queued) = queue(conn.conn(), conversation, &new, now)?;
                Ok(Started {
                    conversation: view(conn.conn(), conversation)?,
                    message,
                    created: queued,
                })
            })
        })
        .await
    }
}
