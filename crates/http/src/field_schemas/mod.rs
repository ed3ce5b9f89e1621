//! OpenAPI schemas of the request fields the domain's parsers check, built from the domain's
//! own limits so the document states exactly what the server accepts.
//!
//! The parsers trim surrounding whitespace (Rust's `char::is_whitespace`) before they count, so
//! the patterns allow that whitespace around the value and count only what lies between; a
//! length limit of the raw string (`maxLength`) would be wrong there. The patterns use only
//! `\uXXXX` escapes and explicit classes, which read the same in ECMA-262, Python and Rust.
//! `tests` checks each pattern against the parser it describes.

use switchboard_domain::contacts::model::ContactQuery;
use switchboard_domain::media::model::MAX_CAPTION_CHARS;
use switchboard_domain::numbers::model::{E164, InboxName, MetaId};
use switchboard_domain::outbound::content::{
    MAX_EMOJI_CHARS, MAX_LANGUAGE_CODE, MAX_TEMPLATE_NAME, MAX_TEXT_CHARS, MAX_WAMID_BODY,
};
use switchboard_domain::users::model::{DisplayName, Password, Username};
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

#[cfg(test)]
mod tests;

/// `char::is_whitespace`, as a character-class body.
const WHITESPACE: &str = r"\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// `char::is_control` (Unicode Cc), as a character-class body.
const CONTROL: &str = r"\u0000-\u001f\u007f-\u009f";
/// Neither whitespace nor a control character, as a character class.
const VISIBLE: &str =
    r"[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";

fn string(nullable: bool) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(if nullable {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    })
}

/// A trimmed value of `inner`, with any whitespace around it.
fn trimmed(inner: &str) -> String {
    format!("^[{WHITESPACE}]*{inner}[{WHITESPACE}]*$")
}

/// The domain's `bounded_text(1, max)`: trimmed, 1 to `max` characters, no control characters.
fn bounded_text_pattern(max: usize) -> String {
    trimmed(&format!(
        "{VISIBLE}(?:[^{CONTROL}]{{0,{}}}{VISIBLE})?",
        max - 2
    ))
}

fn bounded_text(max: usize, nullable: bool, example: &str) -> Object {
    string(nullable)
        .description(Some(format!(
            "1 to {max} characters once surrounding whitespace is trimmed; no control characters."
        )))
        .min_length(Some(1))
        .pattern(Some(bounded_text_pattern(max)))
        .examples([example])
        .build()
}

pub(crate) fn display_name_or_null() -> Object {
    bounded_text(DisplayName::MAX_LEN, true, "Ana Lima")
}

/// A contact's name for the team: a display name, or blank (or `null`) to clear it.
fn name_or_blank_pattern(max: usize) -> String {
    trimmed(&format!(
        "(?:{VISIBLE}(?:[^{CONTROL}]{{0,{}}}{VISIBLE})?)?",
        max - 2
    ))
}

pub(crate) fn display_name_or_blank_or_null() -> Object {
    string(true)
        .description(Some(format!(
            "1 to {} characters once surrounding whitespace is trimmed, no control characters; \
             blank or `null` clears the name.",
            DisplayName::MAX_LEN
        )))
        .pattern(Some(name_or_blank_pattern(DisplayName::MAX_LEN)))
        .examples(["Ana (VIP)"])
        .build()
}

/// The domain's `ContactQuery::parse`: blank is no search, else a trimmed search text.
pub(crate) fn contact_query() -> Object {
    string(false)
        .description(Some(format!(
            "Part of the phone number, profile name or display name (case-insensitive): at \
             most {} characters once surrounding whitespace is trimmed, no control characters; \
             blank searches nothing.",
            ContactQuery::MAX_LEN
        )))
        .pattern(Some(name_or_blank_pattern(ContactQuery::MAX_LEN)))
        .examples(["ana"])
        .build()
}

pub(crate) fn inbox_name() -> Object {
    bounded_text(InboxName::MAX_LEN, false, "Support")
}

