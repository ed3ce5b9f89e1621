//! Two instances on one PostgreSQL database dispatch queued replies to a recording fake Cloud
//! API; one is killed -9 mid-dispatch and never restarted. The other must take over the dead
//! one's claims once their lease has run out: no reply answered 202 is lost, and a reply
//! reaches the API twice only when the dead instance had its send in flight.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::ensure;

use super::kill_after;
use crate::api::Api;
use crate::database::Database;
use crate::recording_cloud::{ACCESS_TOKEN, RecordingCloud};
use crate::server::{Launch, Server};

const CONCURRENCY: usize = 8;
const CONVERSATIONS: usize = 64;
const REPLY_PREFIX: &str = "takeover-probe reply";
/// The dispatcher's claim, with room for the survivor to send.
const TAKEOVER_PATIENCE: Duration = Duration::from_secs(120 + 60);

#[derive(Debug, Default)]
pub struct Figures {
    pub queued: usize,
    pub sends: usize,
    pub lost: usize,
    pub duplicates: usize,
    /// Replies the killed instance held claims on.
    pub claimed_at_kill: usize,
    /// Replies the API had received whose acceptance was not committed at the kill.
    pub in_flight_at_kill: usize,
    /// From the kill until the survivor had sent everything.
    pub taken_over_after: Duration,
}

/// The dispatcher's claim on a message it sends.
const CLAIM: Duration = Duration::from_secs(120);

#[derive(diesel::QueryableByName)]
struct Now {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    ms: i64,
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

pub async fn probe(binary: &std::path::Path, postgres_server: &str) -> anyhow::Result<Figures> {
    let db = Database::fresh_postgres_named(postgres_server, "switchboard_takeover_probe")?;
    // Slow answers, so each dispatcher always has claimed sends in flight when one is killed.
    let cloud = RecordingCloud::start_answering_after(Duration::from_millis(200))?;
    let mut env = db.server_env();
    env.extend([
        ("SWITCHBOARD_WHATSAPP_PROVIDER", "cloud".to_owned()),
        ("SWITCHBOARD_WHATSAPP_API_BASE_URL", cloud.base_url.clone()),
        ("SWITCHBOARD_WHATSAPP_ACCESS_TOKEN", ACCESS_TOKEN.to_owned()),
        (
            "SWITCHBOARD_WHATSAPP_VERIFY_TOKEN",
            "takeover-probe-verify-token".to_owned(),
        ),
    ]);
    let launch = Launch::with_env(&env);
    let (dir_a, dir_b) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let doomed = Server::start_with(binary, dir_a.path(), &launch).await?;
    let survivor = Server::start_with(binary, dir_b.path(), &launch).await?;
    let apis = vec![
        Arc::new(Api::sign_in(super::client()?, &doomed.base).await?),
        Arc::new(Api::sign_in(super::client()?, &survivor.base).await?),
    ];
    let conversations = Arc::new(
        super::conversations(&apis[0], 0, CONVERSATIONS, crate::cloud_payloads::wa_id).await?,
    );

    let queued = Arc::new(Mutex::new(HashSet::new()));
    let next = Arc::new(AtomicUsize::new(0));
    // Half the replies through each instance; once one is dead, its share fails and the
    // workers that meet it stop.
    let load = super::reply_load(
        CONCURRENCY,
        apis,
        conversations,
        REPLY_PREFIX,
        &queued,
        &next,
    );
    tokio::time::sleep(kill_after(0) * 2).await;
    doomed.kill()?;
    let killed = Instant::now();
    let killed_at = db
        .load::<Now>("SELECT (extract(epoch FROM now()) * 1000)::bigint AS ms")?
        .first()
        .map_or(0, |n| n.ms);
    load.stop().await;
    tokio::time::sleep(super::SETTLE).await;
    // The dead instance's claims: made before the kill, so they run out within a lease of it
    // (the survivor's since then run out later, and its earlier ones are done by now).
    let claimed_at_kill = db
        .load::<Count>(&format!(
            "SELECT count(*) AS n FROM messages WHERE direction = 'outbound' \
             AND status = 'queued' AND claim_expires_at > now() \
             AND claim_expires_at <= to_timestamp(({killed_at} + {}) / 1000.0)",
            CLAIM.as_millis()
        ))?
        .first()
        .map_or(0, |c| c.n);
    let in_flight = super::sent_but_queued(&db, &cloud, REPLY_PREFIX)?;
    super::until_all_sent(&db, REPLY_PREFIX, TAKEOVER_PATIENCE).await?;
    let taken_over_after = killed.elapsed();
    drop(survivor);

    let sends: HashMap<String, u32> = cloud.sends();
    let queued = queued.lock().unwrap_or_else(PoisonError::into_inner);
    let (lost, duplicated) = super::lost_and_repeated(&queued, &sends);
    let figures = Figures {
        queued: queued.len(),
        sends: sends.values().map(|n| *n as usize).sum(),
        lost: lost.len(),
        duplicates: sends
            .values()
            .map(|n| (*n as usize).saturating_sub(1))
            .sum(),
        claimed_at_kill: usize::try_from(claimed_at_kill).unwrap_or(0),
        in_flight_at_kill: in_flight.len(),
        taken_over_after,
    };
    ensure!(
        figures.claimed_at_kill > 0,
        "no reply was claimed when the instance was killed: nothing was taken over"
    );
    ensure!(
        lost.is_empty(),
        "{} replies answered 202 never reached the Cloud API, e.g. {:?}",
        lost.len(),
        lost.iter().take(5).collect::<Vec<_>>()
    );
    let unexplained: Vec<&String> = duplicated
        .iter()
        .map(|(body, _)| *body)
        .filter(|body| !in_flight.contains(*body))
        .collect();
    ensure!(
        unexplained.is_empty(),
        "replies sent twice although the kill did not catch them in flight: {unexplained:?}"
    );
    Ok(figures)
}
