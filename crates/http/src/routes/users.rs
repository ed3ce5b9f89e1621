//! User administration (admins only) and the user representation every endpoint shares.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchboard_domain::users::model::{
    DisplayName, NewUser, Password, Role, User, UserChanges, UserId, Username,
};
use utoipa::ToSchema;

use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::field_schemas;
use crate::json_body::JsonBody;
use crate::state::AppState;
use crate::validation::AllValid;

/// What a user may do: `admin` everything; `agent` works the conversations of their numbers;
/// `viewer` reads them.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RoleDto {
    Admin,
    Agent,
    Viewer,
}

impl From<Role> for RoleDto {
    fn from(role: Role) -> Self {
        match role {
            Role::Admin => RoleDto::Admin,
            Role::Agent => RoleDto::Agent,
            Role::Viewer => RoleDto::Viewer,
        }
    }
}

impl From<RoleDto> for Role {
    fn from(role: RoleDto) -> Self {
        match role {
            RoleDto::Admin => Role::Admin,
            RoleDto::Agent => Role::Agent,
            RoleDto::Viewer => Role::Viewer,
        }
    }
}

/// A user account.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UserDto {
    #[schema(example = 1)]
    pub id: i64,
    /// As the admin spelled it; unique case-insensitively.
    #[schema(example = "ana.lima")]
    pub username: String,
    #[schema(example = "Ana Lima")]
    pub display_name: String,
    pub role: RoleDto,
    /// Deactivated users cannot sign in and their tokens no longer work.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<User> for UserDto {
    fn from(user: User) -> Self {
        Self {
            id: user.id.0,
            username: user.username,
            display_name: user.display_name,
            role: user.role.into(),
            active: user.active,
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserDto>,
}

/// A new account; `display_name` defaults to the username.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    #[schema(schema_with = field_schemas::username)]
    pub username: String,
    #[schema(schema_with = field_schemas::new_password)]
    pub password: String,
    pub role: RoleDto,
    #[schema(schema_with = field_schemas::display_name_or_null)]
    pub display_name: Option<String>,
}

/// Every field is optional; absent fields are left unchanged. A new `password` resets it and
/// signs the user out everywhere.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[schema(schema_with = field_schemas::display_name_or_null)]
    pub display_name: Option<String>,
    pub role: Option<RoleDto>,
    /// `false` deactivates the user and signs them out everywhere at once.
    pub active: Option<bool>,
    #[schema(schema_with = field_schemas::new_password_or_null)]
    pub password: Option<String>,
}

/// List every user.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The users", body = UserList),
        (status = 403, description = "`forbidden`: the caller is not an admin", body = ErrorBody),
    )
)]
#[get("/users")]
pub(crate) async fn list_users(
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<web::Json<UserList>, ApiError> {
    let users = state.users.list(&caller.actor()).await?;
    Ok(web::Json(UserList {
        items: users.into_iter().map(Into::into).collect(),
    }))
}

/// Create a user.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "The user, created", body = UserDto),
        (status = 403, description = "`forbidden`: the caller is not an admin", body = ErrorBody),
        (status = 409, description = "`username_taken`: the username exists (case-insensitively)", body = ErrorBody),
    )
)]
#[post("/users")]
pub(crate) async fn create_user(
    caller: Caller,
    state: web::Data<AppState>,
    body: JsonBody<CreateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let (username, password, display_name) = (
        Username::parse(&body.username),
        Password::parse("password", &body.password),
        DisplayName::parse(body.display_name.as_deref().unwrap_or(&body.username)),
    )
        .all_valid()?;
    let user = state
        .users
        .create(
            &caller.actor(),
            NewUser {
                username,
                display_name,
                role: body.role.into(),
                password,
            },
        )
        .await?;
    Ok(HttpResponse::Created().json(UserDto::from(user)))
}

/// Get a user.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "The user", body = UserDto),
        (status = 403, description = "`forbidden`: the caller is not an admin", body = ErrorBody),
        (status = 404, description = "`not_found`: no such user", body = ErrorBody),
    )
)]
#[get("/users/{id}")]
pub(crate) async fn get_user(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<web::Json<UserDto>, ApiError> {
    let user = state.users.get(&caller.actor(), UserId(*id)).await?;
    Ok(web::Json(user.into()))
}

/// Change a user's display name, role, active flag or password.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, description = "The user, updated", body = UserDto),
        (status = 403, description = "`forbidden`: the caller is not an admin", body = ErrorBody),
        (status = 404, description = "`not_found`: no such user", body = ErrorBody),
        (status = 409, description = "`last_admin`: the change would leave no active admin", body = ErrorBody),
    )
)]
#[patch("/users/{id}")]
pub(crate) async fn update_user(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: JsonBody<UpdateUserRequest>,
) -> Result<web::Json<UserDto>, ApiError> {
    let body = body.into_inner();
    let (display_name, password) = (
        body.display_name
            .as_deref()
            .map(DisplayName::parse)
            .transpose(),
        body.password
            .as_deref()
            .map(|p| Password::parse("password", p))
            .transpose(),
    )
        .all_valid()?;
    let changes = UserChanges {
        display_name,
        role: body.role.map(Into::into),
        active: body.active,
        password,
    };
    let user = state
        .users
        .update(&caller.actor(), UserId(*id), changes)
        .await?;
    Ok(web::Json(user.into()))
}
