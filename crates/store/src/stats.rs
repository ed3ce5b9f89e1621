//! [`StatsRepository`] on the store: the dashboard's counts.

use async_trait::async_trait;
use diesel::prelude::*;
use switchboard_domain::error::RepoError;
use switchboard_domain::numbers::model::BusinessNumberId;
use switchboard_domain::stats::model::Stats;
use switchboard_domain::stats::ports::StatsRepository;

use crate::conn::on_backend;
use crate::schema::{conversations, messages};
use crate::store::Store;

#[async_trait]
impl StatsRepository for Store {
    async fn stats(&self, number: BusinessNumberId) -> Result<Stats, RepoError> {
        self.run(move |conn| {
            on_backend!(conn, |conn| {
                let by_status: Vec<(String, i64)> = conversations::table
                    .filter(conversations::business_number_id.eq(number.0))
                    .group_by(conversations::status)
                    .select((conversations::status, diesel::dsl::count_star()))
                    .load(conn)?;
                let by_direction: Vec<(String, i64)> = messages::table
                    .inner_join(conversations::table)
                    .filter(conversations::business_number_id.eq(number.0))
                    .group_by(messages::direction)
                    .select((messages::direction, diesel::dsl::count_star()))
                    .load(conn)?;
                let count = |rows: &[(String, i64)], key: &str| {
                    rows.iter()
                        .find(|(k, _)| k == key)
                        .map_or(0, |(_, n)| n.unsigned_abs())
                };
                let open = count(&by_status, "open");
                let pending = count(&by_status, "pending");
                let resolved = count(&by_status, "resolved");
                Ok(Stats {
                    conversations: open + pending + resolved,
                    open,
                    pending,
                    resolved,
                    messages_sent: count(&by_direction, "outbound"),
                    messages_received: count(&by_direction, "inbound"),
                })
            })
        })
        .await
    }
}
