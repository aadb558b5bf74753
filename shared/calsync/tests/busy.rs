//! iCalendar to busy intervals: recurring, all-day, zoned, free and cancelled events,
//! and properties of the merge and the stored form.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use cm_calsync::busy::{BusyInterval, ImportError, busy_intervals, decode, encode, merge_and_cap};
use proptest::prelude::*;

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn span(a: &str, b: &str) -> BusyInterval {
    BusyInterval { start: utc(a), end: utc(b) }
}

fn calendar(events: &str) -> String {
    format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{events}END:VCALENDAR\r\n")
}

const BERLIN: Tz = Tz::Europe__Berlin;

fn june() -> (DateTime<Utc>, DateTime<Utc>) {
    (utc("2026-06-01T00:00:00Z"), utc("2026-07-01T00:00:00Z"))
}

#[test]
fn a_weekly_event_with_an_exdate_and_a_moved_occurrence() {
    let ics = calendar(
        "BEGIN:VEVENT\r\nUID:yoga@x\r\nSUMMARY:Private yoga\r\nDTSTART;TZID=Europe/Berlin:20260601T180000\r\n\
DTEND;TZID=Europe/Berlin:20260601T193000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=5\r\n\
EXDATE;TZID=Europe/Berlin:20260608T180000\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:yoga@x\r\nRECURRENCE-ID;TZID=Europe/Berlin:20260615T180000\r\n\
DTSTART;TZID=Europe/Berlin:20260616T070000\r\nDTEND;TZID=Europe/Berlin:20260616T080000\r\nEND:VEVENT\r\n",
    );
    let (from, to) = june();
    let got = busy_intervals(&ics, Tz::UTC, from, to).unwrap();
    assert_eq!(got.events, 2);
    assert_eq!(got.skipped, 0);
    assert_eq!(
        got.intervals,
        [
            span("2026-06-01T16:00:00Z", "2026-06-01T17:30:00Z"),
            // 8 June is excluded; 15 June moved to the 16th at 07:00.
            span("2026-06-16T05:00:00Z", "2026-06-16T06:00:00Z"),
            span("2026-06-22T16:00:00Z", "2026-06-22T17:30:00Z"),
            span("2026-06-29T16:00:00Z", "2026-06-29T17:30:00Z"),
        ]
    );
}

#[test]
fn all_day_events_take_the_photographers_whole_local_day() {
    let ics = calendar(
        "BEGIN:VEVENT\r\nUID:a@x\r\nDTSTART;VALUE=DATE:20260610\r\nDTEND;VALUE=DATE:20260612\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:b@x\r\nDTSTART;VALUE=DATE:20260620\r\nEND:VEVENT\r\n",
    );
    let (from, to) = june();
    let got = busy_intervals(&ics, BERLIN, from, to).unwrap();
    assert_eq!(
        got.intervals,
        [span("2026-06-09T22:00:00Z", "2026-06-11T22:00:00Z"), span("2026-06-19T22:00:00Z", "2026-06-20T22:00:00Z")]
    );
}

#[test]
fn a_recurring_all_day_event_follows_the_local_day_across_dst() {
    let ics = calendar(
        "BEGIN:VEVENT\r\nUID:c@x\r\nDTSTART;VALUE=DATE:20260326\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\n",
    );
    let got = busy_intervals(&ics, BERLIN, utc("2026-03-01T00:00:00Z"), utc("2026-05-01T00:00:00Z")).unwrap();
    assert_eq!(
        got.intervals,
        [span("2026-03-25T23:00:00Z", "2026-03-26T23:00:00Z"), span("2026-04-01T22:00:00Z", "2026-04-02T22:00:00Z")]
    );
}

#[test]
fn free_cancelled_and_instant_events_block_nothing() {
    let ics = calendar(
        "BEGIN:VEVENT\r\nUID:f@x\r\nTRANSP:TRANSPARENT\r\nDTSTART:20260602T090000Z\r\nDTEND:20260602T100000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:g@x\r\nSTATUS:CANCELLED\r\nDTSTART:20260603T090000Z\r\nDTEND:20260603T100000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:h@x\r\nDTSTART:20260604T090000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:i@x\r\nTRANSP:OPAQUE\r\nDTSTART:20260605T090000Z\r\nDURATION:PT45M\r\nEND:VEVENT\r\n",
    );
    let (from, to) = june();
    let got = busy_intervals(&ics, BERLIN, from, to).unwrap();
    assert_eq!(got.intervals, [span("2026-06-05T09:00:00Z", "2026-06-05T09:45:00Z")]);
}

