//! Reading a `multipart/form-data` upload: one `file` part (with its filename and
//! Content-Type) and, where the route takes one, a `caption`.
//!
//! The file's kind follows from its Content-Type, which is checked before a byte of it is read;
//! the bytes are then read no further than the kind's limit (413 at the first byte over) and
//! hashed as they arrive. Nothing is stored here: the domain checks the whole file again and
//! stores it only if every rule holds.

use actix_multipart::{Field, Multipart, MultipartError};
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::{HttpRequest, web};
use futures_util::StreamExt as _;
use sha2::{Digest, Sha256};
use switchboard_domain::media::attachment::Upload;
use switchboard_domain::media::model::{
    MAX_CAPTION_CHARS, MAX_MEDIA_BYTES, MediaKind, MediaRejection,
};
use switchboard_domain::outbound::service::OutboundError;
use switchboard_domain::validation::FieldError;

use crate::error::{ApiError, ErrorCode, FieldDetail};

/// The most a multipart request may carry in all: the largest file any kind allows plus room
/// for a caption and the form's own framing. JSON bodies keep their own, smaller limit.
pub(crate) const MULTIPART_BODY_LIMIT: u64 = MAX_MEDIA_BYTES + 64 * 1024;

/// A caption's bytes: its characters may take up to four bytes each.
const CAPTION_BYTES: usize = MAX_CAPTION_CHARS * 4;

/// What an upload form carried.
#[derive(Debug)]
pub(crate) struct MediaForm {
    pub(crate) upload: Upload,
    pub(crate) caption: Option<String>,
}

/// Whether the request says it carries a multipart form.
pub(crate) fn is_multipart(req: &HttpRequest) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("multipart/form-data"))
}

fn not_a_form(error: &MultipartError) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidMultipart,
        format!("the body is not a readable multipart/form-data form: {error}"),
    )
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PayloadTooLarge,
        format!("a multipart request may carry at most {MULTIPART_BODY_LIMIT} bytes"),
    )
}

fn invalid(field: &'static str, message: impl Into<String>) -> ApiError {
    vec![FieldError::new(field, message)].into()
}

/// Reads the form; `with_caption` says whether a `caption` part is allowed.
///
/// # Errors
/// 415 `unsupported_media_type` when the body is not `multipart/form-data`; 400
/// `invalid_multipart` when it cannot be parsed; 413 `payload_too_large` for a file over its
/// kind's limit (or a request over [`MULTIPART_BODY_LIMIT`]); 422 `unsupported_file_type` for a
/// file type WhatsApp does not take, `empty_file`, or `validation_failed` for a missing,
/// repeated or unknown part.
pub(crate) async fn read_media_form(
    req: &HttpRequest,
    payload: web::Payload,
    with_caption: bool,
) -> Result<MediaForm, ApiError> {
    if !is_multipart(req) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "send the file as multipart/form-data with a part named file",
        ));
    }
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MULTIPART_BODY_LIMIT) {
        return Err(too_large());
    }
    let mut form = Multipart::new(req.headers(), payload);
    let (mut upload, mut caption) = (None, None);
    let mut total: u64 = 0;
    while let Some(field) = form.next().await {
        let field = field.map_err(|e| not_a_form(&e))?;
        match field.name().unwrap_or_default() {
            "file" if upload.is_some() => return Err(invalid("file", "must be sent once")),
            "file" => upload = Some(read_file(field, &mut total).await?),
            "caption" if with_caption && caption.is_some() => {
                return Err(invalid("caption", "must be sent once"));
            }
            "caption" if with_caption => caption = Some(read_caption(field, &mut total).await?),
            other => {
                let known = if with_caption {
                    "file and caption"
                } else {
                    "file"
                };
                return Err(ApiError::validation(vec![FieldDetail {
                    field: if other.is_empty() { "body" } else { other }.to_owned(),
                    message: format!("is not a part this form takes (only {known})"),
                }]));
            }
        }
    }
    let upload = upload.ok_or_else(|| {
        invalid(
            "file",
            "is required: a part named file with the file's filename and Content-Type",
        )
    })?;
    Ok(MediaForm { upload, caption })
}

/// Counts bytes read across the form against [`MULTIPART_BODY_LIMIT`].
fn count(total: &mut u64, chunk: &[u8]) -> Result<(), ApiError> {
    *total += chunk.len() as u64;
    if *total > MULTIPART_BODY_LIMIT {
        Err(too_large())
    } else {
        Ok(())
    }
}

/// The file part: its type checked before any byte is read, its bytes read no further than
/// its kind's limit and hashed on the way.
async fn read_file(mut field: Field, total: &mut u64) -> Result<Upload, ApiError> {
    let mime_type = field
        .content_type()
        .map(|mime| mime.essence_str().to_owned())
        .unwrap_or_else(|| "(none given)".to_owned());
    let kind = MediaKind::of_mime(&mime_type).ok_or_else(|| {
        rejected(MediaRejection::UnsupportedType {
            mime_type: mime_type.clone(),
        })
    })?;
    let filename = field
        .content_disposition()
        .and_then(|cd| cd.get_filename())
        .map(str::to_owned);
    let limit = kind.max_bytes();
    let mut bytes = Vec::new();
    let mut hasher = Sha256::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|e| not_a_form(&e))?;
        count(total, &chunk)?;
        if (bytes.len() + chunk.len()) as u64 > limit {
            return Err(rejected(MediaRejection::TooLarge { kind }));
        }
        hasher.update(&chunk);
        bytes.extend_from_slice(&chunk);
    }
    Ok(Upload {
        filename,
        mime_type,
        bytes,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// The caption part, as UTF-8 text; its length in characters is the domain's rule, this only
/// bounds the bytes read.
async fn read_caption(mut field: Field, total: &mut u64) -> Result<String, ApiError> {
    let mut text = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|e| not_a_form(&e))?;
        count(total, &chunk)?;
        if text.len() + chunk.len() > CAPTION_BYTES {
            return Err(invalid(
                "caption",
                format!("must be at most {MAX_CAPTION_CHARS} characters"),
            ));
        }
        text.extend_from_slice(&chunk);
    }
    String::from_utf8(text).map_err(|_| invalid("caption", "must be UTF-8 text"))
}

fn rejected(rejection: MediaRejection) -> ApiError {
    OutboundError::MediaRejected(rejection).into()
}
