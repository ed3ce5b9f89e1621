//! Two instances on one PostgreSQL database behave as one product: a live stream on either
//! sees every delivery made to the other, in order, and resumes on the other after a reconnect
//! missing nothing; replies posted to both are each sent once, each conversation's in order.
//! PostgreSQL only (the suite's second pass); on SQLite each test returns at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use serde_json::{Value, json};
use switchboard_simulator::mock::DEMO_NUMBER;
use switchboard_test_support::TestDatabase;
use switchboard_whatsapp::signature::signature_header;

use crate::backend::on_postgres;
use crate::common::{sign_in_over_http, spawn_server_with};
use crate::harness::live::{SseEvent, eventually, subscribe, subscribe_to_end};
use crate::harness::webhook::{envelope, inbound};

const PASSWORD: &str = "two-instances-pw";
const APP_SECRET: &str = "two-instances-app-secret";
/// Shared by both instances, so an access token from one is good on the other.
const JWT_SECRET: &str = "two-instances-jwt-secret-of-at-least-32-bytes";
const NUMBER_ID: &str = "106540352242922";

/// Two instances on one new database, started together (both bootstrap at once), each with a
/// data directory of its own, and the admin signed in.
struct Pair {
    bases: [String; 2],
    http: reqwest::Client,
    token: String,
    /// Each instance's shutdown, as SIGTERM begins it.
    shutdowns: [switchboard::shutdown::Shutdown; 2],
    _database: TestDatabase,
    _dirs: [tempfile::TempDir; 2],
}

impl Pair {
    /// `None` unless this is the PostgreSQL pass.
    async fn start(extra: &[(&str, &str)]) -> Option<Self> {
        if !on_postgres() {
            return None;
        }
        let database = TestDatabase::create().expect("the PostgreSQL pass has a server");
        let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
        let mut env = vec![
            ("SWITCHBOARD_DATABASE_URL", database.url()),
            ("SWITCHBOARD_JWT_SECRET", JWT_SECRET),
            ("SWITCHBOARD_WHATSAPP_APP_SECRET", APP_SECRET),
            ("SWITCHBOARD_MOCK_STATUS_DELAYS_MS", "0,0,0"),
        ];
        env.extend_from_slice(extra);
        let (a, b) = futures_util::join!(
            spawn_server_with(dirs[0].path(), Some(PASSWORD), &env),
            spawn_server_with(dirs[1].path(), Some(PASSWORD), &env),
        );
        let http = reqwest::Client::new();
        let token = sign_in_over_http(&http, &a.base, "admin", PASSWORD).await;
        Some(Self {
            bases: [a.base, b.base],
            http,
            token,
            shutdowns: [a.shutdown, b.shutdown],
            _database: database,
            _dirs: dirs,
        })
    }

    async fn get(&self, instance: usize, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.bases[instance]))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn post(&self, instance: usize, path: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.bases[instance]))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Ten customers' messages `text {from}`..`text {from + 9}`, delivered to `instance`.
    async fn deliver_ten(&self, instance: usize, from: usize) {
        for i in from..from + 10 {
            let delivery = envelope(
                DEMO_NUMBER.phone_number_id,
                json!([inbound(
                    &format!("wamid.rolling-{i}"),
                    &format!("1650555{i:04}"),
                    &format!("text {i}"),
                    0
                )]),
                json!([]),
            );
            self.deliver(instance, &delivery).await;
        }
    }

    /// Posts a signed webhook delivery to one instance, as Meta would; must be acknowledged.
    async fn deliver(&self, instance: usize, delivery: &Value) {
        let body = serde_json::to_vec(delivery).unwrap();
        let answer = self
            .http
            .post(format!("{}/webhooks/whatsapp", self.bases[instance]))
            .header("content-type", "application/json")
            .header(
                "x-hub-signature-256",
                signature_header(APP_SECRET.as_bytes(), &body),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 200);
    }

    fn events_url(&self, instance: usize) -> String {
        format!("{}/api/v1/events", self.bases[instance])
    }
}

/// The texts of the `message.created` events among `events`, in their order.
fn texts(events: &[SseEvent]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.name == "message.created")
        .filter_map(|e| e.data["text"].as_str().map(str::to_owned))
        .collect()
}

