//! Who is asking: the client address that rate limits count against.
//!
//! Behind reverse proxies the connection's peer is the nearest proxy, and the
//! client is named in `X-Forwarded-For`. Every proxy *appends* the address it
//! received the request from, so only the entries on the right were written by
//! proxies we trust; anything to their left may have been sent by the client
//! itself. With `TRUST_PROXY_HOPS=N` (N proxies in front of Roster) the client
//! is the Nth entry from the right: the address our outermost proxy saw.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use http::HeaderMap;

/// The client's address: the `hops`-th `X-Forwarded-For` entry from the right
/// when `hops > 0` and the header is present, else the connection's peer.
pub fn client_addr(headers: &HeaderMap, peer: Option<IpAddr>, hops: usize) -> Option<IpAddr> {
    if hops == 0 {
        return peer;
    }
    // Several headers count as one list, in order (RFC 9110 §5.3).
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    if entries.is_empty() {
        // Not through the proxy (a health check on the private network).
        return peer;
    }
    // Fewer entries than proxies: all of them were written by our proxies
    // (the client sent none and an inner hop saw the outer one directly),
    // so the leftmost is the best-informed.
    let chosen = entries[entries.len().saturating_sub(hops)];
    parse_entry(chosen).or(peer)
}

/// An entry as proxies write it: `203.0.113.7`, `2001:db8::1`, or with a
/// port (`203.0.113.7:5123`, `[2001:db8::1]:5123`).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    entry.parse::<IpAddr>().ok().or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// The key a rate limit counts under. An IPv6 client usually holds a whole
/// /64 (every home or cloud host gets one) and can take a fresh address from
/// it for every request, so its /64 is one client. An IPv4 address mapped
/// into IPv6 (`::ffff:203.0.113.7`, from a dual-stack listener) is that IPv4
/// address.
pub fn rate_limit_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let [a, b, c, d, ..] = v6.segments();
                IpAddr::V6(Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append("x-forwarded-for", v.parse().unwrap());
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    const PEER: &str = "10.0.0.2";

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        assert_eq!(client_addr(&headers(&["1.2.3.4"]), Some(ip(PEER)), 0), Some(ip(PEER)));
    }

    #[test]
    fn the_entry_our_proxy_appended_wins_over_what_the_client_wrote() {
        // nginx appends $remote_addr to whatever the client sent.
        let forged = headers(&["6.6.6.6, 203.0.113.7"]);
        assert_eq!(client_addr(&forged, Some(ip(PEER)), 1), Some(ip("203.0.113.7")));
        // Two proxies (a CDN, then nginx): the second from the right.
        let two = headers(&["6.6.6.6", "203.0.113.7, 198.51.100.1"]);
        assert_eq!(client_addr(&two, Some(ip(PEER)), 2), Some(ip("203.0.113.7")));
        assert_eq!(client_addr(&headers(&["203.0.113.7"]), Some(ip(PEER)), 2), Some(ip("203.0.113.7")));
    }

    #[test]
    fn ports_and_bracketed_ipv6_are_understood_and_garbage_falls_back_to_the_peer() {
        assert_eq!(client_addr(&headers(&["203.0.113.7:5123"]), None, 1), Some(ip("203.0.113.7")));
        assert_eq!(client_addr(&headers(&["[2001:db8::1]:443"]), None, 1), Some(ip("2001:db8::1")));
        assert_eq!(client_addr(&headers(&["unknown"]), Some(ip(PEER)), 1), Some(ip(PEER)));
        assert_eq!(client_addr(&HeaderMap::new(), Some(ip(PEER)), 1), Some(ip(PEER)));
    }

    #[test]
    fn an_ipv6_client_is_its_slash_64() {
        assert_eq!(rate_limit_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(rate_limit_key(ip("2001:db8:1:2:ffff::9")), rate_limit_key(ip("2001:db8:1:2::1")));
        assert_ne!(rate_limit_key(ip("2001:db8:1:3::1")), rate_limit_key(ip("2001:db8:1:2::1")));
        assert_eq!(rate_limit_key(ip("::ffff:203.0.113.7")), ip("203.0.113.7"));
        assert_eq!(rate_limit_key(ip("203.0.113.7")), ip("203.0.113.7"));
    }
}
