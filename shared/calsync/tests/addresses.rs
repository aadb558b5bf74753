//! Properties of the address rules: every address of every blocked range is refused, in
//! every form that reaches it (plain, IPv4-mapped, IPv4-compatible, NAT64, 6to4, and
//! written into a URL in decimal, hex or shortened notation), with or without the test
//! allowance (which admits 127.0.0.1 alone).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use cm_calsync::address::{blocked, permitted};
use cm_calsync::source::{SourceUrl, UrlPolicy};
use proptest::prelude::*;

const V4_RANGES: &[(u32, u8)] = &[
    (0x0000_0000, 8),
    (0x0a00_0000, 8),
    (0x6440_0000, 10),
    (0x7f00_0000, 8),
    (0xa9fe_0000, 16),
    (0xac10_0000, 12),
    (0xc000_0000, 24),
    (0xc000_0200, 24),
    (0xc0a8_0000, 16),
    (0xc612_0000, 15),
    (0xc633_6400, 24),
    (0xcb00_7100, 24),
    (0xe000_0000, 4),
    (0xf000_0000, 4),
];

const V6_RANGES: &[(u128, u8)] =
    &[(0, 128), (1, 128), (0xfc00 << 112, 7), (0xfe80 << 112, 10), (0xff00 << 112, 8), (0x2001_0db8 << 96, 32)];

fn in_range_v4() -> impl Strategy<Value = Ipv4Addr> {
    (prop::sample::select(V4_RANGES.to_vec()), any::<u32>()).prop_map(|((net, len), noise)| {
        let host_mask = if len == 32 { 0 } else { u32::MAX >> len };
        Ipv4Addr::from((net & !host_mask) | (noise & host_mask))
    })
}

fn in_range_v6() -> impl Strategy<Value = Ipv6Addr> {
    (prop::sample::select(V6_RANGES.to_vec()), any::<u128>()).prop_map(|((net, len), noise)| {
        let host_mask = if len == 128 { 0 } else { u128::MAX >> len };
        Ipv6Addr::from((net & !host_mask) | (noise & host_mask))
    })
}

/// Every IPv6 spelling of an IPv4 address that a connection could reach it through.
fn v6_forms(v4: Ipv4Addr) -> Vec<Ipv6Addr> {
    let bits = u128::from(u32::from(v4));
    let [a, b, c, d] = v4.octets();
    let mut forms = vec![
        v4.to_ipv6_mapped(),
        Ipv6Addr::from((0x64_ff9b_u128 << 96) | bits),
        Ipv6Addr::from((0x64_ff9b_0001_u128 << 80) | bits),
        Ipv6Addr::new(0x2002, u16::from_be_bytes([a, b]), u16::from_be_bytes([c, d]), 0, 0, 0, 0, 1),
    ];
    if bits > 1 {
        forms.push(v4.to_ipv6_compatible());
    }
    forms
}

/// Textual forms of an IPv4 host that URL parsers accept.
fn url_forms(v4: Ipv4Addr) -> Vec<String> {
    let n = u32::from(v4);
    let [a, b, c, d] = v4.octets();
    vec![
        v4.to_string(),
        n.to_string(),
        format!("0x{n:x}"),
        format!("{a}.{}", u32::from(b) << 16 | u32::from(c) << 8 | u32::from(d)),
        format!("0x{a:x}.0x{b:x}.0x{c:x}.0x{d:x}"),
        format!("0{a:o}.0{b:o}.0{c:o}.0{d:o}"),
        format!("[::ffff:{v4}]"),
        format!("[{}]", v4.to_ipv6_mapped()),
    ]
}

proptest! {
    #[test]
    fn every_address_of_a_blocked_ipv4_range_is_refused_in_every_form(v4 in in_range_v4(), allow in any::<bool>()) {
        prop_assert!(blocked(IpAddr::V4(v4)));
        if v4 != Ipv4Addr::LOCALHOST {
            prop_assert!(!permitted(IpAddr::V4(v4), allow));
        }
        for v6 in v6_forms(v4) {
            prop_assert!(blocked(IpAddr::V6(v6)), "{v6}");
            prop_assert!(!permitted(IpAddr::V6(v6), allow), "{v6}");
        }
        for host in url_forms(v4) {
            let url = format!("https://{host}/calendar.ics");
            prop_assert!(SourceUrl::parse(&url, UrlPolicy { allow_loopback: false }).is_err(), "{url}");
        }
    }

    #[test]
    fn every_address_of_a_blocked_ipv6_range_is_refused(v6 in in_range_v6(), allow in any::<bool>()) {
        prop_assert!(blocked(IpAddr::V6(v6)), "{v6}");
        prop_assert!(!permitted(IpAddr::V6(v6), allow), "{v6}");
        let url = format!("https://[{v6}]/calendar.ics");
        prop_assert!(SourceUrl::parse(&url, UrlPolicy { allow_loopback: allow }).is_err(), "{url}");
    }

    /// The rules are exactly the listed ranges: anything outside them is public, and so
    /// are its mapped and NAT64 forms.
    #[test]
    fn addresses_outside_the_ranges_are_public(raw in any::<u32>()) {
        let v4 = Ipv4Addr::from(raw);
        let listed = V4_RANGES.iter().any(|(net, len)| {
            let mask = if *len == 0 { 0 } else { u32::MAX << (32 - u32::from(*len)) };
            raw & mask == net & mask
        }) || (raw & 0xffff_ff00) == 0xc058_6300; // 192.88.99.0/24, the 6to4 relay
        prop_assert_eq!(blocked(IpAddr::V4(v4)), listed);
        if !listed {
            prop_assert!(!blocked(IpAddr::V6(v4.to_ipv6_mapped())));
            prop_assert!(!blocked(IpAddr::V6(Ipv6Addr::from((0x64_ff9b_u128 << 96) | u128::from(raw)))));
        }
    }
}
