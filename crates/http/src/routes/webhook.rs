//! The WhatsApp Cloud API webhook: Meta's verification handshake and event deliveries.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use switchboard_domain::ingest::model::WebhookRejection;
use utoipa::{IntoParams, ToSchema};

use crate::dto::webhook_envelope::WebhookEnvelope;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::state::AppState;

/// Meta's delivery limit is 3 MB; leave headroom.
pub(crate) const WEBHOOK_BODY_LIMIT: usize = 4 * 1024 * 1024;

#[derive(Debug, Deserialize, IntoParams)]
pub struct Handshake {
    /// Always `subscribe`.
    #[serde(rename = "hub.mode")]
    #[param(rename = "hub.mode")]
    pub mode: Option<String>,
    /// Must equal `SWITCHBOARD_WHATSAPP_VERIFY_TOKEN`.
    #[serde(rename = "hub.verify_token")]
    #[param(rename = "hub.verify_token")]
    pub verify_token: Option<String>,
    /// Echoed back on success.
    #[serde(rename = "hub.challenge")]
    #[param(rename = "hub.challenge")]
    pub challenge: Option<String>,
}

/// What a delivery changed (Meta only looks at the status code).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookReceipt {
    pub messages_stored: usize,
    pub duplicate_messages: usize,
    pub statuses_applied: usize,
    pub statuses_ignored: usize,
    pub statuses_deferred: usize,
    /// `phone_number_id`s that name no business number here; their items were skipped.
    pub unknown_numbers: Vec<String>,
}

/// Meta's verification handshake: echoes `hub.challenge` when the verify token matches.
#[utoipa::path(
    security(()),
    tag = "webhook",
    params(Handshake),
    responses(
        (status = 200, description = "The challenge, as plain text", body = String, content_type = "text/plain"),
        (status = 403, description = "`verification_failed`: wrong mode or verify token, or none configured", body = ErrorBody),
    )
)]
#[get("/webhooks/whatsapp")]
pub(crate) async fn verify_webhook(
    state: web::Data<AppState>,
    query: web::Query<Handshake>,
) -> Result<HttpResponse, ApiError> {
    let challenge = state
        .webhook
        .handshake(
            query.mode.as_deref(),
            query.verify_token.as_deref(),
            query.challenge.as_deref(),
        )
        .ok_or_else(|| {
            tracing::warn!("webhook verification refused");
            ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::VerificationFailed,
                "the verify token does not match",
            )
        })?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain")
        .body(challenge))
}

/// A delivery of messages and statuses from the WhatsApp Cloud API (or the mock).
///
/// The signature in `X-Hub-Signature-256` is checked over the raw body with the Meta app
/// secret. Everything the delivery carried is stored in one transaction; the 200 is sent only
/// after it is committed, so anything else makes Meta deliver it again. Redeliveries change
/// nothing. Items for unknown `phone_number_id`s are skipped and listed.
#[utoipa::path(
    security(()),
    tag = "webhook",
    request_body(content = WebhookEnvelope, description = "A WhatsApp Business Account webhook envelope (read as raw bytes: a body of another shape gets the answers below)", content_type = "application/json"),
    params(("X-Hub-Signature-256" = String, Header, description = "`sha256=` and the hex HMAC-SHA256 of the body under the app secret")),
    responses(
        (status = 200, description = "Everything the envelope carried is stored (or was already)", body = WebhookReceipt),
        (status = 400, description = "`invalid_json`: not JSON; `not_a_webhook_envelope`: JSON, but not a Cloud API envelope", body = ErrorBody),
        (status = 401, description = "`missing_signature` or `invalid_signature`; nothing was stored", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: over 4 MiB", body = ErrorBody),
    )
)]
#[post("/webhooks/whatsapp")]
pub(crate) async fn receive_webhook(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<web::Json<WebhookReceipt>, ApiError> {
    let signature = req
        .headers()
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    let batch = state.webhook.decode(&body, signature).map_err(|e| {
        tracing::warn!(error = %e, "webhook delivery refused");
        match e {
            WebhookRejection::MissingSignature => {
                ApiError::unauthorized(ErrorCode::MissingSignature, e.to_string())
            }
            WebhookRejection::BadSignature(_) => {
                ApiError::unauthorized(ErrorCode::InvalidSignature, e.to_string())
            }
            WebhookRejection::NotJson(_) => ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidJson,
                e.to_string(),
            ),
            WebhookRejection::NotAnEnvelope(_) => ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::NotAWebhookEnvelope,
                e.to_string(),
            ),
        }
    })?;
    let summary = state.ingest.receive_webhook(&batch).await?;
    if !summary.unknown_numbers.is_empty() {
        tracing::warn!(phone_number_ids = ?summary.unknown_numbers, "webhook items for unknown business numbers were skipped");
    }
    Ok(web::Json(WebhookReceipt {
        messages_stored: summary.messages_stored,
        duplicate_messages: summary.duplicate_messages,
        statuses_applied: summary.statuses_applied,
        statuses_ignored: summary.statuses_ignored,
        statuses_deferred: summary.statuses_deferred,
        unknown_numbers: summary.unknown_numbers,
    }))
}
