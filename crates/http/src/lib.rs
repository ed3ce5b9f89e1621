//! The actix-web HTTP layer: thin handlers over the domain's use cases, one JSON error shape,
//! bearer-token authentication, request ids and logging, and the OpenAPI document generated
//! from the handlers themselves.

mod admin_app;
mod caller;
mod error;
mod fallback;
mod field_schemas;
mod json_body;
mod objects_only;
mod openapi;
mod request_log;
mod routes;
mod state;
mod validation;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, web};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

pub use error::{ApiError, ErrorBody, ErrorDetail, FieldDetail};
pub use openapi::api_doc;
pub use state::AppState;

/// Largest JSON request body accepted; bigger bodies get 413 `payload_too_large`.
pub const JSON_BODY_LIMIT: usize = 256 * 1024;

/// The whole application for one actix worker: API routes, `/openapi.json`, Swagger UI at
/// `/docs`, the admin app at `/` when built, JSON errors for unknown routes and wrong methods,
/// request ids and logging.
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
        .wrap(actix_web::middleware::from_fn(error::json_errors_only))
        .wrap(actix_web::middleware::from_fn(request_log::request_log))
}
