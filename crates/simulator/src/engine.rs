//! [`SimulatorEngine`]: the state and rules both doors share.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use chrono::Utc;
use serde_json::{Value, json};

use crate::delivery::{Callback, DeliveryError, SetupError};
use crate::error::GraphError;
use crate::limits::{Limiter, ThroughputLimits};
use crate::media::{MediaFile, MediaInfo, MediaKind, MediaStore};
use crate::request::{self, Kind, SendRequest};
use crate::scenario::{self, Reached, Report, TestNumber};
use crate::wire::{self, Category, Metadata, Tracked};

/// The WhatsApp Business Account every simulated number belongs to: the `entry[].id` of the
/// webhooks. Receivers route on the phone number id, so one account serves all numbers.
pub const WABA_ID: &str = "200000000000001";

/// The customer-service window: free-form messages go only this long after the customer's last
/// message, in seconds.
const WINDOW_SECONDS: i64 = 24 * 60 * 60;

/// How the engine decides whether a customer is inside the 24-hour window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowRule {
    /// As Meta: a customer who never wrote to the number (as far as the engine saw) is outside
    /// the window. The HTTP door's rule.
    Strict,
    /// Only customers the engine saw write are checked; any other is taken to be inside. For
    /// the in-process door, whose caller applies its own window policy before sending and may
    /// know of customers who wrote before the engine started.
    KnownCustomersOnly,
}

/// The configuration of a [`SimulatorEngine`].
#[derive(Clone)]
pub struct EngineSettings {
    /// Where webhooks go, e.g. `http://127.0.0.1:8080/webhooks/whatsapp`.
    pub callback_url: String,
    /// The Meta app secret webhooks are signed with (`X-Hub-Signature-256`).
    pub app_secret: Vec<u8>,
    /// How long before the `sent`, `delivered` and `read` webhooks of an accepted message, each
    /// counted from the previous one.
    pub status_delays: [Duration; 3],
    /// Who is inside the 24-hour window.
    pub window: WindowRule,
    /// The throughput and pair limits to enforce; `None` sends without limits.
    pub limits: Option<ThroughputLimits>,
}

impl fmt::Debug for EngineSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EngineSettings")
            .field("callback_url", &self.callback_url)
            .field("status_delays", &self.status_delays)
            .field("window", &self.window)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// A message a customer sends to one of the simulated business numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    /// Meta's id of the business number written to.
    pub phone_number_id: String,
    /// The customer's WhatsApp id (their number, digits only).
    pub from: String,
    /// The customer's WhatsApp profile name, if they share one.
    pub name: Option<String>,
    /// What the customer sent.
    pub content: InboundContent,
    /// When the customer sent it, in Unix seconds; now when `None`. An earlier time plays a
    /// customer who wrote long ago, whose window may have closed.
    pub timestamp: Option<i64>,
}

/// What a customer sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundContent {
    /// A text message.
    Text {
        /// The message text.
        body: String,
    },
    /// An image, video, audio file, document or sticker: which one follows from the MIME type of
    /// the stored media (see [`MediaKind::of_mime`]). Store the bytes first with
    /// [`SimulatorEngine::upload_media`], as the customer's phone uploads them to Meta.
    Media {
        /// The id of the stored media.
        media_id: String,
        /// The customer's caption; only images, videos and documents carry one, as on Meta, so
        /// it is left out of the webhook of other kinds.
        caption: Option<String>,
        /// The file name; only documents carry one, so it is left out for other kinds.
        filename: Option<String>,
    },
}

/// A message an engine accepted before a restart, to [resume](SimulatorEngine::resume) the
/// status webhooks of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resumed {
    /// The business number it was sent from.
    pub phone_number_id: String,
    /// The id the engine gave it, `wamid.…`.
    pub wamid: String,
    /// The recipient's WhatsApp id, whose last four digits choose the statuses.
    pub recipient: String,
    /// A template, priced and windowed as one; anything else is free-form.
    pub template: bool,
    /// The last of its statuses the receiver took.
    pub reached: Reached,
}

/// The Cloud API took a message: what Meta answers, field for field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendSuccess {
    /// `to` exactly as the request gave it.
    pub input: String,
    /// The recipient's WhatsApp id.
    pub wa_id: String,
    /// The new message's id, `wamid.…`; its statuses arrive by webhook under it.
    pub wamid: String,
    /// `accepted` for a template, as Meta reports it; `None` (absent) for other messages.
    pub message_status: Option<&'static str>,
}

