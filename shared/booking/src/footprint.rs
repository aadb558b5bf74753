//! The footprint of a booking under a photographer's availability: its start and end,
//! the occupied interval with buffers, the local date it counts against, and the lock
//! blocks that make it exclusive.

use crate::availability::Availability;
use crate::blocks::{BookingDuration, LockBlock, MAX_LOCK_BLOCKS, lock_block_count, lock_blocks, occupied_interval};
use crate::time::UtcRange;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// Everything the booking writer needs to persist a new booking atomically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookingFootprint {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub occupied: UtcRange,
    /// Photographer-local date of the start: the key of the per-day booking counter.
    pub local_date: NaiveDate,
    pub lock_blocks: Vec<LockBlock>,
    /// The photographer's daily limit when booked: only then does the booking count in
    /// the per-day counter (a photographer without a limit has no counter to contend).
    pub daily_limit: Option<u32>,
}

/// The footprint of booking `start` for `duration` under `availability`'s buffers; call
/// after `check_booking` succeeds. `None` at the ends of chrono's range, and for any
/// booking that would need more than [`MAX_LOCK_BLOCKS`] lock items (its reschedule
/// could not be one transaction). `check_booking` accepts no such booking: it accepts
/// only starts on the block grid, where every duration and buffers fit.
pub fn booking_footprint(
    availability: &Availability,
    start: DateTime<Utc>,
    duration: BookingDuration,
) -> Option<BookingFootprint> {
    let occupied = occupied_interval(start, duration, availability.buffers())?;
    if lock_block_count(&occupied) > MAX_LOCK_BLOCKS {
        return None;
    }
    Some(BookingFootprint {
        start,
        end: start.checked_add_signed(duration.as_delta())?,
        occupied,
        local_date: booking_local_date(availability, start),
        lock_blocks: lock_blocks(&occupied),
        daily_limit: availability.max_bookings_per_day(),
    })
}

/// The photographer-local calendar date a booking starting at `start` counts against.
pub fn booking_local_date(availability: &Availability, start: DateTime<Utc>) -> NaiveDate {
    availability.local_date(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocks::{Buffers, MAX_DURATION_MINUTES};
    use crate::limits::{BUFFER_GRANULARITY_MINUTES, MAX_BUFFER_MINUTES};
    use chrono::TimeDelta;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn range(a: &str, b: &str) -> UtcRange {
        UtcRange::new(utc(a), utc(b)).unwrap()
    }

    fn all_buffers() -> Vec<Buffers> {
        let quarters = (0..=MAX_BUFFER_MINUTES).step_by(BUFFER_GRANULARITY_MINUTES as usize);
        quarters.clone().flat_map(|b| quarters.clone().map(move |a| Buffers::new(b, a).unwrap())).collect()
    }

    #[test]
    fn footprints_never_exceed_the_transaction_cap() {
        let base = utc("2026-05-01T00:00:00Z");
        for buffers in all_buffers() {
            let availability = Availability::from_json(&format!(
                r#"{{"timezone": "UTC", "buffer_before_minutes": {}, "buffer_after_minutes": {}}}"#,
                buffers.before_minutes(),
                buffers.after_minutes()
            ))
            .unwrap();
            for duration in BookingDuration::all() {
                let on_grid = booking_footprint(&availability, base, duration).unwrap();
                let occupied = occupied_interval(base, duration, buffers).unwrap();
                assert_eq!(on_grid.lock_blocks, lock_blocks(&occupied));
                assert!(on_grid.lock_blocks.len() <= MAX_LOCK_BLOCKS);
                for offset in [TimeDelta::nanoseconds(1), TimeDelta::seconds(1), TimeDelta::minutes(7)] {
                    let start = base + offset;
                    let count = lock_block_count(&occupied_interval(start, duration, buffers).unwrap());
                    match booking_footprint(&availability, start, duration) {
                        Some(footprint) => {
                            assert!(count <= MAX_LOCK_BLOCKS);
                            assert_eq!(footprint.lock_blocks.len(), count);
                        }
                        None => assert_eq!(count, MAX_LOCK_BLOCKS + 1, "{duration:?} {buffers:?} +{offset}"),
                    }
                }
            }
        }
        let widest =
            Availability::from_json(r#"{"timezone": "UTC", "buffer_before_minutes": 60, "buffer_after_minutes": 60}"#)
                .unwrap();
        let longest = BookingDuration::from_minutes(MAX_DURATION_MINUTES).unwrap();
        assert_eq!(booking_footprint(&widest, base, longest).unwrap().lock_blocks.len(), 48);
        assert_eq!(booking_footprint(&widest, base + TimeDelta::minutes(1), longest), None);
    }

    #[test]
    fn footprint_names_the_photographers_local_date() {
        let availability =
            Availability::from_json(r#"{"timezone": "Asia/Kolkata", "buffer_before_minutes": 30}"#).unwrap();
        let footprint =
            booking_footprint(&availability, utc("2026-05-01T20:00:00Z"), BookingDuration::from_minutes(60).unwrap())
                .unwrap();
        assert_eq!(footprint.local_date, NaiveDate::from_ymd_opt(2026, 5, 2).unwrap());
        assert_eq!(footprint.end, utc("2026-05-01T21:00:00Z"));
        assert_eq!(footprint.lock_blocks.len(), 6);
        assert_eq!(footprint.occupied, range("2026-05-01T19:30:00Z", "2026-05-01T21:00:00Z"));
    }
}
