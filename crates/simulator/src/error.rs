//! The Graph API's errors as the simulator answers them: one type for every refusal, rendered as
//! Meta's exact error JSON by the HTTP door and mapped onto the domain's gateway error by the
//! in-process one.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

const OAUTH_EXCEPTION: &str = "OAuthException";
const GRAPH_METHOD_EXCEPTION: &str = "GraphMethodException";

/// A refusal, as the Graph API reports it.
///
/// Errors of the WhatsApp layer (bad parameters, test numbers, limits) carry `details` and render
/// as `{"error":{"message":"(#131051) Unsupported message type","type":"OAuthException",
/// "code":131051,"error_data":{"messaging_product":"whatsapp","details":"..."},"fbtrace_id":"..."}}`;
/// errors of the Graph layer underneath (access token, unknown object) have no `error_data` and a
/// message without the `(#code)` prefix, as Meta writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphError {
    /// The HTTP status the HTTP door answers with. Clients key on `code`, never on this.
    pub http_status: u16,
    /// Meta's error code, e.g. 131051.
    pub code: i64,
    /// Meta's title for the code, e.g. `Unsupported message type`; for Graph-layer errors, the
    /// whole message.
    pub title: String,
    /// `error.type`: `OAuthException`, or `GraphMethodException` for an unknown object.
    pub error_type: &'static str,
    /// Meta's subcode, where it still sends one (an unknown object's 33).
    pub error_subcode: Option<i64>,
    /// `error.error_data.details`: what exactly was wrong. `None` for Graph-layer errors.
    pub details: Option<String>,
    /// How long to wait before retrying, for the rate limits. The HTTP door sends it as a
    /// `Retry-After` header, which Meta does not, so clients must not depend on it.
    pub retry_after: Option<Duration>,
}

impl GraphError {
    /// `error.message` as Meta writes it.
    pub fn message(&self) -> String {
        match self.details {
            Some(_) => format!("(#{}) {}", self.code, self.title),
            None => self.title.clone(),
        }
    }

    /// Meta's error body, with a fresh `fbtrace_id`.
    pub fn to_json(&self) -> Value {
        let mut error = json!({
            "message": self.message(),
            "type": self.error_type,
            "code": self.code,
        });
        if let Some(details) = &self.details {
            error["error_data"] = json!({"messaging_product": "whatsapp", "details": details});
        }
        if let Some(subcode) = self.error_subcode {
            error["error_subcode"] = json!(subcode);
        }
        error["fbtrace_id"] = json!(fbtrace_id());
        json!({ "error": error })
    }

    fn whatsapp(http_status: u16, code: i64, title: &str, details: impl Into<String>) -> Self {
        Self {
            http_status,
            code,
            title: title.to_owned(),
            error_type: OAUTH_EXCEPTION,
            error_subcode: None,
            details: Some(details.into()),
            retry_after: None,
        }
    }

    /// 100: a parameter is present but wrong.
    pub(crate) fn invalid_parameter(details: impl Into<String>) -> Self {
        Self::whatsapp(400, 100, "Invalid parameter", details)
    }

    /// 131008: a required parameter is absent.
    pub(crate) fn required_parameter_missing(details: impl Into<String>) -> Self {
        Self::whatsapp(400, 131008, "Required parameter is missing", details)
    }

    /// 131009: a parameter's value breaks a rule (e.g. more than 3 reply buttons).
    pub(crate) fn parameter_value_not_valid(details: impl Into<String>) -> Self {
        Self::whatsapp(400, 131009, "Parameter value is not valid", details)
    }

    /// 131051: a message `type` the Cloud API does not send.
    pub(crate) fn unsupported_message_type(details: impl Into<String>) -> Self {
        Self::whatsapp(400, 131051, "Unsupported message type", details)
    }

    /// 132001: the template does not exist (or is not approved) in that language.
    pub(crate) fn template_missing(details: impl Into<String>) -> Self {
        Self::whatsapp(
            400,
            132001,
            "Template name does not exist in the translation",
            details,
        )
    }

    /// 131026: the recipient cannot get WhatsApp messages.
    pub(crate) fn undeliverable() -> Self {
        Self::whatsapp(
            400,
            131026,
            "Message undeliverable",
            "The recipient is not on WhatsApp, uses an old app version or has not accepted the \
             terms of service.",
        )
    }