#[test]
fn floating_times_and_unknown_zones_are_the_photographers() {
    let ics = calendar(
        "BEGIN:VEVENT\r\nUID:j@x\r\nDTSTART:20260602T090000\r\nDTEND:20260602T100000\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:k@x\r\nDTSTART;TZID=W. Europe Standard Time:20260603T090000\r\nDTEND;TZID=W. Europe Standard Time:20260603T100000\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:l@x\r\nDTSTART;TZID=America/New_York:20260604T090000\r\nDTEND;TZID=America/New_York:20260604T100000\r\nEND:VEVENT\r\n",
    );
    let (from, to) = june();
    let got = busy_intervals(&ics, BERLIN, from, to).unwrap();
    assert_eq!(
        got.intervals,
        [
            span("2026-06-02T07:00:00Z", "2026-06-02T08:00:00Z"),
            span("2026-06-03T07:00:00Z", "2026-06-03T08:00:00Z"),
            span("2026-06-04T13:00:00Z", "2026-06-04T14:00:00Z"),
        ]
    );
}

#[test]
fn rdates_add_and_endless_rules_stop_at_the_window() {
    let ics = calendar(
        "BEGIN:VEVENT\r\nUID:m@x\r\nDTSTART:20200106T080000Z\r\nDTEND:20200106T090000Z\r\nRRULE:FREQ=DAILY\r\n\
EXDATE:20260602T080000Z,20260603T080000Z\r\nRDATE:20260602T200000Z\r\nEND:VEVENT\r\n",
    );
    let got = busy_intervals(&ics, Tz::UTC, utc("2026-06-01T00:00:00Z"), utc("2026-06-04T00:00:00Z")).unwrap();
    assert_eq!(
        got.intervals,
        [span("2026-06-01T08:00:00Z", "2026-06-01T09:00:00Z"), span("2026-06-02T20:00:00Z", "2026-06-02T21:00:00Z")]
    );
}

#[test]
fn an_event_reaching_into_the_window_is_clipped_to_it() {
    let ics =
        calendar("BEGIN:VEVENT\r\nUID:n@x\r\nDTSTART:20260531T220000Z\r\nDTEND:20260601T020000Z\r\nEND:VEVENT\r\n");
    let (from, to) = june();
    assert_eq!(
        busy_intervals(&ics, Tz::UTC, from, to).unwrap().intervals,
        [span("2026-06-01T00:00:00Z", "2026-06-01T02:00:00Z")]
    );
}

#[test]
fn events_that_cannot_be_read_are_counted_and_the_rest_kept() {
    let ics = calendar(
        "BEGIN:VEVENT\r\nUID:o@x\r\nDTSTART:garbage\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:p@x\r\nDTSTART:20260602T090000Z\r\nDTEND:20260602T100000Z\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:q@x\r\nDTSTART:20260602T090000Z\r\nDTEND:20260602T100000Z\r\nEND:VEVENT\r\n",
    );
    let (from, to) = june();
    let got = busy_intervals(&ics, Tz::UTC, from, to).unwrap();
    assert_eq!(got.skipped, 2);
    assert_eq!(got.intervals, [span("2026-06-02T09:00:00Z", "2026-06-02T10:00:00Z")]);
}

#[test]
fn what_is_not_a_calendar_is_an_error() {
    let (from, to) = june();
    assert_eq!(busy_intervals("<html>login</html>", Tz::UTC, from, to), Err(ImportError::NotACalendar));
    assert_eq!(busy_intervals("", Tz::UTC, from, to), Err(ImportError::NotACalendar));
}

