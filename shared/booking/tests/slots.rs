//! `bookable_slots`, `nearest_starts` and slot queries on concrete calendars, including
//! the DST transition days of several zones.

mod common;

use chrono::TimeDelta;
use cm_booking::{
    Availability, DEFAULT_SUGGESTIONS, SlotQuery, SlotQueryParams, bookable_slots, check_booking, nearest_starts,
};
use common::*;
use serde_json::json;

const NOW: &str = "2026-01-01T00:00:00Z";

fn weekdays(intervals: serde_json::Value) -> serde_json::Value {
    json!({"mon": intervals, "tue": intervals, "wed": intervals, "thu": intervals, "fri": intervals})
}

fn kolkata(extra: serde_json::Value) -> Availability {
    let mut doc = json!({
        "timezone": "Asia/Kolkata",
        "weekly": weekdays(json!([{"start": "09:00", "end": "13:00"}, {"start": "14:00", "end": "19:00"}])),
        "min_notice_minutes": 0
    });
    for (key, value) in extra.as_object().cloned().unwrap_or_default() {
        doc[key] = value;
    }
    availability(doc)
}

#[test]
fn a_plain_day_in_kolkata() {
    let slots = slots_on(&kolkata(json!({})), "2026-06-03", 60, NOW);
    let got = starts(&slots);
    assert_eq!(got.len(), 7 + 9);
    assert_eq!(got[0], "2026-06-03T09:00:00+05:30");
    assert_eq!(got[6], "2026-06-03T12:00:00+05:30");
    assert_eq!(got[7], "2026-06-03T14:00:00+05:30");
    assert_eq!(got[15], "2026-06-03T18:00:00+05:30");
    assert_eq!(
        serde_json::to_value(slots[0]).unwrap(),
        json!({"start": "2026-06-03T09:00:00+05:30", "end": "2026-06-03T10:00:00+05:30"})
    );
}

#[test]
fn dates_are_read_in_the_display_zone() {
    // Los Angeles (UTC−7 in June) Tuesday = Kolkata Tuesday afternoon + Wednesday morning.
    let slots =
        slots_between(&kolkata(json!({})), &[], "2026-06-02", "2026-06-02", 60, Some("America/Los_Angeles"), NOW);
    let got = starts(&slots);
    assert_eq!(got.len(), 9 + 7);
    assert_eq!(got[0], "2026-06-02T01:30:00-07:00", "Tuesday 14:00 IST");
    assert_eq!(got[15], "2026-06-02T23:30:00-07:00", "Wednesday 12:00 IST");
    let london = slots_between(&kolkata(json!({})), &[], "2026-01-05", "2026-01-05", 60, Some("Europe/London"), NOW);
    assert_eq!(serde_json::to_value(london[0]).unwrap()["start"], "2026-01-05T03:30:00+00:00", "zero offset, not Z");
}

#[test]
fn steps_count_from_each_interval_start() {
    let av =
        kolkata(json!({"weekly": {"wed": [{"start": "09:15", "end": "10:30"}, {"start": "11:00", "end": "12:00"}]}}));
    let got = starts(&slots_on(&av, "2026-06-03", 30, NOW));
    assert_eq!(
        got,
        [
            "2026-06-03T09:15:00+05:30",
            "2026-06-03T09:45:00+05:30",
            "2026-06-03T11:00:00+05:30",
            "2026-06-03T11:30:00+05:30"
        ]
    );
    let steps45 = kolkata(json!({"slot_step_minutes": 45, "weekly": {"wed": [{"start": "09:00", "end": "12:00"}]}}));
    assert_eq!(
        starts(&slots_on(&steps45, "2026-06-03", 30, NOW)),
        [
            "2026-06-03T09:00:00+05:30",
            "2026-06-03T09:45:00+05:30",
            "2026-06-03T10:30:00+05:30",
            "2026-06-03T11:15:00+05:30"
        ]
    );
}

