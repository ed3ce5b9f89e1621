//! Test harness: a fresh database per test (SQLite, or PostgreSQL: `crate::backend`), the real
//! wiring with fast password hashing, and helpers to call the in-process actix service.

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::test::{self, TestRequest};
use serde_json::{Value, json};
use std::num::NonZeroU32;
use std::sync::Arc;
use switchboard::wiring;
use switchboard_auth::{HashCost, JwtSecret};
use switchboard_domain::accounts::model::TokenLifetimes;
use switchboard_domain::numbers::model::{
    BusinessNumberId, E164, InboxName, MetaId, NewBusinessNumber,
};
use switchboard_domain::numbers::ports::BusinessNumberRepository;
use switchboard_domain::outbound::dispatcher::{Dispatcher, RetryPolicy};
use switchboard_domain::users::model::{DisplayName, NewUser, Password, Role, UserId, Username};
use switchboard_http::{AppState, TrustedProxies};
use switchboard_store::Store;

pub const PASSWORD: &str = "correct horse battery";
pub const APP_SECRET: &[u8] = b"test-meta-app-secret";
pub const VERIFY_TOKEN: &str = "test-verify-token";

/// A real server on a free loopback port, serving `data_dir` in the background.
pub struct Spawned {
    pub base: String,
    /// What the first-run bootstrap did on this start.
    pub report: switchboard::bootstrap::BootstrapReport,
    /// Begins its shutdown, as SIGTERM does.
    pub shutdown: switchboard::shutdown::Shutdown,
}

/// Starts the real application on `data_dir` (fast password hashing) inside the current actix
/// system. `admin_password` is `SWITCHBOARD_ADMIN_PASSWORD`.
pub async fn spawn_server(data_dir: &std::path::Path, admin_password: Option<&str>) -> Spawned {
    spawn_server_with(data_dir, admin_password, &[]).await
}

/// Signs in to a spawned server over HTTP and returns the access token.
pub async fn sign_in_over_http(
    http: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
) -> String {
    let reply: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no access token in {reply}"))
        .to_owned()
}

/// As [`spawn_server`], with more configuration variables.
pub async fn spawn_server_with(
    data_dir: &std::path::Path,
    admin_password: Option<&str>,
    extra: &[(&str, &str)],
) -> Spawned {
    let data_dir = data_dir.to_str().unwrap().to_owned();
    let admin_password = admin_password.map(str::to_owned);
    let extra: std::collections::HashMap<String, String> = extra
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    // On PostgreSQL, the database that belongs to this data directory (kept for a restart).
    let database_url = match crate::backend::for_data_dir(std::path::Path::new(&data_dir)) {
        crate::backend::TestDatabaseUrl {
            database: Some(database),
            ..
        } => Some(database.url().to_owned()),
        _ => None,
    };
    let config = switchboard::Config::from_lookup(|name| {
        extra.get(name).cloned().or_else(|| match name {
            "SWITCHBOARD_BIND" => Some("127.0.0.1:0".to_owned()),
            "SWITCHBOARD_DATA_DIR" => Some(data_dir.clone()),
            "SWITCHBOARD_DATABASE_URL" => database_url.clone(),
            "SWITCHBOARD_ADMIN_PASSWORD" => admin_password.clone(),
            _ => None,
        })
    })
    .unwrap();
    let mut app = switchboard::Application::build_with_cost(config, HashCost::InsecureFastForTests)
        .await
        .unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let report = app.take_bootstrap_report();
    let shutdown = app.shutdown();
    actix_web::rt::spawn(app.run_until_stopped());
    Spawned {
        base,
        report,
        shutdown,
    }
}

/// The scripted WhatsApp gateway every in-process test app is wired with (its uploads are
/// `switchboard_test_support::Upload`).
pub use switchboard_test_support::ScriptedGateway;

pub struct TestApp {
    pub state: AppState,
    pub store: Store,
    pub gateway: Arc<ScriptedGateway>,
    pub dispatcher: Dispatcher,
    pub media_fetcher: switchboard_domain::media::fetcher::MediaFetcher,
    _dir: tempfile::TempDir,
    /// The PostgreSQL database, when the suite runs on one: dropped last.
    _database: Option<Arc<switchboard_test_support::TestDatabase>>,
}

