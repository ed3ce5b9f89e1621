//! Mock mode across kill -9: replies posted while the mock still owes earlier replies their
//! status webhooks, the process killed, round after round; after the last restart every reply
//! reaches the status its recipient's test number scripts (issue 11, defect 6).

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::ensure;

use super::{Load, kill_after};
use crate::api::Api;
use crate::database::Database;
use crate::server::{Launch, Server};

const CONCURRENCY: usize = 8;
const CONVERSATIONS: usize = 48;
const REPLY_PREFIX: &str = "crash-probe mock reply";
/// Slow enough that every kill finds statuses owed, fast enough to finish in seconds.
const STATUS_DELAYS_MS: &str = "300,300,300";

/// Customer `n`'s WhatsApp id and the status a reply to them ends in, by the mock's test
/// numbers: ordinary, `…0002` (delivered skipped), `…0003` (silent), `…0047` (window closed).
fn customer(n: usize) -> (String, &'static str) {
    match n % 4 {
        0 => (format!("1558{n:06}1"), "read"),
        1 => (format!("1558{n:05}0002"), "read"),
        2 => (format!("1558{n:05}0003"), "accepted"),
        _ => (format!("1558{n:05}0047"), "failed"),
    }
}

#[derive(Debug, Default)]
pub struct Figures {
    /// Replies answered 202.
    pub queued: usize,
    /// At each kill: replies the mock had accepted and still owed statuses.
    pub owed_at_kills: Vec<usize>,
    /// At each kill: replies still queued (the dispatcher's to resume).
    pub queued_at_kills: Vec<usize>,
    /// Replies at the status their recipient scripts, at the end.
    pub settled: usize,
}

pub async fn probe(binary: &Path, data_dir: &Path, rounds: usize) -> anyhow::Result<Figures> {
    let env = [(
        "SWITCHBOARD_MOCK_STATUS_DELAYS_MS",
        STATUS_DELAYS_MS.to_owned(),
    )];
    let expected = Arc::new(Mutex::new(HashMap::<String, &'static str>::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let mut conversations = Vec::new();
    let mut figures = Figures::default();
    for round in 0..rounds {
        let server = Server::start_with(binary, data_dir, &Launch::with_env(&env)).await?;
        let api = Arc::new(Api::sign_in(super::client()?, &server.base).await?);
        if conversations.is_empty() {
            conversations = super::conversations(&api, 1, CONVERSATIONS, |n| customer(n).0).await?;
        }
        let conversations = Arc::new(conversations.clone());
        let load = Load::start(CONCURRENCY, {
            let (api, expected, next) =
                (Arc::clone(&api), Arc::clone(&expected), Arc::clone(&next));
            move || {
                let (api, expected, next, conversations) = (
                    Arc::clone(&api),
                    Arc::clone(&expected),
                    Arc::clone(&next),
                    Arc::clone(&conversations),
                );
                async move {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let body = format!("{REPLY_PREFIX} {i}");
                    let n = i % conversations.len();
                    let accepted = super::reply(&api, conversations[n], &body).await;
                    if accepted {
                        expected
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .insert(body, customer(n).1);
                    }
                    accepted
                }
            }
        });
        tokio::time::sleep(kill_after(round)).await;
        server.kill()?;
        load.stop().await;
        let statuses = super::reply_statuses(&Database::sqlite(data_dir), REPLY_PREFIX)?;
        let expected = expected.lock().unwrap_or_else(PoisonError::into_inner);
        let owed = |body: &String, status: &String| {
            ["accepted", "sent", "delivered"].contains(&status.as_str())
                && expected.get(body).is_some_and(|e| *e != status.as_str())
        };
        figures
            .owed_at_kills
            .push(statuses.iter().filter(|(b, s)| owed(b, s)).count());
        figures
            .queued_at_kills
            .push(statuses.values().filter(|s| *s == "queued").count());
    }

    let server = Server::start_with(binary, data_dir, &Launch::with_env(&env)).await?;
    let expected = expected
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    super::until(
        "every reply reaches the status its recipient scripts",
        || {
            let statuses = super::reply_statuses(&Database::sqlite(data_dir), REPLY_PREFIX)?;
            let mut wrong: HashMap<(&str, &str), usize> = HashMap::new();
            for (body, want) in &expected {
                let got = statuses.get(body).map_or("missing", String::as_str);
                if got != *want {
                    *wrong.entry((*want, got)).or_default() += 1;
                }
            }
            if wrong.is_empty() {
                return Ok(Ok(()));
            }
            let mut described: Vec<String> = wrong
                .iter()
                .map(|((want, got), n)| format!("{n} expected {want} are {got}"))
                .collect();
            described.sort();
            Ok(Err(described.join(", ")))
        },
    )
    .await?;
    drop(server);
    figures.queued = expected.len();
    figures.settled = expected.len();
    ensure!(
        figures.queued >= rounds,
        "only {} replies were answered 202: the server was not busy when killed",
        figures.queued
    );
    ensure!(
        figures.owed_at_kills.iter().sum::<usize>() > 0,
        "no kill found a status owed, so the probe proved nothing; slow the mock's delays"
    );
    Ok(figures)
}