#[test]
fn touching_intervals_on_one_day_form_one_stretch() {
    let av =
        kolkata(json!({"weekly": {"wed": [{"start": "09:00", "end": "12:00"}, {"start": "12:00", "end": "13:00"}]}}));
    let got = starts(&slots_on(&av, "2026-06-03", 120, NOW));
    assert_eq!(
        got,
        [
            "2026-06-03T09:00:00+05:30",
            "2026-06-03T09:30:00+05:30",
            "2026-06-03T10:00:00+05:30",
            "2026-06-03T10:30:00+05:30",
            "2026-06-03T11:00:00+05:30"
        ]
    );
}

#[test]
fn overrides_replace_the_weekly_hours() {
    let av = kolkata(json!({"overrides": [
        {"date": "2026-06-03", "intervals": []},
        {"date": "2026-06-06", "intervals": [{"start": "06:00", "end": "08:00"}]}
    ]}));
    assert!(slots_on(&av, "2026-06-03", 60, NOW).is_empty());
    assert_eq!(slots_on(&av, "2026-06-04", 60, NOW).len(), 16);
    assert_eq!(
        starts(&slots_on(&av, "2026-06-06", 60, NOW)),
        ["2026-06-06T06:00:00+05:30", "2026-06-06T06:30:00+05:30", "2026-06-06T07:00:00+05:30"],
        "a Saturday opened by override"
    );
}

#[test]
fn time_off_removes_slots() {
    let av = kolkata(json!({"time_off": [{"start": "2026-06-03T10:00:00+05:30", "end": "2026-06-03T16:00:00+05:30"}]}));
    let got = starts(&slots_on(&av, "2026-06-03", 60, NOW));
    assert_eq!(got.first().map(String::as_str), Some("2026-06-03T09:00:00+05:30"));
    assert_eq!(got.get(1).map(String::as_str), Some("2026-06-03T16:00:00+05:30"));
    assert_eq!(got.len(), 1 + 5);
}

#[test]
fn buffers_keep_distance_from_existing_bookings() {
    let av = kolkata(json!({"buffer_before_minutes": 30, "buffer_after_minutes": 15}));
    // Occupies 10:45–12:15 IST (its own buffers were 15/15).
    let existing = [booking("2026-06-03T11:00:00+05:30", 60, 15, 15)];
    let got = starts(&slots_between(&av, &existing, "2026-06-03", "2026-06-03", 60, None, NOW));
    // Morning: a new 60-minute session needs 15 minutes free after it, 30 before.
    assert_eq!(got[..2], ["2026-06-03T09:00:00+05:30", "2026-06-03T09:30:00+05:30"]);
    assert_eq!(got[2], "2026-06-03T14:00:00+05:30", "12:00 would start inside its after-buffer");
}

#[test]
fn daily_limit_closes_a_full_day() {
    let av = kolkata(json!({"max_bookings_per_day": 1}));
    let existing = [booking("2026-06-03T09:00:00+05:30", 60, 0, 0)];
    assert!(slots_between(&av, &existing, "2026-06-03", "2026-06-03", 60, None, NOW).is_empty());
    assert_eq!(slots_between(&av, &existing, "2026-06-04", "2026-06-04", 60, None, NOW).len(), 16);
}

#[test]
fn notice_and_horizon_bound_the_offer() {
    let av = kolkata(json!({"min_notice_minutes": 120, "max_days_ahead": 2}));
    // Now: Wednesday 3 June 10:00 IST, so the earliest start is 12:00 IST.
    let now = "2026-06-03T04:30:00Z";
    let got = starts(&slots_between(&av, &[], "2026-06-01", "2026-06-30", 60, None, now));
    assert_eq!(got[0], "2026-06-03T12:00:00+05:30");
    // Two days ahead is Friday 10:00 IST; 10:00 itself is still offered.
    assert_eq!(got.last().map(String::as_str), Some("2026-06-05T10:00:00+05:30"));
    assert_eq!(got.len(), 1 + 9 + 16 + 3);
}

