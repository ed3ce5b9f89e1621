//! How the messaging slices' errors answer: the same status and code for the same refusal
//! in every slice (a hidden or missing resource is `not_found`, a viewer's change `forbidden`).

use actix_web::http::{StatusCode, header};
use switchboard_domain::contacts::service::ContactsError;
use switchboard_domain::ingest::service::IngestError;
use switchboard_domain::live::service::LiveError;
use switchboard_domain::media::model::MediaRejection;
use switchboard_domain::messaging::MessagingError;
use switchboard_domain::stats::service::StatsError;

use super::{ApiError, ErrorCode};

impl From<MessagingError> for ApiError {
    fn from(e: MessagingError) -> Self {
        match e {
            MessagingError::NotFound => Self::not_found(e.to_string()),
            MessagingError::Forbidden => Self::forbidden(e.to_string()),
            MessagingError::OutsideWindow { expired_at } => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::OutsideCustomerServiceWindow,
                match expired_at {
                    Some(at) => format!("{e} (it closed at {})", at.to_rfc3339()),
                    None => format!("{e} (the customer has never written)"),
                },
            ),
            MessagingError::AssigneeNotMember => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::AssigneeNotMember,
                e.to_string(),
            ),
            MessagingError::NoMedia => {
                Self::new(StatusCode::NOT_FOUND, ErrorCode::NoMedia, e.to_string())
            }
            MessagingError::MediaNotReady(_) => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::MediaNotReady,
                e.to_string(),
            )
            .with_header(header::RETRY_AFTER, "5"),
            MessagingError::TemplateRequired => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::TemplateRequired,
                e.to_string(),
            ),
            MessagingError::MediaRejected(rejection) => match rejection {
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
            MessagingError::AttachmentNotFound => Self::new(
                StatusCode::NOT_FOUND,
                ErrorCode::AttachmentNotFound,
                e.to_string(),
            ),
            MessagingError::Invalid(field) => vec![field].into(),
            MessagingError::Store(e) => e.into(),
        }
    }
}

impl From<ContactsError> for ApiError {
    fn from(e: ContactsError) -> Self {
        match e {
            ContactsError::NotFound => Self::not_found(e.to_string()),
            ContactsError::Forbidden => Self::forbidden(e.to_string()),
            ContactsError::Store(e) => e.into(),
        }
    }
}

impl From<StatsError> for ApiError {
    fn from(e: StatsError) -> Self {
        match e {
            StatsError::NotFound => Self::not_found(e.to_string()),
            StatsError::Store(e) => e.into(),
        }
    }
}

impl From<LiveError> for ApiError {
    fn from(e: LiveError) -> Self {
        match e {
            LiveError::Store(e) => e.into(),
        }
    }
}

impl From<IngestError> for ApiError {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::Store(e) => e.into(),
        }
    }
}
