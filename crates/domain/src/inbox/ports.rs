//! Ports of the inbox listing.
//!
//! Every store method is atomic: where one business step touches several records it is one
//! method, run by the adapter in one transaction.

use async_trait::async_trait;

use crate::conversation::model::ConversationView;
use crate::error::RepoError;
use crate::inbox::model::ConversationQuery;

/// The inbox: conversations listed as agents triage them.
#[async_trait]
pub trait InboxRepository: Send + Sync {
    /// A page of the inbox, newest `last_message_at` first, ties by id descending, starting
    /// after `query.after`.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list_conversations(
        &self,
        query: &ConversationQuery,
    ) -> Result<Vec<ConversationView>, RepoError>;
}
