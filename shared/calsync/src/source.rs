//! An external calendar a photographer adds: its address (a secret: whoever has it reads
//! the calendar), a label, and what may be shown of the address afterwards.

use std::net::IpAddr;

use cm_core::FieldErrors;
use url::{Host, Url};

use crate::address::permitted;

/// At most this many external calendars per photographer: each one is fetched every
/// sync, and three covers a personal, a work and a shared calendar.
pub const MAX_SOURCES: usize = 3;
/// Longer than any address Google or Outlook hands out, short enough to stay small.
pub const MAX_URL_CHARS: usize = 2048;
pub const MAX_LABEL_CHARS: usize = 60;

/// Rules the address of a calendar must follow, besides what the fetch checks again on
/// every connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UrlPolicy {
    /// The test-only allowance: plain `http` to the literal `127.0.0.1` (never in AWS).
    pub allow_loopback: bool,
}

/// A calendar address that passed the syntax and host checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceUrl(Url);

impl SourceUrl {
    /// Checks an address as the photographer typed it. `webcal://` (what calendar apps'
    /// "subscribe" links use) means `https://`. Refused: other schemes, user info, no
    /// host, `localhost` and `*.localhost`, and literal addresses that are not public
    /// (names are resolved and checked when fetched, where the answer can change).
    pub fn parse(text: &str, policy: UrlPolicy) -> Result<SourceUrl, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("is required".into());
        }
        if text.chars().count() > MAX_URL_CHARS {
            return Err(format!("must be at most {MAX_URL_CHARS} characters"));
        }
        let rewritten;
        let text = match text.get(..9) {
            Some(scheme) if scheme.eq_ignore_ascii_case("webcal://") => {
                rewritten = format!("https://{}", &text[9..]);
                rewritten.as_str()
            }
            _ => text,
        };
        let url = Url::parse(text).map_err(|_| "is not a valid URL".to_string())?;
        check_url(&url, policy)?;
        Ok(SourceUrl(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn url(&self) -> &Url {
        &self.0
    }

    /// What the photographer sees of the address later (see [`mask`]).
    pub fn masked(&self) -> String {
        mask(&self.0)
    }

    /// The host, lowercased: the default label.
    pub fn host(&self) -> String {
        self.0.host_str().unwrap_or_default().to_ascii_lowercase()
    }
}

/// The checks on an address that hold for every URL the fetch follows, the first and
/// every redirect: scheme, no user info, a host that is not `localhost`, a literal
/// address that is permitted. `http` only with the test allowance and only to
/// `127.0.0.1`.
pub fn check_url(url: &Url, policy: UrlPolicy) -> Result<(), String> {
    let host = url.host().ok_or_else(|| "must name a host".to_string())?;
    let loopback_literal = matches!(host, Host::Ipv4(ip) if ip.is_loopback() && ip.octets() == [127, 0, 0, 1]);
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_loopback && loopback_literal => {}
        _ => return Err("must be an https:// address".into()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain a user name or password".into());
    }
    match host {
        Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name == "localhost" || name.ends_with(".localhost") || name.is_empty() {
                return Err("must not point at this machine".into());
            }
            // A bare name ("intranet") only resolves through a search domain, inside
            // some private network.
            if !name.contains('.') {
                return Err("must name a public host".into());
            }
        }
        Host::Ipv4(ip) if !permitted(IpAddr::V4(ip), policy.allow_loopback) => {
            return Err("must not point at a private, loopback, link-local or reserved address".into());
        }
        Host::Ipv6(ip) if !permitted(IpAddr::V6(ip), policy.allow_loopback) => {
            return Err("must not point at a private, loopback, link-local or reserved address".into());
        }
        Host::Ipv4(_) | Host::Ipv6(_) => {}
    }
    Ok(())
}

/// `https://calendar.google.com/…ics4`: scheme, host and the last four characters of the
/// rest, enough to tell two calendars apart, too little to read either.
pub fn mask(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    let full = url.as_str();
    let prefix = format!("{}://{}", url.scheme(), host);
    let rest = full.strip_prefix(&prefix).unwrap_or(full);
    let chars: Vec<char> = rest.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    if chars.len() <= 4 { format!("{prefix}{rest}") } else { format!("{prefix}/…{tail}") }
}

/// A label given, or the host when none is.
pub fn label(given: Option<&str>, url: &SourceUrl) -> Result<String, String> {
    match given.map(str::trim) {
        None | Some("") => Ok(url.host()),
        Some(text) if text.chars().count() > MAX_LABEL_CHARS => {
            Err(format!("must be at most {MAX_LABEL_CHARS} characters"))
        }
        Some(text) if text.chars().any(char::is_control) => Err("must not contain control characters".into()),
        Some(text) => Ok(text.to_string()),
    }
}

