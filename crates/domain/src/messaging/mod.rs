//! Messaging use cases: what arrives from WhatsApp and what agents do with conversations.

mod outbound_media;

use std::sync::Arc;

use thiserror::Error;

use crate::Timestamp;
use crate::authz::visibility::{Refusal, Visibility};
use crate::authz::{Access, Actor};
use crate::clock::Clock;
use crate::conversation::model::{
    ConversationChanges, ConversationId, ConversationStatus, ConversationView,
};
use crate::conversation::ports::{ConversationRepository, MessageCursor};
use crate::error::RepoError;
use crate::inbox::model::{AssigneeFilter, ConversationQuery, InboxCursor};
use crate::inbox::ports::InboxRepository;
use crate::live::ports::ChangeSignal;
use crate::media::model::MediaRejection;
use crate::media::ports::{AttachmentRepository, MediaStore};
use crate::message::{MediaState, Message, MessageId, window_is_open};
use crate::numbers::model::BusinessNumberId;
use crate::numbers::ports::BusinessNumberRepository;
use crate::outbound::model::OutboundContent;
use crate::outbound::ports::OutboxSignal;
use crate::outbound::ports::{NewOutbound, OutboundRepository, WhatsAppGateway};
use crate::users::model::UserId;
use crate::validation::FieldError;

/// The ports messaging needs.
#[derive(Clone)]
pub struct MessagingPorts {
    pub conversations: Arc<dyn ConversationRepository>,
    pub inbox: Arc<dyn InboxRepository>,
    pub sends: Arc<dyn OutboundRepository>,
    pub numbers: Arc<dyn BusinessNumberRepository>,
    pub gateway: Arc<dyn WhatsAppGateway>,
    pub outbox: Arc<dyn OutboxSignal>,
    pub media: Arc<dyn MediaStore>,
    pub attachments: Arc<dyn AttachmentRepository>,
    pub changes: Arc<dyn ChangeSignal>,
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for MessagingPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessagingPorts").finish_non_exhaustive()
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum MessagingError {
    /// No such conversation or number, or the caller may not see it.
    #[error("not found")]
    NotFound,
    /// The caller can see it but may not change it (viewers).
    #[error("viewers cannot change conversations or send messages")]
    Forbidden,
    /// Free text more than 24 hours after the customer's last message; send a template.
    #[error("the 24-hour customer service window is closed; only templates can be sent")]
    OutsideWindow { expired_at: Option<Timestamp> },
    /// The new assignee is not a member of the conversation's business number.
    #[error("the assignee is not a member of this business number")]
    AssigneeNotMember,
    /// The message has no file.
    #[error("this message has no media")]
    NoMedia,
    /// The file is still being downloaded (or every download failed).
    #[error("the media is not available yet; it is {0}")]
    MediaNotReady(&'static str),
    /// A business-initiated conversation must start with a template.
    #[error("a new conversation must start with a template message")]
    TemplateRequired,
    /// A file WhatsApp would refuse (type, emptiness or size); nothing was stored.
    #[error(transparent)]
    MediaRejected(MediaRejection),
    /// No such attachment, or it is someone else's.
    #[error("no such attachment among yours")]
    AttachmentNotFound,
    /// A field the rules refuse (for example a caption on audio).
    #[error("{0}")]
    Invalid(FieldError),
    #[error(transparent)]
    Store(RepoError),
}

impl From<Refusal> for MessagingError {
    fn from(e: Refusal) -> Self {
        match e {
            Refusal::NotFound => MessagingError::NotFound,
            Refusal::Forbidden => MessagingError::Forbidden,
            Refusal::Store(e) => MessagingError::Store(e),
        }
    }
}

impl From<RepoError> for MessagingError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => MessagingError::NotFound,
            other => MessagingError::Store(other),
        }
    }
}

/// The caller's own way of naming the assignee filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeParam {
    Any,
    Me,
    Unassigned,
    User(UserId),
}

/// An inbox request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxRequest {
    pub business_number_id: Option<BusinessNumberId>,
    pub status: Option<ConversationStatus>,
    pub assignee: AssigneeParam,
    pub after: Option<InboxCursor>,
    pub limit: u32,
}

/// Messaging use cases.
#[derive(Debug, Clone)]
pub struct Messaging {
    pub(super) ports: MessagingPorts,
    visibility: Visibility,
}

impl Messaging {
    pub fn new(ports: MessagingPorts) -> Self {
        let visibility = Visibility::new(ports.numbers.clone(), ports.conversations.clone());
        Self { ports, visibility }
    }

    /// The conversation if the caller may see it, with the caller's access.
    async fn visible(
        &self,
        actor: &Actor,
        id: ConversationId,
    ) -> Result<(ConversationView, Access), MessagingError> {
        Ok(self.visibility.visible_conversation(actor, id).await?)
    }