pub(crate) fn inbox_name_or_null() -> Object {
    bounded_text(InboxName::MAX_LEN, true, "Support")
}

fn username_pattern() -> String {
    trimmed(&format!(
        "[A-Za-z0-9._@-]{{{},{}}}",
        Username::MIN_LEN,
        Username::MAX_LEN
    ))
}

pub(crate) fn username() -> Object {
    string(false)
        .description(Some(format!(
            "{} to {} letters, digits, `.`, `_`, `-` or `@` (surrounding whitespace is ignored); \
             unique case-insensitively.",
            Username::MIN_LEN,
            Username::MAX_LEN
        )))
        .min_length(Some(Username::MIN_LEN))
        .pattern(Some(username_pattern()))
        .examples(["ana.lima"])
        .build()
}

fn password(nullable: bool) -> Object {
    string(nullable)
        .description(Some(format!(
            "{} to {} characters.",
            Password::MIN_LEN,
            Password::MAX_LEN
        )))
        .min_length(Some(Password::MIN_LEN))
        .max_length(Some(Password::MAX_LEN))
        .examples(["a long passphrase"])
        .build()
}

pub(crate) fn new_password() -> Object {
    password(false)
}

pub(crate) fn new_password_or_null() -> Object {
    password(true)
}

/// What `E164::parse` accepts: after trimming, `+` and 8 to 15 digits (the first not 0), with
/// spaces, dashes, dots and parentheses anywhere.
fn e164_pattern() -> String {
    let sep = "[ ().-]*";
    trimmed(&format!(
        r"{sep}\+{sep}[1-9](?:{sep}[0-9]){{{},{}}}{sep}",
        E164::MIN_DIGITS - 1,
        E164::MAX_DIGITS - 1
    ))
}

fn e164(nullable: bool) -> Object {
    string(nullable)
        .description(Some(format!(
            "E.164: `+`, then the country code and number, {} to {} digits in all, the first not \
             0; spaces, dashes, dots and parentheses are ignored.",
            E164::MIN_DIGITS,
            E164::MAX_DIGITS
        )))
        .pattern(Some(e164_pattern()))
        .examples(["+16505551234"])
        .build()
}

pub(crate) fn phone() -> Object {
    e164(false)
}

pub(crate) fn phone_or_null() -> Object {
    e164(true)
}

fn meta_id_pattern() -> String {
    trimmed(&format!("[0-9]{{1,{}}}", MetaId::MAX_DIGITS))
}

fn meta_id(nullable: bool) -> Object {
    string(nullable)
        .description(Some(format!(
            "Meta's numeric id: 1 to {} decimal digits.",
            MetaId::MAX_DIGITS
        )))
        .pattern(Some(meta_id_pattern()))
        .examples(["106540352242922"])
        .build()
}

pub(crate) fn meta_id_value() -> Object {
    meta_id(false)
}

pub(crate) fn meta_id_or_null() -> Object {
    meta_id(true)
}

/// Some character that is not whitespace (the pattern is not anchored).
fn not_blank_pattern() -> String {
    format!("[^{WHITESPACE}]")
}

/// A text message or a simulated customer's message.
pub(crate) fn message_text() -> Object {
    string(false)
        .description(Some(format!(
            "1 to {MAX_TEXT_CHARS} characters, not all whitespace."
        )))
        .min_length(Some(1))
        .max_length(Some(MAX_TEXT_CHARS))
        .pattern(Some(not_blank_pattern()))
        .examples(["Hi! How can we help?"])
        .build()
}

fn caption_schema(nullable: bool) -> Object {
    string(nullable)
        .description(Some(format!(
            "At most {MAX_CAPTION_CHARS} characters; images, videos and documents only. A blank \
             caption is none."
        )))
        .max_length(Some(MAX_CAPTION_CHARS))
        .build()
}

pub(crate) fn caption() -> Object {
    caption_schema(false)
}

pub(crate) fn caption_or_null() -> Object {
    caption_schema(true)
}

pub(crate) fn wamid_pattern() -> String {
    format!(r"^wamid\.[A-Za-z0-9+/=_-]{{1,{MAX_WAMID_BODY}}}$")
}

