//! Working one conversation: reading it and its thread, changing status and assignee, marking
//! it read.

use std::sync::Arc;

use thiserror::Error;

use crate::authz::Actor;
use crate::authz::visibility::Visibility;
use crate::clock::Clock;
use crate::conversation::model::{ConversationChanges, ConversationId, ConversationView};
use crate::conversation::ports::{ConversationRepository, MessageCursor};
use crate::error::{OrNotFound as _, RepoError};
use crate::live::ports::ChangeSignal;
use crate::message::Message;
use crate::numbers::ports::BusinessNumberRepository;
use crate::outbound::ports::WhatsAppGateway;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ConversationError {
    /// No such conversation, or the caller may not see it.
    #[error("not found")]
    NotFound,
    /// The caller can see it but may not change it (viewers).
    #[error("viewers cannot change conversations or send messages")]
    Forbidden,
    /// The new assignee is not a member of the conversation's business number.
    #[error("the assignee is not a member of this business number")]
    AssigneeNotMember,
    #[error(transparent)]
    Store(#[from] RepoError),
}

crate::authz::visibility::refusal_into!(ConversationError);

/// The ports of working a conversation.
#[derive(Clone)]
pub struct ConversationPorts {
    pub conversations: Arc<dyn ConversationRepository>,
    pub numbers: Arc<dyn BusinessNumberRepository>,
    pub gateway: Arc<dyn WhatsAppGateway>,
    pub changes: Arc<dyn ChangeSignal>,
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ConversationPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConversationPorts").finish_non_exhaustive()
    }
}

/// Working conversations.
#[derive(Clone)]
pub struct Conversations {
    ports: ConversationPorts,
    visibility: Visibility,
}

impl std::fmt::Debug for Conversations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conversations").finish_non_exhaustive()
    }
}

impl Conversations {
    pub fn new(ports: ConversationPorts, visibility: Visibility) -> Self {
        Self { ports, visibility }
    }

    /// # Errors
    /// [`ConversationError::NotFound`] if missing or not visible; storage failures.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0, id = id.0))]
    pub async fn get(
        &self,
        actor: &Actor,
        id: ConversationId,
    ) -> Result<ConversationView, ConversationError> {
        Ok(self.visibility.visible_conversation(actor, id).await?.0)
    }

    /// Changes status and/or assignee.
    ///
    /// # Errors
    /// [`ConversationError::NotFound`]; [`ConversationError::Forbidden`] for viewers;
    /// [`ConversationError::AssigneeNotMember`]; storage failures.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0, id = id.0))]
    pub async fn update(
        &self,
        actor: &Actor,
        id: ConversationId,
        changes: &ConversationChanges,
    ) -> Result<ConversationView, ConversationError> {
        let view = self.visibility.workable_conversation(actor, id).await?;
        if let Some(Some(assignee)) = changes.assignee
            && !self
                .ports
                .numbers
                .is_member(view.conversation.business_number_id, assignee)
                .await?
        {
            return Err(ConversationError::AssigneeNotMember);
        }
        if changes == &ConversationChanges::default() {
            return Ok(view);
        }
        let view = self
            .ports
            .conversations
            .update_conversation(id, changes, self.ports.clock.now())
            .await
            // The conversation the client named, gone since it was read.
            .or_not_found(ConversationError::NotFound)?;
        self.ports.changes.changed();
        Ok(view)
    }

    /// Clears the unread count and sends WhatsApp's read receipt for the newest inbound
    /// message. A failed receipt is logged, not an error: the agent has read the conversation
    /// either way.
    ///
    /// # Errors
    /// [`ConversationError::NotFound`]; [`ConversationError::Forbidden`] for viewers; storage
    /// failures (including a conversation whose own number is missing).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0, id = id.0))]
    pub async fn mark_read(
        &self,
        actor: &Actor,
        id: ConversationId,
    ) -> Result<ConversationView, ConversationError> {
        let view = self.visibility.workable_conversation(actor, id).await?;
        let newest = self
            .ports
            .conversations
            .mark_read(id, self.ports.clock.now())
            .await
            .or_not_found(ConversationError::NotFound)?;
        self.ports.changes.changed();
        if let Some(wamid) = newest {
            // The conversation's own number: its absence is a broken store, not a 404.
            let number = self
                .ports
                .numbers
                .get_number(view.conversation.business_number_id)
                .await?;
            // Best effort: the receipt only colours the customer's ticks, so its failure does
            // not fail the agent's request; it is logged.
            if let Err(error) = self
                .ports
                .gateway
                .mark_read(&number.phone_number_id, &wamid)
                .await
            {
                tracing::warn!(conversation = id.0, %error, "the read receipt was not sent");
            }
        }
        self.ports
            .conversations
            .get_conversation(id)
            .await
            .or_not_found(ConversationError::NotFound)
    }

    /// A page of the thread, oldest first, ending before `before`.
    ///
    /// # Errors
    /// [`ConversationError::NotFound`] if missing or not visible; storage failures.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0, id = id.0, limit))]
    pub async fn messages(
        &self,
        actor: &Actor,
        id: ConversationId,
        before: Option<MessageCursor>,
        limit: u32,
    ) -> Result<Vec<Message>, ConversationError> {
        self.visibility.visible_conversation(actor, id).await?;
        Ok(self
            .ports
            .conversations
            .list_messages(id, before, limit)
            .await?)
    }
}
