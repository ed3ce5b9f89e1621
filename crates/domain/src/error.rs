//! The small error every port returns; use cases map it into their own enums.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use thiserror::Error;

/// A hashing or signing library failed: a bug or a broken environment, never the caller's
/// input. Logged, never shown to a client.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("{0}")]
pub struct CryptoError(pub String);

/// Which uniqueness rule a write broke. Adapters set it from the constraint (index) that
/// refused the write, so callers match on meaning rather than on a database's message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConflictKey {
    /// Another user has this username (compared case-insensitively).
    Username,
    /// Another business number shows this phone number.
    DisplayPhoneNumber,
    /// Another business number has this Meta phone-number id.
    PhoneNumberId,
    /// Another message already has this WhatsApp message id.
    Wamid,
    /// The change would leave no active admin.
    LastAdmin,
}

impl ConflictKey {
    /// The name of what collided as a client knows it: the request field, or `last_admin`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Username => "username",
            Self::DisplayPhoneNumber => "display_phone_number",
            Self::PhoneNumberId => "phone_number_id",
            Self::Wamid => "wamid",
            Self::LastAdmin => "last_admin",
        }
    }
}

impl fmt::Display for ConflictKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The cause of an unexpected failure, kept whole (with its own `source` chain) so the one
/// place that logs it can print every link. Cheap to clone, so errors carrying it stay `Clone`.
#[derive(Clone)]
pub struct Cause(Arc<dyn StdError + Send + Sync>);

impl Cause {
    /// `source`, explained by `context` (what was being done: `"outbound payload of message 7"`).
    pub fn new(context: impl Into<String>, source: impl StdError + Send + Sync + 'static) -> Self {
        Self(Arc::new(Context {
            context: context.into(),
            source: Box::new(source),
        }))
    }

    /// A cause with no underlying error: a broken invariant found by the adapter itself.
    pub fn message(message: impl Into<String>) -> Self {
        Self(Arc::new(Message(message.into())))
    }
}

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl StdError for Cause {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0.source()
    }
}

/// Two causes are equal when they read the same all the way down: errors compare in tests by
/// what they say, and a library's error types rarely implement `PartialEq`.
impl PartialEq for Cause {
    fn eq(&self, other: &Self) -> bool {
        chain(self) == chain(other)
    }
}

impl Eq for Cause {}

#[derive(Debug)]
struct Context {
    context: String,
    source: Box<dyn StdError + Send + Sync>,
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.context)
    }
}

impl StdError for Context {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.source)
    }
}

#[derive(Debug)]
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for Message {}

/// An error and every cause under it, joined by `": "`: the one-line form logs use.
#[must_use]
pub fn chain(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        next = cause.source();
    }
    text
}

/// What can go wrong behind a port. Adapters translate their library errors into it at their
/// boundary (for example a unique-index violation becomes [`RepoError::Conflict`]).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum RepoError {
    /// The addressed record does not exist.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was violated.
    #[error("conflict on {0}")]
    Conflict(ConflictKey),
    /// The backing service cannot be reached or is overloaded; retrying later may succeed.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug or corrupted data. Logged with its whole cause, never shown to a
    /// client.
    #[error("unexpected store failure")]
    Unexpected(#[source] Cause),
}

impl RepoError {
    /// [`RepoError::Unexpected`] caused by `source` while doing `context`.
    pub fn unexpected(
        context: impl Into<String>,
        source: impl StdError + Send + Sync + 'static,
    ) -> Self {
        Self::Unexpected(Cause::new(context, source))
    }

    /// [`RepoError::Unexpected`] for a broken invariant with no underlying error.
    pub fn broken(message: impl Into<String>) -> Self {
        Self::Unexpected(Cause::message(message))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Error)]
    #[error("disk I/O error")]
    struct Io;

    #[test]
    fn an_unexpected_error_keeps_every_cause_in_its_chain() {
        let e = RepoError::unexpected("reading message 7", Io);
        assert_eq!(
            chain(&e),
            "unexpected store failure: reading message 7: disk I/O error"
        );
    }

    #[test]
    fn a_broken_invariant_is_one_cause_deep() {
        let e = RepoError::broken("unsafe media key \"../x\"");
        assert_eq!(
            chain(&e),
            "unexpected store failure: unsafe media key \"../x\""
        );
    }

    #[test]
    fn causes_compare_by_what_they_say() {
        assert_eq!(
            RepoError::unexpected("reading", Io),
            RepoError::unexpected("reading", Io)
        );
        assert_ne!(
            RepoError::unexpected("reading", Io),
            RepoError::unexpected("writing", Io)
        );
    }

    #[test]
    fn conflict_keys_name_the_field_clients_sent() {
        assert_eq!(ConflictKey::Username.to_string(), "username");
        assert_eq!(
            RepoError::Conflict(ConflictKey::PhoneNumberId).to_string(),
            "conflict on phone_number_id"
        );
    }
}
