//! Ports of sign-in and sessions: stored sessions and attempts, password hashing, tokens.
//!
//! Every store method is atomic: where one business step touches several records it is one
//! method, run by the adapter in one transaction.

use async_trait::async_trait;

use crate::Timestamp;
use crate::accounts::model::{
    AccessClaims, AccessToken, NewRefreshToken, RefreshToken, Rotation, SessionId, TokenDigest,
};
use crate::error::{CryptoError, RepoError};
use crate::users::model::{Password, PasswordHash, User, UserId};

/// Refresh tokens and their families (sessions).
#[async_trait]
pub trait SessionRepository: Send + Sync {
    /// Opens a new session (family) for a user with its first refresh token.
    ///
    /// # Errors
    /// [`RepoError::Unexpected`] if the digest or session id already exists (a broken random
    /// source); storage failures as usual.
    async fn start_session(&self, token: NewRefreshToken, now: Timestamp) -> Result<(), RepoError>;

    /// Atomically spends the refresh token with digest `presented` and stores its successor
    /// (digest `next`, expiring at `next_expires_at`) in the same session. If the token was already spent, MUST revoke its whole family instead and return
    /// [`Rotation::Reused`]; if it is unknown, expired at `now`, or its family is revoked, MUST
    /// change nothing and return [`Rotation::Invalid`]. Two concurrent rotations of one token
    /// MUST NOT both succeed.
    ///
    /// # Errors
    /// Storage failures only.
    async fn rotate(
        &self,
        presented: &TokenDigest,
        next: &TokenDigest,
        next_expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<Rotation, RepoError>;

    /// Revokes the family the token with this digest belongs to. Unknown digests are ignored.
    ///
    /// # Errors
    /// Storage failures only.
    async fn revoke_by_token(&self, digest: &TokenDigest, now: Timestamp) -> Result<(), RepoError>;

    /// The user behind an access token, if the user is active and the session not revoked.
    ///
    /// # Errors
    /// Storage failures only; a revoked session or inactive user is `Ok(None)`.
    async fn active_session_user(
        &self,
        user_id: UserId,
        session: &SessionId,
    ) -> Result<Option<User>, RepoError>;

    /// Deletes refresh tokens that expired before `before` (a spent token is kept until then,
    /// so its reuse is still detected) and sessions left with no token. Returns how many
    /// tokens were deleted.
    ///
    /// # Errors
    /// Storage failures only.
    async fn purge_expired(&self, before: Timestamp) -> Result<u64, RepoError>;

    /// Replaces a user's password hash and revokes all of their sessions except `keep`, in one
    /// transaction.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if there is no such user; storage failures as usual.
    async fn change_password(
        &self,
        user_id: UserId,
        hash: PasswordHash,
        keep: &SessionId,
        now: Timestamp,
    ) -> Result<(), RepoError>;
}

/// Sign-in attempts for the lock-out policy, keyed by case-folded username (known or not, so
/// the answer never tells whether an account exists). An attempt takes its place in the
/// username's budget before its password is checked and counts as a failure until a success
/// clears it, so guesses sent at the same moment cannot all be checked against the same count.
#[async_trait]
pub trait LoginAttemptRepository: Send + Sync {
    /// Counts the attempts for `username_key` after `since` and, when there are fewer than
    /// `max`, records one at `at`; both in one transaction that MUST be serialised with every
    /// other call for the same key, so that however many arrive at once, at most `max` are
    /// granted per window. Also forgets every key's attempts at or before `since`, so the
    /// table never holds more than one window of them.
    ///
    /// # Errors
    /// Storage failures only (the attempt is then not granted).
    async fn begin_attempt(
        &self,
        username_key: &str,
        at: Timestamp,
        since: Timestamp,
        max: usize,
    ) -> Result<AttemptBudget, RepoError>;

    /// Forgets all attempts for `username_key` (after a successful login).
    ///
    /// # Errors
    /// Storage failures only.
    async fn clear_failures(&self, username_key: &str) -> Result<(), RepoError>;
}

/// What [`LoginAttemptRepository::begin_attempt`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptBudget {
    /// The attempt is recorded; its password may be checked.
    Granted,
    /// The budget is spent: nothing was recorded. The times of the attempts inside the window,
    /// from which the policy tells how long the username stays locked.
    Spent { attempts: Vec<Timestamp> },
}

/// Password hashing (argon2id in production). Slow on purpose: adapters run it off the
/// async executor.
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// Hashes a password with a fresh random salt.
    ///
    /// # Errors
    /// [`CryptoError`] if the hashing library fails (it does not for valid input).
    async fn hash(&self, password: &Password) -> Result<PasswordHash, CryptoError>;

    /// Whether `password` matches `hash`, compared in constant time. A malformed hash is a
    /// mismatch, not an error.
    async fn verify(&self, password: &str, hash: &PasswordHash) -> bool;

    /// Does the same work as [`PasswordHasher::verify`] against a dummy hash, so an unknown
    /// username takes as long to refuse as a wrong password.
    async fn verify_dummy(&self, password: &str);
}

/// Signs and verifies access tokens.
pub trait AccessTokenCodec: Send + Sync {
    /// Signs a token for `user_id` in `session` valid from `now` for the configured lifetime.
    ///
    /// # Errors
    /// [`CryptoError`] if signing fails.
    fn issue(
        &self,
        user_id: UserId,
        session: &SessionId,
        now: Timestamp,
    ) -> Result<AccessToken, CryptoError>;

    /// Verifies signature, issuer and expiry and returns the claims, or `None` for any token
    /// that is not one of ours or has expired.
    fn verify(&self, token: &str) -> Option<AccessClaims>;
}

/// Random secrets for sessions.
pub trait SessionSecrets: Send + Sync {
    /// A fresh refresh token (at least 256 bits of entropy) and its digest.
    fn new_refresh_token(&self) -> (RefreshToken, TokenDigest);

    /// The digest a presented refresh token is looked up by.
    fn digest(&self, token: &str) -> TokenDigest;

    /// A fresh, unguessable session (family) id.
    fn new_session_id(&self) -> SessionId;
}
