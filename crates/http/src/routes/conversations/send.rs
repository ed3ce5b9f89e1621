//! Sending a message into a conversation: the request's forms (JSON or a file), and the
//! template and idempotency rules starting a conversation shares.

use actix_web::http::StatusCode;
use actix_web::{FromRequest as _, HttpRequest, HttpResponse, post, web};
use serde::Deserialize;
use switchboard_domain::conversation::model::ConversationId;
use switchboard_domain::media::attachment::AttachmentId;
use switchboard_domain::outbound::model::OutboundContent;
use switchboard_domain::outbound::model::Queued;
use utoipa::ToSchema;

use super::super::media_form::{is_multipart, read_media_form};
use crate::caller::Caller;
use crate::dto::message::MessageDto;
use crate::dto::template_component::TemplateComponent;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::field_schemas;
use crate::json_body::JsonBody;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TextBody {
    #[schema(schema_with = field_schemas::message_text)]
    body: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateLanguage {
    #[schema(schema_with = field_schemas::language_code)]
    code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateBody {
    #[schema(schema_with = field_schemas::template_name)]
    name: String,
    language: TemplateLanguage,
    /// The Cloud API's `components` (the values of the template's variables), passed through
    /// as given; a NUL character (U+0000) anywhere in them is refused (422).
    #[serde(default)]
    #[schema(value_type = Vec<TemplateComponent>)]
    components: Vec<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReactionBody {
    #[schema(schema_with = field_schemas::wamid)]
    message_id: String,
    #[schema(schema_with = field_schemas::emoji)]
    emoji: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MediaBody {
    /// One of your attachments (`POST /api/v1/attachments`).
    attachment_id: i64,
    #[schema(schema_with = field_schemas::caption_or_null)]
    caption: Option<String>,
}

/// What to send: free text, a reaction or a file (inside the 24-hour window only), or an
/// approved template.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(
    tag = "type",
    rename_all = "lowercase",
    deny_unknown_fields,
    try_from = "SendMessageFields"
)]
pub(crate) enum SendMessageRequest {
    Text {
        text: TextBody,
    },
    Reaction {
        reaction: ReactionBody,
    },
    Template {
        template: TemplateBody,
    },
    /// An attachment you uploaded, sent as the image, video, audio, document or sticker its
    /// type makes it.
    Media {
        media: MediaBody,
    },
}

/// The wire form of [`SendMessageRequest`], read as a plain struct: serde's internally tagged
/// enums buffer their input and read each variant from that buffer, where a struct also takes a
/// JSON array; a struct read through [`crate::json_body::JsonBody`] takes only objects, at every
/// depth.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SendMessageFields {
    #[serde(rename = "type")]
    kind: SendKind,
    text: Option<TextBody>,
    reaction: Option<ReactionBody>,
    template: Option<TemplateBody>,
    media: Option<MediaBody>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum SendKind {
    Text,
    Reaction,
    Template,
    Media,
}

impl TryFrom<SendMessageFields> for SendMessageRequest {
    type Error = String;

    /// The member named by `type` is required and no other may be present, as the schema's
    /// `oneOf` says; the messages read like serde's own, so the field lands in `details`.
    fn try_from(fields: SendMessageFields) -> Result<Self, String> {
        let SendMessageFields {
            kind,
            text,
            reaction,
            template,
            media,
        } = fields;
        let (name, expected) = match kind {
            SendKind::Text => ("text", text.is_some()),
            SendKind::Reaction => ("reaction", reaction.is_some()),
            SendKind::Template => ("template", template.is_some()),
            SendKind::Media => ("media", media.is_some()),
        };
        let present = [
            ("text", text.is_some()),
            ("reaction", reaction.is_some()),
            ("template", template.is_some()),
            ("media", media.is_some()),
        ];
        if let Some((other, _)) = present.iter().find(|(n, p)| *p && *n != name) {
            return Err(format!(
                "unknown field `{other}`, expected `type` or `{name}`"
            ));
        }
        if !expected {
            return Err(format!("missing field `{name}`"));
        }
        Ok(match (text, reaction, template, media) {
            (Some(text), ..) => Self::Text { text },
            (_, Some(reaction), ..) => Self::Reaction { reaction },
            (_, _, Some(template), _) => Self::Template { template },
            (.., Some(media)) => Self::Media { media },
            (None, None, None, None) => return Err(format!("missing field `{name}`")),
        })
    }
}

/// A file to send in one step (`multipart/form-data`): it is stored as your attachment and
/// queued as a media message.
#[derive(ToSchema)]
#[allow(dead_code)] // Documents the form for OpenAPI; the handler reads it as a stream.
pub(crate) struct SendMediaForm {
    /// The file, with its filename and Content-Type (which decides its kind and limit).
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream", min_length = 1)]
    file: Vec<u8>,
    #[schema(schema_with = field_schemas::caption)]
    caption: Option<String>,
}

/// What a JSON send asks for.
enum Outgoing {
    Content(OutboundContent),
    Attachment {
        id: AttachmentId,
        caption: Option<String>,
    },
}

impl SendMessageRequest {
    fn into_send(self) -> Result<Outgoing, ApiError> {
        match self {
            // The attachment's owner and kind (and so the caption rules) are the domain's to check.
            SendMessageRequest::Media { media } => Ok(Outgoing::Attachment {
                id: AttachmentId(media.attachment_id),
                caption: media.caption,
            }),
            SendMessageRequest::Text { text } => {
                Ok(Outgoing::Content(OutboundContent::text(text.body)?))
            }
            SendMessageRequest::Reaction { reaction } => Ok(Outgoing::Content(
                OutboundContent::reaction(reaction.message_id, reaction.emoji)?,
            )),
            SendMessageRequest::Template { template } => {
                template_content(template).map(Outgoing::Content)
            }
        }
    }
}

/// An approved template's content, its name and language checked.
pub(super) fn template_content(template: TemplateBody) -> Result<OutboundContent, ApiError> {
    let components = serde_json::Value::Array(
        template
            .components
            .into_iter()
            .map(serde_json::Value::Object)
            .collect(),
    );
    Ok(OutboundContent::template(
        template.name,
        template.language.code,
        components.to_string(),
    )?)
}

/// 202 for a message queued by this request; 200 when an earlier request with the same
/// `Idempotency-Key` had queued it.
pub(super) fn queued_status(created: bool) -> StatusCode {
    if created {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    }
}

pub(super) fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 255);
    key.map(|k| Some(k.to_owned())).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidIdempotencyKey,
            "the Idempotency-Key header must be 1 to 255 visible ASCII characters",
        )
    })
}

