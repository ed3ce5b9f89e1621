//! Credential adapters: argon2id password hashing ([`Argon2Hasher`]), HS256 JWT access tokens
//! ([`JwtCodec`]) and random refresh tokens stored as SHA-256 digests ([`RandomSecrets`]).

mod jwt;
mod password;
mod secrets;

pub use jwt::{JwtCodec, JwtSecret, JwtSecretError};
pub use password::{Argon2Hasher, HashCost};
pub use secrets::{RandomSecrets, random_hex};
