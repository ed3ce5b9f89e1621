//! Configuration from `SWITCHBOARD_*` environment variables (and `.env`, loaded by `main`).
//!
//! Parsed from a look-up function rather than the process environment, so tests exercise
//! every rule without touching global state. A bad value is reported as one line naming the
//! variable.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};

use switchboard_auth::JwtSecret;
use switchboard_http::{BodyTimeouts, TrustedProxies};
use switchboard_store::{DatabaseUrl, WalSettings};

/// Which WhatsApp Cloud API client sends messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhatsAppProvider {
    /// The in-process mock: answers like the Cloud API, sends nothing anywhere.
    Mock,
    /// Meta's WhatsApp Cloud API (or anything speaking it, such as the simulator).
    Cloud(CloudApi),
}

/// How to reach the Cloud API.
#[derive(Clone, PartialEq, Eq)]
pub struct CloudApi {
    pub base_url: String,
    pub api_version: String,
    pub access_token: String,
}

impl std::fmt::Debug for CloudApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudApi")
            .field("base_url", &self.base_url)
            .field("api_version", &self.api_version)
            .field("access_token", &"**redacted**")
            .finish()
    }
}

pub const DEFAULT_API_BASE_URL: &str = "https://graph.facebook.com";
pub const DEFAULT_API_VERSION: &str = "v23.0";

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
    /// `SWITCHBOARD_SQLITE_WAL_LIMIT_MB`: the write-ahead log's size past which the writer
    /// restarts it.
    pub wal: WalSettings,
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
        let wal = WalSettings {
            limit_bytes: wal_limit_mb << 20,
            ..WalSettings::default()
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
            wal,
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

/// The Cloud API settings, all required in `cloud` mode: a forgotten secret would otherwise
/// only show as every webhook refused.
fn cloud_api(get: &impl Fn(&str) -> Option<String>) -> Result<CloudApi, ConfigError> {
    let required = |var: &'static str| {
        get(var).ok_or_else(|| {
            bad(
                var,
                "is required with SWITCHBOARD_WHATSAPP_PROVIDER=cloud (see the README, Going live)",
            )
        })
    };
    let access_token = required("SWITCHBOARD_WHATSAPP_ACCESS_TOKEN")?;
    required("SWITCHBOARD_WHATSAPP_APP_SECRET")?;
    required("SWITCHBOARD_WHATSAPP_VERIFY_TOKEN")?;
    let base_url = get("SWITCHBOARD_WHATSAPP_API_BASE_URL")
        .unwrap_or_else(|| DEFAULT_API_BASE_URL.to_owned())
        .trim()
        .trim_end_matches('/')
        .to_owned();
    let host = base_url
        .strip_prefix("https://")
        .or_else(|| base_url.strip_prefix("http://"))
        .unwrap_or_default();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(bad(
            "SWITCHBOARD_WHATSAPP_API_BASE_URL",
            format!("{base_url:?} is not an http(s) URL such as https://graph.facebook.com"),
        ));
    }
    let api_version = get("SWITCHBOARD_WHATSAPP_API_VERSION")
        .unwrap_or_else(|| DEFAULT_API_VERSION.to_owned())
        .trim()
        .to_owned();
    let valid_version = api_version.strip_prefix('v').is_some_and(|rest| {
        rest.split_once('.').is_some_and(|(major, minor)| {
            !major.is_empty()
                && !minor.is_empty()
                && major
                    .bytes()
                    .chain(minor.bytes())
                    .all(|b| b.is_ascii_digit())
        })
    });
    if !valid_version {
        return Err(bad(
            "SWITCHBOARD_WHATSAPP_API_VERSION",
            format!("{api_version:?} is not a Graph API version such as v23.0"),
        ));
    }
    Ok(CloudApi {
        base_url,
        api_version,
        access_token,
    })
}

fn seconds(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: u32,
    min: u32,
    max: u32,
) -> Result<chrono::Duration, ConfigError> {
    whole_number(get, var, default.into(), min.into()..=max.into(), "seconds")
        .map(|secs| chrono::Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX)))
}

/// A whole number of `unit`s within `range`, or `default` when unset.
fn whole_number(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
    unit: &str,
) -> Result<u64, ConfigError> {
    let Some(raw) = get(var) else {
        return Ok(default);
    };
    let value: u64 = raw
        .trim()
        .parse()
        .map_err(|_| bad(var, format!("{raw:?} is not a whole number of {unit}")))?;
    if !range.contains(&value) {
        return Err(bad(
            var,
            format!(
                "must be between {} and {} {unit} (got {value})",
                range.start(),
                range.end()
            ),
        ));
    }
    Ok(value)
}

