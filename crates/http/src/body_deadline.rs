//! How long a request body may take to arrive.
//!
//! actix-web bounds the time to receive a request's head (`client_request_timeout`) but not its
//! body, so a client sending one byte a second holds its connection as long as it likes. This
//! middleware swaps every request's payload for a stream that fails once the body is late, so
//! every extractor (JSON, raw bytes, multipart) is bound alike, and answers such a request
//! `408 request_timeout` whatever the handler made of the failed read.
//!
//! The rule is Apache `mod_reqtimeout`'s "body=grace-max,MinRate=rate": the body may take
//! `grace`, plus one second for every `min_rate` bytes that have arrived, and never more than
//! `max` in all. A pure total deadline would either cut large uploads on slow links or leave
//! a trickling client minutes of free hold; the rate lets a 100 MB upload at any reasonable
//! speed through while a client at 1 byte/s is cut just after the grace period.

use std::cell::Cell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::ConnectionType;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpMessage as _, ResponseError as _, web};
use futures_util::Stream;
use tokio::time::{Instant, Sleep};

use crate::error::ApiError;

/// The limits on receiving a request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTimeouts {
    /// How long any body may take before the minimum rate applies.
    pub grace: Duration,
    /// Bytes per second a body must average once the grace period is over (at least 1).
    pub min_rate: u64,
    /// The most any body may take, however fast it arrives.
    pub max: Duration,
}

impl BodyTimeouts {
    /// 10 s of grace, then 1 KiB/s on average, and 15 minutes at most: a 100 MB upload needs
    /// about 111 KB/s (under 1 Mbit/s), while a 1 byte/s client is cut after 11 s.
    pub const DEFAULT: Self = Self {
        grace: Duration::from_secs(10),
        min_rate: 1024,
        max: Duration::from_secs(15 * 60),
    };

    /// How long after the body started a body of which `received` bytes have arrived is late.
    fn allowance(&self, received: u64) -> Duration {
        let earned = Duration::from_millis(received.saturating_mul(1000) / self.min_rate.max(1));
        self.grace.saturating_add(earned).min(self.max)
    }
}

impl Default for BodyTimeouts {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A request payload that fails with `TimedOut` once the body is late, and says so in `expired`.
struct DeadlinePayload {
    inner: Payload,
    limits: BodyTimeouts,
    started: Instant,
    received: u64,
    timer: Pin<Box<Sleep>>,
    expired: Rc<Cell<bool>>,
    finished: bool,
}

impl DeadlinePayload {
    fn new(inner: Payload, limits: BodyTimeouts, expired: Rc<Cell<bool>>) -> Self {
        let started = Instant::now();
        Self {
            inner,
            limits,
            started,
            received: 0,
            timer: Box::pin(tokio::time::sleep_until(started + limits.allowance(0))),
            expired,
            finished: false,
        }
    }

    fn due(&self) -> Instant {
        self.started + self.limits.allowance(self.received)
    }

    fn expire(&mut self) -> Poll<Option<Result<Bytes, PayloadError>>> {
        self.finished = true;
        self.expired.set(true);
        Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "the request body arrived too slowly",
        )))))
    }
}

impl Stream for DeadlinePayload {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.finished {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                // A chunk that arrives after the body was due is late all the same: it can
                // only be the last drops of a trickle.
                if Instant::now() > this.due() {
                    return this.expire();
                }
                this.received = this.received.saturating_add(chunk.len() as u64);
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(None) => {
                this.finished = true;
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Pending => {
                let due = this.due();
                if this.timer.deadline() != due {
                    this.timer.as_mut().reset(due);
                }
                match this.timer.as_mut().poll(cx) {
                    Poll::Ready(()) => this.expire(),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

fn request_timeout(limits: &BodyTimeouts) -> ApiError {
    ApiError::request_timeout(format!(
        "the request body arrived too slowly: it may take {} s, plus 1 s for every {} bytes \
             received, and {} s at most",
        limits.grace.as_secs(),
        limits.min_rate,
        limits.max.as_secs()
    ))
}

/// Middleware: bounds the time to receive the body by the app's [`BodyTimeouts`] (when it has
/// any), answering `408 request_timeout` and closing the connection when a body is late.
pub(crate) async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(limits) = req
        .app_data::<web::Data<BodyTimeouts>>()
        .map(|l| *l.get_ref())
    else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let payload = req.take_payload();
    if matches!(payload, Payload::None) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let expired = Rc::new(Cell::new(false));
    req.set_payload(Payload::Stream {
        payload: Box::pin(DeadlinePayload::new(payload, limits, expired.clone())),
    });
    let result = next.call(req).await;
    if !expired.get() {
        return result.map(ServiceResponse::map_into_left_body);
    }
    tracing::info!("request body too slow; answered 408");
    let http_req = match result {
        Ok(response) => response.into_parts().0,
        // No request to answer with: actix turns the error into its response.
        Err(_) => return Err(request_timeout(&limits).into()),
    };
    let mut response = request_timeout(&limits).error_response();
    // The rest of the body will not be read: free the connection rather than drain it.
    response
        .head_mut()
        .set_connection_type(ConnectionType::Close);
    Ok(ServiceResponse::new(http_req, response).map_into_right_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allowance_grows_with_what_arrived_up_to_the_maximum() {
        let limits = BodyTimeouts {
            grace: Duration::from_secs(10),
            min_rate: 1000,
            max: Duration::from_secs(60),
        };
        assert_eq!(limits.allowance(0), Duration::from_secs(10));
        assert_eq!(limits.allowance(1), Duration::from_millis(10_001));
        assert_eq!(limits.allowance(20_000), Duration::from_secs(30));
        assert_eq!(limits.allowance(u64::MAX), Duration::from_secs(60));
    }
}
