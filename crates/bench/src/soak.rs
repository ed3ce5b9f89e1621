//! `switchboard-bench soak` (`make soak`, not in CI): mixed load at a steady rate for minutes
//! on the release server, to see whether its memory, its write-ahead log and its latency stay
//! flat.
//!
//! Each minute runs, side by side and each at its own fixed rate: signed webhook deliveries
//! (one inbound text each, from a fixed set of customers), agents' replies (`POST
//! /conversations/{id}/messages`, which the mock provider accepts and then reports on with its
//! status webhooks) and reads (the inbox's first page and a thread's newest messages, in
//! turn). After each minute it prints the server's anonymous and total resident memory, the
//! size of the write-ahead log and the p99 of each kind of request over that minute; at the
//! end, the memory after an idle spell and the verdict on memory.
//!
//! The verdict's rule: the first minute warms the server up (caches fill, connections open) and
//! is left out; the anonymous RSS at the end of every later minute must lie within
//! ±[`RSS_TOLERANCE`] of those minutes' mean. (A single reading as the reference, such as the
//! first minute's, puts that reading's own noise into every comparison.)

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use serde_json::json;

use crate::api::{Api, Conversation};
use crate::cloud_payloads::{self, Delivery, Number};
use crate::driver::{self, Answer, Outcome};
use crate::server::{Launch, Memory, Server};

#[derive(Debug, clap::Args)]
pub struct Soak {
    /// The server binary (the release build: memory and latency are the release build's).
    #[arg(long, default_value = "target/release/switchboard")]
    server: PathBuf,
    /// How long the load runs; the first minute is the warm-up, left out of the verdict.
    #[arg(long, default_value_t = 10)]
    minutes: u32,
    /// Signed webhook deliveries a second (one inbound message each).
    #[arg(long, default_value_t = 250)]
    webhooks: u32,
    /// Agents' replies a second.
    #[arg(long, default_value_t = 25)]
    replies: u32,
    /// Reads a second (inbox first page and thread, in turn).
    #[arg(long, default_value_t = 20)]
    reads: u32,
    /// Customers writing in (one conversation each), spread over the business numbers.
    #[arg(long, default_value_t = 2_000)]
    customers: usize,
    /// Business numbers.
    #[arg(long, default_value_t = 4)]
    numbers: usize,
    /// Seconds without load after the last minute, before memory is read once more.
    #[arg(long, default_value_t = 30)]
    idle_secs: u64,
    /// More environment for the server, `NAME=VALUE` (repeatable): to compare settings, e.g.
    /// `MALLOC_ARENA_MAX=2` or `SWITCHBOARD_SQLITE_WAL_LIMIT_MB=16`.
    #[arg(long = "server-env", value_parser = name_and_value)]
    server_env: Vec<(String, String)>,
}

fn name_and_value(pair: &str) -> Result<(String, String), String> {
    pair.split_once('=')
        .filter(|(name, _)| !name.is_empty())
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .ok_or_else(|| format!("expected NAME=VALUE, got {pair:?}"))
}

/// How far a minute's anonymous RSS may lie from the mean of the minutes after the warm-up.
const RSS_TOLERANCE: f64 = 0.15;
const MINUTE: Duration = Duration::from_secs(60);
/// Requests in flight at most, per kind of request. Together they stay well below the server's
/// per-address cap (`SWITCHBOARD_MAX_REQUESTS_PER_ADDRESS`), which the soak raises anyway: the
/// load all comes from 127.0.0.1, and so do the mock provider's status webhooks.
const WEBHOOK_CONCURRENCY: usize = 128;
const REPLY_CONCURRENCY: usize = 32;
const READ_CONCURRENCY: usize = 16;
const MIB: f64 = 1024.0 * 1024.0;

/// What one minute measured.
#[derive(Debug)]
struct Minute {
    memory: Memory,
    wal_bytes: u64,
    webhooks: Outcome,
    replies: Outcome,
    reads: Outcome,
}

impl Soak {
    pub async fn run(&self) -> anyhow::Result<()> {
        if self.minutes < 2 {
            bail!("--minutes must be at least 2: the first minute is the warm-up");
        }
        let binary = std::fs::canonicalize(&self.server).with_context(|| {
            format!(
                "no server binary at {} (cargo build --release -p switchboard)",
                self.server.display()
            )
        })?;
        let data = tempfile::tempdir()?;
        let mut launch =
            Launch::with_env(&[("SWITCHBOARD_MAX_REQUESTS_PER_ADDRESS", "4096".into())]);
        launch.env.extend(self.server_env.iter().cloned());
        let server = Server::start_with(&binary, data.path(), &launch).await?;
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .timeout(Duration::from_secs(30))
            .build()?;
        let api = Api::sign_in(client, &server.base).await?;
        let load = self.set_up(api).await?;
        let wal = data.path().join("switchboard.db-wal");

        for (name, value) in &self.server_env {
            println!("server environment: {name}={value}");
        }
        println!(
            "soak: {} webhooks/s, {} replies/s, {} reads/s for {} minutes ({} customers, {} numbers)",
            self.webhooks, self.replies, self.reads, self.minutes, self.customers, self.numbers
        );
        println!("{}", header());
        let mut minutes = Vec::new();
        for minute in 0..self.minutes {
            let (webhooks, replies, reads) = tokio::join!(
                load.webhooks(minute, self.webhooks),
                load.replies(minute, self.replies),
                load.reads(self.reads),
            );
            let measured = Minute {
                memory: server.memory()?,
                wal_bytes: std::fs::metadata(&wal).map_or(0, |m| m.len()),
                webhooks,
                replies,
                reads,
            };
            println!("{}", row(minute + 1, &measured));
            minutes.push(measured);
        }
        tokio::time::sleep(Duration::from_secs(self.idle_secs)).await;
        let idle = server.memory()?;
        let idle_wal = std::fs::metadata(&wal).map_or(0, |m| m.len());
        drop(server);
        summarise(&minutes, &idle, idle_wal, self.idle_secs)
    }