pub(crate) fn wamid() -> Object {
    string(false)
        .description(Some(
            "The `wamid` of the message reacted to: `wamid.` and its base64 id.",
        ))
        .pattern(Some(wamid_pattern()))
        .examples(["wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA="])
        .build()
}

pub(crate) fn emoji() -> Object {
    string(false)
        .description(Some(format!(
            "One emoji (at most {MAX_EMOJI_CHARS} characters, no letters, digits or control \
             characters); empty removes an earlier reaction."
        )))
        .max_length(Some(MAX_EMOJI_CHARS))
        .pattern(Some(format!("^[^A-Za-z0-9{CONTROL}]*$")))
        .examples(["\u{1f44d}"])
        .build()
}

pub(crate) fn template_name_pattern() -> String {
    format!("^[a-z0-9_]{{1,{MAX_TEMPLATE_NAME}}}$")
}

pub(crate) fn template_name() -> Object {
    string(false)
        .description(Some(format!(
            "An approved template's name: 1 to {MAX_TEMPLATE_NAME} lowercase letters, digits or \
             `_`."
        )))
        .min_length(Some(1))
        .max_length(Some(MAX_TEMPLATE_NAME))
        .pattern(Some(template_name_pattern()))
        .examples(["order_update"])
        .build()
}

pub(crate) fn language_code_pattern() -> String {
    format!("^[A-Za-z0-9_-]{{1,{MAX_LANGUAGE_CODE}}}$")
}

pub(crate) fn language_code() -> Object {
    string(false)
        .description(Some(format!(
            "The template's language code, such as `en_US`: 1 to {MAX_LANGUAGE_CODE} letters, \
             digits, `_` or `-`."
        )))
        .min_length(Some(1))
        .max_length(Some(MAX_LANGUAGE_CODE))
        .pattern(Some(language_code_pattern()))
        .examples(["en_US"])
        .build()
}

/// The most digits of each part of a cursor: 15 digits of milliseconds reach the year 33658,
/// inside what the server can represent, and 18 digits of an id stay inside `i64`.
pub(crate) const CURSOR_MILLIS_DIGITS: usize = 15;
pub(crate) const CURSOR_ID_DIGITS: usize = 18;

pub(crate) fn cursor_pattern() -> String {
    format!(r"^-?[0-9]{{1,{CURSOR_MILLIS_DIGITS}}}\.-?[0-9]{{1,{CURSOR_ID_DIGITS}}}$")
}

/// An optionally negative decimal of 1 to `max_digits` digits.
fn signed_digits(value: &str, max_digits: usize) -> Option<i64> {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let ok = (1..=max_digits).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| value.parse().ok()).flatten()
}

/// The two numbers of a cursor [`cursor_pattern`] matches.
pub(crate) fn cursor_parts(value: &str) -> Option<(i64, i64)> {
    let (millis, id) = value.split_once('.')?;
    Some((
        signed_digits(millis, CURSOR_MILLIS_DIGITS)?,
        signed_digits(id, CURSOR_ID_DIGITS)?,
    ))
}

pub(crate) fn cursor() -> Object {
    string(false)
        .description(Some(
            "The `next_cursor` of the previous page (opaque; `<millis>.<id>`).",
        ))
        .pattern(Some(cursor_pattern()))
        .examples(["1767225600000.42"])
        .build()
}

pub(crate) fn assignee_pattern() -> String {
    format!("^(?:me|unassigned|-?[0-9]{{1,{CURSOR_ID_DIGITS}}})$")
}

/// The user id of an `assignee` [`assignee_pattern`] matches (not `me` or `unassigned`).
pub(crate) fn assignee_user_id(value: &str) -> Option<i64> {
    signed_digits(value, CURSOR_ID_DIGITS)
}

pub(crate) fn assignee() -> Object {
    string(false)
        .description(Some("`me`, `unassigned`, or a user id."))
        .pattern(Some(assignee_pattern()))
        .examples(["me"])
        .build()
}
