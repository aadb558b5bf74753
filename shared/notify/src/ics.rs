//! iCalendar (RFC 5545) invites with iTIP (RFC 5546) methods.
//!
//! Calendar clients match updates to the entry they already hold by UID and keep the copy
//! with the highest SEQUENCE, so the UID is derived from the booking id alone and SEQUENCE is
//! the store's per-booking change counter. A cancellation is the same UID with METHOD:CANCEL
//! and STATUS:CANCELLED, which removes or strikes out the entry instead of adding a new one.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::BookingStatus;
use crate::error::NotifyError;
use crate::model::{BookingEvent, BookingSnapshot, Party, Role};
use crate::money::format_money;
use crate::text::humanise_event_type;

/// RFC 5545 3.1: content lines SHOULD NOT exceed 75 octets, excluding the line break.
const MAX_LINE_OCTETS: usize = 75;

/// Domain half of every UID; fixed so a UID never changes if hosting moves.
const UID_DOMAIN: &str = "capturemoments.app";

const PRODID: &str = "-//Capture Moments//Booking Notifications//EN";

/// The iTIP method of an invite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IcsMethod {
    /// Add or update the entry.
    Request,
    /// Remove the entry.
    Cancel,
}

impl IcsMethod {
    /// The METHOD property value.
    pub fn as_str(self) -> &'static str {
        match self {
            IcsMethod::Request => "REQUEST",
            IcsMethod::Cancel => "CANCEL",
        }
    }

    /// MIME type for the attachment; mail clients look at the `method` parameter to decide
    /// whether to offer "add to calendar" or "remove from calendar".
    pub fn content_type(self) -> String {
        format!("text/calendar; method={}; charset=UTF-8", self.as_str())
    }
}

/// Which invite, if any, goes with an event.
///
/// Completed bookings get none: the session is over, and re-sending a REQUEST would only
/// resurrect an entry the recipient may already have tidied away.
pub fn ics_method(event: BookingEvent) -> Option<IcsMethod> {
    match event {
        BookingEvent::Created | BookingEvent::Confirmed | BookingEvent::Rescheduled => Some(IcsMethod::Request),
        BookingEvent::Declined | BookingEvent::Cancelled | BookingEvent::Expired => Some(IcsMethod::Cancel),
        BookingEvent::Completed => None,
    }
}

/// The calendar UID of a booking: `booking-<id>@capturemoments.app`, identical for every
/// change to the same booking. Returned unescaped.
pub fn booking_uid(booking_id: &str) -> String {
    format!("booking-{booking_id}@{UID_DOMAIN}")
}

/// Renders a one-event calendar for the booking.
///
/// `organizer` must be the photographer and `attendee` the client, whoever the mail goes to,
/// so both people's copies describe the same meeting. `now` becomes DTSTAMP; it is a
/// parameter so the output is a pure function of the inputs.
pub fn render_ics(
    snapshot: &BookingSnapshot,
    method: IcsMethod,
    organizer: &Party,
    attendee: &Party,
    now: DateTime<Utc>,
) -> Result<String, NotifyError> {
    let mut ics = Writer::default();
    ics.raw("BEGIN", "VCALENDAR");
    ics.raw("VERSION", "2.0");
    ics.raw("PRODID", PRODID);
    ics.raw("CALSCALE", "GREGORIAN");
    ics.raw("METHOD", method.as_str());
    write_event(&mut ics, snapshot, method, organizer, attendee, now)?;
    ics.raw("END", "VCALENDAR");
    Ok(ics.finish())
}

/// One booking in a subscribed calendar feed.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    /// The booking as its invites describe it.
    pub snapshot: BookingSnapshot,
    /// The photographer.
    pub organizer: Party,
    /// The client.
    pub attendee: Party,
}

/// How often subscribing clients are asked to fetch the feed again (RFC 7986
/// REFRESH-INTERVAL, and the X-PUBLISHED-TTL older clients read): hourly, so a booking
/// shows up the same morning without hammering the endpoint.
pub const FEED_REFRESH: &str = "PT1H";

/// A subscribable calendar (METHOD:PUBLISH) of bookings, for `GET /calendar/{token}.ics`.
/// Each event carries the same UID and SEQUENCE as the emailed invites, so a calendar
/// that has both keeps one entry; a booking that no longer happens (cancelled, declined,
/// expired) stays in the feed as STATUS:CANCELLED so subscribers strike it out.
pub fn render_feed(name: &str, entries: &[FeedEntry], now: DateTime<Utc>) -> Result<String, NotifyError> {
    let mut ics = Writer::default();
    ics.raw("BEGIN", "VCALENDAR");
    ics.raw("VERSION", "2.0");
    ics.raw("PRODID", PRODID);
    ics.raw("CALSCALE", "GREGORIAN");
    ics.raw("METHOD", "PUBLISH");
    ics.text("NAME", name);
    ics.text("X-WR-CALNAME", name);
    ics.raw("REFRESH-INTERVAL;VALUE=DURATION", FEED_REFRESH);
    ics.raw("X-PUBLISHED-TTL", FEED_REFRESH);
    for e in entries {
        write_event(&mut ics, &e.snapshot, IcsMethod::Request, &e.organizer, &e.attendee, now)?;
    }
    ics.raw("END", "VCALENDAR");
    Ok(ics.finish())
}