    /// Numbers and one conversation per customer, opened before the clock starts.
    async fn set_up(&self, api: Api) -> anyhow::Result<Load> {
        let mut numbers = Vec::new();
        for n in 0..self.numbers {
            numbers.push(api.create_number(n).await?);
        }
        let numbers = Arc::new(numbers);
        let now = chrono::Utc::now().timestamp();
        let openers: Vec<Delivery> = (0..self.customers)
            .map(|c| {
                cloud_payloads::inbound_text(
                    &numbers[c % numbers.len()],
                    &cloud_payloads::wa_id(c),
                    &format!("wamid.soak.open.{c}"),
                    now,
                )
            })
            .collect();
        let load = Load {
            api,
            numbers,
            conversations: Arc::new(Vec::new()),
            customers: self.customers,
        };
        let opened = load.post(Arc::new(openers), None).await;
        if opened.errors > 0 {
            bail!(
                "{} of the opening deliveries failed: {}",
                opened.errors,
                opened.first_error.unwrap_or_default()
            );
        }
        let mut conversations = Vec::new();
        for number in load.numbers.iter() {
            conversations.extend(load.api.conversations(number).await?);
        }
        if conversations.is_empty() {
            bail!("the opening deliveries opened no conversation");
        }
        Ok(Load {
            conversations: Arc::new(conversations),
            ..load
        })
    }
}

/// The soak's traffic, against one server.
#[derive(Debug, Clone)]
struct Load {
    api: Api,
    numbers: Arc<Vec<Number>>,
    conversations: Arc<Vec<Conversation>>,
    customers: usize,
}

impl Load {
    /// Posts `deliveries`: at `rate` a second over a minute, or all at once when `None`.
    async fn post(&self, deliveries: Arc<Vec<Delivery>>, rate: Option<u32>) -> Outcome {
        let client = self.api.client.clone();
        let url = format!("{}/webhooks/whatsapp", self.api.base);
        let total = deliveries.len();
        let request = move |i: usize| {
            let delivery = &deliveries[i];
            let request = delivery.post(&client, &url).send();
            let items = delivery.items;
            async move { expect(request.await, 200, items).await }
        };
        match rate {
            Some(rate) => driver::fixed_rate(rate, MINUTE, WEBHOOK_CONCURRENCY, request).await,
            None => driver::closed_loop(total, WEBHOOK_CONCURRENCY, request).await,
        }
    }

    /// A minute of inbound texts from the customers, each to the number it always writes to.
    async fn webhooks(&self, minute: u32, rate: u32) -> Outcome {
        let now = chrono::Utc::now().timestamp();
        let deliveries: Vec<Delivery> = (0..rate as usize * 60)
            .map(|i| {
                let customer = i % self.customers;
                cloud_payloads::inbound_text(
                    &self.numbers[customer % self.numbers.len()],
                    &cloud_payloads::wa_id(customer),
                    &format!("wamid.soak.{minute}.{i}"),
                    now,
                )
            })
            .collect();
        self.post(Arc::new(deliveries), Some(rate)).await
    }

    /// A minute of agents' replies, spread over the conversations.
    async fn replies(&self, minute: u32, rate: u32) -> Outcome {
        let client = self.api.client.clone();
        let (base, token) = (self.api.base.clone(), self.api.token.clone());
        let conversations = self.conversations.clone();
        let offset = minute as usize * rate as usize * 60;
        driver::fixed_rate(rate, MINUTE, REPLY_CONCURRENCY, move |i| {
            let conversation = &conversations[(offset + i) % conversations.len()];
            let request = client
                .post(format!(
                    "{base}/api/v1/conversations/{}/messages",
                    conversation.id
                ))
                .bearer_auth(&token)
                .json(
                    &json!({"type": "text", "text": {"body": format!("Soak reply {minute}.{i}")}}),
                )
                .send();
            async move { expect(request.await, 202, 1).await }
        })
        .await
    }

