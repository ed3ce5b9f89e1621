//! Business numbers: the WhatsApp numbers a business connects, each an inbox for its agents.

use std::fmt;

use crate::Timestamp;
use crate::users::model::UserId;
use crate::validation::{FieldError, bounded_text};

/// A business number's numeric id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BusinessNumberId(pub i64);

impl fmt::Display for BusinessNumberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A phone number in E.164 form: `+`, a country code that does not start with 0, at most
/// 15 digits in all.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct E164(String);

impl E164 {
    /// The fewest and most digits after the `+`.
    pub const MIN_DIGITS: usize = 8;
    pub const MAX_DIGITS: usize = 15;

    /// Parses an E.164 number. Spaces, dashes, dots and parentheses that people type for
    /// readability are removed first; nothing else is guessed (no national formats).
    ///
    /// # Errors
    /// A [`FieldError`] on `field` when the result is not `+` followed by 8 to 15 digits, the
    /// first of them not 0.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let compact: String = raw
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
            .collect();
        let invalid = || {
            FieldError::new(
                field,
                "must be an E.164 phone number: '+', then the country code and number, 8 to 15 digits (for example +14155550123)",
            )
        };
        let digits = compact.strip_prefix('+').ok_or_else(invalid)?;
        if !(Self::MIN_DIGITS..=Self::MAX_DIGITS).contains(&digits.len())
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || digits.starts_with('0')
        {
            return Err(invalid());
        }
        Ok(Self(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Meta's numeric id for a number registered on the Cloud API (`phone_number_id`), or for a
/// WhatsApp Business Account (`waba_id`): decimal digits only.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MetaId(String);

impl MetaId {
    /// The most digits an id has.
    pub const MAX_DIGITS: usize = 32;

    /// # Errors
    /// A [`FieldError`] on `field` unless the value is 1 to 32 decimal digits.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        if value.is_empty()
            || value.len() > Self::MAX_DIGITS
            || !value.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(FieldError::new(
                field,
                "must be Meta's numeric id: 1 to 32 decimal digits",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The inbox name agents see, 1 to 100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxName(String);

impl InboxName {
    /// The longest name, in characters once surrounding whitespace is trimmed.
    pub const MAX_LEN: usize = 100;

    /// # Errors
    /// A [`FieldError`] on `name` when empty, too long or holding control characters.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        bounded_text("name", raw, 1, Self::MAX_LEN).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A WhatsApp number connected to Switchboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessNumber {
    pub id: BusinessNumberId,
    pub name: String,
    pub display_phone_number: String,
    pub phone_number_id: String,
    pub waba_id: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What is needed to connect a number.
#[derive(Debug, Clone)]
pub struct NewBusinessNumber {
    pub name: InboxName,
    pub display_phone_number: E164,
    pub phone_number_id: MetaId,
    pub waba_id: Option<MetaId>,
}

/// A partial update; `None` leaves a field as it is. `waba_id: Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct BusinessNumberChanges {
    pub name: Option<InboxName>,
    pub display_phone_number: Option<E164>,
    pub phone_number_id: Option<MetaId>,
    pub waba_id: Option<Option<MetaId>>,
}

impl BusinessNumberChanges {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.display_phone_number.is_none()
            && self.phone_number_id.is_none()
            && self.waba_id.is_none()
    }
}

/// A user's membership of a business number's inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub business_number_id: BusinessNumberId,
    pub user_id: UserId,
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_accepts_international_numbers_and_strips_separators() {
        assert_eq!(
            E164::parse("n", "+1 (415) 555-0123").unwrap().as_str(),
            "+14155550123"
        );
        assert_eq!(
            E164::parse("n", "+491701234567").unwrap().as_str(),
            "+491701234567"
        );
    }

    #[test]
    fn e164_rejects_national_formats_and_bad_lengths() {
        for bad in [
            "14155550123",
            "+0123456789",
            "+1234567",
            "+1234567890123456",
            "+1415abc0123",
            "",
        ] {
            assert!(E164::parse("n", bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn meta_ids_are_digits_only() {
        assert!(MetaId::parse("phone_number_id", "106540352242922").is_ok());
        assert!(MetaId::parse("phone_number_id", "10654a").is_err());
        assert!(MetaId::parse("phone_number_id", "").is_err());
        assert!(MetaId::parse("phone_number_id", &"1".repeat(33)).is_err());
    }
}
