//! Contacts (customers, one per WhatsApp id) and conversations (one thread per business number
//! and contact).

use std::fmt;
use std::str::FromStr;

use crate::Timestamp;
use crate::business_number::BusinessNumberId;
use crate::message::window_expires_at;
use crate::user::UserId;

/// A contact's numeric id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContactId(pub i64);

/// A conversation's numeric id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConversationId(pub i64);

impl fmt::Display for ConversationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A customer as WhatsApp identifies them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: ContactId,
    /// WhatsApp's id for the customer (digits of their number, no `+`).
    pub wa_id: String,
    /// E.164 form of the customer's number.
    pub phone: String,
    /// The name the customer set in WhatsApp, as last seen on a webhook.
    pub profile_name: Option<String>,
    /// The name agents gave the contact; shown instead of the profile name when set.
    pub display_name: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
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

/// Whose conversations to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    Any,
    Unassigned,
    User(UserId),
}

/// Where an inbox page starts: after the conversation with this `last_message_at` and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxCursor {
    pub last_message_at: Timestamp,
    pub id: ConversationId,
}

/// An inbox query, newest activity first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationQuery {
    /// The numbers to look in (already narrowed to what the caller may see).
    pub numbers: Vec<BusinessNumberId>,
    pub status: Option<ConversationStatus>,
    pub assignee: AssigneeFilter,
    pub after: Option<InboxCursor>,
    pub limit: u32,
}

/// An agent's change to a conversation; `assignee: Some(None)` unassigns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConversationChanges {
    pub status: Option<ConversationStatus>,
    pub assignee: Option<Option<UserId>>,
}

/// The dashboard's figures for one business number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub conversations: u64,
    pub open: u64,
    pub pending: u64,
    pub resolved: u64,
    pub messages_sent: u64,
    pub messages_received: u64,
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
