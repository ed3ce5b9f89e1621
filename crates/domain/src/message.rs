//! Messages, their delivery status and the 24-hour customer-service window (design guide §3).

use std::fmt;
use std::str::FromStr;

use chrono::Duration;

use crate::Timestamp;

/// A message's numeric id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(pub i64);

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From the customer, delivered by the webhook.
    Inbound,
    /// From an agent (or the business), sent through the gateway.
    Outbound,
}

/// Where a message stands. Inbound messages are `Received`; outbound ones move forward only,
/// `Queued < Accepted < Sent < Delivered < Read`, and may end `Failed` from `Queued`,
/// `Accepted` or `Sent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageStatus {
    Received,
    /// Stored, waiting for the dispatcher.
    Queued,
    /// The Cloud API took it and gave it a WhatsApp id.
    Accepted,
    Sent,
    Delivered,
    Read,
    /// Terminal; carries Meta's error.
    Failed,
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 7] = [
        MessageStatus::Received,
        MessageStatus::Queued,
        MessageStatus::Accepted,
        MessageStatus::Sent,
        MessageStatus::Delivered,
        MessageStatus::Read,
        MessageStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Received => "received",
            MessageStatus::Queued => "queued",
            MessageStatus::Accepted => "accepted",
            MessageStatus::Sent => "sent",
            MessageStatus::Delivered => "delivered",
            MessageStatus::Read => "read",
            MessageStatus::Failed => "failed",
        }
    }

    /// Position on the outbound road; `None` off it.
    fn rank(self) -> Option<u8> {
        match self {
            MessageStatus::Queued => Some(0),
            MessageStatus::Accepted => Some(1),
            MessageStatus::Sent => Some(2),
            MessageStatus::Delivered => Some(3),
            MessageStatus::Read => Some(4),
            MessageStatus::Received | MessageStatus::Failed => None,
        }
    }

    /// Whether a message in this status may move to `next`. Anything else (a duplicate, an
    /// older status arriving late, anything after `Failed`) is a no-op. `Delivered` may be
    /// skipped: `Read` implies it.
    pub fn can_advance_to(self, next: MessageStatus) -> bool {
        match (self.rank(), next) {
            (None, _) => false,
            (Some(current), MessageStatus::Failed) => current <= 2,
            (Some(current), next) => next.rank().is_some_and(|n| n > current),
        }
    }
}

impl fmt::Display for MessageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text did not name a status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown message status {0:?}")]
pub struct UnknownStatus(pub String);

impl FromStr for MessageStatus {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MessageStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| UnknownStatus(s.to_owned()))
    }
}

/// How long after the customer's last message the business may send free-form messages.
pub const CUSTOMER_SERVICE_WINDOW: Duration = Duration::hours(24);

/// When the customer-service window closes, given the customer's last inbound message time
/// (Meta's timestamp); `None` if the customer never wrote.
pub fn window_expires_at(last_inbound_at: Option<Timestamp>) -> Option<Timestamp> {
    last_inbound_at.map(|t| t + CUSTOMER_SERVICE_WINDOW)
}

/// Whether a free-form (non-template) message may be sent at `now`. The window is half-open:
/// exactly 24 hours after the last inbound message it is closed.
pub fn window_is_open(last_inbound_at: Option<Timestamp>, now: Timestamp) -> bool {
    window_expires_at(last_inbound_at).is_some_and(|expires| now < expires)
}

/// Meta's reason for a failed delivery, as stored on the message.
pub use crate::ingest::model::DeliveryError;

/// A stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: crate::conversation::model::ConversationId,
    pub direction: Direction,
    /// Meta's message type (`text`, `template`, `image`, ..., `unsupported`).
    pub kind: String,
    /// Text, caption or reply title.
    pub text: Option<String>,
    /// The full typed payload as JSON text (Meta's for inbound, ours for outbound).
    pub payload: String,
    /// WhatsApp's id; `None` for an outbound message not accepted yet.
    pub wamid: Option<String>,
    /// The agent who sent an outbound message.
    pub sender_user_id: Option<crate::users::model::UserId>,
    /// Meta's timestamp (inbound) or when the agent sent it (outbound): the thread order.
    pub sent_at: Timestamp,
    pub status: MessageStatus,
    pub accepted_at: Option<Timestamp>,
    pub sent_status_at: Option<Timestamp>,
    pub delivered_at: Option<Timestamp>,
    pub read_at: Option<Timestamp>,
    pub failed_at: Option<Timestamp>,
    pub error: Option<DeliveryError>,
    /// The WhatsApp id of the message this one replies to.
    pub reply_to: Option<String>,
    /// The attached file, if any.
    pub media: Option<MediaAttachment>,
    /// Arrival in Switchboard.
    pub created_at: Timestamp,
}

/// Where a message's file stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaState {
    /// Not downloaded yet (or a download failed and will be retried).
    Pending,
    /// Downloaded, checked and stored; served by the API.
    Stored,
    /// Every download attempt failed; the message is kept.
    Failed,
}

impl MediaState {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaState::Pending => "pending",
            MediaState::Stored => "stored",
            MediaState::Failed => "failed",
        }
    }
}

impl FromStr for MediaState {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pending" => Ok(MediaState::Pending),
            "stored" => Ok(MediaState::Stored),
            "failed" => Ok(MediaState::Failed),
            other => Err(UnknownStatus(other.to_owned())),
        }
    }
}

