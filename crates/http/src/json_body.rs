//! The JSON request-body extractor every handler uses: actix's limits, content-type check and
//! error answers, with structs read only from JSON objects ([`ObjectsOnly`]).

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::error::JsonPayloadError;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::error::{ApiError, json_error};
use crate::objects_only::ObjectsOnly;

/// A JSON request body of type `T`.
///
/// The body is read by actix's `Json` extractor as raw JSON, so the app's `JsonConfig` still
/// decides the size limit, the content type and the answers to unreadable or malformed JSON;
/// only then is it deserialized into `T`, through [`ObjectsOnly`].
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<T> JsonBody<T> {
    pub(crate) fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for JsonBody<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// # Errors
/// A 422 `validation_failed` when the JSON does not have `T`'s shape (an array where an object
/// belongs, a missing or unknown field, a wrong type), naming the field when serde does.
pub(crate) fn from_json_text<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    T::deserialize(ObjectsOnly(&mut deserializer))
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|e| json_error(&JsonPayloadError::Deserialize(e)))
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let raw = web::Json::<Box<RawValue>>::from_request(req, payload);
        Box::pin(async move {
            let raw = raw.await?;
            Ok(JsonBody(from_json_text(raw.get())?))
        })
    }
}