    /// A minute of reads: a number's inbox (first page of 50) and a thread's newest 50
    /// messages, in turn, each time another number or conversation.
    async fn reads(&self, rate: u32) -> Outcome {
        let client = self.api.client.clone();
        let (base, token) = (self.api.base.clone(), self.api.token.clone());
        let (numbers, conversations) = (self.numbers.clone(), self.conversations.clone());
        driver::fixed_rate(rate, MINUTE, READ_CONCURRENCY, move |i| {
            let path = if i % 2 == 0 {
                let number = &numbers[(i / 2) % numbers.len()];
                format!(
                    "/api/v1/conversations?business_number_id={}&limit=50",
                    number.id
                )
            } else {
                let conversation = &conversations[(i / 2) % conversations.len()];
                format!(
                    "/api/v1/conversations/{}/messages?limit=50",
                    conversation.id
                )
            };
            let request = client
                .get(format!("{base}{path}"))
                .bearer_auth(&token)
                .send();
            async move { expect(request.await, 200, 1).await }
        })
        .await
    }
}

/// `Ok(items)` when the answer is `status` and its body arrives whole (a read's latency is
/// the whole page's).
async fn expect(
    response: Result<reqwest::Response, reqwest::Error>,
    status: u16,
    items: u64,
) -> Answer {
    match response {
        Ok(r) if r.status().as_u16() == status => match r.bytes().await {
            Ok(_) => Ok(items),
            Err(e) => Err(e.to_string()),
        },
        Ok(r) => Err(format!("HTTP {}", r.status())),
        Err(e) => Err(e.to_string()),
    }
}

fn header() -> String {
    "| minute | anon RSS (MiB) | RSS (MiB) | WAL (MiB) | webhooks p99 (ms) | replies p99 (ms) \
     | reads p99 (ms) | errors |\n|---:|---:|---:|---:|---:|---:|---:|---:|"
        .to_owned()
}

fn row(minute: u32, m: &Minute) -> String {
    let ms = |o: &Outcome| format!("{:.1}", o.quantile(0.99).as_secs_f64() * 1000.0);
    format!(
        "| {minute} | {:.1} | {:.1} | {:.1} | {} | {} | {} | {} |",
        m.memory.anonymous as f64 / MIB,
        m.memory.current as f64 / MIB,
        m.wal_bytes as f64 / MIB,
        ms(&m.webhooks),
        ms(&m.replies),
        ms(&m.reads),
        m.webhooks.errors + m.replies.errors + m.reads.errors,
    )
}

/// Prints the summary; fails when a request failed or memory left the tolerance.
fn summarise(
    minutes: &[Minute],
    idle: &Memory,
    idle_wal: u64,
    idle_secs: u64,
) -> anyhow::Result<()> {
    let steady: Vec<f64> = minutes
        .iter()
        .skip(1)
        .map(|m| m.memory.anonymous as f64)
        .collect();
    let (mean, low, high) = spread(&steady).context("no minute ran after the warm-up")?;
    let errors: u64 = minutes
        .iter()
        .map(|m| m.webhooks.errors + m.replies.errors + m.reads.errors)
        .sum();
    let first_error = minutes
        .iter()
        .flat_map(|m| [&m.webhooks, &m.replies, &m.reads])
        .find_map(|o| o.first_error.clone());
    let peak = minutes.last().map_or(0, |m| m.memory.peak);
    println!();
    println!(
        "anonymous RSS after the warm-up minute: mean {:.1} MiB, each minute from {:+.1}% to \
         {:+.1}% of it; peak RSS {:.1} MiB",
        mean / MIB,
        low * 100.0,
        high * 100.0,
        peak as f64 / MIB,
    );
    println!(
        "after {idle_secs} s idle: anonymous RSS {:.1} MiB, RSS {:.1} MiB, WAL {:.1} MiB",
        idle.anonymous as f64 / MIB,
        idle.current as f64 / MIB,
        idle_wal as f64 / MIB,
    );
    let flat = low.abs().max(high.abs()) <= RSS_TOLERANCE;
    println!(
        "rule: the anonymous RSS at the end of every minute after the first lies within ±{:.0}% \
         of their mean: {}",
        RSS_TOLERANCE * 100.0,
        if flat { "met" } else { "MISSED" }
    );
    if errors > 0 {
        bail!(
            "{errors} requests failed; the first: {}",
            first_error.unwrap_or_default()
        );
    }
    if !flat {
        bail!("memory was not flat");
    }
    Ok(())
}

/// The mean of `samples` and how far the lowest and the highest lie from it, as signed
/// fractions of it; `None` without samples.
fn spread(samples: &[f64]) -> Option<(f64, f64, f64)> {
    if samples.is_empty() {
        return None;
    }
    let mean = samples.iter().sum::<f64>() / samples.len() as f64;
    let low = samples.iter().copied().fold(f64::INFINITY, f64::min);
    let high = samples.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some((mean, low / mean - 1.0, high / mean - 1.0))
}

#[cfg(test)]
mod tests {
    use super::spread;

    #[test]
    fn the_spread_is_each_extreme_as_a_fraction_of_the_mean() {
        let (mean, low, high) = spread(&[90.0, 100.0, 110.0]).unwrap();
        assert_eq!(mean, 100.0);
        assert!(
            (low + 0.1).abs() < 1e-12 && (high - 0.1).abs() < 1e-12,
            "{low} {high}"
        );
        assert_eq!(spread(&[]), None);
    }
}
