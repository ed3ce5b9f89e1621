//! The OpenAPI document: paths and schemas come from the handlers (utoipa-actix-web collects
//! them as routes are registered); this module adds the frame (info, tags, security scheme)
//! and the error responses every operation shares, so none can be forgotten.

use actix_web::App;
use switchboard_domain::media::model::MediaKind;
use utoipa::openapi::encoding::EncodingBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{AdditionalProperties, Schema};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi as _};
use utoipa_actix_web::AppExt;

use crate::error::{ErrorBody, ErrorCode, ErrorDetail, FieldDetail};
use crate::routes::events::LiveEventDoc;

pub(crate) const BEARER: &str = "bearer";

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Switchboard API",
        description = "WhatsApp customer-support backend. Every error answers \
            `{\"error\": {\"code\", \"message\", \"details\"?}}`; `code` is stable and \
            machine-readable, one of `ErrorCode`. Besides the answers each operation documents, \
            any request can get `bad_request` (400: malformed headers), `invalid_body` (400: the \
            body could not be read), `method_not_allowed` (405, with `Allow`), `request_failed` \
            (another 4xx) and `conflict` (409: a value that must be unique is already in use). \
            Authenticate with `POST /api/v1/auth/login` and send the access \
            token as `Authorization: Bearer <token>`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    // Relative: the API is wherever this document is served from.
    servers((url = "/", description = "The Switchboard server that serves this document")),
    components(schemas(ErrorBody, ErrorCode, ErrorDetail, FieldDetail, LiveEventDoc)),
    modifiers(&BearerScheme),
    tags(
        (name = "auth", description = "Signing in, tokens and the caller's own account"),
        (name = "users", description = "User administration (admins)"),
        (name = "business-numbers", description = "WhatsApp business numbers (inboxes) and their members"),
        (name = "conversations", description = "The inbox: conversations, messages, sending, statistics"),
        (name = "contacts", description = "Customers of the caller's business numbers"),
        (name = "simulator", description = "Playing the customer with the mock WhatsApp provider"),
        (name = "webhook", description = "The WhatsApp Cloud API webhook (signed by Meta, no bearer token)"),
        (name = "health", description = "Liveness and readiness probes"),
    )
)]
struct BaseDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut OpenApi) {
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.bearer_format = Some("JWT".to_owned());
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(BEARER, SecurityScheme::Http(http));
    }
}

pub(crate) fn base_doc() -> OpenApi {
    BaseDoc::openapi()
}

fn error_response(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("ErrorBody"))),
        )
        .build()
        .into()
}

