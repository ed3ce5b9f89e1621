//! The WAL probe (`switchboard-bench probe-wal`, a CI check): sustained signed webhook ingest
//! at full speed for a bounded time, with a small log limit so that even a debug build passes it
//! many times over. The log must never grow much past its limit, must be restarted in place
//! (cut back to its limit, never emptied) under load, must be emptied once the load stops, and
//! must be empty after a clean shutdown.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};

use super::load::Load;
use crate::api::Api;
use crate::cloud_payloads;
use crate::server::{Launch, Server};
use crate::wal_watch::{WalWatch, mib};

/// Deliveries posted at once.
const CONCURRENCY: usize = 32;
/// Customers the messages come from.
const CONTACTS: usize = 2_000;
/// How long the log may take to be emptied once the load stops: the checkpoint thread waits
/// for ten seconds of quiet; the rest is headroom for a loaded machine.
const IDLE_PATIENCE: Duration = Duration::from_secs(30);

#[derive(Debug, clap::Args)]
pub struct WalProbe {
    /// The server binary to probe.
    #[arg(long, default_value = "target/debug/switchboard")]
    server: PathBuf,
    /// `SWITCHBOARD_SQLITE_WAL_LIMIT_MB` for the run.
    #[arg(long, default_value_t = 8)]
    limit_mb: u64,
    /// Seconds of ingest.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
}

impl WalProbe {
    /// Runs the probe; prints its figures and fails naming what did not hold.
    pub async fn run(&self) -> anyhow::Result<()> {
        let binary = std::fs::canonicalize(&self.server).with_context(|| {
            format!(
                "no server binary at {} (cargo build -p switchboard)",
                self.server.display()
            )
        })?;
        let limit = self.limit_mb << 20;
        // The writer restarts the log after the group commit that passed the limit, so it may
        // pass it by one batch's pages (at most 256 deliveries); a quarter of the limit or
        // 4 MiB, whichever is more, is ample for that and catches a log left to grow.
        let allowed = limit + (limit / 4).max(4 << 20);
        let data = tempfile::tempdir()?;
        let server = Server::start_with(
            &binary,
            data.path(),
            &Launch::with_env(&[("SWITCHBOARD_SQLITE_WAL_LIMIT_MB", self.limit_mb.to_string())]),
        )
        .await?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(CONCURRENCY)
            .build()?;
        let api = Api::sign_in(client.clone(), &server.base).await?;
        let number = api.create_number(0).await?;
        let url = format!("{}/webhooks/whatsapp", server.base);

        let watch = WalWatch::start(data.path(), limit);
        let (next, acknowledged) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let started = Instant::now();
        let load = Load::start(CONCURRENCY, {
            let (next, acknowledged) = (Arc::clone(&next), Arc::clone(&acknowledged));
            move || {
                let (client, url, number) = (client.clone(), url.clone(), number.clone());
                let (next, acknowledged) = (Arc::clone(&next), Arc::clone(&acknowledged));
                async move {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let delivery = cloud_payloads::inbound_text(
                        &number,
                        &cloud_payloads::wa_id(i % CONTACTS),
                        &format!("wamid.wal-probe.{i}"),
                        chrono::Utc::now().timestamp(),
                    );
                    let answered = delivery
                        .post(&client, &url)
                        .send()
                        .await
                        .is_ok_and(|r| r.status().as_u16() == 200);
                    if answered {
                        acknowledged.fetch_add(1, Ordering::Relaxed);
                    }
                    answered
                }
            }
        });
        tokio::time::sleep(Duration::from_secs(self.seconds)).await;
        load.stop().await;
        let ingest = started.elapsed();
        let acknowledged = acknowledged.load(Ordering::Relaxed);
        let under_load = watch.stop().await;

        let quiet = Instant::now();
        let wal = data.path().join("switchboard.db-wal");
        let wal_len = || std::fs::metadata(&wal).map_or(0, |m| m.len());
        while wal_len() > 0 && quiet.elapsed() < IDLE_PATIENCE {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let emptied_after = quiet.elapsed();
        let left_idle = wal_len();
        let database = std::fs::metadata(data.path().join("switchboard.db"))?.len();
        let exit = server.terminate()?;
        let left_after_shutdown = wal_len();

        println!(
            "WAL probe: {acknowledged} deliveries acknowledged in {:.1} s ({:.0}/s), database \
             {}; log limit {}, high-water {} (allowed {}), cut back {} times under load, \
             never below {} once at the limit; {} left {:.1} s after the load stopped; {} \
             after SIGTERM ({exit})",
            ingest.as_secs_f64(),
            acknowledged as f64 / ingest.as_secs_f64(),
            mib(database),
            mib(limit),
            mib(under_load.high_water),
            mib(allowed),
            under_load.shrinks,
            mib(under_load.low_after_limit.unwrap_or(0)),
            mib(left_idle),
            emptied_after.as_secs_f64(),
            mib(left_after_shutdown),
        );
        ensure!(acknowledged > 0, "no delivery was acknowledged");
        let Some(low_after_limit) = under_load.low_after_limit else {
            anyhow::bail!(
                "the log never reached its limit (high-water {}): raise --seconds",
                mib(under_load.high_water)
            );
        };
        ensure!(
            under_load.shrinks > 0,
            "the log was never restarted under load: its file was never cut back to the limit"
        );
        ensure!(
            low_after_limit >= limit,
            "the log file was emptied under load (down to {} after reaching its limit), so the \
             commits after it extend the file and sync slower",
            mib(low_after_limit)
        );
        ensure!(
            under_load.high_water <= allowed,
            "the log reached {}, past its limit of {} by more than one batch",
            mib(under_load.high_water),
            mib(limit)
        );
        ensure!(
            left_idle == 0,
            "the log still held {} {:.0} s after the load stopped",
            mib(left_idle),
            IDLE_PATIENCE.as_secs_f64()
        );
        ensure!(exit.success(), "the server exited with {exit} on SIGTERM");
        ensure!(
            left_after_shutdown == 0,
            "a clean shutdown left {} of log",
            mib(left_after_shutdown)
        );
        println!("WAL probe passed");
        Ok(())
    }
}
