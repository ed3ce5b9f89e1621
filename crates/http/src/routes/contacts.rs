//! Contacts (customers) of the caller's business numbers.

use actix_web::{get, patch, web};
use serde::Deserialize;
use switchboard_domain::contacts::model::{ContactId, ContactQuery};
use switchboard_domain::users::model::DisplayName;
use utoipa::{IntoParams, ToSchema};

use crate::caller::Caller;
use crate::dto::contact::ContactDto;
use crate::error::{ApiError, ErrorBody};
use crate::field_schemas;
use crate::json_body::JsonBody;
use crate::pagination::page_size;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactSearch {
    #[param(schema_with = field_schemas::contact_query)]
    pub query: Option<String>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize, ToSchema)]
pub struct ContactList {
    pub items: Vec<ContactDto>,
}

/// `display_name: null` (or an empty string) clears the agents' name, showing the profile
/// name again.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateContactRequest {
    #[schema(schema_with = field_schemas::display_name_or_blank_or_null)]
    pub display_name: Option<String>,
}

/// Contacts with a conversation on one of the caller's business numbers, ordered by id.
#[utoipa::path(
    tag = "contacts",
    security(("bearer" = [])),
    params(ContactSearch),
    responses(
        (status = 200, description = "A page of contacts", body = ContactList),
        (status = 422, description = "`validation_failed`: bad `limit` or `query`", body = ErrorBody),
    )
)]
#[get("/contacts")]
pub(crate) async fn list_contacts(
    caller: Caller,
    state: web::Data<AppState>,
    params: web::Query<ContactSearch>,
) -> Result<web::Json<ContactList>, ApiError> {
    let limit = page_size(params.limit)?;
    let query = match params.query.as_deref() {
        Some(raw) => ContactQuery::parse(raw).map_err(|e| ApiError::from(vec![e]))?,
        None => None,
    };
    let contacts = state
        .contacts
        .list(
            &caller.actor(),
            query.as_ref().map(ContactQuery::as_str),
            limit,
        )
        .await?;
    Ok(web::Json(ContactList {
        items: contacts.into_iter().map(Into::into).collect(),
    }))
}

/// One contact.
#[utoipa::path(
    tag = "contacts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Contact id")),
    responses(
        (status = 200, description = "The contact", body = ContactDto),
        (status = 404, description = "`not_found`: no such contact on the caller's numbers", body = ErrorBody),
    )
)]
#[get("/contacts/{id}")]
pub(crate) async fn get_contact(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<web::Json<ContactDto>, ApiError> {
    let contact = state.contacts.get(&caller.actor(), ContactId(*id)).await?;
    Ok(web::Json(contact.into()))
}

/// Name a contact for the team.
#[utoipa::path(
    tag = "contacts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Contact id")),
    request_body = UpdateContactRequest,
    responses(
        (status = 200, description = "The contact, renamed", body = ContactDto),
        (status = 403, description = "`forbidden`: viewers cannot rename contacts", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    )
)]
#[patch("/contacts/{id}")]
pub(crate) async fn update_contact(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: JsonBody<UpdateContactRequest>,
) -> Result<web::Json<ContactDto>, ApiError> {
    let name = match body.display_name.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(DisplayName::parse(raw).map_err(|e| ApiError::from(vec![e]))?),
    };
    let contact = state
        .contacts
        .rename(&caller.actor(), ContactId(*id), name)
        .await?;
    Ok(web::Json(contact.into()))
}
