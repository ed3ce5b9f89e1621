//! Contacts as agents see them: only those with a conversation on one of their numbers.

use std::sync::Arc;

use thiserror::Error;

use crate::authz::visibility::Visibility;
use crate::authz::{Access, Actor};
use crate::clock::Clock;
use crate::contacts::model::{Contact, ContactId, ContactWithNumbers};
use crate::contacts::ports::ContactRepository;
use crate::error::{OrNotFound as _, RepoError};
use crate::users::model::DisplayName;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ContactsError {
    /// No such contact, or none of its numbers is the caller's.
    #[error("not found")]
    NotFound,
    /// The caller can see it but may not change it (viewers).
    #[error("viewers cannot change conversations or send messages")]
    Forbidden,
    #[error(transparent)]
    Store(#[from] RepoError),
}

/// Listing, viewing and renaming contacts.
#[derive(Clone)]
pub struct Contacts {
    contacts: Arc<dyn ContactRepository>,
    visibility: Visibility,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Contacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Contacts").finish_non_exhaustive()
    }
}

impl Contacts {
    pub fn new(
        contacts: Arc<dyn ContactRepository>,
        visibility: Visibility,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            contacts,
            visibility,
            clock,
        }
    }

    /// Contacts with a conversation on one of the caller's numbers, optionally matching a
    /// search.
    ///
    /// # Errors
    /// Storage failures only.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0, limit))]
    pub async fn list(
        &self,
        actor: &Actor,
        query: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Contact>, ContactsError> {
        let scope = self.visibility.number_scope(actor).await?;
        Ok(self
            .contacts
            .list_contacts(scope.as_deref(), query, limit)
            .await?)
    }

    /// A contact the caller named, if they can see it, with their best access among its
    /// numbers.
    async fn visible(
        &self,
        actor: &Actor,
        id: ContactId,
    ) -> Result<(Contact, Access), ContactsError> {
        let ContactWithNumbers { contact, numbers } = self
            .contacts
            .get_contact(id)
            .await
            .or_not_found(ContactsError::NotFound)?;
        match self.visibility.contact_access(actor, &numbers).await? {
            Access::Hidden => Err(ContactsError::NotFound),
            access => Ok((contact, access)),
        }
    }

    /// # Errors
    /// [`ContactsError::NotFound`] if missing or on none of the caller's numbers.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0, id = id.0))]
    pub async fn get(&self, actor: &Actor, id: ContactId) -> Result<Contact, ContactsError> {
        Ok(self.visible(actor, id).await?.0)
    }

    /// Sets or clears the name agents see for a contact.
    ///
    /// # Errors
    /// [`ContactsError::NotFound`]; [`ContactsError::Forbidden`] for viewers.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0, id = id.0))]
    pub async fn rename(
        &self,
        actor: &Actor,
        id: ContactId,
        display_name: Option<DisplayName>,
    ) -> Result<Contact, ContactsError> {
        let (_, access) = self.visible(actor, id).await?;
        if !access.can_work() {
            return Err(ContactsError::Forbidden);
        }
        self.contacts
            .rename_contact(
                id,
                display_name.as_ref().map(DisplayName::as_str),
                self.clock.now(),
            )
            .await
            // The contact was there a moment ago: gone now, it is as missing as if never there.
            .or_not_found(ContactsError::NotFound)
    }
}