/// Reads a generated secret (64 hex characters), creating it with owner-only permissions on
/// first use.
fn load_or_create_secret(path: &Path) -> anyhow::Result<String> {
    use anyhow::Context as _;
    use std::io::Write as _;

    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text.trim().to_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret = switchboard_auth::random_hex(32);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            file.write_all(secret.as_bytes())
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write {}", path.display()))?;
            tracing::info!(path = %path.display(), "generated a secret");
            Ok(secret)
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_are_safe_and_local() {
        let c = config(&[]).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(
            c.database_url,
            DatabaseUrl::Sqlite(PathBuf::from("./data/switchboard.db"))
        );
        assert!(matches!(c.jwt_secret, JwtSecretSource::DataDir));
        assert_eq!(c.admin_username, "admin");
        assert_eq!(c.admin_password, None);
        assert_eq!(c.whatsapp_provider, WhatsAppProvider::Mock);
        assert_eq!(c.access_token_ttl, chrono::Duration::minutes(15));
        assert_eq!(c.refresh_token_ttl, chrono::Duration::days(30));
        assert_eq!(c.admin_dir, AdminDir::Default);
        assert_eq!(c.wal.limit_bytes, 64 * 1024 * 1024);
        assert_eq!(c.login_attempts_per_address.get(), 20);
        assert_eq!(c.trusted_proxies, TrustedProxies::default());
        assert_eq!(c.body_timeouts, BodyTimeouts::DEFAULT);
        assert_eq!(c.max_connections, 10_000);
        assert_eq!(c.max_requests_per_address, 256);
    }

    #[test]
    fn body_timeouts_and_connection_caps_are_read_and_zero_lifts_the_address_cap() {
        let c = config(&[
            ("SWITCHBOARD_BODY_GRACE_SECS", "2"),
            ("SWITCHBOARD_BODY_MIN_BYTES_PER_SEC", "500"),
            ("SWITCHBOARD_BODY_TIMEOUT_SECS", "60"),
            ("SWITCHBOARD_MAX_CONNECTIONS", "300"),
            ("SWITCHBOARD_MAX_REQUESTS_PER_ADDRESS", "0"),
        ])
        .unwrap();
        assert_eq!(
            c.body_timeouts,
            BodyTimeouts {
                grace: std::time::Duration::from_secs(2),
                min_rate: 500,
                max: std::time::Duration::from_secs(60),
            }
        );
        assert_eq!((c.max_connections, c.max_requests_per_address), (300, 0));
        let error = config(&[
            ("SWITCHBOARD_BODY_GRACE_SECS", "30"),
            ("SWITCHBOARD_BODY_TIMEOUT_SECS", "20"),
        ])
        .unwrap_err();
        assert_eq!(error.var, "SWITCHBOARD_BODY_TIMEOUT_SECS");
    }

    #[test]
    fn the_database_defaults_into_the_data_dir() {
        let c = config(&[("SWITCHBOARD_DATA_DIR", "/srv/sb")]).unwrap();
        assert_eq!(
            c.database_url,
            DatabaseUrl::Sqlite(PathBuf::from("/srv/sb/switchboard.db"))
        );
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        for (var, value) in [
            ("SWITCHBOARD_BIND", "localhost"),
            ("SWITCHBOARD_DATABASE_URL", "mysql://x"),
            ("SWITCHBOARD_JWT_SECRET", "too-short"),
            ("SWITCHBOARD_JWT_SECRET", ""),
            ("SWITCHBOARD_ADMIN_USERNAME", "no spaces allowed"),
            ("SWITCHBOARD_WHATSAPP_PROVIDER", "twilio"),
            ("SWITCHBOARD_ACCESS_TOKEN_TTL", "15m"),
            ("SWITCHBOARD_ACCESS_TOKEN_TTL", "5"),
            ("SWITCHBOARD_REFRESH_TOKEN_TTL", "-1"),
            ("SWITCHBOARD_LOG", "info,[bad"),
            ("SWITCHBOARD_MOCK_STATUS_DELAYS_MS", "1,2"),
            ("SWITCHBOARD_SQLITE_WAL_LIMIT_MB", "0"),
            ("SWITCHBOARD_SQLITE_WAL_LIMIT_MB", "64MB"),
            ("SWITCHBOARD_LOGIN_ATTEMPTS_PER_ADDRESS", "0"),
            ("SWITCHBOARD_TRUSTED_PROXIES", "10.0.0.0/33"),
            ("SWITCHBOARD_BODY_GRACE_SECS", "0"),
            ("SWITCHBOARD_BODY_MIN_BYTES_PER_SEC", "0"),
            ("SWITCHBOARD_BODY_TIMEOUT_SECS", "15m"),
            ("SWITCHBOARD_MAX_CONNECTIONS", "0"),
            ("SWITCHBOARD_MAX_REQUESTS_PER_ADDRESS", "-1"),
        ] {
            let error = config(&[(var, value)]).unwrap_err();
            assert_eq!(error.var, var, "{value:?} for {var}");
            assert!(error.to_string().starts_with(var));
            assert!(!error.to_string().contains('\n'));
        }
    }

    #[test]
    fn cloud_mode_needs_its_token_secret_and_verify_token() {
        let full = [
            ("SWITCHBOARD_WHATSAPP_PROVIDER", "cloud"),
            ("SWITCHBOARD_WHATSAPP_ACCESS_TOKEN", "EAAG-token"),
            ("SWITCHBOARD_WHATSAPP_APP_SECRET", "app-secret"),
            ("SWITCHBOARD_WHATSAPP_VERIFY_TOKEN", "verify"),
        ];
        let c = config(&full).unwrap();
        let WhatsAppProvider::Cloud(api) = c.whatsapp_provider else {
            panic!("cloud mode expected");
        };
        assert_eq!(api.base_url, "https://graph.facebook.com");
        assert_eq!(api.api_version, "v23.0");
        assert!(
            !format!("{api:?}").contains("EAAG"),
            "the token is never printed"
        );
        for missing in 1..full.len() {
            let mut vars = full.to_vec();
            let (var, _) = vars.remove(missing);
            assert_eq!(config(&vars).unwrap_err().var, var);
        }
        let mut bad_url = full.to_vec();
        bad_url.push(("SWITCHBOARD_WHATSAPP_API_BASE_URL", "graph.facebook.com"));
        assert_eq!(
            config(&bad_url).unwrap_err().var,
            "SWITCHBOARD_WHATSAPP_API_BASE_URL"
        );
        let mut bad_version = full.to_vec();
        bad_version.push(("SWITCHBOARD_WHATSAPP_API_VERSION", "23"));
        assert_eq!(
            config(&bad_version).unwrap_err().var,
            "SWITCHBOARD_WHATSAPP_API_VERSION"
        );
    }

    #[test]
    fn a_long_enough_jwt_secret_is_used() {
        let c = config(&[("SWITCHBOARD_JWT_SECRET", &"k".repeat(32))]).unwrap();
        assert!(matches!(c.jwt_secret, JwtSecretSource::Configured(_)));
    }

    #[test]
    fn refresh_tokens_must_outlive_access_tokens() {
        let error = config(&[
            ("SWITCHBOARD_ACCESS_TOKEN_TTL", "7200"),
            ("SWITCHBOARD_REFRESH_TOKEN_TTL", "3600"),
        ])
        .unwrap_err();
        assert_eq!(error.var, "SWITCHBOARD_REFRESH_TOKEN_TTL");
    }

    #[test]
    fn the_generated_jwt_secret_is_kept_across_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(JWT_SECRET_FILE);
        let config = config(&[("SWITCHBOARD_DATA_DIR", dir.path().to_str().unwrap())]).unwrap();
        let first = config.load_jwt_secret().unwrap();
        let second = config.load_jwt_secret().unwrap();
        // A token signed before the "restart" verifies after it.
        use switchboard_domain::accounts::ports::AccessTokenCodec as _;
        let ttl = chrono::Duration::minutes(1);
        let token = switchboard_auth::JwtCodec::new(&first, ttl)
            .issue(
                switchboard_domain::users::model::UserId(1),
                &switchboard_domain::accounts::model::SessionId("s".into()),
                chrono::Utc::now(),
            )
            .unwrap();
        assert!(
            switchboard_auth::JwtCodec::new(&second, ttl)
                .verify(&token.token)
                .is_some()
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap().len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn the_webhook_app_secret_is_configured_or_generated_once() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().to_str().unwrap();
        let configured = config(&[
            ("SWITCHBOARD_DATA_DIR", data_dir),
            ("SWITCHBOARD_WHATSAPP_APP_SECRET", "meta-app-secret"),
        ])
        .unwrap();
        assert_eq!(
            configured.load_whatsapp_app_secret().unwrap(),
            b"meta-app-secret"
        );
        assert!(!dir.path().join(APP_SECRET_FILE).exists());

        let generated = config(&[("SWITCHBOARD_DATA_DIR", data_dir)]).unwrap();
        let first = generated.load_whatsapp_app_secret().unwrap();
        assert_eq!(first.len(), 64);
        assert_eq!(generated.load_whatsapp_app_secret().unwrap(), first);
    }
}
