//! The Cloud API's two send limits: a business number's throughput (130429) and the pair limit
//! from one business number to one customer (131056).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::error::GraphError;

/// The send limits the simulator enforces when they are switched on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThroughputLimits {
    /// Messages per second one business number may send, over all its customers; a full
    /// second's worth may go out at once. Meta's default is 80 (up to 1000 on request).
    pub messages_per_second: u32,
    /// Messages one business number may send one customer back to back.
    pub pair_burst: u32,
    /// Once the burst is spent, the wait before each further message to that customer.
    pub pair_interval: Duration,
}

impl Default for ThroughputLimits {
    /// Meta's defaults: 80 messages per second per number, about one message every 6 seconds to
    /// one customer with a burst of 5.
    fn default() -> Self {
        Self {
            messages_per_second: 80,
            pair_burst: 5,
            pair_interval: Duration::from_secs(6),
        }
    }
}

/// The schedules of every number and every (number, customer) pair seen so far.
#[derive(Debug)]
pub(super) struct Limiter {
    number_rate: Rate,
    pair_rate: Rate,
    /// When each number's schedule is next free (GCRA's "theoretical arrival time").
    numbers: HashMap<String, Instant>,
    pairs: HashMap<(String, String), Instant>,
}

impl Limiter {
    pub(super) fn new(limits: ThroughputLimits) -> Self {
        let per_second = limits.messages_per_second.max(1);
        Self {
            number_rate: Rate::new(per_second, Duration::from_secs(1) / per_second),
            pair_rate: Rate::new(limits.pair_burst, limits.pair_interval),
            numbers: HashMap::new(),
            pairs: HashMap::new(),
        }
    }

    /// Counts one send from `phone_number_id` to `wa_id` at `now` if both limits allow it.
    ///
    /// # Errors
    /// 130429 when the number's throughput is spent, else 131056 when the pair's is; each with
    /// the wait until the next message would pass. A refused send counts against neither limit.
    pub(super) fn admit(
        &mut self,
        phone_number_id: &str,
        wa_id: &str,
        now: Instant,
    ) -> Result<(), GraphError> {
        let pair_key = (phone_number_id.to_owned(), wa_id.to_owned());
        let number_free = self.numbers.get(phone_number_id).copied();
        let pair_free = self.pairs.get(&pair_key).copied();
        let wait = self.number_rate.wait(number_free, now);
        if !wait.is_zero() {
            return Err(GraphError::rate_limit_hit(wait));
        }
        let wait = self.pair_rate.wait(pair_free, now);
        if !wait.is_zero() {
            return Err(GraphError::pair_rate_limit_hit(wait));
        }
        self.numbers.insert(
            phone_number_id.to_owned(),
            self.number_rate.after_one(number_free, now),
        );
        self.pairs
            .insert(pair_key, self.pair_rate.after_one(pair_free, now));
        Ok(())
    }
}

/// A limit in the generic cell rate algorithm's terms, in whole nanoseconds so that a message
/// exactly on schedule is never refused by a rounding error: one message per `interval`, and up
/// to `capacity` of them back to back.
#[derive(Debug, Clone, Copy)]
struct Rate {
    interval: Duration,
    /// How far ahead of now the schedule may run: the burst beyond the first message.
    tolerance: Duration,
}

impl Rate {
    fn new(capacity: u32, interval: Duration) -> Self {
        Self {
            interval,
            tolerance: interval.saturating_mul(capacity.max(1) - 1),
        }
    }

    /// How long a message at `now` must wait, given when the schedule is next `free` (`None`
    /// for one never used); zero when it may go at once.
    fn wait(self, free: Option<Instant>, now: Instant) -> Duration {
        let free = free.map_or(now, |free| free.max(now));
        free.saturating_duration_since(now)
            .saturating_sub(self.tolerance)
    }

    /// When the schedule is next free once a message went at `now`.
    fn after_one(self, free: Option<Instant>, now: Instant) -> Instant {
        free.map_or(now, |free| free.max(now)) + self.interval
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NUMBER: &str = "100000000000001";

    fn code(result: Result<(), GraphError>) -> Option<i64> {
        result.err().map(|error| error.code)
    }

    #[test]
    fn a_pair_gets_its_burst_then_one_message_per_interval() {
        let mut limiter = Limiter::new(ThroughputLimits::default());
        let start = Instant::now();

        for _ in 0..5 {
            assert_eq!(code(limiter.admit(NUMBER, "16505551234", start)), None);
        }
        let refused = limiter.admit(NUMBER, "16505551234", start).unwrap_err();
        assert_eq!(refused.code, 131056);
        assert_eq!(refused.retry_after, Some(Duration::from_secs(6)));
        // Another customer of the same number is not held up.
        assert_eq!(code(limiter.admit(NUMBER, "447700900123", start)), None);

        let later = start + Duration::from_secs(6);
        assert_eq!(code(limiter.admit(NUMBER, "16505551234", later)), None);
        assert_eq!(
            code(limiter.admit(NUMBER, "16505551234", later)),
            Some(131056)
        );
    }

    #[test]
    fn a_number_gets_a_second_of_throughput_at_once_then_its_rate() {
        let limits = ThroughputLimits {
            messages_per_second: 10,
            ..ThroughputLimits::default()
        };
        let mut limiter = Limiter::new(limits);
        let start = Instant::now();
        let customer = |i: u32| format!("1650555{i:04}");

        for i in 0..10 {
            assert_eq!(code(limiter.admit(NUMBER, &customer(i), start)), None);
        }
        let refused = limiter.admit(NUMBER, &customer(10), start).unwrap_err();
        assert_eq!(refused.code, 130429);
        assert_eq!(refused.retry_after, Some(Duration::from_millis(100)));
        // Other numbers have their own throughput.
        assert_eq!(
            code(limiter.admit("100000000000002", &customer(10), start)),
            None
        );

        let later = start + Duration::from_millis(100);
        assert_eq!(code(limiter.admit(NUMBER, &customer(10), later)), None);
    }

    #[test]
    fn a_refused_send_counts_against_neither_limit() {
        let limits = ThroughputLimits {
            messages_per_second: 6,
            pair_burst: 1,
            pair_interval: Duration::from_secs(6),
        };
        let mut limiter = Limiter::new(limits);
        let start = Instant::now();

        assert_eq!(code(limiter.admit(NUMBER, "16505551234", start)), None);
        for _ in 0..10 {
            assert_eq!(
                code(limiter.admit(NUMBER, "16505551234", start)),
                Some(131056)
            );
        }
        // Five of the six tokens are left for other customers.
        for i in 0..5 {
            let other = format!("4477009001{i:02}");
            assert_eq!(code(limiter.admit(NUMBER, &other, start)), None);
        }
        assert_eq!(
            code(limiter.admit(NUMBER, "4477009009", start)),
            Some(130429)
        );
    }
}
