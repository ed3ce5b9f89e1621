//! The HTTP door: the engine behind the Graph API's routes on a TCP port, for any Cloud API client
//! pointed at it by base URL, plus control routes to play customers and register numbers.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use actix_multipart::Multipart;
use actix_web::dev::Server;
use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, HeaderMap, RETRY_AFTER};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use futures_util::StreamExt as _;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::delivery::DeliveryError;
use crate::engine::{EngineSettings, Inbound, InboundContent, SimulatorEngine, WindowRule};
use crate::error::GraphError;
use crate::limits::ThroughputLimits;
use crate::media::{MAX_MEDIA_SIZE, MediaInfo};
use crate::request;

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

/// `POST /{version}/{phone_number_id}/media`: a multipart upload of `messaging_product`, `type`
/// (the MIME type) and `file`, answered `{"id":"<media id>"}`.
async fn upload_media(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    payload: web::Payload,
    door: web::Data<Door>,
) -> HttpResponse {
    let (_version, phone_number_id) = path.into_inner();
    let answer = async {
        door.authorize(&request)?;
        if !door.engine.is_registered(&phone_number_id) {
            return Err(GraphError::unknown_object("post", &phone_number_id));
        }
        let (mime_type, file) = read_upload(request.headers(), payload).await?;
        door.engine.upload_media(&mime_type, file)
    };
    match answer.await {
        Ok(info) => HttpResponse::Ok().json(json!({ "id": info.id })),
        Err(error) => graph_error(&error),
    }
}

