//! The real WhatsApp Cloud API client: the [`WhatsAppGateway`] for
//! `SWITCHBOARD_WHATSAPP_PROVIDER=cloud`.
//!
//! It speaks the Graph API routes of the wire contract (`POST /{version}/{phone_number_id}/messages`
//! for sends and read receipts, `POST /{version}/{phone_number_id}/media` for uploads,
//! `GET /{version}/{media_id}` and the download URL for customers' media) at a configurable base
//! URL, so it runs unchanged against Meta
//! (`https://graph.facebook.com`) or the in-repo simulator. Errors are mapped by Meta's `code`,
//! never by HTTP status or text: the codes of [`switchboard_domain::outbound::model::TRANSIENT_CODES`],
//! timeouts and network failures are transient; everything else is permanent. The access token
//! is sent only in the `Authorization` header and never logged.

mod errors;
mod media;
mod request;

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use switchboard_domain::outbound::model::{Accepted, GatewayError, MediaInfo, OutboundMessage};
use switchboard_domain::outbound::ports::WhatsAppGateway;

pub use errors::classify_error;
pub use media::checksum_matches;
pub use request::{read_body, send_body};

/// Where and as whom the client talks to the Cloud API.
#[derive(Clone)]
pub struct CloudSettings {
    /// `https://graph.facebook.com`, or the simulator's address; no trailing slash needed.
    pub base_url: String,
    /// Graph API version, e.g. `v23.0`.
    pub api_version: String,
    /// A system-user access token with `whatsapp_business_messaging`.
    pub access_token: String,
    /// For each request, connection included.
    pub timeout: Duration,
}

impl std::fmt::Debug for CloudSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudSettings")
            .field("base_url", &self.base_url)
            .field("api_version", &self.api_version)
            .field("access_token", &"**redacted**")
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The HTTP client could not be built (TLS set-up).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the Cloud API HTTP client: {0}")]
pub struct CloudSetupError(#[source] reqwest::Error);

/// The Cloud API gateway.
#[derive(Debug, Clone)]
pub struct CloudGateway {
    client: reqwest::Client,
    settings: CloudSettings,
}

#[derive(Debug, Deserialize)]
struct SendResponse {
    #[serde(default)]
    messages: Vec<SentMessage>,
}

#[derive(Debug, Deserialize)]
struct SentMessage {
    id: String,
}

#[derive(Debug, Deserialize)]
struct UploadResponse {
    id: String,
}

#[derive(Debug, Deserialize)]
struct MediaLookup {
    url: String,
    mime_type: String,
    sha256: String,
    #[serde(default)]
    file_size: u64,
}

impl CloudGateway {
    /// # Errors
    /// [`CloudSetupError`] if the TLS-capable HTTP client cannot be built.
    pub fn new(settings: CloudSettings) -> Result<Self, CloudSetupError> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(CloudSetupError)?;
        Ok(Self { client, settings })
    }

    fn messages_url(&self, phone_number_id: &str) -> String {
        format!(
            "{}/{}/{}/messages",
            self.settings.base_url.trim_end_matches('/'),
            self.settings.api_version,
            phone_number_id
        )
    }

    /// GETs a Graph API URL with the token and returns the success body.
    async fn get(&self, url: &str) -> Result<Vec<u8>, GatewayError> {
        self.execute(self.client.get(url)).await
    }

    /// POSTs a JSON body to a number's messages endpoint and returns the success body.
    async fn post(
        &self,
        phone_number_id: &str,
        body: &serde_json::Value,
    ) -> Result<Vec<u8>, GatewayError> {
        let request = self
            .client
            .post(self.messages_url(phone_number_id))
            .json(body);
        self.execute(request).await
    }

    /// Sends a request with the token and returns the success body; an error answer is
    /// classified by Meta's code, with the `Retry-After` hint when there is one.
    async fn execute(&self, request: reqwest::RequestBuilder) -> Result<Vec<u8>, GatewayError> {
        let response = request
            .bearer_auth(&self.settings.access_token)
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let bytes = response.bytes().await.map_err(transport)?.to_vec();
        if status.is_success() {
            Ok(bytes)
        } else {
            Err(classify_error(status.as_u16(), &bytes, retry_after))
        }
    }
}

