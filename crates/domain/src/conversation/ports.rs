//! Ports of working one conversation.
//!
//! Every store method is atomic: where one business step touches several records it is one
//! method, run by the adapter in one transaction.

use async_trait::async_trait;

use crate::Timestamp;
use crate::conversation::model::{ConversationChanges, ConversationId, ConversationView};
use crate::error::RepoError;
use crate::message::{Message, MessageId};

/// Where a page of a thread ends: messages strictly older than this (`sent_at`, then id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageCursor {
    pub sent_at: Timestamp,
    pub id: MessageId,
}

/// Conversations and their messages, as agents work them.
#[async_trait]
pub trait ConversationRepository: Send + Sync {
    /// # Errors
    /// [`RepoError::NotFound`]; storage failures.
    async fn get_conversation(&self, id: ConversationId) -> Result<ConversationView, RepoError>;

    /// Applies the changes and logs `conversation.updated`, in one transaction.
    ///
    /// # Errors
    /// [`RepoError::NotFound`]; storage failures.
    async fn update_conversation(
        &self,
        id: ConversationId,
        changes: &ConversationChanges,
        now: Timestamp,
    ) -> Result<ConversationView, RepoError>;

    /// Clears the unread count (logging `conversation.updated` if it was not zero) and returns
    /// the WhatsApp id of the newest inbound message, for the read receipt.
    ///
    /// # Errors
    /// [`RepoError::NotFound`]; storage failures.
    async fn mark_read(
        &self,
        id: ConversationId,
        now: Timestamp,
    ) -> Result<Option<String>, RepoError>;

    /// Up to `limit` messages older than `before` (or the newest), oldest first, ordered by
    /// Meta's timestamp then arrival.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list_messages(
        &self,
        conversation: ConversationId,
        before: Option<MessageCursor>,
        limit: u32,
    ) -> Result<Vec<Message>, RepoError>;

    /// One message.
    ///
    /// # Errors
    /// [`RepoError::NotFound`]; storage failures.
    async fn get_message(&self, id: MessageId) -> Result<Message, RepoError>;
}
