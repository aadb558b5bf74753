//! Fixtures shared by the integration tests.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use cm_notify::{BookingSnapshot, BookingStatus, Location, Money, Party, Role};

pub fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap()
}

pub fn now() -> DateTime<Utc> {
    utc(2026, 12, 1, 9, 15)
}

/// 10:00–12:00 in Kolkata on Sat 26 Dec 2026.
pub fn snapshot() -> BookingSnapshot {
    BookingSnapshot {
        booking_id: "01JFBOOKING0000000000000001".to_owned(),
        status: BookingStatus::Pending,
        start: utc(2026, 12, 26, 4, 30),
        end: utc(2026, 12, 26, 6, 30),
        event_type: "wedding".to_owned(),
        location: Location { address: "12 MG Road".to_owned(), city: "Bengaluru".to_owned(), lat: None, lon: None },
        price: Money { amount_minor: 15_000_000, currency: "INR".to_owned().try_into().unwrap() },
        sequence: 0,
        reason: None,
        previous_start: None,
        cancelled_by: None,
    }
}

pub fn photographer() -> Party {
    Party {
        name: "Ravi Kumar".to_owned(),
        email: "ravi@example.com".to_owned(),
        timezone: "Asia/Kolkata".to_owned(),
        role: Role::Photographer,
    }
}

pub fn client() -> Party {
    Party {
        name: "Asha Rao".to_owned(),
        email: "asha@example.com".to_owned(),
        timezone: "America/New_York".to_owned(),
        role: Role::Client,
    }
}

/// The party of `role` and the other one, in (recipient, other) order.
pub fn pair(role: Role) -> (Party, Party) {
    match role {
        Role::Photographer => (photographer(), client()),
        Role::Client => (client(), photographer()),
    }
}

/// Parses an .ics body with the independent `icalendar` parser.
pub fn parse(ics: &str) -> icalendar::Calendar {
    ics.parse::<icalendar::Calendar>().unwrap_or_else(|e| panic!("icalendar could not parse our output: {e}\n{ics}"))
}

/// The single VEVENT in a parsed calendar.
pub fn only_event(calendar: &icalendar::Calendar) -> &icalendar::Event {
    let events: Vec<&icalendar::Event> = calendar.components.iter().filter_map(|c| c.as_event()).collect();
    assert_eq!(events.len(), 1, "expected exactly one VEVENT");
    events[0]
}

/// A top-level VCALENDAR property value, e.g. METHOD.
pub fn calendar_prop<'a>(calendar: &'a icalendar::Calendar, key: &str) -> Option<&'a str> {
    calendar.properties.iter().find(|p| p.key() == key).map(|p| p.value())
}
