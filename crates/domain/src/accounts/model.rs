//! Sessions: short-lived access tokens, rotating refresh tokens grouped in families, and the
//! login lock-out policy.

use std::fmt;

use chrono::Duration;

use crate::Timestamp;
use crate::users::model::UserId;

/// One sign-in: every refresh token rotated from the same login shares the family, so reuse
/// of a spent token can revoke all of them at once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionId(pub String);

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A refresh token as handed to the client: an opaque random string. Never stored; never
/// shown in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken(pub String);

impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RefreshToken(**redacted**)")
    }
}

/// The one-way digest of a refresh token: the only form the store keeps.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenDigest(pub String);

/// What a verified access token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessClaims {
    pub user_id: UserId,
    pub session_id: SessionId,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A signed access token and when it expires.
#[derive(Clone)]
pub struct AccessToken {
    pub token: String,
    pub expires_at: Timestamp,
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"**redacted**")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// A refresh token to persist: its digest, its family and its expiry.
#[derive(Debug, Clone)]
pub struct NewRefreshToken {
    pub digest: TokenDigest,
    pub session_id: SessionId,
    pub user_id: UserId,
    pub expires_at: Timestamp,
}

/// What the store found when asked to rotate a refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// The token was live: it is now spent and its successor is stored.
    Rotated {
        user_id: UserId,
        session_id: SessionId,
    },
    /// The token had already been spent: the whole family is now revoked.
    Reused { session_id: SessionId },
    /// Unknown, expired, or its family was revoked (logout, password change, deactivation).
    Invalid,
}

/// Lifetimes of the two tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLifetimes {
    pub access: Duration,
    pub refresh: Duration,
}

impl Default for TokenLifetimes {
    fn default() -> Self {
        Self {
            access: Duration::minutes(15),
            refresh: Duration::days(30),
        }
    }
}

/// Brute-force protection: after `max_failures` failed logins for one username within
/// `window`, further attempts are refused until the oldest of them leaves the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: usize,
    pub window: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window: Duration::minutes(15),
        }
    }
}

impl LockoutPolicy {
    /// The start of the window that counts at `now`.
    pub fn window_start(&self, now: Timestamp) -> Timestamp {
        now - self.window
    }

    /// Given the failure times inside the window (any order), how long the username stays
    /// locked, or `None` if an attempt may go ahead. The wait is rounded up to whole seconds
    /// so a client that honours `Retry-After` is never early.
    pub fn locked_for(&self, failures: &[Timestamp], now: Timestamp) -> Option<Duration> {
        if self.max_failures == 0 || failures.len() < self.max_failures {
            return None;
        }
        let mut recent: Vec<Timestamp> = failures
            .iter()
            .copied()
            .filter(|t| *t > self.window_start(now))
            .collect();
        if recent.len() < self.max_failures {
            return None;
        }
        recent.sort_unstable();
        // Unlocks when the count inside the window drops below the limit, i.e. when the
        // failure `max_failures` places from the newest leaves the window.
        let pivot = recent[recent.len() - self.max_failures];
        let wait = pivot + self.window - now;
        let secs = (wait.num_milliseconds() + 999) / 1000;
        Some(Duration::seconds(secs.max(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(secs: i64) -> Timestamp {
        chrono::Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn four_failures_do_not_lock() {
        let policy = LockoutPolicy::default();
        let failures: Vec<_> = (0..4).map(at).collect();
        assert_eq!(policy.locked_for(&failures, at(10)), None);
    }

    #[test]
    fn fifth_failure_locks_until_the_first_leaves_the_window() {
        let policy = LockoutPolicy::default();
        let failures: Vec<_> = (0..5).map(|i| at(i * 60)).collect();
        // The first failure was at 0 s; it leaves the 15-minute window at 900 s.
        assert_eq!(
            policy.locked_for(&failures, at(300)),
            Some(Duration::seconds(600))
        );
        assert_eq!(policy.locked_for(&failures, at(900)), None);
    }

    #[test]
    fn failures_outside_the_window_do_not_count() {
        let policy = LockoutPolicy::default();
        let failures: Vec<_> = (0..5).map(|i| at(i * 300)).collect();
        // At 1250 s the failure at 0 s is older than 15 minutes: only 4 remain.
        assert_eq!(policy.locked_for(&failures, at(1250)), None);
    }

    proptest! {
        #[test]
        fn a_locked_user_is_unlocked_exactly_when_the_wait_has_passed(
            offsets in proptest::collection::vec(0i64..900, 5..12),
            now_offset in 0i64..60,
        ) {
            let policy = LockoutPolicy::default();
            let failures: Vec<_> = offsets.iter().map(|s| at(*s)).collect();
            let now = at(offsets.iter().copied().max().unwrap() + now_offset);
            if let Some(wait) = policy.locked_for(&failures, now) {
                prop_assert!(wait > Duration::zero());
                prop_assert!(wait <= policy.window);
                prop_assert_eq!(policy.locked_for(&failures, now + wait), None);
            }
        }

        #[test]
        fn fewer_failures_than_the_limit_never_lock(
            offsets in proptest::collection::vec(0i64..900, 0..5),
        ) {
            let policy = LockoutPolicy::default();
            let failures: Vec<_> = offsets.iter().map(|s| at(*s)).collect();
            prop_assert_eq!(policy.locked_for(&failures, at(900)), None);
        }
    }
}