#[test]
fn a_huge_calendar_is_capped_at_the_earliest_intervals() {
    let ics = calendar(
        "BEGIN:VEVENT\r\nUID:r@x\r\nDTSTART:20260601T000000Z\r\nDTEND:20260601T003000Z\r\nRRULE:FREQ=HOURLY\r\nEND:VEVENT\r\n",
    );
    let got = busy_intervals(&ics, Tz::UTC, utc("2026-06-01T00:00:00Z"), utc("2026-12-01T00:00:00Z")).unwrap();
    assert!(got.intervals.len() <= cm_calsync::MAX_BUSY_INTERVALS);
    assert_eq!(got.intervals[0], span("2026-06-01T00:00:00Z", "2026-06-01T00:30:00Z"));
    assert!(encode(&got.intervals).len() < 100_000, "fits an item with room to spare");
}

fn intervals() -> impl Strategy<Value = Vec<BusyInterval>> {
    let base = utc("2026-06-01T00:00:00Z").timestamp();
    prop::collection::vec((0i64..60 * 24 * 40, 1i64..60 * 24 * 3, 0i64..60), 0..40).prop_map(move |raw| {
        raw.into_iter()
            .map(|(start, minutes, seconds)| {
                let start = DateTime::from_timestamp(base + start * 60 + seconds, 0).unwrap();
                BusyInterval { start, end: start + TimeDelta::minutes(minutes) }
            })
            .collect()
    })
}

proptest! {
    /// Merged intervals are sorted, disjoint, whole minutes, inside the window, and cover
    /// every instant of the window that some input interval covered.
    #[test]
    fn merging_keeps_every_busy_instant_inside_the_window(spans in intervals(), probe in 0i64..60 * 24 * 40) {
        let from = utc("2026-06-05T00:00:00Z");
        let to = utc("2026-07-05T00:00:00Z");
        let (merged, truncated) = merge_and_cap(spans.clone(), from, to, usize::MAX);
        prop_assert!(!truncated);
        for pair in merged.windows(2) {
            prop_assert!(pair[0].end < pair[1].start);
        }
        for m in &merged {
            prop_assert!(from <= m.start && m.end <= to && m.start < m.end);
            prop_assert_eq!(m.start.timestamp() % 60, 0);
            prop_assert_eq!(m.end.timestamp() % 60, 0);
        }
        let at = utc("2026-06-01T00:00:00Z") + TimeDelta::minutes(probe) + TimeDelta::seconds(7);
        let busy_before = (from..to).contains(&at) && spans.iter().any(|s| s.start <= at && at < s.end);
        let busy_after = merged.iter().any(|m| m.start <= at && at < m.end);
        if busy_before {
            prop_assert!(busy_after);
        }
    }

    #[test]
    fn the_stored_form_round_trips(spans in intervals()) {
        let (merged, _) = merge_and_cap(spans, utc("2026-01-01T00:00:00Z"), utc("2027-01-01T00:00:00Z"), usize::MAX);
        prop_assert_eq!(decode(&encode(&merged)), Some(merged));
    }

    /// A weekly rule expands to one occurrence per week of the window, each as long as
    /// the event, at the same local time, whatever the zone.
    #[test]
    fn weekly_rules_expand_once_a_week(hour in 0u32..23, zone in prop::sample::select(vec![Tz::UTC, Tz::Europe__Berlin, Tz::Asia__Kolkata, Tz::America__Los_Angeles])) {
        let ics = calendar(&format!(
            "BEGIN:VEVENT\r\nUID:w@x\r\nDTSTART;TZID={zone}:20260105T{hour:02}0000\r\nDTEND;TZID={zone}:20260105T{hour:02}3000\r\nRRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\n",
        ));
        let got = busy_intervals(&ics, Tz::UTC, utc("2026-02-01T00:00:00Z"), utc("2026-05-01T00:00:00Z")).unwrap();
        prop_assert!((12..=13).contains(&got.intervals.len()), "{}", got.intervals.len());
        for i in &got.intervals {
            prop_assert_eq!(i.end - i.start, TimeDelta::minutes(30));
            let local = i.start.with_timezone(&zone);
            prop_assert_eq!(chrono::Timelike::hour(&local), hour);
        }
    }
}