    pub(super) async fn workable(
        &self,
        actor: &Actor,
        id: ConversationId,
    ) -> Result<ConversationView, MessagingError> {
        Ok(self.visibility.workable_conversation(actor, id).await?)
    }

    /// The caller's inbox, newest activity first.
    ///
    /// # Errors
    /// [`MessagingError::NotFound`] if a requested business number is not visible.
    pub async fn inbox(
        &self,
        actor: &Actor,
        request: &InboxRequest,
    ) -> Result<Vec<ConversationView>, MessagingError> {
        let numbers = match request.business_number_id {
            Some(number) => {
                self.visibility.readable_number(actor, number).await?;
                vec![number]
            }
            None => self.visibility.visible_numbers(actor).await?,
        };
        let assignee = match request.assignee {
            AssigneeParam::Any => AssigneeFilter::Any,
            AssigneeParam::Me => AssigneeFilter::User(actor.user_id),
            AssigneeParam::Unassigned => AssigneeFilter::Unassigned,
            AssigneeParam::User(user) => AssigneeFilter::User(user),
        };
        let query = ConversationQuery {
            numbers,
            status: request.status,
            assignee,
            after: request.after,
            limit: request.limit,
        };
        Ok(self.ports.inbox.list_conversations(&query).await?)
    }

    /// # Errors
    /// [`MessagingError::NotFound`] if missing or not visible.
    pub async fn conversation(
        &self,
        actor: &Actor,
        id: ConversationId,
    ) -> Result<ConversationView, MessagingError> {
        Ok(self.visible(actor, id).await?.0)
    }

    /// Changes status and/or assignee.
    ///
    /// # Errors
    /// [`MessagingError::NotFound`]; [`MessagingError::Forbidden`] for viewers;
    /// [`MessagingError::AssigneeNotMember`].
    pub async fn update_conversation(
        &self,
        actor: &Actor,
        id: ConversationId,
        changes: &ConversationChanges,
    ) -> Result<ConversationView, MessagingError> {
        let view = self.workable(actor, id).await?;
        if let Some(Some(assignee)) = changes.assignee
            && !self
                .ports
                .numbers
                .is_member(view.conversation.business_number_id, assignee)
                .await?
        {
            return Err(MessagingError::AssigneeNotMember);
        }
        if changes == &ConversationChanges::default() {
            return Ok(view);
        }
        let view = self
            .ports
            .conversations
            .update_conversation(id, changes, self.ports.clock.now())
            .await?;
        self.ports.changes.changed();
        Ok(view)
    }

