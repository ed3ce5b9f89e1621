//! Mock mode across a crash: status webhooks the mock still owed when its process died are
//! taken up by the next process on the same data directory, so every reply still reaches the
//! status its recipient's test number scripts, as with Meta, which redelivers.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{sign_in_over_http, spawn_server_with};

const PASSWORD: &str = "mock-restart-pw";
/// A status delay no test waits out: a process with it dies owing that status.
const NEVER: &str = "3600000";
/// A ceiling for the wait, never a goal: the statuses come at zero delays.
const PATIENCE: Duration = Duration::from_secs(30);

/// A server in an actix system of its own, on its own thread, to be killed: ending the system
/// drops its runtime with every task on it (the mock's planned status webhooks, the
/// dispatcher, the HTTP workers) without a shutdown, which is what `kill -9` leaves behind, as
/// far as the data directory can tell.
struct Doomed {
    base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Doomed {
    fn start(data_dir: &Path, status_delays: String) -> Self {
        let data_dir = data_dir.to_path_buf();
        let (base_tx, base_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let system = actix_web::rt::System::new();
            system.block_on(async move {
                let server = spawn(&data_dir, &status_delays).await;
                base_tx.send(server).unwrap();
                let _ = stopped.await;
                actix_web::rt::System::current().stop();
            });
        });
        Self {
            base: base_rx.recv().unwrap(),
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Ends the process's runtime and waits until its port refuses connections.
    async fn kill(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.thread.take().unwrap().join().unwrap();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(1))
            .build()
            .unwrap();
        let deadline = Instant::now() + PATIENCE;
        while client
            .get(format!("{}/healthz", self.base))
            .send()
            .await
            .is_ok()
        {
            assert!(Instant::now() < deadline, "the killed server still answers");
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn spawn(data_dir: &Path, status_delays: &str) -> String {
    spawn_server_with(
        data_dir,
        Some(PASSWORD),
        &[("SWITCHBOARD_MOCK_STATUS_DELAYS_MS", status_delays)],
    )
    .await
    .base
}

/// The admin's view of one server.
struct Desk {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Desk {
    async fn sign_in(base: &str) -> Self {
        let client = reqwest::Client::new();
        let token = sign_in_over_http(&client, base, "admin", PASSWORD).await;
        Self {
            client,
            base: base.to_owned(),
            token,
        }
    }

    async fn get(&self, path: &str) -> Value {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    /// The customer `from` writes to the demo number and the agent answers; returns the reply.
    async fn answer(&self, from: &str) -> Reply {
        let number = self.get("/api/v1/business-numbers").await["items"][0]["id"].clone();
        let (status, body) = self
            .post(
                "/api/v1/simulator/inbound",
                json!({"business_number_id": number, "from": from, "text": "Where is my order?"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let digits = from.trim_start_matches('+');
        let inbox = self.get("/api/v1/conversations?limit=200").await;
        let conversation = inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["contact"]["wa_id"] == digits)
            .unwrap_or_else(|| panic!("no conversation with {from}: {inbox}"))["id"]
            .as_i64()
            .unwrap();
        let (status, body) = self
            .post(
                &format!("/api/v1/conversations/{conversation}/messages"),
                json!({"type": "text", "text": {"body": "It ships today."}}),
            )
            .await;
        assert_eq!(status, 202, "{body}");
        Reply {
            recipient: from.to_owned(),
            conversation,
            id: body["id"].as_i64().unwrap(),
        }
    }

    async fn status(&self, reply: &Reply) -> String {
        let thread = self
            .get(&format!(
                "/api/v1/conversations/{}/messages",
                reply.conversation
            ))
            .await;
        let message = thread["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == reply.id)
            .unwrap_or_else(|| panic!("reply {} not in its thread: {thread}", reply.id))
            .clone();
        message["status"].as_str().unwrap().to_owned()
    }

    /// Polls until every reply has its expected status; fails naming those that do not.
    async fn until_all(&self, expected: &[(&Reply, &str)]) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let mut wrong = Vec::new();
            for (reply, status) in expected {
                let now = self.status(reply).await;
                if now != *status {
                    wrong.push(format!("{} is {now}, expected {status}", reply.recipient));
                }
            }
            if wrong.is_empty() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "after {PATIENCE:?}: {}",
                wrong.join("; ")
            );
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[derive(Debug)]
struct Reply {
    recipient: String,
    conversation: i64,
    id: i64,
}

#[actix_web::test]
async fn replies_whose_statuses_were_owed_when_the_process_died_still_reach_read_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir: PathBuf = dir.path().to_path_buf();
    // Three processes die in turn, each owing the reply it sent a different status; the first
    // also owes a silent recipient's (none is ever owed) and an outside-the-window one's
    // (`failed`).
    let mut replies = Vec::new();
    let mut silent = None;
    let mut outside_window = None;
    for (round, (delays, stalls_at)) in [
        (format!("{NEVER},0,0"), "accepted"),
        (format!("0,{NEVER},0"), "sent"),
        (format!("0,0,{NEVER}"), "delivered"),
    ]
    .into_iter()
    .enumerate()
    {
        let process = Doomed::start(&data_dir, delays);
        let desk = Desk::sign_in(&process.base).await;
        let reply = desk.answer(&format!("+1650555010{round}")).await;
        if round == 0 {
            let to_silent = desk.answer("+16505550003").await;
            let to_outside = desk.answer("+16505550047").await;
            desk.until_all(&[(&to_silent, "accepted"), (&to_outside, "accepted")])
                .await;
            silent = Some(to_silent);
            outside_window = Some(to_outside);
        }
        desk.until_all(&[(&reply, stalls_at)]).await;
        replies.push(reply);
        process.kill().await;
    }

    let base = spawn(&data_dir, "0,0,0").await;
    let desk = Desk::sign_in(&base).await;
    let outside_window = outside_window.unwrap();
    let mut expected: Vec<(&Reply, &str)> = replies.iter().map(|r| (r, "read")).collect();
    expected.push((&outside_window, "failed"));
    desk.until_all(&expected).await;
    // The silent recipient's statuses are the tester's to deliver, after a restart as before.
    let silent = silent.unwrap();
    assert_eq!(desk.status(&silent).await, "accepted");
}
