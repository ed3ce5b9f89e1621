//! A limit on sign-in attempts per client address, across usernames.
//!
//! The per-username lock-out stops guessing one account's password; it does nothing against
//! one address trying a leaked password list across many accounts (credential stuffing). This
//! keeps a token bucket per client address (`governor`'s GCRA, a well-kept implementation
//! rather than our own), checked before any password is.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

/// Checks between two sweeps of addresses whose buckets are full again, so the map holds
/// about as many addresses as tried to sign in recently.
const SWEEP_EVERY: u64 = 4096;

/// Sign-in attempts allowed per client address.
pub struct LoginThrottle {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
    checks: AtomicU64,
}

impl std::fmt::Debug for LoginThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginThrottle").finish_non_exhaustive()
    }
}

impl LoginThrottle {
    /// `per_minute` attempts per address, all of which may come at once, refilled evenly over
    /// the minute.
    pub fn new(per_minute: NonZeroU32) -> Self {
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            clock: DefaultClock::default(),
            checks: AtomicU64::new(0),
        }
    }

    /// Takes one attempt from `client`'s budget (see [`crate::TrustedProxies::client_of`]).
    ///
    /// # Errors
    /// 429 `too_many_sign_in_attempts` with `Retry-After` when the budget is spent. A request
    /// without a client address (only built in-process) is not limited.
    pub fn check(&self, client: Option<IpAddr>) -> Result<(), ApiError> {
        let Some(client) = client else {
            return Ok(());
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&client).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            ApiError::too_many_sign_in_attempts(wait.as_secs() + 1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(client: &str) -> Option<IpAddr> {
        Some(client.parse().unwrap())
    }

    #[test]
    fn an_address_gets_its_budget_and_then_429_with_retry_after() {
        let throttle = LoginThrottle::new(NonZeroU32::new(3).unwrap());
        for _ in 0..3 {
            assert!(throttle.check(from("203.0.113.7")).is_ok());
        }
        assert!(throttle.check(None).is_ok(), "no address, no limit");
        let refused = throttle.check(from("203.0.113.7")).unwrap_err();
        let response = actix_web::ResponseError::error_response(&refused);
        assert_eq!(response.status(), 429);
        let retry_after: u64 = response
            .headers()
            .get("retry-after")
            .unwrap()
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry_after), "{retry_after}");
        // Another address has a budget of its own.
        assert!(throttle.check(from("198.51.100.1")).is_ok());
    }
}
