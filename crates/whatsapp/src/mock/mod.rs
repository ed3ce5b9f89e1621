//! The mock Cloud API provider, used when `SWITCHBOARD_WHATSAPP_PROVIDER=mock` (the default).
//!
//! [`MockGateway`] implements the domain's [`WhatsAppGateway`] port and behaves like the Cloud
//! API, so that the path a developer tests locally is the path production runs: it checks a
//! message as Meta does, answers with a fresh `wamid.…` id, and then, without holding up the
//! caller, POSTs Cloud-API-shaped status webhooks for it (`sent`, `delivered`, `read`, or
//! `failed`) to our own webhook: ASCII-only JSON, signed in `X-Hub-Signature-256` with the app
//! secret. [`MockGateway::deliver_inbound`] plays a customer writing in, for the simulator.
//!
//! # Test numbers
//!
//! The last four digits of the recipient choose what happens, deterministically:
//!
//! | recipient ends in | `send` answers | status webhooks that follow |
//! |---|---|---|
//! | `0000` | permanent error 131026 "Message undeliverable" | none |
//! | `0047` | accepted | text: one `failed` with 131047 "Re-engagement message" (the 24-hour window had closed); template: `sent`, `delivered`, `read` |
//! | `0429` | the first two sends to that recipient: transient error 130429 "Rate limit hit", retry after 1 s; later sends: accepted | `sent`, `delivered`, `read` |
//! | `0500` | transient error 131000 "Something went wrong", every time | none |
//! | `0002` | accepted | `sent`, `read` (`delivered` skipped, as Meta may do) |
//! | anything else | accepted | `sent`, `delivered`, `read` |
//!
//! The statuses come after the delays of [`MockSettings::status_delays`], each counted from the
//! previous one (a `failed` after the first; a `read` that skips `delivered` after the sum of the
//! last two). Before any of that, a message is checked like the Cloud API does:
//!
//! | invalid message | permanent error |
//! |---|---|
//! | `to` not 7 to 15 digits (after an optional `+`) | 100 "Invalid parameter" |
//! | empty text body, or over 4096 characters | 100 "Invalid parameter" |
//! | template with an empty name | 132001 "Template name does not exist in the translation" |
//! | template with an empty language, or components that are not a JSON array | 100 "Invalid parameter" |
//!
//! # Delivery
//!
//! Status webhooks are delivered at least once, like Meta's: a webhook that gets no 2xx answer
//! is retried 4 more times, 200 ms after the first attempt and doubling, then dropped with a
//! warning; the next status of the message follows as planned either way.
//!
//! # Runtime
//!
//! The mock needs a tokio runtime (actix-rt's is one): [`MockGateway::send`] spawns the status
//! webhooks onto the runtime it is called on and answers a transient error when there is none,
//! and its HTTP client runs on tokio.

mod delivery;
mod scenario;
mod settings;
mod wire;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use switchboard_domain::gateway::{Accepted, GatewayError, OutboundMessage};
use switchboard_domain::ports::WhatsAppGateway;

pub use delivery::{MockDeliveryError, MockSetupError};
pub use settings::{MockSettings, parse_status_delays};

use delivery::Callback;
use scenario::{Report, TestNumber};
use wire::{Category, Metadata, Tracked};

/// The business number a fresh install in mock mode gets, so a new user can try the product
/// at once. The phone number is in the 555-01xx range reserved for fiction; the ids only need
/// to look like Meta's (decimal digits).
#[derive(Debug, Clone, Copy)]
pub struct DemoNumber {
    pub name: &'static str,
    pub display_phone_number: &'static str,
    pub phone_number_id: &'static str,
    pub waba_id: &'static str,
}

pub const DEMO_NUMBER: DemoNumber = DemoNumber {
    name: "Demo inbox (mock WhatsApp)",
    display_phone_number: "+15550100001",
    phone_number_id: "100000000000001",
    waba_id: "200000000000001",
};

/// A text message a customer sends to one of our business numbers, as the simulator plays it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatedInbound {
    /// Meta's id of the business number written to.
    pub phone_number_id: String,
    /// The business number as customers see it; any `+`, spaces or dashes are dropped, as Meta
    /// writes it in digits only.
    pub display_phone_number: String,
    /// The customer's WhatsApp id (their number, digits only).
    pub from: String,
    /// The customer's WhatsApp profile name, if they share one.
    pub name: Option<String>,
    /// The message text.
    pub text: String,
}

