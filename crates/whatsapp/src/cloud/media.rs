//! Checking downloaded media against the SHA-256 Meta gives.

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Whether `bytes` hash to `expected`, which Meta gives as hex or as base64 (the webhook and
/// the look-up have used both). The mock gateway checks its downloads with it too.
pub fn checksum_matches(bytes: &[u8], expected: &str) -> bool {
    let digest = Sha256::digest(bytes);
    let expected = expected.trim();
    if let Ok(raw) = hex::decode(expected) {
        return raw.as_slice() == digest.as_slice();
    }
    [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::URL_SAFE,
    ]
    .iter()
    .filter_map(|engine| engine.decode(expected).ok())
    .chain(
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(expected)
            .ok(),
    )
    .any(|raw| raw.as_slice() == digest.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_base64_checksums_are_both_understood() {
        let bytes = b"hello";
        let digest = Sha256::digest(bytes);
        assert!(checksum_matches(bytes, &hex::encode(digest)));
        assert!(checksum_matches(bytes, &hex::encode(digest).to_uppercase()));
        assert!(checksum_matches(
            bytes,
            &base64::engine::general_purpose::STANDARD.encode(digest)
        ));
        assert!(!checksum_matches(b"hellO", &hex::encode(digest)));
        assert!(!checksum_matches(bytes, "not a checksum"));
    }
}
