//! Every code an error answer can carry. Handlers name codes only through this enum, so the
//! compiler refuses a code the API does not document, and generated clients can match on the
//! whole set (it is the `ErrorCode` schema of the OpenAPI document).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A stable, machine-readable error code (snake_case on the wire). The message beside it is
/// for people and may change; the code does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // Requests the server cannot read.
    /// The body is not valid JSON.
    InvalidJson,
    /// The body could not be read.
    InvalidBody,
    /// A multipart form could not be read.
    InvalidMultipart,
    /// A query parameter is not of its type.
    InvalidQuery,
    /// A paging cursor that this server did not issue.
    InvalidCursor,
    /// An `Idempotency-Key` that is not a UUID.
    InvalidIdempotencyKey,
    /// A `Last-Event-ID` that is not an event id.
    InvalidLastEventId,
    /// Any other malformed request.
    BadRequest,
    /// A field is missing, of the wrong type, unknown or invalid; `details` names each.
    ValidationFailed,
    /// The body, or a file, is over its limit.
    PayloadTooLarge,
    /// The body is not sent as the type the operation takes.
    UnsupportedMediaType,
    /// The body arrived too slowly.
    RequestTimeout,
    /// The resource does not support the method.
    MethodNotAllowed,
    /// A client error with no more specific code.
    RequestFailed,

    // Who is asking.
    /// No access token.
    MissingToken,
    /// The access token is invalid, expired or revoked, or its user deactivated.
    InvalidToken,
    /// Unknown username or wrong password.
    InvalidCredentials,
    /// The right password for a deactivated account.
    AccountDeactivated,
    /// The username is locked after repeated failures.
    TooManyLoginAttempts,
    /// The client address spent its sign-in attempts.
    TooManySignInAttempts,
    /// The client address has its cap of requests in progress.
    TooManyConcurrentRequests,
    /// No refresh token, or an unknown, expired or revoked one.
    InvalidRefreshToken,
    /// A refresh token used twice: its session is revoked.
    RefreshTokenReused,
    /// The caller's role does not allow it.
    Forbidden,

    // What was asked for.
    /// No such resource.
    NotFound,
    /// The named user does not exist.
    UserNotFound,
    /// The user is not a member of the number.
    NotAMember,
    /// The attachment does not exist or is not the caller's.
    AttachmentNotFound,
    /// The message has no file.
    NoMedia,
    /// The message's file is still being downloaded.
    MediaNotReady,
    /// A unique value that is already in use.
    Conflict,
    /// The username is taken.
    UsernameTaken,
    /// The WhatsApp phone number id is already connected.
    BusinessNumberExists,
    /// The change would leave no active admin.
    LastAdmin,

    // Messaging rules.
    /// Free-form messages are allowed only within 24 hours of the customer's last message.
    OutsideCustomerServiceWindow,
    /// A conversation can only be started with a template.
    TemplateRequired,
    /// The assignee is not a member of the conversation's number.
    AssigneeNotMember,
    /// The file's type is not one WhatsApp takes.
    UnsupportedFileType,
    /// The file is empty.
    EmptyFile,
    /// The simulator's webhook delivery was refused.
    SimulationFailed,

    // The WhatsApp webhook.
    /// No `X-Hub-Signature-256`.
    MissingSignature,
    /// The signature does not match the body.
    InvalidSignature,
    /// A signed body that is not a WhatsApp Business Account envelope.
    NotAWebhookEnvelope,
    /// The verification request's token or mode is wrong.
    VerificationFailed,

    // The server.
    /// An unexpected failure, logged on the server.
    InternalError,
    /// The database is unreachable; retry later.
    ServiceUnavailable,
    /// Not ready for traffic: the database does not answer.
    NotReady,
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The wire name is serde's; a unit variant always serializes as a string.
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(code)) => f.write_str(&code),
            _ => write!(f, "{self:?}"),
        }
    }
}
