//! Contacts: customers, one per WhatsApp id.

use crate::Timestamp;
use crate::numbers::model::BusinessNumberId;
use crate::validation::{FieldError, bounded_text};

/// What an agent searches contacts for: part of a phone number or a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactQuery(String);

impl ContactQuery {
    /// The longest search, in characters once surrounding whitespace is trimmed: longer than
    /// any phone number or name it could match.
    pub const MAX_LEN: usize = 100;

    /// A blank search is no search (`None`).
    ///
    /// # Errors
    /// A [`FieldError`] on `query` when too long or holding control characters (a NUL,
    /// which PostgreSQL cannot compare, among them).
    pub fn parse(raw: &str) -> Result<Option<Self>, FieldError> {
        if raw.trim().is_empty() {
            return Ok(None);
        }
        bounded_text("query", raw, 1, Self::MAX_LEN).map(|q| Some(Self(q)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_search_is_no_search_and_others_are_trimmed() {
        assert_eq!(ContactQuery::parse("   ").unwrap(), None);
        assert_eq!(
            ContactQuery::parse(" ann ").unwrap().unwrap().as_str(),
            "ann"
        );
    }

    #[test]
    fn a_search_with_a_nul_or_too_long_names_the_query_field() {
        for raw in ["ab\u{0}c", &"9".repeat(ContactQuery::MAX_LEN + 1)] {
            assert_eq!(ContactQuery::parse(raw).unwrap_err().field, "query");
        }
    }
}