/// A message's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaAttachment {
    pub state: MediaState,
    pub mime_type: Option<String>,
    pub size: Option<u64>,
    /// Where the media store keeps it, once stored.
    pub key: Option<String>,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }
}

impl FromStr for Direction {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "inbound" => Ok(Direction::Inbound),
            "outbound" => Ok(Direction::Outbound),
            other => Err(UnknownStatus(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MessageStatus::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    const WEBHOOK_STATUSES: [MessageStatus; 4] = [Sent, Delivered, Read, Failed];

    fn apply(mut current: MessageStatus, updates: &[MessageStatus]) -> MessageStatus {
        for next in updates {
            if current.can_advance_to(*next) {
                current = *next;
            }
        }
        current
    }

    fn permutations(items: &[MessageStatus]) -> Vec<Vec<MessageStatus>> {
        if items.len() <= 1 {
            return vec![items.to_vec()];
        }
        let mut all = Vec::new();
        for (i, first) in items.iter().enumerate() {
            let mut rest = items.to_vec();
            rest.remove(i);
            for mut tail in permutations(&rest) {
                tail.insert(0, *first);
                all.push(tail);
            }
        }
        all
    }

    #[test]
    fn statuses_round_trip_through_text() {
        for status in MessageStatus::ALL {
            assert_eq!(status.as_str().parse::<MessageStatus>().unwrap(), status);
        }
        assert!("played".parse::<MessageStatus>().is_err());
    }

    #[test]
    fn every_order_of_sent_delivered_read_ends_read() {
        for from in [Queued, Accepted] {
            for order in permutations(&[Sent, Delivered, Read]) {
                assert_eq!(apply(from, &order), Read, "{from:?} then {order:?}");
            }
            for order in permutations(&[Sent, Read]) {
                assert_eq!(apply(from, &order), Read, "delivered skipped: {order:?}");
            }
        }
    }

    #[test]
    fn failed_follows_only_queued_accepted_or_sent_and_is_terminal() {
        assert!(Queued.can_advance_to(Failed));
        assert!(Accepted.can_advance_to(Failed));
        assert!(Sent.can_advance_to(Failed));
        assert!(!Delivered.can_advance_to(Failed));
        assert!(!Read.can_advance_to(Failed));
        for next in MessageStatus::ALL {
            assert!(!Failed.can_advance_to(next), "failed -> {next:?}");
        }
    }

    #[test]
    fn inbound_messages_take_no_delivery_status() {
        for next in MessageStatus::ALL {
            assert!(!Received.can_advance_to(next));
            assert!(!next.can_advance_to(Received), "{next:?} -> received");
        }
    }

    #[test]
    fn duplicates_and_older_statuses_are_no_ops() {
        assert!(!Sent.can_advance_to(Sent));
        assert!(!Read.can_advance_to(Delivered));
        assert!(!Delivered.can_advance_to(Sent));
        assert!(!Sent.can_advance_to(Queued));
    }

    fn at(secs: i64) -> Timestamp {
        chrono::Utc.timestamp_opt(1_750_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn the_window_is_open_at_23_59_and_closed_at_24_00_and_24_01() {
        let last = Some(at(0));
        assert!(window_is_open(last, at(23 * 3600 + 59 * 60)));
        assert!(!window_is_open(last, at(24 * 3600)));
        assert!(!window_is_open(last, at(24 * 3600 + 60)));
        assert_eq!(window_expires_at(last), Some(at(24 * 3600)));
    }

    #[test]
    fn without_an_inbound_message_the_window_is_closed() {
        assert!(!window_is_open(None, at(0)));
        assert_eq!(window_expires_at(None), None);
    }

    fn status() -> impl Strategy<Value = MessageStatus> {
        proptest::sample::select(WEBHOOK_STATUSES.to_vec())
    }

    proptest! {
        #[test]
        fn status_never_moves_backward(updates in proptest::collection::vec(status(), 0..12)) {
            let mut current = Queued;
            for next in updates {
                let before = current;
                if current.can_advance_to(next) {
                    current = next;
                }
                if before == Failed {
                    prop_assert_eq!(current, Failed);
                } else if current != Failed {
                    prop_assert!(current.rank() >= before.rank());
                }
            }
        }

        #[test]
        fn without_failure_the_order_of_updates_does_not_matter(
            updates in proptest::collection::vec(proptest::sample::select(vec![Accepted, Sent, Delivered, Read]), 1..10),
        ) {
            let mut sorted = updates.clone();
            sorted.sort_by_key(|s| s.rank());
            prop_assert_eq!(apply(Queued, &updates), apply(Queued, &sorted));
            prop_assert_eq!(apply(Queued, &updates), *sorted.last().unwrap());
        }

        #[test]
        fn applying_updates_twice_changes_nothing_more(updates in proptest::collection::vec(status(), 0..10)) {
            let once = apply(Queued, &updates);
            prop_assert_eq!(apply(once, &updates), once);
        }

        #[test]
        fn the_window_is_open_exactly_for_24_hours(offset in -100_000i64..200_000) {
            let last = at(0);
            prop_assert_eq!(window_is_open(Some(last), at(offset)), offset < 24 * 3600);
        }
    }
}
