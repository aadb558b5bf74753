//! `check_booking`: one test per rule, plus the order in which rules are reported.

mod common;

use chrono::TimeDelta;
use cm_booking::{
    Availability, BookingDuration, MAX_LOCK_BLOCKS, OccupiedInterval, RuleViolation, booking_footprint, check_booking,
    lock_block_count, occupied_interval,
};
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
    for bad in [0, 10, 25, 599, 615, 960, 975, 1000] {
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
        "timezone": "Asia/Kolkata", "weekly": {"wed": [{"start": "09:15", "end": "12:00"}]},
        "slot_step_minutes": 45, "min_notice_minutes": 0
    }));
    assert_eq!(check(&odd, &[], "2026-06-03T10:00:00+05:30", 45), Ok(()), "steps count from 09:15");
    assert_eq!(
        check(&odd, &[], "2026-06-03T10:15:00+05:30", 45),
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

/// Bookings stored under older rules may occupy any minutes; they still hold every lock
/// block they touch. (A new booking's occupied interval is always on the block grid, so
/// for it sharing a block and sharing an instant are the same thing; the block-level
/// difference is covered by the `blocks` unit tests.)
#[test]
fn an_unaligned_stored_booking_holds_its_whole_lock_blocks() {
    let av = availability(json!({
        "timezone": "UTC", "weekly": {"wed": [{"start": "00:00", "end": "24:00"}]},
        "slot_step_minutes": 15, "min_notice_minutes": 0
    }));
    // Stored by older rules: occupies 04:40–05:10, i.e. blocks 04:30, 04:45 and 05:00.
    let existing = [OccupiedInterval {
        booking_start: utc("2026-06-03T04:40:00Z"),
        occupied: cm_booking::UtcRange::new(utc("2026-06-03T04:40:00Z"), utc("2026-06-03T05:10:00Z")).unwrap(),
        holder: cm_booking::Holder::Booking,
    }];
    let at = |start: &str, duration: u32| check_booking(&av, &existing, utc(start), duration, utc(NOW));
    assert_eq!(at("2026-06-03T04:30:00Z", 15), Err(RuleViolation::Overlap), "04:30 block, though it is 04:40");
    assert_eq!(at("2026-06-03T05:00:00Z", 15), Err(RuleViolation::Overlap), "05:00 block");
    assert_eq!(at("2026-06-03T04:15:00Z", 15), Ok(()), "ends as the 04:30 block starts");
    assert_eq!(at("2026-06-03T05:15:00Z", 15), Ok(()), "the 05:15 block is free");
    let buffered = availability(json!({
        "timezone": "UTC", "weekly": {"wed": [{"start": "00:00", "end": "24:00"}]},
        "slot_step_minutes": 15, "buffer_after_minutes": 15, "min_notice_minutes": 0
    }));
    assert_eq!(
        check_booking(&buffered, &existing, utc("2026-06-03T04:15:00Z"), 15, utc(NOW)),
        Err(RuleViolation::Overlap),
        "its after-buffer takes the 04:30 block"
    );
}

/// The largest booking the rules accept, 600 minutes with 60-minute buffers both sides,
/// needs exactly `MAX_LOCK_BLOCKS` lock items; one quarter hour more is refused.
#[test]
fn the_longest_booking_with_the_widest_buffers_fills_the_lock_block_cap_exactly() {
    let av = availability(json!({
        "timezone": "Asia/Kathmandu", "weekly": {"wed": [{"start": "07:00", "end": "24:00"}]},
        "slot_step_minutes": 15, "buffer_before_minutes": 60, "buffer_after_minutes": 60, "min_notice_minutes": 0
    }));
    let start = utc("2026-06-03T07:00:00+05:45");
    assert_eq!(check_booking(&av, &[], start, 600, utc(NOW)), Ok(()));
    let footprint = booking_footprint(&av, start, minutes(600)).unwrap();
    assert_eq!(footprint.lock_blocks.len(), MAX_LOCK_BLOCKS);
    assert_eq!(footprint.lock_blocks[0].starts_at(), Some(utc("2026-06-03T06:00:00+05:45")));
    assert_eq!(check_booking(&av, &[], start, 615, utc(NOW)), Err(RuleViolation::InvalidDuration { minutes: 615 }));
}

/// Every duration × every buffer pair, in zones whose offsets are half and three-quarter
/// hours (one with DST): every start the rules accept (all offered slots of a day) holds
/// exactly (duration + buffers) / 15 lock blocks, at most 48, and the same start moved
/// off the block grid is refused by `check_booking` instead of rounding out to more.
#[test]
fn every_duration_and_buffer_pair_stays_within_the_lock_block_cap() {
    let zones =
        [("Asia/Kathmandu", "2026-06-03"), ("Pacific/Chatham", "2026-09-27"), ("America/St_Johns", "2026-03-08")];
    let mut worst = 0;
    for (zone_name, day) in zones {
        for before in (0..=60).step_by(15) {
            for after in (0..=60).step_by(15) {
                let av = availability(json!({
                    "timezone": zone_name, "min_notice_minutes": 0, "slot_step_minutes": 15, "max_days_ahead": 730,
                    "buffer_before_minutes": before, "buffer_after_minutes": after,
                    "overrides": [{"date": day, "intervals": [{"start": "00:00", "end": "24:00"}]}]
                }));
                for duration in BookingDuration::all().map(BookingDuration::minutes) {
                    let slots = slots_between(&av, &[], day, day, duration, None, "2026-01-01T00:00:00Z");
                    assert!(!slots.is_empty(), "{zone_name} {duration}");
                    let exact = ((duration + before + after) / 15) as usize;
                    for slot in &slots {
                        let start = slot.start_utc();
                        let footprint = booking_footprint(&av, start, minutes(duration)).unwrap();
                        assert_eq!(footprint.lock_blocks.len(), exact, "{zone_name} {} {duration}", slot.start());
                        worst = worst.max(exact);
                    }
                    let start = slots[0].start_utc();
                    for nudge in [TimeDelta::seconds(30), TimeDelta::minutes(1), TimeDelta::minutes(14)] {
                        assert_eq!(
                            check_booking(&av, &[], start + nudge, duration, utc("2026-01-01T00:00:00Z")),
                            Err(RuleViolation::NotOnSlotStep { step_minutes: 15 }),
                            "{zone_name} {duration} +{nudge}"
                        );
                    }
                }
            }
        }
    }
    assert_eq!(worst, MAX_LOCK_BLOCKS);
}

/// Monrovia kept −00:44:30 until 1972: a start reading 08:00 on the step there is
/// 08:44:30 UTC, between lock blocks, where the longest booking would need 49 of them.
/// The rules refuse it (and offer nothing that day) rather than produce 49 blocks.
#[test]
fn a_start_off_the_block_grid_is_refused_even_when_it_reads_on_the_step() {
    let av = availability(json!({
        "timezone": "Africa/Monrovia", "min_notice_minutes": 0, "slot_step_minutes": 15, "max_days_ahead": 730,
        "buffer_before_minutes": 60, "buffer_after_minutes": 60,
        "weekly": {"wed": [{"start": "00:00", "end": "24:00"}]}
    }));
    let then = utc("1971-01-01T00:00:00Z");
    let start = utc("1971-06-02T08:44:30Z");
    assert_eq!(start.with_timezone(&av.timezone()).naive_local().to_string(), "1971-06-02 08:00:00");
    let occupied = occupied_interval(start, minutes(600), av.buffers()).unwrap();
    assert_eq!(lock_block_count(&occupied), MAX_LOCK_BLOCKS + 1, "what rounding outward would take");
    assert_eq!(check_booking(&av, &[], start, 600, then), Err(RuleViolation::NotOnSlotStep { step_minutes: 15 }));
    assert_eq!(booking_footprint(&av, start, minutes(600)), None);
    assert!(slots_between(&av, &[], "1971-06-02", "1971-06-02", 600, None, "1971-01-01T00:00:00Z").is_empty());
    // Since 1972 Monrovia is on GMT, and the same reading is on the grid again.
    let later = utc("1972-06-07T08:00:00Z");
    assert_eq!(check_booking(&av, &[], later, 600, utc("1972-01-10T00:00:00Z")), Ok(()));
    assert_eq!(booking_footprint(&av, later, minutes(600)).unwrap().lock_blocks.len(), MAX_LOCK_BLOCKS);
}

/// The grid rule never costs a real slot: every zone's offsets over the years a booking
/// can be made in now are whole quarter hours, so quarter-hour readings are on the grid.
#[test]
fn every_offset_in_use_is_a_whole_quarter_hour() {
    use chrono::{Offset, TimeZone};
    let (first, last) = (utc("2020-01-01T00:00:00Z"), utc("2032-01-01T00:00:00Z"));
    for zone in chrono_tz::TZ_VARIANTS {
        let mut instant = first;
        while instant < last {
            let offset = zone.offset_from_utc_datetime(&instant.naive_utc()).fix().local_minus_utc();
            assert_eq!(offset % (15 * 60), 0, "{} at {instant}", zone.name());
            instant += TimeDelta::days(7);
        }
    }
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

fn busy(from: &str, to: &str) -> OccupiedInterval {
    OccupiedInterval::external_busy(cm_booking::UtcRange::new(utc(from), utc(to)).unwrap())
}

/// Busy time from an external calendar takes its time like a booking (and the new
/// booking's buffers keep clear of it), but it is not a booking: the daily limit of two
/// still admits two bookings on a day full of busy time elsewhere.
#[test]
fn external_busy_time_blocks_its_time_but_is_not_counted_as_a_booking() {
    let av = kolkata();
    let lunch_meeting = busy("2026-06-03T10:00:00+05:30", "2026-06-03T11:00:00+05:30");
    let existing = [lunch_meeting];
    assert_eq!(check(&av, &existing, "2026-06-03T10:00:00+05:30", 60), Err(RuleViolation::Overlap));
    assert_eq!(check(&av, &existing, "2026-06-03T11:00:00+05:30", 60), Err(RuleViolation::Overlap), "buffer");
    assert_eq!(check(&av, &existing, "2026-06-03T11:30:00+05:30", 60), Ok(()));
    let many_busy = [
        busy("2026-06-03T09:00:00+05:30", "2026-06-03T09:15:00+05:30"),
        busy("2026-06-03T14:00:00+05:30", "2026-06-03T14:15:00+05:30"),
        busy("2026-06-03T18:45:00+05:30", "2026-06-03T19:00:00+05:30"),
    ];
    assert_eq!(check(&av, &many_busy, "2026-06-03T11:00:00+05:30", 60), Ok(()), "three busy spans are no bookings");
    let one_booking = cm_booking::OccupiedInterval::for_booking(
        utc("2026-06-03T15:00:00+05:30"),
        BookingDuration::from_minutes(60).unwrap(),
        cm_booking::Buffers::new(30, 30).unwrap(),
    )
    .unwrap();
    let mixed: Vec<_> = many_busy.iter().copied().chain([one_booking]).collect();
    assert_eq!(check(&av, &mixed, "2026-06-03T11:00:00+05:30", 60), Ok(()), "the second booking of the day");
    let two_bookings: Vec<_> = mixed.iter().copied().chain([OccupiedInterval { ..one_booking }]).collect();
    assert!(matches!(
        check(&av, &two_bookings, "2026-06-03T11:00:00+05:30", 60),
        Err(RuleViolation::DailyLimit { .. })
    ));
}
