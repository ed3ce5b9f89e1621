//! Agents' files: uploading attachments and sending them as media messages.
//!
//! Every rule is checked before anything is stored: who may upload, the 24-hour window, Meta's
//! type and size limits, the caption rules. Only then are the bytes written to the media store
//! and the message queued; the dispatcher uploads the file to WhatsApp when it sends.

use crate::authz::Actor;
use crate::conversation::model::ConversationId;
use crate::error::RepoError;
use crate::media::attachment::{Attachment, AttachmentId, NewAttachment, Upload};
use crate::media::model::{self as media, MediaKind};
use crate::outbound::model::OutboundContent;
use crate::users::model::Role;

use super::model::Queued;
use super::service::{Outbound, OutboundError};

impl Outbound {
    /// Whether the caller may upload files at all: agents and admins, not viewers. Cheap and
    /// storage-free, so an adapter can ask before it reads a large body.
    ///
    /// # Errors
    /// [`OutboundError::Forbidden`] for viewers.
    pub fn may_upload(&self, actor: &Actor) -> Result<(), OutboundError> {
        if actor.role == Role::Viewer {
            Err(OutboundError::Forbidden)
        } else {
            Ok(())
        }
    }

    /// Whether the caller may send in the conversation, before an adapter reads a large body:
    /// the same visibility and role checks as [`Outbound::send`].
    ///
    /// # Errors
    /// [`OutboundError::NotFound`]; [`OutboundError::Forbidden`] for viewers.
    pub async fn may_send(&self, actor: &Actor, id: ConversationId) -> Result<(), OutboundError> {
        self.visibility
            .workable_conversation(actor, id)
            .await
            .map(drop)
            .map_err(Into::into)
    }

    /// Checks a file against Meta's limits, then stores its bytes and its description; the
    /// attachment belongs to the caller.
    ///
    /// # Errors
    /// [`OutboundError::Forbidden`] for viewers; [`OutboundError::MediaRejected`] for a file
    /// WhatsApp would refuse (nothing is stored); storage failures.
    pub async fn upload_attachment(
        &self,
        actor: &Actor,
        upload: Upload,
    ) -> Result<Attachment, OutboundError> {
        self.may_upload(actor)?;
        let kind = media::check_file(&upload.mime_type, &upload.bytes)
            .map_err(OutboundError::MediaRejected)?;
        self.store_attachment(actor, kind, upload).await
    }

    /// Queues a media message with one of the caller's attachments.
    ///
    /// # Errors
    /// As [`Outbound::send`] (404, 403, outside the window); [`OutboundError::AttachmentNotFound`]
    /// for a missing attachment or someone else's; [`OutboundError::Invalid`] for a caption
    /// the kind does not take or one over 1024 characters.
    pub async fn send_attachment(
        &self,
        actor: &Actor,
        id: ConversationId,
        attachment: AttachmentId,
        caption: Option<String>,
        idempotency_key: Option<String>,
    ) -> Result<Queued, OutboundError> {
        // What the request alone decides is checked before a repeat is answered with the first
        // message, so an invalid request is refused however its key was used.
        media::check_caption_length(caption.as_deref()).map_err(OutboundError::Invalid)?;
        if let Some(first) = self
            .admit_send(actor, id, idempotency_key.as_deref(), false)
            .await?
        {
            return Ok(Queued {
                message: first,
                created: false,
            });
        }
        let attachment = match self.ports.attachments.get_attachment(attachment).await {
            Ok(found) if found.owner == actor.user_id => found,
            // Someone else's file is as good as missing: its existence does not leak.
            Ok(_) | Err(RepoError::NotFound) => return Err(OutboundError::AttachmentNotFound),
            Err(other) => return Err(other.into()),
        };
        let caption =
            media::check_caption(attachment.kind, caption).map_err(OutboundError::Invalid)?;
        self.queue(actor, id, content(&attachment, caption), idempotency_key)
            .await
    }

    /// Stores an uploaded file as the caller's attachment and queues it as a media message,
    /// in one step; every check comes before anything is stored.
    ///
    /// # Errors
    /// As [`Outbound::send_attachment`], plus [`OutboundError::MediaRejected`] for a file
    /// WhatsApp would refuse.
    pub async fn send_upload(
        &self,
        actor: &Actor,
        id: ConversationId,
        upload: Upload,
        caption: Option<String>,
        idempotency_key: Option<String>,
    ) -> Result<Queued, OutboundError> {
        // As in `send_attachment`: the request's own checks come before a repeat is answered.
        let kind = media::check_file(&upload.mime_type, &upload.bytes)
            .map_err(OutboundError::MediaRejected)?;
        media::check_caption_length(caption.as_deref()).map_err(OutboundError::Invalid)?;
        if let Some(first) = self
            .admit_send(actor, id, idempotency_key.as_deref(), false)
            .await?
        {
            return Ok(Queued {
                message: first,
                created: false,
            });
        }
        let caption = media::check_caption(kind, caption).map_err(OutboundError::Invalid)?;
        let attachment = self.store_attachment(actor, kind, upload).await?;
        self.queue(actor, id, content(&attachment, caption), idempotency_key)
            .await
    }

    /// Writes the description, then the bytes under the attachment's own key; if the bytes
    /// cannot be written the description is removed again, so no attachment lacks its file.
    async fn store_attachment(
        &self,
        actor: &Actor,
        kind: MediaKind,
        upload: Upload,
    ) -> Result<Attachment, OutboundError> {
        let new = NewAttachment {
            owner: actor.user_id,
            kind,
            filename: media::clean_filename(upload.filename.as_deref(), kind),
            mime_type: upload.mime_type,
            size: upload.bytes.len() as u64,
            sha256: upload.sha256,
        };
        let attachment = self
            .ports
            .attachments
            .create_attachment(&new, self.ports.clock.now())
            .await?;
        if let Err(error) = self.ports.media.put(&attachment.key(), &upload.bytes).await {
            // Best effort: the write error is the one the caller is told; a row left behind
            // names a file that does not exist, and is logged.
            if let Err(cleanup) = self
                .ports
                .attachments
                .delete_attachment(attachment.id)
                .await
            {
                tracing::warn!(attachment = attachment.id.0, error = %cleanup, "an attachment whose file was not written is left behind");
            }
            return Err(error.into());
        }
        Ok(attachment)
    }
}

/// The outbound content of a media message with `attachment`.
fn content(attachment: &Attachment, caption: Option<String>) -> OutboundContent {
    OutboundContent::Media {
        kind: attachment.kind,
        mime_type: attachment.mime_type.clone(),
        key: attachment.key(),
        filename: attachment.filename.clone(),
        caption,
        size: attachment.size,
        sha256: attachment.sha256.clone(),
        media_id: None,
    }
}
