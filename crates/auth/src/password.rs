//! argon2id password hashing, run on the blocking pool so it never stalls the async executor.

use std::sync::Arc;

use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use async_trait::async_trait;
use switchboard_domain::accounts::ports::PasswordHasher;
use switchboard_domain::error::CryptoError;
use switchboard_domain::users::model::{Password, PasswordHash};

/// How expensive a hash is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashCost {
    /// OWASP's argon2id recommendation: 19 MiB, 2 passes, 1 lane.
    Production,
    /// The smallest parameters argon2 allows, for tests that log in many times. Never use it
    /// for real passwords.
    InsecureFastForTests,
}

/// argon2id with a random 16-byte salt per hash, stored in PHC string format.
///
/// Each hash needs `m_cost` KiB (19 MiB in production), so hashing runs on its own pool of one
/// thread per core: a burst of logins queues instead of multiplying memory use, and the
/// allocator's per-thread arenas that keep those blocks stay few (on tokio's blocking pool,
/// 40 concurrent logins left the process at 450 MB; see the closing note of issue 2).
#[derive(Clone)]
pub struct Argon2Hasher {
    params: Params,
    pool: Arc<rayon::ThreadPool>,
    /// A hash of a random password made with the same parameters, verified against when the
    /// username is unknown so that path costs the same as a wrong password.
    dummy: Arc<str>,
}

impl std::fmt::Debug for Argon2Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Argon2Hasher")
            .field("m_cost", &self.params.m_cost())
            .field("t_cost", &self.params.t_cost())
            .finish_non_exhaustive()
    }
}

impl Argon2Hasher {
    /// # Panics
    /// Never: both parameter sets are valid constants.
    pub fn new(cost: HashCost) -> Self {
        #[allow(clippy::expect_used)]
        let params = match cost {
            HashCost::Production => Params::default(),
            HashCost::InsecureFastForTests => Params::new(Params::MIN_M_COST, 1, 1, None)
                .expect("minimal argon2 parameters are valid"),
        };
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let dummy_password = crate::random_hex(16);
        #[allow(clippy::expect_used)]
        let dummy = argon
            .hash_password(dummy_password.as_bytes())
            .expect("hashing a random password succeeds")
            .to_string();
        #[allow(clippy::expect_used)]
        let pool = rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("argon2-{i}"))
            .build()
            .expect("the operating system can start the hashing threads");
        Self {
            params,
            pool: Arc::new(pool),
            dummy: dummy.into(),
        }
    }

    /// Runs CPU- and memory-heavy hashing work on the hashing pool, off the async executor.
    async fn bounded<T: Send + 'static>(
        &self,
        work: impl FnOnce(Params) -> T + Send + 'static,
    ) -> Result<T, CryptoError> {
        let params = self.params.clone();
        let (done, result) = tokio::sync::oneshot::channel();
        self.pool.spawn(move || {
            // The receiver is gone only if the request was cancelled; nothing to tell then.
            let _ = done.send(work(params));
        });
        result
            .await
            .map_err(|e| CryptoError(format!("hashing task failed: {e}")))
    }

    fn argon(params: Params) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    fn verify_blocking(params: Params, password: &[u8], hash: &str) -> bool {
        // A malformed stored hash is a mismatch: the user cannot sign in until reset.
        Self::argon(params).verify_password(password, hash).is_ok()
    }
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, CryptoError> {
        let password = password.expose().to_owned();
        self.bounded(move |params| {
            Self::argon(params)
                .hash_password(password.as_bytes())
                .map(|h| PasswordHash(h.to_string()))
                .map_err(|e| CryptoError(format!("argon2 hashing failed: {e}")))
        })
        .await?
    }

    async fn verify(&self, password: &str, hash: &PasswordHash) -> bool {
        let password = password.to_owned();
        let hash = hash.0.clone();
        self.bounded(move |params| Self::verify_blocking(params, password.as_bytes(), &hash))
            .await
            .unwrap_or(false)
    }

    async fn verify_dummy(&self, password: &str) {
        let password = password.to_owned();
        let dummy = Arc::clone(&self.dummy);
        let _ = self
            .bounded(move |params| Self::verify_blocking(params, password.as_bytes(), &dummy))
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verify() {
        let hasher = Argon2Hasher::new(HashCost::InsecureFastForTests);
        let password = Password::parse("password", "correct horse battery").unwrap();
        let first = hasher.hash(&password).await.unwrap();
        let second = hasher.hash(&password).await.unwrap();
        assert!(first.0.starts_with("$argon2id$v=19$"), "{}", first.0);
        assert_ne!(first, second, "each hash has its own salt");
        assert!(hasher.verify("correct horse battery", &first).await);
        assert!(!hasher.verify("correct horse batterY", &first).await);
    }

    #[tokio::test]
    async fn a_malformed_stored_hash_never_verifies() {
        let hasher = Argon2Hasher::new(HashCost::InsecureFastForTests);
        assert!(!hasher.verify("x", &PasswordHash("not a hash".into())).await);
    }

    #[test]
    fn production_cost_uses_owasp_parameters() {
        let hasher = Argon2Hasher::new(HashCost::Production);
        assert_eq!(hasher.params.m_cost(), 19 * 1024);
        assert_eq!(hasher.params.t_cost(), 2);
        assert!(hasher.dummy.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    }
}
