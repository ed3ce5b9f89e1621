//! Agents' uploads: a file stored once, then sent in media messages by its id.

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchboard_domain::media::attachment::Attachment;
use switchboard_domain::media::model::MediaKind;
use utoipa::ToSchema;

use super::media_form::read_media_form;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// What WhatsApp makes of a file, by its MIME type: `image` (image/jpeg, image/png; 5 MB),
/// `video` (video/mp4, video/3gpp; 16 MB), `audio` (audio/aac, audio/amr, audio/mpeg,
/// audio/mp4, audio/ogg; 16 MB), `document` (text/plain, application/pdf, Word, Excel and
/// PowerPoint; 100 MB) or `sticker` (image/webp; 100 KB static, 500 KB animated).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MediaKindDto {
    Image,
    Video,
    Audio,
    Document,
    Sticker,
}

impl From<MediaKind> for MediaKindDto {
    fn from(kind: MediaKind) -> Self {
        match kind {
            MediaKind::Image => Self::Image,
            MediaKind::Video => Self::Video,
            MediaKind::Audio => Self::Audio,
            MediaKind::Document => Self::Document,
            MediaKind::Sticker => Self::Sticker,
        }
    }
}

/// A file the caller uploaded; only they can send it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AttachmentDto {
    pub id: i64,
    pub kind: MediaKindDto,
    #[schema(example = "image/jpeg")]
    pub mime_type: String,
    /// Bytes.
    pub size: u64,
    /// The file's name, without any directory part.
    #[schema(example = "photo.jpg")]
    pub filename: String,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

impl From<Attachment> for AttachmentDto {
    fn from(a: Attachment) -> Self {
        Self {
            id: a.id.0,
            kind: a.kind.into(),
            mime_type: a.mime_type,
            size: a.size,
            filename: a.filename,
            sha256: a.sha256,
            created_at: a.created_at,
        }
    }
}

/// A `multipart/form-data` upload of one file.
#[derive(ToSchema)]
#[allow(dead_code)] // Documents the form for OpenAPI; the handler reads it as a stream.
pub(crate) struct AttachmentForm {
    /// The file, with its filename and Content-Type (which decides its kind and limit).
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream", min_length = 1)]
    file: Vec<u8>,
}

/// Upload a file to send later.
///
/// Send it with `{"type":"media","media":{"attachment_id":…}}`; only you can. Meta's type and
/// size limits are checked before anything is stored, and an oversize file is refused as soon as
/// its first byte over the limit arrives.
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    request_body(content = AttachmentForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored", body = AttachmentDto),
        (status = 400, description = "`invalid_multipart`: the body is not a readable multipart form", body = ErrorBody),
        (status = 403, description = "`forbidden`: viewers cannot upload", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: the file is over its kind's limit (image 5 MB, video and audio 16 MB, document 100 MB, sticker 100 KB static / 500 KB animated); the message names it", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is not multipart/form-data", body = ErrorBody),
        (status = 422, description = "`unsupported_file_type`: WhatsApp does not take this Content-Type (the message lists those it takes); `empty_file`; `validation_failed`: no `file` part, or an unknown one", body = ErrorBody),
    )
)]
#[post("/attachments")]
pub(crate) async fn upload_attachment(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.actor();
    // Refuse viewers before reading what may be 100 MB.
    state.outbound.may_upload(&actor)?;
    let form = read_media_form(&req, payload, false).await?;
    let attachment = state
        .outbound
        .upload_attachment(&actor, form.upload)
        .await?;
    Ok(HttpResponse::Created().json(AttachmentDto::from(attachment)))
}
