//! Refresh tokens and session ids from the operating system's CSPRNG.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use switchboard_domain::accounts::model::{RefreshToken, SessionId, TokenDigest};
use switchboard_domain::accounts::ports::SessionSecrets;

/// `len` random bytes from the OS.
///
/// # Panics
/// If the operating system has no randomness to give, which leaves nothing safe to do.
fn random_bytes(len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    bytes
}

/// `len` random bytes, hex-encoded (for generated secrets and passwords).
pub fn random_hex(len: usize) -> String {
    hex::encode(random_bytes(len))
}

/// Refresh tokens are 256 random bits, URL-safe base64; the store keeps their SHA-256. A
/// plain hash (not a slow one) is right here: the input has full entropy, so there is nothing
/// to brute-force.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomSecrets;

impl SessionSecrets for RandomSecrets {
    fn new_refresh_token(&self) -> (RefreshToken, TokenDigest) {
        let token = URL_SAFE_NO_PAD.encode(random_bytes(32));
        let digest = self.digest(&token);
        (RefreshToken(token), digest)
    }

    fn digest(&self, token: &str) -> TokenDigest {
        TokenDigest(hex::encode(Sha256::digest(token.as_bytes())))
    }

    fn new_session_id(&self) -> SessionId {
        SessionId(URL_SAFE_NO_PAD.encode(random_bytes(16)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_are_unique_and_stored_only_as_digests() {
        let secrets = RandomSecrets;
        let (a, digest_a) = secrets.new_refresh_token();
        let (b, _) = secrets.new_refresh_token();
        assert_ne!(a, b);
        assert_eq!(a.0.len(), 43, "32 bytes of URL-safe base64");
        assert_eq!(secrets.digest(&a.0), digest_a);
        assert!(!digest_a.0.contains(&a.0));
        assert_eq!(digest_a.0.len(), 64);
    }

    #[test]
    fn random_hex_has_the_requested_entropy() {
        assert_eq!(random_hex(32).len(), 64);
        assert_ne!(random_hex(32), random_hex(32));
    }
}
