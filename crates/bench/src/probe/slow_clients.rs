//! `switchboard-bench probe-slow-clients`: slow request bodies must not starve other clients.
//!
//! Starts the server with a soft open-files limit of 1024 (what many service managers give),
//! opens a thousand connections from three loopback addresses that announce a body and send
//! it at 1 byte/s, and meanwhile asks `/healthz` from another address four times a second and
//! sends a 32 KiB body at 2 KiB/s (twice the minimum rate, lasting past the grace period) from
//! a fifth. It passes when every health check is answered, the steady body is answered other
//! than 408, every slow connection is answered (`408
//! request_timeout` once its grace period is spent, or `429 too_many_concurrent_requests` when
//! its address is at its cap) and closed in time, and fails otherwise; it stops by itself
//! within [`PROBE_LIMIT`] whatever the server does.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context as _, bail};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpSocket;
use tokio::time::Instant;

use crate::server::{Launch, Server};

#[derive(Debug, clap::Args)]
pub struct SlowClients {
    /// The server binary (a debug build is enough).
    #[arg(long, default_value = "target/debug/switchboard")]
    server: PathBuf,
    /// Slow-body connections, all opened at the start.
    #[arg(long, default_value_t = 1000)]
    connections: usize,
    /// Loopback addresses they come from (127.0.0.2 and up); health checks come from 127.0.0.1.
    /// Three addresses share 1,000 connections, more than the server's default cap of 256 each.
    #[arg(long, default_value_t = 3)]
    addresses: u8,
    /// `SWITCHBOARD_BODY_GRACE_SECS` for the server: how long a body may take before the
    /// minimum rate applies.
    #[arg(long, default_value_t = 10)]
    grace_secs: u64,
    /// The soft open-files limit the server is started with.
    #[arg(long, default_value_t = 1024)]
    server_open_files: u64,
}

/// The whole probe, server start included, ends by then whatever happens.
const PROBE_LIMIT: Duration = Duration::from_secs(100);
/// Beyond the grace period, for the rate check to fire and its answer to arrive on a busy
/// machine.
const ANSWER_SLACK: Duration = Duration::from_secs(5);
/// After an answer, for the server to close (actix waits up to 1 s for the client to).
const CLOSE_SLACK: Duration = Duration::from_secs(5);
const HEALTH_EVERY: Duration = Duration::from_millis(250);
const HEALTH_TIMEOUT: Duration = Duration::from_secs(2);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Announced and never sent in full.
const BODY_LENGTH: usize = 4096;
/// The upload that must get through: twice the server's default minimum rate, lasting past
/// its grace period.
const STEADY_BODY: usize = 32 * 1024;
const STEADY_CHUNK: usize = 512;
const STEADY_EVERY: Duration = Duration::from_millis(250);

/// How one slow connection ended.
#[derive(Debug)]
enum Ending {
    /// The server answered `status` (with `code` in a JSON error) and then closed.
    Answered {
        status: u16,
        code: Option<String>,
        after: Duration,
    },
    /// The server answered but left the connection open past [`CLOSE_SLACK`].
    AnsweredNotClosed,
    /// The server closed or reset the connection without an answer.
    ClosedUnanswered,
    /// Neither an answer nor a close by the deadline.
    Held,
    NotConnected(String),
}

/// The slow requests: a JSON body and a raw webhook body, both readable without a token.
fn request_head(i: usize, server: SocketAddr) -> String {
    let (path, extra) = if i.is_multiple_of(2) {
        ("/api/v1/auth/login", "Content-Type: application/json\r\n")
    } else {
        (
            "/webhooks/whatsapp",
            "Content-Type: application/json\r\nX-Hub-Signature-256: sha256=00\r\n",
        )
    };
    format!(
        "POST {path} HTTP/1.1\r\nHost: {server}\r\n{extra}Content-Length: {BODY_LENGTH}\r\n\r\n"
    )
}

