//! One request shape for both ways of reaching the application (the in-process service and a
//! spawned server), and the calls anyone can make without signing in.

use reqwest::Method;
use serde::Serialize;
use serde_json::{Value, json};
use switchboard_http::dto::{TokenResponse, WebhookReceipt};
use switchboard_whatsapp::signature::signature_header;

use super::client::Client;
use super::reply::Reply;
use super::seed::SeededUser;
use super::webhook::envelope;
use crate::common::{APP_SECRET, PASSWORD};

/// A request before it is sent: built by the typed helpers, or by a test for the odd case.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: Method,
    pub path: String,
    pub token: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl ApiRequest {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            token: None,
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn bearer(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// A JSON body, with its content type.
    pub fn json(self, body: &impl Serialize) -> Self {
        let bytes = serde_json::to_vec(body).unwrap();
        self.header("content-type", "application/json").bytes(bytes)
    }

    /// A body sent exactly as given (set the content type with [`Self::header`]).
    pub fn bytes(mut self, body: Vec<u8>) -> Self {
        self.body = Some(body);
        self
    }
}

/// What carries requests to the application. The typed helpers are written once against it.
#[allow(async_fn_in_trait)] // tests run on one thread: no `Send` bound is needed
pub trait Transport {
    async fn call(&self, request: ApiRequest) -> Reply<Value>;

    /// The API as `user` sees it, with the token of the session opened at build time.
    fn as_(&self, user: &SeededUser) -> Client<'_, Self> {
        Client::new(self, &user.token)
    }

    /// The API as the holder of `access_token` sees it.
    fn with_token(&self, access_token: &str) -> Client<'_, Self> {
        Client::new(self, access_token)
    }

    /// Sends a request and reads the answer as `T`.
    async fn call_as<T>(&self, request: ApiRequest) -> Reply<T> {
        self.call(request).await.cast()
    }

    async fn sign_in(&self, username: &str, password: &str) -> Reply<TokenResponse> {
        let body = json!({"username": username, "password": password});
        self.call_as(ApiRequest::new(Method::POST, "/api/v1/auth/login").json(&body))
            .await
    }

    /// Signs in with [`PASSWORD`], asserting success.
    async fn sign_in_ok(&self, username: &str) -> TokenResponse {
        self.sign_in(username, PASSWORD).await.expect(200)
    }

    async fn refresh(&self, refresh_token: &str) -> Reply<TokenResponse> {
        let body = json!({"refresh_token": refresh_token});
        self.call_as(ApiRequest::new(Method::POST, "/api/v1/auth/refresh").json(&body))
            .await
    }

    async fn logout(&self, refresh_token: &str) -> Reply<()> {
        let body = json!({"refresh_token": refresh_token});
        self.call_as(ApiRequest::new(Method::POST, "/api/v1/auth/logout").json(&body))
            .await
    }

    /// A webhook delivery signed with [`APP_SECRET`], as Meta would post it.
    async fn deliver(&self, body: &[u8]) -> Reply<WebhookReceipt> {
        let request = ApiRequest::new(Method::POST, "/webhooks/whatsapp")
            .header("content-type", "application/json")
            .header("x-hub-signature-256", &signature_header(APP_SECRET, body))
            .bytes(body.to_vec());
        self.call_as(request).await
    }

    /// Delivers customers' `messages` and `statuses` to the business number `phone_number_id`.
    async fn deliver_to(
        &self,
        phone_number_id: &str,
        messages: Value,
        statuses: Value,
    ) -> Reply<WebhookReceipt> {
        let body = envelope(phone_number_id, messages, statuses);
        self.deliver(&serde_json::to_vec(&body).unwrap()).await
    }
}
