//! The store's health, for readiness probes (shared kernel).

use async_trait::async_trait;

use crate::error::RepoError;

/// The store's health.
#[async_trait]
pub trait HealthCheck: Send + Sync {
    /// Whether the database answers a trivial query.
    ///
    /// # Errors
    /// [`RepoError::Unavailable`] when it does not.
    async fn ping(&self) -> Result<(), RepoError>;
}
