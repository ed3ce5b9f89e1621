//! [`AwaitingStatusRepository`] on the store: the outbound messages whose statuses are still to
//! come, walked in pages at start-up.

use async_trait::async_trait;
use diesel::prelude::*;
use switchboard_domain::Timestamp;
use switchboard_domain::error::RepoError;
use switchboard_domain::message::{MessageId, MessageStatus};
use switchboard_domain::simulator::ports::{AwaitingStatus, AwaitingStatusRepository};

use crate::conn::on_backend;
use crate::schema::{business_numbers, contacts, conversations, messages};
use crate::store::Store;
use crate::time::to_millis;

/// The statuses after which more are still to come.
const AWAITING: [MessageStatus; 3] = [
    MessageStatus::Accepted,
    MessageStatus::Sent,
    MessageStatus::Delivered,
];

/// One message of a page, as selected.
#[derive(Queryable)]
struct AwaitingRow {
    id: i64,
    wamid: Option<String>,
    phone_number_id: String,
    display_phone_number: String,
    recipient: String,
    kind: String,
    status: String,
}

#[async_trait]
impl AwaitingStatusRepository for Store {
    async fn awaiting_statuses(
        &self,
        accepted_before: Timestamp,
        after: Option<MessageId>,
        limit: u32,
    ) -> Result<Vec<AwaitingStatus>, RepoError> {
        self.run(move |conn| {
            on_backend!(conn, |conn| {
                // No index serves the status filter: each page walks the primary key from `after`,
                // so the whole walk reads the table once. An index on the status would cost every
                // status update a write to save a scan made once per start.
                let rows: Vec<AwaitingRow> = messages::table
                    .inner_join(
                        conversations::table
                            .inner_join(contacts::table)
                            .inner_join(business_numbers::table),
                    )
                    .filter(messages::id.gt(after.map_or(0, |id| id.0)))
                    .filter(messages::direction.eq("outbound"))
                    .filter(messages::status.eq_any(AWAITING.map(MessageStatus::as_str)))
                    .filter(messages::wamid.is_not_null())
                    .filter(
                        messages::accepted_at
                            .lt(to_millis(accepted_before))
                            .or(messages::accepted_at.is_null()),
                    )
                    .order(messages::id)
                    .limit(i64::from(limit))
                    .select((
                        messages::id,
                        messages::wamid,
                        business_numbers::phone_number_id,
                        business_numbers::display_phone_number,
                        contacts::wa_id,
                        messages::kind,
                        messages::status,
                    ))
                    .load(conn)?;
                let mut page = Vec::with_capacity(rows.len());
                for row in rows {
                    // The filter above keeps only messages with an id.
                    let Some(wamid) = row.wamid else { continue };
                    let status = row
                        .status
                        .parse::<MessageStatus>()
                        .map_err(|e| RepoError::broken(format!("message {}: {e}", row.id)))?;
                    page.push(AwaitingStatus {
                        message_id: MessageId(row.id),
                        wamid,
                        phone_number_id: row.phone_number_id,
                        display_phone_number: row.display_phone_number,
                        recipient: row.recipient,
                        kind: row.kind,
                        status,
                    });
                }
                Ok(page)
            })
        })
        .await
    }
}
