//! [`SimulatorEngine`]: the state and rules both doors share.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::{Value, json};

use crate::delivery::{Callback, DeliveryError, SetupError};
use crate::error::GraphError;
use crate::limits::Limiter;
use crate::media::MediaStore;
use crate::request::{self, Kind, SendRequest};
use crate::scenario::{self, TestNumber};
use crate::wire::{self, Category, Metadata, Tracked};

mod model;
mod statuses;
mod uploads;

use statuses::post_statuses;

pub use model::{EngineSettings, Inbound, InboundContent, Resumed, SendSuccess, WindowRule};

/// The WhatsApp Business Account every simulated number belongs to: the `entry[].id` of the
/// webhooks. Receivers route on the phone number id, so one account serves all numbers.
pub const WABA_ID: &str = "200000000000001";

/// The customer-service window: free-form messages go only this long after the customer's last
/// message, in seconds.
const WINDOW_SECONDS: i64 = 24 * 60 * 60;

/// The simulated Cloud API: answers sends and read receipts like Meta, posts the signed status
/// webhooks that follow, and delivers customers' messages; see the [module docs](super).
///
/// It spawns the status webhooks of an accepted message onto the tokio runtime it is called on.
pub struct SimulatorEngine {
    callback: Arc<Callback>,
    status_delays: [Duration; 3],
    window: WindowRule,
    state: Mutex<State>,
}

/// Everything that changes as the engine runs; one lock, as each use is a few map operations.
#[derive(Debug)]
struct State {
    /// Display phone numbers (digits only) by phone number id.
    numbers: HashMap<String, String>,
    /// How many sends each `…0429` recipient has had.
    rate_limited_sends: HashMap<String, u32>,
    /// When each customer last wrote to each number, in Unix seconds, by (phone number id,
    /// WhatsApp id).
    last_inbound: HashMap<(String, String), i64>,
    read_receipts: Vec<String>,
    limiter: Option<Limiter>,
    media: MediaStore,
}

impl fmt::Debug for SimulatorEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimulatorEngine")
            .field("callback_url", &self.callback.url())
            .field("status_delays", &self.status_delays)
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

impl SimulatorEngine {
    /// An engine with no numbers registered.
    ///
    /// # Errors
    /// [`SetupError`] when the webhook HTTP client cannot be built (its TLS backend, if the
    /// build enables one, failed to initialise).
    pub fn new(settings: EngineSettings) -> Result<Self, SetupError> {
        Ok(Self {
            callback: Arc::new(Callback::new(settings.callback_url, settings.app_secret)?),
            status_delays: settings.status_delays,
            window: settings.window,
            state: Mutex::new(State {
                numbers: HashMap::new(),
                rate_limited_sends: HashMap::new(),
                last_inbound: HashMap::new(),
                read_receipts: Vec::new(),
                limiter: settings.limits.map(Limiter::new),
                media: MediaStore::default(),
            }),
        })
    }

    /// Points the webhooks at `url` from now on, including those of messages already sent.
    pub fn set_callback_url(&self, url: impl Into<String>) {
        self.callback.set_url(url.into());
    }

    /// Registers a business number, or changes its display phone number; any `+`, spaces or
    /// dashes are dropped, as Meta writes it in digits only in webhooks.
    pub fn register_number(&self, phone_number_id: &str, display_phone_number: &str) {
        self.state().numbers.insert(
            phone_number_id.to_owned(),
            display_phone_number
                .chars()
                .filter(char::is_ascii_digit)
                .collect(),
        );
    }

    /// Whether `phone_number_id` was registered.
    pub fn is_registered(&self, phone_number_id: &str) -> bool {
        self.state().numbers.contains_key(phone_number_id)
    }

    /// The WhatsApp ids of the messages marked as read so far, oldest first.
    pub fn read_receipts(&self) -> Vec<String> {
        self.state().read_receipts.clone()
    }

    /// Answers `POST /{phone_number_id}/messages` with Meta's success body: a read receipt
    /// (a body with `status`) as [`SimulatorEngine::mark_read`] and anything else as
    /// [`SimulatorEngine::send`].
    ///
    /// # Errors
    /// Those of [`SimulatorEngine::mark_read`] or [`SimulatorEngine::send`].
    pub fn post_messages(&self, phone_number_id: &str, body: &Value) -> Result<Value, GraphError> {
        if request::is_read_receipt(body) {
            self.mark_read(body).map(|()| json!({ "success": true }))
        } else {
            self.send(phone_number_id, body)
                .map(|success| success.to_json())
        }
    }

