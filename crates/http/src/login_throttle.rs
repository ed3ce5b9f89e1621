//! A limit on sign-in attempts per client address, across usernames.
//!
//! The per-username lock-out stops guessing one account's password; it does nothing against
//! one address trying a leaked password list across many accounts (credential stuffing). This
//! keeps a token bucket per client address (`governor`'s GCRA, a well-kept implementation
//! rather than our own), checked before any password is.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::HttpRequest;
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::client_address::TrustedProxies;
use crate::error::ApiError;

/// Checks between two sweeps of addresses whose buckets are full again, so the map holds
/// about as many addresses as tried to sign in recently.
const SWEEP_EVERY: u64 = 4096;

/// Sign-in attempts allowed per client address.
pub struct LoginThrottle {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
    proxies: TrustedProxies,
    checks: AtomicU64,
}

impl std::fmt::Debug for LoginThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginThrottle")
            .field("proxies", &self.proxies)
            .finish_non_exhaustive()
    }
}

impl LoginThrottle {
    /// `per_minute` attempts per address, all of which may come at once, refilled evenly over
    /// the minute; the address is read through `proxies`.
    pub fn new(per_minute: NonZeroU32, proxies: TrustedProxies) -> Self {
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            clock: DefaultClock::default(),
            proxies,
            checks: AtomicU64::new(0),
        }
    }

    /// Takes one attempt from the client's budget.
    ///
    /// # Errors
    /// 429 `too_many_sign_in_attempts` with `Retry-After` when the budget is spent. A request
    /// without a peer address (only built in-process) is not limited.
    pub fn check(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let Some(client) = self.proxies.client_of(req) else {
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
    use actix_web::test::TestRequest;

    use super::*;

    fn from(peer: &str) -> HttpRequest {
        TestRequest::default()
            .peer_addr(peer.parse().unwrap())
            .to_http_request()
    }

    #[test]
    fn an_address_gets_its_budget_and_then_429_with_retry_after() {
        let throttle = LoginThrottle::new(NonZeroU32::new(3).unwrap(), TrustedProxies::default());
        for _ in 0..3 {
            assert!(throttle.check(&from("203.0.113.7:1000")).is_ok());
        }
        let refused = throttle.check(&from("203.0.113.7:1001")).unwrap_err();
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
        assert!(throttle.check(&from("198.51.100.1:1000")).is_ok());
    }

    #[test]
    fn clients_behind_a_trusted_proxy_are_told_apart() {
        let throttle = LoginThrottle::new(
            NonZeroU32::new(1).unwrap(),
            TrustedProxies::parse("10.0.0.1").unwrap(),
        );
        let via_proxy = |client: &str| {
            TestRequest::default()
                .peer_addr("10.0.0.1:443".parse().unwrap())
                .insert_header(("x-forwarded-for", client))
                .to_http_request()
        };
        assert!(throttle.check(&via_proxy("203.0.113.7")).is_ok());
        assert!(throttle.check(&via_proxy("198.51.100.1")).is_ok());
        assert!(throttle.check(&via_proxy("203.0.113.7")).is_err());
    }
}
