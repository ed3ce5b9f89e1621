//! Ports of user administration.
//!
//! Every store method is atomic: where one business step touches several records it is one
//! method, run by the adapter in one transaction.

use async_trait::async_trait;

use crate::Timestamp;
use crate::error::RepoError;
use crate::users::model::{
    DisplayName, PasswordHash, Role, User, UserCredentials, UserId, Username,
};

/// A user to insert, with the password already hashed.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub username: Username,
    pub display_name: DisplayName,
    pub role: Role,
    pub password_hash: PasswordHash,
}

/// An admin's change to a user, ready to store.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    pub display_name: Option<DisplayName>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub password_hash: Option<PasswordHash>,
    /// Revoke every session of the user in the same transaction (deactivation, password reset).
    pub revoke_sessions: bool,
}

/// Accounts.
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Inserts a new, active user.
    ///
    /// # Errors
    /// MUST return [`RepoError::Conflict`]`(`[`ConflictKey::Username`](crate::error::ConflictKey::Username)`)` when a user with the same
    /// case-insensitive username exists (enforced by a unique index, not a prior look-up);
    /// [`RepoError::Unavailable`] / [`RepoError::Unexpected`] on storage failure.
    async fn create_user(&self, user: UserRecord, now: Timestamp) -> Result<User, RepoError>;

    /// The user with this id, active or not.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if there is none; storage failures as usual.
    async fn get_user(&self, id: UserId) -> Result<User, RepoError>;

    /// The user and password hash for a case-folded username key, or `None`.
    ///
    /// # Errors
    /// Storage failures only; an unknown user is `Ok(None)`.
    async fn find_credentials(
        &self,
        username_key: &str,
    ) -> Result<Option<UserCredentials>, RepoError>;

    /// The password hash of a user.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if there is no such user; storage failures as usual.
    async fn password_hash(&self, id: UserId) -> Result<PasswordHash, RepoError>;

    /// Every user, ordered by id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list_users(&self) -> Result<Vec<User>, RepoError>;

    /// How many users exist (active or not); `0` means the install needs bootstrapping.
    ///
    /// # Errors
    /// Storage failures only.
    async fn count_users(&self) -> Result<u64, RepoError>;

    /// How many active admins exist.
    ///
    /// # Errors
    /// Storage failures only.
    async fn count_active_admins(&self) -> Result<u64, RepoError>;

    /// Applies `update` and, when it asks, revokes all of the user's sessions, in one
    /// transaction; bumps `updated_at` to `now`. A change of role or activity that would leave
    /// no active admin is refused inside that transaction, which MUST be serialised with every
    /// other such change, so that two admins demoting each other at once cannot both succeed.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if there is no such user; [`RepoError::Conflict`]`(`[`ConflictKey::LastAdmin`](crate::error::ConflictKey::LastAdmin)`)`
    /// (nothing changed) when no active admin would remain; storage failures as usual.
    async fn update_user(
        &self,
        id: UserId,
        update: UserUpdate,
        now: Timestamp,
    ) -> Result<User, RepoError>;
}
