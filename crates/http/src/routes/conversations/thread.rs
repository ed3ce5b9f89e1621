//! A conversation's thread: its messages page by page, and a message's file.

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use switchboard_domain::conversation::model::ConversationId;
use switchboard_domain::conversation::ports::MessageCursor;
use switchboard_domain::media::service::MediaDownload;
use switchboard_domain::message::MessageId;
use utoipa::IntoParams;

use crate::caller::Caller;
use crate::dto::message::MessagePage;
use crate::error::{ApiError, ErrorBody};
use crate::field_schemas;
use crate::pagination::{cursor, page_size, parse_cursor};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ThreadParams {
    /// `next_cursor` of the previous page: older messages.
    #[param(schema_with = field_schemas::cursor)]
    before: Option<String>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// A page of the thread, oldest first; `before` pages back in time.
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Conversation id"), ThreadParams),
    responses(
        (status = 200, description = "A page of the thread's messages", body = MessagePage),
        (status = 400, description = "`invalid_cursor`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: bad `limit`", body = ErrorBody),
    )
)]
#[get("/conversations/{id}/messages")]
pub(crate) async fn list_messages(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    params: web::Query<ThreadParams>,
) -> Result<web::Json<MessagePage>, ApiError> {
    let limit = page_size(params.limit)?;
    let before = params
        .before
        .as_deref()
        .map(parse_cursor)
        .transpose()?
        .map(|(at, id)| MessageCursor {
            sent_at: at,
            id: MessageId(id),
        });
    let page = state
        .conversations
        .messages(&caller.actor(), ConversationId(*id), before, limit)
        .await?;
    let next_cursor = (page.len() == limit as usize)
        .then(|| page.first().map(|m| cursor(m.sent_at, m.id.0)))
        .flatten();
    Ok(web::Json(MessagePage {
        items: page.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// The file of an image, video, audio, document or sticker message, with its content type.
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Message id")),
    responses(
        (status = 200, description = "The file, with its own Content-Type (that of the file the customer sent, or of the attachment sent)", content_type = "*/*", body = Vec<u8>),
        (status = 404, description = "`not_found`: no such message, or the caller is not a member of its number; `no_media`: the message has no file", body = ErrorBody),
        (status = 409, description = "`media_not_ready`: still downloading from WhatsApp (retry later), or every download failed", body = ErrorBody),
    )
)]
#[get("/messages/{id}/media")]
pub(crate) async fn message_media(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let MediaDownload { bytes, mime_type } = state
        .media
        .download(&caller.actor(), MessageId(*id))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(mime_type)
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header(("cache-control", "private, max-age=3600"))
        .body(bytes))
}
