//! Moving a message's delivery status forward in SQL, so that statuses applied side by side (in
//! one batch, or on several instances at once) end at the furthest one, with the time of each.

use diesel::prelude::*;
use switchboard_domain::message::{DeliveryError, MessageStatus};

use crate::conn::{Conn, on_backend};
use crate::error::Fail;
use crate::prepared::Prepared;
use crate::schema::messages;
use crate::sql_types::Millis;

/// What applying a status did to the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatusChange {
    /// The message moved to the status.
    Advanced,
    /// The message was past the status already (it arrived late): only its time was kept.
    TimeKept,
    /// Nothing: a repeat, or a status the message can no longer take.
    Unchanged,
}

/// Moves message `id` to `status` at Meta's time `at` when the domain's rule allows it from the
/// status the row holds at that moment (the rule is the `UPDATE`'s guard, not a check before
/// it). A status arriving after a later one keeps its time in its own column if that is empty.
pub(crate) fn advance_status(
    mut conn: Conn<'_>,
    id: i64,
    status: MessageStatus,
    at: Millis,
    error: Option<&DeliveryError>,
) -> Result<StatusChange, Fail> {
    let from: Vec<&'static str> = MessageStatus::ALL
        .into_iter()
        .filter(|s| s.can_advance_to(status))
        .map(MessageStatus::as_str)
        .collect();
    on_backend!(&mut conn, |conn| {
        let row = messages::table
            .find(id)
            .filter(messages::status.eq_any(&from));
        let name = messages::status.eq(status.as_str());
        let key = messages::id;
        let advanced = match status {
            MessageStatus::Accepted => Prepared(
                diesel::update(row)
                    .set((name, messages::accepted_at.eq(at)))
                    .returning(key),
            )
            .changed(conn)?,
            MessageStatus::Sent => Prepared(
                diesel::update(row)
                    .set((name, messages::sent_status_at.eq(at)))
                    .returning(key),
            )
            .changed(conn)?,
            MessageStatus::Delivered => Prepared(
                diesel::update(row)
                    .set((name, messages::delivered_at.eq(at)))
                    .returning(key),
            )
            .changed(conn)?,
            MessageStatus::Read => Prepared(
                diesel::update(row)
                    .set((name, messages::read_at.eq(at)))
                    .returning(key),
            )
            .changed(conn)?,
            MessageStatus::Failed => Prepared(
                diesel::update(row)
                    .set((
                        name,
                        messages::failed_at.eq(at),
                        messages::error_code.eq(error.map(|e| e.code)),
                        messages::error_title.eq(error.and_then(|e| e.title.clone())),
                        messages::error_details.eq(error.and_then(|e| e.details.clone())),
                    ))
                    .returning(key),
            )
            .changed(conn)?,
            // Never a delivery status: nothing moves a message back to these.
            MessageStatus::Received | MessageStatus::Queued => 0,
        };
        if advanced == 1 {
            return Ok(StatusChange::Advanced);
        }
        // Late only if the message is further along the road than this status would take it.
        let past: Vec<&'static str> = MessageStatus::ALL
            .into_iter()
            .filter(|s| status.can_advance_to(*s))
            .map(MessageStatus::as_str)
            .collect();
        let message = messages::table
            .find(id)
            .filter(messages::status.eq_any(&past));
        let kept = match status {
            MessageStatus::Sent => Prepared(
                diesel::update(message.filter(messages::sent_status_at.is_null()))
                    .set(messages::sent_status_at.eq(at))
                    .returning(key),
            )
            .changed(conn)?,
            MessageStatus::Delivered => Prepared(
                diesel::update(message.filter(messages::delivered_at.is_null()))
                    .set(messages::delivered_at.eq(at))
                    .returning(key),
            )
            .changed(conn)?,
            MessageStatus::Read => Prepared(
                diesel::update(message.filter(messages::read_at.is_null()))
                    .set(messages::read_at.eq(at))
                    .returning(key),
            )
            .changed(conn)?,
            // Ours, not Meta's (accepted), or the end of the road (failed): no late arrivals.
            MessageStatus::Accepted
            | MessageStatus::Failed
            | MessageStatus::Received
            | MessageStatus::Queued => 0,
        };
        Ok(if kept == 1 {
            StatusChange::TimeKept
        } else {
            StatusChange::Unchanged
        })
    })
}
