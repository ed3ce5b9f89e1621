//! Time as a port, so rules that depend on "now" (lockouts, token expiry) are testable.

use crate::Timestamp;

/// The source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant. Infallible.
    fn now(&self) -> Timestamp;
}

/// The system's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        chrono::Utc::now()
    }
}
