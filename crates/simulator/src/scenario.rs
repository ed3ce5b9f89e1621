//! The deterministic fate of each test number and the status webhooks that follow an accepted
//! message (see the tables in the [module docs](super)).

use std::time::Duration;

/// How many sends to a `…0429` recipient hit the rate limit before one goes through.
pub(super) const RATE_LIMITED_SENDS: u32 = 2;
/// How long Meta is taken to ask a `…0429` sender to wait.
pub(super) const RATE_LIMITED_RETRY_AFTER: Duration = Duration::from_secs(1);

/// The behaviour a recipient's last four digits select.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TestNumber {
    /// `…0000`: refused at once with 131026.
    Undeliverable,
    /// `…0047`: the 24-hour window is always closed; free-form messages fail asynchronously
    /// with 131047.
    OutsideWindow,
    /// `…0429`: the first sends hit the rate limit.
    RateLimited,
    /// `…0500`: Meta's servers are down for this recipient.
    Unavailable,
    /// `…0002`: `delivered` never arrives.
    SkipsDelivered,
    /// `…0003`: accepted, and then no status webhook ever comes, so a test (or the benchmark)
    /// can deliver the statuses itself.
    Silent,
    /// Anything else: the happy path.
    Ordinary,
}

impl TestNumber {
    /// The behaviour of the recipient with WhatsApp id `wa_id`.
    pub(super) fn of(wa_id: &str) -> Self {
        [
            ("0000", Self::Undeliverable),
            ("0047", Self::OutsideWindow),
            ("0429", Self::RateLimited),
            ("0500", Self::Unavailable),
            ("0002", Self::SkipsDelivered),
            ("0003", Self::Silent),
        ]
        .into_iter()
        .find_map(|(suffix, number)| wa_id.ends_with(suffix).then_some(number))
        .unwrap_or(Self::Ordinary)
    }
}

/// A status webhook the simulator posts about an accepted message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Report {
    Sent,
    Delivered,
    Read,
    /// `failed` with 131047: the 24-hour customer-service window had closed.
    FailedOutsideWindow,
}

impl Report {
    /// The `status` value Meta writes.
    pub(super) fn status(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::FailedOutsideWindow => "failed",
        }
    }
}

impl Report {
    /// How far along the message it reports: a `failed` stands where `sent` would.
    fn rank(self) -> u8 {
        match self {
            Self::Sent | Self::FailedOutsideWindow => 1,
            Self::Delivered => 2,
            Self::Read => 3,
        }
    }
}

/// The last status of a message that its receiver took, when the engine resumes the reports
/// of a message it accepted before a restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reached {
    Accepted,
    Sent,
    Delivered,
}

impl Reached {
    fn rank(self) -> u8 {
        match self {
            Self::Accepted => 0,
            Self::Sent => 1,
            Self::Delivered => 2,
        }
    }
}

/// The reports of `reports` that come after `reached`, each with its own delay (so the first
/// still owed comes its usual delay after the resumption).
pub(super) fn remaining(
    reports: Vec<(Duration, Report)>,
    reached: Reached,
) -> Vec<(Duration, Report)> {
    reports
        .into_iter()
        .filter(|(_, report)| report.rank() > reached.rank())
        .collect()
}

/// The status webhooks that follow an accepted message, each with its delay after the previous
/// one. `delays` are those before `sent`, `delivered` and `read`.
pub(super) fn reports(
    number: TestNumber,
    outside_window: bool,
    delays: [Duration; 3],
) -> Vec<(Duration, Report)> {
    let [to_sent, to_delivered, to_read] = delays;
    if outside_window {
        // Meta takes the message and only then finds the window closed: one failure, no `sent`.
        return vec![(to_sent, Report::FailedOutsideWindow)];
    }
    match number {
        TestNumber::Silent => Vec::new(),
        // Read still comes when it would have, as if delivery had happened unreported.
        TestNumber::SkipsDelivered => vec![
            (to_sent, Report::Sent),
            (to_delivered.saturating_add(to_read), Report::Read),
        ],
        _ => vec![
            (to_sent, Report::Sent),
            (to_delivered, Report::Delivered),
            (to_read, Report::Read),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DELAYS: [Duration; 3] = [Duration::ZERO; 3];

    #[test]
    fn a_silent_recipient_is_accepted_and_then_hears_nothing() {
        assert_eq!(TestNumber::of("15550000003"), TestNumber::Silent);
        assert!(reports(TestNumber::Silent, false, DELAYS).is_empty());
    }

    fn remaining_statuses(
        number: TestNumber,
        outside: bool,
        reached: Reached,
    ) -> Vec<&'static str> {
        remaining(reports(number, outside, DELAYS), reached)
            .into_iter()
            .map(|(_, r)| r.status())
            .collect()
    }

    #[test]
    fn a_resumed_message_gets_only_the_statuses_after_the_one_its_receiver_took() {
        use Reached::{Accepted, Delivered, Sent};
        let ordinary = TestNumber::Ordinary;
        assert_eq!(
            remaining_statuses(ordinary, false, Accepted),
            ["sent", "delivered", "read"]
        );
        assert_eq!(
            remaining_statuses(ordinary, false, Sent),
            ["delivered", "read"]
        );
        assert_eq!(remaining_statuses(ordinary, false, Delivered), ["read"]);
        assert_eq!(
            remaining_statuses(TestNumber::SkipsDelivered, false, Sent),
            ["read"]
        );
        assert!(remaining_statuses(TestNumber::Silent, false, Accepted).is_empty());
        assert_eq!(
            remaining_statuses(TestNumber::OutsideWindow, true, Accepted),
            ["failed"]
        );
        assert!(remaining_statuses(TestNumber::OutsideWindow, true, Sent).is_empty());
    }

    #[test]
    fn an_ordinary_recipient_gets_sent_delivered_and_read_in_order() {
        assert_eq!(TestNumber::of("15550000001"), TestNumber::Ordinary);
        let statuses: Vec<_> = reports(TestNumber::Ordinary, false, DELAYS)
            .into_iter()
            .map(|(_, r)| r.status())
            .collect();
        assert_eq!(statuses, ["sent", "delivered", "read"]);
    }
}
