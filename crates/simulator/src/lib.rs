//! The WhatsApp Cloud API simulator: one engine behind two front doors.
//!
//! [`SimulatorEngine`] holds the state and the rules: the registered business numbers, the app
//! secret and callback URL of the outgoing webhooks, the status delays, the test numbers' state,
//! when each customer last wrote (for the 24-hour window), the optional send limits, and the
//! media store. It
//! answers Meta's request JSON with Meta's success JSON or a [`GraphError`], then POSTs
//! Cloud-API-shaped status webhooks (`sent`, `delivered`, `read`, or `failed`) to the callback:
//! ASCII-only JSON, signed in `X-Hub-Signature-256` with the app secret, as Meta does.
//!
//! - The in-process door is [`MockGateway`](crate::mock::MockGateway), the desk's default
//!   WhatsApp provider: it turns the domain's outbound messages into Meta's request JSON and the
//!   engine's errors into the domain's gateway errors.
//! - The HTTP door ([`bind`], [`run`]) serves the Graph API's routes on a TCP port, so that any
//!   Cloud API client, the desk's own included, can be pointed at it by base URL (the
//!   `switchboard simulator` command).
//!
//! It is a test double in a crate of its own, so the real Cloud API client
//! (`switchboard-whatsapp`) never compiles it. It signs its webhooks with that crate's
//! [`signature`](switchboard_whatsapp::signature) functions, writes their envelope's
//! [`OBJECT`](switchboard_whatsapp::webhook::OBJECT), and the mock sends the request bodies of
//! the real client ([`send_body`](switchboard_whatsapp::cloud::send_body)), so both sides of the
//! wire share one definition.
//!
//! # HTTP routes
//!
//! | route | answer |
//! |---|---|
//! | `POST /{version}/{phone_number_id}/messages` | a send or, with `"status":"read"`, a read receipt: Meta's success JSON, or Meta's error JSON with the status of [`GraphError::http_status`] |
//! | `POST /{version}/{phone_number_id}/media`, multipart `messaging_product=whatsapp`, `type` (the MIME type), `file` | an upload: `{"id":"<16-digit media id>"}` |
//! | `GET /{version}/{media_id}` | a look-up: `{"messaging_product":"whatsapp","url","mime_type","sha256" (hex),"file_size","id"}` |
//! | `GET /whatsapp_business/attachments/?mid=<media id>&hash=<secret>` | the download `url` of a look-up, absolute on the scheme, host and port the client reached the simulator at: the bytes with their `Content-Type`; 404 with error 100 for deleted or unknown media or a wrong hash |
//! | `DELETE /{version}/{media_id}` | `{"success":true}`; look-ups then answer 400 and downloads 404, both error 100 |
//! | `POST /control/inbound` `{"phone_number_id","from","name"?,"timestamp"?}` with `"text"` or `"media"` | a customer writes: the signed message webhook goes to the callback, then `{"wamid":"wamid.…"}` (plus `"media_id"` for media); 502 when the callback did not answer 2xx, 404 for an unregistered number or unknown media |
//! | `POST /control/media/{media_id}/fail` `{"times":N}` | the next N downloads of the media answer 500 with error 131000, then downloads work again: `{"success":true}`; 404 for unknown media |
//! | `POST /control/numbers` `{"phone_number_id","display_phone_number"}` | registers a business number: `{"success":true}` |
//! | `GET /healthz` | `{"status":"ok"}` |
//!
//! All but `/healthz` want `Authorization: Bearer <access token>` (downloads too, as on Meta);
//! without it, or with another token, they answer 401 with Meta's error 190. A messages or media
//! POST to an unregistered phone number id answers 400 with Meta's error 100 (subcode 33,
//! "Unsupported post request"), and a body that is not JSON 400 with error 100. A look-up or
//! delete of an unknown media id answers 400 with error 100 (subcode 33). Control routes answer
//! their own errors as `{"error":{"message":"..."}}`.
//!
//! # Media
//!
//! Media live in memory, in one store for uploads and customers' media. Like Meta, the store
//! takes a file by its MIME type ([`MediaKind::of_mime`]) and size (MB here being 2^20 bytes):
//!
//! | kind | MIME types | at most |
//! |---|---|---|
//! | image | `image/jpeg`, `image/png` | 5 MB |
//! | audio | `audio/aac`, `audio/amr`, `audio/mpeg`, `audio/mp4`, `audio/ogg` | 16 MB |
//! | video | `video/mp4`, `video/3gpp` | 16 MB |
//! | document | `text/plain`, `application/pdf`, Word, Excel and PowerPoint (old and OOXML) | 100 MB |
//! | sticker | `image/webp` | 100 KB, or 500 KB when animated (a `VP8X` WebP with the animation flag) |
//!
//! Another MIME type, or an empty file, answers 100 "Invalid parameter"; a file over its limit
//! answers 131053 "Media upload error", as does any upload once the store would hold more than
//! [`STORE_CAPACITY`] (200 MB) in all, until media are deleted; so a test cannot exhaust memory.
//! An upload form is read no further than [`MAX_MEDIA_SIZE`]. A missing `file` or `type` answers
//! 131008, a missing or wrong `messaging_product` 100. The bytes' content is not checked against
//! the MIME type.
//!
//! A media message (`image`, `video`, `audio`, `document`, `sticker`) by `id` must name stored
//! media (100 otherwise) of its own kind (131053 otherwise, e.g. a PDF sent as an `image`); one
//! by `link` is accepted unchecked, as Meta fetches links only later.
//!
//! A customer's media message ([`InboundContent::Media`]) comes to `/control/inbound` as
//! `"media":{"data":"<base64>","mime_type","caption"?,"filename"?}`, stored under the limits
//! above (their error, with its status, when refused), or as `"media":{"id","caption"?,
//! "filename"?}` naming stored media. Its kind follows from the MIME type, and its webhook is
//! Meta's: `"type":"image","image":{"id","mime_type","sha256","caption"?}`, with `filename` for
//! documents and `animated` for stickers; captions are only carried by images, videos and
//! documents. The webhook's `sha256` is base64, as Meta writes it there, while the look-up's is
//! hex, as Meta answers it.
//!
//! # Checks
//!
//! A message is checked as the Cloud API does, in this order, and the first fault answers:
//!
//! | invalid message | error |
//! |---|---|
//! | body not a JSON object; `messaging_product` missing or not `whatsapp`; `recipient_type` not `individual` | 100 "Invalid parameter" |
//! | `to` missing | 131008 "Required parameter is missing" |
//! | `to` not 7 to 15 digits (after an optional `+`) | 100 |
//! | `type` (default `text`) not one of `text`, `template`, `interactive`, `reaction`, `image`, `document`, `audio`, `video`, `sticker`, `location`, `contacts` | 131051 "Unsupported message type" |
//! | the object named by `type` missing | 131008 |
//! | text body empty, or over 4096 characters | 100 |
//! | template with no or an empty name | 132001 "Template name does not exist in the translation" |
//! | template without a language code, or with components that are not an array | 100 |
//! | interactive `button` with no or more than 3 buttons, `list` with no or more than 10 rows | 131009 "Parameter value is not valid" |
//! | interactive without `body.text` or `action`; reaction without `message_id` or `emoji`; media with neither `id` nor `link`; location without coordinates; `context` without `message_id` | 131008 |
//!
//! A read receipt needs `messaging_product`, `"status":"read"` and a non-empty `message_id`
//! (100, or 131008 when `message_id` is missing); it answers `{"success":true}` and is recorded
//! ([`SimulatorEngine::read_receipts`]).
//!
//! # Test numbers
//!
//! After the checks (and the limits, when on), the last four digits of the recipient choose what
//! happens, deterministically:
//!
//! | recipient ends in | the send answers | status webhooks that follow |
//! |---|---|---|
//! | `0000` | error 131026 "Message undeliverable" | none |
//! | `0047` | accepted | free-form: one `failed` with 131047 "Re-engagement message" (the window is always closed); template: `sent`, `delivered`, `read` |
//! | `0429` | the first two sends to that recipient: error 130429 "Rate limit hit", retry after 1 s; later sends: accepted | `sent`, `delivered`, `read` |
//! | `0500` | error 131000 "Something went wrong", every time | none |
//! | `0002` | accepted | `sent`, `read` (`delivered` skipped, as Meta may do) |
//! | `0003` | accepted | none (deliver the statuses yourself) |
//! | anything else | accepted | `sent`, `delivered`, `read` |
//!
//! The statuses come after the status delays, each counted from the previous one (a `failed`
//! after the first; a `read` that skips `delivered` after the sum of the last two). Templates
//! are priced as `utility`, everything else as free `service`.
//!
//! # The 24-hour window
//!
//! Like Meta, the engine accepts a free-form message (anything but a template) to a customer
//! outside the customer-service window, and then posts one `failed` status with 131047 instead of
//! `sent`. A customer is inside when their last message to that number, by its timestamp, is
//! less than 24 hours old. The engine learns of customers' messages only through
//! [`SimulatorEngine::deliver_inbound`] (the `/control/inbound` route). For one it never saw
//! write, [`WindowRule`] decides: the HTTP door is [`WindowRule::Strict`] (outside, as on Meta);
//! the in-process door is [`WindowRule::KnownCustomersOnly`] (inside, because the desk checks the
//! window itself before sending).
//!
//! # Limits
//!
//! Off unless enabled ([`EngineSettings::limits`], or [`SimulatorConfig::throughput_limits`]
//! with [`ThroughputLimits::default`]): each business number may send
//! [`ThroughputLimits::messages_per_second`] (Meta's default 80, a second's worth at once), and
//! each number-customer pair a burst of [`ThroughputLimits::pair_burst`] and then one message per
//! [`ThroughputLimits::pair_interval`] (6 s). Sends over them answer 130429 and 131056, both
//! transient, with the wait in [`GraphError::retry_after`] (a `Retry-After` header over HTTP);
//! a refused send uses up neither limit.
//!
//! # Webhook delivery
//!
//! Status webhooks are delivered at least once, like Meta's: one that gets no 2xx answer is
//! retried 4 more times, 200 ms after the first attempt and doubling, then dropped with a
//! warning; the next status of the message follows as planned either way. A customer's message
//! is posted once, and its sender hears at once whether it was taken.
//!
//! The planned statuses live in memory. An engine started after one that stopped (the desk's
//! process died, in mock mode) takes up those still owed for the messages its predecessor
//! accepted, from the last status the receiver stored: [`SimulatorEngine::resume`].
//!
//! # Runtime
//!
//! The engine spawns the status webhooks onto the tokio runtime a send is made on (actix-rt's is
//! one) and answers error 2 when there is none; its HTTP client runs on tokio.

mod delivery;
mod engine;
mod error;
mod limits;
mod media;
pub mod mock;
mod request;
mod scenario;
mod server;
mod wire;

use std::time::Duration;

pub use delivery::{DeliveryError, SetupError};
pub use engine::{
    EngineSettings, Inbound, InboundContent, Resumed, SendSuccess, SimulatorEngine, WABA_ID,
    WindowRule,
};
pub use error::GraphError;
pub use limits::ThroughputLimits;
pub use media::{MAX_MEDIA_SIZE, MediaFile, MediaInfo, MediaKind, STORE_CAPACITY};
pub use scenario::Reached;
pub use server::{SimulatorConfig, bind, run};

/// Statuses that reach `read` in 2.5 s: slow enough to watch the ticks change in the admin app,
/// fast enough not to wait for them.
pub const DEFAULT_STATUS_DELAYS: [Duration; 3] = [
    Duration::from_millis(300),
    Duration::from_millis(700),
    Duration::from_millis(1500),
];