#[actix_web::test]
async fn deliveries_to_either_instance_reach_a_stream_on_the_other_in_order_and_resume_anywhere() {
    let Some(pair) = Pair::start(&[]).await else {
        return;
    };
    let on_b = subscribe(&pair.http, pair.events_url(1), &pair.token, None);
    // The subscription starts at the newest event; give it a moment to be established.
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;

    // Forty customers write, their deliveries spread over both instances, two at a time.
    let sent: Vec<String> = (0..40).map(|i| format!("hello {i}")).collect();
    let pair = &pair;
    for (round, texts) in sent.chunks(2).enumerate() {
        let deliveries = texts.iter().enumerate().map(|(k, text)| {
            let i = round * 2 + k;
            let delivery = envelope(
                DEMO_NUMBER.phone_number_id,
                json!([inbound(
                    &format!("wamid.two-{i}"),
                    &format!("1650555{i:04}"),
                    text,
                    0
                )]),
                json!([]),
            );
            async move { pair.deliver(i % 2, &delivery).await }
        });
        futures_util::future::join_all(deliveries).await;
    }
    eventually("the stream on B to see all forty messages", || {
        texts(&on_b.lock().unwrap()).len() >= sent.len()
    })
    .await;
    let seen = on_b.lock().unwrap().clone();
    let mut got = texts(&seen);
    got.sort();
    let mut want = sent.clone();
    want.sort();
    assert_eq!(got, want, "each message once");
    assert!(
        seen.windows(2).all(|w| w[0].id < w[1].id),
        "in the order of their ids"
    );

    // The client's connection drops after the tenth event; it resumes on the other instance.
    let resume_after = seen[9].id;
    let on_a = subscribe(
        &pair.http,
        pair.events_url(0),
        &pair.token,
        Some(resume_after),
    );
    let rest: Vec<i64> = seen[10..].iter().map(|e| e.id).collect();
    eventually("the resumed stream on A to replay the rest", || {
        on_a.lock().unwrap().len() >= rest.len()
    })
    .await;
    let replayed: Vec<i64> = on_a.lock().unwrap().iter().map(|e| e.id).collect();
    assert_eq!(
        replayed[..rest.len()],
        rest[..],
        "nothing skipped, nothing repeated"
    );
}

#[actix_web::test]
async fn a_stream_on_an_instance_that_shuts_down_ends_and_resumes_on_the_other_missing_nothing() {
    let Some(pair) = Pair::start(&[]).await else {
        return;
    };
    let (on_a, a_ended) = subscribe_to_end(&pair.http, pair.events_url(0), &pair.token, Some(0));
    pair.deliver_ten(1, 0).await;
    eventually("the stream on A to see the first ten", || {
        texts(&on_a.lock().unwrap()).len() >= 10
    })
    .await;

    // A is stopped, as in a rolling restart, while customers go on writing to B.
    let (stopped, ()) = futures_util::join!(pair.shutdowns[0].begin(), pair.deliver_ten(1, 10));
    let () = stopped;
    assert_eq!(
        a_ended.await.unwrap(),
        Ok(()),
        "A ended the stream rather than cutting it off"
    );
    let seen_on_a = on_a.lock().unwrap().clone();
    let last = seen_on_a.last().map_or(0, |e| e.id);
    pair.deliver_ten(1, 20).await;

    // The client reconnects, through the load balancer, to B.
    let on_b = subscribe(&pair.http, pair.events_url(1), &pair.token, Some(last));
    eventually("the stream resumed on B to reach the last message", || {
        texts(&on_b.lock().unwrap()).contains(&"text 29".to_owned())
    })
    .await;
    let mut all = seen_on_a;
    all.extend(on_b.lock().unwrap().iter().cloned());
    let want: Vec<String> = (0..30).map(|i| format!("text {i}")).collect();
    assert_eq!(texts(&all), want, "every message once, in order");
    assert!(
        all.windows(2).all(|w| w[0].id < w[1].id),
        "no event twice or out of order across the two streams"
    );
}

/// A stand-in for the Cloud API's send endpoint that records every message it is asked to
/// send and accepts it.
#[derive(Clone, Default)]
struct Recorder {
    sent: Arc<Mutex<Vec<(String, String)>>>,
}

