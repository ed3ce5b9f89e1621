//! The desk's webhook endpoint as the WhatsApp side (the simulator, the mock gateway) sees it:
//! a loopback server that records every POST it takes and answers what the test scripted.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::http::header::HeaderMap;
use actix_web::http::{Method, StatusCode};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use switchboard_whatsapp::signature::verify_signature;
use switchboard_whatsapp::webhook::{Envelope, parse_envelope};

use crate::lock::lock;

/// How long the waiting helpers wait before failing the test: only a ceiling, never a goal, so
/// it is generous enough for a loaded machine.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// How often the waiting helpers look again.
const POLL: Duration = Duration::from_millis(20);

/// The body of every answer the test scripted to be an error, so a test can check that the
/// sender reports the body it got.
const SCRIPTED_FAILURE: &str = "scripted failure";

/// One POST the receiver took.
#[derive(Clone)]
pub struct Post {
    /// The request's headers, as sent.
    pub headers: HeaderMap,
    /// The request's body, byte for byte (a signature covers these exact bytes).
    pub body: Vec<u8>,
    /// The status code the receiver answered.
    pub answered: u16,
}

impl Post {
    /// The header `name` (case-insensitive), if it was sent and is visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// Whether the receiver answered with a success (2xx), so the sender counts it delivered.
    pub fn accepted(&self) -> bool {
        StatusCode::from_u16(self.answered).is_ok_and(|status| status.is_success())
    }

    /// The Cloud API envelope this POST carries, after checking that it is what Meta sends:
    /// ASCII-only JSON, sent as `application/json`, signed with `app_secret` over the exact
    /// bytes in `X-Hub-Signature-256`.
    ///
    /// # Panics
    ///
    /// If any of that does not hold: the test fails, showing the body.
    pub fn envelope(&self, app_secret: &[u8]) -> Envelope {
        let body = String::from_utf8_lossy(&self.body);
        assert!(self.body.is_ascii(), "a webhook body is ASCII: {body}");
        assert_eq!(
            self.header("Content-Type"),
            Some("application/json"),
            "{body}"
        );
        if let Err(error) =
            verify_signature(app_secret, &self.body, self.header("X-Hub-Signature-256"))
        {
            panic!("bad webhook signature ({error:?}): {body}");
        }
        parse_envelope(&self.body)
            .unwrap_or_else(|error| panic!("not a Cloud API envelope ({error:?}): {body}"))
    }
}

impl fmt::Debug for Post {
    /// The body as text: these are JSON bodies, and bytes would hide what went wrong.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Post")
            .field("answered", &self.answered)
            .field("headers", &self.headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

/// What the handler shares with the test.
#[derive(Debug, Default)]
struct Recorder {
    /// The statuses the next POSTs get, in turn; once empty, every POST gets a 200.
    answers: Mutex<VecDeque<StatusCode>>,
    posts: Mutex<Vec<Post>>,
}

/// A webhook receiver on a free port of 127.0.0.1, serving until it is dropped.
///
/// It records every POST on any path, including the ones it answered with a scripted error.
#[derive(Debug)]
pub struct WebhookReceiver {
    url: String,
    recorder: Arc<Recorder>,
    server: ServerHandle,
}

impl WebhookReceiver {
    /// A receiver that answers every POST with a 200.
    ///
    /// # Panics
    ///
    /// Outside an actix system (e.g. `#[actix_web::test]`), or if no loopback port is free.
    pub async fn start() -> Self {
        Self::answering([]).await
    }

    /// A receiver that answers its first POSTs with `statuses`, in turn, and every later one
    /// with a 200. An error status comes with the body `scripted failure`.
    ///
    /// # Panics
    ///
    /// On a number that is not an HTTP status, outside an actix system, or if no loopback port
    /// is free.
    pub async fn answering(statuses: impl IntoIterator<Item = u16>) -> Self {
        let answers = statuses
            .into_iter()
            .map(|status| {
                StatusCode::from_u16(status)
                    .unwrap_or_else(|_| panic!("{status} is not an HTTP status"))
            })
            .collect();
        let recorder = Arc::new(Recorder {
            answers: Mutex::new(answers),
            posts: Mutex::default(),
        });
        let data = web::Data::from(Arc::clone(&recorder));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(record))
        })
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .unwrap_or_else(|error| panic!("cannot bind the webhook receiver: {error}"));
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Self {
            url: format!("http://127.0.0.1:{port}/webhooks/whatsapp"),
            recorder,
            server: handle,
        }
    }

    /// The webhook URL to configure the sender with.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The POSTs taken so far, in arrival order.
    pub fn posts(&self) -> Vec<Post> {
        lock(&self.recorder.posts).clone()
    }

    /// The POSTs taken so far, once there are at least `count`.
    ///
    /// # Panics
    ///
    /// If fewer than `count` came within [`PATIENCE`].
    pub async fn wait_for_posts(&self, count: usize) -> Vec<Post> {
        self.wait_until(format!("{count} webhook POSTs"), |posts| {
            (posts.len() >= count).then(|| posts.to_vec())
        })
        .await
    }

    /// Looks at the POSTs taken so far with `check` until it returns a value, and returns it.
    /// `what` names what the test waits for, for the failure message.
    ///
    /// # Panics
    ///
    /// If `check` found nothing within [`PATIENCE`]; the message shows every POST taken.
    pub async fn wait_until<T>(
        &self,
        what: impl fmt::Display,
        mut check: impl FnMut(&[Post]) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let posts = self.posts();
            if let Some(found) = check(&posts) {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "waited {PATIENCE:?} for {what}; the {} POSTs taken: {posts:#?}",
                posts.len()
            );
            tokio::time::sleep(POLL).await;
        }
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        // The stop command is sent at once; awaiting its completion is not needed.
        drop(self.server.stop(false));
    }
}

/// Records a POST and answers the next scripted status; any other method is refused unrecorded,
/// since the senders under test only ever POST.
async fn record(
    request: HttpRequest,
    body: web::Bytes,
    recorder: web::Data<Recorder>,
) -> HttpResponse {
    if request.method() != Method::POST {
        return HttpResponse::MethodNotAllowed().finish();
    }
    let status = lock(&recorder.answers)
        .pop_front()
        .unwrap_or(StatusCode::OK);
    lock(&recorder.posts).push(Post {
        headers: request.headers().clone(),
        body: body.to_vec(),
        answered: status.as_u16(),
    });
    if status.is_client_error() || status.is_server_error() {
        HttpResponse::build(status).body(SCRIPTED_FAILURE)
    } else {
        HttpResponse::build(status).finish()
    }
}
