//! User administration (admins only).

use std::sync::Arc;

use thiserror::Error;

use crate::accounts::ports::PasswordHasher;
use crate::authz::Actor;
use crate::clock::Clock;
use crate::error::{ConflictKey, CryptoError, OrNotFound as _, RepoError};
use crate::users::model::{NewUser, Role, User, UserChanges, UserId};
use crate::users::ports::{UserRecord, UserRepository, UserUpdate};

#[derive(Debug, Error, PartialEq, Eq)]
pub enum UserAdminError {
    /// The caller is not an admin.
    #[error("only admins may manage users")]
    Forbidden,
    #[error("no such user")]
    NotFound,
    /// Another user has the same username, compared case-insensitively.
    #[error("the username is already taken")]
    UsernameTaken,
    /// The change would leave no active admin to administer the install.
    #[error("the last active admin cannot be demoted or deactivated")]
    LastAdmin,
    /// Hashing or signing failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error(transparent)]
    Store(RepoError),
}

impl From<RepoError> for UserAdminError {
    fn from(e: RepoError) -> Self {
        Self::Store(e)
    }
}

/// Creating, listing and changing users.
#[derive(Clone)]
pub struct UserAdmin {
    users: Arc<dyn UserRepository>,
    hasher: Arc<dyn PasswordHasher>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for UserAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserAdmin").finish_non_exhaustive()
    }
}

impl UserAdmin {
    pub fn new(
        users: Arc<dyn UserRepository>,
        hasher: Arc<dyn PasswordHasher>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            users,
            hasher,
            clock,
        }
    }

    fn require_admin(actor: &Actor) -> Result<(), UserAdminError> {
        if actor.is_admin() {
            Ok(())
        } else {
            Err(UserAdminError::Forbidden)
        }
    }

    /// # Errors
    /// [`UserAdminError::Forbidden`] unless the actor is an admin.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0))]
    pub async fn list(&self, actor: &Actor) -> Result<Vec<User>, UserAdminError> {
        Self::require_admin(actor)?;
        Ok(self.users.list_users().await?)
    }

    /// # Errors
    /// [`UserAdminError::Forbidden`] unless the actor is an admin; [`UserAdminError::NotFound`].
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0, id = id.0))]
    pub async fn get(&self, actor: &Actor, id: UserId) -> Result<User, UserAdminError> {
        Self::require_admin(actor)?;
        self.users
            .get_user(id)
            .await
            .or_not_found(UserAdminError::NotFound)
    }

    /// # Errors
    /// [`UserAdminError::Forbidden`] unless the actor is an admin;
    /// [`UserAdminError::UsernameTaken`].
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0))]
    pub async fn create(&self, actor: &Actor, new: NewUser) -> Result<User, UserAdminError> {
        Self::require_admin(actor)?;
        self.create_unchecked(new).await
    }

    /// Creates a user without an acting admin: for the first-run bootstrap and the operator's
    /// `create-user` command, which run with the host's authority.
    ///
    /// # Errors
    /// [`UserAdminError::UsernameTaken`]; storage failures.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_unchecked(&self, new: NewUser) -> Result<User, UserAdminError> {
        let password_hash = self.hasher.hash(&new.password).await?;
        let record = UserRecord {
            username: new.username,
            display_name: new.display_name,
            role: new.role,
            password_hash,
        };
        self.users
            .create_user(record, self.clock.now())
            .await
            .map_err(|e| match e {
                RepoError::Conflict(ConflictKey::Username) => UserAdminError::UsernameTaken,
                other => other.into(),
            })
    }

    /// Applies an admin's changes. Deactivating a user or resetting their password signs them
    /// out everywhere at once.
    ///
    /// # Errors
    /// [`UserAdminError::Forbidden`] unless the actor is an admin; [`UserAdminError::NotFound`];
    /// [`UserAdminError::LastAdmin`] if the change would leave no active admin.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0, id = id.0))]
    pub async fn update(
        &self,
        actor: &Actor,
        id: UserId,
        changes: UserChanges,
    ) -> Result<User, UserAdminError> {
        Self::require_admin(actor)?;
        let current = self
            .users
            .get_user(id)
            .await
            .or_not_found(UserAdminError::NotFound)?;
        if changes.is_empty() {
            return Ok(current);
        }
        let loses_admin = current.active
            && current.role == Role::Admin
            && (changes.active == Some(false)
                || changes.role.is_some_and(|role| role != Role::Admin));
        // Answered early when plainly so; the store's check, in the same transaction as the
        // change, is what holds when two admins demote each other at the same moment.
        if loses_admin && self.users.count_active_admins().await? <= 1 {
            return Err(UserAdminError::LastAdmin);
        }
        let password_hash = match &changes.password {
            Some(password) => Some(self.hasher.hash(password).await?),
            None => None,
        };
        let revoke_sessions = changes.active == Some(false) || password_hash.is_some();
        let update = UserUpdate {
            display_name: changes.display_name,
            role: changes.role,
            active: changes.active,
            password_hash,
            revoke_sessions,
        };
        self.users
            .update_user(id, update, self.clock.now())
            .await
            .map_err(|e| match e {
                RepoError::Conflict(ConflictKey::LastAdmin) => UserAdminError::LastAdmin,
                RepoError::NotFound => UserAdminError::NotFound,
                other => other.into(),
            })
    }
}
