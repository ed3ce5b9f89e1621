//! One error shape for every failure: `{"error": {"code", "message", "details"?}}`.
//!
//! Handlers return [`ApiError`]; the extractor configs turn actix's own body, path and query
//! errors into it; and [`json_errors_only`] rewrites any remaining non-JSON error response
//! (from actix or a library service) so no client ever sees a plain-text error.

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use serde::{Deserialize, Serialize};
use switchboard_domain::accounts::service::{
    AuthenticateError, ChangePasswordError, LoginError, RefreshError,
};
use switchboard_domain::error::RepoError;
use switchboard_domain::numbers::service::BusinessNumberError;
use switchboard_domain::users::service::UserAdminError;
use switchboard_domain::validation::FieldError;
use utoipa::ToSchema;

pub use crate::error_code::ErrorCode;

mod slices;

/// The body of every error response.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"error": {"code": "invalid_credentials", "message": "invalid username or password"}}))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable and machine-readable; one of the documented codes.
    pub code: ErrorCode,
    /// A sentence for people; may change between versions.
    pub message: String,
    /// For `validation_failed`: one entry per rejected field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldDetail>,
}

/// One rejected input field.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FieldDetail {
    /// The field's name in the request (`body` when the body as a whole is wrong).
    pub field: String,
    pub message: String,
}

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    details: Vec<FieldDetail>,
    headers: Vec<(header::HeaderName, String)>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            headers: Vec::new(),
        }
    }

    fn with_header(mut self, name: header::HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// 401 with the `WWW-Authenticate` challenge RFC 6750 asks for.
    pub fn unauthorized(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
            .with_header(header::WWW_AUTHENTICATE, "Bearer")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)
    }

    pub fn method_not_allowed(allowed: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::MethodNotAllowed,
            format!("this resource supports only {allowed}"),
        )
        .with_header(header::ALLOW, allowed)
    }

    /// 429 for a client address that spent its sign-in attempts, whatever the usernames.
    pub fn too_many_sign_in_attempts(retry_after_secs: u64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::TooManySignInAttempts,
            format!(
                "too many sign-in attempts from this address; retry in {retry_after_secs} seconds"
            ),
        )
        .with_header(header::RETRY_AFTER, retry_after_secs.to_string())
    }

    /// 408 `request_timeout`: the body did not arrive within its allowance.
    pub fn request_timeout(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            ErrorCode::RequestTimeout,
            message,
        )
    }

    /// 429 `too_many_concurrent_requests`: the client's address is at its cap.
    pub fn too_many_concurrent_requests(limit: usize) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::TooManyConcurrentRequests,
            format!("this client address already has {limit} requests in progress; retry shortly"),
        )
        .with_header(header::RETRY_AFTER, "1")
    }

    /// 422 naming every rejected field.
    pub fn validation(fields: Vec<FieldDetail>) -> Self {
        let summary = fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; ");
        let mut error = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::ValidationFailed,
            format!("the request is invalid: {summary}"),
        );
        error.details = fields;
        error
    }

    /// 500: logs the cause, tells the client nothing internal.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "an internal error occurred; it has been logged",
        )
    }

    /// 500 for an error: logs it with every cause in its chain, tells the client nothing
    /// internal.
    pub fn internal_error(cause: &(dyn std::error::Error + 'static)) -> Self {
        Self::internal(&switchboard_domain::error::chain(cause))
    }
}

impl From<FieldError> for ApiError {
    fn from(error: FieldError) -> Self {
        vec![error].into()
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(errors: Vec<FieldError>) -> Self {
        Self::validation(
            errors
                .into_iter()
                .map(|e| FieldDetail {
                    field: e.field.to_owned(),
                    message: e.message,
                })
                .collect(),
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        let mut response = HttpResponse::build(self.status);
        for (name, value) in &self.headers {
            if let Ok(value) = HeaderValue::from_str(value) {
                response.insert_header((name.clone(), value));
            }
        }
        response.json(ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message.clone(),
                details: self.details.clone(),
            },
        })
    }
}

impl From<RepoError> for ApiError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => Self::not_found("the resource does not exist"),
            RepoError::Conflict(what) => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::Conflict,
                format!("the {what} is already in use"),
            ),
            RepoError::Unavailable(cause) => {
                tracing::error!(error = %cause, "storage unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::ServiceUnavailable,
                    "the service is temporarily unavailable; retry shortly",
                )
                .with_header(header::RETRY_AFTER, "1")
            }
            RepoError::Unexpected(cause) => Self::internal_error(&cause),
        }
    }
}

impl From<LoginError> for ApiError {
    fn from(e: LoginError) -> Self {
        match e {
            LoginError::InvalidCredentials => Self::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidCredentials,
                e.to_string(),
            ),
            LoginError::LockedOut { retry_after } => {
                let secs = retry_after.num_seconds().max(1);
                Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    ErrorCode::TooManyLoginAttempts,
                    format!("too many failed logins for this username; retry in {secs} seconds"),
                )
                .with_header(header::RETRY_AFTER, secs.to_string())
            }
            LoginError::Deactivated => Self::new(
                StatusCode::FORBIDDEN,
                ErrorCode::AccountDeactivated,
                e.to_string(),
            ),
            LoginError::Crypto(e) => Self::internal_error(&e),
            LoginError::Store(e) => e.into(),
        }
    }
}

