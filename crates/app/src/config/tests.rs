//! Every rule of [`super::Config::from_lookup`], from a map of variables.

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
    assert_eq!(c.store.wal.limit_bytes, 64 * 1024 * 1024);
    assert_eq!(c.store.pool_size, 16);
    assert_eq!(c.login_attempts_per_address.get(), 20);
    assert_eq!(c.trusted_proxies, TrustedProxies::default());
    assert_eq!(c.body_timeouts, BodyTimeouts::DEFAULT);
    assert_eq!(c.max_connections, 10_000);
    assert_eq!(c.max_requests_per_address, 256);
}

#[test]
fn a_postgres_url_selects_postgres_with_its_pool_size() {
    let c = config(&[
        (
            "SWITCHBOARD_DATABASE_URL",
            "postgres://sb:secret@db.internal/switchboard",
        ),
        ("SWITCHBOARD_DATABASE_POOL_SIZE", "40"),
    ])
    .unwrap();
    assert!(matches!(c.database_url, DatabaseUrl::Postgres(_)));
    assert_eq!(c.store.pool_size, 40);
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
        ("SWITCHBOARD_DATABASE_POOL_SIZE", "1"),
        ("SWITCHBOARD_DATABASE_POOL_SIZE", "many"),
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
