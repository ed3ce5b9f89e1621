//! The HTTP door: the engine behind the Graph API's routes on a TCP port, for any Cloud API client
//! pointed at it by base URL, plus control routes to play customers and register numbers.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, RETRY_AFTER};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};

use crate::engine::{EngineSettings, SimulatorEngine, WindowRule};
use crate::error::GraphError;
use crate::limits::ThroughputLimits;
use crate::media::MAX_MEDIA_SIZE;

mod control;
mod media_routes;

use control::{check_number, control_inbound, control_media_fail, control_numbers};
use media_routes::{delete_media, download_media, media_info, upload_media};

/// Worker threads of the HTTP server. A test double sees little load, and the machine's core
/// count (actix's default) would start far more runtimes than it needs.
const WORKERS: usize = 2;
/// How long a stop waits for requests in flight.
const SHUTDOWN_TIMEOUT_SECS: u64 = 5;
/// The largest `POST /control/inbound` body: the largest media file in base64, plus room for the
/// other fields.
const CONTROL_INBOUND_LIMIT: usize = MAX_MEDIA_SIZE / 3 * 4 + 64 * 1024;
/// The largest text field of an upload form (`messaging_product`, `type`).
const FORM_FIELD_LIMIT: usize = 1024;
/// Where downloads are served, shaped like Meta's `lookaside.fbsbx.com` URLs.
const DOWNLOAD_PATH: &str = "/whatsapp_business/attachments/";

/// How the HTTP simulator is set up; the `switchboard simulator` command's options.
#[derive(Clone)]
pub struct SimulatorConfig {
    /// Where to listen, e.g. `127.0.0.1:9090` (port 0 picks a free one).
    pub bind: SocketAddr,
    /// The desk's webhook, e.g. `http://127.0.0.1:8080/webhooks/whatsapp`.
    pub callback_url: String,
    /// The Meta app secret the webhooks are signed with.
    pub app_secret: Vec<u8>,
    /// The token clients must send as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// The delays before the `sent`, `delivered` and `read` webhooks, each counted from the
    /// previous one; see [`DEFAULT_STATUS_DELAYS`](crate::DEFAULT_STATUS_DELAYS).
    pub status_delays: [Duration; 3],
    /// The business numbers that exist from the start, as (phone number id, display phone
    /// number) pairs; more can be added at `POST /control/numbers`.
    pub numbers: Vec<(String, String)>,
    /// Whether to enforce Meta's default throughput and pair limits
    /// ([`ThroughputLimits::default`]).
    pub throughput_limits: bool,
}

impl fmt::Debug for SimulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimulatorConfig")
            .field("bind", &self.bind)
            .field("callback_url", &self.callback_url)
            .field("status_delays", &self.status_delays)
            .field("numbers", &self.numbers)
            .field("throughput_limits", &self.throughput_limits)
            .finish_non_exhaustive()
    }
}

/// Binds the HTTP simulator and returns the address it listens on with the server, which serves
/// once awaited or spawned on an actix runtime. Like any actix-web server it stops gracefully on
/// SIGINT or SIGTERM, or through [`Server::handle`].
///
/// # Errors
/// [`io::ErrorKind::InvalidInput`] when a number of `config.numbers` is malformed (see
/// `POST /control/numbers`), the bind error when the address is taken or not ours, and an
/// [`io::ErrorKind::Other`] error when the webhook HTTP client cannot be built.
pub fn bind(config: SimulatorConfig) -> io::Result<(SocketAddr, Server)> {
    let engine = SimulatorEngine::new(EngineSettings {
        callback_url: config.callback_url,
        app_secret: config.app_secret,
        status_delays: config.status_delays,
        window: WindowRule::Strict,
        limits: config.throughput_limits.then(ThroughputLimits::default),
    })
    .map_err(io::Error::other)?;
    for (phone_number_id, display_phone_number) in &config.numbers {
        check_number(phone_number_id, display_phone_number)
            .map_err(|problem| io::Error::new(io::ErrorKind::InvalidInput, problem))?;
        engine.register_number(phone_number_id, display_phone_number);
    }
    let door = web::Data::new(Door {
        engine,
        access_token: config.access_token,
    });
    let server = HttpServer::new(move || App::new().app_data(door.clone()).configure(routes))
        .workers(WORKERS)
        .shutdown_timeout(SHUTDOWN_TIMEOUT_SECS)
        .bind(config.bind)?;
    let address = server.addrs().first().copied().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::AddrNotAvailable,
            format!("{} resolved to no address to listen on", config.bind),
        )
    })?;
    Ok((address, server.run()))
}

