//! Webhook signatures: the `X-Hub-Signature-256` header Meta puts on every webhook POST.
//!
//! Meta computes the HMAC over the payload with every non-ASCII character escaped as lowercase
//! `\uXXXX`, but may deliver the body with those characters as raw UTF-8. A receiver therefore
//! checks the raw bytes first and then the escaped form; a sender (our mock) avoids the question by
//! sending ASCII-only JSON and signing exactly the bytes it sends.

use std::fmt::Write as _;

use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha2::Sha256;

const PREFIX: &str = "sha256=";

/// Why a webhook signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The request carried no `X-Hub-Signature-256` header.
    #[error("the X-Hub-Signature-256 header is missing")]
    Missing,
    /// The header is not `sha256=` followed by 64 hex digits.
    #[error("the X-Hub-Signature-256 header is malformed: {0}")]
    Malformed(MalformedHeader),
    /// The header is well formed but the HMAC does not match the body.
    #[error("the webhook signature does not match the body")]
    Mismatch,
}

/// What exactly is wrong with a malformed signature header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MalformedHeader {
    /// The value does not start with `sha256=`.
    #[error("it does not start with `sha256=`")]
    Prefix,
    /// The digest is not 64 hex digits long (a SHA-256 HMAC is 32 bytes).
    #[error("the digest is not 64 hex digits long")]
    Length,
    /// The digest has the right length but contains a non-hex character.
    #[error("the digest is not hexadecimal")]
    Hex,
}

/// Checks the `X-Hub-Signature-256` header of a webhook POST against its raw body.
///
/// Hex case in the header is not significant. The comparison is constant time.
///
/// # Errors
/// [`SignatureError::Missing`] without a header, [`SignatureError::Malformed`] when the header is
/// not `sha256=<64 hex digits>`, [`SignatureError::Mismatch`] when neither the raw body nor its
/// escaped form (see [`escape_non_ascii`]) carries that HMAC under `app_secret`.
pub fn verify_signature(
    app_secret: &[u8],
    raw_body: &[u8],
    header: Option<&str>,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let digest = header
        .trim()
        .strip_prefix(PREFIX)
        .ok_or(SignatureError::Malformed(MalformedHeader::Prefix))?;
    if digest.len() != 64 {
        return Err(SignatureError::Malformed(MalformedHeader::Length));
    }
    let tag = hex::decode(digest).map_err(|_| SignatureError::Malformed(MalformedHeader::Hex))?;

    if keyed(app_secret, raw_body).verify_slice(&tag).is_ok() {
        return Ok(());
    }
    // Only a body with non-ASCII text can differ from the form Meta signed; a body that is not
    // UTF-8 is not JSON either, so it has no such form.
    match std::str::from_utf8(raw_body) {
        Ok(text) if !text.is_ascii() => keyed(app_secret, escape_non_ascii(text).as_bytes())
            .verify_slice(&tag)
            .map_err(|_| SignatureError::Mismatch),
        _ => Err(SignatureError::Mismatch),
    }
}

/// The `X-Hub-Signature-256` value for `body`: `sha256=` and the lowercase hex HMAC-SHA256.
pub fn signature_header(app_secret: &[u8], body: &[u8]) -> String {
    let tag = keyed(app_secret, body).finalize().into_bytes();
    format!("{PREFIX}{}", hex::encode(tag))
}

/// Meta's signing form of a payload: every non-ASCII character becomes a lowercase `\uXXXX`
/// escape (a UTF-16 surrogate pair above U+FFFF) and ASCII is left untouched.
///
/// This works on the text as it is rather than re-serialising the JSON, because re-serialising
/// could reorder keys or change number formatting and so change the bytes Meta signed. It is
/// only meaningful for JSON, where non-ASCII characters can occur inside strings alone.
pub fn escape_non_ascii(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + text.len() / 2);
    for character in text.chars() {
        if character.is_ascii() {
            escaped.push(character);
        } else {
            for unit in character.encode_utf16(&mut [0; 2]) {
                // Writing to a String cannot fail.
                let _ = write!(escaped, "\\u{unit:04x}");
            }
        }
    }
    escaped
}

/// Serialises `value` as ASCII-only JSON, the form our mock sends and signs, so that the bytes on
/// the wire and the bytes signed are the same whichever way a receiver checks them.
///
/// # Errors
/// Whatever [`serde_json::to_string`] reports for `value`.
pub fn to_ascii_json<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string(value).map(|json| escape_non_ascii(&json))
}

