//! The crash probe (`switchboard-bench probe-crash`): kill -9 the real server, round after round
//! on one data directory, (a) under concurrent signed webhook load, (b) while it dispatches
//! queued replies to a recording fake Cloud API, and (c) in mock mode while the mock owes
//! status webhooks; then check in the database and at the fake API that nothing acknowledged
//! was lost, nothing stored twice, and duplicate sends stayed within the known window. With a
//! PostgreSQL server, (d): two instances on one database dispatch, one is killed for good, and
//! the other must take over its claims.

mod cloud_replies;
mod ingest;
mod mock_replies;
mod takeover;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use diesel::RunQueryDsl as _;
use diesel::sql_types::Text;
use serde_json::json;

use super::load::Load;
use crate::api::Api;
use crate::cloud_payloads;
use crate::database::{self, Database};

/// The longest the probe waits for the server to settle after its last restart; only a
/// ceiling, the settling takes seconds.
const PATIENCE: Duration = Duration::from_secs(60);
/// After a kill, before the fake Cloud API's record is read: what reached it before the kill is
/// still being read.
const SETTLE: Duration = Duration::from_millis(300);

/// Runs the three parts with `rounds` kills each, and the takeover part when `postgres` names a
/// server; prints the figures and fails naming what did not hold.
pub async fn run(binary: &Path, rounds: usize, postgres: Option<&str>) -> anyhow::Result<()> {
    let binary = std::fs::canonicalize(binary).with_context(|| {
        format!(
            "no server binary at {} (cargo build -p switchboard)",
            binary.display()
        )
    })?;
    let started = Instant::now();

    let part = Instant::now();
    let dir = tempfile::tempdir()?;
    let ingest = ingest::probe(&binary, dir.path(), rounds)
        .await
        .context("crash probe (a), webhook ingest")?;
    println!(
        "(a) webhook ingest, {rounds} kills: {} deliveries posted ({} redelivered after \
         restarts), {} acknowledged, {} probe messages stored ({} of them unacknowledged: \
         committed as the kill struck), {} acknowledged missing, {} stored twice; \
         deliveries cut off by each kill {:?}; integrity_check ok; {:.1} s",
        ingest.posted,
        ingest.redelivered,
        ingest.acknowledged,
        ingest.stored,
        ingest.stored_unacknowledged,
        ingest.missing,
        ingest.duplicates,
        ingest.cut_off_at_kills,
        part.elapsed().as_secs_f64(),
    );

    let part = Instant::now();
    let dir = tempfile::tempdir()?;
    let cloud = cloud_replies::probe(&binary, dir.path(), rounds)
        .await
        .context("crash probe (b), queued replies in cloud mode")?;
    println!(
        "(b) cloud-mode replies, {rounds} kills: {} answered 202, {} sends received by the \
         fake Cloud API, {} lost, {} duplicate sends (bound: in flight at the kills {:?}, \
         {} in all); {:.1} s",
        cloud.queued,
        cloud.sends,
        cloud.lost,
        cloud.duplicates,
        cloud.in_flight_at_kills,
        cloud.in_flight_at_kills.iter().sum::<usize>(),
        part.elapsed().as_secs_f64(),
    );
    integrity_ok(dir.path())?;

    let part = Instant::now();
    let dir = tempfile::tempdir()?;
    let mock = mock_replies::probe(&binary, dir.path(), rounds)
        .await
        .context("crash probe (c), replies in mock mode")?;
    println!(
        "(c) mock-mode replies, {rounds} kills: {} answered 202; statuses owed at the kills \
         {:?}, still queued at the kills {:?}; after the last restart all {} at their \
         recipient's final status (read, or accepted for …0003, failed for …0047); {:.1} s",
        mock.queued,
        mock.owed_at_kills,
        mock.queued_at_kills,
        mock.settled,
        part.elapsed().as_secs_f64(),
    );
    integrity_ok(dir.path())?;

    match postgres {
        Some(server) => {
            let part = Instant::now();
            let takeover = takeover::probe(&binary, server)
                .await
                .context("crash probe (d), two instances on PostgreSQL, one killed")?;
            println!(
                "(d) two instances on PostgreSQL, one killed -9 for good: {} answered 202, {} \
                 held by the killed instance, {} sends received, {} lost, {} duplicate sends (bound: \
                 {} in flight at the kill); the survivor had sent everything {:.1} s after the \
                 kill; {:.1} s",
                takeover.queued,
                takeover.claimed_at_kill,
                takeover.sends,
                takeover.lost,
                takeover.duplicates,
                takeover.in_flight_at_kill,
                takeover.taken_over_after.as_secs_f64(),
                part.elapsed().as_secs_f64(),
            );
        }
        None => println!(
            "(d) two instances on PostgreSQL: SKIPPED, no server (set \
             SWITCHBOARD_TEST_DATABASE_URL or run it through scripts/test-postgres.sh)"
        ),
    }

    println!(
        "crash probe passed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The HTTP client of the load: a short timeout, so a request cut off by the kill ends soon.
fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(64)
        .build()?)
}

