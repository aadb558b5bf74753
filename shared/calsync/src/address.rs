//! Which network addresses a calendar fetch may connect to. Fetching a URL a user gave
//! is a request made from inside the platform on their behalf: without these rules a
//! calendar "feed" at `https://169.254.169.254/…` or at a name that resolves to a private
//! address would turn the sync job against the instance metadata service or the VPC.
//!
//! The rule is an allow-list by exclusion: every address the fetcher would connect to
//! (each one DNS gave, each literal in a URL, on the first request and every redirect)
//! must be a public unicast address. IPv6 forms that carry an IPv4 address (mapped,
//! compatible, NAT64, 6to4) are judged by the IPv4 address inside them, so no textual
//! form of a blocked address gets through.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether fetching may connect to `ip`. `allow_loopback` is the test-only allowance
/// (`CALENDAR_FETCH_ALLOW_LOOPBACK`): it admits exactly `127.0.0.1`, where the tests'
/// fixture servers listen, and nothing else that is blocked.
pub fn permitted(ip: IpAddr, allow_loopback: bool) -> bool {
    if allow_loopback && ip == IpAddr::V4(Ipv4Addr::LOCALHOST) {
        return true;
    }
    !blocked(ip)
}

/// Whether `ip` is anything but a public unicast address.
pub fn blocked(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => blocked_v4(v4),
        IpAddr::V6(v6) => blocked_v6(v6),
    }
}

/// IPv4 ranges that are not the public Internet (IANA special-purpose registry).
const BLOCKED_V4: &[(Ipv4Addr, u8)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8),       // "this network"
    (Ipv4Addr::new(10, 0, 0, 0), 8),      // private
    (Ipv4Addr::new(100, 64, 0, 0), 10),   // carrier-grade NAT
    (Ipv4Addr::new(127, 0, 0, 0), 8),     // loopback
    (Ipv4Addr::new(169, 254, 0, 0), 16),  // link-local, with the metadata service
    (Ipv4Addr::new(172, 16, 0, 0), 12),   // private
    (Ipv4Addr::new(192, 0, 0, 0), 24),    // IETF protocol assignments
    (Ipv4Addr::new(192, 0, 2, 0), 24),    // TEST-NET-1
    (Ipv4Addr::new(192, 88, 99, 0), 24),  // 6to4 relay anycast
    (Ipv4Addr::new(192, 168, 0, 0), 16),  // private
    (Ipv4Addr::new(198, 18, 0, 0), 15),   // benchmarking
    (Ipv4Addr::new(198, 51, 100, 0), 24), // TEST-NET-2
    (Ipv4Addr::new(203, 0, 113, 0), 24),  // TEST-NET-3
    (Ipv4Addr::new(224, 0, 0, 0), 4),     // multicast
    (Ipv4Addr::new(240, 0, 0, 0), 4),     // reserved, with broadcast
];

/// IPv6 ranges that are not the public Internet, besides the IPv4-carrying forms.
const BLOCKED_V6: &[(Ipv6Addr, u8)] = &[
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 128),         // unspecified
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1), 128),         // loopback
    (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64),      // discard-only
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23),     // IETF protocol assignments (Teredo, ORCHID, …)
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32), // documentation
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20),     // documentation (RFC 9637)
    (Ipv6Addr::new(0x5f00, 0, 0, 0, 0, 0, 0, 0), 16),     // segment routing SIDs
    (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7),      // unique local
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10),     // link-local
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10),     // site-local (deprecated)
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8),      // multicast
];

fn in_v4(ip: Ipv4Addr, (net, len): (Ipv4Addr, u8)) -> bool {
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - u32::from(len)) };
    u32::from(ip) & mask == u32::from(net) & mask
}

fn in_v6(ip: Ipv6Addr, (net, len): (Ipv6Addr, u8)) -> bool {
    let mask = if len == 0 { 0 } else { u128::MAX << (128 - u32::from(len)) };
    u128::from(ip) & mask == u128::from(net) & mask
}

fn blocked_v4(ip: Ipv4Addr) -> bool {
    BLOCKED_V4.iter().any(|range| in_v4(ip, *range))
}

fn blocked_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        // A public IPv4 address behind NAT64 or 6to4 is still the public Internet; a
        // private one is not, whichever form carries it.
        return blocked_v4(v4);
    }
    BLOCKED_V6.iter().any(|range| in_v6(ip, *range))
}

/// The IPv4 address an IPv6 address stands for, in the forms a connection reaches it
/// through: IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d` (deprecated, but
/// some stacks still route it), NAT64 `64:ff9b::a.b.c.d` and `64:ff9b:1::/48`, 6to4
/// `2002:AABB:CCDD::/16`. `::` and `::1` are not IPv4-compatible addresses.
pub fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = u128::from(ip);
    let low = Ipv4Addr::from((bits & 0xffff_ffff) as u32);
    let segments = ip.segments();
    if bits >> 32 == 0xffff {
        return Some(low);
    }
    if bits >> 32 == 0 && bits > 1 {
        return Some(low);
    }
    if bits >> 32 == 0x0064_ff9b_0000_0000_0000_0000 {
        return Some(low);
    }
    if segments[0] == 0x64 && segments[1] == 0xff9b && segments[2] == 1 {
        return Some(low);
    }
    if segments[0] == 0x2002 {
        let [a, b] = segments[1].to_be_bytes();
        let [c, d] = segments[2].to_be_bytes();
        return Some(Ipv4Addr::new(a, b, c, d));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn every_special_ipv4_class_is_blocked() {
        for text in [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "10.255.255.255",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.1.2.3",
            "169.254.169.254",
            "169.254.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.10",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
        ] {
            assert!(blocked(ip(text)), "{text}");
            assert!(!permitted(ip(text), false), "{text}");
        }
    }

    #[test]
    fn every_special_ipv6_class_is_blocked() {
        for text in [
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "::10.1.2.3",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b::10.0.0.1",
            "64:ff9b:1::c0a8:1",
            "2002:a9fe:a9fe::1",
            "2002:7f00:1::",
        ] {
            assert!(blocked(ip(text)), "{text}");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for text in [
            "1.1.1.1",
            "8.8.8.8",
            "142.250.74.110",
            "172.32.0.1",
            "172.15.255.255",
            "100.128.0.1",
            "169.255.0.1",
            "192.169.0.1",
            "2a00:1450:4001:81b::200e",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::8.8.8.8",
            "2002:808:808::1",
        ] {
            assert!(!blocked(ip(text)), "{text}");
        }
    }

    #[test]
    fn the_test_allowance_admits_exactly_127_0_0_1() {
        assert!(permitted(ip("127.0.0.1"), true));
        assert!(!permitted(ip("127.0.0.1"), false));
        for text in ["127.0.0.2", "::1", "::ffff:127.0.0.1", "169.254.169.254", "10.0.0.1", "0.0.0.0"] {
            assert!(!permitted(ip(text), true), "{text}");
        }
        assert!(permitted(ip("8.8.8.8"), true));
    }
}
