//! The mock Cloud API provider, used when `SWITCHBOARD_WHATSAPP_PROVIDER=mock` (the default): the
//! in-process door of the [Cloud API simulator](crate).
//!
//! [`MockGateway`] implements the domain's [`WhatsAppGateway`] port over a
//! [`SimulatorEngine`], so that the path a developer tests locally is the path production runs:
//! it writes each message as the Cloud API request JSON a real client would send, the engine
//! checks and answers it as Meta does (a fresh `wamid.…` id, or Meta's error) and then, without
//! holding up the caller, POSTs signed, Cloud-API-shaped status webhooks for it to our own
//! webhook. [`MockGateway::deliver_inbound`] plays a customer writing in, for the simulator.
//!
//! The checks, the test numbers (`…0000`, `…0047`, `…0429`, `…0500`, `…0002`, `…0003`), the status
//! delays and the webhook retries are the engine's; see the [simulator docs](crate).
//! Throughput limits are off.
//!
//! # After a restart
//!
//! The status webhooks still to come live in memory only, as planned tasks; a process that dies
//! takes them along. [`MockGateway::resume_statuses`] takes them up again from the statuses the
//! store holds, so that, as with Meta, which redelivers what it owes, every reply still reaches
//! the status its recipient's test number scripts.
//!
//! # Errors
//!
//! Meta's error code decides: a code [`is_transient`] names becomes
//! [`GatewayError::Transient`] (with Meta's title as the message and the engine's retry hint),
//! any other [`GatewayError::Permanent`] with Meta's title and details.
//!
//! # The 24-hour window
//!
//! The desk checks the window itself before it sends, and may know of customers who wrote before
//! this process started, so the mock uses [`WindowRule::KnownCustomersOnly`]: a free-form message
//! fails asynchronously with 131047 only to a `…0047` recipient, or to a customer who wrote
//! through [`MockGateway::deliver_inbound`] and whose last message is 24 hours old.
//!
//! # Runtime
//!
//! The mock needs a tokio runtime (actix-rt's is one): [`MockGateway::send`] spawns the status
//! webhooks onto the runtime it is called on and answers a transient error (code 2) when there is
//! none, and its HTTP client runs on tokio.

mod settings;

use std::future::Future;

use actix_web::web::Bytes;
use async_trait::async_trait;
use switchboard_domain::message::MessageStatus;
use switchboard_domain::outbound::model::{
    Accepted, GatewayError, MediaInfo, OutboundMessage, is_transient,
};
use switchboard_domain::outbound::ports::WhatsAppGateway;
use switchboard_domain::simulator::ports::AwaitingStatus;
use switchboard_whatsapp::cloud;

use crate::{
    EngineSettings, GraphError, Inbound, InboundContent, Reached, Resumed, SimulatorEngine,
    WABA_ID, WindowRule,
};

pub use crate::{DeliveryError as MockDeliveryError, SetupError as MockSetupError};
pub use settings::{MockSettings, parse_status_delays};

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
    waba_id: WABA_ID,
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
#[derive(Debug)]
pub struct MockGateway {
    engine: SimulatorEngine,
}

impl MockGateway {
    /// A mock that posts its webhooks to `settings.callback_url`, signed with
    /// `settings.app_secret`. [`DEMO_NUMBER`] is registered from the start.
    ///
    /// # Errors
    /// [`MockSetupError`] when the HTTP client cannot be built (its TLS backend, if the build
    /// enables one, failed to initialise).
    pub fn new(settings: MockSettings) -> Result<Self, MockSetupError> {
        let engine = SimulatorEngine::new(EngineSettings {
            callback_url: settings.callback_url,
            app_secret: settings.app_secret,
            status_delays: settings.status_delays,
            window: WindowRule::KnownCustomersOnly,
            limits: None,
        })?;
        engine.register_number(
            DEMO_NUMBER.phone_number_id,
            DEMO_NUMBER.display_phone_number,
        );
        Ok(Self { engine })
    }

    /// Points the webhooks at `url` from now on, including those of messages already sent. For a
    /// server that learns its port only after binding, so it can create the mock first.
    pub fn set_callback_url(&self, url: impl Into<String>) {
        self.engine.set_callback_url(url);
    }

    /// Tells the mock the display phone number of a business number, for the `metadata` of the
    /// webhooks about it. An unregistered number's webhooks show its phone number id instead,
    /// which is harmless because receivers route on the id. [`MockGateway::deliver_inbound`]
    /// registers the number it is given.
    pub fn register_number(&self, phone_number_id: &str, display_phone_number: &str) {
        self.engine
            .register_number(phone_number_id, display_phone_number);
    }

    /// Takes up the status webhooks the mock still owes `message` after a restart, from the
    /// status the store holds, as Meta redelivers what it owes: the rest of what its recipient's
    /// test number scripts (see the module docs), each after its status delay, the first counted
    /// from now. A message `read` or `failed`, one to a `…0003` recipient, or one whose id the
    /// mock did not issue (the real Cloud API accepted it) is owed nothing.
    ///
    /// The returned future posts them (spawn it onto a tokio runtime, or await it); it borrows
    /// nothing, so the caller chooses how many run at once. Each waits for one of the engine's
    /// delivery slots before it posts, like every status webhook.
    pub fn resume_statuses(
        &self,
        message: &AwaitingStatus,
    ) -> impl Future<Output = ()> + Send + use<> {
        let reached = match message.status {
            MessageStatus::Accepted => Some(Reached::Accepted),
            MessageStatus::Sent => Some(Reached::Sent),
            MessageStatus::Delivered => Some(Reached::Delivered),
            MessageStatus::Received
            | MessageStatus::Queued
            | MessageStatus::Read
            | MessageStatus::Failed => None,
        };
        let resumed = reached.map(|reached| {
            self.register_number(&message.phone_number_id, &message.display_phone_number);
            self.engine.resume(Resumed {
                phone_number_id: message.phone_number_id.clone(),
                wamid: message.wamid.clone(),
                recipient: message.recipient.clone(),
                template: message.kind == "template",
                reached,
            })
        });
        async move {
            if let Some(resumed) = resumed {
                resumed.await;
            }
        }
    }

