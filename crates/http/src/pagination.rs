//! Paging for every list route: the page size a client may ask for, and the keyset cursors
//! (`<epoch millis>.<id>`) that are opaque to clients and stable across pages.

use actix_web::http::StatusCode;
use chrono::{DateTime, Utc};
use switchboard_domain::validation::FieldError;

use crate::error::{ApiError, ErrorCode};
use crate::field_schemas;

/// A page's size when the client names none.
pub(crate) const DEFAULT_PAGE: u32 = 50;
/// The largest page a client may ask for (the spec's `limit` maximum says the same).
pub(crate) const MAX_PAGE: u32 = 200;

/// The page size for a `limit` parameter: 422 `validation_failed` outside 1 to [`MAX_PAGE`].
pub(crate) fn page_size(limit: Option<u32>) -> Result<u32, ApiError> {
    match limit {
        None => Ok(DEFAULT_PAGE),
        Some(n @ 1..=MAX_PAGE) => Ok(n),
        Some(_) => {
            Err(FieldError::new("limit", format!("must be between 1 and {MAX_PAGE}")).into())
        }
    }
}

/// Reads a cursor this API issued: 400 `invalid_cursor` for anything else.
pub(crate) fn parse_cursor(raw: &str) -> Result<(DateTime<Utc>, i64), ApiError> {
    let invalid = || {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidCursor,
            "the cursor is not one this API returned",
        )
    };
    let (millis, id) = field_schemas::cursor_parts(raw).ok_or_else(invalid)?;
    let at = DateTime::from_timestamp_millis(millis).ok_or_else(invalid)?;
    Ok((at, id))
}

/// The cursor of the row at `at` with `id`: the next page starts after it.
pub(crate) fn cursor(at: DateTime<Utc>, id: i64) -> String {
    format!("{}.{id}", at.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_as_the_row_it_was_made_from() {
        let at = DateTime::from_timestamp_millis(1_700_000_000_123).unwrap();
        assert_eq!(parse_cursor(&cursor(at, 42)).unwrap(), (at, 42));
        assert!(parse_cursor("yesterday").is_err());
    }

    #[test]
    fn a_page_is_one_to_the_maximum_and_the_default_when_unnamed() {
        assert_eq!(page_size(None).unwrap(), DEFAULT_PAGE);
        assert_eq!(page_size(Some(MAX_PAGE)).unwrap(), MAX_PAGE);
        assert!(page_size(Some(0)).is_err());
        assert!(page_size(Some(MAX_PAGE + 1)).is_err());
    }
}