    /// Records the read receipt `body` (`{"messaging_product":"whatsapp","status":"read",
    /// "message_id":"wamid.…"}`); see [`SimulatorEngine::read_receipts`].
    ///
    /// # Errors
    /// 100 when `messaging_product` or `status` is wrong or `message_id` empty, 131008 when
    /// `message_id` is missing.
    pub fn mark_read(&self, body: &Value) -> Result<(), GraphError> {
        let message_id = request::parse_mark_read(body)?;
        self.state().read_receipts.push(message_id.to_owned());
        Ok(())
    }

    /// Sends the message `body` (Meta's request JSON) from `phone_number_id`, answering as the
    /// module docs' tables say; an accepted message's status webhooks follow on a task spawned
    /// onto the current tokio runtime.
    ///
    /// The engine does not refuse an unregistered `phone_number_id` (the HTTP door does, as the
    /// Graph API would): its webhooks show the id as the display number.
    ///
    /// # Errors
    /// The invalid-message errors (100, 131008, 131009, 131051, 132001); for a media message by
    /// `id`, 100 when no media has that id and 131053 when its MIME type is not of the message's
    /// type; 130429 or 131056 from the limits when they are on; the test numbers' errors; 2 when
    /// there is no tokio runtime or no OS randomness for a message id.
    pub fn send(&self, phone_number_id: &str, body: &Value) -> Result<SendSuccess, GraphError> {
        let request = request::parse_send(body)?;
        if let Some((kind, media_id)) = request.media_id {
            self.check_media_id(kind, media_id)?;
        }
        let number = TestNumber::of(request.wa_id);
        let (metadata, outside_window) = self.admit(phone_number_id, &request, number)?;
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| unavailable("no tokio runtime to post the status webhooks on"))?;
        let no_randomness = |error| unavailable(&format!("no randomness for an id: {error}"));
        let tracked = Tracked {
            wamid: wire::new_wamid().map_err(no_randomness)?,
            recipient_id: request.wa_id.to_owned(),
            conversation_id: wire::new_conversation_id().map_err(no_randomness)?,
            category: Category::of(request.kind),
        };
        let reports = scenario::reports(number, outside_window, self.status_delays);
        let success = SendSuccess {
            input: request.input.to_owned(),
            wa_id: request.wa_id.to_owned(),
            wamid: tracked.wamid.clone(),
            message_status: (request.kind == Kind::Template).then_some("accepted"),
        };
        runtime.spawn(post_statuses(
            Arc::clone(&self.callback),
            metadata,
            tracked,
            reports,
        ));
        Ok(success)
    }

    /// Applies the limits and the test numbers to a valid message; returns the metadata of its
    /// webhooks and whether it is a free-form message outside the 24-hour window.
    fn admit(
        &self,
        phone_number_id: &str,
        request: &SendRequest<'_>,
        number: TestNumber,
    ) -> Result<(Metadata, bool), GraphError> {
        let mut state = self.state();
        if let Some(limiter) = &mut state.limiter {
            limiter.admit(phone_number_id, request.wa_id, Instant::now())?;
        }
        match number {
            TestNumber::Undeliverable => return Err(GraphError::undeliverable()),
            TestNumber::Unavailable => return Err(GraphError::something_went_wrong()),
            TestNumber::RateLimited => {
                let sends = state
                    .rate_limited_sends
                    .entry(request.wa_id.to_owned())
                    .or_default();
                *sends = sends.saturating_add(1);
                if *sends <= scenario::RATE_LIMITED_SENDS {
                    return Err(GraphError::rate_limit_hit(
                        scenario::RATE_LIMITED_RETRY_AFTER,
                    ));
                }
            }
            TestNumber::OutsideWindow
            | TestNumber::SkipsDelivered
            | TestNumber::Silent
            | TestNumber::Ordinary => {}
        }
        let last_inbound = state
            .last_inbound
            .get(&(phone_number_id.to_owned(), request.wa_id.to_owned()))
            .copied();
        let outside_window = request.kind == Kind::FreeForm
            && (number == TestNumber::OutsideWindow
                || !inside_window(self.window, last_inbound, Utc::now().timestamp()));
        Ok((state.metadata(phone_number_id), outside_window))
    }

    /// Plays a customer sending `inbound`: POSTs Meta's webhook of the message to the callback,
    /// signed, and returns the new message's WhatsApp id once the webhook answered 2xx. Only then
    /// does the customer count as having written (for the 24-hour window): a message the desk
    /// refused did not, as far as its caller knows, happen. Unlike status webhooks it is not
    /// retried, so the caller hears of a failure at once.
    ///
    /// # Errors
    /// [`DeliveryError::Rejected`] when the webhook answers anything but 2xx,
    /// [`DeliveryError::Unreachable`] when it does not answer,
    /// [`DeliveryError::UnknownMedia`] when a media message names no stored media,
    /// [`DeliveryError::Internal`] when the engine cannot draw a message id.
    pub async fn deliver_inbound(&self, inbound: Inbound) -> Result<String, DeliveryError> {
        let wamid = wire::new_wamid().map_err(|error| {
            DeliveryError::Internal(format!("no randomness for a message id: {error}"))
        })?;
        let timestamp = inbound.timestamp.unwrap_or_else(|| Utc::now().timestamp());
        let (metadata, (kind, content)) = {
            let state = self.state();
            let content = match &inbound.content {
                InboundContent::Text { body } => wire::text_payload(body),
                InboundContent::Media {
                    media_id,
                    caption,
                    filename,
                } => {
                    let info = state
                        .media
                        .info(media_id)
                        .ok_or_else(|| DeliveryError::UnknownMedia(media_id.clone()))?;
                    wire::media_payload(info, caption.as_deref(), filename.as_deref())
                }
            };
            (state.metadata(&inbound.phone_number_id), content)
        };
        let payload = wire::inbound_envelope(
            &metadata,
            &inbound.from,
            inbound.name.as_deref(),
            &wamid,
            timestamp,
            kind,
            content,
        );
        self.callback.post(&Callback::body(&payload)?).await?;
        let mut state = self.state();
        let last = state
            .last_inbound
            .entry((inbound.phone_number_id, inbound.from))
            .or_insert(timestamp);
        // A back-dated message does not close a window a later one opened.
        *last = (*last).max(timestamp);
        Ok(wamid)
    }

    /// Locks the state even if a panic elsewhere poisoned it: each update is a single insert,
    /// increment or push, so the maps stay consistent.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    /// The webhook metadata of `phone_number_id`. An unregistered number shows its id as the
    /// display number, which is harmless because receivers route on the id.
    fn metadata(&self, phone_number_id: &str) -> Metadata {
        Metadata {
            waba_id: WABA_ID.to_owned(),
            display_phone_number: self
                .numbers
                .get(phone_number_id)
                .cloned()
                .unwrap_or_else(|| phone_number_id.to_owned()),
            phone_number_id: phone_number_id.to_owned(),
        }
    }
}