/// Send a message: stored as `queued` and answered 202 at once; the dispatcher sends it and
/// its status moves on (`accepted`, `sent`, `delivered`, `read`, or `failed` with Meta's
/// reason). With an `Idempotency-Key`, repeating the request returns the first message (200)
/// and sends nothing again.
///
/// A file goes either as JSON naming one of your attachments
/// (`{"type":"media","media":{"attachment_id":…,"caption":…}}`) or as `multipart/form-data`
/// with the `file` itself and an optional `caption`, which stores it as your attachment and
/// queues it in one request. Meta's type and size limits are checked before anything is stored;
/// the dispatcher uploads the file to WhatsApp and sends it by its media id.
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Conversation id"),
        ("Idempotency-Key" = Option<String>, Header, nullable = false, min_length = 1, max_length = 255, pattern = r"^[!-~](?:[\t -~]{0,253}[!-~])?$", description = "Your unique key for this send: 1 to 255 visible ASCII characters (inner spaces and tabs allowed)"),
    ),
    request_body(content(
        (SendMessageRequest = "application/json"),
        (SendMediaForm = "multipart/form-data"),
    )),
    responses(
        (status = 202, description = "Queued", body = MessageDto),
        (status = 200, description = "An earlier request with this Idempotency-Key; nothing new was sent", body = MessageDto),
        (status = 400, description = "`invalid_idempotency_key`; `invalid_json`; `invalid_multipart`", body = ErrorBody),
        (status = 403, description = "`forbidden`: viewers cannot send", body = ErrorBody),
        (status = 404, description = "`not_found`; `attachment_not_found`: no such attachment among yours", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: a JSON body over 256 KiB, or a file over its kind's limit (image 5 MB, video and audio 16 MB, document 100 MB, sticker 100 KB static / 500 KB animated)", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: the body is neither application/json nor multipart/form-data", body = ErrorBody),
        (status = 422, description = "`outside_customer_service_window`: free text, a reaction or a file more than 24 h after the customer's last message (send a template); `unsupported_file_type` (the message lists the accepted types); `empty_file`; `validation_failed` (e.g. a caption over 1024 characters, or on audio or a sticker, or a NUL character (U+0000) anywhere in `template.components`)", body = ErrorBody),
    )
)]
#[post("/conversations/{id}/messages")]
pub(crate) async fn send_message(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    payload: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    let key = idempotency_key(&req)?;
    let actor = caller.actor();
    let conversation = ConversationId(*id);
    let Queued { message, created } = if is_multipart(&req) {
        // Not found and forbidden are answered before a large body is read.
        state
            .outbound
            .may_send(&actor, conversation)
            .await
            .map_err(ApiError::from)?;
        let form = read_media_form(&req, payload, true).await?;
        state
            .outbound
            .send_upload(&actor, conversation, form.upload, form.caption, key)
            .await
    } else {
        // The JSON extractor, with the app's JSON limit and error answers.
        let body =
            JsonBody::<SendMessageRequest>::from_request(&req, &mut payload.into_inner()).await?;
        match body.into_inner().into_send()? {
            Outgoing::Content(content) => {
                state
                    .outbound
                    .send(&actor, conversation, content, key)
                    .await
            }
            Outgoing::Attachment { id, caption } => {
                state
                    .outbound
                    .send_attachment(&actor, conversation, id, caption, key)
                    .await
            }
        }
    }
    .map_err(ApiError::from)?;
    let status = queued_status(created);
    Ok(HttpResponse::build(status).json(MessageDto::from(message)))
}
