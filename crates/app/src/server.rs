//! Starting the service: data directory, database and migrations, bootstrap, HTTP server.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use actix_web::HttpServer;
use anyhow::Context as _;
use switchboard_auth::HashCost;
use switchboard_domain::accounts::model::TokenLifetimes;
use switchboard_domain::outbound::dispatcher::RetryPolicy;
use switchboard_domain::outbound::ports::WhatsAppGateway;
use switchboard_domain::simulator::ports::CustomerSimulator;
use switchboard_http::{AddressGate, ClientLimits};
use switchboard_simulator::mock::{MockGateway, MockSettings};
use switchboard_store::{FsMediaStore, Store};
use switchboard_whatsapp::cloud::{CloudGateway, CloudSettings};

use crate::bootstrap::{self, BootstrapReport};
use crate::config::{AdminDir, Config, DEFAULT_ADMIN_DIR, WhatsAppProvider};
use crate::shutdown::Shutdown;
use crate::wiring;

/// A bound, ready-to-run server.
pub struct Application {
    port: u16,
    server: actix_web::dev::Server,
    report: BootstrapReport,
    store: Store,
    shutdown: Shutdown,
    dispatcher: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

/// Creates the data directory, opens the database and applies pending migrations.
///
/// # Errors
/// When the directory or database cannot be created or a migration fails.
pub fn open_store(config: &Config) -> anyhow::Result<Store> {
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "SWITCHBOARD_DATA_DIR: cannot create {}",
            config.data_dir.display()
        )
    })?;
    let store =
        Store::open_with(&config.database_url, config.store).context("SWITCHBOARD_DATABASE_URL")?;
    let applied = store.migrate()?;
    if !applied.is_empty() {
        tracing::info!(migrations = ?applied, "applied database migrations");
    }
    Ok(store)
}

/// How long a stopping server waits for the dispatcher's sends under way: an upload and a send,
/// each within [`CLOUD_API_TIMEOUT`].
const DISPATCH_DRAIN: std::time::Duration = std::time::Duration::from_secs(35);