/// One VEVENT: the booking as `method` presents it.
fn write_event(
    ics: &mut Writer,
    snapshot: &BookingSnapshot,
    method: IcsMethod,
    organizer: &Party,
    attendee: &Party,
    now: DateTime<Utc>,
) -> Result<(), NotifyError> {
    check_role("organizer", Role::Photographer, organizer)?;
    check_role("attendee", Role::Client, attendee)?;
    if snapshot.end <= snapshot.start {
        return Err(NotifyError::EmptyTimeRange { booking_id: snapshot.booking_id.clone() });
    }

    let kind = humanise_event_type(&snapshot.event_type);
    let summary = format!("{kind} shoot: {} with {}", attendee.name, organizer.name);
    let location = join_location(&snapshot.location.address, &snapshot.location.city);

    let mut description = format!(
        "{kind} shoot booked through Capture Moments.\nPhotographer: {}\nClient: {}\nPrice: {}",
        organizer.name,
        attendee.name,
        format_money(snapshot.price.amount_minor, snapshot.price.currency.as_str())
    );
    if method == IcsMethod::Cancel
        && let Some(reason) = non_blank(snapshot.reason.as_deref())
    {
        let _ = write!(description, "\nReason: {reason}");
    }
    let _ = write!(description, "\nBooking reference: {}", snapshot.booking_id);

    ics.raw("BEGIN", "VEVENT");
    ics.text("UID", &booking_uid(&snapshot.booking_id));
    ics.raw("DTSTAMP", &utc_stamp(now));
    ics.raw("DTSTART", &utc_stamp(snapshot.start));
    ics.raw("DTEND", &utc_stamp(snapshot.end));
    ics.raw("SEQUENCE", &snapshot.sequence.to_string());
    ics.raw("STATUS", event_status(method, snapshot.status));
    ics.text("SUMMARY", &summary);
    if !location.is_empty() {
        ics.text("LOCATION", &location);
    }
    ics.text("DESCRIPTION", &description);
    ics.raw(&format!("ORGANIZER;CN={}", param_value(&organizer.name)), &mailto(&organizer.email));
    // PARTSTAT=ACCEPTED and RSVP=FALSE because the client asked for this booking: an RSVP
    // prompt would invite replies that go straight to the photographer's inbox and bypass
    // the platform's own confirm/decline flow.
    ics.raw(
        &format!("ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=FALSE", param_value(&attendee.name)),
        &mailto(&attendee.email),
    );
    ics.raw("END", "VEVENT");
    Ok(())
}

fn check_role(position: &'static str, expected: Role, party: &Party) -> Result<(), NotifyError> {
    if party.role == expected { Ok(()) } else { Err(NotifyError::WrongRole { position, expected, found: party.role }) }
}

/// A CANCEL always carries CANCELLED, whatever the stored status says, because the method
/// and the status disagreeing leaves clients to pick one at random.
fn event_status(method: IcsMethod, status: BookingStatus) -> &'static str {
    match (method, status) {
        (IcsMethod::Cancel, _) => "CANCELLED",
        (IcsMethod::Request, BookingStatus::Pending) => "TENTATIVE",
        (IcsMethod::Request, BookingStatus::Confirmed | BookingStatus::Completed) => "CONFIRMED",
        (IcsMethod::Request, BookingStatus::Declined | BookingStatus::Cancelled | BookingStatus::Expired) => {
            "CANCELLED"
        }
    }
}

