//! What this server is: version and WhatsApp provider, for clients that adapt to it.

use actix_web::{get, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::caller::Caller;
use crate::state::{AppState, WhatsAppProvider};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AboutDto {
    /// Switchboard's version.
    #[schema(example = "0.1.0")]
    pub version: &'static str,
    /// `mock` (the built-in simulator) or `cloud` (Meta's WhatsApp Cloud API).
    pub whatsapp_provider: WhatsAppProvider,
    /// Whether `POST /simulator/inbound` is available (the mock provider only).
    pub simulator: bool,
}

/// The server's version and WhatsApp provider.
#[utoipa::path(
    tag = "health",
    security(("bearer" = [])),
    responses((status = 200, description = "The server's version and provider", body = AboutDto))
)]
#[get("/about")]
pub(crate) async fn about(_caller: Caller, state: web::Data<AppState>) -> web::Json<AboutDto> {
    web::Json(AboutDto {
        version: env!("CARGO_PKG_VERSION"),
        whatsapp_provider: state.whatsapp_provider,
        simulator: state.simulator.is_some(),
    })
}
