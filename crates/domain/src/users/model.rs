//! Accounts: who can sign in, under which role.

use std::fmt;
use std::str::FromStr;

use crate::Timestamp;
use crate::validation::{FieldError, bounded_text};

/// A user's numeric id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub i64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A login name: 3 to 64 characters of ASCII letters, digits, `.`, `_`, `-` and `@`.
///
/// Usernames are unique case-insensitively: [`Username::key`] is the lower-cased form the
/// store indexes, while [`Username::as_str`] keeps the spelling the admin chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub const MIN_LEN: usize = 3;
    pub const MAX_LEN: usize = 64;

    /// Parses a username typed by a person; surrounding whitespace is ignored.
    ///
    /// # Errors
    /// A [`FieldError`] on `username` when the length or an allowed character is wrong.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        let len = value.chars().count();
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&len) {
            return Err(FieldError::new(
                "username",
                format!(
                    "must be {} to {} characters long",
                    Self::MIN_LEN,
                    Self::MAX_LEN
                ),
            ));
        }
        if !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
        {
            return Err(FieldError::new(
                "username",
                "may contain only letters, digits, '.', '_', '-' and '@'",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-folded form used for uniqueness and look-up.
    pub fn key(&self) -> String {
        username_key(&self.0)
    }
}

/// The case-folded look-up key for any username-like input, valid or not. Login uses it so an
/// unknown or malformed name is throttled and answered exactly like a known one.
///
/// A NUL becomes U+FFFD, as no username holds either: PostgreSQL's text cannot store a NUL,
/// and the key of a name typed with one is still stored to throttle its attempts.
pub fn username_key(raw: &str) -> String {
    raw.trim().to_ascii_lowercase().replace('\0', "\u{fffd}")
}

/// The name shown to colleagues: 1 to 100 characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// The longest name, in characters once surrounding whitespace is trimmed.
    pub const MAX_LEN: usize = 100;

    /// # Errors
    /// A [`FieldError`] on `display_name` when empty, too long or holding control characters.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        bounded_text("display_name", raw, 1, Self::MAX_LEN).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a user may do (design guide §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything, on every business number.
    Admin,
    /// Works the conversations of the business numbers they are a member of.
    Agent,
    /// Reads the conversations of the business numbers they are a member of; changes nothing.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Agent, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Agent => "agent",
            Role::Viewer => "viewer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text did not name a role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected admin, agent or viewer")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "admin" => Ok(Role::Admin),
            "agent" => Ok(Role::Agent),
            "viewer" => Ok(Role::Viewer),
            other => Err(UnknownRole(other.to_owned())),
        }
    }
}

/// A new password in plain text, checked against the password policy. It never appears in
/// `Debug` output, so it cannot leak into logs by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// NIST SP 800-63B: at least 8 characters, no composition rules.
    pub const MIN_LEN: usize = 8;
    /// Bounds the hashing work one request can cause.
    pub const MAX_LEN: usize = 256;

    /// Checks a password chosen by a person against the policy.
    ///
    /// # Errors
    /// A [`FieldError`] on `field` when shorter than [`Password::MIN_LEN`] or longer than
    /// [`Password::MAX_LEN`] characters.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let len = raw.chars().count();
        if len < Self::MIN_LEN {
            return Err(FieldError::new(
                field,
                format!("must be at least {} characters", Self::MIN_LEN),
            ));
        }
        if len > Self::MAX_LEN {
            return Err(FieldError::new(
                field,
                format!("must be at most {} characters", Self::MAX_LEN),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// Wraps a password the operator set through configuration, which may be weaker than the
    /// policy (the local `admin`/`admin` account). Callers warn about it.
    pub fn from_operator(raw: &str) -> Self {
        Self(raw.to_owned())
    }

    /// Whether it would pass [`Password::parse`].
    pub fn meets_policy(&self) -> bool {
        Self::parse("password", &self.0).is_ok()
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(**redacted**)")
    }
}

/// A password hash in PHC string format (`$argon2id$...`).
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(pub String);

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// A deactivated user cannot sign in and every token they hold stops working.
    pub active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A user as the store keeps it, with the password hash.
#[derive(Debug, Clone)]
pub struct UserCredentials {
    pub user: User,
    pub password_hash: PasswordHash,
}

/// What is needed to create a user.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Username,
    pub display_name: DisplayName,
    pub role: Role,
    pub password: Password,
}

/// A partial update of a user by an admin; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub display_name: Option<DisplayName>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub password: Option<Password>,
}

impl UserChanges {
    pub fn is_empty(&self) -> bool {
        self.display_name.is_none()
            && self.role.is_none()
            && self.active.is_none()
            && self.password.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_keeps_spelling_but_keys_case_insensitively() {
        let name = Username::parse("  Alice.Smith ").unwrap();
        assert_eq!(name.as_str(), "Alice.Smith");
        assert_eq!(name.key(), "alice.smith");
        assert_eq!(Username::parse("ALICE.SMITH").unwrap().key(), name.key());
    }

    #[test]
    fn username_rejects_bad_length_and_characters() {
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse(&"a".repeat(65)).is_err());
        assert!(Username::parse("has space").is_err());
        assert!(Username::parse("émile").is_err());
        assert!(Username::parse("agent-1@example.com").is_ok());
    }

    #[test]
    fn role_round_trips_through_text() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("root".parse::<Role>().is_err());
        assert!("Admin".parse::<Role>().is_err());
    }

    #[test]
    fn password_policy_bounds_length_in_characters() {
        assert!(Password::parse("password", "short").is_err());
        assert!(Password::parse("password", "eight ch").is_ok());
        assert!(Password::parse("password", "ééééééé").is_err());
        assert!(Password::parse("password", &"x".repeat(257)).is_err());
        assert!(!Password::from_operator("admin").meets_policy());
    }

    #[test]
    fn password_debug_never_shows_the_secret() {
        let password = Password::parse("password", "correct horse").unwrap();
        assert!(!format!("{password:?}").contains("horse"));
    }

    #[test]
    fn display_name_is_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse("  Ann ").unwrap().as_str(), "Ann");
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"x".repeat(101)).is_err());
        assert!(DisplayName::parse("bad\u{7}bell").is_err());
    }
}
