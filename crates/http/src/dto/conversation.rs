//! A conversation and its inbox page.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchboard_domain::conversation::model::{
    ConversationStatus, ConversationView, MessagePreview,
};
use utoipa::ToSchema;

use super::contact::ContactDto;
use super::message::{DirectionDto, MessageStatusDto};
use super::message_kind::MessageKindDto;

/// `open`: needs an answer; `pending`: waiting on the customer or a third party; `resolved`:
/// done (a new customer message reopens it).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ConversationStatusDto {
    Open,
    Pending,
    Resolved,
}

impl From<ConversationStatus> for ConversationStatusDto {
    fn from(s: ConversationStatus) -> Self {
        match s {
            ConversationStatus::Open => Self::Open,
            ConversationStatus::Pending => Self::Pending,
            ConversationStatus::Resolved => Self::Resolved,
        }
    }
}

impl From<ConversationStatusDto> for ConversationStatus {
    fn from(s: ConversationStatusDto) -> Self {
        match s {
            ConversationStatusDto::Open => Self::Open,
            ConversationStatusDto::Pending => Self::Pending,
            ConversationStatusDto::Resolved => Self::Resolved,
        }
    }
}

/// The newest message, for the inbox.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MessagePreviewDto {
    pub id: i64,
    pub direction: DirectionDto,
    #[serde(rename = "type")]
    pub kind: MessageKindDto,
    pub text: Option<String>,
    pub status: MessageStatusDto,
    pub timestamp: DateTime<Utc>,
}

impl From<MessagePreview> for MessagePreviewDto {
    fn from(m: MessagePreview) -> Self {
        Self {
            id: m.id.0,
            direction: m.direction.into(),
            kind: MessageKindDto::from_stored(&m.kind),
            text: m.text,
            status: m.status.into(),
            timestamp: m.sent_at,
        }
    }
}

/// A conversation between one business number and one customer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConversationDto {
    pub id: i64,
    pub business_number_id: i64,
    pub contact: ContactDto,
    pub status: ConversationStatusDto,
    pub assignee_id: Option<i64>,
    /// Customer messages since an agent last marked the conversation read.
    pub unread_count: u32,
    pub last_message_at: DateTime<Utc>,
    /// Meta's time of the customer's newest message.
    pub last_inbound_at: Option<DateTime<Utc>>,
    /// Until when free-form replies are allowed (`last_inbound_at` + 24 h); afterwards only
    /// templates. `null` if the customer never wrote.
    pub window_expires_at: Option<DateTime<Utc>>,
    pub last_message: Option<MessagePreviewDto>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ConversationView> for ConversationDto {
    fn from(v: ConversationView) -> Self {
        let c = v.conversation;
        Self {
            id: c.id.0,
            business_number_id: c.business_number_id.0,
            window_expires_at: c.window_expires_at(),
            contact: v.contact.into(),
            status: c.status.into(),
            assignee_id: c.assignee_id.map(|u| u.0),
            unread_count: c.unread_count,
            last_message_at: c.last_message_at,
            last_inbound_at: c.last_inbound_at,
            last_message: v.last_message.map(Into::into),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConversationPage {
    pub items: Vec<ConversationDto>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}