/// Adds the responses the conventions guarantee wherever they can happen: 400 `invalid_query`
/// on operations with query parameters; 404 on those with path parameters; 401 on secured
/// operations; 400, 413, 415 and 422 on API operations with a JSON body; 408 on every operation
/// with a body; 429, 500 and 503 everywhere.
pub(crate) fn finish(mut doc: OpenApi) -> OpenApi {
    let mut forms = Vec::new();
    for (path, item) in doc.paths.paths.iter_mut() {
        // The webhook reads its raw body itself (signature first), so the JSON extractor's
        // errors do not apply there.
        let json_api = path.starts_with("/api/");
        for operation in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            let parameters = operation.parameters.as_deref().unwrap_or_default();
            let has = |place: ParameterIn| {
                parameters
                    .iter()
                    .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == place))
            };
            let (query, path) = (has(ParameterIn::Query), has(ParameterIn::Path));
            // The query extractor answers a value of the wrong type (`limit=-1`, `limit=abc`)
            // itself, before the handler; its answer joins whatever 400 the handler documents.
            if query {
                add_error_answer(
                    operation,
                    "400",
                    "`invalid_query`: a query parameter is not of its type (for example `limit=-1` or `limit=abc`)",
                );
            }
            let mut shared = Vec::new();
            if path {
                shared.push((
                    "404",
                    "`not_found`: no such resource (a path parameter that is not a number names none)",
                ));
            }
            // A public operation declares the empty requirement (`security(())`).
            let secured = operation
                .security
                .iter()
                .flatten()
                .any(|requirement| *requirement != SecurityRequirement::default());
            if secured {
                shared.push((
                    "401",
                    "`missing_token` or `invalid_token`: no valid access token (expired, revoked, or the user is deactivated)",
                ));
            }
            let json_body = operation
                .request_body
                .as_ref()
                .is_some_and(|body| matches!(body, RefOr::T(body) if body.content.contains_key("application/json")));
            if json_api && json_body {
                shared.extend([
                    ("400", "`invalid_json`: the body is not valid JSON"),
                    ("413", "`payload_too_large`: the body exceeds 256 KiB"),
                    ("415", "`unsupported_media_type`: the body is not sent as application/json"),
                    ("422", "`validation_failed`: a field is missing, of the wrong type, unknown or invalid; `details` names each"),
                ]);
            }
            if operation.request_body.is_some() {
                shared.push((
                    "408",
                    "`request_timeout`: the body arrived too slowly (see the README, Configuration: `SWITCHBOARD_BODY_*`); the connection is closed",
                ));
            }
            shared.extend([
                (
                    "429",
                    "`too_many_concurrent_requests`: this client address already has its cap of requests in progress (`SWITCHBOARD_MAX_REQUESTS_PER_ADDRESS`); retry after `Retry-After` seconds",
                ),
                (
                    "500",
                    "`internal_error`: an unexpected failure, logged on the server",
                ),
                (
                    "503",
                    "`service_unavailable`: the database is unreachable; retry later",
                ),
            ]);
            for (status, description) in shared {
                add_error_answer(operation, status, description);
            }
            forms.extend(declare_file_types(operation));
        }
    }
    // The form reader refuses parts the form does not name (422 `validation_failed`).
    if let Some(components) = doc.components.as_mut() {
        for name in forms {
            if let Some(RefOr::T(Schema::Object(form))) = components.schemas.get_mut(&name) {
                form.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
            }
        }
    }
    doc
}

/// A multipart form's `file` part must be of a type WhatsApp takes: its Content-Type decides the
/// kind (and so the size limit) and any other type is refused (422 `unsupported_file_type`).
/// Returns the name of the form's schema.
fn declare_file_types(operation: &mut Operation) -> Option<String> {
    let Some(RefOr::T(body)) = operation.request_body.as_mut() else {
        return None;
    };
    let Some(RefOr::T(form)) = body.content.get_mut("multipart/form-data") else {
        return None;
    };
    let types = MediaKind::ALL
        .iter()
        .flat_map(|kind| kind.mime_types())
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    form.encoding.insert(
        "file".to_owned(),
        EncodingBuilder::new().content_type(Some(types)).build(),
    );
    match &form.schema {
        Some(RefOr::Ref(reference)) => reference.ref_location.rsplit('/').next().map(str::to_owned),
        _ => None,
    }
}

/// Documents an error answer: a new response or, for a client error that another layer answers
/// too (400, 404, 422), one more code in the existing response's description. A handler's own
/// 401, 500 or 503 already says what it means there.
fn add_error_answer(operation: &mut Operation, status: &str, description: &str) {
    let code = description.split('`').nth(1).unwrap_or_default();
    let merges = matches!(status, "400" | "404" | "422");
    match operation.responses.responses.get_mut(status) {
        Some(RefOr::T(response)) if merges && !response.description.contains(code) => {
            response.description = format!("{}; {description}", response.description);
        }
        Some(_) => {}
        None => {
            operation
                .responses
                .responses
                .insert(status.to_owned(), error_response(description));
        }
    }
}

/// The complete OpenAPI document, exactly as `/openapi.json` serves it.
pub fn api_doc() -> OpenApi {
    let (_, doc) = App::new()
        .into_utoipa_app()
        .openapi(base_doc())
        .configure(crate::routes::register)
        .split_for_parts();
    finish(doc)
}