/// Reads an upload form and returns its `type` and `file`, each read no further than its limit
/// so that an oversize upload costs no more memory than the largest allowed one.
async fn read_upload(
    headers: &HeaderMap,
    payload: web::Payload,
) -> Result<(String, Bytes), GraphError> {
    let not_a_form = |error: actix_multipart::MultipartError| {
        GraphError::invalid_parameter(format!(
            "The request body must be multipart/form-data: {error}"
        ))
    };
    let mut form = Multipart::new(headers, payload);
    let (mut product, mut mime_type, mut file) = (None, None, None);
    while let Some(field) = form.next().await {
        let mut field = field.map_err(not_a_form)?;
        let name = field.name().unwrap_or_default().to_owned();
        let limit = if name == "file" {
            MAX_MEDIA_SIZE
        } else {
            FORM_FIELD_LIMIT
        };
        let mut bytes = BytesMut::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(not_a_form)?;
            if bytes.len() + chunk.len() > limit {
                return Err(if name == "file" {
                    GraphError::media_upload_error(format!(
                        "The file is larger than {MAX_MEDIA_SIZE} bytes, the most any media \
                         type allows"
                    ))
                } else {
                    GraphError::invalid_parameter(format!(
                        "Param {name} must be at most {FORM_FIELD_LIMIT} bytes long"
                    ))
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = || String::from_utf8_lossy(&bytes).trim().to_owned();
        match name.as_str() {
            "messaging_product" => product = Some(text()),
            "type" => mime_type = Some(text()),
            "file" => file = Some(bytes.freeze()),
            // Like the Graph API, ignore fields the route does not know.
            _ => {}
        }
    }
    match product.as_deref() {
        Some("whatsapp") => {}
        None => {
            return Err(GraphError::invalid_parameter(
                "The parameter messaging_product is required.",
            ));
        }
        Some(other) => {
            return Err(GraphError::invalid_parameter(format!(
                "Param messaging_product must be one of {{WHATSAPP}} - got \"{other}\"."
            )));
        }
    }
    let file = file
        .ok_or_else(|| GraphError::required_parameter_missing("The parameter file is required."))?;
    let mime_type = mime_type
        .ok_or_else(|| GraphError::required_parameter_missing("The parameter type is required."))?;
    Ok((mime_type, file))
}

/// `GET /{version}/{media_id}`: the media's description, with a download URL on this server.
async fn media_info(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    door: web::Data<Door>,
) -> HttpResponse {
    let (_version, media_id) = path.into_inner();
    match door
        .authorize(&request)
        .and_then(|()| door.engine.media_info(&media_id))
    {
        Ok(info) => HttpResponse::Ok().json(json!({
            "messaging_product": "whatsapp",
            "url": download_url(&request, &info),
            "mime_type": info.mime_type,
            "sha256": info.sha256,
            "file_size": info.file_size,
            "id": info.id,
        })),
        Err(error) => graph_error(&error),
    }
}

/// The absolute download URL of `info`, on the scheme, host and port the client reached this
/// server at (its `Host` header, or a proxy's `Forwarded` one), so that it works wherever the
/// simulator is bound.
fn download_url(request: &HttpRequest, info: &MediaInfo) -> String {
    let connection = request.connection_info();
    format!(
        "{}://{}{DOWNLOAD_PATH}?mid={}&hash={}",
        connection.scheme(),
        connection.host(),
        info.id,
        info.download_hash
    )
}

/// The query of a download URL.
#[derive(Deserialize)]
struct DownloadQuery {
    mid: String,
    hash: String,
}

/// `GET <download URL>`: the bytes, with the bearer token as on Meta. Unknown media, or a URL
/// whose hash is not the media's, answer 404.
async fn download_media(request: HttpRequest, door: web::Data<Door>) -> HttpResponse {
    if let Err(error) = door.authorize(&request) {
        return graph_error(&error);
    }
    let downloaded = web::Query::<DownloadQuery>::from_query(request.query_string())
        .map_err(|_| GraphError::unknown_object("get", "(no media id)"))
        .and_then(|query| door.engine.download_media(&query.mid, &query.hash));
    match downloaded {
        Ok(file) => HttpResponse::Ok()
            .content_type(file.mime_type)
            .body(file.bytes),
        // Meta's download host answers 404 for what it does not have; other errors keep theirs.
        Err(error) if error.code == 100 => graph_error(&GraphError {
            http_status: 404,
            ..error
        }),
        Err(error) => graph_error(&error),
    }
}

/// `DELETE /{version}/{media_id}`: `{"success":true}`; look-ups and downloads then fail.
async fn delete_media(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    door: web::Data<Door>,
) -> HttpResponse {
    let (_version, media_id) = path.into_inner();
    match door
        .authorize(&request)
        .and_then(|()| door.engine.delete_media(&media_id))
    {
        Ok(()) => HttpResponse::Ok().json(json!({ "success": true })),
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

/// The body of `POST /control/inbound`: exactly one of `text` and `media`.
#[derive(Deserialize)]
struct ControlInbound {
    phone_number_id: String,
    /// The customer's number, digits with an optional `+`.
    from: String,
    name: Option<String>,
    text: Option<String>,
    media: Option<ControlMedia>,
    /// When the customer wrote, in Unix seconds; now when absent.
    timestamp: Option<i64>,
}

/// A customer's media: new bytes (`data` in base64 with their `mime_type`) or the `id` of media
/// already stored.
#[derive(Deserialize)]
struct ControlMedia {
    id: Option<String>,
    data: Option<String>,
    mime_type: Option<String>,
    caption: Option<String>,
    filename: Option<String>,
}

/// `POST /control/inbound`: a customer writes to a registered number. Answers `{"wamid": ...}`
/// (and `"media_id"` for media) once the desk's webhook took the message, 502 when it did not.
async fn control_inbound(
    request: HttpRequest,
    body: web::Bytes,
    door: web::Data<Door>,
) -> HttpResponse {
    if let Err(error) = door.authorize(&request) {
        return graph_error(&error);
    }
    let inbound: ControlInbound = match serde_json::from_slice(&body) {
        Ok(inbound) => inbound,
        Err(error) => return control_error(StatusCode::BAD_REQUEST, &error.to_string()),
    };
    if !door.engine.is_registered(&inbound.phone_number_id) {
        return control_error(
            StatusCode::NOT_FOUND,
            &format!(
                "no business number {:?}; register it at POST /control/numbers",
                inbound.phone_number_id
            ),
        );
    }
    let Some(from) = request::wa_id(&inbound.from) else {
        return control_error(
            StatusCode::BAD_REQUEST,
            &format!(
                "from must be a phone number of 7 to 15 digits, got {:?}",
                inbound.from
            ),
        );
    };
    let content = match (inbound.text, inbound.media) {
        (Some(text), None) if text.is_empty() => {
            return control_error(StatusCode::BAD_REQUEST, "text must not be empty");
        }
        (Some(body), None) => InboundContent::Text { body },
        (None, Some(media)) => match inbound_media(&door.engine, media) {
            Ok(content) => content,
            Err((status, message)) => return control_error(status, &message),
        },
        _ => {
            return control_error(
                StatusCode::BAD_REQUEST,
                "give exactly one of text and media",
            );
        }
    };
    let media_id = match &content {
        InboundContent::Media { media_id, .. } => Some(media_id.clone()),
        InboundContent::Text { .. } => None,
    };
    let delivered = door
        .engine
        .deliver_inbound(Inbound {
            phone_number_id: inbound.phone_number_id,
            from: from.to_owned(),
            name: inbound.name,
            content,
            timestamp: inbound.timestamp,
        })
        .await;
    match (delivered, media_id) {
        (Ok(wamid), None) => HttpResponse::Ok().json(json!({ "wamid": wamid })),
        (Ok(wamid), Some(media_id)) => {
            HttpResponse::Ok().json(json!({ "wamid": wamid, "media_id": media_id }))
        }
        (Err(error @ DeliveryError::UnknownMedia(_)), _) => {
            control_error(StatusCode::NOT_FOUND, &error.to_string())
        }
        (Err(error), _) => control_error(StatusCode::BAD_GATEWAY, &error.to_string()),
    }
}

/// The content of a customer's media message, storing new bytes first as the customer's phone
/// uploads them to Meta; a refused upload answers with Meta's reason. Errors are the status and
/// message of the control error to answer.
fn inbound_media(
    engine: &SimulatorEngine,
    media: ControlMedia,
) -> Result<InboundContent, (StatusCode, String)> {
    let media_id = match (media.id, media.data, media.mime_type) {
        (Some(id), None, _) => id,
        (None, Some(data), Some(mime_type)) => {
            let bytes = STANDARD.decode(data).map_err(|error| {
                (
                    StatusCode::BAD_REQUEST,
                    format!("media.data is not base64: {error}"),
                )
            })?;
            let info = engine
                .upload_media(&mime_type, Bytes::from(bytes))
                .map_err(|error| {
                    let status =
                        StatusCode::from_u16(error.http_status).unwrap_or(StatusCode::BAD_REQUEST);
                    (status, error.to_string())
                })?;
            info.id
        }
        (None, Some(_), None) => {
            return Err((
                StatusCode::BAD_REQUEST,
                "media.data needs its media.mime_type".to_owned(),
            ));
        }
        _ => {
            return Err((
                StatusCode::BAD_REQUEST,
                "media needs exactly one of id and data".to_owned(),
            ));
        }
    };
    Ok(InboundContent::Media {
        media_id,
        caption: media.caption,
        filename: media.filename,
    })
}

/// The body of `POST /control/media/{media_id}/fail`.
#[derive(Deserialize)]
struct ControlMediaFail {
    times: u32,
}

/// `POST /control/media/{media_id}/fail`: the next `times` downloads of the media answer 500.
async fn control_media_fail(
    request: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    door: web::Data<Door>,
) -> HttpResponse {
    if let Err(error) = door.authorize(&request) {
        return graph_error(&error);
    }
    let fail: ControlMediaFail = match serde_json::from_slice(&body) {
        Ok(fail) => fail,
        Err(error) => return control_error(StatusCode::BAD_REQUEST, &error.to_string()),
    };
    match door.engine.fail_media_downloads(&path, fail.times) {
        Ok(()) => HttpResponse::Ok().json(json!({ "success": true })),
        Err(error) => control_error(StatusCode::NOT_FOUND, &error.to_string()),
    }
}

/// The body of `POST /control/numbers`.
#[derive(Deserialize)]
struct ControlNumber {
    phone_number_id: String,
    display_phone_number: String,
}

/// `POST /control/numbers`: registers a business number (or renames one).
async fn control_numbers(
    request: HttpRequest,
    body: web::Bytes,
    door: web::Data<Door>,
) -> HttpResponse {
    if let Err(error) = door.authorize(&request) {
        return graph_error(&error);
    }
    let number: ControlNumber = match serde_json::from_slice(&body) {
        Ok(number) => number,
        Err(error) => return control_error(StatusCode::BAD_REQUEST, &error.to_string()),
    };
    if let Err(problem) = check_number(&number.phone_number_id, &number.display_phone_number) {
        return control_error(StatusCode::BAD_REQUEST, &problem);
    }
    door.engine
        .register_number(&number.phone_number_id, &number.display_phone_number);
    HttpResponse::Ok().json(json!({ "success": true }))
}

/// A business number as Meta has them: an id of digits (it is a URL path segment), and a
/// display number with some digits (`+`, spaces and dashes are dropped).
fn check_number(phone_number_id: &str, display_phone_number: &str) -> Result<(), String> {
    if phone_number_id.is_empty() || !phone_number_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "phone_number_id must be digits, got {phone_number_id:?}"
        ));
    }
    if !display_phone_number.chars().any(|c| c.is_ascii_digit()) {
        return Err(format!(
            "display_phone_number must contain digits, got {display_phone_number:?}"
        ));
    }
    Ok(())
}

/// A control route's error: `{"error":{"message":"..."}}`. These routes are the simulator's
/// own, not the Graph API's, so they do not mimic Meta's shape.
fn control_error(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({ "error": { "message": message } }))
}