fn non_blank(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

pub(crate) fn join_location(address: &str, city: &str) -> String {
    [address.trim(), city.trim()].into_iter().filter(|part| !part.is_empty()).collect::<Vec<_>>().join(", ")
}

/// DATE-TIME in UTC ("Z") form. Sub-second precision is dropped: the format has none.
fn utc_stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value (RFC 5545 3.3.11).
///
/// Line breaks of any style become the `\n` escape. Other ASCII control characters are
/// dropped: TEXT cannot carry them, and a raw CR or LF would end the content line early and
/// let user input start a property of its own.
pub(crate) fn escape_text(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    let mut chars = input.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\t' => out.push('\t'),
            c if c.is_ascii_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Quotes a parameter value, encoding what quoted-string cannot hold with RFC 6868 caret
/// escapes (`^^`, `^n`, `^'`). Quoting always is simpler than deciding when `:`/`;`/`,`
/// force it.
fn param_value(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 2);
    out.push('"');
    let mut chars = input.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '^' => out.push_str("^^"),
            '"' => out.push_str("^'"),
            '\n' => out.push_str("^n"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("^n");
            }
            '\t' => out.push(' '),
            c if c.is_ascii_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A `mailto:` CAL-ADDRESS. Anything outside the characters an address needs is
/// percent-encoded (RFC 6068), so a malformed stored address can at worst produce a wrong
/// URI, never a broken or injected content line.
fn mailto(email: &str) -> String {
    let mut out = String::from("mailto:");
    for byte in email.trim().bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(byte, b'@' | b'.' | b'-' | b'_' | b'~' | b'!' | b'$' | b'\'' | b'*' | b'+' | b'=' | b'^');
        if keep {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// Folds a content line so no physical line exceeds 75 octets (the leading space of a
/// continuation line included), breaking only between characters so every physical line is
/// valid UTF-8 on its own; some clients decode line by line.
pub(crate) fn fold_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 24);
    let mut used = 0;
    for ch in line.chars() {
        let width = ch.len_utf8();
        if used + width > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(ch);
        used += width;
    }
    out
}

/// Accumulates folded, CRLF-terminated content lines.
#[derive(Default)]
struct Writer {
    out: String,
}

impl Writer {
    /// A property whose value is already valid iCalendar syntax.
    fn raw(&mut self, name: &str, value: &str) {
        self.out.push_str(&fold_line(&format!("{name}:{value}")));
        self.out.push_str("\r\n");
    }

    /// A TEXT property whose value still needs escaping.
    fn text(&mut self, name: &str, value: &str) {
        self.raw(name, &escape_text(value));
    }

    fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn unfold(folded: &str) -> String {
        folded.replace("\r\n ", "")
    }

    #[test]
    fn escaping_covers_the_four_specials_and_line_breaks() {
        assert_eq!(escape_text("a\\b;c,d\ne\r\nf\rg"), "a\\\\b\\;c\\,d\\ne\\nf\\ng");
        assert_eq!(escape_text("bell\u{7}\u{0}tab\tok"), "belltab\tok");
        assert_eq!(escape_text("colon: fine"), "colon: fine");
    }

    #[test]
    fn parameter_values_are_quoted_with_caret_escapes() {
        assert_eq!(param_value("Asha Rao"), "\"Asha Rao\"");
        assert_eq!(param_value("A \"Nick\" ^; x:y\nz"), "\"A ^'Nick^' ^^; x:y^nz\"");
    }

    #[test]
    fn mailto_percent_encodes_unsafe_bytes() {
        assert_eq!(mailto(" asha+tag@example.com "), "mailto:asha+tag@example.com");
        assert_eq!(mailto("x\r\nATTENDEE:evil@example.com"), "mailto:x%0D%0AATTENDEE%3Aevil@example.com");
        assert_eq!(mailto("ü@example.com"), "mailto:%C3%BC@example.com");
    }

    #[test]
    fn short_lines_are_untouched_and_long_lines_fold_at_75_octets() {
        assert_eq!(fold_line("SUMMARY:short"), "SUMMARY:short");
        let line = format!("DESCRIPTION:{}", "x".repeat(200));
        let folded = fold_line(&line);
        let physical: Vec<&str> = folded.split("\r\n").collect();
        assert_eq!(physical[0].len(), 75);
        assert!(physical[1..].iter().all(|l| l.starts_with(' ')));
        assert!(physical.iter().all(|l| l.len() <= 75));
        assert_eq!(unfold(&folded), line);
    }

    #[test]
    fn folding_never_splits_a_multibyte_character() {
        // 73 ASCII octets then a 4-octet emoji: the emoji must move whole to the next line.
        let line = format!("{}😀tail", "a".repeat(73));
        let folded = fold_line(&line);
        let physical: Vec<&str> = folded.split("\r\n").collect();
        assert_eq!(physical[0], "a".repeat(73));
        assert_eq!(physical[1], " 😀tail");
    }

    proptest! {
        #[test]
        fn folding_bounds_lines_and_round_trips(
            name in "[A-Z]{1,12}",
            value in any::<String>(),
        ) {
            let line = format!("{name}:{}", escape_text(&value));
            let folded = fold_line(&line);
            for physical in folded.as_bytes().split(|b| *b == b'\n') {
                let physical = physical.strip_suffix(b"\r").unwrap_or(physical);
                prop_assert!(physical.len() <= MAX_LINE_OCTETS, "{} octets", physical.len());
                prop_assert!(std::str::from_utf8(physical).is_ok());
            }
            prop_assert_eq!(unfold(&folded), line);
        }

        #[test]
        fn escaped_text_has_no_raw_line_breaks_or_unescaped_specials(value in any::<String>()) {
            let escaped = escape_text(&value);
            prop_assert!(!escaped.contains('\r') && !escaped.contains('\n'));
            let mut chars = escaped.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    let next = chars.next();
                    prop_assert!(matches!(next, Some('\\' | ';' | ',' | 'n')), "bad escape {:?}", next);
                } else {
                    prop_assert!(c != ';' && c != ',');
                }
            }
        }
    }
}