    /// The WhatsApp ids of the inbound messages marked as read so far, oldest first.
    pub fn read_receipts(&self) -> Vec<String> {
        self.engine.read_receipts()
    }

    /// Plays a customer sending `inbound`: POSTs Meta's webhook of a text message to our
    /// webhook, signed, and returns the new message's WhatsApp id once the webhook answered 2xx,
    /// that is once the message is stored. From then on the customer is known to the window rule
    /// (see the [module docs](self)). Unlike status webhooks it is not retried: the caller hears
    /// of a failure at once.
    ///
    /// # Errors
    /// [`MockDeliveryError::Rejected`] when the webhook answers anything but 2xx,
    /// [`MockDeliveryError::Unreachable`] when it does not answer,
    /// [`MockDeliveryError::Internal`] when the mock cannot draw a message id.
    pub async fn deliver_inbound(
        &self,
        inbound: SimulatedInbound,
    ) -> Result<String, MockDeliveryError> {
        self.register_number(&inbound.phone_number_id, &inbound.display_phone_number);
        self.engine
            .deliver_inbound(Inbound {
                phone_number_id: inbound.phone_number_id,
                from: inbound.from,
                name: inbound.name,
                content: InboundContent::Text { body: inbound.text },
                timestamp: None,
            })
            .await
    }
}

#[async_trait]
impl WhatsAppGateway for MockGateway {
    /// Answers as the [simulator docs](crate) say; an accepted message's status
    /// webhooks follow on a task spawned onto the current tokio runtime.
    ///
    /// # Errors
    /// The documented errors of the test numbers and of invalid messages, mapped by code as the
    /// module docs say; also a transient error 2 when there is no tokio runtime to post the
    /// webhooks on, or no OS randomness for a message id.
    async fn send(&self, message: &OutboundMessage) -> Result<Accepted, GatewayError> {
        // The same request body the real client sends, so the engine checks what Meta would.
        let request = cloud::send_body(message).map_err(|e| GatewayError::Permanent {
            code: 100,
            title: "Invalid parameter".to_owned(),
            details: Some(e),
        })?;
        self.engine
            .send(&message.phone_number_id, &request)
            .map(|success| Accepted {
                wamid: success.wamid,
            })
            .map_err(gateway_error)
    }

    /// Records the read receipt (see [`MockGateway::read_receipts`]) and succeeds.
    ///
    /// # Errors
    /// A permanent error 100 for an empty `wamid`; any other read receipt is taken.
    async fn mark_read(&self, _phone_number_id: &str, wamid: &str) -> Result<(), GatewayError> {
        self.engine
            .mark_read(&cloud::read_body(wamid))
            .map_err(gateway_error)
    }

    async fn media_info(&self, media_id: &str) -> Result<MediaInfo, GatewayError> {
        let info = self.engine.media_info(media_id).map_err(gateway_error)?;
        Ok(MediaInfo {
            // In process there is no HTTP: the "URL" names the file and its download secret.
            url: format!("{MOCK_MEDIA_SCHEME}{}?hash={}", info.id, info.download_hash),
            mime_type: info.mime_type,
            sha256: info.sha256,
            file_size: info.file_size as u64,
        })
    }

    async fn download_media(&self, media: &MediaInfo) -> Result<Vec<u8>, GatewayError> {
        let invalid = || GatewayError::Permanent {
            code: 100,
            title: "Invalid parameter".to_owned(),
            details: Some(format!("{} is not a mock media URL", media.url)),
        };
        let (id, hash) = media
            .url
            .strip_prefix(MOCK_MEDIA_SCHEME)
            .and_then(|rest| rest.split_once("?hash="))
            .ok_or_else(invalid)?;
        let file = self
            .engine
            .download_media(id, hash)
            .map_err(gateway_error)?;
        if !cloud::checksum_matches(&file.bytes, &media.sha256) {
            return Err(GatewayError::Transient {
                code: None,
                message: "the downloaded media does not match its SHA-256".to_owned(),
                retry_after: None,
            });
        }
        Ok(file.bytes.to_vec())
    }

    /// Stores the file in the engine's media store, under Meta's type and size limits, as the
    /// upload route would; sends then name its id and the engine checks it.
    ///
    /// # Errors
    /// 100 for a type the Cloud API does not take or an empty file, 131053 for a file over its
    /// type's limit (both permanent), as the module docs say.
    async fn upload_media(
        &self,
        _phone_number_id: &str,
        bytes: &[u8],
        mime_type: &str,
        _filename: &str,
    ) -> Result<String, GatewayError> {
        self.engine
            .upload_media(mime_type, Bytes::copy_from_slice(bytes))
            .map(|info| info.id)
            .map_err(gateway_error)
    }
}

/// How the in-process door names media for [`WhatsAppGateway::download_media`].
const MOCK_MEDIA_SCHEME: &str = "mock-media://";

/// The domain's view of a Cloud API error, classified by its code alone.
fn gateway_error(error: GraphError) -> GatewayError {
    if is_transient(error.code) {
        GatewayError::Transient {
            code: Some(error.code),
            message: error.title,
            retry_after: error.retry_after,
        }
    } else {
        GatewayError::Permanent {
            code: error.code,
            title: error.title,
            details: error.details,
        }
    }
}

#[async_trait]
impl switchboard_domain::simulator::ports::CustomerSimulator for MockGateway {
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
