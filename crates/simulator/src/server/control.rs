//! The control routes, which are not Meta's: play a customer writing in, fail a media
//! download, register a business number.

use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::json;

use crate::delivery::DeliveryError;
use crate::engine::{Inbound, InboundContent, SimulatorEngine};
use crate::request;

use super::{Door, graph_error};

/// The body of `POST /control/inbound`: exactly one of `text` and `media`.
#[derive(Deserialize)]
struct ControlInbound {
    phone_number_id: String,
    /// The customer's number, digits with an optional `+`.
    from: String,
    name: Option<String>,
    text: Option<String>,
    media: Option<ControlMedia>,
    /// When the customer wrote, in Unix seconds; now when absent.
    timestamp: Option<i64>,
}

/// A customer's media: new bytes (`data` in base64 with their `mime_type`) or the `id` of media
/// already stored.
#[derive(Deserialize)]
struct ControlMedia {
    id: Option<String>,
    data: Option<String>,
    mime_type: Option<String>,
    caption: Option<String>,
    filename: Option<String>,
}

/// `POST /control/inbound`: a customer writes to a registered number. Answers `{"wamid": ...}`
/// (and `"media_id"` for media) once the desk's webhook took the message, 502 when it did not.
pub(super) async fn control_inbound(
    request: HttpRequest,
    body: web::Bytes,
    door: web::Data<Door>,
) -> HttpResponse {
    if let Err(error) = door.authorize(&request) {
        return graph_error(&error);
    }
    let inbound: ControlInbound = match serde_json::from_slice(&body) {
        Ok(inbound) => inbound,
        Err(error) => return control_error(StatusCode::BAD_REQUEST, &error.to_string()),
    };
    if !door.engine.is_registered(&inbound.phone_number_id) {
        return control_error(
            StatusCode::NOT_FOUND,
            &format!(
                "no business number {:?}; register it at POST /control/numbers",
                inbound.phone_number_id
            ),
        );
    }
    let Some(from) = request::wa_id(&inbound.from) else {
        return control_error(
            StatusCode::BAD_REQUEST,
            &format!(
                "from must be a phone number of 7 to 15 digits, got {:?}",
                inbound.from
            ),
        );
    };
    let content = match (inbound.text, inbound.media) {
        (Some(text), None) if text.is_empty() => {
            return control_error(StatusCode::BAD_REQUEST, "text must not be empty");
        }
        (Some(body), None) => InboundContent::Text { body },
        (None, Some(media)) => match inbound_media(&door.engine, media) {
            Ok(content) => content,
            Err((status, message)) => return control_error(status, &message),
        },
        _ => {
            return control_error(
                StatusCode::BAD_REQUEST,
                "give exactly one of text and media",
            );
        }
    };
    let media_id = match &content {
        InboundContent::Media { media_id, .. } => Some(media_id.clone()),
        InboundContent::Text { .. } => None,
    };
    let delivered = door
        .engine
        .deliver_inbound(Inbound {
            phone_number_id: inbound.phone_number_id,
            from: from.to_owned(),
            name: inbound.name,
            content,
            timestamp: inbound.timestamp,
        })
        .await;
    match (delivered, media_id) {
        (Ok(wamid), None) => HttpResponse::Ok().json(json!({ "wamid": wamid })),
        (Ok(wamid), Some(media_id)) => {
            HttpResponse::Ok().json(json!({ "wamid": wamid, "media_id": media_id }))
        }
        (Err(error @ DeliveryError::UnknownMedia(_)), _) => {
            control_error(StatusCode::NOT_FOUND, &error.to_string())
        }
        (Err(error), _) => control_error(StatusCode::BAD_GATEWAY, &error.to_string()),
    }
}

