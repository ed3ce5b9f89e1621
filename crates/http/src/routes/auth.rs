//! Signing in and out, refreshing tokens, and the caller's own account.

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header::{CACHE_CONTROL, PRAGMA};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use switchboard_domain::accounts::service::SignedIn;
use switchboard_domain::users::model::Password;
use utoipa::ToSchema;

use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::field_schemas;
use crate::json_body::JsonBody;
use crate::routes::users::UserDto;
use crate::state::AppState;
use crate::validation::AllValid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "admin")]
    pub username: String,
    #[schema(example = "admin")]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh; it can be used once. Leave it out to
    /// use the `switchboard_refresh` cookie instead (how the admin app signs in).
    pub refresh_token: Option<String>,
}

/// The HttpOnly cookie that carries the refresh token for browsers, so no script (and no
/// injected one) can read it. `SameSite=Strict` keeps other sites from spending it; the path
/// keeps it off every request but the auth routes.
const REFRESH_COOKIE: &str = "switchboard_refresh";
const REFRESH_COOKIE_PATH: &str = "/api/v1/auth";

fn refresh_cookie(req: &HttpRequest, value: String, max_age: CookieDuration) -> Cookie<'static> {
    Cookie::build(REFRESH_COOKIE, value)
        .path(REFRESH_COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        // Browsers refuse `Secure` cookies over plain http except on localhost, and a local
        // `make run` is plain http; behind TLS (directly or via a proxy) it is always set.
        .secure(req.connection_info().scheme() == "https")
        .max_age(max_age)
        .finish()
}

/// The token from the body, else from the cookie.
fn presented_refresh_token(req: &HttpRequest, body: &RefreshRequest) -> Option<String> {
    body.refresh_token
        .clone()
        .or_else(|| req.cookie(REFRESH_COOKIE).map(|c| c.value().to_owned()))
        .filter(|t| !t.is_empty())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    #[schema(schema_with = field_schemas::new_password)]
    pub new_password: String,
}

/// A new token pair.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// A JWT for `Authorization: Bearer`; short-lived.
    pub access_token: String,
    /// Opaque and single-use: exchange it at `/auth/refresh` for a new pair. Presenting a used
    /// one again revokes the whole session.
    pub refresh_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Seconds until the refresh token expires if unused.
    #[schema(example = 2_592_000)]
    pub refresh_expires_in: i64,
    pub user: UserDto,
}

/// Token responses must not be cached (RFC 6749 §5.1). The refresh token also goes into the
/// HttpOnly cookie.
fn token_response(req: &HttpRequest, signed_in: SignedIn) -> HttpResponse {
    let now = chrono::Utc::now();
    let refresh_expires_in = (signed_in.refresh_expires_at - now).num_seconds().max(0);
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((PRAGMA, "no-cache"))
        .cookie(refresh_cookie(
            req,
            signed_in.refresh.0.clone(),
            CookieDuration::seconds(refresh_expires_in),
        ))
        .json(TokenResponse {
            access_token: signed_in.access.token,
            refresh_token: signed_in.refresh.0,
            token_type: "Bearer".to_owned(),
            expires_in: (signed_in.access.expires_at - now).num_seconds().max(0),
            refresh_expires_in,
            user: signed_in.user.into(),
        })
}

/// Sign in with username and password.
///
/// An unknown username and a wrong password get the same answer in about the same time.
/// After 5 failures for one username within 15 minutes, further attempts get 429 until the
/// time in `Retry-After` has passed.
#[utoipa::path(
    security(()),
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in: an access token, and the refresh token as an HttpOnly cookie", body = TokenResponse),
        (status = 401, description = "`invalid_credentials`: unknown username or wrong password", body = ErrorBody),
        (status = 403, description = "`account_deactivated`: right password, but the account is deactivated", body = ErrorBody),
        (status = 429, description = "`too_many_login_attempts`: this username is locked after repeated failures; `too_many_sign_in_attempts`: this client address has spent its sign-in attempts for now, whatever the usernames. See `Retry-After`", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the next attempt is allowed"))),
    )
)]
#[post("/auth/login")]
pub(crate) async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonBody<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    state
        .login_throttle
        .check(state.trusted_proxies.client_of(&req))?;
    let signed_in = state.accounts.login(&body.username, &body.password).await?;
    tracing::info!(user_id = signed_in.user.id.0, "user signed in");
    Ok(token_response(&req, signed_in))
}

/// Exchange a refresh token for a new token pair (rotation).
///
/// The token comes from the body or, when the body leaves it out, from the
/// `switchboard_refresh` HttpOnly cookie that login and refresh set (`Path=/api/v1/auth`,
/// `SameSite=Strict`), so a browser app never holds it in script-readable storage.
#[utoipa::path(
    security(()),
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new access token; the refresh token is rotated", body = TokenResponse, headers(("Set-Cookie" = String, description = "`switchboard_refresh`: the new refresh token, HttpOnly"))),
        (status = 401, description = "`invalid_refresh_token`: none presented, unknown, expired or revoked; `refresh_token_reused`: it was already used, so its session is now revoked", body = ErrorBody),
    )
)]
#[post("/auth/refresh")]
pub(crate) async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonBody<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let token = presented_refresh_token(&req, &body).unwrap_or_default();
    let signed_in = state.accounts.refresh(&token).await.inspect_err(|e| {
        if matches!(
            e,
            switchboard_domain::accounts::service::RefreshError::Reused
        ) {
            tracing::warn!("a spent refresh token was presented again; its session is revoked");
        }
    })?;
    Ok(token_response(&req, signed_in))
}

/// Sign out: revoke the session the refresh token (from the body, else the cookie) belongs
/// to, and clear the cookie.
///
/// Always 204, whether or not the token was known.
#[utoipa::path(
    security(()),
    tag = "auth",
    request_body = RefreshRequest,
    responses((status = 204, description = "Signed out"))
)]
#[post("/auth/logout")]
pub(crate) async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonBody<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    if let Some(token) = presented_refresh_token(&req, &body) {
        state.accounts.logout(&token).await?;
    }
    Ok(HttpResponse::NoContent()
        .cookie(refresh_cookie(&req, String::new(), CookieDuration::ZERO))
        .finish())
}

/// The signed-in user.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, description = "The signed-in user", body = UserDto))
)]
#[get("/auth/me")]
pub(crate) async fn me(caller: Caller) -> web::Json<UserDto> {
    web::Json(caller.0.user.into())
}

/// Change the caller's own password; signs out every other session of the caller.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Password changed"),
    )
)]
#[post("/auth/password")]
pub(crate) async fn change_password(
    caller: Caller,
    state: web::Data<AppState>,
    body: JsonBody<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let (new_password,) = (Password::parse("new_password", &body.new_password),).all_valid()?;
    state
        .accounts
        .change_password(&caller.0, &body.current_password, &new_password)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