/// Binds the HTTP simulator (see [`bind`]) and serves until it is stopped.
///
/// # Errors
/// Those of [`bind`], and an I/O error that stops the server.
pub async fn run(config: SimulatorConfig) -> io::Result<()> {
    let (address, server) = bind(config)?;
    tracing::info!(%address, "WhatsApp Cloud API simulator listening");
    server.await
}

fn routes(config: &mut web::ServiceConfig) {
    // The control and download routes come first: `/{version}/{media_id}` would match them too.
    config
        .route("/healthz", web::get().to(healthz))
        .service(
            web::resource("/control/inbound")
                // A customer's media comes inline, in base64.
                .app_data(web::PayloadConfig::new(CONTROL_INBOUND_LIMIT))
                .route(web::post().to(control_inbound)),
        )
        .route("/control/numbers", web::post().to(control_numbers))
        .route(
            "/control/media/{media_id}/fail",
            web::post().to(control_media_fail),
        )
        .route(DOWNLOAD_PATH, web::get().to(download_media))
        .route(
            "/{version}/{phone_number_id}/messages",
            web::post().to(post_messages),
        )
        .route(
            "/{version}/{phone_number_id}/media",
            web::post().to(upload_media),
        )
        .route("/{version}/{media_id}", web::get().to(media_info))
        .route("/{version}/{media_id}", web::delete().to(delete_media));
}

/// What every handler shares.
struct Door {
    engine: SimulatorEngine,
    access_token: String,
}

impl Door {
    /// Checks `Authorization: Bearer <token>` as the Graph API does before anything else.
    fn authorize(&self, request: &HttpRequest) -> Result<(), GraphError> {
        let token = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        match token {
            Some(token) if same_secret(token.as_bytes(), self.access_token.as_bytes()) => Ok(()),
            _ => Err(GraphError::invalid_access_token()),
        }
    }
}

/// Compares two secrets in time that does not depend on where they first differ, so the token
/// cannot be guessed byte by byte from response times.
fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0, |difference, (a, b)| difference | (a ^ b))
            == 0
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// `POST /{version}/{phone_number_id}/messages`: a send or a read receipt. Any version is taken.
async fn post_messages(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    door: web::Data<Door>,
) -> HttpResponse {
    let (_version, phone_number_id) = path.into_inner();
    let answer = door.authorize(&request).and_then(|()| {
        if !door.engine.is_registered(&phone_number_id) {
            return Err(GraphError::unknown_object("post", &phone_number_id));
        }
        let body: Value = serde_json::from_slice(&body).map_err(|error| {
            GraphError::invalid_parameter(format!("The request body is not valid JSON: {error}"))
        })?;
        door.engine.post_messages(&phone_number_id, &body)
    });
    match answer {
        Ok(success) => HttpResponse::Ok().json(success),
        Err(error) => graph_error(&error),
    }
}

/// Meta's error response for `error`.
fn graph_error(error: &GraphError) -> HttpResponse {
    let status =
        StatusCode::from_u16(error.http_status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    if let Some(wait) = error.retry_after {
        // Whole seconds, rounded up so that a client honouring it does not come back early.
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        response.insert_header((RETRY_AFTER, seconds));
    }
    response.json(error.to_json())
}
