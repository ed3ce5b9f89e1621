//! HS256 access tokens.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use switchboard_domain::Timestamp;
use switchboard_domain::accounts::model::{AccessClaims, AccessToken, SessionId};
use switchboard_domain::accounts::ports::AccessTokenCodec;
use switchboard_domain::error::CryptoError;
use switchboard_domain::users::model::UserId;

const ISSUER: &str = "switchboard";

/// The HMAC key for access tokens: at least 32 bytes, as RFC 7518 §3.2 requires for HS256.
#[derive(Clone)]
pub struct JwtSecret(Vec<u8>);

impl std::fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtSecret(**redacted**)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtSecretError {
    #[error("must be at least {min} bytes long (got {0})", min = JwtSecret::MIN_LEN)]
    TooShort(usize),
}

impl JwtSecret {
    pub const MIN_LEN: usize = 32;

    /// # Errors
    /// [`JwtSecretError::TooShort`] for fewer than [`JwtSecret::MIN_LEN`] bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, JwtSecretError> {
        let bytes = bytes.into();
        if bytes.len() < Self::MIN_LEN {
            return Err(JwtSecretError::TooShort(bytes.len()));
        }
        Ok(Self(bytes))
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    sid: String,
    iss: String,
    iat: i64,
    exp: i64,
}

/// Signs and verifies access tokens with HS256.
#[derive(Clone)]
pub struct JwtCodec {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    lifetime: chrono::Duration,
}

impl std::fmt::Debug for JwtCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtCodec")
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

impl JwtCodec {
    pub fn new(secret: &JwtSecret, lifetime: chrono::Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        // The access lifetime is the contract; no grace period on top of it.
        validation.leeway = 0;
        Self {
            encoding: EncodingKey::from_secret(&secret.0),
            decoding: DecodingKey::from_secret(&secret.0),
            validation,
            lifetime,
        }
    }
}

impl AccessTokenCodec for JwtCodec {
    fn issue(
        &self,
        user_id: UserId,
        session: &SessionId,
        now: Timestamp,
    ) -> Result<AccessToken, CryptoError> {
        let expires_at = now + self.lifetime;
        let claims = Claims {
            sub: user_id.0.to_string(),
            sid: session.0.clone(),
            iss: ISSUER.to_owned(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| CryptoError(format!("signing an access token failed: {e}")))?;
        Ok(AccessToken { token, expires_at })
    }

    fn verify(&self, token: &str) -> Option<AccessClaims> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        let claims = data.claims;
        Some(AccessClaims {
            user_id: UserId(claims.sub.parse().ok()?),
            session_id: SessionId(claims.sid),
            issued_at: chrono::DateTime::from_timestamp(claims.iat, 0)?,
            expires_at: chrono::DateTime::from_timestamp(claims.exp, 0)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codec(secret: &[u8]) -> JwtCodec {
        JwtCodec::new(
            &JwtSecret::new(secret.to_vec()).unwrap(),
            chrono::Duration::minutes(15),
        )
    }

    #[test]
    fn a_signed_token_verifies_with_its_claims() {
        let codec = codec(&[7u8; 32]);
        let now = chrono::Utc::now();
        let session = SessionId("s1".into());
        let token = codec.issue(UserId(42), &session, now).unwrap();
        let claims = codec.verify(&token.token).expect("own token verifies");
        assert_eq!(claims.user_id, UserId(42));
        assert_eq!(claims.session_id, session);
        assert_eq!(
            claims.expires_at.timestamp(),
            (now + chrono::Duration::minutes(15)).timestamp()
        );
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let now = chrono::Utc::now();
        let token = codec(&[1u8; 32])
            .issue(UserId(1), &SessionId("s".into()), now)
            .unwrap();
        assert_eq!(codec(&[2u8; 32]).verify(&token.token), None);
    }

    #[test]
    fn an_expired_or_tampered_token_is_refused() {
        let codec = codec(&[3u8; 32]);
        let long_ago = chrono::Utc::now() - chrono::Duration::hours(1);
        let expired = codec
            .issue(UserId(1), &SessionId("s".into()), long_ago)
            .unwrap();
        assert_eq!(codec.verify(&expired.token), None);

        let fresh = codec
            .issue(UserId(1), &SessionId("s".into()), chrono::Utc::now())
            .unwrap();
        let mut tampered = fresh.token.clone();
        tampered.pop();
        tampered.push(if fresh.token.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(codec.verify(&tampered), None);
        assert_eq!(codec.verify("not-a-jwt"), None);
    }

    #[test]
    fn short_secrets_are_refused() {
        assert_eq!(
            JwtSecret::new(vec![0u8; 31]).unwrap_err(),
            JwtSecretError::TooShort(31)
        );
    }
}