/// The mock WhatsApp Cloud API; see the [module docs](self) for how it answers.
///
/// All mock numbers belong to one WhatsApp Business Account, [`DEMO_NUMBER`]'s.
pub struct MockGateway {
    callback: Arc<Callback>,
    status_delays: [Duration; 3],
    /// Display phone numbers (digits only) by phone number id.
    numbers: Mutex<HashMap<String, String>>,
    /// How many sends each `…0429` recipient has had.
    rate_limited_sends: Mutex<HashMap<String, u32>>,
    read_receipts: Mutex<Vec<String>>,
}

impl fmt::Debug for MockGateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockGateway")
            .field("callback_url", &self.callback.url())
            .field("status_delays", &self.status_delays)
            .finish_non_exhaustive()
    }
}

impl MockGateway {
    /// A mock that posts its webhooks to `settings.callback_url`, signed with
    /// `settings.app_secret`. [`DEMO_NUMBER`] is registered from the start.
    ///
    /// # Errors
    /// [`MockSetupError`] when the HTTP client cannot be built (its TLS backend, if the build
    /// enables one, failed to initialise).
    pub fn new(settings: MockSettings) -> Result<Self, MockSetupError> {
        let gateway = Self {
            callback: Arc::new(Callback::new(settings.callback_url, settings.app_secret)?),
            status_delays: settings.status_delays,
            numbers: Mutex::default(),
            rate_limited_sends: Mutex::default(),
            read_receipts: Mutex::default(),
        };
        gateway.register_number(
            DEMO_NUMBER.phone_number_id,
            DEMO_NUMBER.display_phone_number,
        );
        Ok(gateway)
    }

    /// Points the webhooks at `url` from now on, including those of messages already sent. For a
    /// server that learns its port only after binding, so it can create the mock first.
    pub fn set_callback_url(&self, url: impl Into<String>) {
        self.callback.set_url(url.into());
    }

    /// Tells the mock the display phone number of a business number, for the `metadata` of the
    /// webhooks about it. An unregistered number's webhooks show its phone number id instead,
    /// which is harmless because receivers route on the id. [`MockGateway::deliver_inbound`]
    /// registers the number it is given.
    pub fn register_number(&self, phone_number_id: &str, display_phone_number: &str) {
        lock(&self.numbers).insert(
            phone_number_id.to_owned(),
            display_phone_number
                .chars()
                .filter(char::is_ascii_digit)
                .collect(),
        );
    }

    /// The WhatsApp ids of the inbound messages marked as read so far, oldest first.
    pub fn read_receipts(&self) -> Vec<String> {
        lock(&self.read_receipts).clone()
    }

    /// Plays a customer sending `inbound`: POSTs Meta's webhook of a text message to our
    /// webhook, signed, and returns the new message's WhatsApp id once the webhook answered 2xx,
    /// that is once the message is stored. Unlike status webhooks it is not retried: the caller
    /// hears of a failure at once.
    ///
    /// # Errors
    /// [`MockDeliveryError::Rejected`] when the webhook answers anything but 2xx,
    /// [`MockDeliveryError::Unreachable`] when it does not answer,
    /// [`MockDeliveryError::Internal`] when the mock cannot draw a message id.
    pub async fn deliver_inbound(
        &self,
        inbound: SimulatedInbound,
    ) -> Result<String, MockDeliveryError> {
        let wamid = wire::new_wamid().map_err(|error| {
            MockDeliveryError::Internal(format!("no randomness for a message id: {error}"))
        })?;
        self.register_number(&inbound.phone_number_id, &inbound.display_phone_number);
        let payload = wire::inbound_text_envelope(
            &self.metadata(&inbound.phone_number_id),
            &inbound.from,
            inbound.name.as_deref(),
            &wamid,
            Utc::now().timestamp(),
            &inbound.text,
        );
        self.callback.post(&Callback::body(&payload)?).await?;
        Ok(wamid)
    }

    fn metadata(&self, phone_number_id: &str) -> Metadata {
        let display_phone_number = lock(&self.numbers)
            .get(phone_number_id)
            .cloned()
            .unwrap_or_else(|| phone_number_id.to_owned());
        Metadata {
            waba_id: DEMO_NUMBER.waba_id.to_owned(),
            display_phone_number,
            phone_number_id: phone_number_id.to_owned(),
        }
    }

