//! Kill -9 while queued replies are being dispatched to a recording fake Cloud API, round after
//! round on one data directory: no reply answered 202 is lost, and a reply reaches the API twice
//! only when the process died with its send in flight.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::ensure;

use super::kill_after;
use crate::api::Api;
use crate::database::Database;
use crate::recording_cloud::{ACCESS_TOKEN, RecordingCloud};
use crate::server::{Launch, Server};

/// Replies posted at once.
const CONCURRENCY: usize = 8;
/// Conversations the replies are spread over (the dispatcher sends one per conversation at a
/// time, up to 16 at once).
const CONVERSATIONS: usize = 64;
const REPLY_PREFIX: &str = "crash-probe reply";

#[derive(Debug, Default)]
pub struct Figures {
    /// Replies answered 202.
    pub queued: usize,
    /// Sends the fake Cloud API received, repeats included.
    pub sends: usize,
    pub lost: usize,
    /// Sends beyond the first of a reply.
    pub duplicates: usize,
    /// At each kill: replies the API had received whose acceptance was not committed.
    pub in_flight_at_kills: Vec<usize>,
}

pub async fn probe(binary: &Path, data_dir: &Path, rounds: usize) -> anyhow::Result<Figures> {
    let db = Database::sqlite(data_dir);
    let cloud = RecordingCloud::start()?;
    let env = [
        ("SWITCHBOARD_WHATSAPP_PROVIDER", "cloud".to_owned()),
        ("SWITCHBOARD_WHATSAPP_API_BASE_URL", cloud.base_url.clone()),
        ("SWITCHBOARD_WHATSAPP_ACCESS_TOKEN", ACCESS_TOKEN.to_owned()),
        (
            "SWITCHBOARD_WHATSAPP_VERIFY_TOKEN",
            "crash-probe-verify-token".to_owned(),
        ),
    ];
    let queued = Arc::new(Mutex::new(HashSet::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let mut conversations = Vec::new();
    let mut in_flight = Vec::new();
    let mut ever_in_flight = HashSet::new();
    for round in 0..rounds {
        let server = Server::start_with(binary, data_dir, &Launch::with_env(&env)).await?;
        let api = Arc::new(Api::sign_in(super::client()?, &server.base).await?);
        if conversations.is_empty() {
            conversations =
                super::conversations(&api, 0, CONVERSATIONS, crate::cloud_payloads::wa_id).await?;
        }
        let load = super::reply_load(
            CONCURRENCY,
            vec![Arc::clone(&api)],
            Arc::new(conversations.clone()),
            REPLY_PREFIX,
            &queued,
            &next,
        );
        tokio::time::sleep(kill_after(round)).await;
        server.kill()?;
        load.stop().await;
        // A send whose bytes reached the fake before the kill is still read and recorded.
        tokio::time::sleep(super::SETTLE).await;
        // Received by the API, yet still queued in the database: it goes out again.
        let unrecorded = super::sent_but_queued(&db, &cloud, REPLY_PREFIX)?;
        in_flight.push(unrecorded.len());
        ever_in_flight.extend(unrecorded);
    }

    // One more start, to send what is still queued, and no kill until it is out.
    let server = Server::start_with(binary, data_dir, &Launch::with_env(&env)).await?;
    super::until_all_sent(&db, REPLY_PREFIX, super::PATIENCE).await?;
    drop(server);

    let sends: HashMap<String, u32> = cloud.sends();
    let queued = queued.lock().unwrap_or_else(PoisonError::into_inner);
    let (lost, duplicated) = super::lost_and_repeated(&queued, &sends);
    let figures = Figures {
        queued: queued.len(),
        sends: sends.values().map(|n| *n as usize).sum(),
        lost: lost.len(),
        duplicates: duplicated.iter().map(|(_, n)| (*n - 1) as usize).sum(),
        in_flight_at_kills: in_flight,
    };
    ensure!(
        queued.len() >= rounds,
        "only {} replies were answered 202: the dispatcher was not busy when killed",
        queued.len()
    );
    ensure!(
        lost.is_empty(),
        "{} replies answered 202 never reached the Cloud API, e.g. {:?}",
        lost.len(),
        lost.iter().take(5).collect::<Vec<_>>()
    );
    let bound: usize = figures.in_flight_at_kills.iter().sum();
    ensure!(
        figures.duplicates <= bound,
        "{} duplicate sends, more than the {bound} in flight at the kills",
        figures.duplicates
    );
    let unexplained: Vec<&&String> = duplicated
        .iter()
        .map(|(body, _)| body)
        .filter(|body| !ever_in_flight.contains(**body))
        .collect();
    ensure!(
        unexplained.is_empty(),
        "replies sent twice although no kill caught them in flight: {unexplained:?}"
    );
    Ok(figures)
}
