//! Kill -9 under concurrent signed webhook load, round after round on one data directory, with
//! Meta's redeliveries in between: every delivery answered 200 is stored, and stored once.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{Context as _, ensure};
use diesel::RunQueryDsl as _;
use diesel::sql_types::Text;

use super::{Load, kill_after};
use crate::api::Api;
use crate::cloud_payloads::{self, Delivery, Number};
use crate::database;
use crate::server::Server;

/// Deliveries posted at once.
const CONCURRENCY: usize = 32;
/// Customers the messages come from.
const CONTACTS: usize = 500;
/// Acknowledged deliveries sent again at each start, as Meta may deliver twice.
const DUPLICATES_PER_ROUND: usize = 50;

#[derive(Debug, Default)]
pub struct Figures {
    pub posted: usize,
    pub acknowledged: usize,
    /// Probe messages in the database at the end.
    pub stored: usize,
    /// Stored although their 200 never arrived (committed just before a kill).
    pub stored_unacknowledged: usize,
    /// Deliveries posted again after a restart: those never acknowledged, plus duplicates.
    pub redelivered: usize,
    pub missing: usize,
    pub duplicates: usize,
    /// At each kill: deliveries on their way that it cut off.
    pub cut_off_at_kills: Vec<usize>,
}

#[derive(Default)]
struct Ledger {
    /// Acknowledged message ids, with their delivery for a duplicate later.
    acknowledged: HashMap<String, Delivery>,
    /// Deliveries without a 200 (refused or cut off by the kill): Meta retries them.
    unacknowledged: HashMap<String, Delivery>,
    posted: usize,
}

pub async fn probe(binary: &Path, data_dir: &Path, rounds: usize) -> anyhow::Result<Figures> {
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut number: Option<Number> = None;
    let mut redelivered = 0;
    let mut cut_off_at_kills = Vec::new();
    let next = Arc::new(AtomicUsize::new(0));
    for round in 0..rounds {
        let server = Server::start(binary, data_dir).await?;
        let api = Api::sign_in(super::client()?, &server.base).await?;
        let number = match &number {
            Some(number) => number.clone(),
            None => number.insert(api.create_number(0).await?).clone(),
        };
        let url = format!("{}/webhooks/whatsapp", server.base);
        redelivered += redeliver(&api.client, &url, &ledger).await?;

        let load = Load::start(CONCURRENCY, {
            let (client, ledger, next) =
                (api.client.clone(), Arc::clone(&ledger), Arc::clone(&next));
            move || {
                let (client, url, ledger, next) = (
                    client.clone(),
                    url.clone(),
                    Arc::clone(&ledger),
                    Arc::clone(&next),
                );
                let number = number.clone();
                async move {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let wamid = format!("wamid.crash-probe.ingest.{i}");
                    let from = cloud_payloads::wa_id(i % CONTACTS);
                    let delivery = cloud_payloads::inbound_text(
                        &number,
                        &from,
                        &wamid,
                        chrono::Utc::now().timestamp(),
                    );
                    let answered = post(&client, &url, &delivery).await;
                    let mut ledger = ledger.lock().unwrap_or_else(PoisonError::into_inner);
                    ledger.posted += 1;
                    if answered {
                        ledger.acknowledged.insert(wamid, delivery);
                    } else {
                        ledger.unacknowledged.insert(wamid, delivery);
                    }
                    answered
                }
            }
        });
        tokio::time::sleep(kill_after(round)).await;
        server.kill()?;
        load.stop().await;
        let cut_off = ledger
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .unacknowledged
            .len();
        cut_off_at_kills.push(cut_off);
    }

    // The database as the last kill left it: SQLite recovers the WAL on opening.
    let stored = stored_messages(data_dir)?;
    let integrity = super::integrity(data_dir)?;
    let ledger = ledger.lock().unwrap_or_else(PoisonError::into_inner);
    let duplicates: usize = stored.values().map(|n| n.saturating_sub(1)).sum();
    let missing: Vec<&String> = ledger
        .acknowledged
        .keys()
        .filter(|wamid| !stored.contains_key(*wamid))
        .collect();
    let figures = Figures {
        posted: ledger.posted + redelivered,
        acknowledged: ledger.acknowledged.len(),
        stored: stored.len(),
        stored_unacknowledged: stored
            .keys()
            .filter(|wamid| !ledger.acknowledged.contains_key(*wamid))
            .count(),
        redelivered,
        missing: missing.len(),
        duplicates,
        cut_off_at_kills,
    };
    ensure!(
        integrity == "ok",
        "PRAGMA integrity_check after the kills: {integrity}"
    );
    ensure!(
        figures.cut_off_at_kills.iter().all(|n| *n > 0),
        "a kill cut off no delivery, so it did not strike under load: {:?}",
        figures.cut_off_at_kills
    );
    ensure!(
        missing.is_empty(),
        "{} acknowledged webhook messages are not stored, e.g. {:?}",
        missing.len(),
        missing.iter().take(5).collect::<Vec<_>>()
    );
    ensure!(
        duplicates == 0,
        "{duplicates} webhook messages are stored more than once"
    );
    Ok(figures)
}

/// Posts again, once the server is up, what was never acknowledged (Meta's retries) and a few
/// acknowledged deliveries (Meta may deliver one twice); returns how many were posted.
async fn redeliver(
    client: &reqwest::Client,
    url: &str,
    ledger: &Mutex<Ledger>,
) -> anyhow::Result<usize> {
    let (retries, duplicates): (Vec<(String, Delivery)>, Vec<Delivery>) = {
        let mut ledger = ledger.lock().unwrap_or_else(PoisonError::into_inner);
        let retries = ledger.unacknowledged.drain().collect();
        let duplicates = ledger
            .acknowledged
            .values()
            .take(DUPLICATES_PER_ROUND)
            .cloned()
            .collect();
        (retries, duplicates)
    };
    let count = retries.len() + duplicates.len();
    for (wamid, delivery) in retries {
        ensure!(
            post(client, url, &delivery).await,
            "the live server refused a redelivery of {wamid}"
        );
        ledger
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .acknowledged
            .insert(wamid, delivery);
    }
    for delivery in duplicates {
        ensure!(
            post(client, url, &delivery).await,
            "the live server refused a duplicate delivery"
        );
    }
    Ok(count)
}

/// Posts one signed delivery; true only for the 200 that promises it is committed.
async fn post(client: &reqwest::Client, url: &str, delivery: &Delivery) -> bool {
    delivery
        .post(client, url)
        .send()
        .await
        .is_ok_and(|response| response.status().as_u16() == 200)
}

#[derive(diesel::QueryableByName)]
struct Stored {
    #[diesel(sql_type = Text)]
    wamid: String,
}

/// How many rows each probe message id has.
fn stored_messages(data_dir: &Path) -> anyhow::Result<HashMap<String, usize>> {
    let rows: Vec<Stored> = diesel::sql_query(
        "SELECT wamid FROM messages WHERE wamid LIKE 'wamid.crash-probe.ingest.%'",
    )
    .load(&mut database::open(data_dir)?)
    .context("reading the stored webhook messages")?;
    let mut counts = HashMap::new();
    for row in rows {
        *counts.entry(row.wamid).or_insert(0) += 1;
    }
    Ok(counts)
}
