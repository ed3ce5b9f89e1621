//! A live subscriber over real HTTP: the events of `GET /api/v1/events` as they arrive.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt as _;
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct SseEvent {
    pub id: i64,
    pub name: String,
    pub data: Value,
}

/// How a stream read in the background ended: `Ok` when the server ended the response.
pub type StreamEnd = actix_web::rt::task::JoinHandle<Result<(), String>>;

/// Reads an SSE stream in the background, collecting its events.
pub fn subscribe(
    client: &reqwest::Client,
    url: String,
    token: &str,
    last_event_id: Option<i64>,
) -> Arc<Mutex<Vec<SseEvent>>> {
    subscribe_to_end(client, url, token, last_event_id).0
}

/// As [`subscribe`], with how the stream ended: `Ok` when the server ended the response,
/// `Err` when the connection was cut off (or the response could not be read) before its end.
pub fn subscribe_to_end(
    client: &reqwest::Client,
    url: String,
    token: &str,
    last_event_id: Option<i64>,
) -> (Arc<Mutex<Vec<SseEvent>>>, StreamEnd) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut request = client.get(url).bearer_auth(token);
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id.to_string());
    }
    let sink = seen.clone();
    let ended = actix_web::rt::spawn(async move {
        let response = request.send().await.map_err(|e| e.to_string())?;
        assert_eq!(response.status().as_u16(), 200);
        let mut stream = response.bytes_stream();
        let mut buffer = String::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| format!("{e:?}"))?;
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                if let Some(event) = parse(&block) {
                    sink.lock().unwrap().push(event);
                }
            }
        }
        Ok(())
    });
    (seen, ended)
}

/// One event's block, `None` for a comment (a heartbeat).
fn parse(block: &str) -> Option<SseEvent> {
    let mut event = SseEvent {
        id: 0,
        name: String::new(),
        data: Value::Null,
    };
    for line in block.lines() {
        if let Some(v) = line.strip_prefix("id: ") {
            event.id = v.parse().unwrap();
        } else if let Some(v) = line.strip_prefix("event: ") {
            event.name = v.to_owned();
        } else if let Some(v) = line.strip_prefix("data: ") {
            event.data = serde_json::from_str(v).unwrap();
        }
    }
    (!event.name.is_empty()).then_some(event)
}

/// Polls `check` until it holds, for at most 10 s.
pub async fn eventually<F: Fn() -> bool>(what: &str, check: F) {
    for _ in 0..200 {
        if check() {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}
