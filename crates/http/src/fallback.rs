//! Unknown routes and wrong methods: 404 `not_found` or 405 `method_not_allowed` with `Allow`,
//! unless the admin app answers the path.
//!
//! actix registers each handler as its own guarded resource, so a wrong method would fall
//! through to "not found". The route table is built from the OpenAPI document, the one
//! complete list of our paths and methods, so it cannot drift from the handlers.

use actix_router::ResourceDef;
use actix_web::{HttpRequest, HttpResponse, web};
use utoipa::openapi::OpenApi;

use crate::error::ApiError;
use crate::state::AppState;

/// Every documented path with the methods it answers.
#[derive(Debug)]
pub(crate) struct RouteTable(Vec<(ResourceDef, Vec<String>)>);

impl RouteTable {
    pub(crate) fn from_doc(doc: &OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods: Vec<String> = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter(|(_, present)| *present)
                .map(|(m, _)| m.to_owned())
                .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        Self(routes)
    }

    fn allowed(&self, path: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, methods)| methods.join(", "))
    }
}

/// The admin app for its pages and files when it is built; otherwise a JSON 404 or 405.
pub(crate) async fn not_found_or_wrong_method(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if let Some(dir) = &state.admin_dir
        && routes.allowed(req.path()).is_none()
        && let Some(page) = crate::admin_app::serve(&req, dir).await
    {
        return Ok(page);
    }
    Err(match routes.allowed(req.path()) {
        Some(allowed) => ApiError::method_not_allowed(&allowed),
        None => ApiError::not_found(format!("no route for {}", req.path())),
    })
}
