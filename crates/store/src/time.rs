//! Domain times to and from the store's [`Millis`].

use switchboard_domain::Timestamp;

use crate::sql_types::Millis;

pub(crate) fn to_millis(t: Timestamp) -> Millis {
    Millis(t.timestamp_millis())
}

pub(crate) fn from_millis(ms: Millis) -> Timestamp {
    chrono::DateTime::from_timestamp_millis(ms.0).unwrap_or_default()
}
