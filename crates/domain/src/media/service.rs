//! Downloading a message's file, for callers who can see its conversation.

use std::sync::Arc;

use thiserror::Error;

use crate::authz::Actor;
use crate::authz::visibility::Visibility;
use crate::conversation::ports::ConversationRepository;
use crate::error::{OrNotFound as _, RepoError};
use crate::media::ports::MediaStore;
use crate::message::{MediaState, MessageId};

#[derive(Debug, Error, PartialEq, Eq)]
pub enum MediaError {
    /// No such message, or the caller may not see its conversation.
    #[error("not found")]
    NotFound,
    /// The message has no file.
    #[error("this message has no media")]
    NoMedia,
    /// The file is still being downloaded (or every download failed).
    #[error("the media is not available yet; it is {0}")]
    NotReady(&'static str),
    /// Includes a file missing from the media store for a message that says it is stored:
    /// that is our fault, not the client's.
    #[error(transparent)]
    Store(#[from] RepoError),
}

crate::authz::visibility::refusal_into!(MediaError, forbidden_is_hidden);

/// A message's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaDownload {
    pub bytes: Vec<u8>,
    pub mime_type: String,
}

/// Reading stored media.
#[derive(Clone)]
pub struct MediaAccess {
    conversations: Arc<dyn ConversationRepository>,
    media: Arc<dyn MediaStore>,
    visibility: Visibility,
}

impl std::fmt::Debug for MediaAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaAccess").finish_non_exhaustive()
    }
}

impl MediaAccess {
    pub fn new(
        conversations: Arc<dyn ConversationRepository>,
        media: Arc<dyn MediaStore>,
        visibility: Visibility,
    ) -> Self {
        Self {
            conversations,
            media,
            visibility,
        }
    }

    /// The file of a message in a conversation the caller can see, with its MIME type.
    ///
    /// # Errors
    /// [`MediaError::NotFound`] for a missing or hidden message; [`MediaError::NoMedia`];
    /// [`MediaError::NotReady`] while it is pending or after it failed; storage failures.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0, id = id.0))]
    pub async fn download(
        &self,
        actor: &Actor,
        id: MessageId,
    ) -> Result<MediaDownload, MediaError> {
        let message = self
            .conversations
            .get_message(id)
            .await
            .or_not_found(MediaError::NotFound)?;
        self.visibility
            .visible_conversation(actor, message.conversation_id)
            .await?;
        let media = message.media.ok_or(MediaError::NoMedia)?;
        match (media.state, media.key) {
            (MediaState::Stored, Some(key)) => {
                // A stored message's file missing from the store stays a store error (500).
                let bytes = self.media.get(&key).await?;
                let mime_type = media
                    .mime_type
                    .unwrap_or_else(|| "application/octet-stream".to_owned());
                Ok(MediaDownload { bytes, mime_type })
            }
            (state, _) => Err(MediaError::NotReady(state.as_str())),
        }
    }
}
