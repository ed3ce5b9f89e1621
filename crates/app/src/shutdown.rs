//! A graceful shutdown, begun by SIGTERM or SIGINT (or by a test): one switch for the live
//! streams, the dispatcher and the HTTP server, so none of them waits on the others to notice.

use std::sync::Arc;

use actix_web::dev::ServerHandle;
use tokio::sync::watch;

/// Begins this instance's shutdown. Cloning it gives another handle on the same one.
#[derive(Clone)]
pub struct Shutdown {
    /// Live streams end when it turns true.
    closing: Arc<watch::Sender<bool>>,
    /// The dispatcher finishes its pass and claims nothing more when it turns true.
    dispatching: Arc<watch::Sender<bool>>,
    server: ServerHandle,
}

impl std::fmt::Debug for Shutdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shutdown")
            .field("begun", &*self.closing.borrow())
            .finish_non_exhaustive()
    }
}

impl Shutdown {
    pub(crate) fn new(
        closing: watch::Sender<bool>,
        dispatching: watch::Sender<bool>,
        server: ServerHandle,
    ) -> Self {
        Self {
            closing: Arc::new(closing),
            dispatching: Arc::new(dispatching),
            server,
        }
    }

    /// Ends the live streams (their clients reconnect, through the load balancer, to another
    /// instance), stops the dispatcher claiming, and stops the server accepting connections;
    /// returns once the requests under way are answered (or cut off after the drain).
    pub async fn begin(&self) {
        self.closing.send_replace(true);
        self.stop_dispatching();
        self.server.stop(true).await;
    }

    pub(crate) fn stop_dispatching(&self) {
        self.dispatching.send_replace(true);
    }

    /// Waits for SIGTERM (what `docker stop` and systemd send) or SIGINT, then begins.
    pub(crate) async fn on_signal(self) {
        match termination().await {
            Ok(signal) => {
                tracing::info!(signal, "shutting down");
                self.begin().await;
            }
            Err(e) => tracing::error!(error = %e, "cannot listen for SIGTERM and SIGINT"),
        }
    }
}

#[cfg(unix)]
async fn termination() -> std::io::Result<&'static str> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(tokio::select! {
        _ = terminate.recv() => "SIGTERM",
        _ = interrupt.recv() => "SIGINT",
    })
}

#[cfg(not(unix))]
async fn termination() -> std::io::Result<&'static str> {
    tokio::signal::ctrl_c().await.map(|()| "Ctrl-C")
}
