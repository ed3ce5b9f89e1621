//! A response as the typed helpers hand it back: status, headers and the body, read as the
//! DTO the operation documents.

use std::marker::PhantomData;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use serde_json::Value;
use switchboard_http::{ErrorBody, ErrorCode};

/// A response whose success body is a `T`.
pub struct Reply<T> {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body as it came off the wire.
    pub bytes: Vec<u8>,
    body: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Reply<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.text())
    }
}

impl<T> Reply<T> {
    pub fn new(status: StatusCode, headers: HeaderMap, bytes: Vec<u8>) -> Self {
        Self {
            status,
            headers,
            bytes,
            body: PhantomData,
        }
    }

    /// The same response, read as another type (for a route whose answer depends on the call).
    pub fn cast<U>(self) -> Reply<U> {
        Reply::new(self.status, self.headers, self.bytes)
    }

    /// The body as text, for failure messages.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    /// The body as untyped JSON (`null` when empty, a string when it is not JSON): for the few
    /// fields whose type the test does not pin, and for bodies that are not the documented one.
    pub fn raw(&self) -> Value {
        if self.bytes.is_empty() {
            return Value::Null;
        }
        serde_json::from_slice(&self.bytes).unwrap_or_else(|_| Value::String(self.text()))
    }

    /// The header's value as text; panics when it is missing.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header in {self:?}: {:?}", self.headers))
            .to_str()
            .unwrap()
    }

    /// The standard error body. Panics unless the status is an error, the body is JSON (by
    /// its content type) and of the `ErrorBody` shape.
    pub fn error(&self) -> ErrorBody {
        assert!(
            self.status.is_client_error() || self.status.is_server_error(),
            "expected an error, got {self:?}"
        );
        let content_type = self
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            content_type.starts_with("application/json"),
            "error responses are JSON, this one is {content_type:?}: {self:?}"
        );
        let body =
            error_body(&self.bytes).unwrap_or_else(|e| panic!("not an error body ({e}): {self:?}"));
        assert!(!body.error.message.is_empty(), "an empty message: {self:?}");
        body
    }

    /// Asserts the status and the error shape; returns the code.
    pub fn error_code(&self, status: u16) -> ErrorCode {
        assert_eq!(self.status.as_u16(), status, "{self:?}");
        self.error().error.code
    }

    /// The code of an error reply, or `None` for a success: for tests that accept one of
    /// several outcomes.
    pub fn code(&self) -> Option<ErrorCode> {
        (self.status.is_client_error() || self.status.is_server_error())
            .then(|| error_body(&self.bytes).ok())
            .flatten()
            .map(|body| body.error.code)
    }
}

fn error_body(bytes: &[u8]) -> serde_json::Result<ErrorBody> {
    serde_json::from_slice(bytes)
}

impl<T: DeserializeOwned> Reply<T> {
    /// The body as a `T`, whatever the status; panics with the raw body when it is not one.
    /// An empty body reads as `null`, so a `204` is a `Reply<()>`.
    pub fn json(&self) -> T {
        let bytes: &[u8] = if self.bytes.is_empty() {
            b"null"
        } else {
            &self.bytes
        };
        serde_json::from_slice(bytes).unwrap_or_else(|e| {
            panic!(
                "the body is not a {} ({e}): {self:?}",
                std::any::type_name::<T>()
            )
        })
    }

    /// The body of a success (any 2xx); panics with the status and raw body otherwise.
    pub fn ok(&self) -> T {
        assert!(self.status.is_success(), "expected a success, got {self:?}");
        self.json()
    }

    /// The body of a reply with exactly this status.
    pub fn expect(&self, status: u16) -> T {
        assert_eq!(self.status.as_u16(), status, "{self:?}");
        self.json()
    }
}
