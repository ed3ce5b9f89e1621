//! [`AwaitingStatusRepository`] on the store: the outbound messages whose statuses are still to
//! come, walked in pages at start-up.

use async_trait::async_trait;
use diesel::prelude::*;
use switchboard_domain::Timestamp;
use switchboard_domain::error::RepoError;
use switchboard_domain::message::{MessageId, MessageStatus};
use switchboard_domain::ports::{AwaitingStatus, AwaitingStatusRepository};

use crate::schema::{business_numbers, contacts, conversations, messages};
use crate::sqlite::Store;
use crate::time::to_millis;

/// The statuses after which more are still to come.
const AWAITING: [MessageStatus; 3] = [
    MessageStatus::Accepted,
    MessageStatus::Sent,
    MessageStatus::Delivered,
];

#[async_trait]
impl AwaitingStatusRepository for Store {
    async fn awaiting_statuses(
        &self,
        accepted_before: Timestamp,
        after: Option<MessageId>,
        limit: u32,
    ) -> Result<Vec<AwaitingStatus>, RepoError> {
        self.run(move |conn| {
            // No index serves the status filter: each page walks the primary key from `after`,
            // so the whole walk reads the table once. An index on the status would cost every
            // status update a write to save a scan made once per start.
            let rows: Vec<(i64, Option<String>, String, String, String, String, String)> =
                messages::table
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
            rows.into_iter()
                .filter_map(
                    |(id, wamid, phone_number_id, display, recipient, kind, status)| {
                        Some((
                            id,
                            wamid?,
                            phone_number_id,
                            display,
                            recipient,
                            kind,
                            status,
                        ))
                    },
                )
                .map(
                    |(
                        id,
                        wamid,
                        phone_number_id,
                        display_phone_number,
                        recipient,
                        kind,
                        status,
                    )| {
                        let status = status
                            .parse::<MessageStatus>()
                            .map_err(|e| RepoError::Unexpected(format!("message {id}: {e}")))?;
                        Ok(AwaitingStatus {
                            message_id: MessageId(id),
                            wamid,
                            phone_number_id,
                            display_phone_number,
                            recipient,
                            kind,
                            status,
                        })
                    },
                )
                .collect::<Result<Vec<_>, RepoError>>()
                .map_err(Into::into)
        })
        .await
    }
}