/// How long a round's load runs before the kill: varied, so the kills land at different points
/// of the server's work.
fn kill_after(round: usize) -> Duration {
    Duration::from_millis(700 + 250 * (round % 3) as u64)
}

/// Creates business number `n` and a conversation with each of `count` customers (customer
/// `i` has WhatsApp id `wa_id(i)`), each opened by a signed inbound webhook, so the 24-hour
/// window is open; returns the conversations' ids, customer by customer.
async fn conversations(
    api: &Api,
    n: usize,
    count: usize,
    wa_id: impl Fn(usize) -> String,
) -> anyhow::Result<Vec<i64>> {
    let number = api.create_number(n).await?;
    let url = format!("{}/webhooks/whatsapp", api.base);
    let now = chrono::Utc::now().timestamp();
    for i in 0..count {
        let delivery = cloud_payloads::inbound_text(
            &number,
            &wa_id(i),
            &format!("wamid.crash-probe.opening.{n}.{i}"),
            now,
        );
        let response = delivery.post(&api.client, &url).send().await?;
        if response.status().as_u16() != 200 {
            bail!("an opening webhook answered {}", response.status());
        }
    }
    let by_customer: HashMap<String, i64> = api
        .conversations(&number)
        .await?
        .into_iter()
        .map(|c| (c.wa_id, c.id))
        .collect();
    (0..count)
        .map(|i| {
            by_customer
                .get(&wa_id(i))
                .copied()
                .with_context(|| format!("no conversation with customer {}", wa_id(i)))
        })
        .collect()
}

/// Replies to `conversations` the probe keeps count of: reply `i` (numbered from `next`,
/// shared across rounds) reads "`prefix` `i`", goes to conversation `i % conversations.len()`
/// through server `i % apis.len()`, and is added to `queued` once answered 202. Each worker
/// stops at its first failure (its server is gone).
fn reply_load(
    concurrency: usize,
    apis: Vec<Arc<Api>>,
    conversations: Arc<Vec<i64>>,
    prefix: &'static str,
    queued: &Arc<Mutex<HashSet<String>>>,
    next: &Arc<AtomicUsize>,
) -> Load {
    let (apis, queued, next) = (Arc::new(apis), Arc::clone(queued), Arc::clone(next));
    Load::start(concurrency, move || {
        let (apis, queued, next, conversations) = (
            Arc::clone(&apis),
            Arc::clone(&queued),
            Arc::clone(&next),
            Arc::clone(&conversations),
        );
        async move {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let body = format!("{prefix} {i}");
            let conversation = conversations[i % conversations.len()];
            let accepted = reply(&apis[i % apis.len()], conversation, &body).await;
            if accepted {
                queued
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(body);
            }
            accepted
        }
    })
}

/// Posts a text reply; true for the 202 that promises it is stored and will be sent.
async fn reply(api: &Api, conversation: i64, body: &str) -> bool {
    api.client
        .post(format!(
            "{}/api/v1/conversations/{conversation}/messages",
            api.base
        ))
        .bearer_auth(&api.token)
        .json(&json!({"type": "text", "text": {"body": body}}))
        .send()
        .await
        .is_ok_and(|response| response.status().as_u16() == 202)
}