fn status_of(answer: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(answer).ok()?;
    let line = text.split("\r\n").next()?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn code_of(answer: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(answer);
    let (_, body) = text.split_once("\r\n\r\n")?;
    let json: serde_json::Value = serde_json::from_str(body).ok()?;
    json["error"]["code"].as_str().map(str::to_owned)
}

/// Opens one connection from `from`, sends the head, then one body byte a second until the
/// server answers and closes, or `answer_by` passes.
async fn slow_body(
    i: usize,
    server: SocketAddr,
    from: Ipv4Addr,
    answer_by: Duration,
    connected: Arc<AtomicUsize>,
) -> Ending {
    let started = Instant::now();
    let socket = match TcpSocket::new_v4().and_then(|s| {
        s.bind(SocketAddr::V4(SocketAddrV4::new(from, 0)))
            .map(|()| s)
    }) {
        Ok(socket) => socket,
        Err(e) => return Ending::NotConnected(e.to_string()),
    };
    let stream = match tokio::time::timeout(CONNECT_TIMEOUT, socket.connect(server)).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(e)) => return Ending::NotConnected(e.to_string()),
        Err(_) => return Ending::NotConnected("connect timed out".to_owned()),
    };
    connected.fetch_add(1, Ordering::Relaxed);
    let (mut read, mut write) = stream.into_split();
    if write
        .write_all(request_head(i, server).as_bytes())
        .await
        .is_err()
    {
        return Ending::ClosedUnanswered;
    }
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut answered: Option<Duration> = None;
    let mut writing = true;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        let limit = answered.map_or(started + answer_by, |at| started + at + CLOSE_SLACK);
        tokio::select! {
            got = read.read(&mut chunk) => match got {
                Ok(0) | Err(_) => {
                    return match (answered, status_of(&answer)) {
                        (Some(after), Some(status)) => Ending::Answered {
                            status,
                            code: code_of(&answer),
                            after,
                        },
                        _ => Ending::ClosedUnanswered,
                    };
                }
                Ok(n) => {
                    answer.extend_from_slice(&chunk[..n]);
                    if answered.is_none() && answer.windows(2).any(|w| w == b"\r\n") {
                        answered = Some(started.elapsed());
                    }
                }
            },
            _ = tick.tick(), if writing && answered.is_none() => {
                writing = write.write_all(b" ").await.is_ok();
            }
            () = tokio::time::sleep_until(limit) => {
                return match status_of(&answer) {
                    Some(_) if answered.is_some() => Ending::AnsweredNotClosed,
                    _ => Ending::Held,
                };
            }
        }
    }
}

