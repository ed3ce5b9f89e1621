//! Row types of the messaging tables and their translation into domain values.

use diesel::prelude::*;
use switchboard_domain::contacts::model::{Contact, ContactId};
use switchboard_domain::conversation::model::{Conversation, ConversationId, MessagePreview};
use switchboard_domain::error::RepoError;
use switchboard_domain::message::{DeliveryError, MediaAttachment, Message, MessageId};
use switchboard_domain::numbers::model::BusinessNumberId;
use switchboard_domain::users::model::UserId;

use crate::error::Fail;
use crate::schema::{contacts, conversations, messages};
use crate::sql_types::{JsonText, Millis};
use crate::time::from_millis;

fn corrupt(what: &str, id: i64, e: impl std::fmt::Display) -> Fail {
    Fail(RepoError::broken(format!("{what} {id}: {e}")))
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = contacts)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub(crate) struct ContactRow {
    id: i64,
    wa_id: String,
    phone: String,
    profile_name: Option<String>,
    display_name: Option<String>,
    created_at: Millis,
    updated_at: Millis,
}

impl From<ContactRow> for Contact {
    fn from(r: ContactRow) -> Self {
        Contact {
            id: ContactId(r.id),
            wa_id: r.wa_id,
            phone: r.phone,
            profile_name: r.profile_name,
            display_name: r.display_name,
            created_at: from_millis(r.created_at),
            updated_at: from_millis(r.updated_at),
        }
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = conversations)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub(crate) struct ConversationRow {
    pub(crate) id: i64,
    pub(crate) business_number_id: i64,
    pub(crate) contact_id: i64,
    pub(crate) status: String,
    pub(crate) assignee_id: Option<i64>,
    pub(crate) last_message_at: Millis,
    pub(crate) last_inbound_at: Option<Millis>,
    pub(crate) unread_count: i32,
    pub(crate) last_message_id: Option<i64>,
    pub(crate) created_at: Millis,
    pub(crate) updated_at: Millis,
}

impl ConversationRow {
    pub(crate) fn into_domain(self) -> Result<Conversation, Fail> {
        Ok(Conversation {
            id: ConversationId(self.id),
            business_number_id: BusinessNumberId(self.business_number_id),
            contact_id: ContactId(self.contact_id),
            status: self
                .status
                .parse()
                .map_err(|e| corrupt("conversation", self.id, e))?,
            assignee_id: self.assignee_id.map(UserId),
            last_message_at: from_millis(self.last_message_at),
            last_inbound_at: self.last_inbound_at.map(from_millis),
            unread_count: u32::try_from(self.unread_count).unwrap_or(0),
            created_at: from_millis(self.created_at),
            updated_at: from_millis(self.updated_at),
        })
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = messages)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub(crate) struct MessageRow {
    id: i64,
    conversation_id: i64,
    direction: String,
    kind: String,
    body: Option<String>,
    payload: JsonText,
    wamid: Option<String>,
    sender_user_id: Option<i64>,
    sent_at: Millis,
    status: String,
    accepted_at: Option<Millis>,
    sent_status_at: Option<Millis>,
    delivered_at: Option<Millis>,
    read_at: Option<Millis>,
    failed_at: Option<Millis>,
    error_code: Option<i64>,
    error_title: Option<String>,
    error_details: Option<String>,
    reply_to_wamid: Option<String>,
    media_mime: Option<String>,
    media_state: Option<String>,
    media_key: Option<String>,
    media_size: Option<i64>,
    created_at: Millis,
}

impl MessageRow {
    pub(crate) fn id(&self) -> i64 {
        self.id
    }

    pub(crate) fn into_domain(self) -> Result<Message, Fail> {
        Ok(Message {
            id: MessageId(self.id),
            conversation_id: ConversationId(self.conversation_id),
            direction: self
                .direction
                .parse()
                .map_err(|e| corrupt("message", self.id, e))?,
            kind: self.kind,
            text: self.body,
            payload: self.payload.0,
            wamid: self.wamid,
            sender_user_id: self.sender_user_id.map(UserId),
            sent_at: from_millis(self.sent_at),
            status: self
                .status
                .parse()
                .map_err(|e| corrupt("message", self.id, e))?,
            accepted_at: self.accepted_at.map(from_millis),
            sent_status_at: self.sent_status_at.map(from_millis),
            delivered_at: self.delivered_at.map(from_millis),
            read_at: self.read_at.map(from_millis),
            failed_at: self.failed_at.map(from_millis),
            error: self.error_code.map(|code| DeliveryError {
                code,
                title: self.error_title,
                details: self.error_details,
            }),
            reply_to: self.reply_to_wamid,
            media: self
                .media_state
                .map(|state| {
                    Ok::<_, Fail>(MediaAttachment {
                        state: state.parse().map_err(|e| corrupt("message", self.id, e))?,
                        mime_type: self.media_mime,
                        size: self.media_size.and_then(|n| u64::try_from(n).ok()),
                        key: self.media_key,
                    })
                })
                .transpose()?,
            created_at: from_millis(self.created_at),
        })
    }

    pub(crate) fn preview(self) -> Result<MessagePreview, Fail> {
        let message = self.into_domain()?;
        Ok(MessagePreview {
            id: message.id,
            direction: message.direction,
            kind: message.kind,
            text: message.text,
            status: message.status,
            sent_at: message.sent_at,
        })
    }
}
