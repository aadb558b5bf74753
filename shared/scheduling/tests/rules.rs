//! `check_booking`: one test per rule, plus the order in which rules are reported.

mod common;

use cm_scheduling::{Availability, OccupiedInterval, RuleViolation, check_booking};
use common::*;
use serde_json::json;

/// Kolkata (+05:30, no DST), weekdays 09:00–13:00 and 14:00–19:00, 30-minute steps,
/// 30-minute buffers, a day's notice, 30 days ahead, two bookings a day, and Friday
/// 5 June 10:00–11:00 off.
fn kolkata() -> Availability {
    let day = json!([{"start": "09:00", "end": "13:00"}, {"start": "14:00", "end": "19:00"}]);
    availability(json!({
        "timezone": "Asia/Kolkata",
        "weekly": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
        "time_off": [{"start": "2026-06-05T10:00:00+05:30", "end": "2026-06-05T11:00:00+05:30"}],
        "buffer_before_minutes": 30, "buffer_after_minutes": 30, "min_notice_minutes": 1440,
        "max_days_ahead": 30, "max_bookings_per_day": 2, "slot_step_minutes": 30
    }))
}

const NOW: &str = "2026-06-01T00:00:00Z";

fn check(
    availability: &Availability,
    existing: &[OccupiedInterval],
    start: &str,
    duration: u32,
) -> Result<(), RuleViolation> {
    check_booking(availability, existing, utc(start), duration, utc(NOW))
}

#[test]
fn a_booking_inside_working_hours_passes() {
    assert_eq!(check(&kolkata(), &[], "2026-06-03T09:00:00+05:30", 60), Ok(()));
    assert_eq!(check(&kolkata(), &[], "2026-06-03T12:00:00+05:30", 60), Ok(()), "ends exactly at 13:00");
    assert_eq!(check(&kolkata(), &[], "2026-06-03T14:00:00+05:30", 300), Ok(()), "fills the afternoon");
}

#[test]
fn invalid_durations() {
    for bad in [0, 10, 25, 975, 1000] {
        assert_eq!(
            check(&kolkata(), &[], "2026-06-03T09:00:00+05:30", bad),
            Err(RuleViolation::InvalidDuration { minutes: bad })
        );
    }
}

#[test]
fn starts_in_the_past() {
    assert_eq!(check(&kolkata(), &[], "2026-05-29T09:00:00+05:30", 60), Err(RuleViolation::StartInPast));
}

#[test]
fn min_notice() {
    let av = kolkata();
    // Now is 05:30 IST on Monday 1 June: Monday 09:00 is 3.5 h away, Tuesday 09:00 27.5 h.
    assert_eq!(check(&av, &[], "2026-06-01T09:00:00+05:30", 60), Err(RuleViolation::MinNotice { minutes: 1440 }));
    assert_eq!(check(&av, &[], "2026-06-02T09:00:00+05:30", 60), Ok(()));
    let exactly = availability(json!({
        "timezone": "UTC", "weekly": {"tue": [{"start": "00:00", "end": "12:00"}]}, "min_notice_minutes": 1440
    }));
    assert_eq!(check(&exactly, &[], "2026-06-02T00:00:00Z", 60), Ok(()), "exactly the notice is enough");
    assert_eq!(check(&exactly, &[], "2026-06-01T23:30:00Z", 60), Err(RuleViolation::MinNotice { minutes: 1440 }));
}

#[test]
fn too_far_ahead() {
    let av = kolkata();
    assert_eq!(check(&av, &[], "2026-07-01T09:00:00+05:30", 60), Err(RuleViolation::TooFarAhead { days: 30 }));
    assert_eq!(check(&av, &[], "2026-06-30T09:00:00+05:30", 60), Ok(()));
    assert_eq!(check(&av, &[], "9999-06-30T09:00:00+05:30", 60), Err(RuleViolation::TooFarAhead { days: 30 }));
}

