//! The dashboard of one business number.

use std::sync::Arc;

use thiserror::Error;

use crate::authz::Actor;
use crate::authz::visibility::Visibility;
use crate::error::RepoError;
use crate::numbers::model::BusinessNumberId;
use crate::stats::model::Stats;
use crate::stats::ports::StatsRepository;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum StatsError {
    /// No such number, or the caller may not see it.
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Store(#[from] RepoError),
}

crate::authz::visibility::refusal_into!(StatsError, forbidden_is_hidden);

/// The dashboard's figures.
#[derive(Clone)]
pub struct Dashboard {
    stats: Arc<dyn StatsRepository>,
    visibility: Visibility,
}

impl std::fmt::Debug for Dashboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dashboard").finish_non_exhaustive()
    }
}

impl Dashboard {
    pub fn new(stats: Arc<dyn StatsRepository>, visibility: Visibility) -> Self {
        Self { stats, visibility }
    }

    /// The dashboard figures of a number the caller can see.
    ///
    /// # Errors
    /// [`StatsError::NotFound`] if missing or not visible; storage failures.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = actor.user_id.0, number = number.0))]
    pub async fn stats(
        &self,
        actor: &Actor,
        number: BusinessNumberId,
    ) -> Result<Stats, StatsError> {
        self.visibility.readable_number(actor, number).await?;
        Ok(self.stats.stats(number).await?)
    }
}