    /// Clears the unread count and sends WhatsApp's read receipt for the newest inbound
    /// message. A failed receipt is logged by the caller's infrastructure, not an error: the
    /// agent has read the conversation either way.
    ///
    /// # Errors
    /// [`MessagingError::NotFound`]; [`MessagingError::Forbidden`] for viewers.
    pub async fn mark_read(
        &self,
        actor: &Actor,
        id: ConversationId,
    ) -> Result<ConversationView, MessagingError> {
        let view = self.workable(actor, id).await?;
        let newest = self
            .ports
            .conversations
            .mark_read(id, self.ports.clock.now())
            .await?;
        self.ports.changes.changed();
        if let Some(wamid) = newest {
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
        Ok(self.ports.conversations.get_conversation(id).await?)
    }

    /// A page of the thread, oldest first, ending before `before`.
    ///
    /// # Errors
    /// [`MessagingError::NotFound`] if missing or not visible.
    pub async fn messages(
        &self,
        actor: &Actor,
        id: ConversationId,
        before: Option<MessageCursor>,
        limit: u32,
    ) -> Result<Vec<Message>, MessagingError> {
        self.visible(actor, id).await?;
        Ok(self
            .ports
            .conversations
            .list_messages(id, before, limit)
            .await?)
    }

    /// Queues an agent's message; the dispatcher sends it. Returns the message and whether it
    /// is new (`false`: the idempotency key named an earlier one, which is returned instead).
    ///
    /// # Errors
    /// [`MessagingError::NotFound`]; [`MessagingError::Forbidden`] for viewers;
    /// [`MessagingError::OutsideWindow`] for free text outside the 24-hour window.
    pub async fn send(
        &self,
        actor: &Actor,
        id: ConversationId,
        content: OutboundContent,
        idempotency_key: Option<String>,
    ) -> Result<(Message, bool), MessagingError> {
        let template = matches!(content, OutboundContent::Template { .. });
        let view = self.workable(actor, id).await?;
        if template || window_is_open(view.conversation.last_inbound_at, self.ports.clock.now()) {
            // Queueing answers a repeated key with its first message (the key is unique per
            // conversation), so only a send the window would refuse looks it up first.
            return self.queue(actor, id, content, idempotency_key).await;
        }
        match self.first_with_key(id, idempotency_key.as_deref()).await? {
            Some(first) => Ok((first, false)),
            None => Err(outside_window(&view)),
        }
    }

    /// The checks every send makes before anything is stored: the caller may work the
    /// conversation, an earlier request with the same idempotency key wins (returned as
    /// `Some`), and free-form messages need the 24-hour window.
    ///
    /// # Errors
    /// [`MessagingError::NotFound`]; [`MessagingError::Forbidden`] for viewers;
    /// [`MessagingError::OutsideWindow`] for free-form content outside the window.
    pub(super) async fn admit_send(
        &self,
        actor: &Actor,
        id: ConversationId,
        idempotency_key: Option<&str>,
        template: bool,
    ) -> Result<Option<Message>, MessagingError> {
        let view = self.workable(actor, id).await?;
        // A retried request gets its first answer, even if the window has closed since.
        if let Some(first) = self.first_with_key(id, idempotency_key).await? {
            return Ok(Some(first));
        }
        if !template && !window_is_open(view.conversation.last_inbound_at, self.ports.clock.now()) {
            return Err(outside_window(&view));
        }
        Ok(None)
    }

    /// The message an earlier request with this idempotency key queued, if any.
    async fn first_with_key(
        &self,
        id: ConversationId,
        idempotency_key: Option<&str>,
    ) -> Result<Option<Message>, RepoError> {
        match idempotency_key {
            Some(key) => self.ports.sends.find_by_idempotency_key(id, key).await,
            None => Ok(None),
        }
    }

    /// Stores an admitted message as `queued` and wakes the dispatcher.
    pub(super) async fn queue(
        &self,
        actor: &Actor,
        id: ConversationId,
        content: OutboundContent,
        idempotency_key: Option<String>,
    ) -> Result<(Message, bool), MessagingError> {
        let new = NewOutbound {
            sender: actor.user_id,
            content,
            idempotency_key,
        };
        let (message, created) = self
            .ports
            .sends
            .queue_message(id, &new, self.ports.clock.now())
            .await?;
        if created {
            self.ports.outbox.wake();
            self.ports.changes.changed();
        }
        Ok((message, created))
    }

    /// Starts a business-initiated conversation (or continues the existing one) with a
    /// template message to `wa_id`.
    ///
    /// # Errors
    /// [`MessagingError::NotFound`] if the number is missing or not visible;
    /// [`MessagingError::Forbidden`] for viewers; [`MessagingError::TemplateRequired`].
    pub async fn start_conversation(
        &self,
        actor: &Actor,
        number: BusinessNumberId,
        wa_id: &str,
        content: OutboundContent,
        idempotency_key: Option<String>,
    ) -> Result<(ConversationView, Message, bool), MessagingError> {
        self.visibility.workable_number(actor, number).await?;
        if !matches!(content, OutboundContent::Template { .. }) {
            return Err(MessagingError::TemplateRequired);
        }
        let new = NewOutbound {
            sender: actor.user_id,
            content,
            idempotency_key,
        };
        let started = self
            .ports
            .sends
            .start_conversation(number, wa_id, &new, self.ports.clock.now())
            .await?;
        if started.2 {
            self.ports.outbox.wake();
            self.ports.changes.changed();
        }
        Ok(started)
    }

    /// The file of a message in a conversation the caller can see, with its MIME type.
    ///
    /// # Errors
    /// [`MessagingError::NotFound`] for a missing or hidden message; [`MessagingError::NoMedia`];
    /// [`MessagingError::MediaNotReady`] while it is pending or after it failed.
    pub async fn media(
        &self,
        actor: &Actor,
        id: MessageId,
    ) -> Result<(Vec<u8>, String), MessagingError> {
        let message = self.ports.conversations.get_message(id).await?;
        self.visible(actor, message.conversation_id).await?;
        let media = message.media.ok_or(MessagingError::NoMedia)?;
        match (media.state, media.key) {
            (MediaState::Stored, Some(key)) => {
                let bytes = self.ports.media.get(&key).await?;
                let mime = media
                    .mime_type
                    .unwrap_or_else(|| "application/octet-stream".to_owned());
                Ok((bytes, mime))
            }
            (state, _) => Err(MessagingError::MediaNotReady(state.as_str())),
        }
    }
}

/// The refusal of free-form content to a conversation whose 24-hour window has closed.
fn outside_window(view: &ConversationView) -> MessagingError {
    MessagingError::OutsideWindow {
        expired_at: view.conversation.window_expires_at(),
    }
}
