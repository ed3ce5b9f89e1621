//! Ports of business numbers and their members.
//!
//! Every store method is atomic: where one business step touches several records it is one
//! method, run by the adapter in one transaction.

use async_trait::async_trait;

use crate::Timestamp;
use crate::error::RepoError;
use crate::numbers::model::{
    BusinessNumber, BusinessNumberChanges, BusinessNumberId, Membership, NewBusinessNumber,
};
use crate::users::model::{User, UserId};

/// Business numbers and their members.
#[async_trait]
pub trait BusinessNumberRepository: Send + Sync {
    /// Connects a number.
    ///
    /// # Errors
    /// MUST return [`RepoError::Conflict`] with [`ConflictKey::DisplayPhoneNumber`](crate::error::ConflictKey::DisplayPhoneNumber) or
    /// [`ConflictKey::PhoneNumberId`](crate::error::ConflictKey::PhoneNumberId) when another number already has it; storage failures as usual.
    async fn create_number(
        &self,
        number: NewBusinessNumber,
        now: Timestamp,
    ) -> Result<BusinessNumber, RepoError>;

    /// Applies a partial update.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if there is no such number; [`RepoError::Conflict`] as in
    /// [`BusinessNumberRepository::create_number`]; storage failures as usual.
    async fn update_number(
        &self,
        id: BusinessNumberId,
        changes: BusinessNumberChanges,
        now: Timestamp,
    ) -> Result<BusinessNumber, RepoError>;

    /// The number with this id.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if there is none; storage failures as usual.
    async fn get_number(&self, id: BusinessNumberId) -> Result<BusinessNumber, RepoError>;

    /// Every number, ordered by id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list_numbers(&self) -> Result<Vec<BusinessNumber>, RepoError>;

    /// The numbers `user` is a member of, ordered by id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list_numbers_of_member(&self, user: UserId) -> Result<Vec<BusinessNumber>, RepoError>;

    /// Whether `user` is a member of `number`.
    ///
    /// # Errors
    /// Storage failures only; a missing number or user is `Ok(false)`.
    async fn is_member(&self, number: BusinessNumberId, user: UserId) -> Result<bool, RepoError>;

    /// The members of a number with their user records, ordered by user id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list_members(
        &self,
        number: BusinessNumberId,
    ) -> Result<Vec<(Membership, User)>, RepoError>;

    /// Makes `user` a member of `number`; idempotent. Returns whether it was newly added.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if the number or the user does not exist; storage failures.
    async fn add_member(
        &self,
        number: BusinessNumberId,
        user: UserId,
        now: Timestamp,
    ) -> Result<bool, RepoError>;

    /// Removes a membership.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if there was no such membership; storage failures as usual.
    async fn remove_member(&self, number: BusinessNumberId, user: UserId) -> Result<(), RepoError>;
}
