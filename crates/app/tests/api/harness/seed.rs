//! What a test asks the builder to seed, and the handles it gets back.

use switchboard_domain::numbers::model::BusinessNumberId;
use switchboard_domain::users::model::{Role, UserId};

use super::webhook::PHONE_NUMBER_ID;

/// A business number to connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberSpec {
    pub name: &'static str,
    pub phone: &'static str,
    pub phone_number_id: &'static str,
}

/// The number the webhook fixtures deliver to.
pub const SUPPORT: NumberSpec = NumberSpec {
    name: "Support",
    phone: "+15550783881",
    phone_number_id: PHONE_NUMBER_ID,
};

/// A second number, for tests of visibility across numbers.
pub const SALES: NumberSpec = NumberSpec {
    name: "Sales",
    phone: "+15550100999",
    phone_number_id: "222",
};

/// A user to create, with [`crate::common::PASSWORD`], and the numbers it is a member of.
#[derive(Debug, Clone)]
pub(super) struct UserSpec {
    pub username: String,
    pub role: Role,
    pub member_of: Vec<NumberSpec>,
}

/// A seeded user, signed in once at build time.
#[derive(Debug, Clone)]
pub struct SeededUser {
    pub id: i64,
    pub username: String,
    pub role: Role,
    /// An access token of a session opened at build time.
    pub token: String,
    /// That session's refresh token.
    pub refresh_token: String,
}

impl SeededUser {
    pub fn user_id(&self) -> UserId {
        UserId(self.id)
    }
}

/// A seeded business number.
#[derive(Debug, Clone)]
pub struct SeededNumber {
    pub id: i64,
    pub spec: NumberSpec,
}

impl SeededNumber {
    pub fn number_id(&self) -> BusinessNumberId {
        BusinessNumberId(self.id)
    }
}

/// Everything the builder seeded, found by name.
#[derive(Debug, Clone, Default)]
pub struct Seeded {
    pub users: Vec<SeededUser>,
    pub numbers: Vec<SeededNumber>,
}

impl Seeded {
    /// The seeded user called `username`; panics when there is none.
    pub fn user(&self, username: &str) -> &SeededUser {
        self.users
            .iter()
            .find(|u| u.username == username)
            .unwrap_or_else(|| panic!("no seeded user {username}"))
    }

    /// The first seeded admin.
    pub fn admin(&self) -> &SeededUser {
        self.users
            .iter()
            .find(|u| u.role == Role::Admin)
            .expect("an admin: seed one with `with_admin()`")
    }

    pub fn number(&self, spec: NumberSpec) -> &SeededNumber {
        self.numbers
            .iter()
            .find(|n| n.spec == spec)
            .unwrap_or_else(|| panic!("no seeded number {spec:?}"))
    }
}
