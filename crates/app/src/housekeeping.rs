//! Background clean-up, so session tables do not grow without bound.

use std::time::Duration;

use switchboard_domain::accounts::ports::SessionRepository;
use switchboard_store::Store;

const EVERY: Duration = Duration::from_secs(3600);

/// Deletes expired refresh tokens and emptied sessions once an hour, starting now.
pub async fn purge_sessions_forever(store: Store) {
    let mut interval = tokio::time::interval(EVERY);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        match store.purge_expired(chrono::Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(tokens = n, "purged expired refresh tokens"),
            Err(e) => {
                tracing::warn!(error = %e, "purging expired refresh tokens failed; will retry")
            }
        }
    }
}
