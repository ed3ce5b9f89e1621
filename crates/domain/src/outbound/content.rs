//! What may be sent: the business rules of each kind of content, checked where it is made, so
//! the API's routes and the customer simulator refuse the same input with the same words.
//!
//! The limits are the Cloud API's own; breaking one here is a 422 before anything is queued,
//! rather than a failed message once Meta refuses it. Field names are the message object's
//! paths (`text.body`, `template.language.code`), as a client sends them.

use super::model::OutboundContent;
use crate::validation::FieldError;

/// The longest text message, in characters.
pub const MAX_TEXT_CHARS: usize = 4096;
/// The most characters of a reaction: one emoji can be several code points (skin tones,
/// flags, ZWJ sequences).
pub const MAX_EMOJI_CHARS: usize = 16;
/// The longest template name.
pub const MAX_TEMPLATE_NAME: usize = 512;
/// The longest template language code.
pub const MAX_LANGUAGE_CODE: usize = 16;
/// The most characters of a `wamid` after its `wamid.` prefix.
pub const MAX_WAMID_BODY: usize = 250;

/// A message's text: 1 to [`MAX_TEXT_CHARS`] characters, not all whitespace. Kept as written:
/// leading and trailing spaces can be the author's layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText(String);

impl MessageText {
    /// Checks `raw` as the text of the input field `field`.
    ///
    /// # Errors
    /// A [`FieldError`] on `field` when the text is blank, too long, or holds a NUL character
    /// (U+0000, which WhatsApp does not show and PostgreSQL cannot store).
    pub fn parse(field: &'static str, raw: String) -> Result<Self, FieldError> {
        if raw.trim().is_empty() || raw.chars().count() > MAX_TEXT_CHARS {
            return Err(FieldError::new(
                field,
                format!("must be 1 to {MAX_TEXT_CHARS} characters"),
            ));
        }
        if raw.contains('\0') {
            return Err(FieldError::new(
                field,
                "must not contain NUL characters (U+0000)",
            ));
        }
        Ok(Self(raw))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Whether `value` has the shape of a WhatsApp message id: `wamid.` and 1 to
/// [`MAX_WAMID_BODY`] characters of base64 (standard or URL-safe).
pub fn is_wamid(value: &str) -> bool {
    value.strip_prefix("wamid.").is_some_and(|id| {
        (1..=MAX_WAMID_BODY).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=_-".contains(&b))
    })
}

/// Whether `value` is a reaction: empty (removing one) or one emoji, which has no letters,
/// digits or control characters.
pub fn is_reaction_emoji(value: &str) -> bool {
    value.chars().count() <= MAX_EMOJI_CHARS
        && !value
            .chars()
            .any(|c| c.is_ascii_alphanumeric() || c.is_control())
}

/// Whether `value` can name an approved template: 1 to [`MAX_TEMPLATE_NAME`] lowercase
/// letters, digits or `_`, as Meta allows them.
pub fn is_template_name(value: &str) -> bool {
    (1..=MAX_TEMPLATE_NAME).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Whether `value` has the shape of a template language code such as `en_US`: 1 to
/// [`MAX_LANGUAGE_CODE`] letters, digits, `_` or `-`.
pub fn is_language_code(value: &str) -> bool {
    (1..=MAX_LANGUAGE_CODE).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl OutboundContent {
    /// Free text.
    ///
    /// # Errors
    /// A [`FieldError`] on `text.body` (see [`MessageText::parse`]).
    pub fn text(body: String) -> Result<Self, FieldError> {
        let body = MessageText::parse("text.body", body)?;
        Ok(Self::Text {
            body: body.into_string(),
        })
    }

    /// A reaction with `emoji` (empty removes an earlier one) to the message `message_id`.
    ///
    /// # Errors
    /// Every rejected field: `reaction.message_id` when it is not a wamid, `reaction.emoji`
    /// when it is not one emoji.
    pub fn reaction(message_id: String, emoji: String) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        if !is_wamid(&message_id) {
            errors.push(FieldError::new(
                "reaction.message_id",
                "must be a message's wamid",
            ));
        }
        if !is_reaction_emoji(&emoji) {
            errors.push(FieldError::new(
                "reaction.emoji",
                "must be one emoji, or empty to remove the reaction",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self::Reaction { message_id, emoji })
    }

    /// The approved template `name` in `language`, with the Cloud API's `components`
    /// (parameters, a JSON array as text) passed on as given: Meta checks them against the
    /// template it approved.
    ///
    /// # Errors
    /// Every rejected field: `template.name`, `template.language.code`, and
    /// `template.components` when a value in them holds a NUL character (U+0000, which
    /// PostgreSQL's jsonb cannot store).
    pub fn template(
        name: String,
        language: String,
        components_json: String,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        if !is_template_name(&name) {
            errors.push(FieldError::new(
                "template.name",
                format!("must be 1 to {MAX_TEMPLATE_NAME} lowercase letters, digits or '_'"),
            ));
        }
        if !is_language_code(&language) {
            errors.push(FieldError::new(
                "template.language.code",
                format!(
                    "must be a language code such as en_US: 1 to {MAX_LANGUAGE_CODE} letters, \
                     digits, '_' or '-'"
                ),
            ));
        }
        if json_holds_nul(&components_json) {
            errors.push(FieldError::new(
                "template.components",
                "must not contain NUL characters (U+0000)",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self::Template {
            name,
            language,
            components_json,
        })
    }
}

/// Whether JSON text holds the escape of a NUL character, `\u0000`: escapes only occur in
/// strings, and an escaped backslash followed by `u0000` is text, not a NUL.
fn json_holds_nul(json: &str) -> bool {
    let bytes = json.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes.get(i + 1) == Some(&b'u') && bytes.get(i + 2..i + 6) == Some(&b"0000"[..]) {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(errors: &[FieldError]) -> Vec<&'static str> {
        errors.iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_text_is_one_to_4096_characters_not_all_whitespace_and_kept_as_written() {
        assert_eq!(
            OutboundContent::text(" hi ".to_owned()),
            Ok(OutboundContent::Text {
                body: " hi ".to_owned()
            })
        );
        let longest = "é".repeat(MAX_TEXT_CHARS);
        assert!(
            OutboundContent::text(longest.clone()).is_ok(),
            "characters, not bytes"
        );
        for bad in [String::new(), " \n\t".to_owned(), format!("{longest}a")] {
            let error = OutboundContent::text(bad).unwrap_err();
            assert_eq!(error.field, "text.body");
            assert_eq!(error.message, "must be 1 to 4096 characters");
        }
    }

    #[test]
    fn a_text_with_a_nul_character_is_refused_naming_it() {
        let error = OutboundContent::text("a\0b".to_owned()).unwrap_err();
        assert_eq!(error.field, "text.body");
        assert!(error.message.contains("NUL"), "{}", error.message);
        assert!(OutboundContent::text("line\nbreak\ttab".to_owned()).is_ok());
    }

    #[test]
    fn a_simulated_customer_text_is_named_by_its_own_field() {
        assert_eq!(
            MessageText::parse("text", "".to_owned()).unwrap_err().field,
            "text"
        );
        assert_eq!(
            MessageText::parse("text", "yo".to_owned())
                .unwrap()
                .as_str(),
            "yo"
        );
    }

    #[test]
    fn a_reaction_is_one_emoji_or_none_to_a_wamid() {
        for emoji in ["\u{1f44d}", "", "\u{1f44d}\u{1f3fd}", "\u{1f1f5}\u{1f1f9}"] {
            assert!(
                OutboundContent::reaction("wamid.AbC+/=_-9".to_owned(), emoji.to_owned()).is_ok(),
                "{emoji:?}"
            );
        }
        let both = OutboundContent::reaction("msg-1".to_owned(), "ok".to_owned()).unwrap_err();
        assert_eq!(fields(&both), ["reaction.message_id", "reaction.emoji"]);
        let long = "\u{1f44d}".repeat(MAX_EMOJI_CHARS + 1);
        let error = OutboundContent::reaction("wamid.x".to_owned(), long).unwrap_err();
        assert_eq!(fields(&error), ["reaction.emoji"]);
        for id in [
            "wamid.".to_owned(),
            "wamid.a b".to_owned(),
            format!("wamid.{}", "a".repeat(MAX_WAMID_BODY + 1)),
        ] {
            assert!(!is_wamid(&id), "{id}");
        }
        assert!(is_wamid(&format!("wamid.{}", "a".repeat(MAX_WAMID_BODY))));
    }

    #[test]
    fn a_template_whose_components_hold_a_nul_names_the_components() {
        let nul = r#"[{"type":"body","parameters":[{"type":"text","text":"a\u0000b"}]}]"#;
        let error = OutboundContent::template("hello".to_owned(), "en".to_owned(), nul.to_owned())
            .unwrap_err();
        assert_eq!(fields(&error), ["template.components"]);
        // An escaped backslash before `u0000` is the text "\u0000", which is no NUL.
        let text = r#"[{"type":"body","parameters":[{"type":"text","text":"a\\u0000b"}]}]"#;
        assert!(
            OutboundContent::template("hello".to_owned(), "en".to_owned(), text.to_owned()).is_ok()
        );
    }

    #[test]
    fn a_template_needs_a_meta_shaped_name_and_language_and_keeps_its_components() {
        let template = OutboundContent::template(
            "order_update_2".to_owned(),
            "pt_BR".to_owned(),
            r#"[{"type":"body"}]"#.to_owned(),
        );
        assert_eq!(
            template,
            Ok(OutboundContent::Template {
                name: "order_update_2".to_owned(),
                language: "pt_BR".to_owned(),
                components_json: r#"[{"type":"body"}]"#.to_owned(),
            })
        );
        let both =
            OutboundContent::template("Order".to_owned(), "en US".to_owned(), "[]".to_owned())
                .unwrap_err();
        assert_eq!(fields(&both), ["template.name", "template.language.code"]);
        for name in [
            String::new(),
            "a".repeat(MAX_TEMPLATE_NAME + 1),
            "a-b".to_owned(),
        ] {
            assert!(!is_template_name(&name), "{name}");
        }
        assert!(is_template_name(&"a".repeat(MAX_TEMPLATE_NAME)));
        assert!(!is_language_code(&"e".repeat(MAX_LANGUAGE_CODE + 1)));
    }
}
