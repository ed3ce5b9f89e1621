//! The Graph API's media routes: upload, look-up, download and delete.

use actix_multipart::Multipart;
use actix_web::http::header::HeaderMap;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt as _;
use serde::Deserialize;
use serde_json::json;

use crate::error::GraphError;
use crate::media::{MAX_MEDIA_SIZE, MediaInfo};

use super::{DOWNLOAD_PATH, Door, FORM_FIELD_LIMIT, graph_error};

/// `POST /{version}/{phone_number_id}/media`: a multipart upload of `messaging_product`, `type`
/// (the MIME type) and `file`, answered `{"id":"<media id>"}`.
pub(super) async fn upload_media(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    payload: web::Payload,
    door: web::Data<Door>,
) -> HttpResponse {
    let (_version, phone_number_id) = path.into_inner();
    let answer = async {
        door.authorize(&request)?;
        if !door.engine.is_registered(&phone_number_id) {
            return Err(GraphError::unknown_object("post", &phone_number_id));
        }
        let (mime_type, file) = read_upload(request.headers(), payload).await?;
        door.engine.upload_media(&mime_type, file)
    };
    match answer.await {
        Ok(info) => HttpResponse::Ok().json(json!({ "id": info.id })),
        Err(error) => graph_error(&error),
    }
}

/// Reads an upload form and returns its `type` and `file`, each read no further than its limit
/// so that an oversize upload costs no more memory than the largest allowed one.
async fn read_upload(
    headers: &HeaderMap,
    payload: web::Payload,
) -> Result<(String, Bytes), GraphError> {
    let not_a_form = |error: actix_multipart::MultipartError| {
        GraphError::invalid_parameter(format!(
            "The request body must be multipart/form-data: {error}"
        ))
    };
    let mut form = Multipart::new(headers, payload);
    let (mut product, mut mime_type, mut file) = (None, None, None);
    while let Some(field) = form.next().await {
        let mut field = field.map_err(not_a_form)?;
        let name = field.name().unwrap_or_default().to_owned();
        let limit = if name == "file" {
            MAX_MEDIA_SIZE
        } else {
            FORM_FIELD_LIMIT
        };
        let mut bytes = BytesMut::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(not_a_form)?;
            if bytes.len() + chunk.len() > limit {
                return Err(if name == "file" {
                    GraphError::media_upload_error(format!(
                        "The file is larger than {MAX_MEDIA_SIZE} bytes, the most any media \
                         type allows"
                    ))
                } else {
                    GraphError::invalid_parameter(format!(
                        "Param {name} must be at most {FORM_FIELD_LIMIT} bytes long"
                    ))
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = || String::from_utf8_lossy(&bytes).trim().to_owned();
        match name.as_str() {
            "messaging_product" => product = Some(text()),
            "type" => mime_type = Some(text()),
            "file" => file = Some(bytes.freeze()),
            // Like the Graph API, ignore fields the route does not know.
            _ => {}
        }
    }
    match product.as_deref() {
        Some("whatsapp") => {}
        None => {
            return Err(GraphError::invalid_parameter(
                "The parameter messaging_product is required.",
            ));
        }
        Some(other) => {
            return Err(GraphError::invalid_parameter(format!(
                "Param messaging_product must be one of {{WHATSAPP}} - got \"{other}\"."
            )));
        }
    }
    let file = file
        .ok_or_else(|| GraphError::required_parameter_missing("The parameter file is required."))?;
    let mime_type = mime_type
        .ok_or_else(|| GraphError::required_parameter_missing("The parameter type is required."))?;
    Ok((mime_type, file))
}

/// `GET /{version}/{media_id}`: the media's description, with a download URL on this server.
pub(super) async fn media_info(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    door: web::Data<Door>,
) -> HttpResponse {
    let (_version, media_id) = path.into_inner();
    match door
        .authorize(&request)
        .and_then(|()| door.engine.media_info(&media_id))
    {
        Ok(info) => HttpResponse::Ok().json(json!({
            "messaging_product": "whatsapp",
            "url": download_url(&request, &info),
            "mime_type": info.mime_type,
            "sha256": info.sha256,
            "file_size": info.file_size,
            "id": info.id,
        })),
        Err(error) => graph_error(&error),
    }
}

/// The absolute download URL of `info`, on the scheme, host and port the client reached this
/// server at (its `Host` header, or a proxy's `Forwarded` one), so that it works wherever the
/// simulator is bound.
fn download_url(request: &HttpRequest, info: &MediaInfo) -> String {
    let connection = request.connection_info();
    format!(
        "{}://{}{DOWNLOAD_PATH}?mid={}&hash={}",
        connection.scheme(),
        connection.host(),
        info.id,
        info.download_hash
    )
}

/// The query of a download URL.
#[derive(Deserialize)]
struct DownloadQuery {
    mid: String,
    hash: String,
}

/// `GET <download URL>`: the bytes, with the bearer token as on Meta. Unknown media, or a URL
/// whose hash is not the media's, answer 404.
pub(super) async fn download_media(request: HttpRequest, door: web::Data<Door>) -> HttpResponse {
    if let Err(error) = door.authorize(&request) {
        return graph_error(&error);
    }
    let downloaded = web::Query::<DownloadQuery>::from_query(request.query_string())
        .map_err(|_| GraphError::unknown_object("get", "(no media id)"))
        .and_then(|query| door.engine.download_media(&query.mid, &query.hash));
    match downloaded {
        Ok(file) => HttpResponse::Ok()
            .content_type(file.mime_type)
            .body(file.bytes),
        // Meta's download host answers 404 for what it does not have; other errors keep theirs.
        Err(error) if error.code == 100 => graph_error(&GraphError {
            http_status: 404,
            ..error
        }),
        Err(error) => graph_error(&error),
    }
}

/// `DELETE /{version}/{media_id}`: `{"success":true}`; look-ups and downloads then fail.
pub(super) async fn delete_media(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    door: web::Data<Door>,
) -> HttpResponse {
    let (_version, media_id) = path.into_inner();
    match door
        .authorize(&request)
        .and_then(|()| door.engine.delete_media(&media_id))
    {
        Ok(()) => HttpResponse::Ok().json(json!({ "success": true })),
        Err(error) => graph_error(&error),
    }
}