impl SendSuccess {
    /// Meta's success body: `{"messaging_product":"whatsapp","contacts":[{"input":..,
    /// "wa_id":..}],"messages":[{"id":"wamid.…"}]}`, with `message_status` for a template.
    pub fn to_json(&self) -> Value {
        let mut message = json!({ "id": self.wamid });
        if let Some(status) = self.message_status {
            message["message_status"] = json!(status);
        }
        json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": self.input, "wa_id": self.wa_id}],
            "messages": [message],
        })
    }
}

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

    /// Takes up the status webhooks still owed for a message this engine's predecessor accepted
    /// (before a restart lost its plans): those of the module docs' tables that come after
    /// `message.reached`, each after its status delay counted from the previous one (the first
    /// from now), with the recipient's rules and the 24-hour window as a send would apply them.
    /// The returned future posts them, retrying as [webhook delivery](super#webhook-delivery)
    /// says; it borrows nothing, so a caller can bound how many it runs at once.
    ///
    /// Only ids the simulator issues are resumed: statuses of a message another provider (the
    /// real Cloud API) accepted are that provider's to report, and the future does nothing.
    pub fn resume(&self, message: Resumed) -> impl Future<Output = ()> + Send + use<> {
        let owed = self.owed(&message);
        let callback = Arc::clone(&self.callback);
        async move {
            if let Some(owed) = owed {
                post_statuses(callback, owed.metadata, owed.message, owed.reports).await;
            }
        }
    }

    /// What [`SimulatorEngine::resume`] posts, or `None` when nothing is owed.
    fn owed(&self, message: &Resumed) -> Option<Owed> {
        if !wire::is_simulator_wamid(&message.wamid) {
            tracing::debug!(
                wamid = message.wamid,
                "not a simulator id; no statuses resumed"
            );
            return None;
        }
        let number = TestNumber::of(&message.recipient);
        let kind = if message.template {
            Kind::Template
        } else {
            Kind::FreeForm
        };
        let (metadata, outside_window) = {
            let state = self.state();
            let last_inbound = state
                .last_inbound
                .get(&(message.phone_number_id.clone(), message.recipient.clone()))
                .copied();
            let outside_window = kind == Kind::FreeForm
                && (number == TestNumber::OutsideWindow
                    || !inside_window(self.window, last_inbound, Utc::now().timestamp()));
            (state.metadata(&message.phone_number_id), outside_window)
        };
        let reports = scenario::remaining(
            scenario::reports(number, outside_window, self.status_delays),
            message.reached,
        );
        if reports.is_empty() {
            return None;
        }
        let conversation_id = wire::new_conversation_id()
            .inspect_err(|error| {
                tracing::warn!(%error, wamid = message.wamid, "no randomness; statuses not resumed");
            })
            .ok()?;
        let tracked = Tracked {
            wamid: message.wamid.clone(),
            recipient_id: message.recipient.clone(),
            conversation_id,
            category: Category::of(kind),
        };
        Some(Owed {
            metadata,
            message: tracked,
            reports,
        })
    }

    /// Checks that a media message of `kind` by id names stored media of that kind: Meta sends
    /// only what was uploaded, and a link send is fetched later, so only ids are checked here.
    fn check_media_id(&self, kind: MediaKind, media_id: &str) -> Result<(), GraphError> {
        let state = self.state();
        let info = state.media.info(media_id).ok_or_else(|| {
            GraphError::invalid_parameter(format!(
                "Param {kind}['id'] is not a valid media id: no uploaded media has id {media_id}",
                kind = kind.message_type()
            ))
        })?;
        if info.kind != kind {
            return Err(GraphError::media_upload_error(format!(
                "Media {media_id} is {}, which a {} message cannot carry",
                info.mime_type,
                kind.message_type()
            )));
        }
        Ok(())
    }

    /// Stores `bytes` as a media file of `mime_type`, as `POST /{phone_number_id}/media` does,
    /// and describes it; its id can then be sent, looked up, downloaded and deleted.
    ///
    /// # Errors
    /// 100 when the Cloud API takes no file of `mime_type` or `bytes` is empty; 131053 when the
    /// file is larger than its type allows (see [`MediaKind`]) or the store would hold more than
    /// [`STORE_CAPACITY`](crate::STORE_CAPACITY) bytes; 2 when there is no OS randomness for an
    /// id.
    pub fn upload_media(&self, mime_type: &str, bytes: Bytes) -> Result<MediaInfo, GraphError> {
        self.state().media.insert(mime_type, bytes)
    }

    /// Describes the stored media `media_id`, as `GET /{media_id}` does.
    ///
    /// # Errors
    /// 100 (subcode 33) when no media has that id, or it was deleted.
    pub fn media_info(&self, media_id: &str) -> Result<MediaInfo, GraphError> {
        self.state()
            .media
            .info(media_id)
            .cloned()
            .ok_or_else(|| GraphError::unknown_object("get", media_id))
    }

    /// The bytes of `media_id`, given the secret `download_hash` of its download URL
    /// ([`MediaInfo::download_hash`]).
    ///
    /// # Errors
    /// 100 (subcode 33) when no media has that id or the hash is not its own; 131000 while
    /// failures scripted by [`SimulatorEngine::fail_media_downloads`] are due.
    pub fn download_media(
        &self,
        media_id: &str,
        download_hash: &str,
    ) -> Result<MediaFile, GraphError> {
        self.state().media.download(media_id, download_hash)
    }

    /// Deletes `media_id`, as `DELETE /{media_id}` does, freeing its room in the store.
    ///
    /// # Errors
    /// 100 (subcode 33) when no media has that id.
    pub fn delete_media(&self, media_id: &str) -> Result<(), GraphError> {
        self.state().media.delete(media_id)
    }

    /// Makes the next `times` downloads of `media_id` fail with 131000 (an HTTP 500), so that a
    /// client's retry of a failed download can be tested; 0 ends a script still running.
    ///
    /// # Errors
    /// 100 (subcode 33) when no media has that id.
    pub fn fail_media_downloads(&self, media_id: &str, times: u32) -> Result<(), GraphError> {
        self.state().media.fail_downloads(media_id, times)
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

/// The status webhooks still owed for one message, with what each repeats.
struct Owed {
    metadata: Metadata,
    message: Tracked,
    reports: Vec<(Duration, Report)>,
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
        let build = || {
            let payload =
                wire::status_envelope(&metadata, &message, report, Utc::now().timestamp());
            Callback::body(&payload)
        };
        callback.post_with_retries(build, &what).await;
    }
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