impl From<RefreshError> for ApiError {
    fn from(e: RefreshError) -> Self {
        match e {
            RefreshError::InvalidToken => {
                Self::unauthorized(ErrorCode::InvalidRefreshToken, e.to_string())
            }
            RefreshError::Reused => {
                Self::unauthorized(ErrorCode::RefreshTokenReused, e.to_string())
            }
            RefreshError::Crypto(e) => Self::internal_error(&e),
            RefreshError::Store(e) => e.into(),
        }
    }
}

impl From<AuthenticateError> for ApiError {
    fn from(e: AuthenticateError) -> Self {
        match e {
            AuthenticateError::InvalidToken => {
                Self::unauthorized(ErrorCode::InvalidToken, e.to_string())
            }
            AuthenticateError::Store(e) => e.into(),
        }
    }
}

impl From<ChangePasswordError> for ApiError {
    fn from(e: ChangePasswordError) -> Self {
        match e {
            ChangePasswordError::WrongPassword => Self::validation(vec![FieldDetail {
                field: "current_password".into(),
                message: "is wrong".into(),
            }]),
            ChangePasswordError::Crypto(e) => Self::internal_error(&e),
            ChangePasswordError::Store(e) => e.into(),
        }
    }
}

impl From<UserAdminError> for ApiError {
    fn from(e: UserAdminError) -> Self {
        match e {
            UserAdminError::Forbidden => Self::forbidden(e.to_string()),
            UserAdminError::NotFound => Self::not_found(e.to_string()),
            UserAdminError::UsernameTaken => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::UsernameTaken,
                e.to_string(),
            ),
            UserAdminError::LastAdmin => {
                Self::new(StatusCode::CONFLICT, ErrorCode::LastAdmin, e.to_string())
            }
            UserAdminError::Crypto(e) => Self::internal_error(&e),
            UserAdminError::Store(e) => slices::store(e),
        }
    }
}

impl From<BusinessNumberError> for ApiError {
    fn from(e: BusinessNumberError) -> Self {
        match e {
            BusinessNumberError::Forbidden => Self::forbidden(e.to_string()),
            BusinessNumberError::NotFound => Self::not_found(e.to_string()),
            BusinessNumberError::UserNotFound => Self::new(
                StatusCode::NOT_FOUND,
                ErrorCode::UserNotFound,
                e.to_string(),
            ),
            BusinessNumberError::NotAMember => {
                Self::new(StatusCode::NOT_FOUND, ErrorCode::NotAMember, e.to_string())
            }
            BusinessNumberError::Duplicate(_) => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::BusinessNumberExists,
                e.to_string(),
            ),
            BusinessNumberError::Store(e) => slices::store(e),
        }
    }
}

/// JSON bodies: limit, content type, and syntax vs. shape errors told apart.
pub(crate) fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(crate::JSON_BODY_LIMIT)
        .error_handler(|err, _req| json_error(&err).into())
}

pub(crate) fn json_error(err: &JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::OverflowKnownLength { limit, .. }
        | JsonPayloadError::Overflow { limit } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!("the request body is larger than {limit} bytes"),
        ),
        JsonPayloadError::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "the request body must be JSON, sent with Content-Type: application/json",
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            ApiError::validation(vec![FieldDetail {
                field: field_of_serde_message(&e.to_string()),
                message: e.to_string(),
            }])
        }
        JsonPayloadError::Deserialize(e) => ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidJson,
            format!("the request body is not valid JSON: {e}"),
        ),
        other => ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidBody,
            format!("the request body could not be read: {other}"),
        ),
    }
}

/// serde names the field in backticks for missing, unknown and duplicate fields.
fn field_of_serde_message(message: &str) -> String {
    message
        .split('`')
        .nth(1)
        .filter(|_| message.contains("field `"))
        .unwrap_or("body")
        .to_owned()
}

/// A path segment that does not parse (e.g. `/users/abc`) names no resource: 404.
pub(crate) fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err: PathError, _req: &HttpRequest| {
        ApiError::not_found(format!("no such resource: {err}")).into()
    })
}

pub(crate) fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req: &HttpRequest| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidQuery,
            format!("the query string is invalid: {err}"),
        )
        .into()
    })
}

/// Middleware: any error response that is not already JSON becomes the standard shape, keeping
/// its status and headers such as `Allow`.
pub(crate) async fn json_errors_only(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let response = next.call(req).await?;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return Ok(response.map_into_left_body());
    }
    let code = match status {
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::BAD_REQUEST => ErrorCode::BadRequest,
        StatusCode::REQUEST_TIMEOUT => ErrorCode::RequestTimeout,
        s if s.is_server_error() => ErrorCode::InternalError,
        _ => ErrorCode::RequestFailed,
    };
    let message = status.canonical_reason().unwrap_or("request failed");
    let error = ApiError::new(status, code, message.to_lowercase());
    Ok(response.map_body(|head, _| {
        let rebuilt = error.error_response();
        head.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        EitherBody::right(rebuilt.into_body())
    }))
}

#[cfg(test)]
mod tests {
    use super::field_of_serde_message;

    #[test]
    fn serde_field_names_are_lifted_into_details() {
        assert_eq!(
            field_of_serde_message("missing field `password` at line 1 column 20"),
            "password"
        );
        assert_eq!(
            field_of_serde_message("unknown field `pasword`, expected one of `password`"),
            "pasword"
        );
        assert_eq!(
            field_of_serde_message("invalid type: integer `5`, expected a string"),
            "body"
        );
    }
}