/// The content of a customer's media message, storing new bytes first as the customer's phone
/// uploads them to Meta; a refused upload answers with Meta's reason. Errors are the status and
/// message of the control error to answer.
fn inbound_media(
    engine: &SimulatorEngine,
    media: ControlMedia,
) -> Result<InboundContent, (StatusCode, String)> {
    let media_id = match (media.id, media.data, media.mime_type) {
        (Some(id), None, _) => id,
        (None, Some(data), Some(mime_type)) => {
            let bytes = STANDARD.decode(data).map_err(|error| {
                (
                    StatusCode::BAD_REQUEST,
                    format!("media.data is not base64: {error}"),
                )
            })?;
            let info = engine
                .upload_media(&mime_type, Bytes::from(bytes))
                .map_err(|error| {
                    let status =
                        StatusCode::from_u16(error.http_status).unwrap_or(StatusCode::BAD_REQUEST);
                    (status, error.to_string())
                })?;
            info.id
        }
        (None, Some(_), None) => {
            return Err((
                StatusCode::BAD_REQUEST,
                "media.data needs its media.mime_type".to_owned(),
            ));
        }
        _ => {
            return Err((
                StatusCode::BAD_REQUEST,
                "media needs exactly one of id and data".to_owned(),
            ));
        }
    };
    Ok(InboundContent::Media {
        media_id,
        caption: media.caption,
        filename: media.filename,
    })
}

/// The body of `POST /control/media/{media_id}/fail`.
#[derive(Deserialize)]
struct ControlMediaFail {
    times: u32,
}

/// `POST /control/media/{media_id}/fail`: the next `times` downloads of the media answer 500.
pub(super) async fn control_media_fail(
    request: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    door: web::Data<Door>,
) -> HttpResponse {
    if let Err(error) = door.authorize(&request) {
        return graph_error(&error);
    }
    let fail: ControlMediaFail = match serde_json::from_slice(&body) {
        Ok(fail) => fail,
        Err(error) => return control_error(StatusCode::BAD_REQUEST, &error.to_string()),
    };
    match door.engine.fail_media_downloads(&path, fail.times) {
        Ok(()) => HttpResponse::Ok().json(json!({ "success": true })),
        Err(error) => control_error(StatusCode::NOT_FOUND, &error.to_string()),
    }
}

/// The body of `POST /control/numbers`.
#[derive(Deserialize)]
struct ControlNumber {
    phone_number_id: String,
    display_phone_number: String,
}

/// `POST /control/numbers`: registers a business number (or renames one).
pub(super) async fn control_numbers(
    request: HttpRequest,
    body: web::Bytes,
    door: web::Data<Door>,
) -> HttpResponse {
    if let Err(error) = door.authorize(&request) {
        return graph_error(&error);
    }
    let number: ControlNumber = match serde_json::from_slice(&body) {
        Ok(number) => number,
        Err(error) => return control_error(StatusCode::BAD_REQUEST, &error.to_string()),
    };
    if let Err(problem) = check_number(&number.phone_number_id, &number.display_phone_number) {
        return control_error(StatusCode::BAD_REQUEST, &problem);
    }
    door.engine
        .register_number(&number.phone_number_id, &number.display_phone_number);
    HttpResponse::Ok().json(json!({ "success": true }))
}

/// A business number as Meta has them: an id of digits (it is a URL path segment), and a
/// display number with some digits (`+`, spaces and dashes are dropped).
pub(super) fn check_number(
    phone_number_id: &str,
    display_phone_number: &str,
) -> Result<(), String> {
    if phone_number_id.is_empty() || !phone_number_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "phone_number_id must be digits, got {phone_number_id:?}"
        ));
    }
    if !display_phone_number.chars().any(|c| c.is_ascii_digit()) {
        return Err(format!(
            "display_phone_number must contain digits, got {display_phone_number:?}"
        ));
    }
    Ok(())
}

/// A control route's error: `{"error":{"message":"..."}}`. These routes are the simulator's
/// own, not the Graph API's, so they do not mimic Meta's shape.
fn control_error(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({ "error": { "message": message } }))
}
