//! The bearer-token extractor: turns `Authorization: Bearer <jwt>` into the calling user, or a
//! 401 before the handler runs.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, web};
use switchboard_domain::accounts::service::Principal;
use switchboard_domain::authz::Actor;

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// The authenticated caller. Put it first among a handler's arguments so a missing token is
/// reported before any body error.
#[derive(Debug)]
pub(crate) struct Caller(pub(crate) Principal, pub(crate) BearerToken);

/// The access token the caller presented, for long-lived requests that must re-check it.
pub(crate) struct BearerToken(pub(crate) String);

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerToken(**redacted**)")
    }
}

impl Caller {
    pub(crate) fn actor(&self) -> Actor {
        Actor::from(&self.0.user)
    }
}

/// The token of an `Authorization: Bearer <token>` header; the scheme is case-insensitive
/// (RFC 7235).
fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal(&"AppState is not registered"))?;
            let token = token.ok_or_else(|| {
                ApiError::unauthorized(
                    ErrorCode::MissingToken,
                    "this endpoint needs an access token: Authorization: Bearer <token>",
                )
            })?;
            let principal = state.accounts.authenticate(&token).await?;
            Ok(Caller(principal, BearerToken(token)))
        })
    }
}
