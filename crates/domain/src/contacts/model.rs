//! Contacts: customers, one per WhatsApp id.

use crate::Timestamp;
use crate::numbers::model::BusinessNumberId;

/// A contact's numeric id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContactId(pub i64);

/// A customer as WhatsApp identifies them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: ContactId,
    /// WhatsApp's id for the customer (digits of their number, no `+`).
    pub wa_id: String,
    /// E.164 form of the customer's number.
    pub phone: String,
    /// The name the customer set in WhatsApp, as last seen on a webhook.
    pub profile_name: Option<String>,
    /// The name agents gave the contact; shown instead of the profile name when set.
    pub display_name: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A contact and the business numbers it has conversations on: what decides who may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactWithNumbers {
    pub contact: Contact,
    pub numbers: Vec<BusinessNumberId>,
}
