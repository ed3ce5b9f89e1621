//! The dispatcher: sends queued messages through the gateway and records what came of it.

use std::sync::Arc;

use chrono::Duration;
use futures_util::stream::{self, StreamExt as _};

use crate::clock::Clock;
use crate::error::{ConflictKey, RepoError};
use crate::live::ports::ChangeSignal;
use crate::media::ports::MediaStore;
use crate::message::{DeliveryError, MessageId};
use crate::outbound::model::{GatewayError, OutboundContent};
use crate::outbound::ports::{DispatchItem, OutboxRepository, WhatsAppGateway};

/// How transient failures are retried: exponential backoff from `base`, capped at `max`, with
/// jitter, until `max_attempts` sends have failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub base: Duration,
    pub max: Duration,
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: Duration::seconds(1),
            max: Duration::minutes(5),
            max_attempts: 12,
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempts + 1` of `message`: `base * 2^(attempts-1)` capped at
    /// `max`, then scaled into its upper half by a jitter derived from the message id and the
    /// attempt, so messages that failed together do not retry together. Never shorter than
    /// the gateway's own hint.
    pub fn delay(
        &self,
        message: MessageId,
        attempts: u32,
        hint: Option<std::time::Duration>,
    ) -> Duration {
        let exponent = attempts.saturating_sub(1).min(30);
        let full = self
            .base
            .checked_mul(1 << exponent)
            .map_or(self.max, |d| d.min(self.max));
        // A multiplicative hash spreads (id, attempt) over 0..1024.
        let spread = (message.0 as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(u64::from(attempts).wrapping_mul(0xBF58_476D_1CE4_E5B9))
            >> 54;
        let millis = full.num_milliseconds();
        let jittered =
            Duration::milliseconds(millis / 2 + millis * i64::try_from(spread).unwrap_or(0) / 2048);
        let hint = hint
            .and_then(|h| Duration::from_std(h).ok())
            .unwrap_or_default();
        jittered.max(hint)
    }
}

/// What one pass over the queue did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DispatchReport {
    pub accepted: usize,
    pub failed: usize,
    pub retried: usize,
}

impl DispatchReport {
    pub fn handled(&self) -> usize {
        self.accepted + self.failed + self.retried
    }
}

/// How long a claim on a message lasts: longer than its media upload and its send may take
/// (each Cloud API request times out well within it), so a live dispatcher's claim never runs
/// out under it, and short enough that another instance soon takes over a dead one's.
const CLAIM: Duration = Duration::minutes(2);

/// Messages the dispatcher has in flight at once. They belong to different conversations (the
/// outbox hands out at most one per conversation), so each conversation's order holds; each
/// waits on the Cloud API and then on its own commit, and overlapping those waits is what keeps
/// a busy outbox moving.
const IN_FLIGHT: usize = 16;

/// How one message's attempt ended.
enum Handled {
    Accepted,
    Failed,
    Retried,
}

/// Sends due messages; run it in a loop (see the app's worker). A media message's file is
/// uploaded to WhatsApp first, once: the media id is recorded before the send, so a retried
/// send goes by that id.
#[derive(Clone)]
pub struct Dispatcher {
    outbox: Arc<dyn OutboxRepository>,
    changes: Arc<dyn ChangeSignal>,
    gateway: Arc<dyn WhatsAppGateway>,
    files: Arc<dyn MediaStore>,
    clock: Arc<dyn Clock>,
    policy: RetryPolicy,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl Dispatcher {
    pub fn new(
        outbox: Arc<dyn OutboxRepository>,
        gateway: Arc<dyn WhatsAppGateway>,
        files: Arc<dyn MediaStore>,
        changes: Arc<dyn ChangeSignal>,
        clock: Arc<dyn Clock>,
        policy: RetryPolicy,
    ) -> Self {
        Self {
            outbox,
            changes,
            gateway,
            files,
            clock,
            policy,
        }
    }

    /// Sends up to `limit` due messages, at most one per conversation and up to sixteen
    /// at once, and records each outcome: `accepted` with the WhatsApp id, `failed` with Meta's error, or a retry later.
    ///
    /// # Errors
    /// Storage failures; a message whose outcome could not be recorded stays queued and is
    /// sent again (the Cloud API may then see it twice: the price of never losing one).
    pub async fn run_once(&self, limit: u32) -> Result<DispatchReport, RepoError> {
        let now = self.clock.now();
        let due = self.outbox.claim_due(now, now + CLAIM, limit).await?;
        let outcomes: Vec<Result<Handled, RepoError>> = stream::iter(due)
            .map(|item| self.dispatch(item))
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
        let mut report = DispatchReport::default();
        let mut first_error = None;
        for outcome in outcomes {
            match outcome {
                Ok(Handled::Accepted) => report.accepted += 1,
                Ok(Handled::Failed) => report.failed += 1,
                Ok(Handled::Retried) => report.retried += 1,
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        if report.accepted + report.failed > 0 {
            self.changes.changed();
        }
        first_error.map_or(Ok(report), Err)
    }

    async fn dispatch(&self, mut item: DispatchItem) -> Result<Handled, RepoError> {
        let attempts = item.attempts + 1;
        // An upload failure counts as a failed attempt, retried or final like a send failure.
        let outcome = match self.upload_media(&mut item).await? {
            Ok(()) => self.gateway.send(&item.outbound).await,
            Err(error) => Err(error),
        };
        let handled = match outcome {
            Ok(accepted) => {
                match self
                    .outbox
                    .mark_accepted(item.message_id, &accepted.wamid, self.clock.now())
                    .await
                {
                    Err(RepoError::Conflict(ConflictKey::Wamid)) => {
                        let error = DeliveryError {
                            code: 0,
                            title: Some("duplicate WhatsApp message id".to_owned()),
                            details: Some(accepted.wamid),
                        };
                        self.outbox
                            .mark_failed(item.message_id, &error, self.clock.now())
                            .await?;
                        Handled::Failed
                    }
                    other => {
                        other?;
                        Handled::Accepted
                    }
                }
            }
            Err(GatewayError::Permanent {
                code,
                title,
                details,
            }) => {
                let error = DeliveryError {
                    code,
                    title: Some(title),
                    details,
                };
                self.outbox
                    .mark_failed(item.message_id, &error, self.clock.now())
                    .await?;
                Handled::Failed
            }
            Err(GatewayError::Transient { code, message, .. })
                if attempts >= self.policy.max_attempts =>
            {
                let error = DeliveryError {
                    code: code.unwrap_or(0),
                    title: Some(format!("gave up after {attempts} attempts")),
                    details: Some(message),
                };
                self.outbox
                    .mark_failed(item.message_id, &error, self.clock.now())
                    .await?;
                Handled::Failed
            }
            Err(GatewayError::Transient { retry_after, .. }) => {
                let next =
                    self.clock.now() + self.policy.delay(item.message_id, attempts, retry_after);
                self.outbox
                    .schedule_retry(item.message_id, attempts, next)
                    .await?;
                Handled::Retried
            }
        };
        Ok(handled)
    }

    /// Uploads a media message's file unless it already has a WhatsApp media id, and records
    /// the id (in the item and the store) before the send. The outer error is the store's; the
    /// inner one the gateway's (or a file the media store no longer has, which is permanent).
    async fn upload_media(
        &self,
        item: &mut DispatchItem,
    ) -> Result<Result<(), GatewayError>, RepoError> {
        let OutboundContent::Media {
            key,
            mime_type,
            filename,
            media_id,
            ..
        } = &mut item.outbound.content
        else {
            return Ok(Ok(()));
        };
        if media_id.is_some() {
            return Ok(Ok(()));
        }
        let bytes = match self.files.get(key).await {
            Ok(bytes) => bytes,
            Err(RepoError::NotFound) => {
                return Ok(Err(GatewayError::Permanent {
                    code: 0,
                    title: "the file to send is missing from the media store".to_owned(),
                    details: Some(key.clone()),
                }));
            }
            Err(other) => {
                return Ok(Err(GatewayError::Transient {
                    code: None,
                    message: format!("the file to send cannot be read: {other}"),
                    retry_after: None,
                }));
            }
        };
        match self
            .gateway
            .upload_media(&item.outbound.phone_number_id, &bytes, mime_type, filename)
            .await
        {
            Ok(id) => {
                self.outbox
                    .record_media_upload(item.message_id, &id)
                    .await?;
                *media_id = Some(id);
                Ok(Ok(()))
            }
            Err(error) => Ok(Err(error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn backoff_doubles_from_the_base_and_is_capped() {
        let policy = RetryPolicy::default();
        let first = policy.delay(MessageId(1), 1, None);
        assert!(
            first >= Duration::milliseconds(500) && first <= Duration::seconds(1),
            "{first}"
        );
        let fourth = policy.delay(MessageId(1), 4, None);
        assert!(
            fourth >= Duration::seconds(4) && fourth <= Duration::seconds(8),
            "{fourth}"
        );
        let late = policy.delay(MessageId(1), 40, None);
        assert!(
            late <= Duration::minutes(5) && late >= Duration::seconds(150),
            "{late}"
        );
    }

    #[test]
    fn the_gateway_hint_is_a_floor() {
        let policy = RetryPolicy::default();
        let hinted = policy.delay(MessageId(1), 1, Some(std::time::Duration::from_secs(30)));
        assert_eq!(hinted, Duration::seconds(30));
    }

    #[test]
    fn messages_failing_together_do_not_retry_together() {
        let policy = RetryPolicy::default();
        let delays: std::collections::HashSet<_> = (1..50)
            .map(|id| policy.delay(MessageId(id), 3, None))
            .collect();
        assert!(
            delays.len() > 25,
            "jitter spreads retries: {} distinct",
            delays.len()
        );
    }

    proptest! {
        #[test]
        fn delays_stay_within_half_and_all_of_the_capped_exponential(id in 0i64..1_000_000, attempts in 1u32..64) {
            let policy = RetryPolicy::default();
            let delay = policy.delay(MessageId(id), attempts, None);
            let full = policy.base.checked_mul(1 << attempts.saturating_sub(1).min(30)).map_or(policy.max, |d| d.min(policy.max));
            prop_assert!(delay >= full / 2 && delay <= full);
        }
    }
}
