//! How the mock gateway is configured: where our webhook is, the secret it signs with, and how
//! fast the statuses of a sent message follow one another.

use std::fmt;
use std::time::Duration;

/// The configuration of a [`MockGateway`](super::MockGateway).
#[derive(Clone)]
pub struct MockSettings {
    /// Our own webhook, e.g. `http://127.0.0.1:8080/webhooks/whatsapp`. It can be replaced later
    /// with [`MockGateway::set_callback_url`](super::MockGateway::set_callback_url), for when the
    /// server's port is known only after binding.
    pub callback_url: String,
    /// The Meta app secret the webhook verifies `X-Hub-Signature-256` with.
    pub app_secret: Vec<u8>,
    /// How long before the `sent`, `delivered` and `read` webhooks of an accepted message, each
    /// counted from the previous one.
    pub status_delays: [Duration; 3],
}

impl MockSettings {
    /// Statuses that reach `read` in 2.5 s: the simulator's
    /// [`DEFAULT_STATUS_DELAYS`](crate::DEFAULT_STATUS_DELAYS).
    pub const DEFAULT_STATUS_DELAYS: [Duration; 3] = crate::DEFAULT_STATUS_DELAYS;
}

impl fmt::Debug for MockSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockSettings")
            .field("callback_url", &self.callback_url)
            .field("status_delays", &self.status_delays)
            .finish_non_exhaustive()
    }
}

/// Reads the status delays from `SWITCHBOARD_MOCK_STATUS_DELAYS_MS`: three whole numbers of
/// milliseconds, `sent,delivered,read`, e.g. `300,700,1500` (or `0,0,0` in tests). Spaces around
/// the numbers are ignored.
///
/// # Errors
/// A message naming the problem when there are not exactly three values, or when one of them is
/// negative or not a whole number.
pub fn parse_status_delays(text: &str) -> Result<[Duration; 3], String> {
    let values: Vec<&str> = text.split(',').map(str::trim).collect();
    let [sent, delivered, read] = values[..] else {
        return Err(format!(
            "expected 3 comma-separated millisecond values (sent,delivered,read), got {} in {text:?}",
            values.len()
        ));
    };
    Ok([
        milliseconds("sent", sent)?,
        milliseconds("delivered", delivered)?,
        milliseconds("read", read)?,
    ])
}

fn milliseconds(status: &str, value: &str) -> Result<Duration, String> {
    if value.starts_with('-') {
        return Err(format!(
            "the {status} delay {value:?} is negative; delays are milliseconds from 0 up"
        ));
    }
    value
        .parse()
        .map(Duration::from_millis)
        .map_err(|_| format!("the {status} delay {value:?} is not a whole number of milliseconds"))
}