impl Recorder {
    /// Serves on a free loopback port; the base URL the instances are pointed at.
    fn start(&self) -> String {
        let recorder = self.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(recorder.clone()))
                .route("/{version}/{number}/messages", web::post().to(record))
        })
        .workers(1)
        .bind("127.0.0.1:0")
        .unwrap();
        let address = server.addrs()[0];
        actix_web::rt::spawn(server.run());
        format!("http://{address}")
    }

    /// (recipient, text) of every send so far, in the order they arrived.
    fn sent(&self) -> Vec<(String, String)> {
        self.sent.lock().unwrap().clone()
    }
}

async fn record(recorder: web::Data<Recorder>, body: web::Json<Value>) -> HttpResponse {
    let to = body["to"].as_str().unwrap_or_default().to_owned();
    let text = body["text"]["body"].as_str().unwrap_or_default().to_owned();
    let n = {
        let mut sent = recorder.sent.lock().unwrap();
        sent.push((to.clone(), text));
        sent.len()
    };
    HttpResponse::Ok().json(json!({
        "messaging_product": "whatsapp",
        "contacts": [{"input": to, "wa_id": to}],
        "messages": [{"id": format!("wamid.recorded.{n}")}],
    }))
}

#[actix_web::test]
async fn replies_posted_to_both_instances_are_each_sent_once_in_each_conversations_order() {
    let recorder = Recorder::default();
    let cloud = recorder.start();
    let Some(pair) = Pair::start(&[
        ("SWITCHBOARD_WHATSAPP_PROVIDER", "cloud"),
        ("SWITCHBOARD_WHATSAPP_API_BASE_URL", &cloud),
        ("SWITCHBOARD_WHATSAPP_ACCESS_TOKEN", "two-instances-token"),
        ("SWITCHBOARD_WHATSAPP_VERIFY_TOKEN", "two-instances-verify"),
    ])
    .await
    else {
        return;
    };
    let created = pair
        .post(
            0,
            "/api/v1/business-numbers",
            &json!({"name": "Support", "display_phone_number": "+15550783881", "phone_number_id": NUMBER_ID}),
        )
        .await;
    assert_eq!(created.status().as_u16(), 201);
    // Ten customers write first, which opens each one's 24-hour window.
    const CUSTOMERS: usize = 10;
    const REPLIES: usize = 100;
    for c in 0..CUSTOMERS {
        let delivery = envelope(
            NUMBER_ID,
            json!([inbound(
                &format!("wamid.ask-{c}"),
                &format!("1650556{c:04}"),
                "hi",
                0
            )]),
            json!([]),
        );
        pair.deliver(c % 2, &delivery).await;
    }
    let inbox = pair.get(0, "/api/v1/conversations?limit=50").await;
    let conversations: Vec<(i64, String)> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_i64().unwrap(),
                c["contact"]["wa_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(conversations.len(), CUSTOMERS);

    // Each conversation's replies one after the other, alternating instances; the
    // conversations side by side.
    let agents = conversations.iter().enumerate().map(|(c, (id, _))| {
        let pair = &pair;
        async move {
            for r in 0..REPLIES {
                let reply = pair
                    .post(
                        (c + r) % 2,
                        &format!("/api/v1/conversations/{id}/messages"),
                        &json!({"type": "text", "text": {"body": format!("{r}")}}),
                    )
                    .await;
                assert_eq!(reply.status().as_u16(), 202);
            }
        }
    });
    futures_util::future::join_all(agents).await;

    let total = CUSTOMERS * REPLIES;
    for _ in 0..600 {
        if recorder.sent().len() >= total {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    // A moment more, for a second send of anything to show.
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let sent = recorder.sent();
    assert_eq!(sent.len(), total, "every reply sent exactly once");
    let mut by_customer: HashMap<String, Vec<usize>> = HashMap::new();
    for (to, text) in sent {
        by_customer
            .entry(to)
            .or_default()
            .push(text.parse().unwrap());
    }
    for (_, wa_id) in &conversations {
        let order = &by_customer[wa_id];
        assert_eq!(
            *order,
            (0..REPLIES).collect::<Vec<_>>(),
            "{wa_id}'s replies in the order they were posted"
        );
    }
}