#[test]
fn bookings_cross_midnight_into_touching_hours_only() {
    let late = |extra: serde_json::Value| {
        let mut doc = json!({
            "timezone": "Asia/Kolkata", "min_notice_minutes": 0,
            "weekly": {"sat": [{"start": "20:00", "end": "24:00"}], "sun": [{"start": "00:00", "end": "02:00"}]}
        });
        for (key, value) in extra.as_object().cloned().unwrap_or_default() {
            doc[key] = value;
        }
        availability(doc)
    };
    assert_eq!(slots_on(&late(json!({})), "2026-06-06", 180, NOW).len(), 7, "20:00 … 23:00");
    let closed = late(json!({"overrides": [{"date": "2026-06-07", "intervals": []}]}));
    assert_eq!(slots_on(&closed, "2026-06-06", 180, NOW).len(), 3, "20:00 … 21:00");
    let gap = late(
        json!({"weekly": {"sat": [{"start": "20:00", "end": "23:45"}], "sun": [{"start": "00:00", "end": "02:00"}]}}),
    );
    assert_eq!(slots_on(&gap, "2026-06-06", 180, NOW).len(), 2, "the shortest gap, 15 minutes, is a gap: 20:00, 20:30");
    let sunday = starts(&slots_on(&late(json!({})), "2026-06-07", 60, NOW));
    assert_eq!(sunday, ["2026-06-07T00:00:00+05:30", "2026-06-07T00:30:00+05:30", "2026-06-07T01:00:00+05:30"]);
}

/// Open all day only on `day`, no notice: every reading on the step that exists is a
/// start, as long as the session ends by the next midnight.
fn all_day(zone: &str, day: &str, step: u32) -> Availability {
    availability(json!({
        "timezone": zone, "min_notice_minutes": 0, "slot_step_minutes": step, "max_days_ahead": 730,
        "overrides": [{"date": day, "intervals": [{"start": "00:00", "end": "24:00"}]}]
    }))
}

#[test]
fn dst_days_have_the_right_number_of_slots() {
    let cases = [
        ("America/New_York", "2026-03-08", 23),
        ("America/New_York", "2026-11-01", 25),
        ("Europe/London", "2026-03-29", 23),
        ("Europe/London", "2026-10-25", 25),
        ("Australia/Sydney", "2026-10-04", 23),
        ("Australia/Sydney", "2026-04-05", 25),
        ("Pacific/Auckland", "2026-09-27", 23),
        ("Pacific/Auckland", "2026-04-05", 25),
        // Clocks change at midnight: the day starts at 01:00, or 23:00–24:00 repeats.
        ("America/Havana", "2026-03-08", 23),
        ("America/Havana", "2026-11-01", 25),
        ("America/Santiago", "2026-09-06", 23),
        ("America/Santiago", "2026-04-04", 25),
        ("Asia/Kolkata", "2026-03-08", 24),
        ("America/Sao_Paulo", "2026-11-01", 24),
    ];
    for (zone_name, day, hours) in cases {
        assert_eq!(day_length_minutes(zone(zone_name), date(day)), hours * 60, "{zone_name} {day}");
        for step in [15, 30, 60] {
            for duration in [15, 60, 120] {
                let av = all_day(zone_name, day, step);
                let got = slots_on(&av, day, duration, "2025-12-01T00:00:00Z");
                let expected = (hours * 60 - i64::from(duration)) / i64::from(step) + 1;
                assert_eq!(got.len() as i64, expected, "{zone_name} {day} step {step} duration {duration}");
                let unique: std::collections::BTreeSet<_> = got.iter().map(|s| s.start_utc()).collect();
                assert_eq!(unique.len(), got.len(), "no instant twice");
            }
        }
    }
}

#[test]
fn new_york_spring_forward_skips_the_missing_hour() {
    let av = availability(json!({
        "timezone": "America/New_York", "min_notice_minutes": 0,
        "overrides": [{"date": "2026-03-08", "intervals": [{"start": "01:00", "end": "04:00"}]}]
    }));
    let got = starts(&slots_on(&av, "2026-03-08", 60, NOW));
    assert_eq!(got, ["2026-03-08T01:00:00-05:00", "2026-03-08T01:30:00-05:00", "2026-03-08T03:00:00-04:00"]);
    let slots = slots_on(&av, "2026-03-08", 60, NOW);
    assert_eq!(slots[1].end().to_rfc3339(), "2026-03-08T03:30:00-04:00", "one real hour");
}