/// An HMAC-SHA256 over `data` under `key`, ready to finalise or verify.
pub(crate) fn keyed(key: &[u8], data: &[u8]) -> Hmac<Sha256> {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"app-secret-for-tests";

    #[test]
    fn signature_header_matches_rfc_4231_test_case_2() {
        assert_eq!(
            signature_header(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn signed_body_verifies() {
        let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
        let header = signature_header(SECRET, body);
        assert_eq!(verify_signature(SECRET, body, Some(&header)), Ok(()));
    }

    #[test]
    fn wrong_secret_is_a_mismatch() {
        let body = br#"{"entry":[]}"#;
        let header = signature_header(b"another-secret", body);
        assert_eq!(
            verify_signature(SECRET, body, Some(&header)),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn tampered_body_is_a_mismatch() {
        let header = signature_header(SECRET, br#"{"amount":1}"#);
        assert_eq!(
            verify_signature(SECRET, br#"{"amount":9}"#, Some(&header)),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn tampered_non_ascii_body_is_a_mismatch() {
        let header = signature_header(SECRET, escape_non_ascii("{\"body\":\"Café\"}").as_bytes());
        assert_eq!(
            verify_signature(SECRET, "{\"body\":\"Cafè\"}".as_bytes(), Some(&header)),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn body_signed_in_escaped_form_verifies_against_raw_utf8() {
        let raw = "{\"text\":{\"body\":\"Crème brûlée? 😀\"}}";
        let header = signature_header(SECRET, escape_non_ascii(raw).as_bytes());
        assert_eq!(
            verify_signature(SECRET, raw.as_bytes(), Some(&header)),
            Ok(())
        );
    }

    #[test]
    fn body_signed_in_raw_utf8_form_verifies() {
        let raw = "{\"text\":{\"body\":\"Crème brûlée? 😀\"}}";
        let header = signature_header(SECRET, raw.as_bytes());
        assert_eq!(
            verify_signature(SECRET, raw.as_bytes(), Some(&header)),
            Ok(())
        );
    }

    #[test]
    fn escaped_body_as_received_verifies() {
        let escaped = escape_non_ascii("{\"name\":\"José\"}");
        let header = signature_header(SECRET, escaped.as_bytes());
        assert_eq!(
            verify_signature(SECRET, escaped.as_bytes(), Some(&header)),
            Ok(())
        );
    }

    #[test]
    fn missing_header_is_reported() {
        assert_eq!(
            verify_signature(SECRET, b"{}", None),
            Err(SignatureError::Missing)
        );
    }

    #[test]
    fn header_without_sha256_prefix_is_malformed() {
        let digest = signature_header(SECRET, b"{}").replacen(PREFIX, "sha1=", 1);
        assert_eq!(
            verify_signature(SECRET, b"{}", Some(&digest)),
            Err(SignatureError::Malformed(MalformedHeader::Prefix))
        );
    }

    #[test]
    fn header_with_short_digest_is_malformed() {
        let mut header = signature_header(SECRET, b"{}");
        header.pop();
        assert_eq!(
            verify_signature(SECRET, b"{}", Some(&header)),
            Err(SignatureError::Malformed(MalformedHeader::Length))
        );
    }

    #[test]
    fn header_with_non_hex_digest_is_malformed() {
        let header = format!("{PREFIX}{}", "zz".repeat(32));
        assert_eq!(
            verify_signature(SECRET, b"{}", Some(&header)),
            Err(SignatureError::Malformed(MalformedHeader::Hex))
        );
    }

    #[test]
    fn uppercase_hex_digest_is_accepted() {
        let header = signature_header(SECRET, b"{}");
        let upper = format!("{PREFIX}{}", header[PREFIX.len()..].to_uppercase());
        assert_ne!(header, upper);
        assert_eq!(verify_signature(SECRET, b"{}", Some(&upper)), Ok(()));
    }

    #[test]
    fn emoji_escapes_as_lowercase_surrogate_pair() {
        assert_eq!(escape_non_ascii("😀"), "\\ud83d\\ude00");
    }

    #[test]
    fn escaping_leaves_ascii_alone_and_lowercases_hex() {
        assert_eq!(
            escape_non_ascii(r#"{"a":"Ébène \n\"x\"","b":1.50}"#),
            r#"{"a":"\u00c9b\u00e8ne \n\"x\"","b":1.50}"#
        );
    }

    #[test]
    fn ascii_json_round_trips_to_the_same_value() {
        let value = serde_json::json!({"body": "Olá 👋", "n": 3});
        let json = to_ascii_json(&value).unwrap();
        assert!(json.is_ascii());
        assert!(json.contains("Ol\\u00e1 \\ud83d\\udc4b"));
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&json).unwrap(),
            value
        );
    }
}
