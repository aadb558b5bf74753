//! Shared helpers for the integration tests.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use cm_booking::{
    Availability, AvailabilityDoc, BookingDuration, Buffers, OccupiedInterval, Slot, SlotQuery, bookable_slots,
};
use serde_json::Value;

pub fn availability(doc: Value) -> Availability {
    serde_json::from_value::<AvailabilityDoc>(doc)
        .expect("well-formed document")
        .validate()
        .expect("valid availability")
}

pub fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("RFC 3339").with_timezone(&Utc)
}

pub fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("YYYY-MM-DD")
}

pub fn zone(name: &str) -> Tz {
    name.parse().expect("IANA zone")
}

pub fn minutes(value: u32) -> BookingDuration {
    BookingDuration::from_minutes(value).expect("valid duration")
}

/// An existing booking at `start` for `duration` minutes with the given buffers.
pub fn booking(start: &str, duration: u32, before: u32, after: u32) -> OccupiedInterval {
    OccupiedInterval::for_booking(utc(start), minutes(duration), Buffers::new(before, after).expect("buffers"))
        .expect("in range")
}

pub fn slots_between(
    availability: &Availability,
    existing: &[OccupiedInterval],
    from: &str,
    to: &str,
    duration: u32,
    display: Option<&str>,
    now: &str,
) -> Vec<Slot> {
    let query = SlotQuery::new(date(from), date(to), duration, display.map(zone), utc(now)).expect("valid query");
    bookable_slots(availability, existing, &query)
}

pub fn slots_on(availability: &Availability, day: &str, duration: u32, now: &str) -> Vec<Slot> {
    slots_between(availability, &[], day, day, duration, None, now)
}

/// Slot starts as RFC 3339 in their display offset.
pub fn starts(slots: &[Slot]) -> Vec<String> {
    slots.iter().map(|s| s.start().to_rfc3339()).collect()
}

pub fn utc_starts(slots: &[Slot]) -> Vec<DateTime<Utc>> {
    slots.iter().map(Slot::start_utc).collect()
}

/// The first instant whose local date in `zone` is `day`, found by brute force (minute
/// by minute) so it shares nothing with the code under test. Midnight itself may not
/// exist when clocks change at 00:00.
pub fn day_start(zone: Tz, day: NaiveDate) -> DateTime<Utc> {
    let mut instant = day.and_time(chrono::NaiveTime::MIN).and_utc() - chrono::TimeDelta::hours(15);
    while instant.with_timezone(&zone).date_naive() < day {
        instant += chrono::TimeDelta::minutes(1);
    }
    instant
}

/// Real minutes in the local day `day`.
pub fn day_length_minutes(zone: Tz, day: NaiveDate) -> i64 {
    (day_start(zone, day.succ_opt().expect("not the last date")) - day_start(zone, day)).num_minutes()
}