#[test]
fn new_york_fall_back_offers_the_repeated_hour_once_per_instant() {
    let av = availability(json!({
        "timezone": "America/New_York", "min_notice_minutes": 0,
        "overrides": [{"date": "2026-11-01", "intervals": [{"start": "01:00", "end": "03:00"}]}]
    }));
    let got = starts(&slots_on(&av, "2026-11-01", 60, NOW));
    assert_eq!(
        got,
        [
            "2026-11-01T01:00:00-04:00",
            "2026-11-01T01:30:00-04:00",
            "2026-11-01T01:00:00-05:00",
            "2026-11-01T01:30:00-05:00",
            "2026-11-01T02:00:00-05:00",
        ]
    );
}

#[test]
fn an_interval_ending_inside_the_repeated_hour_covers_exactly_its_readings() {
    // 00:00–01:30 on fall-back night is 00:00–01:30 EDT plus 01:00–01:30 EST; the
    // 01:30–02:00 EDT stretch between them is not working time.
    let av = availability(json!({
        "timezone": "America/New_York", "min_notice_minutes": 0,
        "overrides": [{"date": "2026-11-01", "intervals": [{"start": "00:00", "end": "01:30"}]}]
    }));
    assert_eq!(
        starts(&slots_on(&av, "2026-11-01", 30, NOW)),
        [
            "2026-11-01T00:00:00-04:00",
            "2026-11-01T00:30:00-04:00",
            "2026-11-01T01:00:00-04:00",
            "2026-11-01T01:00:00-05:00"
        ]
    );
    assert_eq!(
        starts(&slots_on(&av, "2026-11-01", 60, NOW)),
        ["2026-11-01T00:00:00-04:00", "2026-11-01T00:30:00-04:00"]
    );
}

#[test]
fn an_interval_starting_inside_the_gap_starts_when_the_clock_resumes() {
    let av = availability(json!({
        "timezone": "America/New_York", "min_notice_minutes": 0,
        "overrides": [{"date": "2026-03-08", "intervals": [{"start": "02:30", "end": "05:00"}]}]
    }));
    assert_eq!(
        starts(&slots_on(&av, "2026-03-08", 30, NOW)),
        [
            "2026-03-08T03:00:00-04:00",
            "2026-03-08T03:30:00-04:00",
            "2026-03-08T04:00:00-04:00",
            "2026-03-08T04:30:00-04:00"
        ]
    );
}

#[test]
fn sydney_dst_runs_the_other_way_round() {
    let av = availability(json!({
        "timezone": "Australia/Sydney", "min_notice_minutes": 0,
        "overrides": [
            {"date": "2026-04-05", "intervals": [{"start": "02:00", "end": "03:00"}]},
            {"date": "2026-10-04", "intervals": [{"start": "01:30", "end": "03:30"}]}
        ]
    }));
    // April: 02:00–03:00 happens twice (AEDT, then AEST).
    assert_eq!(
        starts(&slots_on(&av, "2026-04-05", 30, NOW)),
        [
            "2026-04-05T02:00:00+11:00",
            "2026-04-05T02:30:00+11:00",
            "2026-04-05T02:00:00+10:00",
            "2026-04-05T02:30:00+10:00"
        ]
    );
    // October: 02:00–03:00 never happens.
    assert_eq!(
        starts(&slots_on(&av, "2026-10-04", 30, NOW)),
        ["2026-10-04T01:30:00+10:00", "2026-10-04T03:00:00+11:00"]
    );
}