/// A new source's URL and label, validated together: every problem as a field error.
pub fn validate_new(
    url: &str,
    given_label: Option<&str>,
    policy: UrlPolicy,
) -> Result<(SourceUrl, String), FieldErrors> {
    let mut errors = FieldErrors::default();
    let parsed = SourceUrl::parse(url, policy).map_err(|e| errors.add("url", e)).ok();
    let label = parsed.as_ref().map(|u| label(given_label, u).map_err(|e| errors.add("label", e)).ok());
    match (parsed, label) {
        (Some(url), Some(Some(label))) if errors.is_empty() => Ok((url, label)),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: UrlPolicy = UrlPolicy { allow_loopback: false };
    const TESTS: UrlPolicy = UrlPolicy { allow_loopback: true };

    #[test]
    fn secret_addresses_of_the_big_calendars_pass() {
        for text in [
            "https://calendar.google.com/calendar/ical/abc%40group.calendar.google.com/private-0123456789abcdef/basic.ics",
            "https://outlook.office365.com/owa/calendar/0123/4567/reachcalendar.ics",
            "https://p42-caldav.icloud.com/published/2/MTIzNDU2Nzg5",
            "https://[2606:4700:4700::1111]/cal.ics",
            "https://8.8.8.8:8443/cal.ics",
        ] {
            assert!(SourceUrl::parse(text, STRICT).is_ok(), "{text}");
        }
    }

    #[test]
    fn webcal_means_https() {
        let url = SourceUrl::parse("webcal://p42-caldav.icloud.com/published/2/abc", STRICT).unwrap();
        assert_eq!(url.as_str(), "https://p42-caldav.icloud.com/published/2/abc");
    }

    #[test]
    fn unsafe_or_malformed_addresses_are_refused() {
        for text in [
            "",
            "   ",
            "calendar.google.com/basic.ics",
            "http://calendar.google.com/basic.ics",
            "ftp://calendar.google.com/basic.ics",
            "file:///etc/passwd",
            "gopher://127.0.0.1:6379/_",
            "https://localhost/cal.ics",
            "https://LOCALHOST./cal.ics",
            "https://api.localhost/cal.ics",
            "https://intranet/cal.ics",
            "https://127.0.0.1/cal.ics",
            "https://2130706433/cal.ics",
            "https://0x7f.1/cal.ics",
            "https://169.254.169.254/latest/meta-data/",
            "https://[::1]/cal.ics",
            "https://[::ffff:169.254.169.254]/cal.ics",
            "https://[fd00:ec2::254]/cal.ics",
            "https://10.0.0.1/cal.ics",
            "https://user:pass@calendar.google.com/basic.ics",
            "http://127.0.0.1:8080/cal.ics",
        ] {
            assert!(SourceUrl::parse(text, STRICT).is_err(), "{text:?}");
        }
        let long = format!("https://calendar.google.com/{}", "a".repeat(MAX_URL_CHARS));
        assert!(SourceUrl::parse(&long, STRICT).is_err());
    }

    #[test]
    fn the_test_allowance_admits_plain_http_to_127_0_0_1_only() {
        assert!(SourceUrl::parse("http://127.0.0.1:8080/cal.ics", TESTS).is_ok());
        for text in [
            "http://127.0.0.2:8080/cal.ics",
            "http://localhost:8080/cal.ics",
            "http://calendar.google.com/cal.ics",
            "http://[::1]:8080/cal.ics",
            "http://169.254.169.254/",
        ] {
            assert!(SourceUrl::parse(text, TESTS).is_err(), "{text}");
        }
    }

    #[test]
    fn the_mask_keeps_scheme_host_and_four_characters() {
        let url = SourceUrl::parse("https://calendar.google.com/calendar/ical/x/private-abcdef123/basic.ics", STRICT)
            .unwrap();
        assert_eq!(url.masked(), "https://calendar.google.com/….ics");
        let short = SourceUrl::parse("https://example.com/a", STRICT).unwrap();
        assert_eq!(short.masked(), "https://example.com/a");
        let query = SourceUrl::parse("https://example.com/feed?token=s3cr3t-t0ken-9f2a", STRICT).unwrap();
        assert_eq!(query.masked(), "https://example.com/…9f2a");
        assert!(!query.masked().contains("s3cr3t"));
    }

    #[test]
    fn labels_default_to_the_host_and_are_bounded() {
        let url = SourceUrl::parse("https://Calendar.Google.com/x.ics", STRICT).unwrap();
        assert_eq!(label(None, &url).unwrap(), "calendar.google.com");
        assert_eq!(label(Some("  "), &url).unwrap(), "calendar.google.com");
        assert_eq!(label(Some(" Family "), &url).unwrap(), "Family");
        assert!(label(Some(&"x".repeat(61)), &url).is_err());
        assert!(label(Some("a\u{7}b"), &url).is_err());
        let errors = validate_new("https://localhost/x", Some(&"x".repeat(61)), STRICT).unwrap_err();
        assert!(!errors.is_empty());
    }
}

cm_core::ulid_id!(CalendarId, "calendar");
