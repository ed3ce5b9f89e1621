//! Agents' files: uploaded once, then sent in media messages. An attachment belongs to its
//! uploader; nobody else can send it.

use std::fmt;

use crate::Timestamp;
use crate::media::model::MediaKind;
use crate::users::model::UserId;

/// An attachment's numeric id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttachmentId(pub i64);

impl fmt::Display for AttachmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A stored file an agent uploaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: AttachmentId,
    /// The uploader, the only one who may send it.
    pub owner: UserId,
    pub kind: MediaKind,
    pub mime_type: String,
    /// Bytes.
    pub size: u64,
    pub filename: String,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    pub created_at: Timestamp,
}

impl Attachment {
    /// Where the media store keeps the bytes.
    pub fn key(&self) -> String {
        attachment_key(self.id)
    }
}

/// Where the media store keeps an attachment's bytes: one key per attachment, so two uploads
/// never write the same file.
pub fn attachment_key(id: AttachmentId) -> String {
    format!("attachments/{}", id.0)
}

/// An attachment's description, ready to store (the bytes go to the media store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    pub owner: UserId,
    pub kind: MediaKind,
    pub mime_type: String,
    pub size: u64,
    pub filename: String,
    pub sha256: String,
}

/// A file as the client sent it; the HTTP adapter reads it (stopping at
/// [`MediaKind::max_bytes`]) and hashes it while reading.
#[derive(Clone, PartialEq, Eq)]
pub struct Upload {
    /// The client's file name, if it gave one.
    pub filename: Option<String>,
    /// The Content-Type the client gave the file.
    pub mime_type: String,
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`, lowercase hex.
    pub sha256: String,
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upload")
            .field("filename", &self.filename)
            .field("mime_type", &self.mime_type)
            .field("size", &self.bytes.len())
            .field("sha256", &self.sha256)
            .finish()
    }
}
