//! Ports of the dashboard.
//!
//! Every store method is atomic: where one business step touches several records it is one
//! method, run by the adapter in one transaction.

use async_trait::async_trait;

use crate::error::RepoError;
use crate::numbers::model::BusinessNumberId;
use crate::stats::model::Stats;

/// The dashboard's figures.
#[async_trait]
pub trait StatsRepository: Send + Sync {
    /// The dashboard figures of one number.
    ///
    /// # Errors
    /// Storage failures only.
    async fn stats(&self, number: BusinessNumberId) -> Result<Stats, RepoError>;
}
