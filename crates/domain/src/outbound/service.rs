//! Agents' sends: queueing messages in a conversation and starting conversations; the
//! dispatcher sends what is queued. Media sends are in `attachments`.

use std::sync::Arc;

use thiserror::Error;

use crate::Timestamp;
use crate::authz::Actor;
use crate::authz::visibility::Visibility;
use crate::clock::Clock;
use crate::conversation::model::{ConversationId, ConversationView};
use crate::error::{OrNotFound as _, RepoError};
use crate::live::ports::ChangeSignal;
use crate::media::model::MediaRejection;
use crate::media::ports::{AttachmentRepository, MediaStore};
use crate::message::{Message, window_is_open};
use crate::numbers::model::BusinessNumberId;
use crate::outbound::model::{OutboundContent, Queued, Started};
use crate::outbound::ports::{NewOutbound, OutboundRepository, OutboxSignal};
use crate::validation::FieldError;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum OutboundError {
    /// No such conversation or number, or the caller may not see it.
    #[error("not found")]
    NotFound,
    /// The caller can see it but may not send (viewers).
    #[error("viewers cannot change conversations or send messages")]
    Forbidden,
    /// Free text more than 24 hours after the customer's last message; send a template.
    #[error("the 24-hour customer service window is closed; only templates can be sent")]
    OutsideWindow { expired_at: Option<Timestamp> },
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
    Store(#[from] RepoError),
}

crate::authz::visibility::refusal_into!(OutboundError);

/// The ports of sending.
#[derive(Clone)]
pub struct OutboundPorts {
    pub sends: Arc<dyn OutboundRepository>,
    pub attachments: Arc<dyn AttachmentRepository>,
    pub media: Arc<dyn MediaStore>,
    pub outbox: Arc<dyn OutboxSignal>,
    pub changes: Arc<dyn ChangeSignal>,
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for OutboundPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboundPorts").finish_non_exhaustive()
    }
}

/// Sending.
#[derive(Clone)]
pub struct Outbound {
    pub(super) ports: OutboundPorts,
    pub(super) visibility: Visibility,
}

impl std::fmt::Debug for Outbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbound").finish_non_exhaustive()
    }
}

impl Outbound {
    pub fn new(ports: OutboundPorts, visibility: Visibility) -> Self {
        Self { ports, visibility }
    }

    /// Queues an agent's message; the dispatcher sends it.
    ///
    /// # Errors
    /// [`OutboundError::NotFound`]; [`OutboundError::Forbidden`] for viewers;
    /// [`OutboundError::OutsideWindow`] for free text outside the 24-hour window; storage
    /// failures.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0, id = id.0))]
    pub async fn send(
        &self,
        actor: &Actor,
        id: ConversationId,
        content: OutboundContent,
        idempotency_key: Option<String>,
    ) -> Result<Queued, OutboundError> {
        let template = matches!(content, OutboundContent::Template { .. });
        let view = self.visibility.workable_conversation(actor, id).await?;
        if template || window_is_open(view.conversation.last_inbound_at, self.ports.clock.now()) {
            // Queueing answers a repeated key with its first message (the key is unique per
            // conversation), so only a send the window would refuse looks it up first.
            return self.queue(actor, id, content, idempotency_key).await;
        }
        match self.first_with_key(id, idempotency_key.as_deref()).await? {
            Some(message) => Ok(Queued {
                message,
                created: false,
            }),
            None => Err(outside_window(&view)),
        }
    }

    /// The checks every media send makes before anything is stored: the caller may work the
    /// conversation, an earlier request with the same idempotency key wins (returned as
    /// `Some`), and free-form messages need the 24-hour window.
    pub(super) async fn admit_send(
        &self,
        actor: &Actor,
        id: ConversationId,
        idempotency_key: Option<&str>,
        template: bool,
    ) -> Result<Option<Message>, OutboundError> {
        let view = self.visibility.workable_conversation(actor, id).await?;
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
    ) -> Result<Queued, OutboundError> {
        let new = NewOutbound {
            sender: actor.user_id,
            content,
            idempotency_key,
        };
        let queued = self
            .ports
            .sends
            .queue_message(id, &new, self.ports.clock.now())
            .await
            // The conversation the client named, gone since it was checked.
            .or_not_found(OutboundError::NotFound)?;
        if queued.created {
            self.announce_new_message();
        }
        Ok(queued)
    }

    /// Starts a business-initiated conversation (or continues the existing one) with a
    /// template message to `wa_id`.
    ///
    /// # Errors
    /// [`OutboundError::NotFound`] if the number is missing or not visible;
    /// [`OutboundError::Forbidden`] for viewers; [`OutboundError::TemplateRequired`]; storage
    /// failures.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0, number = number.0))]
    pub async fn start_conversation(
        &self,
        actor: &Actor,
        number: BusinessNumberId,
        wa_id: &str,
        content: OutboundContent,
        idempotency_key: Option<String>,
    ) -> Result<Started, OutboundError> {
        self.visibility.workable_number(actor, number).await?;
        if !matches!(content, OutboundContent::Template { .. }) {
            return Err(OutboundError::TemplateRequired);
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
            .await
            // The number the client named, removed since it was checked.
            .or_not_found(OutboundError::NotFound)?;
        if started.created {
            self.announce_new_message();
        }
        Ok(started)
    }

    /// A newly queued message: the dispatcher sends it, live subscribers see it.
    fn announce_new_message(&self) {
        self.ports.outbox.wake();
        self.ports.changes.changed();
    }
}

/// The refusal of free-form content to a conversation whose 24-hour window has closed.
fn outside_window(view: &ConversationView) -> OutboundError {
    OutboundError::OutsideWindow {
        expired_at: view.conversation.window_expires_at(),
    }
}