#[test]
fn every_slot_on_a_dst_day_passes_check_booking() {
    let av = availability(json!({
        "timezone": "Europe/London", "min_notice_minutes": 0, "buffer_before_minutes": 15,
        "weekly": {"sun": [{"start": "00:00", "end": "24:00"}]}
    }));
    for day in ["2026-03-29", "2026-10-25"] {
        let existing = [booking(&format!("{day}T12:00:00Z"), 90, 0, 0)];
        let slots = slots_between(&av, &existing, day, day, 45, None, NOW);
        assert!(!slots.is_empty());
        for slot in slots {
            assert_eq!(check_booking(&av, &existing, slot.start_utc(), 45, utc(NOW)), Ok(()), "{day} {}", slot.start());
        }
    }
}

#[test]
fn nearest_starts_suggest_the_closest_bookable_times() {
    let av = kolkata(json!({"max_bookings_per_day": 2}));
    let existing = [booking("2026-06-03T11:00:00+05:30", 60, 0, 0), booking("2026-06-03T15:00:00+05:30", 60, 0, 0)];
    let requested = utc("2026-06-03T11:00:00+05:30");
    let got = nearest_starts(&av, &existing, requested, minutes(60), utc(NOW), DEFAULT_SUGGESTIONS);
    // Wednesday is full; Tuesday 18:00 IST is 17 h before, Thursday 09:00 22 h after.
    assert_eq!(starts(&got), ["2026-06-02T18:00:00+05:30", "2026-06-02T17:30:00+05:30", "2026-06-02T17:00:00+05:30"]);
    let near_free = nearest_starts(&av, &[], utc("2026-06-03T11:15:00+05:30"), minutes(60), utc(NOW), 4);
    assert_eq!(
        starts(&near_free),
        [
            "2026-06-03T11:00:00+05:30",
            "2026-06-03T11:30:00+05:30",
            "2026-06-03T10:30:00+05:30",
            "2026-06-03T12:00:00+05:30"
        ],
        "ties go to the earlier start"
    );
    for slot in got.iter().chain(&near_free) {
        assert!(check_booking(&av, &existing[..0], slot.start_utc(), 60, utc(NOW)).is_ok());
    }
}

#[test]
fn nearest_starts_look_at_most_two_weeks_either_way() {
    let av = kolkata(
        json!({"overrides": [{"date": "2026-06-03", "intervals": [{"start": "09:00", "end": "10:00"}]}], "weekly": {}}),
    );
    let requested = utc("2026-06-17T09:00:00+05:30");
    assert_eq!(nearest_starts(&av, &[], requested, minutes(60), utc(NOW), 3).len(), 1);
    let too_far = utc("2026-06-18T09:00:00+05:30");
    assert!(nearest_starts(&av, &[], too_far, minutes(60), utc(NOW), 3).is_empty());
}

#[test]
fn queries_are_bounded_to_62_days() {
    let now = utc(NOW);
    assert!(SlotQuery::new(date("2026-06-01"), date("2026-08-01"), 60, None, now).is_ok());
    let too_long = SlotQuery::new(date("2026-06-01"), date("2026-08-02"), 60, None, now).unwrap_err();
    assert_eq!(too_long.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["to"]);
    let reversed = SlotQuery::new(date("2026-06-02"), date("2026-06-01"), 7, None, now).unwrap_err();
    assert_eq!(reversed.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["to", "duration_minutes"]);
}

#[test]
fn slot_queries_take_durations_up_to_ten_hours() {
    let now = utc(NOW);
    assert_eq!(
        SlotQuery::new(date("2026-06-01"), date("2026-06-01"), 600, None, now).unwrap().duration(),
        minutes(600)
    );
    for bad in [615, 960] {
        let errors = SlotQuery::new(date("2026-06-01"), date("2026-06-01"), bad, None, now).unwrap_err();
        let got: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.message.as_str())).collect();
        assert_eq!(got, [("duration_minutes", "must be a multiple of 15 between 15 and 600")], "{bad}");
    }
}