impl TestApp {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database = crate::backend::fresh(dir.path());
        let store = Store::open(&database.url).unwrap();
        store.migrate().unwrap();
        Self::on(store, dir, database.database)
    }

    /// Another "process" on the same database (same store, fresh wiring).
    pub fn restart(self) -> Self {
        Self::on(self.store, self._dir, self._database)
    }

    fn on(
        store: Store,
        dir: tempfile::TempDir,
        database: Option<Arc<switchboard_test_support::TestDatabase>>,
    ) -> Self {
        let gateway = Arc::new(ScriptedGateway::default());
        let media_store = Arc::new(switchboard_store::FsMediaStore::new(
            dir.path().join("media"),
        ));
        let wired = wiring::wire(
            &store,
            media_store,
            &wiring::Settings {
                jwt_secret: JwtSecret::new(vec![42u8; 32]).unwrap(),
                lifetimes: TokenLifetimes::default(),
                hash_cost: HashCost::InsecureFastForTests,
                whatsapp_app_secret: APP_SECRET.to_vec(),
                whatsapp_verify_token: Some(VERIFY_TOKEN.to_owned()),
                // Retries come due at once, so tests need not wait.
                retry: RetryPolicy {
                    base: chrono::Duration::zero(),
                    max: chrono::Duration::zero(),
                    max_attempts: 3,
                },
                admin_dir: None,
                login_attempts_per_address: NonZeroU32::new(20).unwrap(),
                trusted_proxies: TrustedProxies::default(),
            },
            gateway.clone(),
            None,
        );
        Self {
            state: wired.state,
            store,
            gateway,
            dispatcher: wired.dispatcher,
            media_fetcher: wired.media,
            _dir: dir,
            _database: database,
        }
    }

    /// One media-download pass, as the background worker would run it.
    pub async fn fetch_media(&self) -> switchboard_domain::media::fetcher::MediaReport {
        self.media_fetcher.run_once(100).await.unwrap()
    }

    /// One dispatcher pass, as the background worker would run it.
    pub async fn dispatch(&self) -> switchboard_domain::outbound::dispatcher::DispatchReport {
        self.dispatcher.run_once(100).await.unwrap()
    }

    /// Creates a user with [`PASSWORD`].
    pub async fn user(&self, username: &str, role: Role) -> UserId {
        self.state
            .users
            .create_unchecked(NewUser {
                username: Username::parse(username).unwrap(),
                display_name: DisplayName::parse(username).unwrap(),
                role,
                password: Password::parse("password", PASSWORD).unwrap(),
            })
            .await
            .unwrap()
            .id
    }

    pub async fn number(&self, name: &str, phone: &str, phone_number_id: &str) -> BusinessNumberId {
        self.store
            .create_number(
                NewBusinessNumber {
                    name: InboxName::parse(name).unwrap(),
                    display_phone_number: E164::parse("p", phone).unwrap(),
                    phone_number_id: MetaId::parse("p", phone_number_id).unwrap(),
                    waba_id: None,
                },
                chrono::Utc::now(),
            )
            .await
            .unwrap()
            .id
    }

    pub async fn member(&self, number: BusinessNumberId, user: UserId) {
        self.store
            .add_member(number, user, chrono::Utc::now())
            .await
            .unwrap();
    }

    pub async fn service(
        &self,
    ) -> impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    > {
        test::init_service(switchboard_http::app(self.state.clone())).await
    }
}

/// A response as tests look at it.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The `error.code` of an error body.
    pub fn code(&self) -> &str {
        self.body["error"]["code"]
            .as_str()
            .unwrap_or("<no error code>")
    }

    /// Asserts the standard error shape and returns the code.
    pub fn error(&self, status: u16) -> &str {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert!(
            self.headers
                .get("content-type")
                .is_some_and(|v| v.to_str().unwrap().starts_with("application/json")),
            "error responses are JSON: {:?}",
            self.headers
        );
        assert!(self.body["error"]["message"].is_string(), "{}", self.body);
        self.code()
    }
}

pub async fn send<S, B>(app: &S, req: TestRequest) -> Reply
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let response = test::call_service(app, req.to_request()).await;
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = test::read_body(response).await;
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Reply {
        status,
        headers,
        body,
    }
}

pub fn get(path: &str, token: &str) -> TestRequest {
    TestRequest::get()
        .uri(path)
        .insert_header(("authorization", format!("Bearer {token}")))
}

pub fn post(path: &str, token: &str, body: Value) -> TestRequest {
    TestRequest::post()
        .uri(path)
        .insert_header(("authorization", format!("Bearer {token}")))
        .set_json(body)
}

pub fn patch(path: &str, token: &str, body: Value) -> TestRequest {
    TestRequest::patch()
        .uri(path)
        .insert_header(("authorization", format!("Bearer {token}")))
        .set_json(body)
}

pub async fn login_reply<S, B>(app: &S, username: &str, password: &str) -> Reply
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    send(
        app,
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .set_json(json!({"username": username, "password": password})),
    )
    .await
}

/// Signs in with [`PASSWORD`]; returns (access token, refresh token).
pub async fn login<S, B>(app: &S, username: &str) -> (String, String)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let reply = login_reply(app, username, PASSWORD).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "login of {username}: {}",
        reply.body
    );
    (
        reply.body["access_token"].as_str().unwrap().to_owned(),
        reply.body["refresh_token"].as_str().unwrap().to_owned(),
    )
}
