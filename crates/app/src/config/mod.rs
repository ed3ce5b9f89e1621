//! Configuration from `SWITCHBOARD_*` environment variables (and `.env`, loaded by `main`).
//!
//! Parsed from a look-up function rather than the process environment, so tests exercise
//! every rule without touching global state. A bad value is reported as one line naming the
//! variable.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;

use switchboard_auth::JwtSecret;
use switchboard_http::{BodyTimeouts, TrustedProxies};
use switchboard_store::{DatabaseUrl, StoreSettings, WalSettings};

mod cloud;
mod secret_file;
#[cfg(test)]
mod tests;
mod values;

use cloud::cloud_api;
pub use cloud::{CloudApi, DEFAULT_API_BASE_URL, DEFAULT_API_VERSION, WhatsAppProvider};
use secret_file::load_or_create_secret;
use values::{seconds, whole_number};

/// A configuration value that was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

fn bad(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        message: message.into(),
    }
}

/// Where the access-token signing key comes from.
#[derive(Debug, Clone)]
pub enum JwtSecretSource {
    /// `SWITCHBOARD_JWT_SECRET`.
    Configured(JwtSecret),
    /// Generated once and kept in the data directory, so restarts keep sessions.
    DataDir,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: DatabaseUrl,
    pub jwt_secret: JwtSecretSource,
    pub admin_username: String,
    pub admin_password: Option<String>,
    pub whatsapp_provider: WhatsAppProvider,
    pub whatsapp_app_secret: Option<String>,
    pub whatsapp_verify_token: Option<String>,
    /// Mock provider: delays before its sent, delivered and read webhooks.
    pub mock_status_delays: [std::time::Duration; 3],
    pub access_token_ttl: chrono::Duration,
    pub refresh_token_ttl: chrono::Duration,
    pub log: String,
    /// The built admin app served at `/`.
    pub admin_dir: AdminDir,
    /// `SWITCHBOARD_SQLITE_WAL_LIMIT_MB` (SQLite: the write-ahead log's size past which the
    /// writer restarts it) and `SWITCHBOARD_DATABASE_POOL_SIZE` (PostgreSQL: the most
    /// connections this instance holds).
    pub store: StoreSettings,
    /// `SWITCHBOARD_LOGIN_ATTEMPTS_PER_ADDRESS`: sign-in attempts per client address and
    /// minute.
    pub login_attempts_per_address: NonZeroU32,
    /// `SWITCHBOARD_TRUSTED_PROXIES`: reverse proxies whose forwarding headers are believed.
    pub trusted_proxies: TrustedProxies,
    /// How long a request body may take to arrive.
    pub body_timeouts: BodyTimeouts,
    /// Open connections at most, across workers; lowered at start to what the process's
    /// file-descriptor limit allows.
    pub max_connections: usize,
    /// Requests one client address may have in progress at once; 0 for no cap.
    pub max_requests_per_address: usize,
}

pub const DEFAULT_MAX_CONNECTIONS: u64 = 10_000;

/// Where the built admin app is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminDir {
    /// `SWITCHBOARD_ADMIN_DIR`: it must hold a built app (an `index.html`).
    Configured(PathBuf),
    /// [`DEFAULT_ADMIN_DIR`] when it has been built; the API alone otherwise.
    Default,
}

/// Where `make run` builds the admin app, relative to the working directory.
pub const DEFAULT_ADMIN_DIR: &str = "admin/dist";

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "./data";
pub const DATABASE_FILE: &str = "switchboard.db";
pub const JWT_SECRET_FILE: &str = "jwt-secret";
pub const APP_SECRET_FILE: &str = "whatsapp-app-secret";

impl Config {
    /// Reads the process environment.
    ///
    /// # Errors
    /// The first rejected variable.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`; unset and empty variables take their defaults.
    ///
    /// # Errors
    /// The first rejected variable.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());

        let bind = match get("SWITCHBOARD_BIND") {
            None => DEFAULT_BIND
                .parse()
                .map_err(|_| bad("SWITCHBOARD_BIND", "bad default"))?,
            Some(v) => v.trim().parse().map_err(|_| {
                bad(
                    "SWITCHBOARD_BIND",
                    format!("{v:?} is not an address and port such as 127.0.0.1:8080"),
                )
            })?,
        };

        let data_dir =
            PathBuf::from(get("SWITCHBOARD_DATA_DIR").unwrap_or_else(|| DEFAULT_DATA_DIR.into()));

