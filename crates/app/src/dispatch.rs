//! The background worker that drives the domain's [`Dispatcher`].

use std::sync::Arc;
use std::time::Duration;

use switchboard_domain::live::ports::ChangeSignal;
use switchboard_domain::media::fetcher::MediaFetcher;
use switchboard_domain::outbound::dispatcher::Dispatcher;
use switchboard_domain::outbound::ports::OutboxSignal;
use tokio::sync::Notify;

/// How many messages one pass may send.
const BATCH: u32 = 100;
/// The longest a queued message waits when nobody wakes the worker (retries come due this way).
const POLL: Duration = Duration::from_millis(500);

/// Wakes the worker when a message is queued.
#[derive(Debug, Default)]
pub struct NotifySignal(Notify);

impl OutboxSignal for NotifySignal {
    fn wake(&self) {
        self.0.notify_one();
    }
}

/// Ticks a watch channel whenever the event log grows; live streams wait on its receivers.
#[derive(Debug)]
pub struct WatchSignal(tokio::sync::watch::Sender<u64>);

impl WatchSignal {
    pub fn new() -> (Self, tokio::sync::watch::Receiver<u64>) {
        let (sender, receiver) = tokio::sync::watch::channel(0);
        (Self(sender), receiver)
    }
}

impl ChangeSignal for WatchSignal {
    fn changed(&self) {
        self.0.send_modify(|ticks| *ticks = ticks.wrapping_add(1));
    }
}

/// Sends queued messages until `stop` turns true: after a wake-up, every `POLL`, and straight
/// away again while a pass found work. Messages left queued by a previous process are picked up
/// by the first pass, so nothing queued is lost across restarts. On stop, the pass under way is
/// finished (its sends answered and recorded, so no claim is left to run out) and nothing more
/// is claimed: another instance sends what is still queued.
pub async fn run_until_stopped(
    dispatcher: Dispatcher,
    signal: Arc<NotifySignal>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    while !*stop.borrow() {
        match dispatcher.run_once(BATCH).await {
            Ok(report) if report.handled() > 0 => {
                tracing::debug!(?report, "dispatched");
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "dispatching failed; will retry"),
        }
        tokio::select! {
            () = signal.0.notified() => {}
            () = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Downloads customers' media forever: every `POLL` and straight away again while a pass found
/// work. Downloads left pending by a previous process are picked up the same way.
pub async fn fetch_media_forever(fetcher: MediaFetcher) {
    loop {
        match fetcher.run_once(BATCH).await {
            Ok(report) if report.handled() > 0 => {
                tracing::debug!(?report, "media fetched");
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "fetching media failed; will retry"),
        }
        tokio::time::sleep(POLL).await;
    }
}