#[test]
fn query_parameters_report_every_problem() {
    let now = utc(NOW);
    let params = SlotQueryParams {
        from: None,
        to: Some("2026-6-1".into()),
        duration_minutes: Some("an hour".into()),
        timezone: Some("Moon/Base".into()),
    };
    let errors = params.parse(now).unwrap_err();
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["from", "to", "duration_minutes", "timezone"]);
    let ok: SlotQueryParams =
        serde_json::from_value(json!({"from": "2026-06-01", "to": "2026-06-07", "duration_minutes": "90"})).unwrap();
    let query = ok.parse(now).unwrap();
    assert_eq!((query.duration().minutes(), query.zone()), (90, None));
    let zoned = SlotQueryParams { timezone: Some("Europe/London".into()), ..ok };
    assert_eq!(zoned.parse(now).unwrap().zone(), Some(zone("Europe/London")));
    let lenient: SlotQueryParams = serde_json::from_value(json!({"from": "2026-06-01", "_": "1"})).unwrap();
    assert_eq!(
        lenient.parse(now).unwrap_err().iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
        ["to", "duration_minutes"]
    );
    let all_checked = SlotQueryParams {
        from: Some("2026-06-01".into()),
        to: Some("2026-09-01".into()),
        duration_minutes: Some("7".into()),
        timezone: Some("Moon/Base".into()),
    };
    assert_eq!(
        all_checked.parse(now).unwrap_err().iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
        ["to", "duration_minutes", "timezone"]
    );
}

#[test]
fn absurd_dates_are_cheap_and_empty() {
    let av = kolkata(json!({}));
    let far = SlotQuery::new(date("9999-01-01"), date("9999-02-01"), 60, None, utc(NOW)).unwrap();
    assert!(bookable_slots(&av, &[], &far).is_empty());
    let past = SlotQuery::new(date("1900-01-01"), date("1900-02-01"), 60, None, utc(NOW)).unwrap();
    assert!(bookable_slots(&av, &[], &past).is_empty());
    let edge = SlotQuery::new(chrono::NaiveDate::MAX - TimeDelta::days(3), chrono::NaiveDate::MAX, 60, None, utc(NOW))
        .unwrap();
    assert!(bookable_slots(&av, &[], &edge).is_empty());
    let end_of_time = chrono::DateTime::<chrono::Utc>::MAX_UTC;
    assert!(nearest_starts(&av, &[], end_of_time, minutes(60), utc(NOW), 3).is_empty());
    let stored_garbage = [cm_booking::OccupiedInterval {
        booking_start: end_of_time,
        occupied: cm_booking::UtcRange::new(chrono::DateTime::<chrono::Utc>::MIN_UTC, end_of_time).unwrap(),
        holder: cm_booking::Holder::Booking,
    }];
    let june = SlotQuery::new(date("2026-06-01"), date("2026-06-07"), 60, None, utc(NOW)).unwrap();
    assert!(bookable_slots(&av, &stored_garbage, &june).is_empty(), "blocks everything, panics nowhere");
    assert_eq!(check_booking(&av, &stored_garbage, end_of_time, 60, utc(NOW)).unwrap_err().code(), "too_far_ahead");
}

#[test]
fn the_largest_query_returns_every_slot() {
    let open = json!([{"start": "00:00", "end": "24:00"}]);
    let av = availability(json!({
        "timezone": "Asia/Kolkata", "min_notice_minutes": 0, "slot_step_minutes": 15,
        "weekly": {"mon": open, "tue": open, "wed": open, "thu": open, "fri": open, "sat": open, "sun": open}
    }));
    let slots = slots_between(&av, &[], "2026-03-01", "2026-05-01", 15, None, "2026-02-01T00:00:00Z");
    assert_eq!(slots.len(), 62 * 96);
    let existing: Vec<_> =
        slots.iter().step_by(7).take(300).map(|s| booking(&s.start().to_rfc3339(), 15, 0, 0)).collect();
    let remaining = slots_between(&av, &existing, "2026-03-01", "2026-05-01", 15, None, "2026-02-01T00:00:00Z");
    assert_eq!(remaining.len(), 62 * 96 - 300);
}
