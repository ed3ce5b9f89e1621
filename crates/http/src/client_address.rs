//! Which address a request came from, for limits kept per client.
//!
//! Behind a reverse proxy every request's TCP peer is the proxy, and the client is named in a
//! header the proxy adds. Anyone can send that header, so it is believed only when the peer is
//! one of the operator's proxies (`SWITCHBOARD_TRUSTED_PROXIES`), and then read from the right:
//! each trusted proxy appends the address it received from, so the first address from the
//! right that is not a trusted proxy is the client; whatever lies to its left came from the
//! client itself.

use std::net::IpAddr;

use actix_web::HttpRequest;
use actix_web::http::header::HeaderMap;
use ipnet::IpNet;

/// The reverse proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

/// A trusted-proxy list that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an IP address or CIDR network (e.g. 10.0.0.5 or 10.0.0.0/8)")]
pub struct BadProxy(String);

impl TrustedProxies {
    /// Reads a comma-separated list of addresses and CIDR networks; empty trusts none.
    ///
    /// # Errors
    /// [`BadProxy`] naming the first entry that is neither.
    pub fn parse(list: &str) -> Result<Self, BadProxy> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| BadProxy(entry.to_owned()))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: the TCP peer, or, when the peer is a trusted proxy, the address
    /// the forwarding headers name (`Forwarded` if present, else `X-Forwarded-For`). `None`
    /// only when the request has no peer address (in-process tests).
    pub fn client_of(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = canonical(req.peer_addr()?.ip());
        if !self.trusts(peer) {
            return Some(peer);
        }
        let forwarded = forwarded_for(req.headers());
        // Right to left, past our own proxies; if every hop is ours, the leftmost is the client.
        let client = forwarded
            .iter()
            .rev()
            .find(|ip| !self.trusts(**ip))
            .or_else(|| forwarded.first());
        Some(client.copied().unwrap_or(peer))
    }
}

/// IPv4 clients of a dual-stack socket appear as `::ffff:a.b.c.d`; they are the same client.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The hops the forwarding headers list, leftmost (the original client) first. A hop that is
/// not an address (`unknown`, an obfuscated name) ends the list there: nothing to its left can
/// be told apart from what a client wrote.
fn forwarded_for(headers: &HeaderMap) -> Vec<IpAddr> {
    let rfc7239: Vec<String> = headers
        .get_all("forwarded")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (name, value) = pair.trim().split_once('=')?;
                name.eq_ignore_ascii_case("for")
                    .then(|| value.trim().trim_matches('"').to_owned())
            })
        })
        .collect();
    let hops: Vec<String> = if rfc7239.is_empty() {
        headers
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|hop| hop.trim().to_owned())
            .collect()
    } else {
        rfc7239
    };
    let parsed: Vec<Option<IpAddr>> = hops.iter().map(|hop| parse_hop(hop)).collect();
    let usable_from = parsed
        .iter()
        .rposition(Option::is_none)
        .map_or(0, |i| i + 1);
    parsed[usable_from..]
        .iter()
        .filter_map(|ip| ip.map(canonical))
        .collect()
}

/// `203.0.113.7`, `203.0.113.7:4711`, `[2001:db8::1]` or `[2001:db8::1]:4711`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    hop.rsplit_once(':')?.0.parse().ok()
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn from(peer: &str, headers: &[(&str, &str)]) -> HttpRequest {
        let mut req = TestRequest::default().peer_addr(peer.parse().unwrap());
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        req.to_http_request()
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_the_headers_say() {
        let none = TrustedProxies::default();
        let req = from("198.51.100.9:5000", &[("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(none.client_of(&req), ip("198.51.100.9"));
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.0.2.1").unwrap();
        // The client forged the first entry; our two proxies appended the rest.
        let req = from(
            "192.0.2.1:443",
            &[("x-forwarded-for", "1.2.3.4, 203.0.113.7, 10.1.2.3")],
        );
        assert_eq!(proxies.client_of(&req), ip("203.0.113.7"));
    }

    #[test]
    fn the_forwarded_header_is_read_with_ports_brackets_and_quotes() {
        let proxies = TrustedProxies::parse("10.0.0.1").unwrap();
        let req = from(
            "10.0.0.1:443",
            &[(
                "forwarded",
                r#"for=192.0.2.60;proto=https, for="[2001:db8::7]:4711""#,
            )],
        );
        assert_eq!(proxies.client_of(&req), ip("2001:db8::7"));
        let req = from("10.0.0.1:443", &[("forwarded", "for=203.0.113.7:81")]);
        assert_eq!(proxies.client_of(&req), ip("203.0.113.7"));
    }

    #[test]
    fn an_unknown_hop_hides_whatever_the_client_wrote_before_it() {
        let proxies = TrustedProxies::parse("10.0.0.1").unwrap();
        let req = from(
            "10.0.0.1:443",
            &[("x-forwarded-for", "203.0.113.7, unknown")],
        );
        assert_eq!(proxies.client_of(&req), ip("10.0.0.1"));
    }

    #[test]
    fn a_trusted_peer_without_headers_is_its_own_client() {
        let proxies = TrustedProxies::parse("127.0.0.1").unwrap();
        assert_eq!(
            proxies.client_of(&from("127.0.0.1:1", &[])),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn ipv4_mapped_peers_match_ipv4_networks() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let req = from(
            "[::ffff:10.0.0.1]:443",
            &[("x-forwarded-for", "203.0.113.7")],
        );
        assert_eq!(proxies.client_of(&req), ip("203.0.113.7"));
    }

    #[test]
    fn a_bad_entry_is_named() {
        assert_eq!(
            TrustedProxies::parse("10.0.0.1, proxy.local"),
            Err(BadProxy("proxy.local".into()))
        );
        assert_eq!(TrustedProxies::parse(" "), Ok(TrustedProxies::default()));
    }
}
