//! The application's actix service called in-process, behind [`Transport`].

use std::ops::Deref;
use std::rc::Rc;

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::test::{self, TestRequest};
use futures_util::future::LocalBoxFuture;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use switchboard_domain::users::model::Role;

use super::builder::TestAppBuilder;
use super::reply::Reply;
use super::seed::{NumberSpec, Seeded, SeededNumber, SeededUser};
use super::transport::{ApiRequest, Transport};
use crate::common::TestApp;

/// The service with its type erased, so that it can live beside the app it serves.
type Call = Box<dyn Fn(actix_http::Request) -> LocalBoxFuture<'static, ServiceResponse<BoxBody>>>;

/// A seeded [`TestApp`] and its service. It derefs to the `TestApp` for the store, the
/// scripted gateway and the background passes.
pub struct InProcess {
    app: TestApp,
    call: Call,
    pub seeded: Seeded,
}

async fn service_of(app: &TestApp) -> Call {
    let service = Rc::new(test::init_service(switchboard_http::app(app.state.clone())).await);
    Box::new(move |request| {
        let service = Rc::clone(&service);
        Box::pin(async move {
            test::call_service(&*service, request)
                .await
                .map_into_boxed_body()
        })
    })
}

impl InProcess {
    pub(super) async fn seed(spec: TestAppBuilder) -> Self {
        let app = TestApp::new();
        let mut seeded = Seeded::default();
        for number in spec.numbers {
            let id = app
                .number(number.name, number.phone, number.phone_number_id)
                .await;
            seeded.numbers.push(SeededNumber {
                id: id.0,
                spec: number,
            });
        }
        let call = service_of(&app).await;
        let mut built = Self { app, call, seeded };
        for user in spec.users {
            let seeded = built.seed_user(&user.username, user.role).await;
            for number in user.member_of {
                built.add_member(number, &seeded).await;
            }
            built.seeded.users.push(seeded);
        }
        built
    }

    /// Creates and signs in a user after the build (e.g. one more each round of a test).
    pub async fn seed_user(&self, username: &str, role: Role) -> SeededUser {
        let id = self.app.user(username, role).await;
        let tokens = self.sign_in_ok(username).await;
        SeededUser {
            id: id.0,
            username: username.to_owned(),
            role,
            token: tokens.access_token,
            refresh_token: tokens.refresh_token,
        }
    }

    /// Makes `user` a member of the seeded `number`, behind the API's back.
    pub async fn add_member(&self, number: NumberSpec, user: &SeededUser) {
        let number = self.seeded.number(number).number_id();
        self.app.member(number, user.user_id()).await;
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

    /// Sends a hand-built request, for the malformed input the typed helpers cannot express.
    pub async fn send(&self, request: TestRequest) -> Reply<Value> {
        let response = (self.call)(request.to_request()).await;
        let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
        let mut headers = HeaderMap::new();
        for (name, value) in response.headers() {
            headers.append(
                HeaderName::from_bytes(name.as_str().as_bytes()).unwrap(),
                HeaderValue::from_bytes(value.as_bytes()).unwrap(),
            );
        }
        let bytes = test::read_body(response).await.to_vec();
        Reply::new(status, headers, bytes)
    }

    /// Another "process" on the same database: fresh wiring, the same seeded handles (their
    /// sessions live in the database, so their tokens still work).
    pub async fn restart(self) -> Self {
        drop(self.call);
        let app = self.app.restart();
        let call = service_of(&app).await;
        Self {
            app,
            call,
            seeded: self.seeded,
        }
    }
}

impl Deref for InProcess {
    type Target = TestApp;

    fn deref(&self) -> &TestApp {
        &self.app
    }
}

impl Transport for InProcess {
    async fn call(&self, request: ApiRequest) -> Reply<Value> {
        let method = actix_web::http::Method::from_bytes(request.method.as_str().as_bytes());
        let mut test_request = TestRequest::default()
            .method(method.unwrap())
            .uri(&request.path);
        if let Some(token) = &request.token {
            test_request = test_request.insert_header(("authorization", format!("Bearer {token}")));
        }
        for (name, value) in request.headers {
            test_request = test_request.insert_header((name, value));
        }
        if let Some(body) = request.body {
            test_request = test_request.set_payload(body);
        }
        self.send(test_request).await
    }
}
