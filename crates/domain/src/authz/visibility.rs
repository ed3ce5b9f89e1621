//! Who may see and work what, applied to stored records: the one place every slice asks, so
//! no slice re-implements the membership rules of [`super::Actor::access_to_number`].
//!
//! Membership is looked up on every call (never cached), so a removed member loses access at
//! once. Anything hidden from the caller is answered as missing, so its existence does not leak.

use std::sync::Arc;

use thiserror::Error;

use super::{Access, Actor};
use crate::conversation::model::{ConversationId, ConversationView};
use crate::conversation::ports::ConversationRepository;
use crate::error::RepoError;
use crate::numbers::model::BusinessNumberId;
use crate::numbers::ports::BusinessNumberRepository;

/// Why the caller may not have what they asked for.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum Refusal {
    /// The resource the caller named does not exist, or they may not see it.
    #[error("not found")]
    NotFound,
    /// The caller can see it but may not change it (viewers).
    #[error("forbidden")]
    Forbidden,
    /// The look-up failed; never a missing record (that is [`Refusal::NotFound`]).
    #[error(transparent)]
    Store(RepoError),
}

impl From<RepoError> for Refusal {
    /// Only for look-ups whose records must exist; a named resource's absence is mapped to
    /// [`Refusal::NotFound`] where it is looked up.
    fn from(e: RepoError) -> Self {
        Refusal::Store(e)
    }
}

/// `From<Refusal>` for a slice's error with `NotFound`, `Forbidden` and `Store(RepoError)`
/// variants, so every slice answers a refusal the same way. With `forbidden_is_hidden`, for
/// slices that only read: a refusal to change is then also "not visible".
macro_rules! refusal_into {
    ($error:ident) => {
        impl From<$crate::authz::visibility::Refusal> for $error {
            fn from(e: $crate::authz::visibility::Refusal) -> Self {
                use $crate::authz::visibility::Refusal;
                match e {
                    Refusal::NotFound => $error::NotFound,
                    Refusal::Forbidden => $error::Forbidden,
                    Refusal::Store(e) => $error::Store(e),
                }
            }
        }
    };
    ($error:ident, forbidden_is_hidden) => {
        impl From<$crate::authz::visibility::Refusal> for $error {
            fn from(e: $crate::authz::visibility::Refusal) -> Self {
                use $crate::authz::visibility::Refusal;
                match e {
                    Refusal::NotFound | Refusal::Forbidden => $error::NotFound,
                    Refusal::Store(e) => $error::Store(e),
                }
            }
        }
    };
}
pub(crate) use refusal_into;

/// The visibility rules over the number and conversation stores.
#[derive(Clone)]
pub struct Visibility {
    numbers: Arc<dyn BusinessNumberRepository>,
    conversations: Arc<dyn ConversationRepository>,
}

impl std::fmt::Debug for Visibility {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Visibility").finish_non_exhaustive()
    }
}

impl Visibility {
    pub fn new(
        numbers: Arc<dyn BusinessNumberRepository>,
        conversations: Arc<dyn ConversationRepository>,
    ) -> Self {
        Self {
            numbers,
            conversations,
        }
    }

    /// The caller's access to a number (admins need no membership look-up).
    ///
    /// # Errors
    /// Storage failures only; a missing number is [`Access::Hidden`] to non-admins.
    pub async fn access(
        &self,
        actor: &Actor,
        number: BusinessNumberId,
    ) -> Result<Access, RepoError> {
        let member = actor.is_admin() || self.numbers.is_member(number, actor.user_id).await?;
        Ok(actor.access_to_number(member))
    }

    /// The caller's access to a number they named, which must exist and be visible.
    ///
    /// # Errors
    /// [`Refusal::NotFound`] if the number does not exist or is hidden; storage failures.
    pub async fn named_number(
        &self,
        actor: &Actor,
        number: BusinessNumberId,
    ) -> Result<Access, Refusal> {
        match self.numbers.get_number(number).await {
            Ok(_) => {}
            Err(RepoError::NotFound) => return Err(Refusal::NotFound),
            Err(e) => return Err(Refusal::Store(e)),
        }
        match self.access(actor, number).await? {
            Access::Hidden => Err(Refusal::NotFound),
            access => Ok(access),
        }
    }

