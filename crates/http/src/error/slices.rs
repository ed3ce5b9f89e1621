//! How the messaging slices' errors answer: the same status and code for the same refusal
//! in every slice (a hidden or missing resource is `not_found`, a viewer's change `forbidden`).

use actix_web::http::{StatusCode, header};
use switchboard_domain::contacts::service::ContactsError;
use switchboard_domain::conversation::service::ConversationError;
use switchboard_domain::error::RepoError;
use switchboard_domain::inbox::service::InboxError;
use switchboard_domain::ingest::service::IngestError;
use switchboard_domain::live::service::LiveError;
use switchboard_domain::media::model::MediaRejection;
use switchboard_domain::media::service::MediaError;
use switchboard_domain::outbound::service::OutboundError;
use switchboard_domain::stats::service::StatsError;

use super::{ApiError, ErrorCode};

/// A use case's store error. A record missing here is one the request did not name (use
/// cases map a named resource's absence to their own `NotFound` where they look it up), so it
/// is our fault: a 500 with its cause logged, never a 404.
pub(super) fn store(e: RepoError) -> ApiError {
    match e {
        RepoError::NotFound => ApiError::internal(&"a record the request relies on is missing"),
        other => other.into(),
    }
}

impl From<OutboundError> for ApiError {
    fn from(e: OutboundError) -> Self {
        match e {
            OutboundError::NotFound => Self::not_found(e.to_string()),
            OutboundError::Forbidden => Self::forbidden(e.to_string()),
            OutboundError::OutsideWindow { expired_at } => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::OutsideCustomerServiceWindow,
                match expired_at {
                    Some(at) => format!("{e} (it closed at {})", at.to_rfc3339()),
                    None => format!("{e} (the customer has never written)"),
                },
            ),
            OutboundError::TemplateRequired => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::TemplateRequired,
                e.to_string(),
            ),
            OutboundError::MediaRejected(rejection) => match rejection {
                MediaRejection::TooLarge { .. } => Self::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::PayloadTooLarge,
                    rejection.to_string(),
                ),
                MediaRejection::UnsupportedType { .. } => Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ErrorCode::UnsupportedFileType,
                    rejection.to_string(),
                ),
                MediaRejection::Empty => Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ErrorCode::EmptyFile,
                    rejection.to_string(),
                ),
            },
            OutboundError::AttachmentNotFound => Self::new(
                StatusCode::NOT_FOUND,
                ErrorCode::AttachmentNotFound,
                e.to_string(),
            ),
            OutboundError::Invalid(field) => vec![field].into(),
            OutboundError::Store(e) => store(e),
        }
    }
}

impl From<ConversationError> for ApiError {
    fn from(e: ConversationError) -> Self {
        match e {
            ConversationError::NotFound => Self::not_found(e.to_string()),
            ConversationError::Forbidden => Self::forbidden(e.to_string()),
            ConversationError::AssigneeNotMember => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::AssigneeNotMember,
                e.to_string(),
            ),
            ConversationError::Store(e) => store(e),
        }
    }
}

impl From<InboxError> for ApiError {
    fn from(e: InboxError) -> Self {
        match e {
            InboxError::NotFound => Self::not_found(e.to_string()),
            InboxError::Store(e) => store(e),
        }
    }
}

impl From<MediaError> for ApiError {
    fn from(e: MediaError) -> Self {
        match e {
            MediaError::NotFound => Self::not_found(e.to_string()),
            MediaError::NoMedia => {
                Self::new(StatusCode::NOT_FOUND, ErrorCode::NoMedia, e.to_string())
            }
            MediaError::NotReady(_) => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::MediaNotReady,
                e.to_string(),
            )
            .with_header(header::RETRY_AFTER, "5"),
            MediaError::Store(e) => store(e),
        }
    }
}

impl From<ContactsError> for ApiError {
    fn from(e: ContactsError) -> Self {
        match e {
            ContactsError::NotFound => Self::not_found(e.to_string()),
            ContactsError::Forbidden => Self::forbidden(e.to_string()),
            ContactsError::Store(e) => store(e),
        }
    }
}

impl From<StatsError> for ApiError {
    fn from(e: StatsError) -> Self {
        match e {
            StatsError::NotFound => Self::not_found(e.to_string()),
            StatsError::Store(e) => store(e),
        }
    }
}

impl From<LiveError> for ApiError {
    fn from(e: LiveError) -> Self {
        match e {
            LiveError::Store(e) => store(e),
        }
    }
}

impl From<IngestError> for ApiError {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::Store(e) => store(e),
        }
    }
}
