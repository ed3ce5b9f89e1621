//! A fake WhatsApp Cloud API that records every message sent to it: answers sends as Meta does
//! (a fresh `wamid.…` per send), after a pause like a real round trip, so a process killed
//! mid-dispatch has sends in flight.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context as _;
use serde_json::{Value, json};

/// The token the desk must present, as Meta checks its access token.
pub const ACCESS_TOKEN: &str = "crash-probe-access-token";
/// How long each send takes to answer by default: Meta's answers take tens to hundreds of
/// milliseconds.
const ROUND_TRIP: Duration = Duration::from_millis(20);

#[derive(Debug, Default)]
struct Recorded {
    /// How many sends each text body got.
    sends: Mutex<HashMap<String, u32>>,
    next_id: AtomicU64,
    round_trip: Duration,
}

/// The fake, serving on a loopback port from a thread of its own until dropped.
#[derive(Debug)]
pub struct RecordingCloud {
    pub base_url: String,
    recorded: Arc<Recorded>,
    handle: actix_web::dev::ServerHandle,
}

impl RecordingCloud {
    pub fn start() -> anyhow::Result<Self> {
        Self::start_answering_after(ROUND_TRIP)
    }

    /// As [`RecordingCloud::start`], each send answered after `round_trip`.
    pub fn start_answering_after(round_trip: Duration) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let recorded = Arc::new(Recorded {
            round_trip,
            ..Recorded::default()
        });
        let data = web::Data::from(Arc::clone(&recorded));
        let server = HttpServer::new(move || {
            App::new().app_data(data.clone()).route(
                "/{version}/{phone_number_id}/messages",
                web::post().to(send),
            )
        })
        .workers(2)
        .disable_signals()
        .listen(listener)?
        .run();
        let handle = server.handle();
        std::thread::Builder::new()
            .name("recording-cloud".to_owned())
            .spawn(move || actix_web::rt::System::new().block_on(server))
            .context("cannot start the fake Cloud API's thread")?;
        Ok(Self {
            base_url,
            recorded,
            handle,
        })
    }

    /// How many sends each text body got so far.
    pub fn sends(&self) -> HashMap<String, u32> {
        self.recorded
            .sends
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for RecordingCloud {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

async fn send(
    request: actix_web::HttpRequest,
    body: web::Json<Value>,
    recorded: web::Data<Recorded>,
) -> HttpResponse {
    let authorized = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {ACCESS_TOKEN}"));
    if !authorized {
        return HttpResponse::Unauthorized().json(json!({"error": {
            "message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190,
        }}));
    }
    if body.get("status").is_some() {
        return HttpResponse::Ok().json(json!({"success": true}));
    }
    // Recorded on arrival: a send counts once it reached the API, answered or not.
    let text = body["text"]["body"]
        .as_str()
        .map_or_else(|| body.to_string(), str::to_owned);
    *recorded
        .sends
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(text)
        .or_default() += 1;
    let id = recorded.next_id.fetch_add(1, Ordering::Relaxed);
    tokio::time::sleep(recorded.round_trip).await;
    let to = body["to"].clone();
    HttpResponse::Ok().json(json!({
        "messaging_product": "whatsapp",
        "contacts": [{"input": to, "wa_id": to}],
        "messages": [{"id": format!("wamid.crash-probe.{id}")}],
    }))
}