    /// Checks that the caller may read a number they named.
    ///
    /// # Errors
    /// As [`Visibility::named_number`].
    pub async fn readable_number(
        &self,
        actor: &Actor,
        number: BusinessNumberId,
    ) -> Result<(), Refusal> {
        self.named_number(actor, number).await.map(drop)
    }

    /// Checks that the caller may work (send, change) on a number they named.
    ///
    /// # Errors
    /// As [`Visibility::named_number`]; [`Refusal::Forbidden`] for viewers.
    pub async fn workable_number(
        &self,
        actor: &Actor,
        number: BusinessNumberId,
    ) -> Result<(), Refusal> {
        if self.named_number(actor, number).await?.can_work() {
            Ok(())
        } else {
            Err(Refusal::Forbidden)
        }
    }

    /// A conversation the caller named, if they may see it, with their access.
    ///
    /// # Errors
    /// [`Refusal::NotFound`] if it does not exist or is hidden; storage failures.
    pub async fn visible_conversation(
        &self,
        actor: &Actor,
        id: ConversationId,
    ) -> Result<(ConversationView, Access), Refusal> {
        let view = match self.conversations.get_conversation(id).await {
            Ok(view) => view,
            Err(RepoError::NotFound) => return Err(Refusal::NotFound),
            Err(e) => return Err(Refusal::Store(e)),
        };
        match self
            .access(actor, view.conversation.business_number_id)
            .await?
        {
            Access::Hidden => Err(Refusal::NotFound),
            access => Ok((view, access)),
        }
    }

    /// A conversation the caller named and may work on.
    ///
    /// # Errors
    /// As [`Visibility::visible_conversation`]; [`Refusal::Forbidden`] for viewers.
    pub async fn workable_conversation(
        &self,
        actor: &Actor,
        id: ConversationId,
    ) -> Result<ConversationView, Refusal> {
        let (view, access) = self.visible_conversation(actor, id).await?;
        if access.can_work() {
            Ok(view)
        } else {
            Err(Refusal::Forbidden)
        }
    }

    /// The numbers whose records the caller may see (`None`: all, for admins).
    ///
    /// # Errors
    /// Storage failures only.
    pub async fn number_scope(
        &self,
        actor: &Actor,
    ) -> Result<Option<Vec<BusinessNumberId>>, RepoError> {
        if actor.is_admin() {
            return Ok(None);
        }
        Ok(Some(
            self.numbers
                .list_numbers_of_member(actor.user_id)
                .await?
                .into_iter()
                .map(|n| n.id)
                .collect(),
        ))
    }

    /// Every number the caller may see, listed (admins: all of them).
    ///
    /// # Errors
    /// Storage failures only.
    pub async fn visible_numbers(&self, actor: &Actor) -> Result<Vec<BusinessNumberId>, RepoError> {
        let numbers = if actor.is_admin() {
            self.numbers.list_numbers().await?
        } else {
            self.numbers.list_numbers_of_member(actor.user_id).await?
        };
        Ok(numbers.into_iter().map(|n| n.id).collect())
    }

    /// The caller's best access to a contact that has conversations on `numbers`.
    ///
    /// # Errors
    /// Storage failures only; no visible number is [`Access::Hidden`].
    pub async fn contact_access(
        &self,
        actor: &Actor,
        numbers: &[BusinessNumberId],
    ) -> Result<Access, RepoError> {
        let mut best = if actor.is_admin() {
            Access::Manage
        } else {
            Access::Hidden
        };
        for &number in numbers {
            best = best.max_with(self.access(actor, number).await?);
        }
        Ok(best)
    }
}

#[cfg(test)]
#[path = "visibility_tests.rs"]
mod tests;
