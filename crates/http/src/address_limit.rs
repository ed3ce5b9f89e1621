//! A cap on the requests one client address has in progress at once, so that one address
//! holding many slow requests cannot take every connection the server has.
//!
//! The address is the TCP peer's, or behind a trusted proxy the client it names (see
//! [`crate::TrustedProxies`]). IPv6 clients are counted per /64, the block one subscriber
//! is usually given, so that hopping between addresses of one's own block does not escape the
//! cap. A request counts from the moment its head is read until its handler has answered
//! (the time its body takes included); a response body streaming afterwards (a live event
//! stream, a download) no longer counts.
//!
//! Written here rather than taken from a crate: the rate limiters for actix (`actix-governor`,
//! `actix-limitation`) count requests per time window, not requests in progress, and what is
//! needed is a counter per address that a guard decrements.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex, PoisonError};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use actix_web::middleware::Next;
use actix_web::{ResponseError as _, web};

use crate::error::ApiError;
use crate::state::AppState;

/// Counts the requests in progress per client address; one is shared by every worker.
#[derive(Debug)]
pub struct AddressGate {
    /// `None`: no cap (behind a reverse proxy, where every peer is the proxy).
    limit: Option<usize>,
    in_progress: Mutex<HashMap<IpAddr, usize>>,
}

/// A request's place at the gate, given back when dropped.
#[derive(Debug)]
struct Pass {
    gate: Arc<AddressGate>,
    key: IpAddr,
}

impl AddressGate {
    /// A gate letting at most `limit` requests per address in at once; 0 lets all in.
    pub fn new(limit: usize) -> Arc<Self> {
        Arc::new(Self {
            limit: (limit > 0).then_some(limit),
            in_progress: Mutex::new(HashMap::new()),
        })
    }

    /// The cap, or `None` when there is none.
    pub fn limit(&self) -> Option<usize> {
        self.limit
    }

    /// Takes a place for a request from `ip`, or `None` when the address is at its cap.
    fn enter(self: &Arc<Self>, ip: IpAddr) -> Option<Pass> {
        let limit = self.limit?;
        let key = client_key(ip);
        // A panic elsewhere while holding the lock leaves the counts intact: keep going.
        let mut counts = self
            .in_progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(key).or_insert(0);
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(Pass {
            gate: Arc::clone(self),
            key,
        })
    }

    #[cfg(test)]
    fn in_progress(&self, ip: IpAddr) -> usize {
        self.in_progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&client_key(ip))
            .copied()
            .unwrap_or(0)
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        let mut counts = self
            .gate
            .in_progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.key);
            }
        }
    }
}

/// The address a client is counted under: IPv4 as it is, IPv6 by its /64.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => {
            let [a, b, c, d, ..] = v6.segments();
            IpAddr::V6(Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
        }
    }
}

/// Middleware: refuses a request with `429 too_many_concurrent_requests` (closing the
/// connection, its body unread) while its address is at the app's [`AddressGate`] cap.
pub(crate) async fn address_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let gate = req.app_data::<web::Data<AddressGate>>().cloned();
    // Behind a trusted proxy, each client it forwards counts on its own.
    let client = req.app_data::<web::Data<AppState>>().map_or_else(
        || req.peer_addr().map(|p| p.ip()),
        |state| state.trusted_proxies.client_of(req.request()),
    );
    let (Some(gate), Some(client)) = (gate, client) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let Some(limit) = gate.limit() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let gate = gate.into_inner();
    let Some(_pass) = gate.enter(client) else {
        tracing::warn!(%client, limit, "too many requests in progress from one address");
        let mut response = ApiError::too_many_concurrent_requests(limit).error_response();
        response
            .head_mut()
            .set_connection_type(ConnectionType::Close);
        return Ok(req.into_response(response).map_into_right_body());
    };
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_at_its_cap_is_refused_until_a_request_ends() {
        let gate = AddressGate::new(2);
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        let other: IpAddr = "203.0.113.8".parse().unwrap();
        let first = gate.enter(client).unwrap();
        let _second = gate.enter(client).unwrap();
        assert!(gate.enter(client).is_none());
        assert!(
            gate.enter(other).is_some(),
            "another address is not held up"
        );
        drop(first);
        assert!(gate.enter(client).is_some());
    }

    #[test]
    fn ipv6_clients_count_per_64_block_and_mapped_ipv4_as_ipv4() {
        let gate = AddressGate::new(1);
        let _held = gate.enter("2001:db8:1:2::1".parse().unwrap()).unwrap();
        assert!(
            gate.enter("2001:db8:1:2:ffff::9".parse().unwrap())
                .is_none()
        );
        assert!(gate.enter("2001:db8:1:3::1".parse().unwrap()).is_some());
        let _v4 = gate.enter("198.51.100.1".parse().unwrap()).unwrap();
        assert!(gate.enter("::ffff:198.51.100.1".parse().unwrap()).is_none());
    }

    #[test]
    fn the_count_is_forgotten_when_an_address_has_nothing_in_progress() {
        let gate = AddressGate::new(3);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        drop(gate.enter(ip));
        assert_eq!(gate.in_progress(ip), 0);
        assert!(gate.in_progress.lock().unwrap().is_empty());
    }
}