    /// 130429: the sending number exceeded its throughput.
    pub(crate) fn rate_limit_hit(retry_after: Duration) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::whatsapp(
                400,
                130429,
                "Rate limit hit",
                "Cloud API message throughput has been reached.",
            )
        }
    }

    /// 131056: too many messages from one business number to one customer in a short time.
    pub(crate) fn pair_rate_limit_hit(retry_after: Duration) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::whatsapp(
                400,
                131056,
                "(Business Account, Consumer Account) pair rate limit hit",
                "Message failed to send because there were too many messages sent from this \
                 phone number to the same phone number in a short period of time.",
            )
        }
    }

    /// 131000: Meta's own service failed.
    pub(crate) fn something_went_wrong() -> Self {
        Self::whatsapp(
            500,
            131000,
            "Something went wrong",
            "An unknown error occurred.",
        )
    }

    /// 2: the service is temporarily down; here, the simulator itself cannot take the message.
    pub(crate) fn service_unavailable(details: impl Into<String>) -> Self {
        Self::whatsapp(503, 2, "Service temporarily unavailable", details)
    }

    /// 190: the bearer token is missing or not the simulator's.
    pub(crate) fn invalid_access_token() -> Self {
        Self {
            http_status: 401,
            code: 190,
            title: "Invalid OAuth access token - Cannot parse access token".to_owned(),
            error_type: OAUTH_EXCEPTION,
            error_subcode: None,
            details: None,
            retry_after: None,
        }
    }

    /// 131053: an upload was refused (too large for its type, or no room left).
    pub(crate) fn media_upload_error(details: impl Into<String>) -> Self {
        Self::whatsapp(400, 131053, "Media upload error", details)
    }

    /// 100 with subcode 33: the URL names an object (phone number id, media id) that does not
    /// exist; `method` (`get`, `post`, `delete`) is the request's, as Meta names it.
    pub(crate) fn unknown_object(method: &str, id: &str) -> Self {
        Self {
            http_status: 400,
            code: 100,
            title: format!(
                "Unsupported {method} request. Object with ID '{id}' does not exist, cannot be loaded \
                 due to missing permissions, or does not support this operation. Please read the \
                 Graph API documentation at https://developers.facebook.com/docs/graph-api"
            ),
            error_type: GRAPH_METHOD_EXCEPTION,
            error_subcode: Some(33),
            details: None,
            retry_after: None,
        }
    }
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())?;
        match &self.details {
            Some(details) => write!(f, ": {details}"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for GraphError {}

/// A trace id shaped like Meta's (23 URL-safe characters). It only helps a person match a
/// response to a log line, so without OS randomness a fixed one does no harm.
fn fbtrace_id() -> String {
    let mut bytes = [0; 17];
    match getrandom::fill(&mut bytes) {
        Ok(()) => URL_SAFE_NO_PAD.encode(bytes),
        Err(_) => "AAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn without_trace(mut body: Value) -> Value {
        let trace = body["error"]
            .as_object_mut()
            .and_then(|error| error.remove("fbtrace_id"));
        assert!(
            matches!(&trace, Some(Value::String(id)) if id.len() == 23),
            "{trace:?}"
        );
        body
    }

    #[test]
    fn whatsapp_errors_render_with_the_code_in_the_message_and_error_data() {
        let body = GraphError::unsupported_message_type("Message type is not currently supported")
            .to_json();

        assert_eq!(
            without_trace(body),
            json!({"error": {
                "message": "(#131051) Unsupported message type",
                "type": "OAuthException",
                "code": 131051,
                "error_data": {
                    "messaging_product": "whatsapp",
                    "details": "Message type is not currently supported",
                },
            }})
        );
    }

    #[test]
    fn graph_errors_render_without_error_data_and_with_their_subcode() {
        assert_eq!(
            without_trace(GraphError::invalid_access_token().to_json()),
            json!({"error": {
                "message": "Invalid OAuth access token - Cannot parse access token",
                "type": "OAuthException",
                "code": 190,
            }})
        );
        let unknown = without_trace(GraphError::unknown_object("post", "42").to_json());
        assert_eq!(unknown["error"]["type"], "GraphMethodException");
        assert_eq!(unknown["error"]["code"], 100);
        assert_eq!(unknown["error"]["error_subcode"], 33);
        assert!(unknown["error"]["message"].as_str().is_some_and(|message| {
            message.starts_with("Unsupported post request. Object with ID '42' does not exist")
        }));
    }

    #[test]
    fn every_body_gets_its_own_trace_id() {
        let error = GraphError::something_went_wrong();

        assert_ne!(
            error.to_json()["error"]["fbtrace_id"],
            error.to_json()["error"]["fbtrace_id"]
        );
    }
}
