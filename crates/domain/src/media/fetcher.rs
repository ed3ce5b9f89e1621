//! Downloading customers' files: look up, download (checksum checked by the gateway), store.

use std::sync::Arc;

use crate::clock::Clock;
use crate::error::RepoError;
use crate::media::ports::{MediaRepository, MediaStore, PendingMedia};
use crate::outbound::model::GatewayError;
use crate::outbound::ports::WhatsAppGateway;

use crate::live::ports::ChangeSignal;
use crate::outbound::dispatcher::RetryPolicy;

/// What one pass over the download queue did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MediaReport {
    pub stored: usize,
    pub retried: usize,
    pub failed: usize,
}

impl MediaReport {
    pub fn handled(&self) -> usize {
        self.stored + self.retried + self.failed
    }
}

/// Fetches pending media; run it in a loop (see the app's worker). A download that fails is
/// retried with the dispatcher's backoff; the message is never dropped, and after the last
/// attempt its media is marked failed.
#[derive(Clone)]
pub struct MediaFetcher {
    media: Arc<dyn MediaRepository>,
    gateway: Arc<dyn WhatsAppGateway>,
    store: Arc<dyn MediaStore>,
    changes: Arc<dyn ChangeSignal>,
    clock: Arc<dyn Clock>,
    policy: RetryPolicy,
}

impl std::fmt::Debug for MediaFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaFetcher")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// How long a claimed download stays this instance's: longer than looking the file up and
/// downloading it (each bounded by the Cloud API client's timeout, 15 s) and storing it. An
/// instance that dies holding a claim delays that file by this much.
const MEDIA_LEASE: chrono::Duration = chrono::Duration::minutes(2);

/// Where a message's file is kept.
pub fn media_key(message: crate::message::MessageId) -> String {
    format!("messages/{}", message.0)
}

impl MediaFetcher {
    pub fn new(
        media: Arc<dyn MediaRepository>,
        gateway: Arc<dyn WhatsAppGateway>,
        store: Arc<dyn MediaStore>,
        changes: Arc<dyn ChangeSignal>,
        clock: Arc<dyn Clock>,
        policy: RetryPolicy,
    ) -> Self {
        Self {
            media,
            gateway,
            store,
            changes,
            clock,
            policy,
        }
    }

    /// Downloads up to `limit` due files, each at most once.
    ///
    /// # Errors
    /// Storage failures; the files stay pending.
    pub async fn run_once(&self, limit: u32) -> Result<MediaReport, RepoError> {
        let mut report = MediaReport::default();
        let mut attempted = std::collections::HashSet::new();
        // One at a time: a claim must outlast only its own download, not a queue of them.
        for _ in 0..limit {
            let now = self.clock.now();
            let claimed = self
                .media
                .claim_pending_media(now, now + MEDIA_LEASE, 1)
                .await?;
            let Some(pending) = claimed.into_iter().next() else {
                break;
            };
            if !attempted.insert(pending.message_id) {
                // A download that failed in this pass and is due again at once: handed back
                // as due, for the next pass, rather than held for a lease.
                self.media
                    .media_retry(pending.message_id, pending.attempts, now, false, now)
                    .await?;
                break;
            }
            self.fetch(pending, &mut report).await?;
        }
        if report.stored + report.failed > 0 {
            self.changes.changed();
        }
        Ok(report)
    }

    async fn fetch(
        &self,
        pending: PendingMedia,
        report: &mut MediaReport,
    ) -> Result<(), RepoError> {
        let attempts = pending.attempts + 1;
        let outcome = async {
            let info = self.gateway.media_info(&pending.media_id).await?;
            let bytes = self.gateway.download_media(&info).await?;
            Ok::<_, GatewayError>((info, bytes))
        }
        .await;
        match outcome {
            Ok((info, bytes)) => {
                let key = media_key(pending.message_id);
                self.store.put(&key, &bytes).await?;
                self.media
                    .media_stored(
                        pending.message_id,
                        &key,
                        &info.mime_type,
                        bytes.len() as u64,
                        self.clock.now(),
                    )
                    .await?;
                report.stored += 1;
            }
            Err(error) => {
                let give_up = matches!(error, GatewayError::Permanent { .. })
                    || attempts >= self.policy.max_attempts;
                let hint = match &error {
                    GatewayError::Transient { retry_after, .. } => *retry_after,
                    GatewayError::Permanent { .. } => None,
                };
                let now = self.clock.now();
                let next = now + self.policy.delay(pending.message_id, attempts, hint);
                self.media
                    .media_retry(pending.message_id, attempts, next, give_up, now)
                    .await?;
                if give_up {
                    report.failed += 1;
                } else {
                    report.retried += 1;
                }
            }
        }
        Ok(())
    }
}
