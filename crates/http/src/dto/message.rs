//! A message, its delivery marks and file, and a page of a thread.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchboard_domain::message::{Direction, MediaState, Message, MessageStatus};
use utoipa::ToSchema;

use super::message_kind::MessageKindDto;
use super::message_payload::MessagePayload;

/// Who wrote a message: `inbound` (the customer) or `outbound` (an agent, or the business).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DirectionDto {
    Inbound,
    Outbound,
}

impl From<Direction> for DirectionDto {
    fn from(d: Direction) -> Self {
        match d {
            Direction::Inbound => Self::Inbound,
            Direction::Outbound => Self::Outbound,
        }
    }
}

/// Where a message stands: `received` (inbound); outbound ones move forward only, `queued`
/// (stored, waiting to be sent) < `accepted` (the Cloud API took it) < `sent` < `delivered` <
/// `read`, and may end `failed` (with `error`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MessageStatusDto {
    Received,
    Queued,
    Accepted,
    Sent,
    Delivered,
    Read,
    Failed,
}

impl From<MessageStatus> for MessageStatusDto {
    fn from(s: MessageStatus) -> Self {
        match s {
            MessageStatus::Received => Self::Received,
            MessageStatus::Queued => Self::Queued,
            MessageStatus::Accepted => Self::Accepted,
            MessageStatus::Sent => Self::Sent,
            MessageStatus::Delivered => Self::Delivered,
            MessageStatus::Read => Self::Read,
            MessageStatus::Failed => Self::Failed,
        }
    }
}

/// Where a message's file stands: `pending` (being downloaded), `stored` (served at `url`), or
/// `failed` (every download failed; the message is kept).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MediaStateDto {
    Pending,
    Stored,
    Failed,
}

impl From<MediaState> for MediaStateDto {
    fn from(s: MediaState) -> Self {
        match s {
            MediaState::Pending => Self::Pending,
            MediaState::Stored => Self::Stored,
            MediaState::Failed => Self::Failed,
        }
    }
}

/// Meta's reason for a failed message.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliveryErrorDto {
    #[schema(example = 131047)]
    pub code: i64,
    pub title: Option<String>,
    pub details: Option<String>,
}

/// When each status was reached (Meta's timestamps).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StatusTimesDto {
    pub accepted: Option<DateTime<Utc>>,
    pub sent: Option<DateTime<Utc>>,
    pub delivered: Option<DateTime<Utc>>,
    pub read: Option<DateTime<Utc>>,
    pub failed: Option<DateTime<Utc>>,
}

/// A message's file.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MediaDto {
    pub state: MediaStateDto,
    #[schema(example = "image/jpeg")]
    pub mime_type: Option<String>,
    /// Bytes, once stored.
    pub size: Option<u64>,
    /// Where to fetch it (with the bearer token) once stored.
    #[schema(example = "/api/v1/messages/42/media")]
    pub url: Option<String>,
}

/// A message in a conversation.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MessageDto {
    pub id: i64,
    pub conversation_id: i64,
    pub direction: DirectionDto,
    #[serde(rename = "type")]
    pub kind: MessageKindDto,
    /// Text, caption or reply title.
    pub text: Option<String>,
    /// Answered exactly as stored.
    #[schema(value_type = MessagePayload)]
    pub payload: serde_json::Value,
    /// WhatsApp's message id; `null` until the Cloud API accepts an outbound message.
    pub wamid: Option<String>,
    pub sender_user_id: Option<i64>,
    /// Meta's timestamp (inbound) or when it was sent (outbound); the thread's order.
    pub timestamp: DateTime<Utc>,
    pub status: MessageStatusDto,
    pub status_times: StatusTimesDto,
    pub error: Option<DeliveryErrorDto>,
    /// The WhatsApp id of the message this one replies to.
    pub reply_to: Option<String>,
    /// The attached file of an image, video, audio, document or sticker message.
    pub media: Option<MediaDto>,
    pub created_at: DateTime<Utc>,
}

impl From<Message> for MessageDto {
    fn from(m: Message) -> Self {
        Self {
            id: m.id.0,
            conversation_id: m.conversation_id.0,
            direction: m.direction.into(),
            kind: MessageKindDto::from_stored(&m.kind),
            text: m.text,
            payload: serde_json::from_str(&m.payload).unwrap_or(serde_json::Value::Null),
            wamid: m.wamid,
            sender_user_id: m.sender_user_id.map(|u| u.0),
            timestamp: m.sent_at,
            status: m.status.into(),
            status_times: StatusTimesDto {
                accepted: m.accepted_at,
                sent: m.sent_status_at,
                delivered: m.delivered_at,
                read: m.read_at,
                failed: m.failed_at,
            },
            error: m.error.map(|e| DeliveryErrorDto {
                code: e.code,
                title: e.title,
                details: e.details,
            }),
            reply_to: m.reply_to,
            media: m.media.map(|media| MediaDto {
                state: media.state.into(),
                url: (media.state == MediaState::Stored)
                    .then(|| format!("/api/v1/messages/{}/media", m.id.0)),
                mime_type: media.mime_type,
                size: media.size,
            }),
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MessagePage {
    /// Oldest first.
    pub items: Vec<MessageDto>,
    /// Pass as `before` for older messages; `null` when there are none.
    pub next_cursor: Option<String>,
}
