//! Ports of contacts.
//!
//! Every store method is atomic: where one business step touches several records it is one
//! method, run by the adapter in one transaction.

use async_trait::async_trait;

use crate::Timestamp;
use crate::contacts::model::{Contact, ContactId, ContactWithNumbers};
use crate::error::RepoError;
use crate::numbers::model::BusinessNumberId;

/// Customers.
#[async_trait]
pub trait ContactRepository: Send + Sync {
    /// Up to `limit` contacts, ordered by id, that have a conversation on one of `numbers`
    /// (`None`: any), matching `query` (case-insensitive, in the phone number, WhatsApp id,
    /// profile name or display name) when given.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list_contacts(
        &self,
        numbers: Option<&[BusinessNumberId]>,
        query: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Contact>, RepoError>;

    /// A contact and the numbers it has conversations on.
    ///
    /// # Errors
    /// [`RepoError::NotFound`]; storage failures.
    async fn get_contact(&self, id: ContactId) -> Result<ContactWithNumbers, RepoError>;

    /// Sets (or with `None` clears) the name agents gave the contact.
    ///
    /// # Errors
    /// [`RepoError::NotFound`]; storage failures.
    async fn rename_contact(
        &self,
        id: ContactId,
        display_name: Option<&str>,
        now: Timestamp,
    ) -> Result<Contact, RepoError>;
}
