//! The dashboard figures of a business number.

use actix_web::{get, web};
use serde::{Deserialize, Serialize};
use switchboard_domain::numbers::model::BusinessNumberId;
use switchboard_domain::stats::model::Stats;
use utoipa::{IntoParams, ToSchema};

use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    pub business_number_id: i64,
}

/// The figures the admin dashboard shows for one business number.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StatsDto {
    /// Conversations ever created.
    pub conversations_created: u64,
    pub open: u64,
    pub pending: u64,
    pub resolved: u64,
    pub messages_sent: u64,
    pub messages_received: u64,
}

impl From<Stats> for StatsDto {
    fn from(s: Stats) -> Self {
        Self {
            conversations_created: s.conversations,
            open: s.open,
            pending: s.pending,
            resolved: s.resolved,
            messages_sent: s.messages_sent,
            messages_received: s.messages_received,
        }
    }
}

/// The dashboard figures of a business number.
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(StatsParams),
    responses(
        (status = 200, description = "The statistics", body = StatsDto),
        (status = 400, description = "`invalid_query`: `business_number_id` missing or not a number", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    )
)]
#[get("/stats")]
pub(crate) async fn stats(
    caller: Caller,
    state: web::Data<AppState>,
    params: web::Query<StatsParams>,
) -> Result<web::Json<StatsDto>, ApiError> {
    let stats = state
        .stats
        .stats(&caller.actor(), BusinessNumberId(params.business_number_id))
        .await?;
    Ok(web::Json(stats.into()))
}