/// Timeouts and connection failures: the message may or may not have left, and retrying is the
/// only way to find out.
fn transport(e: reqwest::Error) -> GatewayError {
    GatewayError::Transient {
        code: None,
        message: if e.is_timeout() {
            "the Cloud API did not answer in time".to_owned()
        } else {
            format!("the Cloud API could not be reached: {e}")
        },
        retry_after: None,
    }
}

#[async_trait]
impl WhatsAppGateway for CloudGateway {
    async fn send(&self, message: &OutboundMessage) -> Result<Accepted, GatewayError> {
        let body = request::send_body(message).map_err(|e| GatewayError::Permanent {
            code: 100,
            title: "Invalid parameter".to_owned(),
            details: Some(e),
        })?;
        let bytes = self.post(&message.phone_number_id, &body).await?;
        let parsed: SendResponse =
            serde_json::from_slice(&bytes).map_err(|e| GatewayError::Transient {
                code: None,
                message: format!("the Cloud API answered 200 with an unreadable body: {e}"),
                retry_after: None,
            })?;
        parsed
            .messages
            .into_iter()
            .next()
            .map(|m| Accepted { wamid: m.id })
            .ok_or_else(|| GatewayError::Transient {
                code: None,
                message: "the Cloud API answered 200 without a message id".to_owned(),
                retry_after: None,
            })
    }

    async fn mark_read(&self, phone_number_id: &str, wamid: &str) -> Result<(), GatewayError> {
        self.post(phone_number_id, &request::read_body(wamid))
            .await
            .map(|_| ())
    }

    async fn media_info(&self, media_id: &str) -> Result<MediaInfo, GatewayError> {
        let url = format!(
            "{}/{}/{}",
            self.settings.base_url.trim_end_matches('/'),
            self.settings.api_version,
            media_id
        );
        let bytes = self.get(&url).await?;
        let info: MediaLookup =
            serde_json::from_slice(&bytes).map_err(|e| GatewayError::Transient {
                code: None,
                message: format!(
                    "the Cloud API answered a media look-up with an unreadable body: {e}"
                ),
                retry_after: None,
            })?;
        Ok(MediaInfo {
            url: info.url,
            mime_type: info.mime_type,
            sha256: info.sha256,
            file_size: info.file_size,
        })
    }

    async fn upload_media(
        &self,
        phone_number_id: &str,
        bytes: &[u8],
        mime_type: &str,
        filename: &str,
    ) -> Result<String, GatewayError> {
        let invalid = |e: reqwest::Error| GatewayError::Permanent {
            code: 100,
            title: "Invalid parameter".to_owned(),
            details: Some(format!(
                "the file's MIME type {mime_type:?} is not valid: {e}"
            )),
        };
        let file = reqwest::multipart::Part::bytes(bytes.to_vec())
            .file_name(filename.to_owned())
            .mime_str(mime_type)
            .map_err(invalid)?;
        let form = reqwest::multipart::Form::new()
            .text("messaging_product", "whatsapp")
            .text("type", mime_type.to_owned())
            .part("file", file);
        let url = format!(
            "{}/{}/{}/media",
            self.settings.base_url.trim_end_matches('/'),
            self.settings.api_version,
            phone_number_id
        );
        let bytes = self.execute(self.client.post(url).multipart(form)).await?;
        let uploaded: UploadResponse =
            serde_json::from_slice(&bytes).map_err(|e| GatewayError::Transient {
                code: None,
                message: format!("the Cloud API answered an upload with an unreadable body: {e}"),
                retry_after: None,
            })?;
        Ok(uploaded.id)
    }

    async fn download_media(&self, media: &MediaInfo) -> Result<Vec<u8>, GatewayError> {
        let bytes = self.get(&media.url).await?;
        if !media::checksum_matches(&bytes, &media.sha256) {
            return Err(GatewayError::Transient {
                code: None,
                message: format!(
                    "the downloaded media ({} bytes) does not match its SHA-256",
                    bytes.len()
                ),
                retry_after: None,
            });
        }
        Ok(bytes)
    }
}
