//! Contacts (customers, one per WhatsApp id) and conversations (one thread per business number
//! and contact).

use std::fmt;
use std::str::FromStr;

use crate::Timestamp;
use crate::contacts::model::{Contact, ContactId};
use crate::message::window_expires_at;
use crate::numbers::model::BusinessNumberId;
use crate::users::model::UserId;

/// A conversation's numeric id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConversationId(pub i64);

impl fmt::Display for ConversationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where a conversation stands in the team's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConversationStatus {
    /// Needs an answer.
    Open,
    /// Waiting on the customer or a third party.
    Pending,
    /// Done; a new inbound message reopens it.
    Resolved,
}

impl ConversationStatus {
    pub const ALL: [ConversationStatus; 3] = [
        ConversationStatus::Open,
        ConversationStatus::Pending,
        ConversationStatus::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConversationStatus::Open => "open",
            ConversationStatus::Pending => "pending",
            ConversationStatus::Resolved => "resolved",
        }
    }

    /// The status after a customer writes: a resolved conversation reopens; an open or pending
    /// one keeps its status (pending means the team chose to wait; the message is news, which
    /// the unread count shows).
    pub fn after_inbound(self) -> ConversationStatus {
        match self {
            ConversationStatus::Resolved => ConversationStatus::Open,
            other => other,
        }
    }
}

/// The text did not name a conversation status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown conversation status {0:?}: expected open, pending or resolved")]
pub struct UnknownConversationStatus(pub String);

impl FromStr for ConversationStatus {
    type Err = UnknownConversationStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ConversationStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| UnknownConversationStatus(s.to_owned()))
    }
}

/// A thread between one business number and one contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub id: ConversationId,
    pub business_number_id: BusinessNumberId,
    pub contact_id: ContactId,
    pub status: ConversationStatus,
    pub assignee_id: Option<UserId>,
    /// Meta's timestamp of the newest message either way.
    pub last_message_at: Timestamp,
    /// Meta's timestamp of the customer's newest message; the window runs from it.
    pub last_inbound_at: Option<Timestamp>,
    /// Inbound messages since an agent last read the conversation.
    pub unread_count: u32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Conversation {
    /// When free-form replies stop being allowed (`None`: the customer never wrote).
    pub fn window_expires_at(&self) -> Option<Timestamp> {
        window_expires_at(self.last_inbound_at)
    }
}

/// The newest message of a conversation, for the inbox list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagePreview {
    pub id: crate::message::MessageId,
    pub direction: crate::message::Direction,
    pub kind: String,
    pub text: Option<String>,
    pub status: crate::message::MessageStatus,
    pub sent_at: Timestamp,
}

/// A conversation as the inbox shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationView {
    pub conversation: Conversation,
    pub contact: Contact,
    pub last_message: Option<MessagePreview>,
}

/// An agent's change to a conversation; `assignee: Some(None)` unassigns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConversationChanges {
    pub status: Option<ConversationStatus>,
    pub assignee: Option<Option<UserId>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inbound_message_reopens_only_a_resolved_conversation() {
        assert_eq!(
            ConversationStatus::Resolved.after_inbound(),
            ConversationStatus::Open
        );
        assert_eq!(
            ConversationStatus::Pending.after_inbound(),
            ConversationStatus::Pending
        );
        assert_eq!(
            ConversationStatus::Open.after_inbound(),
            ConversationStatus::Open
        );
    }

    #[test]
    fn conversation_statuses_round_trip_through_text() {
        for status in ConversationStatus::ALL {
            assert_eq!(
                status.as_str().parse::<ConversationStatus>().unwrap(),
                status
            );
        }
        assert!("closed".parse::<ConversationStatus>().is_err());
    }
}
