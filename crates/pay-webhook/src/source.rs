//! Where a request comes from: the peer address, an optional allow-list, and `X-Forwarded-For` read
//! only behind explicitly trusted proxies.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;

use http::HeaderMap;

/// The TCP peer of a request. Insert it into the request's extensions when mounting the receiver
/// (hyper: from the accepted connection; axum: from `ConnectInfo<SocketAddr>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

/// An address range in CIDR notation (`34.90.243.164`, `10.0.0.0/8`, `::1/128`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

/// A text that is not an address range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an IP address or CIDR range: {0}")]
pub struct InvalidRange(pub String);

impl IpRange {
    /// Whether `ip` lies in the range. IPv4-mapped IPv6 addresses match IPv4 ranges.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl From<IpAddr> for IpRange {
    /// The one address.
    fn from(network: IpAddr) -> Self {
        let prefix = if network.is_ipv4() { 32 } else { 128 };
        Self { network, prefix }
    }
}

impl From<Ipv4Addr> for IpRange {
    /// The one address (the provider crates' sender lists, e.g.
    /// `pay_qostiq::callbacks::FIAT_CALLBACK_IPS`, are typed addresses).
    fn from(address: Ipv4Addr) -> Self {
        Self::from(IpAddr::V4(address))
    }
}

impl FromStr for IpRange {
    type Err = InvalidRange;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidRange(s.to_owned());
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let single = Self::from(addr.parse::<IpAddr>().map_err(|_| invalid())?);
        match prefix {
            Some(p) => {
                let prefix = p
                    .parse::<u8>()
                    .ok()
                    .filter(|p| *p <= single.prefix)
                    .ok_or_else(invalid)?;
                Ok(Self { prefix, ..single })
            }
            None => Ok(single),
        }
    }
}

/// Ranges in CIDR notation, each parsed once.
fn parse_ranges<I, S>(ranges: I) -> Result<Vec<IpRange>, InvalidRange>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    ranges.into_iter().map(|r| r.as_ref().parse()).collect()
}

/// Which sources may deliver events.
#[derive(Debug, Clone, Default)]
pub struct SourcePolicy {
    allow: Option<Vec<IpRange>>,
    trusted_proxies: Vec<IpRange>,
}

/// Why a source was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SourceRejection {
    /// An allow-list is set but the peer address is unknown (not inserted by the server).
    UnknownPeer,
    /// `X-Forwarded-For` from a trusted proxy is malformed.
    BadForwardedFor,
    /// The client address is not allowed.
    NotAllowed(IpAddr),
}

impl SourcePolicy {
    /// Any source (the default). Signatures still protect the events.
    pub fn any() -> Self {
        Self::default()
    }