/// Sends a webhook body of [`STEADY_BODY`] bytes at 2 KiB/s from `from`, and returns the
/// status the server answered once all of it was sent (401: its signature is made up), or
/// what went wrong.
async fn steady_body(server: SocketAddr, from: Ipv4Addr) -> Result<u16, String> {
    let socket = TcpSocket::new_v4().map_err(|e| e.to_string())?;
    socket
        .bind(SocketAddr::V4(SocketAddrV4::new(from, 0)))
        .map_err(|e| e.to_string())?;
    let mut stream = socket.connect(server).await.map_err(|e| e.to_string())?;
    let head = format!(
        "POST /webhooks/whatsapp HTTP/1.1\r\nHost: {server}\r\nContent-Type: application/json\r\n\
         X-Hub-Signature-256: sha256=00\r\nContent-Length: {STEADY_BODY}\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(head.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let chunk = [b' '; STEADY_CHUNK];
    let mut tick = tokio::time::interval(STEADY_EVERY);
    for _ in 0..STEADY_BODY / STEADY_CHUNK {
        tick.tick().await;
        stream
            .write_all(&chunk)
            .await
            .map_err(|e| format!("cut off while sending: {e}"))?;
    }
    let mut answer = Vec::new();
    tokio::time::timeout(CLOSE_SLACK, stream.read_to_end(&mut answer))
        .await
        .map_err(|_| "no answer after the whole body".to_owned())?
        .map_err(|e| e.to_string())?;
    status_of(&answer).ok_or_else(|| "no status line".to_owned())
}

/// What `/healthz` from another address answered while the slow connections were open.
#[derive(Debug, Default)]
struct Health {
    asked: usize,
    answered: usize,
    slowest: Duration,
    failures: Vec<String>,
    most_descriptors: usize,
}

async fn watch_health(
    server: &Server,
    from: Ipv4Addr,
    done: &AtomicBool,
) -> anyhow::Result<Health> {
    let client = reqwest::Client::builder()
        .local_address(std::net::IpAddr::V4(from))
        // A fresh connection each time, so each check also needs the server to accept one.
        .pool_max_idle_per_host(0)
        .timeout(HEALTH_TIMEOUT)
        .build()?;
    let url = format!("{}/healthz", server.base);
    let mut health = Health::default();
    let mut tick = tokio::time::interval(HEALTH_EVERY);
    while !done.load(Ordering::Relaxed) {
        tick.tick().await;
        if let Ok(open) = server.open_descriptors() {
            health.most_descriptors = health.most_descriptors.max(open);
        }
        health.asked += 1;
        let asked = Instant::now();
        match client.get(&url).send().await {
            Ok(response) if response.status().is_success() => {
                health.answered += 1;
                health.slowest = health.slowest.max(asked.elapsed());
            }
            Ok(response) => health
                .failures
                .push(format!("status {}", response.status())),
            Err(e) => health.failures.push(format!("{e}")),
        }
    }
    Ok(health)
}

impl SlowClients {
    pub async fn run(&self) -> anyhow::Result<()> {
        let started = std::time::Instant::now();
        match tokio::time::timeout(PROBE_LIMIT, self.probe()).await {
            Ok(result) => {
                println!("probe took {:.1} s", started.elapsed().as_secs_f64());
                result
            }
            Err(_) => bail!(
                "the probe did not finish within {} s",
                PROBE_LIMIT.as_secs()
            ),
        }
    }

    async fn probe(&self) -> anyhow::Result<()> {
        if self.addresses == 0 || self.addresses > 250 {
            bail!("--addresses must be between 1 and 250");
        }
        // This process holds every slow connection's other end.
        let own_limit = rlimit::increase_nofile_limit(u64::MAX)?;
        if own_limit < self.connections as u64 + 64 {
            bail!("this process may open only {own_limit} files; lower --connections");
        }
        let binary = std::fs::canonicalize(&self.server).with_context(|| {
            format!(
                "no server binary at {} (cargo build -p switchboard)",
                self.server.display()
            )
        })?;
        let data = tempfile::tempdir()?;
        let launch = Launch {
            env: vec![(
                "SWITCHBOARD_BODY_GRACE_SECS".to_owned(),
                self.grace_secs.to_string(),
            )],
            open_files: Some(self.server_open_files),
        };
        let server = Server::start_with(&binary, data.path(), &launch).await?;
        let address: SocketAddr = server
            .base
            .trim_start_matches("http://")
            .parse()
            .context("the server's address")?;
        let answer_by = Duration::from_secs(self.grace_secs) + ANSWER_SLACK;
        println!(
            "{} connections from 127.0.0.2..=127.0.0.{} announce a {BODY_LENGTH}-byte body and \
             send 1 byte/s; the server (soft open-files limit {}) has a {} s grace period; each \
             must be answered within {} s and closed within {} s of that",
            self.connections,
            1 + self.addresses,
            self.server_open_files,
            self.grace_secs,
            answer_by.as_secs(),
            CLOSE_SLACK.as_secs(),
        );

        let connected = Arc::new(AtomicUsize::new(0));
        let mut slow = tokio::task::JoinSet::new();
        for i in 0..self.connections {
            let from = Ipv4Addr::new(127, 0, 0, 2 + (i % usize::from(self.addresses)) as u8);
            slow.spawn(slow_body(i, address, from, answer_by, connected.clone()));
        }
        let steady_from = Ipv4Addr::new(127, 0, 0, 2 + self.addresses);
        let steady = tokio::spawn(steady_body(address, steady_from));
        let done = AtomicBool::new(false);
        let slow_endings = async {
            let mut endings = Vec::with_capacity(self.connections);
            while let Some(ending) = slow.join_next().await {
                endings.push(ending?);
            }
            done.store(true, Ordering::Relaxed);
            Ok::<_, anyhow::Error>(endings)
        };
        let (endings, health) = tokio::join!(
            slow_endings,
            watch_health(&server, Ipv4Addr::LOCALHOST, &done)
        );
        let (endings, health) = (endings?, health?);
        let steady = steady.await?;
        println!(
            "a {} KiB body at 2 KiB/s from {steady_from}: {}",
            STEADY_BODY / 1024,
            match &steady {
                Ok(status) => format!("answered {status} once sent"),
                Err(e) => e.clone(),
            }
        );
        let server_log = server.log_tail();
        drop(server);
        report(
            &endings,
            &health,
            &steady,
            connected.load(Ordering::Relaxed),
            &server_log,
        )
    }
}

fn report(
    endings: &[Ending],
    health: &Health,
    steady: &Result<u16, String>,
    connected: usize,
    server_log: &str,
) -> anyhow::Result<()> {
    let mut timeouts = (0, Duration::ZERO);
    let mut refused = (0, Duration::ZERO);
    let (mut other, mut not_closed, mut unanswered, mut held, mut not_connected) =
        (Vec::new(), 0, 0, 0, Vec::new());
    for ending in endings {
        match ending {
            Ending::Answered {
                status: 408,
                code: Some(code),
                after,
            } if code == "request_timeout" => {
                timeouts = (timeouts.0 + 1, timeouts.1.max(*after));
            }
            Ending::Answered {
                status: 429,
                code: Some(code),
                after,
            } if code == "too_many_concurrent_requests" => {
                refused = (refused.0 + 1, refused.1.max(*after));
            }
            Ending::Answered { status, code, .. } => other.push(format!("{status} {code:?}")),
            Ending::AnsweredNotClosed => not_closed += 1,
            Ending::ClosedUnanswered => unanswered += 1,
            Ending::Held => held += 1,
            Ending::NotConnected(e) => not_connected.push(e.clone()),
        }
    }
    println!(
        "slow connections: {connected} of {} connected",
        endings.len()
    );
    println!(
        "  408 request_timeout: {} (the last {:.1} s after its head)",
        timeouts.0,
        timeouts.1.as_secs_f64()
    );
    println!(
        "  429 too_many_concurrent_requests: {} (the last {:.1} s after its head)",
        refused.0,
        refused.1.as_secs_f64()
    );
    println!("  answered otherwise: {}", other.len());
    println!("  answered but left open: {not_closed}");
    println!("  closed without an answer: {unanswered}");
    println!("  held past the deadline: {held}");
    println!("  not connected: {}", not_connected.len());
    println!(
        "/healthz from 127.0.0.1 every {} ms: {} of {} answered within {} s (slowest {} ms)",
        HEALTH_EVERY.as_millis(),
        health.answered,
        health.asked,
        HEALTH_TIMEOUT.as_secs(),
        health.slowest.as_millis()
    );
    println!(
        "server: at most {} open descriptors",
        health.most_descriptors
    );

    let mut failures = Vec::new();
    if health.asked == 0 || health.answered < health.asked {
        failures.push(format!(
            "/healthz went unanswered {} times: {:?}",
            health.asked - health.answered,
            health.failures.iter().take(3).collect::<Vec<_>>()
        ));
    }
    if held > 0 || not_closed > 0 {
        failures.push(format!(
            "{} slow connections were held open past their deadline",
            held + not_closed
        ));
    }
    match steady {
        Ok(status) if *status != 408 => {}
        Ok(status) => failures.push(format!(
            "a body sent at twice the minimum rate was answered {status}"
        )),
        Err(e) => failures.push(format!("a body sent at twice the minimum rate: {e}")),
    }
    if timeouts.0 == 0 {
        failures.push("no slow body was answered 408 request_timeout".to_owned());
    }
    if !other.is_empty() {
        failures.push(format!(
            "unexpected answers: {:?}",
            &other[..other.len().min(3)]
        ));
    }
    if !not_connected.is_empty() {
        failures.push(format!(
            "{} slow connections could not connect: {:?}",
            not_connected.len(),
            &not_connected[..not_connected.len().min(3)]
        ));
    }
    if failures.is_empty() {
        println!("probe-slow-clients: passed");
        return Ok(());
    }
    for failure in &failures {
        eprintln!("FAILED: {failure}");
    }
    eprintln!("server log (last lines):\n{server_log}");
    bail!("probe-slow-clients: {} checks failed", failures.len())
}