        let database_url = match get("SWITCHBOARD_DATABASE_URL") {
            None => DatabaseUrl::Sqlite(data_dir.join(DATABASE_FILE)),
            Some(v) => DatabaseUrl::parse(&v)
                .map_err(|e| bad("SWITCHBOARD_DATABASE_URL", e.to_string()))?,
        };

        let jwt_secret = match lookup("SWITCHBOARD_JWT_SECRET") {
            // Set but blank is a mistake, not "generate one": refuse it like any short secret.
            Some(v) => JwtSecretSource::Configured(
                JwtSecret::new(v.into_bytes())
                    .map_err(|e| bad("SWITCHBOARD_JWT_SECRET", e.to_string()))?,
            ),
            None => JwtSecretSource::DataDir,
        };

        let admin_username = get("SWITCHBOARD_ADMIN_USERNAME").unwrap_or_else(|| "admin".into());
        switchboard_domain::users::model::Username::parse(&admin_username)
            .map_err(|e| bad("SWITCHBOARD_ADMIN_USERNAME", e.message))?;

        let admin_password = lookup("SWITCHBOARD_ADMIN_PASSWORD").filter(|v| !v.is_empty());

        let whatsapp_provider = match get("SWITCHBOARD_WHATSAPP_PROVIDER")
            .as_deref()
            .map(str::trim)
        {
            None | Some("mock") => WhatsAppProvider::Mock,
            Some("cloud") => WhatsAppProvider::Cloud(cloud_api(&get)?),
            Some(other) => {
                return Err(bad(
                    "SWITCHBOARD_WHATSAPP_PROVIDER",
                    format!("{other:?} is not a provider: expected \"mock\" or \"cloud\""),
                ));
            }
        };

        let mock_status_delays = match get("SWITCHBOARD_MOCK_STATUS_DELAYS_MS") {
            None => switchboard_simulator::mock::MockSettings::DEFAULT_STATUS_DELAYS,
            Some(v) => switchboard_simulator::mock::parse_status_delays(&v)
                .map_err(|e| bad("SWITCHBOARD_MOCK_STATUS_DELAYS_MS", e))?,
        };

        let access_token_ttl = seconds(&get, "SWITCHBOARD_ACCESS_TOKEN_TTL", 900, 60, 24 * 3600)?;
        let refresh_token_ttl = seconds(
            &get,
            "SWITCHBOARD_REFRESH_TOKEN_TTL",
            30 * 24 * 3600,
            3600,
            365 * 24 * 3600,
        )?;
        if refresh_token_ttl <= access_token_ttl {
            return Err(bad(
                "SWITCHBOARD_REFRESH_TOKEN_TTL",
                "must be longer than SWITCHBOARD_ACCESS_TOKEN_TTL",
            ));
        }

        let log = get("SWITCHBOARD_LOG").unwrap_or_else(|| "info".into());
        tracing_subscriber::EnvFilter::try_new(&log).map_err(|e| {
            bad(
                "SWITCHBOARD_LOG",
                format!("{log:?} is not a log filter: {e}"),
            )
        })?;

        let wal_limit_mb = whole_number(
            &get,
            "SWITCHBOARD_SQLITE_WAL_LIMIT_MB",
            WalSettings::DEFAULT_LIMIT_BYTES >> 20,
            1..=64 * 1024,
            "megabytes",
        )?;
        let pool_size = whole_number(
            &get,
            "SWITCHBOARD_DATABASE_POOL_SIZE",
            u64::from(StoreSettings::DEFAULT_POOL_SIZE),
            // One is the writer's, the rest for reads.
            2..=1000,
            "connections",
        )?;
        let store = StoreSettings {
            wal: WalSettings {
                limit_bytes: wal_limit_mb << 20,
                ..WalSettings::default()
            },
            pool_size: u32::try_from(pool_size)
                .map_err(|_| bad("SWITCHBOARD_DATABASE_POOL_SIZE", "too large"))?,
        };

        let login_attempts_per_address = whole_number(
            &get,
            "SWITCHBOARD_LOGIN_ATTEMPTS_PER_ADDRESS",
            20,
            1..=100_000,
            "attempts per minute",
        )?;
        // Within 1..=100,000, so neither fallback is ever taken.
        let login_attempts_per_address =
            NonZeroU32::new(u32::try_from(login_attempts_per_address).unwrap_or(u32::MAX))
                .unwrap_or(NonZeroU32::MIN);
        let trusted_proxies =
            TrustedProxies::parse(&get("SWITCHBOARD_TRUSTED_PROXIES").unwrap_or_default())
                .map_err(|e| bad("SWITCHBOARD_TRUSTED_PROXIES", e.to_string()))?;