/// Each Cloud API request, connection included; the dispatcher retries a timeout.
const CLOUD_API_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// Where the mock provider posts its webhooks: this very server, on loopback when it listens
/// on every interface.
fn own_webhook_url(local: SocketAddr) -> String {
    let host = match local.ip() {
        ip if ip.is_unspecified() && ip.is_ipv6() => "[::1]".to_owned(),
        ip if ip.is_unspecified() => "127.0.0.1".to_owned(),
        ip if ip.is_ipv6() => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    format!("http://{host}:{}/webhooks/whatsapp", local.port())
}

/// The admin app to serve: a configured directory must hold a build; the default one is
/// served when `make run` has built it, and its absence only means the API is served alone.
fn admin_dir(setting: &AdminDir) -> anyhow::Result<Option<PathBuf>> {
    let has_build = |dir: &Path| dir.join("index.html").is_file();
    match setting {
        AdminDir::Configured(dir) if has_build(dir) => Ok(Some(dir.clone())),
        AdminDir::Configured(dir) => anyhow::bail!(
            "SWITCHBOARD_ADMIN_DIR: {} holds no built admin app (no index.html)",
            dir.display()
        ),
        AdminDir::Default => {
            let dir = PathBuf::from(DEFAULT_ADMIN_DIR);
            if has_build(&dir) {
                Ok(Some(dir))
            } else {
                tracing::warn!(
                    "the admin app is not built ({DEFAULT_ADMIN_DIR} has no index.html): serving \
                     the API alone; `make run` builds it when Node.js is installed"
                );
                Ok(None)
            }
        }
    }
}

/// The WhatsApp provider of this process.
enum Provider {
    Mock(Arc<MockGateway>),
    Cloud(Arc<CloudGateway>),
}

impl Application {
    /// Prepares everything and binds the listener (port 0 picks a free port).
    ///
    /// # Errors
    /// Any start-up failure, with the setting to blame in its message.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with_cost(config, HashCost::Production).await
    }

    /// As [`Application::build`] with a chosen password-hashing cost (tests use the fast one).
    ///
    /// # Errors
    /// As [`Application::build`].
    pub async fn build_with_cost(config: Config, cost: HashCost) -> anyhow::Result<Self> {
        let store = open_store(&config)?;
        let settings = wiring::Settings {
            jwt_secret: config.load_jwt_secret()?,
            lifetimes: TokenLifetimes {
                access: config.access_token_ttl,
                refresh: config.refresh_token_ttl,
            },
            hash_cost: cost,
            whatsapp_app_secret: config.load_whatsapp_app_secret()?,
            whatsapp_verify_token: config.whatsapp_verify_token.clone(),
            retry: RetryPolicy::default(),
            admin_dir: admin_dir(&config.admin_dir)?,
            login_attempts_per_address: config.login_attempts_per_address,
            trusted_proxies: config.trusted_proxies.clone(),
        };
        let listener = TcpListener::bind(config.bind)
            .with_context(|| format!("SWITCHBOARD_BIND: cannot listen on {}", config.bind))?;
        let local = listener.local_addr()?;

        // Messages accepted from now on are this process's: the mock reports those itself.
        let started_at = chrono::Utc::now();
        let provider = match &config.whatsapp_provider {
            WhatsAppProvider::Mock => Provider::Mock(Arc::new(
                MockGateway::new(MockSettings {
                    callback_url: own_webhook_url(local),
                    app_secret: settings.whatsapp_app_secret.clone(),
                    status_delays: config.mock_status_delays,
                })
                .context("cannot start the mock WhatsApp provider")?,
            )),
            WhatsAppProvider::Cloud(api) => Provider::Cloud(Arc::new(
                CloudGateway::new(CloudSettings {
                    base_url: api.base_url.clone(),
                    api_version: api.api_version.clone(),
                    access_token: api.access_token.clone(),
                    timeout: CLOUD_API_TIMEOUT,
                })
                .context("cannot start the WhatsApp Cloud API client")?,
            )),
        };
        let (gateway, simulator): (Arc<dyn WhatsAppGateway>, Option<Arc<dyn CustomerSimulator>>) =
            match &provider {
                Provider::Mock(mock) => (mock.clone(), Some(mock.clone())),
                Provider::Cloud(cloud) => (cloud.clone(), None),
            };
        let media_store = Arc::new(FsMediaStore::new(config.data_dir.join("media")));
        let wired = wiring::wire(&store, media_store, &settings, gateway, simulator);
        store
            .watch_changes(wired.changes.clone())
            .context("starting the database listener")?;
        let report = bootstrap::run(&config, &store, &wired.state.users).await?;

        let state = wired.state.clone();
        let limits = ClientLimits {
            body: config.body_timeouts,
            per_address: AddressGate::new(config.max_requests_per_address),
        };
        let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let open_files = crate::connections::raise_open_files_limit();
        let max_connections = crate::connections::budget(config.max_connections, open_files);
        if max_connections < config.max_connections {
            tracing::warn!(
                open_files,
                max_connections,
                "SWITCHBOARD_MAX_CONNECTIONS lowered to what the open-files limit allows"
            );
        }
        let server = HttpServer::new(move || {
            switchboard_http::app_with_limits(state.clone(), limits.clone())
        })
        .workers(workers)
        .max_connections(crate::connections::per_worker(max_connections, workers))
        // The shutdown ends live streams itself; this bounds the requests still under way.
        .shutdown_timeout(5)
        // `Shutdown` answers the signals, so that streams and dispatcher stop at once too.
        .disable_signals()
        .listen(listener)?
        .run();
        if let Provider::Mock(mock) = provider {
            // Meta redelivers what it owes after an outage; the mock's plans died with the last
            // process, so it takes them up from the stored statuses.
            actix_web::rt::spawn(crate::owed_statuses::resume(
                Arc::new(store.clone()),
                mock,
                started_at,
            ));
        }
        actix_web::rt::spawn(crate::housekeeping::purge_sessions_forever(store.clone()));
        let (stop_dispatching, stop) = tokio::sync::watch::channel(false);
        let shutdown = Shutdown::new(wired.closing, stop_dispatching, server.handle());
        actix_web::rt::spawn(shutdown.clone().on_signal());
        let dispatcher = actix_web::rt::spawn(crate::dispatch::run_until_stopped(
            wired.dispatcher,
            wired.signal,
            stop,
        ));
        actix_web::rt::spawn(crate::dispatch::fetch_media_forever(wired.media));
        let port = local.port();
        Ok(Self {
            port,
            server,
            report,
            store,
            shutdown,
            dispatcher,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// What begins this server's shutdown, as SIGTERM does.
    pub fn shutdown(&self) -> Shutdown {
        self.shutdown.clone()
    }

    /// What the first-run bootstrap did; taken once, to tell the operator.
    pub fn take_bootstrap_report(&mut self) -> BootstrapReport {
        std::mem::take(&mut self.report)
    }

    /// Serves until SIGINT or SIGTERM (or [`Shutdown::begin`]): then ends the live streams at
    /// once (their clients reconnect, to another instance if there is one), stops claiming
    /// sends, gives the requests under way 5 s, lets the dispatcher finish the sends under way
    /// (at most [`DISPATCH_DRAIN`]) and closes the store (its last writes committed; on SQLite
    /// its log truncated).
    ///
    /// # Errors
    /// I/O failures of the server.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        self.shutdown.stop_dispatching();
        if tokio::time::timeout(DISPATCH_DRAIN, self.dispatcher)
            .await
            .is_err()
        {
            tracing::warn!(
                "sends still under way at shutdown: their claims run out and another instance \
                 (or the next start) sends them"
            );
        }
        self.store.close().await;
        served
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configured_admin_dir_without_a_build_stops_start_up_naming_the_variable() {
        let empty = tempfile::tempdir().unwrap();
        let error = admin_dir(&AdminDir::Configured(empty.path().to_path_buf())).unwrap_err();
        assert!(
            error.to_string().starts_with("SWITCHBOARD_ADMIN_DIR: "),
            "{error}"
        );
        std::fs::write(empty.path().join("index.html"), "<!doctype html>").unwrap();
        assert_eq!(
            admin_dir(&AdminDir::Configured(empty.path().to_path_buf())).unwrap(),
            Some(empty.path().to_path_buf())
        );
    }
}
