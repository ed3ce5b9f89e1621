//! The small error every port returns; use cases map it into their own enums.

use thiserror::Error;

/// A hashing or signing library failed: a bug or a broken environment, never the caller's
/// input. Logged, never shown to a client.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("{0}")]
pub struct CryptoError(pub String);

/// What can go wrong behind a port. Adapters translate their library errors into it at their
/// boundary (for example a unique-index violation becomes [`RepoError::Conflict`]).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum RepoError {
    /// The addressed record does not exist.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was violated; the string names what collided (a field name such as
    /// `username` or `phone_number_id`).
    #[error("conflict on {0}")]
    Conflict(String),
    /// The backing service cannot be reached or is overloaded; retrying later may succeed.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug or corrupted data. Logged, never shown to a client.
    #[error("unexpected: {0}")]
    Unexpected(String),
}

/// Maps a repository's [`RepoError::NotFound`] to a use case's own "not found" at the call
/// site, where it is known that the missing record is the one the client named (a 404); every
/// other error, and a missing record the caller did not name, stays a store error (a 500).
pub trait OrNotFound<T> {
    /// `NotFound` becomes `not_found`; anything else goes through `E::from`.
    ///
    /// # Errors
    /// `not_found` for [`RepoError::NotFound`], `E::from(e)` otherwise.
    fn or_not_found<E: From<RepoError>>(self, not_found: E) -> Result<T, E>;
}

impl<T> OrNotFound<T> for Result<T, RepoError> {
    fn or_not_found<E: From<RepoError>>(self, not_found: E) -> Result<T, E> {
        self.map_err(|e| match e {
            RepoError::NotFound => not_found,
            other => E::from(other),
        })
    }
}