/// Whether free-form messages may go at `now` to a customer whose last message to the number
/// was at `last_inbound` (Unix seconds; `None` when the engine never saw them write).
fn inside_window(rule: WindowRule, last_inbound: Option<i64>, now: i64) -> bool {
    match last_inbound {
        Some(at) => now.saturating_sub(at) < WINDOW_SECONDS,
        None => rule == WindowRule::KnownCustomersOnly,
    }
}

/// Error 2 for a failure of the simulator itself, logged because the answer cannot say much.
fn unavailable(why: &str) -> GraphError {
    tracing::warn!(why, "WhatsApp simulator cannot take a message");
    GraphError::service_unavailable(format!("The simulator cannot take the message: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_750_000_000;

    #[test]
    fn a_customer_who_wrote_within_24_hours_is_inside_the_window_under_either_rule() {
        for rule in [WindowRule::Strict, WindowRule::KnownCustomersOnly] {
            assert!(inside_window(rule, Some(NOW), NOW), "{rule:?}");
            assert!(
                inside_window(rule, Some(NOW - WINDOW_SECONDS + 1), NOW),
                "{rule:?}"
            );
            assert!(
                !inside_window(rule, Some(NOW - WINDOW_SECONDS), NOW),
                "{rule:?}"
            );
        }
    }

    #[test]
    fn a_customer_never_seen_writing_is_outside_only_under_the_strict_rule() {
        assert!(!inside_window(WindowRule::Strict, None, NOW));
        assert!(inside_window(WindowRule::KnownCustomersOnly, None, NOW));
    }

    #[test]
    fn template_success_carries_message_status_accepted_and_others_do_not() {
        let success = SendSuccess {
            input: "+16505551234".to_owned(),
            wa_id: "16505551234".to_owned(),
            wamid: "wamid.abc".to_owned(),
            message_status: Some("accepted"),
        };
        assert_eq!(
            success.to_json(),
            json!({
                "messaging_product": "whatsapp",
                "contacts": [{"input": "+16505551234", "wa_id": "16505551234"}],
                "messages": [{"id": "wamid.abc", "message_status": "accepted"}],
            })
        );
        let text = SendSuccess {
            message_status: None,
            ..success
        };
        assert_eq!(text.to_json()["messages"], json!([{"id": "wamid.abc"}]));
    }
}
