//! Business numbers (WhatsApp inboxes) and who belongs to them.

use std::sync::Arc;

use thiserror::Error;

use crate::authz::{Access, Actor};
use crate::clock::Clock;
use crate::error::{ConflictKey, OrNotFound as _, RepoError};
use crate::numbers::model::{
    BusinessNumber, BusinessNumberChanges, BusinessNumberId, Membership, NewBusinessNumber,
};
use crate::numbers::ports::BusinessNumberRepository;
use crate::users::model::{User, UserId};

#[derive(Debug, Error, PartialEq, Eq)]
pub enum BusinessNumberError {
    /// The caller can see the number (or the collection) but may not change it.
    #[error("only admins may manage business numbers")]
    Forbidden,
    /// No such number, or the caller may not see it.
    #[error("no such business number")]
    NotFound,
    /// The user to add as a member does not exist.
    #[error("no such user")]
    UserNotFound,
    /// The user is not a member of the number.
    #[error("the user is not a member of this business number")]
    NotAMember,
    /// Another number already has this value.
    #[error("another business number already has this {0}")]
    Duplicate(ConflictKey),
    #[error(transparent)]
    Store(RepoError),
}

impl From<RepoError> for BusinessNumberError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::Conflict(field) => Self::Duplicate(field),
            other => Self::Store(other),
        }
    }
}

/// A member of a number, with their account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberView {
    pub membership: Membership,
    pub user: User,
}

/// Business-number use cases.
#[derive(Clone)]
pub struct BusinessNumbers {
    numbers: Arc<dyn BusinessNumberRepository>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for BusinessNumbers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BusinessNumbers").finish_non_exhaustive()
    }
}

impl BusinessNumbers {
    pub fn new(numbers: Arc<dyn BusinessNumberRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { numbers, clock }
    }

    /// The caller's access to an existing number; hidden numbers are reported as not found.
    async fn access(
        &self,
        actor: &Actor,
        id: BusinessNumberId,
    ) -> Result<(BusinessNumber, Access), BusinessNumberError> {
        let number = self
            .numbers
            .get_number(id)
            .await
            .or_not_found(BusinessNumberError::NotFound)?;
        let is_member = actor.is_admin() || self.numbers.is_member(id, actor.user_id).await?;
        match actor.access_to_number(is_member) {
            Access::Hidden => Err(BusinessNumberError::NotFound),
            access => Ok((number, access)),
        }
    }

    async fn manageable(
        &self,
        actor: &Actor,
        id: BusinessNumberId,
    ) -> Result<BusinessNumber, BusinessNumberError> {
        let (number, access) = self.access(actor, id).await?;
        if access.can_manage() {
            Ok(number)
        } else {
            Err(BusinessNumberError::Forbidden)
        }
    }

    /// Admins see every number; others see the numbers they are members of.
    ///
    /// # Errors
    /// Storage failures only.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0))]
    pub async fn list(&self, actor: &Actor) -> Result<Vec<BusinessNumber>, BusinessNumberError> {
        Ok(if actor.is_admin() {
            self.numbers.list_numbers().await?
        } else {
            self.numbers.list_numbers_of_member(actor.user_id).await?
        })
    }

    /// # Errors
    /// [`BusinessNumberError::NotFound`] if it does not exist or the caller may not see it.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0, id = id.0))]
    pub async fn get(
        &self,
        actor: &Actor,
        id: BusinessNumberId,
    ) -> Result<BusinessNumber, BusinessNumberError> {
        Ok(self.access(actor, id).await?.0)
    }

    /// # Errors
    /// [`BusinessNumberError::Forbidden`] unless the caller is an admin;
    /// [`BusinessNumberError::Duplicate`] naming the colliding field.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0))]
    pub async fn create(
        &self,
        actor: &Actor,
        new: NewBusinessNumber,
    ) -> Result<BusinessNumber, BusinessNumberError> {
        if !actor.is_admin() {
            return Err(BusinessNumberError::Forbidden);
        }
        Ok(self.numbers.create_number(new, self.clock.now()).await?)
    }

    /// # Errors
    /// [`BusinessNumberError::NotFound`] if hidden or missing; [`BusinessNumberError::Forbidden`]
    /// if visible but the caller is not an admin; [`BusinessNumberError::Duplicate`].
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0, id = id.0))]
    pub async fn update(
        &self,
        actor: &Actor,
        id: BusinessNumberId,
        changes: BusinessNumberChanges,
    ) -> Result<BusinessNumber, BusinessNumberError> {
        let number = self.manageable(actor, id).await?;
        if changes.is_empty() {
            return Ok(number);
        }
        self.numbers
            .update_number(id, changes, self.clock.now())
            .await
            .or_not_found(BusinessNumberError::NotFound)
    }

    /// Members may see who else works the number (to hand a conversation over).
    ///
    /// # Errors
    /// [`BusinessNumberError::NotFound`] if hidden or missing.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0, id = id.0))]
    pub async fn members(
        &self,
        actor: &Actor,
        id: BusinessNumberId,
    ) -> Result<Vec<MemberView>, BusinessNumberError> {
        self.access(actor, id).await?;
        Ok(self
            .numbers
            .list_members(id)
            .await?
            .into_iter()
            .map(|(membership, user)| MemberView { membership, user })
            .collect())
    }

    /// Adds a member; adding an existing member changes nothing. Returns whether the
    /// membership is new.
    ///
    /// # Errors
    /// [`BusinessNumberError::NotFound`] / [`BusinessNumberError::Forbidden`] as for `update`;
    /// [`BusinessNumberError::UserNotFound`] if the user does not exist.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0, id = id.0, user = user.0))]
    pub async fn add_member(
        &self,
        actor: &Actor,
        id: BusinessNumberId,
        user: UserId,
    ) -> Result<bool, BusinessNumberError> {
        self.manageable(actor, id).await?;
        self.numbers
            .add_member(id, user, self.clock.now())
            .await
            .map_err(|e| match e {
                // The number was just seen, so a missing row is the user.
                RepoError::NotFound => BusinessNumberError::UserNotFound,
                other => other.into(),
            })
    }

    /// # Errors
    /// [`BusinessNumberError::NotFound`] / [`BusinessNumberError::Forbidden`] as for `update`;
    /// [`BusinessNumberError::NotAMember`] if the user was not a member.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0, id = id.0, user = user.0))]
    pub async fn remove_member(
        &self,
        actor: &Actor,
        id: BusinessNumberId,
        user: UserId,
    ) -> Result<(), BusinessNumberError> {
        self.manageable(actor, id).await?;
        self.numbers
            .remove_member(id, user)
            .await
            .map_err(|e| match e {
                RepoError::NotFound => BusinessNumberError::NotAMember,
                other => other.into(),
            })
    }
}
