//! Business numbers (WhatsApp inboxes) and their members.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchboard_domain::numbers::model::{
    BusinessNumber, BusinessNumberChanges, BusinessNumberId, E164, InboxName, MetaId,
    NewBusinessNumber,
};
use switchboard_domain::numbers::service::MemberView;
use switchboard_domain::users::model::UserId;
use utoipa::ToSchema;

use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::field_schemas;
use crate::json_body::JsonBody;
use crate::routes::users::UserDto;
use crate::state::AppState;
use crate::validation::AllValid;

/// A WhatsApp number connected to Switchboard: one inbox.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BusinessNumberDto {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = "Support")]
    pub name: String,
    /// E.164.
    #[schema(example = "+15550100001")]
    pub display_phone_number: String,
    /// Meta's id of the number on the Cloud API; webhooks name it.
    #[schema(example = "106540352242922")]
    pub phone_number_id: String,
    /// Meta's WhatsApp Business Account id.
    #[schema(example = "102290129340398")]
    pub waba_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<BusinessNumber> for BusinessNumberDto {
    fn from(n: BusinessNumber) -> Self {
        Self {
            id: n.id.0,
            name: n.name,
            display_phone_number: n.display_phone_number,
            phone_number_id: n.phone_number_id,
            waba_id: n.waba_id,
            created_at: n.created_at,
            updated_at: n.updated_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BusinessNumberList {
    pub items: Vec<BusinessNumberDto>,
}

/// A number to connect: `phone_number_id` is Meta's id of it (WhatsApp Manager, API Setup),
/// `waba_id` that of its WhatsApp Business Account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBusinessNumberRequest {
    #[schema(schema_with = field_schemas::inbox_name)]
    pub name: String,
    #[schema(schema_with = field_schemas::phone)]
    pub display_phone_number: String,
    #[schema(schema_with = field_schemas::meta_id_value)]
    pub phone_number_id: String,
    #[schema(schema_with = field_schemas::meta_id_or_null)]
    pub waba_id: Option<String>,
}

/// Absent fields are left unchanged; `"waba_id": null` clears it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBusinessNumberRequest {
    #[schema(schema_with = field_schemas::inbox_name_or_null)]
    pub name: Option<String>,
    #[schema(schema_with = field_schemas::phone_or_null)]
    pub display_phone_number: Option<String>,
    #[schema(schema_with = field_schemas::meta_id_or_null)]
    pub phone_number_id: Option<String>,
    #[serde(default, deserialize_with = "crate::validation::present")]
    #[schema(schema_with = field_schemas::meta_id_or_null)]
    pub waba_id: Option<Option<String>>,
}

/// A member of a business number.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberDto {
    pub user: UserDto,
    /// When the user was made a member.
    pub added_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberList {
    pub items: Vec<MemberDto>,
}

impl From<MemberView> for MemberDto {
    fn from(m: MemberView) -> Self {
        Self {
            user: m.user.into(),
            added_at: m.membership.created_at,
        }
    }
}

/// List business numbers: all of them for admins, the caller's memberships for others.
#[utoipa::path(
    tag = "business-numbers",
    security(("bearer" = [])),
    responses((status = 200, description = "The business numbers the caller may see", body = BusinessNumberList))
)]
#[get("/business-numbers")]
pub(crate) async fn list_numbers(
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<web::Json<BusinessNumberList>, ApiError> {
    let numbers = state.numbers.list(&caller.actor()).await?;
    Ok(web::Json(BusinessNumberList {
        items: numbers.into_iter().map(Into::into).collect(),
    }))
}

/// Connect a business number (admins).
#[utoipa::path(
    tag = "business-numbers",
    security(("bearer" = [])),
    request_body = CreateBusinessNumberRequest,
    responses(
        (status = 201, description = "The business number, created", body = BusinessNumberDto),
        (status = 403, description = "`forbidden`: the caller is not an admin", body = ErrorBody),
        (status = 409, description = "`business_number_exists`: another number has this phone number or phone_number_id", body = ErrorBody),
    )
)]
#[post("/business-numbers")]
pub(crate) async fn create_number(
    caller: Caller,
    state: web::Data<AppState>,
    body: JsonBody<CreateBusinessNumberRequest>,
) -> Result<HttpResponse, ApiError> {
    let (name, display_phone_number, phone_number_id, waba_id) = (
        InboxName::parse(&body.name),
        E164::parse("display_phone_number", &body.display_phone_number),
        MetaId::parse("phone_number_id", &body.phone_number_id),
        body.waba_id
            .as_deref()
            .map(|w| MetaId::parse("waba_id", w))
            .transpose(),
    )
        .all_valid()?;
    let number = state
        .numbers
        .create(
            &caller.actor(),
            NewBusinessNumber {
                name,
                display_phone_number,
                phone_number_id,
                waba_id,
            },
        )
        .await?;
    Ok(HttpResponse::Created().json(BusinessNumberDto::from(number)))
}

