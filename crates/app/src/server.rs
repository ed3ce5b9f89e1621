//! Starting the service: data directory, database and migrations, bootstrap, HTTP server.

use std::net::TcpListener;

use actix_web::HttpServer;
use anyhow::Context as _;
use switchboard_auth::HashCost;
use switchboard_domain::session::TokenLifetimes;
use switchboard_store::Store;

use crate::bootstrap::{self, BootstrapReport};
use crate::config::Config;
use crate::wiring;

/// A bound, ready-to-run server.
pub struct Application {
    port: u16,
    server: actix_web::dev::Server,
    report: BootstrapReport,
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
    let store = Store::open(&config.database_url).context("SWITCHBOARD_DATABASE_URL")?;
    let applied = store.migrate()?;
    if !applied.is_empty() {
        tracing::info!(migrations = ?applied, "applied database migrations");
    }
    Ok(store)
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
        };
        let state = wiring::app_state(&store, &settings);
        let report = bootstrap::run(&config, &store, &state.users).await?;

        let listener = TcpListener::bind(config.bind)
            .with_context(|| format!("SWITCHBOARD_BIND: cannot listen on {}", config.bind))?;
        let port = listener.local_addr()?.port();
        let server = HttpServer::new(move || switchboard_http::app(state.clone()))
            .listen(listener)?
            .run();
        actix_web::rt::spawn(crate::housekeeping::purge_sessions_forever(store));
        Ok(Self {
            port,
            server,
            report,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// What the first-run bootstrap did; taken once, to tell the operator.
    pub fn take_bootstrap_report(&mut self) -> BootstrapReport {
        std::mem::take(&mut self.report)
    }

    /// Serves until SIGINT or SIGTERM, then drains in-flight requests.
    ///
    /// # Errors
    /// I/O failures of the server.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
