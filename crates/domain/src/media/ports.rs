//! Ports of files: the media store, customers' downloads, agents' attachments.
//!
//! Every store method is atomic: where one business step touches several records it is one
//! method, run by the adapter in one transaction.

use async_trait::async_trait;

use crate::Timestamp;
use crate::conversation::model::ConversationId;
use crate::error::RepoError;
use crate::media::attachment::{Attachment, AttachmentId, NewAttachment};
use crate::message::MessageId;
use crate::numbers::model::BusinessNumberId;

/// Where media files are kept, customers' downloads and agents' uploads alike (a directory
/// under the data directory by default).
#[async_trait]
pub trait MediaStore: Send + Sync {
    /// Stores `bytes` under `key`, durably, replacing any earlier content.
    ///
    /// # Errors
    /// [`RepoError::Unavailable`] when the storage cannot be written.
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), RepoError>;

    /// The bytes stored under `key`.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if nothing is stored there; [`RepoError::Unavailable`] on I/O
    /// failure.
    async fn get(&self, key: &str) -> Result<Vec<u8>, RepoError>;
}

/// A customer's file waiting to be downloaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMedia {
    pub message_id: MessageId,
    pub conversation_id: ConversationId,
    pub business_number_id: BusinessNumberId,
    pub media_id: String,
    pub attempts: u32,
}

/// The bookkeeping of media downloads.
#[async_trait]
pub trait MediaRepository: Send + Sync {
    /// Claims up to `limit` messages whose media is still to download and due at `now`, oldest
    /// first: each is not due again before `until`, so no other instance on the database takes
    /// it meanwhile, and if this one dies before recording an outcome
    /// ([`MediaRepository::media_stored`] or [`MediaRepository::media_retry`]), another takes
    /// it once `until` has passed. Returns only the messages this call won.
    ///
    /// # Errors
    /// Storage failures only; nothing is claimed then.
    async fn claim_pending_media(
        &self,
        now: Timestamp,
        until: Timestamp,
        limit: u32,
    ) -> Result<Vec<PendingMedia>, RepoError>;

    /// Records a stored download (key, type, size) and logs `message.updated`.
    ///
    /// # Errors
    /// Storage failures only.
    async fn media_stored(
        &self,
        message: MessageId,
        key: &str,
        mime_type: &str,
        size: u64,
        now: Timestamp,
    ) -> Result<(), RepoError>;

    /// Schedules another download attempt; `failed` gives up (logging `message.updated`). The
    /// message is kept either way.
    ///
    /// # Errors
    /// Storage failures only.
    async fn media_retry(
        &self,
        message: MessageId,
        attempts: u32,
        next_attempt_at: Timestamp,
        failed: bool,
        now: Timestamp,
    ) -> Result<(), RepoError>;
}

/// Agents' uploaded files (their descriptions; the bytes are in the [`MediaStore`] under
/// [`crate::media::attachment::attachment_key`]).
#[async_trait]
pub trait AttachmentRepository: Send + Sync {
    /// Stores a new attachment's description and returns it with its id.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if the owner does not exist; storage failures.
    async fn create_attachment(
        &self,
        new: &NewAttachment,
        now: Timestamp,
    ) -> Result<Attachment, RepoError>;

    /// One attachment, whoever owns it (the use case checks the owner).
    ///
    /// # Errors
    /// [`RepoError::NotFound`]; storage failures.
    async fn get_attachment(&self, id: AttachmentId) -> Result<Attachment, RepoError>;

    /// Forgets an attachment whose bytes could not be stored.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if there is none; storage failures.
    async fn delete_attachment(&self, id: AttachmentId) -> Result<(), RepoError>;
}