/// Get a business number the caller can see.
#[utoipa::path(
    tag = "business-numbers",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Business number id")),
    responses(
        (status = 200, description = "The business number", body = BusinessNumberDto),
        (status = 404, description = "`not_found`: no such number, or the caller is not a member", body = ErrorBody),
    )
)]
#[get("/business-numbers/{id}")]
pub(crate) async fn get_number(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<web::Json<BusinessNumberDto>, ApiError> {
    let number = state
        .numbers
        .get(&caller.actor(), BusinessNumberId(*id))
        .await?;
    Ok(web::Json(number.into()))
}

/// Change a business number (admins).
#[utoipa::path(
    tag = "business-numbers",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Business number id")),
    request_body = UpdateBusinessNumberRequest,
    responses(
        (status = 200, description = "The business number, updated", body = BusinessNumberDto),
        (status = 403, description = "`forbidden`: the caller is a member but not an admin", body = ErrorBody),
        (status = 404, description = "`not_found`: no such number, or the caller is not a member", body = ErrorBody),
        (status = 409, description = "`business_number_exists`: another number has this phone number or phone_number_id", body = ErrorBody),
    )
)]
#[patch("/business-numbers/{id}")]
pub(crate) async fn update_number(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: JsonBody<UpdateBusinessNumberRequest>,
) -> Result<web::Json<BusinessNumberDto>, ApiError> {
    let body = body.into_inner();
    let (name, display_phone_number, phone_number_id, waba_id) = (
        body.name.as_deref().map(InboxName::parse).transpose(),
        body.display_phone_number
            .as_deref()
            .map(|p| E164::parse("display_phone_number", p))
            .transpose(),
        body.phone_number_id
            .as_deref()
            .map(|p| MetaId::parse("phone_number_id", p))
            .transpose(),
        body.waba_id
            .map(|w| {
                w.as_deref()
                    .map(|w| MetaId::parse("waba_id", w))
                    .transpose()
            })
            .transpose(),
    )
        .all_valid()?;
    let number = state
        .numbers
        .update(
            &caller.actor(),
            BusinessNumberId(*id),
            BusinessNumberChanges {
                name,
                display_phone_number,
                phone_number_id,
                waba_id,
            },
        )
        .await?;
    Ok(web::Json(number.into()))
}

/// The members of a business number (visible to its members and to admins).
#[utoipa::path(
    tag = "business-numbers",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Business number id")),
    responses(
        (status = 200, description = "The number's members", body = MemberList),
        (status = 404, description = "`not_found`: no such number, or the caller is not a member", body = ErrorBody),
    )
)]
#[get("/business-numbers/{id}/members")]
pub(crate) async fn list_members(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<web::Json<MemberList>, ApiError> {
    let members = state
        .numbers
        .members(&caller.actor(), BusinessNumberId(*id))
        .await?;
    Ok(web::Json(MemberList {
        items: members.into_iter().map(Into::into).collect(),
    }))
}

/// Make a user a member of a business number (admins). Idempotent.
#[utoipa::path(
    tag = "business-numbers",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Business number id"),
        ("user_id" = i64, Path, description = "User id"),
    ),
    responses(
        (status = 201, description = "The user is now a member"),
        (status = 204, description = "The user already was a member"),
        (status = 403, description = "`forbidden`: the caller is a member but not an admin", body = ErrorBody),
        (status = 404, description = "`not_found`: no such number (or not visible to the caller); `user_not_found`: no such user", body = ErrorBody),
    )
)]
#[put("/business-numbers/{id}/members/{user_id}")]
pub(crate) async fn add_member(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (number, user) = path.into_inner();
    let added = state
        .numbers
        .add_member(&caller.actor(), BusinessNumberId(number), UserId(user))
        .await?;
    Ok(if added {
        HttpResponse::Created().finish()
    } else {
        HttpResponse::NoContent().finish()
    })
}

/// Remove a user from a business number (admins).
#[utoipa::path(
    tag = "business-numbers",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Business number id"),
        ("user_id" = i64, Path, description = "User id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "`forbidden`: the caller is a member but not an admin", body = ErrorBody),
        (status = 404, description = "`not_found`: no such number (or not visible to the caller); `not_a_member`: the user is not a member", body = ErrorBody),
    )
)]
#[delete("/business-numbers/{id}/members/{user_id}")]
pub(crate) async fn remove_member(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (number, user) = path.into_inner();
    state
        .numbers
        .remove_member(&caller.actor(), BusinessNumberId(number), UserId(user))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