    /// Counts a send to the rate-limited recipient `wa_id` and tells whether it hits the limit.
    fn rate_limit_hit(&self, wa_id: &str) -> bool {
        let mut sends = lock(&self.rate_limited_sends);
        let count = sends.entry(wa_id.to_owned()).or_default();
        *count = count.saturating_add(1);
        *count <= scenario::RATE_LIMITED_SENDS
    }
}

#[async_trait]
impl WhatsAppGateway for MockGateway {
    /// Answers as the module docs' tables say; an accepted message's status webhooks follow on
    /// a task spawned onto the current tokio runtime.
    ///
    /// # Errors
    /// The documented errors of the test numbers and of invalid messages; also a transient
    /// error without a code when there is no tokio runtime to post the webhooks on, or no OS
    /// randomness for a message id.
    async fn send(&self, message: &OutboundMessage) -> Result<Accepted, GatewayError> {
        let wa_id = scenario::validate(message)?;
        let number = TestNumber::of(wa_id);
        match number {
            TestNumber::Undeliverable => return Err(scenario::undeliverable()),
            TestNumber::Unavailable => return Err(scenario::something_went_wrong()),
            TestNumber::RateLimited if self.rate_limit_hit(wa_id) => {
                return Err(scenario::rate_limit_hit());
            }
            _ => {}
        }
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| internal("no tokio runtime to post the status webhooks on".to_owned()))?;
        let no_randomness = |error| internal(format!("no randomness for an id: {error}"));
        let tracked = Tracked {
            wamid: wire::new_wamid().map_err(no_randomness)?,
            recipient_id: wa_id.to_owned(),
            conversation_id: wire::new_conversation_id().map_err(no_randomness)?,
            category: Category::of(&message.content),
        };
        let reports = scenario::reports(number, &message.content, self.status_delays);
        let metadata = self.metadata(&message.phone_number_id);
        let wamid = tracked.wamid.clone();
        runtime.spawn(post_statuses(
            Arc::clone(&self.callback),
            metadata,
            tracked,
            reports,
        ));
        Ok(Accepted { wamid })
    }

    /// Records the read receipt (see [`MockGateway::read_receipts`]) and succeeds.
    ///
    /// # Errors
    /// None: every read receipt is taken.
    async fn mark_read(&self, _phone_number_id: &str, wamid: &str) -> Result<(), GatewayError> {
        lock(&self.read_receipts).push(wamid.to_owned());
        Ok(())
    }
}

/// Posts the status webhooks of one accepted message, in order, each after its delay.
async fn post_statuses(
    callback: Arc<Callback>,
    metadata: Metadata,
    message: Tracked,
    reports: Vec<(Duration, Report)>,
) {
    for (delay, report) in reports {
        tokio::time::sleep(delay).await;
        let what = format!("{} status of {}", report.status(), message.wamid);
        let payload = wire::status_envelope(&metadata, &message, report, Utc::now().timestamp());
        match Callback::body(&payload) {
            Ok(body) => callback.post_with_retries(&body, &what).await,
            Err(error) => tracing::warn!(%error, what, "mock webhook not built"),
        }
    }
}

fn internal(message: String) -> GatewayError {
    GatewayError::Transient {
        code: None,
        message: format!("mock gateway: {message}"),
        retry_after: None,
    }
}

/// Locks `mutex` even if a panic elsewhere poisoned it: the maps it guards stay consistent
/// because each update is a single insert or increment.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[async_trait::async_trait]
impl switchboard_domain::ports::CustomerSimulator for MockGateway {
    async fn deliver_inbound(
        &self,
        phone_number_id: &str,
        display_phone_number: &str,
        from: &str,
        name: Option<&str>,
        text: &str,
    ) -> Result<String, String> {
        MockGateway::deliver_inbound(
            self,
            SimulatedInbound {
                phone_number_id: phone_number_id.to_owned(),
                display_phone_number: display_phone_number.to_owned(),
                from: from.to_owned(),
                name: name.map(str::to_owned),
                text: text.to_owned(),
            },
        )
        .await
        .map_err(|e| e.to_string())
    }
}
