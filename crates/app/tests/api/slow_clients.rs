//! Slow and greedy clients over real TCP: a body trickling slower than the minimum rate is
//! answered 408 and its connection closed; one address at its cap of requests in progress is
//! refused 429 while another is served.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::common::spawn_server_with;

const PASSWORD: &str = "slow-clients-password";

/// Long enough that a server which never answers fails the test instead of hanging it.
const HANG_GUARD: Duration = Duration::from_secs(60);

fn host_port(base: &str) -> &str {
    base.strip_prefix("http://").unwrap()
}

/// Sends the head of a login request announcing `length` body bytes, then `sent` of them.
async fn start_login(base: &str, length: usize, sent: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(host_port(base)).await.unwrap();
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: {length}\r\n\r\n",
        host_port(base)
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(sent).await.unwrap();
    stream
}

/// Writes one byte every 100 ms (10 bytes/s) until the server answers and closes; returns
/// everything it answered.
async fn trickle_until_answered(stream: TcpStream) -> String {
    let (mut read, mut write) = stream.into_split();
    let trickle = tokio::spawn(async move {
        while write.write_all(b" ").await.is_ok() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let mut answer = Vec::new();
    tokio::time::timeout(HANG_GUARD, read.read_to_end(&mut answer))
        .await
        .expect("the server never answered the trickling body")
        .unwrap();
    trickle.abort();
    String::from_utf8(answer).unwrap()
}

fn status_and_body(answer: &str) -> (u16, Value, String) {
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((answer, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"));
    (
        status,
        serde_json::from_str(body).unwrap_or(Value::Null),
        head.to_ascii_lowercase(),
    )
}

#[actix_web::test]
async fn a_body_trickling_below_the_minimum_rate_gets_408_and_a_prompt_body_still_passes() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn_server_with(
        dir.path(),
        Some(PASSWORD),
        &[
            ("SWITCHBOARD_BODY_GRACE_SECS", "1"),
            ("SWITCHBOARD_BODY_MIN_BYTES_PER_SEC", "1000"),
            ("SWITCHBOARD_BODY_TIMEOUT_SECS", "30"),
        ],
    )
    .await;

    let stream = start_login(&server.base, 2000, b"{\"username\":").await;
    let (status, body, head) = status_and_body(&trickle_until_answered(stream).await);
    assert_eq!(status, 408, "{body}");
    assert_eq!(body["error"]["code"], "request_timeout", "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    assert!(head.contains("connection: close"), "{head}");

    let login = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&json!({"username": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status().as_u16(), 200);
}

#[actix_web::test]
async fn one_address_at_its_cap_of_requests_in_progress_is_refused_while_another_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn_server_with(
        dir.path(),
        Some(PASSWORD),
        &[
            ("SWITCHBOARD_MAX_REQUESTS_PER_ADDRESS", "2"),
            // The held bodies must outlast the test.
            ("SWITCHBOARD_BODY_GRACE_SECS", "600"),
            ("SWITCHBOARD_BODY_TIMEOUT_SECS", "600"),
        ],
    )
    .await;
    let healthz = format!("{}/healthz", server.base);
    let from = |ip: Ipv4Addr| {
        reqwest::Client::builder()
            .local_address(IpAddr::V4(ip))
            .pool_max_idle_per_host(0)
            .timeout(HANG_GUARD)
            .build()
            .unwrap()
    };
    let same = from(Ipv4Addr::LOCALHOST);
    let other = from(Ipv4Addr::new(127, 0, 0, 2));

    let held = [
        start_login(&server.base, 100, b"{").await,
        start_login(&server.base, 100, b"{").await,
    ];
    // The held requests reach the server in their own time (seconds, when the whole suite
    // shares two cores with it): ask until the cap shows.
    let mut refused = None;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        let response = same.get(&healthz).send().await.unwrap();
        if response.status().as_u16() == 429 {
            refused = Some(response);
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let refused = refused.expect("the address at its cap was never refused");
    assert_eq!(
        refused
            .headers()
            .get("retry-after")
            .unwrap()
            .to_str()
            .unwrap(),
        "1"
    );
    let body: Value = refused.json().await.unwrap();
    assert_eq!(
        body["error"]["code"], "too_many_concurrent_requests",
        "{body}"
    );

    let served = other.get(&healthz).send().await.unwrap();
    assert_eq!(served.status().as_u16(), 200);

    drop(held);
    let mut answered = None;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        let status = same.get(&healthz).send().await.unwrap().status().as_u16();
        if status != 429 {
            answered = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(
        answered,
        Some(200),
        "the address is served again once its requests end"
    );
}
