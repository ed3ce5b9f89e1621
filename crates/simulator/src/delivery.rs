//! POSTing webhooks to the callback the way Meta does: ASCII-only JSON, signed over the exact
//! bytes sent, and for statuses retried until taken (within bounds).

use std::error::Error as _;
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use reqwest::header::CONTENT_TYPE;
use serde_json::Value;
use switchboard_whatsapp::signature::{signature_header, to_ascii_json};

/// Attempts at one status webhook before the simulator gives up on it.
const DELIVERY_ATTEMPTS: u32 = 5;
/// The wait after the first failed attempt, doubled after each further one.
const FIRST_RETRY_DELAY: Duration = Duration::from_millis(200);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Webhooks on their way at once. Meta paces its deliveries; without a bound, a burst of
/// messages at zero status delays opened thousands of connections at once, overran the
/// listener's backlog and lost status webhooks after their retries.
const MAX_IN_FLIGHT: usize = 64;

/// Why a webhook the simulator POSTed was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// The webhook answered, but not with a 2xx.
    #[error("the webhook answered {status}: {body}")]
    Rejected {
        /// The HTTP status code.
        status: u16,
        /// The response body, as text.
        body: String,
    },
    /// No answer: the connection failed, the request timed out, or the callback URL is invalid.
    #[error("the webhook could not be reached: {0}")]
    Unreachable(String),
    /// A customer's media message names media the simulator does not hold (never uploaded, or
    /// deleted).
    #[error("no media has id {0}; upload it first")]
    UnknownMedia(String),
    /// The simulator could not produce the webhook (no OS randomness for its message id, or a
    /// payload that would not serialise).
    #[error("the simulator could not build the webhook: {0}")]
    Internal(String),
}

/// The simulator's webhook HTTP client could not be built (e.g. its TLS backend failed to
/// initialise).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the WhatsApp simulator's webhook HTTP client")]
pub struct SetupError(#[source] reqwest::Error);

/// Where and how the simulator POSTs webhooks.
pub(super) struct Callback {
    client: reqwest::Client,
    app_secret: Vec<u8>,
    url: RwLock<String>,
    in_flight: tokio::sync::Semaphore,
}

impl Callback {
    pub(super) fn new(url: String, app_secret: Vec<u8>) -> Result<Self, SetupError> {
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            // Meta does not follow redirects: a redirecting webhook is a misconfigured one.
            .redirect(reqwest::redirect::Policy::none())
            // The callback is the desk's own webhook, on loopback or a private network in every
            // test set-up; an HTTP proxy from the environment must not sit between it and us.
            .no_proxy()
            // Keep a connection per delivery slot: a fresh connection per webhook cost both
            // ends a connect, an accept and a close, and at zero delays the status webhooks of
            // a burst of sends took a core. A pooled connection lives on the runtime that
            // opened it (the simulator is driven from several); one whose runtime has gone is
            // seen closed and not reused.
            .pool_max_idle_per_host(MAX_IN_FLIGHT)
            .build()
            .map_err(SetupError)?;
        Ok(Self {
            client,
            app_secret,
            url: RwLock::new(url),
            in_flight: tokio::sync::Semaphore::new(MAX_IN_FLIGHT),
        })
    }

    pub(super) fn url(&self) -> String {
        self.url
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(super) fn set_url(&self, url: String) {
        *self.url.write().unwrap_or_else(PoisonError::into_inner) = url;
    }

    /// Serialises `payload` as ASCII-only JSON, the form Meta signs.
    pub(super) fn body(payload: &Value) -> Result<String, DeliveryError> {
        to_ascii_json(payload).map_err(|error| DeliveryError::Internal(error.to_string()))
    }

    /// POSTs `body` once, signed, and reports whether it was taken.
    pub(super) async fn post(&self, body: &str) -> Result<(), DeliveryError> {
        let response = self
            .client
            .post(self.url())
            .header(CONTENT_TYPE, "application/json")
            .header(
                "X-Hub-Signature-256",
                signature_header(&self.app_secret, body.as_bytes()),
            )
            .body(body.to_owned())
            .send()
            .await
            .map_err(|error| DeliveryError::Unreachable(with_causes(&error)))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response
            .text()
            .await
            .unwrap_or_else(|error| format!("(body unreadable: {})", with_causes(&error)));
        Err(DeliveryError::Rejected {
            status: status.as_u16(),
            body,
        })
    }

    /// POSTs the webhook `build` makes until it is taken, with doubling waits in between, like
    /// Meta's at-least-once delivery but bounded; gives up with a warning. `what` names the
    /// webhook in the log.
    ///
    /// The body is made only once a slot among the [`MAX_IN_FLIGHT`] is free, and the request
    /// lives on the heap only while it is in flight: a burst of sends at zero status delays
    /// queues tens of thousands of webhooks here, and each waiting one should hold no more
    /// than what it is made from (holding its body and request state, 20,000 of them took
    /// 100 MB that the allocator then kept).
    pub(super) async fn post_with_retries(
        &self,
        build: impl FnOnce() -> Result<String, DeliveryError>,
        what: &str,
    ) {
        let mut build = Some(build);
        let mut body = String::new();
        let mut wait = FIRST_RETRY_DELAY;
        for attempt in 1..=DELIVERY_ATTEMPTS {
            let posted = {
                let Ok(_permit) = self.in_flight.acquire().await else {
                    return;
                };
                if let Some(build) = build.take() {
                    match build() {
                        Ok(built) => body = built,
                        Err(error) => {
                            tracing::warn!(%error, what, "simulator webhook not built");
                            return;
                        }
                    }
                }
                Box::pin(self.post(&body)).await
            };
            match posted {
                Ok(()) => return,
                Err(error) if attempt < DELIVERY_ATTEMPTS => {
                    tracing::debug!(%error, attempt, what, "simulator webhook not taken; retrying");
                    tokio::time::sleep(wait).await;
                    wait = wait.saturating_mul(2);
                }
                Err(error) => tracing::warn!(
                    %error,
                    attempts = DELIVERY_ATTEMPTS,
                    what,
                    "simulator webhook not taken; giving up"
                ),
            }
        }
    }
}

/// An error with its chain of causes: reqwest's own message ("error sending request") hides
/// whether the connection was refused or timed out.
fn with_causes(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
