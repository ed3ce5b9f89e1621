//! A customer, as every route that shows one answers it.

use serde::{Deserialize, Serialize};
use switchboard_domain::contacts::model::Contact;
use utoipa::ToSchema;

/// A customer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ContactDto {
    pub id: i64,
    /// WhatsApp's id for the customer (digits).
    #[schema(example = "16505551234")]
    pub wa_id: String,
    /// E.164.
    #[schema(example = "+16505551234")]
    pub phone: String,
    /// The name the customer set in WhatsApp.
    pub profile_name: Option<String>,
    /// The name agents gave the contact.
    pub display_name: Option<String>,
}

impl From<Contact> for ContactDto {
    fn from(c: Contact) -> Self {
        Self {
            id: c.id.0,
            wa_id: c.wa_id,
            phone: c.phone,
            profile_name: c.profile_name,
            display_name: c.display_name,
        }
    }
}
