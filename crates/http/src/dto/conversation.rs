//! A conversation and its inbox page.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchboard_domain::conversation::model::{
    ConversationStatus, ConversationView, MessagePreview,
};
use utoipa::ToSchema;

use super::contact::ContactDto;
use super::message::{DirectionDto, MessageStatusDto};

/// `open`: needs an answer; `pending`: waiting on the customer or a third party; `resolved`:
/// done (a new customer message reopens it).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ConversationStatusDto {
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
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MessagePreviewDto {
    id: i64,
    direction: DirectionDto,
    #[serde(rename = "type")]
    #[schema(example = "text")]
    kind: String,
    text: Option<String>,
    status: MessageStatusDto,
    timestamp: DateTime<Utc>,
}

impl From<MessagePreview> for MessagePreviewDto {
    fn from(m: MessagePreview) -> Self {
        Self {
            id: m.id.0,
            direction: m.direction.into(),
            kind: m.kind,
            text: m.text,
            status: m.status.into(),
            timestamp: m.sent_at,
        }
    }
}

/// A conversation between one business number and one customer.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ConversationDto {
    id: i64,
    business_number_id: i64,
    contact: ContactDto,
    status: ConversationStatusDto,
    assignee_id: Option<i64>,
    /// Customer messages since an agent last marked the conversation read.
    unread_count: u32,
    last_message_at: DateTime<Utc>,
    /// Meta's time of the customer's newest message.
    last_inbound_at: Option<DateTime<Utc>>,
    /// Until when free-form replies are allowed (`last_inbound_at` + 24 h); afterwards only
    /// templates. `null` if the customer never wrote.
    window_expires_at: Option<DateTime<Utc>>,
    last_message: Option<MessagePreviewDto>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
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

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ConversationPage {
    pub(crate) items: Vec<ConversationDto>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub(crate) next_cursor: Option<String>,
}
