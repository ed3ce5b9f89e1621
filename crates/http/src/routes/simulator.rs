//! The customer simulator (mock WhatsApp provider only): play the customer.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use switchboard_domain::numbers::model::{BusinessNumberId, E164};
use switchboard_domain::outbound::content::MessageText;
use switchboard_domain::users::model::Role;
use utoipa::ToSchema;

use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::field_schemas;
use crate::json_body::JsonBody;
use crate::state::AppState;
use crate::validation::AllValid;

/// A customer message to deliver: `from` is the customer's number.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulatedInboundRequest {
    pub business_number_id: i64,
    #[schema(schema_with = field_schemas::phone)]
    pub from: String,
    /// The customer's WhatsApp profile name.
    #[schema(example = "Sheena Nelson")]
    pub name: Option<String>,
    #[schema(schema_with = field_schemas::message_text)]
    pub text: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SimulatedInboundReceipt {
    /// The WhatsApp id the mock gave the message; it is stored when this answers.
    pub wamid: String,
}

/// Play the customer: the mock WhatsApp provider delivers a text message to the business
/// number through the signed webhook, exactly as Meta would. Only with
/// `SWITCHBOARD_WHATSAPP_PROVIDER=mock`.
#[utoipa::path(
    tag = "simulator",
    security(("bearer" = [])),
    request_body = SimulatedInboundRequest,
    responses(
        (status = 201, description = "The customer's message, delivered to the webhook and stored", body = SimulatedInboundReceipt),
        (status = 403, description = "`forbidden`: viewers cannot simulate customers", body = ErrorBody),
        (status = 404, description = "`not_found`: no such number, the caller is not a member, or the provider is not the mock", body = ErrorBody),
        (status = 502, description = "`simulation_failed`: the webhook did not accept the delivery", body = ErrorBody),
    )
)]
#[post("/simulator/inbound")]
pub(crate) async fn simulate_inbound(
    caller: Caller,
    state: web::Data<AppState>,
    body: JsonBody<SimulatedInboundRequest>,
) -> Result<HttpResponse, ApiError> {
    let simulator = state.simulator.as_ref().ok_or_else(|| {
        ApiError::not_found("the simulator exists only with the mock WhatsApp provider")
    })?;
    let actor = caller.actor();
    let number = state
        .numbers
        .get(&actor, BusinessNumberId(body.business_number_id))
        .await?;
    if actor.role == Role::Viewer {
        return Err(ApiError::forbidden("viewers cannot simulate customers"));
    }
    let (from, text) = (
        E164::parse("from", &body.from),
        MessageText::parse("text", body.text.clone()),
    )
        .all_valid()?;
    let wamid = simulator
        .deliver_inbound(
            &number.phone_number_id,
            &number.display_phone_number,
            from.as_str().trim_start_matches('+'),
            body.name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty()),
            text.as_str(),
        )
        .await
        .map_err(|e| ApiError::new(StatusCode::BAD_GATEWAY, ErrorCode::SimulationFailed, e))?;
    Ok(HttpResponse::Created().json(SimulatedInboundReceipt { wamid }))
}