#[test]
fn outside_working_hours() {
    let av = kolkata();
    assert_eq!(check(&av, &[], "2026-06-03T08:00:00+05:30", 60), Err(RuleViolation::OutsideWorkingHours));
    assert_eq!(
        check(&av, &[], "2026-06-03T12:30:00+05:30", 60),
        Err(RuleViolation::OutsideWorkingHours),
        "runs into lunch"
    );
    assert_eq!(
        check(&av, &[], "2026-06-03T18:30:00+05:30", 60),
        Err(RuleViolation::OutsideWorkingHours),
        "runs past 19:00"
    );
    assert_eq!(check(&av, &[], "2026-06-06T10:00:00+05:30", 60), Err(RuleViolation::OutsideWorkingHours), "Saturday");
}

#[test]
fn not_on_slot_step() {
    let av = kolkata();
    let step = Err(RuleViolation::NotOnSlotStep { step_minutes: 30 });
    assert_eq!(check(&av, &[], "2026-06-03T09:15:00+05:30", 60), step);
    assert_eq!(check(&av, &[], "2026-06-03T09:00:30+05:30", 60), step);
    let odd = availability(json!({
        "timezone": "Asia/Kolkata", "weekly": {"wed": [{"start": "09:10", "end": "12:00"}]},
        "slot_step_minutes": 45, "min_notice_minutes": 0
    }));
    assert_eq!(check(&odd, &[], "2026-06-03T09:55:00+05:30", 45), Ok(()), "steps count from 09:10");
    assert_eq!(
        check(&odd, &[], "2026-06-03T10:00:00+05:30", 45),
        Err(RuleViolation::NotOnSlotStep { step_minutes: 45 })
    );
}

#[test]
fn time_off() {
    let av = kolkata();
    assert_eq!(check(&av, &[], "2026-06-05T09:30:00+05:30", 60), Err(RuleViolation::TimeOff));
    assert_eq!(check(&av, &[], "2026-06-05T10:30:00+05:30", 30), Err(RuleViolation::TimeOff));
    assert_eq!(check(&av, &[], "2026-06-05T09:00:00+05:30", 60), Ok(()), "ends as time off starts");
    assert_eq!(check(&av, &[], "2026-06-05T11:00:00+05:30", 60), Ok(()), "starts as time off ends");
}

#[test]
fn overlap_includes_both_sides_buffers() {
    let av = kolkata();
    // Occupies 10:30–12:30 IST.
    let existing = [booking("2026-06-03T11:00:00+05:30", 60, 30, 30)];
    assert_eq!(check(&av, &existing, "2026-06-03T09:00:00+05:30", 60), Ok(()), "its after-buffer ends 10:30");
    assert_eq!(check(&av, &existing, "2026-06-03T09:30:00+05:30", 60), Err(RuleViolation::Overlap));
    assert_eq!(
        check(&av, &existing, "2026-06-03T12:30:00+05:30", 30),
        Err(RuleViolation::Overlap),
        "before-buffer 12:00"
    );
    assert_eq!(check(&av, &existing, "2026-06-03T14:00:00+05:30", 60), Ok(()));
}

#[test]
fn sharing_a_lock_block_is_an_overlap_even_without_touching() {
    let av = availability(json!({
        "timezone": "UTC", "weekly": {"wed": [{"start": "00:00", "end": "24:00"}]},
        "slot_step_minutes": 15, "buffer_after_minutes": 10, "min_notice_minutes": 0
    }));
    // Stored by older rules: occupies 04:40–05:00, i.e. blocks 04:30 and 04:45.
    let existing = [OccupiedInterval {
        booking_start: utc("2026-06-03T04:40:00Z"),
        occupied: cm_scheduling::UtcRange::new(utc("2026-06-03T04:40:00Z"), utc("2026-06-03T05:00:00Z")).unwrap(),
    }];
    // 04:15 for 15 minutes + 10 after occupies 04:15–04:40: no instant shared, but block 04:30 is.
    assert_eq!(check_booking(&av, &existing, utc("2026-06-03T04:15:00Z"), 15, utc(NOW)), Err(RuleViolation::Overlap));
    assert_eq!(check_booking(&av, &existing, utc("2026-06-03T04:00:00Z"), 15, utc(NOW)), Ok(()));
}

