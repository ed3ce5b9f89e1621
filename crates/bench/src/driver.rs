//! The load driver: a fixed number of requests at a fixed concurrency (closed loop), or a
//! constant arrival rate (open loop) where latency counts from when each request was due, so
//! a stalled server cannot hide its queueing (no coordinated omission).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

// tokio's clock, so the driver can be tested on paused time.
use tokio::time::Instant;

use hdrhistogram::Histogram;

/// What one request reports: `Ok(items)` with how many items it carried (events, statuses),
/// or the reason it counts as an error.
pub type Answer = Result<u64, String>;

/// The result of one run.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub requests: u64,
    pub items: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    pub elapsed: Duration,
    /// Microseconds.
    pub latency: Histogram<u64>,
    /// At a fixed rate, each request's due time (from the start) and latency, in due order;
    /// what a stall hit and when. Empty in a closed loop.
    pub timeline: Vec<(Duration, Duration)>,
    /// The wall-clock time the run started, to place the timeline in the server's log.
    pub started_at: std::time::SystemTime,
}

impl Outcome {
    pub fn requests_per_second(&self) -> f64 {
        (self.requests - self.errors) as f64 / self.elapsed.as_secs_f64()
    }

    pub fn items_per_second(&self) -> f64 {
        self.items as f64 / self.elapsed.as_secs_f64()
    }

    pub fn quantile(&self, q: f64) -> Duration {
        Duration::from_micros(self.latency.value_at_quantile(q))
    }

    pub fn max(&self) -> Duration {
        Duration::from_micros(self.latency.max())
    }

    /// This run followed by `next`, as one.
    pub fn then(mut self, next: Outcome) -> Outcome {
        let _ = self.latency.add(&next.latency);
        self.requests += next.requests;
        self.items += next.items;
        self.errors += next.errors;
        self.first_error = self.first_error.or(next.first_error);
        self.elapsed += next.elapsed;
        self.timeline.extend(next.timeline);
        self
    }
}

fn histogram() -> Histogram<u64> {
    // 1 µs to 60 s at 3 significant digits.
    Histogram::new_with_bounds(1, 60_000_000, 3).unwrap_or_else(|_| unreachable!())
}

struct Tally {
    latency: Histogram<u64>,
    timeline: Vec<(Duration, Duration)>,
    items: u64,
    errors: u64,
    first_error: Option<String>,
}

impl Tally {
    fn new() -> Self {
        Self {
            latency: histogram(),
            timeline: Vec::new(),
            items: 0,
            errors: 0,
            first_error: None,
        }
    }

    fn record(&mut self, latency: Duration, answer: Answer) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.latency.saturating_record(micros.max(1));
        match answer {
            Ok(items) => self.items += items,
            Err(e) => {
                self.errors += 1;
                self.first_error.get_or_insert(e);
            }
        }
    }

    fn merge(&mut self, other: Tally) {
        let _ = self.latency.add(&other.latency);
        self.timeline.extend(other.timeline);
        self.items += other.items;
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

/// `total` requests, `concurrency` in flight at all times; `request(i)` sends the i-th.
pub async fn closed_loop<F, Fut>(total: usize, concurrency: usize, request: F) -> Outcome
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Answer> + Send,
{
    let request = Arc::new(request);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (request, next) = (request.clone(), next.clone());
            tokio::spawn(async move {
                let mut tally = Tally::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        break tally;
                    }
                    let sent = Instant::now();
                    let answer = request(i).await;
                    tally.record(sent.elapsed(), answer);
                }
            })
        })
        .collect();
    finish(workers, total, started).await
}

/// Requests due at a constant `rate` per second for `duration`, with up to `concurrency` in
/// flight; each latency counts from the request's due time, not from when it went out.
pub async fn fixed_rate<F, Fut>(
    rate: u32,
    duration: Duration,
    concurrency: usize,
    request: F,
) -> Outcome
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Answer> + Send,
{
    let total = (f64::from(rate) * duration.as_secs_f64()) as usize;
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate));
    let request = Arc::new(request);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (request, next) = (request.clone(), next.clone());
            tokio::spawn(async move {
                let mut tally = Tally::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        break tally;
                    }
                    let due = started + interval.mul_f64(i as f64);
                    tokio::time::sleep_until(due).await;
                    let answer = request(i).await;
                    let latency = due.elapsed();
                    tally.timeline.push((due - started, latency));
                    tally.record(latency, answer);
                }
            })
        })
        .collect();
    finish(workers, total, started).await
}

async fn finish(
    workers: Vec<tokio::task::JoinHandle<Tally>>,
    total: usize,
    started: Instant,
) -> Outcome {
    let started_at = std::time::SystemTime::now() - started.elapsed();
    let mut all = Tally::new();
    for worker in workers {
        match worker.await {
            Ok(tally) => all.merge(tally),
            Err(e) => {
                all.errors += 1;
                all.first_error
                    .get_or_insert(format!("driver task failed: {e}"));
            }
        }
    }
    Outcome {
        requests: total as u64,
        items: all.items,
        errors: all.errors,
        first_error: all.first_error,
        elapsed: started.elapsed(),
        latency: all.latency,
        timeline: {
            all.timeline.sort_unstable_by_key(|(due, _)| *due);
            all.timeline
        },
        started_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_request_is_sent_once_and_errors_are_counted_not_dropped() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        let outcome = closed_loop(100, 7, move |i| {
            let log = log.clone();
            async move {
                log.lock().unwrap().push(i);
                if i % 10 == 0 {
                    Err(format!("request {i}"))
                } else {
                    Ok(2)
                }
            }
        })
        .await;
        let mut seen = seen.lock().unwrap().clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..100).collect::<Vec<_>>());
        assert_eq!(outcome.errors, 10);
        assert_eq!(outcome.items, 180);
        assert_eq!(outcome.latency.len(), 100);
        assert!(outcome.first_error.unwrap().starts_with("request "));
    }

    #[tokio::test(start_paused = true)]
    async fn at_a_fixed_rate_a_stall_counts_from_when_each_request_was_due() {
        // 100 requests due every 10 ms with one in flight, each taking 50 ms: request i ends
        // at 50(i + 1) ms but was due at 10i ms, so the last one (i = 99) counts 4,010 ms.
        let outcome = fixed_rate(100, Duration::from_secs(1), 1, |_| async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok(1)
        })
        .await;
        assert_eq!(outcome.requests, 100);
        // The histogram keeps 3 significant digits: 4 s reads back within a few ms.
        let near = |got: Duration, ms: u64| {
            got.abs_diff(Duration::from_millis(ms)) <= Duration::from_millis(10)
        };
        assert!(near(outcome.max(), 4_010), "{:?}", outcome.max());
        assert!(
            near(outcome.quantile(0.0), 50),
            "{:?}",
            outcome.quantile(0.0)
        );
        // Paused time is exact: each request's own due time and latency, in due order.
        assert_eq!(outcome.timeline.len(), 100);
        assert_eq!(
            outcome.timeline[99],
            (Duration::from_millis(990), Duration::from_millis(4_010))
        );
        assert!(outcome.timeline.is_sorted_by_key(|(due, _)| *due));
    }
}
