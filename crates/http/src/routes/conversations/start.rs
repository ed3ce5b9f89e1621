//! Starting a business-initiated conversation with a template.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use switchboard_domain::numbers::model::{BusinessNumberId, E164};
use switchboard_domain::outbound::model::Started;
use utoipa::ToSchema;

use super::send::{TemplateBody, idempotency_key, queued_status, template_content};
use crate::caller::Caller;
use crate::dto::conversation::ConversationDto;
use crate::dto::message::MessageDto;
use crate::error::{ApiError, ErrorBody};
use crate::field_schemas;
use crate::json_body::JsonBody;
use crate::state::AppState;

/// A template to `to`, the customer's number, from a business number.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartConversationRequest {
    pub business_number_id: i64,
    #[schema(schema_with = field_schemas::phone)]
    pub to: String,
    pub template: TemplateBody,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StartedConversation {
    pub conversation: ConversationDto,
    pub message: MessageDto,
}

/// Start a business-initiated conversation with a template (or continue the existing one
/// with that customer).
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, nullable = false, min_length = 1, max_length = 255, pattern = r"^[!-~](?:[\t -~]{0,253}[!-~])?$", description = "Your unique key for this send: 1 to 255 visible ASCII characters (inner spaces and tabs allowed)")),
    request_body = StartConversationRequest,
    responses(
        (status = 202, description = "The template is queued", body = StartedConversation),
        (status = 200, description = "An earlier request with this Idempotency-Key", body = StartedConversation),
        (status = 403, description = "`forbidden`: viewers cannot send", body = ErrorBody),
        (status = 404, description = "`not_found`: no such business number, or the caller is not a member", body = ErrorBody),
        (status = 422, description = "`validation_failed`: a field is missing, of the wrong type, unknown or invalid, or `template.components` holds a NUL character (U+0000) anywhere in it; `details` names each", body = ErrorBody),
    )
)]
#[post("/conversations")]
pub(crate) async fn start_conversation(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<StartConversationRequest>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req)?;
    let body = body.into_inner();
    let to = E164::parse("to", &body.to).map_err(ApiError::from)?;
    let content = template_content(body.template)?;
    let wa_id = to.as_str().trim_start_matches('+').to_owned();
    let Started {
        conversation: view,
        message,
        created,
    } = state
        .outbound
        .start_conversation(
            &caller.actor(),
            BusinessNumberId(body.business_number_id),
            &wa_id,
            content,
            key,
        )
        .await?;
    let status = queued_status(created);
    Ok(HttpResponse::build(status).json(StartedConversation {
        conversation: view.into(),
        message: message.into(),
    }))
}
