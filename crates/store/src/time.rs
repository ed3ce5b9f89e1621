//! Times are stored as epoch milliseconds.

use switchboard_domain::Timestamp;

pub(crate) fn to_millis(t: Timestamp) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_millis(ms: i64) -> Timestamp {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