    /// Only these ranges, written in CIDR notation (from configuration), may deliver events.
    pub fn allow<I, S>(ranges: I) -> Result<Self, InvalidRange>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Ok(Self::allow_ranges(parse_ranges(ranges)?))
    }

    /// Only these typed ranges or addresses may deliver events, e.g. a provider crate's sender list:
    /// `SourcePolicy::allow_ranges(pay_qostiq::callbacks::FIAT_CALLBACK_IPS)`.
    pub fn allow_ranges<I>(ranges: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<IpRange>,
    {
        Self {
            allow: Some(ranges.into_iter().map(Into::into).collect()),
            trusted_proxies: Vec::new(),
        }
    }

    /// Trusts `X-Forwarded-For` when the peer is one of these proxies (never by default). The client
    /// is then the right-most address in the header that is not itself a trusted proxy.
    pub fn trust_proxies<I, S>(mut self, ranges: I) -> Result<Self, InvalidRange>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.trusted_proxies = parse_ranges(ranges)?;
        Ok(self)
    }

    fn is_trusted_proxy(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|r| r.contains(ip))
    }

    /// The client address: the peer, or, behind a trusted proxy, the right-most untrusted
    /// `X-Forwarded-For` entry.
    pub(crate) fn client(
        &self,
        peer: Option<IpAddr>,
        headers: &HeaderMap,
    ) -> Result<Option<IpAddr>, SourceRejection> {
        let Some(peer) = peer else { return Ok(None) };
        if !self.is_trusted_proxy(peer) {
            return Ok(Some(peer));
        }
        let mut chain = Vec::new();
        for value in headers.get_all("x-forwarded-for") {
            let text = value
                .to_str()
                .map_err(|_| SourceRejection::BadForwardedFor)?;
            for part in text.split(',') {
                let ip: IpAddr = part
                    .trim()
                    .parse()
                    .map_err(|_| SourceRejection::BadForwardedFor)?;
                chain.push(ip);
            }
        }
        let client = chain
            .iter()
            .rev()
            .find(|ip| !self.is_trusted_proxy(**ip))
            .or(chain.first());
        Ok(Some(client.copied().unwrap_or(peer)))
    }

    /// Checks a request's source.
    pub(crate) fn check(
        &self,
        peer: Option<IpAddr>,
        headers: &HeaderMap,
    ) -> Result<(), SourceRejection> {
        let Some(allow) = &self.allow else {
            return Ok(());
        };
        let client = self
            .client(peer, headers)?
            .ok_or(SourceRejection::UnknownPeer)?;
        if allow.iter().any(|r| r.contains(client)) {
            Ok(())
        } else {
            Err(SourceRejection::NotAllowed(client))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn xff(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", value.parse().unwrap());
        h
    }

    #[test]
    fn ranges() {
        let r: IpRange = "10.0.0.0/8".parse().unwrap();
        assert!(r.contains(ip("10.1.2.3")) && !r.contains(ip("11.0.0.1")));
        assert!(r.contains(ip("::ffff:10.9.9.9")));
        let all: IpRange = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("1.2.3.4")));
        let one: IpRange = "34.90.243.164".parse().unwrap();
        assert!(one.contains(ip("34.90.243.164")) && !one.contains(ip("34.90.243.165")));
        let typed = IpRange::from(Ipv4Addr::new(34, 90, 243, 164));
        assert_eq!(typed, one);
        assert_eq!("::1".parse::<IpRange>().unwrap(), IpRange::from(ip("::1")));
        assert!("::1/128".parse::<IpRange>().is_ok());
        for bad in ["", "10.0.0.0/33", "x", "1.2.3.4/", "::1/129"] {
            assert!(bad.parse::<IpRange>().is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_for_is_ignored_unless_trusted() {
        let policy = SourcePolicy::allow_ranges(pay_qostiq::callbacks::FIAT_CALLBACK_IPS);
        let spoofed = xff("34.90.243.164");
        assert_eq!(
            policy.check(Some(ip("203.0.113.9")), &spoofed),
            Err(SourceRejection::NotAllowed(ip("203.0.113.9")))
        );
        assert!(
            policy
                .check(Some(ip("34.90.243.164")), &HeaderMap::new())
                .is_ok()
        );
        assert_eq!(
            policy.check(None, &HeaderMap::new()),
            Err(SourceRejection::UnknownPeer)
        );
    }

    #[test]
    fn trusted_proxy_takes_rightmost_untrusted() {
        let policy = SourcePolicy::allow(["34.90.243.164"])
            .unwrap()
            .trust_proxies(["10.0.0.0/8"])
            .unwrap();
        let proxy = Some(ip("10.0.0.2"));
        assert!(policy.check(proxy, &xff("34.90.243.164, 10.0.0.7")).is_ok());
        // A client-supplied left-most entry does not win over the real one.
        assert!(
            policy
                .check(proxy, &xff("34.90.243.164, 203.0.113.9"))
                .is_err()
        );
        assert_eq!(
            policy.check(proxy, &xff("not-an-ip")),
            Err(SourceRejection::BadForwardedFor)
        );
    }
}
