//! The real server on a free loopback port, driven over HTTP with reqwest, behind
//! [`Transport`]: the same typed helpers as in-process.

use reqwest::Method;
use serde_json::{Value, json};
use switchboard_http::dto::{BusinessNumberDto, UserDto};

use super::builder::TestAppBuilder;
use super::reply::Reply;
use super::seed::{NumberSpec, Seeded, SeededNumber, SeededUser};
use super::transport::{ApiRequest, Transport};
use crate::common::{APP_SECRET, PASSWORD, spawn_server_with};

/// The username of the admin the first run creates.
pub const FIRST_ADMIN: &str = "admin";

/// A running server seeded over its own API.
pub struct Server {
    pub base: String,
    pub http: reqwest::Client,
    pub seeded: Seeded,
    /// What the first-run bootstrap did.
    pub report: switchboard::bootstrap::BootstrapReport,
    _dir: tempfile::TempDir,
}

impl Server {
    pub(super) async fn seed(spec: TestAppBuilder) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let secret = std::str::from_utf8(APP_SECRET).unwrap();
        // The first admin gets PASSWORD; webhooks are signed with the tests' APP_SECRET.
        let spawned = spawn_server_with(
            dir.path(),
            Some(PASSWORD),
            &[("SWITCHBOARD_WHATSAPP_APP_SECRET", secret)],
        )
        .await;
        let mut server = Self {
            base: spawned.base,
            http: reqwest::Client::new(),
            seeded: Seeded::default(),
            report: spawned.report,
            _dir: dir,
        };
        let first = server.signed_in(FIRST_ADMIN, 0).await;
        server.seeded.users.push(first.clone());
        let admin = server.as_(&first);
        let mut numbers = Vec::new();
        for number in spec.numbers {
            let body = json!({"name": number.name, "display_phone_number": number.phone,
                "phone_number_id": number.phone_number_id});
            let created: BusinessNumberDto = admin.create_number(&body).await.expect(201);
            numbers.push(SeededNumber {
                id: created.id,
                spec: number,
            });
        }
        let numbers = Seeded {
            users: Vec::new(),
            numbers,
        };
        let mut users = Vec::new();
        for user in spec.users {
            let role = match user.role {
                switchboard_domain::users::model::Role::Admin => "admin",
                switchboard_domain::users::model::Role::Agent => "agent",
                switchboard_domain::users::model::Role::Viewer => "viewer",
            };
            let body = json!({"username": user.username, "password": PASSWORD, "role": role});
            let created: UserDto = admin.create_user(&body).await.expect(201);
            for number in &user.member_of {
                let number = numbers.number(*number).id;
                admin.add_member(number, created.id).await.expect(201);
            }
            let mut seeded = server.signed_in(&user.username, created.id).await;
            seeded.role = user.role;
            users.push(seeded);
        }
        server.seeded.numbers = numbers.numbers;
        server.seeded.users.extend(users);
        server
    }

    async fn signed_in(&self, username: &str, id: i64) -> SeededUser {
        let tokens = self.sign_in_ok(username).await;
        SeededUser {
            id: if id == 0 { tokens.user.id } else { id },
            username: username.to_owned(),
            role: switchboard_domain::users::model::Role::Admin,
            token: tokens.access_token,
            refresh_token: tokens.refresh_token,
        }
    }

    pub fn user(&self, username: &str) -> &SeededUser {
        self.seeded.user(username)
    }

    pub fn admin(&self) -> &SeededUser {
        self.seeded.admin()
    }

    pub fn number(&self, spec: NumberSpec) -> &SeededNumber {
        self.seeded.number(spec)
    }
}

impl Transport for Server {
    async fn call(&self, request: ApiRequest) -> Reply<Value> {
        let url = format!("{}{}", self.base, request.path);
        let method = Method::from_bytes(request.method.as_str().as_bytes()).unwrap();
        let mut builder = self.http.request(method, url);
        if let Some(token) = &request.token {
            builder = builder.bearer_auth(token);
        }
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let response = builder.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap().to_vec();
        Reply::new(status, headers, bytes)
    }
}
