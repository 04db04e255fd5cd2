//! Who a request comes from: the connection's address, or behind trusted proxies the address
//! they forwarded; and the key rate limits count it under.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// Which `X-Forwarded-For` hops to believe.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Proxies {
    /// No proxy: the connection's address is the client's (the default).
    #[default]
    None,
    /// This many proxies stand in front, each appending the address it saw: the client is the
    /// `hops`-th address from the right of `X-Forwarded-For`.
    Hops(usize),
    /// Proxies in these ranges: walking `X-Forwarded-For` from the right, past the connection's
    /// address and every address in a range, the first other one is the client.
    Ranges(Vec<IpNet>),
}

impl Proxies {
    /// `--trust-proxy`: a number of hops (`1`), or comma-separated ranges (`10.0.0.0/8,::1/128`).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() || raw == "0" {
            return Ok(Self::None);
        }
        if let Ok(hops) = raw.parse::<usize>() {
            return Ok(Self::Hops(hops));
        }
        raw.split(',')
            .map(|r| {
                let r = r.trim();
                r.parse::<IpNet>().or_else(|_| r.parse::<IpAddr>().map(IpNet::from)).map_err(|_| {
                    format!("{r:?} is neither a number of proxy hops nor an address range like 10.0.0.0/8")
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self::Ranges)
    }
}

/// The client's address of a request that came over a connection from `peer`.
pub fn client_ip(proxies: &Proxies, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    let forwarded = || -> Vec<IpAddr> {
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|hop| hop.trim().parse().ok())
            .collect()
    };
    match proxies {
        Proxies::None => peer.ip(),
        Proxies::Hops(0) => peer.ip(),
        Proxies::Hops(hops) => {
            let chain = forwarded();
            // Too short a chain: a client that skipped a proxy; the nearest forwarded address, or the peer.
            chain.len().checked_sub(*hops).and_then(|i| chain.get(i)).or(chain.first()).copied().unwrap_or(peer.ip())
        }
        Proxies::Ranges(ranges) => {
            let trusted = |ip: &IpAddr| ranges.iter().any(|r| r.contains(ip));
            if !trusted(&peer.ip()) {
                return peer.ip();
            }
            let chain = forwarded();
            chain.iter().rev().find(|ip| !trusted(ip)).or(chain.first()).copied().unwrap_or(peer.ip())
        }
    }
}

/// What rate limits count a client under: its IPv4 address, or its IPv6 /64 (one household or
/// one machine holds a whole /64, so counting single IPv6 addresses would let it through).
pub fn rate_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    #[test]
    fn forwarded_hops_and_ranges() {
        let peer: SocketAddr = "10.0.0.2:9000".parse().unwrap();
        let xff = headers("198.51.100.7, 203.0.113.9, 10.0.0.1");
        assert_eq!(client_ip(&Proxies::None, peer, &xff), peer.ip());
        assert_eq!(client_ip(&Proxies::Hops(1), peer, &xff).to_string(), "10.0.0.1");
        assert_eq!(client_ip(&Proxies::Hops(2), peer, &xff).to_string(), "203.0.113.9");
        assert_eq!(client_ip(&Proxies::Hops(9), peer, &xff).to_string(), "198.51.100.7");
        let ranges = Proxies::parse("10.0.0.0/8").unwrap();
        // A client cannot pose as another by writing the header itself: the spoofed first hop is
        // passed over, the address the trusted proxy saw is taken.
        assert_eq!(client_ip(&ranges, peer, &xff).to_string(), "203.0.113.9");
        let outside: SocketAddr = "192.0.2.1:1".parse().unwrap();
        assert_eq!(client_ip(&ranges, outside, &xff), outside.ip(), "an untrusted peer's header is ignored");
        assert!(Proxies::parse("bogus").is_err());
        assert_eq!(Proxies::parse("2").unwrap(), Proxies::Hops(2));
    }

    #[test]
    fn ipv6_counts_by_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(rate_key(a), rate_key(b));
        assert_ne!(rate_key(a), rate_key(c));
        let v4: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(rate_key(v4).to_string(), "192.0.2.1");
    }
}
