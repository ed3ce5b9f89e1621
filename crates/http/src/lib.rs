//! The actix-web HTTP layer: thin handlers over the domain's use cases, one JSON error shape,
//! bearer-token authentication, request ids and logging, and the OpenAPI document generated
//! from the handlers themselves.

mod address_limit;
mod admin_app;
mod body_deadline;
mod caller;
mod client_address;
pub mod dto;
mod error;
mod error_code;
mod fallback;
mod field_schemas;
mod json_body;
mod login_throttle;
mod objects_only;
mod openapi;
mod pagination;
mod request_log;
mod routes;
mod state;
mod validation;

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, web};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

pub use address_limit::AddressGate;
pub use body_deadline::BodyTimeouts;
pub use client_address::{BadProxy, TrustedProxies};
pub use error::{ApiError, ErrorBody, ErrorCode, ErrorDetail, FieldDetail};
pub use login_throttle::LoginThrottle;
pub use openapi::api_doc;
pub use state::{AppState, WhatsAppProvider};

/// Largest JSON request body accepted; bigger bodies get 413 `payload_too_large`.
pub const JSON_BODY_LIMIT: usize = 256 * 1024;

/// Requests one client address may have in progress at once, by default: room for an office
/// behind one NAT (browsers open up to six connections per agent) and for the mock provider,
/// which posts up to 64 status webhooks at once to its own server over loopback, while one
/// address holds at most a fortieth of the default connection cap.
pub const DEFAULT_REQUESTS_PER_ADDRESS: usize = 256;

/// What keeps slow and greedy clients from starving the others.
#[derive(Debug, Clone)]
pub struct ClientLimits {
    pub body: BodyTimeouts,
    /// Shared by every worker, so the cap holds across them.
    pub per_address: Arc<AddressGate>,
}

impl Default for ClientLimits {
    fn default() -> Self {
        Self {
            body: BodyTimeouts::DEFAULT,
            per_address: AddressGate::new(DEFAULT_REQUESTS_PER_ADDRESS),
        }
    }
}

/// [`app_with_limits`] with the default [`ClientLimits`], a gate of its own included.
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    app_with_limits(state, ClientLimits::default())
}

/// The whole application for one actix worker: API routes, `/openapi.json`, Swagger UI at
/// `/docs`, the admin app at `/` when built, JSON errors for unknown routes and wrong methods,
/// request ids and logging, request bodies bound in time and requests per address capped.
pub fn app_with_limits(
    state: AppState,
    limits: ClientLimits,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, doc) = App::new()
        .into_utoipa_app()
        .openapi(openapi::base_doc())
        .configure(routes::register)
        .split_for_parts();
    let doc = openapi::finish(doc);
    let route_table = fallback::RouteTable::from_doc(&doc);
    app.app_data(web::Data::new(state))
        .app_data(web::Data::new(route_table))
        .app_data(error::json_config())
        .app_data(error::path_config())
        .app_data(error::query_config())
        // Raw bodies are read only by the webhook, whose deliveries can reach 3 MB.
        .app_data(web::PayloadConfig::new(routes::webhook::WEBHOOK_BODY_LIMIT))
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", doc))
        .service(web::redirect("/docs", "/docs/"))
        .default_service(web::to(fallback::not_found_or_wrong_method))
        .app_data(web::Data::new(limits.body))
        .app_data(web::Data::from(limits.per_address))
        .wrap(actix_web::middleware::from_fn(body_deadline::body_deadline))
        .wrap(actix_web::middleware::from_fn(address_limit::address_limit))
        .wrap(actix_web::middleware::from_fn(error::json_errors_only))
        .wrap(actix_web::middleware::from_fn(request_log::request_log))
}