#[test]
fn daily_limit_counts_the_photographers_local_day() {
    let av = kolkata();
    // 00:30 IST on Wednesday is still Tuesday in UTC; it counts for Wednesday.
    let existing = [booking("2026-06-02T19:00:00Z", 60, 0, 0), booking("2026-06-03T17:00:00+05:30", 60, 30, 30)];
    assert_eq!(
        check(&av, &existing, "2026-06-03T09:00:00+05:30", 60),
        Err(RuleViolation::DailyLimit { date: date("2026-06-03"), limit: 2 })
    );
    assert_eq!(check(&av, &existing[1..], "2026-06-03T09:00:00+05:30", 60), Ok(()));
    assert_eq!(check(&av, &existing, "2026-06-04T09:00:00+05:30", 60), Ok(()));
    let unlimited =
        availability(json!({"timezone": "Asia/Kolkata", "weekly": {"wed": [{"start": "09:00", "end": "19:00"}]}}));
    let many: Vec<_> = (0..5).map(|h| booking(&format!("2026-06-03T{:02}:00:00+05:30", 14 + h), 30, 0, 0)).collect();
    assert_eq!(check(&unlimited, &many, "2026-06-03T09:00:00+05:30", 60), Ok(()));
}

#[test]
fn first_broken_rule_is_reported() {
    let av = kolkata();
    assert_eq!(check(&av, &[], "2020-01-01T09:15:00+05:30", 7).unwrap_err().code(), "invalid_duration");
    assert_eq!(check(&av, &[], "2026-05-30T09:15:00+05:30", 60).unwrap_err().code(), "start_in_past");
    assert_eq!(check(&av, &[], "2026-06-06T09:15:00+05:30", 60).unwrap_err().code(), "outside_working_hours");
    let existing = [booking("2026-06-05T10:00:00+05:30", 60, 0, 0)];
    assert_eq!(check(&av, &existing, "2026-06-05T10:00:00+05:30", 60).unwrap_err().code(), "time_off");
}

#[test]
fn violations_serialise_with_a_stable_code_and_a_message() {
    let all = [
        RuleViolation::InvalidDuration { minutes: 7 },
        RuleViolation::StartInPast,
        RuleViolation::MinNotice { minutes: 60 },
        RuleViolation::TooFarAhead { days: 30 },
        RuleViolation::OutsideWorkingHours,
        RuleViolation::NotOnSlotStep { step_minutes: 30 },
        RuleViolation::TimeOff,
        RuleViolation::Overlap,
        RuleViolation::DailyLimit { date: date("2026-06-03"), limit: 2 },
    ];
    let codes: Vec<_> = all.iter().map(RuleViolation::code).collect();
    assert_eq!(
        codes,
        [
            "invalid_duration",
            "start_in_past",
            "min_notice",
            "too_far_ahead",
            "outside_working_hours",
            "not_on_slot_step",
            "time_off",
            "overlap",
            "daily_limit"
        ]
    );
    assert_eq!(
        serde_json::to_value(&all[8]).unwrap(),
        json!({"code": "daily_limit", "message": "the photographer takes at most 2 bookings on 2026-06-03"})
    );
    assert!(all.iter().all(|v| !v.to_string().is_empty()));
}

#[test]
fn bookings_may_run_across_midnight_only_into_touching_hours() {
    let open_late = availability(json!({
        "timezone": "Asia/Kolkata", "min_notice_minutes": 0,
        "weekly": {"sat": [{"start": "20:00", "end": "24:00"}], "sun": [{"start": "00:00", "end": "02:00"}]}
    }));
    assert_eq!(check(&open_late, &[], "2026-06-06T23:00:00+05:30", 180), Ok(()));
    assert_eq!(check(&open_late, &[], "2026-06-06T23:30:00+05:30", 180), Err(RuleViolation::OutsideWorkingHours));
    let closed_sunday = availability(json!({
        "timezone": "Asia/Kolkata", "min_notice_minutes": 0,
        "weekly": {"sat": [{"start": "20:00", "end": "24:00"}], "sun": [{"start": "00:00", "end": "02:00"}]},
        "overrides": [{"date": "2026-06-07", "intervals": []}]
    }));
    assert_eq!(check(&closed_sunday, &[], "2026-06-06T23:00:00+05:30", 180), Err(RuleViolation::OutsideWorkingHours));
    assert_eq!(check(&closed_sunday, &[], "2026-06-06T23:00:00+05:30", 60), Ok(()));
}