#[derive(diesel::QueryableByName)]
struct ReplyStatus {
    #[diesel(sql_type = Text)]
    body: String,
    #[diesel(sql_type = Text)]
    status: String,
}

/// The status of every outbound message whose text starts with `prefix` (letters, digits,
/// spaces and dashes only), by text.
fn reply_statuses(db: &Database, prefix: &str) -> anyhow::Result<HashMap<String, String>> {
    anyhow::ensure!(
        prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-'),
        "an unexpected reply prefix {prefix:?}"
    );
    let rows: Vec<ReplyStatus> = db
        .load(&format!(
            "SELECT body, status FROM messages WHERE direction = 'outbound' \
             AND body LIKE '{prefix} %'"
        ))
        .context("reading the replies' statuses")?;
    Ok(rows.into_iter().map(|r| (r.body, r.status)).collect())
}

/// The replies with `prefix` that reached `cloud` but are still queued in `db`: sends in flight
/// when their instance died, which go out again.
fn sent_but_queued(
    db: &Database,
    cloud: &crate::recording_cloud::RecordingCloud,
    prefix: &str,
) -> anyhow::Result<HashSet<String>> {
    let statuses = reply_statuses(db, prefix)?;
    Ok(cloud
        .sends()
        .into_keys()
        .filter(|body| statuses.get(body).map(String::as_str) == Some("queued"))
        .collect())
}

/// Waits, at most `patience`, until no reply with `prefix` is queued in `db`.
async fn until_all_sent(db: &Database, prefix: &str, patience: Duration) -> anyhow::Result<()> {
    until_within("every queued reply to be dispatched", patience, || {
        let statuses = reply_statuses(db, prefix)?;
        let left = statuses.values().filter(|s| *s == "queued").count();
        Ok((left == 0)
            .then_some(())
            .ok_or(format!("{left} still queued")))
    })
    .await
}

/// The replies answered 202 that never reached the API, and those it got more than once (with
/// how many times).
fn lost_and_repeated<'a>(
    queued: &'a HashSet<String>,
    sends: &'a HashMap<String, u32>,
) -> (Vec<&'a String>, Vec<(&'a String, u32)>) {
    let lost = queued.iter().filter(|b| !sends.contains_key(*b)).collect();
    let repeated = sends
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(body, n)| (body, *n))
        .collect();
    (lost, repeated)
}

/// Polls `check` until it answers `Ok(Ok(()))`; fails after [`PATIENCE`] with its last reason.
async fn until(
    what: &str,
    check: impl FnMut() -> anyhow::Result<Result<(), String>>,
) -> anyhow::Result<()> {
    until_within(what, PATIENCE, check).await
}

/// As [`until`], waiting at most `patience`.
async fn until_within(
    what: &str,
    patience: Duration,
    mut check: impl FnMut() -> anyhow::Result<Result<(), String>>,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + patience;
    loop {
        match check()? {
            Ok(()) => return Ok(()),
            Err(reason) if Instant::now() >= deadline => {
                bail!("waited {patience:?} for {what}: {reason}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

#[derive(diesel::QueryableByName)]
struct IntegrityRow {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

/// `PRAGMA integrity_check`'s verdict: `ok`, or the problems it lists.
fn integrity(data_dir: &Path) -> anyhow::Result<String> {
    let rows: Vec<IntegrityRow> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut database::open(data_dir)?)
        .context("PRAGMA integrity_check")?;
    Ok(rows
        .into_iter()
        .map(|r| r.integrity_check)
        .collect::<Vec<_>>()
        .join("; "))
}

fn integrity_ok(data_dir: &Path) -> anyhow::Result<()> {
    let verdict = integrity(data_dir)?;
    anyhow::ensure!(verdict == "ok", "PRAGMA integrity_check: {verdict}");
    Ok(())
}
