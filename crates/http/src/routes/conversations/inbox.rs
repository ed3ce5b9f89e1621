//! The inbox and one conversation: listing, reading, changing status and assignee, marking read.

use actix_web::{get, patch, post, web};
use serde::Deserialize;
use switchboard_domain::conversation::model::{ConversationChanges, ConversationId};
use switchboard_domain::inbox::model::InboxCursor;
use switchboard_domain::inbox::service::{AssigneeParam, InboxRequest};
use switchboard_domain::numbers::model::BusinessNumberId;
use switchboard_domain::users::model::UserId;
use switchboard_domain::validation::FieldError;
use utoipa::{IntoParams, ToSchema};

use crate::caller::Caller;
use crate::dto::conversation::{ConversationDto, ConversationPage, ConversationStatusDto};
use crate::error::{ApiError, ErrorBody};
use crate::field_schemas;
use crate::json_body::JsonBody;
use crate::pagination::{cursor, page_size, parse_cursor};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct InboxParams {
    business_number_id: Option<i64>,
    status: Option<ConversationStatusDto>,
    #[param(schema_with = field_schemas::assignee)]
    assignee: Option<String>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    #[param(schema_with = field_schemas::cursor)]
    cursor: Option<String>,
}

/// Absent fields are left unchanged; `"assignee_id": null` unassigns.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateConversationRequest {
    status: Option<ConversationStatusDto>,
    #[serde(default, deserialize_with = "crate::validation::present")]
    #[schema(value_type = Option<i64>, nullable)]
    assignee_id: Option<Option<i64>>,
}

/// The inbox: conversations of the caller's numbers, newest activity first, in pages.
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(InboxParams),
    responses(
        (status = 200, description = "A page of conversations, most recent activity first", body = ConversationPage),
        (status = 400, description = "`invalid_cursor` or `invalid_query`", body = ErrorBody),
        (status = 404, description = "`not_found`: the business number does not exist or the caller is not a member", body = ErrorBody),
        (status = 422, description = "`validation_failed`: bad `limit` or `assignee`", body = ErrorBody),
    )
)]
#[get("/conversations")]
pub(crate) async fn list_conversations(
    caller: Caller,
    state: web::Data<AppState>,
    params: web::Query<InboxParams>,
) -> Result<web::Json<ConversationPage>, ApiError> {
    let params = params.into_inner();
    let limit = page_size(params.limit)?;
    let assignee = match params.assignee.as_deref() {
        None => AssigneeParam::Any,
        Some("me") => AssigneeParam::Me,
        Some("unassigned") => AssigneeParam::Unassigned,
        Some(id) => AssigneeParam::User(UserId(field_schemas::assignee_user_id(id).ok_or_else(
            || {
                ApiError::from(FieldError::new(
                    "assignee",
                    "must be me, unassigned or a user id",
                ))
            },
        )?)),
    };
    let after = params
        .cursor
        .as_deref()
        .map(parse_cursor)
        .transpose()?
        .map(|(at, id)| InboxCursor {
            last_message_at: at,
            id: ConversationId(id),
        });
    let request = InboxRequest {
        business_number_id: params.business_number_id.map(BusinessNumberId),
        status: params.status.map(Into::into),
        assignee,
        after,
        limit,
    };
    let views = state.inbox.list(&caller.actor(), &request).await?;
    let next_cursor = (views.len() == limit as usize)
        .then(|| {
            views
                .last()
                .map(|v| cursor(v.conversation.last_message_at, v.conversation.id.0))
        })
        .flatten();
    Ok(web::Json(ConversationPage {
        items: views.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// One conversation.
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Conversation id")),
    responses(
        (status = 200, description = "The conversation", body = ConversationDto),
        (status = 404, description = "`not_found`: no such conversation, or the caller is not a member of its number", body = ErrorBody),
    )
)]
#[get("/conversations/{id}")]
pub(crate) async fn get_conversation(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<web::Json<ConversationDto>, ApiError> {
    let view = state
        .conversations
        .get(&caller.actor(), ConversationId(*id))
        .await?;
    Ok(web::Json(view.into()))
}

/// Change a conversation's status and/or assignee.
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Conversation id")),
    request_body = UpdateConversationRequest,
    responses(
        (status = 200, description = "The conversation, updated", body = ConversationDto),
        (status = 403, description = "`forbidden`: viewers cannot change conversations", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`assignee_not_member`: the assignee is not a member of the number", body = ErrorBody),
    )
)]
#[patch("/conversations/{id}")]
pub(crate) async fn update_conversation(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: JsonBody<UpdateConversationRequest>,
) -> Result<web::Json<ConversationDto>, ApiError> {
    let changes = ConversationChanges {
        status: body.status.map(Into::into),
        assignee: body.assignee_id.map(|a| a.map(UserId)),
    };
    let view = state
        .conversations
        .update(&caller.actor(), ConversationId(*id), &changes)
        .await?;
    Ok(web::Json(view.into()))
}

/// Mark a conversation read: clears the unread count and sends WhatsApp's read receipt for the
/// newest customer message.
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Conversation id")),
    responses(
        (status = 200, description = "The conversation, read up to its latest message", body = ConversationDto),
        (status = 403, description = "`forbidden`: viewers cannot mark conversations read", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    )
)]
#[post("/conversations/{id}/read")]
pub(crate) async fn mark_read(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<web::Json<ConversationDto>, ApiError> {
    let view = state
        .conversations
        .mark_read(&caller.actor(), ConversationId(*id))
        .await?;
    Ok(web::Json(view.into()))
}