        let admin_dir = get("SWITCHBOARD_ADMIN_DIR").map_or(AdminDir::Default, |v| {
            AdminDir::Configured(PathBuf::from(v))
        });

        let body_timeouts = BodyTimeouts {
            grace: std::time::Duration::from_secs(whole_number(
                &get,
                "SWITCHBOARD_BODY_GRACE_SECS",
                BodyTimeouts::DEFAULT.grace.as_secs(),
                1..=3600,
                "seconds",
            )?),
            min_rate: whole_number(
                &get,
                "SWITCHBOARD_BODY_MIN_BYTES_PER_SEC",
                BodyTimeouts::DEFAULT.min_rate,
                1..=1 << 30,
                "bytes per second",
            )?,
            max: std::time::Duration::from_secs(whole_number(
                &get,
                "SWITCHBOARD_BODY_TIMEOUT_SECS",
                BodyTimeouts::DEFAULT.max.as_secs(),
                1..=24 * 3600,
                "seconds",
            )?),
        };
        if body_timeouts.max < body_timeouts.grace {
            return Err(bad(
                "SWITCHBOARD_BODY_TIMEOUT_SECS",
                "must be at least SWITCHBOARD_BODY_GRACE_SECS",
            ));
        }
        let max_connections = whole_number(
            &get,
            "SWITCHBOARD_MAX_CONNECTIONS",
            DEFAULT_MAX_CONNECTIONS,
            1..=1_000_000,
            "connections",
        )?;
        let max_requests_per_address = whole_number(
            &get,
            "SWITCHBOARD_MAX_REQUESTS_PER_ADDRESS",
            switchboard_http::DEFAULT_REQUESTS_PER_ADDRESS as u64,
            0..=1_000_000,
            "requests (0 for no cap)",
        )?;

        Ok(Self {
            bind,
            data_dir,
            database_url,
            jwt_secret,
            admin_username,
            admin_password,
            whatsapp_provider,
            whatsapp_app_secret: get("SWITCHBOARD_WHATSAPP_APP_SECRET"),
            whatsapp_verify_token: get("SWITCHBOARD_WHATSAPP_VERIFY_TOKEN"),
            mock_status_delays,
            access_token_ttl,
            refresh_token_ttl,
            log,
            admin_dir,
            store,
            login_attempts_per_address,
            trusted_proxies,
            body_timeouts,
            max_connections: usize::try_from(max_connections)
                .map_err(|_| bad("SWITCHBOARD_MAX_CONNECTIONS", "too large"))?,
            max_requests_per_address: usize::try_from(max_requests_per_address)
                .map_err(|_| bad("SWITCHBOARD_MAX_REQUESTS_PER_ADDRESS", "too large"))?,
        })
    }

    /// The signing key: the configured one, or the one kept in the data directory (created on
    /// first use with owner-only permissions).
    ///
    /// # Errors
    /// When the key file cannot be read or written, or holds a key that is too short.
    pub fn load_jwt_secret(&self) -> anyhow::Result<JwtSecret> {
        match &self.jwt_secret {
            JwtSecretSource::Configured(secret) => Ok(secret.clone()),
            JwtSecretSource::DataDir => {
                let path = self.data_dir.join(JWT_SECRET_FILE);
                let text = load_or_create_secret(&path)?;
                JwtSecret::new(text.into_bytes())
                    .map_err(|e| anyhow::anyhow!("{}: the stored JWT secret {e}", path.display()))
            }
        }
    }

    /// The key webhooks are signed with: `SWITCHBOARD_WHATSAPP_APP_SECRET`, or one generated
    /// once and kept in the data directory (enough for the mock, which signs its own webhooks).
    ///
    /// # Errors
    /// When the key file cannot be read or written.
    pub fn load_whatsapp_app_secret(&self) -> anyhow::Result<Vec<u8>> {
        match &self.whatsapp_app_secret {
            Some(secret) => Ok(secret.clone().into_bytes()),
            None => Ok(load_or_create_secret(&self.data_dir.join(APP_SECRET_FILE))?.into_bytes()),
        }
    }
}
