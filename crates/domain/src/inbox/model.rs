//! The inbox query: which conversations to list, and where a page starts.

use crate::Timestamp;
use crate::conversation::model::{ConversationId, ConversationStatus};
use crate::numbers::model::BusinessNumberId;
use crate::users::model::UserId;

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
