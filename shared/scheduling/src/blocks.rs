//! What a booking occupies, and the lock items that make double booking impossible.
//!
//! DynamoDB cannot check interval overlap atomically, so each booking writes one lock
//! item per 15-minute UTC block ("granule", aligned to the Unix epoch) that its occupied
//! interval touches, inside the same transaction as the booking. Two bookings whose
//! block sets intersect cannot both commit. Rounding outward keeps this sound for
//! intervals that do not start or end on a block boundary.

use std::fmt;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::{Serialize, Serializer};

use crate::availability::Availability;
use crate::availability::limits::MAX_BUFFER_MINUTES;
use crate::time::UtcRange;

pub const BLOCK_MINUTES: u32 = 15;
const BLOCK_SECONDS: i64 = BLOCK_MINUTES as i64 * 60;

/// A DynamoDB transaction holds at most 100 items; the booking item and its counters
/// need the rest. Duration and buffer bounds are chosen so this can never be exceeded.
pub const MAX_LOCK_BLOCKS: usize = 90;

pub const MIN_DURATION_MINUTES: u32 = 15;
/// With both buffers at their maximum an occupied interval spans at most
/// 960 + 2 × 120 = 1200 minutes = 80 blocks, plus one for misalignment: 81 ≤ 90.
pub const MAX_DURATION_MINUTES: u32 = 960;
pub const DURATION_GRANULARITY_MINUTES: u32 = 15;

/// How long the session itself lasts: 15 to 960 minutes in whole quarter hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct BookingDuration(u32);

impl BookingDuration {
    pub fn from_minutes(minutes: u32) -> Option<Self> {
        let in_bounds = (MIN_DURATION_MINUTES..=MAX_DURATION_MINUTES).contains(&minutes);
        (in_bounds && minutes.is_multiple_of(DURATION_GRANULARITY_MINUTES)).then_some(Self(minutes))
    }

    /// Every accepted duration, shortest first.
    pub fn all() -> impl Iterator<Item = Self> {
        (MIN_DURATION_MINUTES..=MAX_DURATION_MINUTES).step_by(DURATION_GRANULARITY_MINUTES as usize).map(Self)
    }

    pub fn minutes(self) -> u32 {
        self.0
    }

    pub fn as_delta(self) -> TimeDelta {
        TimeDelta::minutes(i64::from(self.0))
    }
}

/// Travel / setup time kept free around a booking, each side 0..=120 minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Buffers {
    before_minutes: u32,
    after_minutes: u32,
}

impl Buffers {
    pub fn new(before_minutes: u32, after_minutes: u32) -> Option<Self> {
        (before_minutes <= MAX_BUFFER_MINUTES && after_minutes <= MAX_BUFFER_MINUTES)
            .then_some(Self { before_minutes, after_minutes })
    }

    pub fn before_minutes(self) -> u32 {
        self.before_minutes
    }

    pub fn after_minutes(self) -> u32 {
        self.after_minutes
    }
}

/// `[start - buffer_before, start + duration + buffer_after)`. `None` only within a few
/// hours of the ends of chrono's representable range.
pub fn occupied_interval(start: DateTime<Utc>, duration: BookingDuration, buffers: Buffers) -> Option<UtcRange> {
    let from = start.checked_sub_signed(TimeDelta::minutes(i64::from(buffers.before_minutes)))?;
    let to = start
        .checked_add_signed(duration.as_delta())?
        .checked_add_signed(TimeDelta::minutes(i64::from(buffers.after_minutes)))?;
    UtcRange::new(from, to)
}

/// One 15-minute lock granule, identified by its index: minutes since the Unix epoch / 15.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LockBlock(i64);

impl LockBlock {
    pub fn index(self) -> i64 {
        self.0
    }

    /// The block containing `instant`.
    pub fn containing(instant: DateTime<Utc>) -> Self {
        Self(instant.timestamp().div_euclid(BLOCK_SECONDS))
    }

    pub fn starts_at(self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp(self.0.checked_mul(BLOCK_SECONDS)?, 0)
    }
}

impl fmt::Display for LockBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for LockBlock {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

/// The half-open run of block indexes `[first, end)` an interval touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct BlockSpan {
    pub(crate) first: i64,
    pub(crate) end: i64,
}

impl BlockSpan {
    /// Rounds outward: the block containing the start through the block containing the
    /// last instant before the end.
    pub(crate) fn covering(range: &UtcRange) -> Self {
        let first = LockBlock::containing(range.start()).0;
        let end_seconds = range.end().timestamp() + i64::from(range.end().timestamp_subsec_nanos() > 0);
        let end = (end_seconds + BLOCK_SECONDS - 1).div_euclid(BLOCK_SECONDS);
        Self { first, end }
    }

    pub(crate) fn len(self) -> usize {
        usize::try_from(self.end - self.first).unwrap_or(0)
    }

    pub(crate) fn intersects(self, other: BlockSpan) -> bool {
        self.first < other.end && other.first < self.end
    }
}

/// The lock items a booking occupying `occupied` must write, in ascending order.
pub fn lock_blocks(occupied: &UtcRange) -> Vec<LockBlock> {
    let span = BlockSpan::covering(occupied);
    (span.first..span.end).map(LockBlock).collect()
}

/// `lock_blocks(occupied).len()` without allocating.
pub fn lock_block_count(occupied: &UtcRange) -> usize {
    BlockSpan::covering(occupied).len()
}

/// An existing booking that still holds its time (pending or confirmed), as the store
/// knows it. The occupied interval is the one computed when it was booked, so later
/// buffer changes do not retroactively move it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OccupiedInterval {
    /// Decides which local day the booking counts against for `max_bookings_per_day`.
    pub booking_start: DateTime<Utc>,
    pub occupied: UtcRange,
}

impl OccupiedInterval {
    pub fn for_booking(start: DateTime<Utc>, duration: BookingDuration, buffers: Buffers) -> Option<Self> {
        Some(Self { booking_start: start, occupied: occupied_interval(start, duration, buffers)? })
    }
}

/// Everything the booking writer needs to persist a new booking atomically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookingFootprint {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub occupied: UtcRange,
    /// Photographer-local date of the start: the key of the per-day booking counter.
    pub local_date: NaiveDate,
    pub lock_blocks: Vec<LockBlock>,
}

/// The footprint of booking `start` for `duration` under `availability`'s buffers.
/// `None` only at the ends of chrono's range; call after `check_booking` succeeds.
pub fn booking_footprint(
    availability: &Availability,
    start: DateTime<Utc>,
    duration: BookingDuration,
) -> Option<BookingFootprint> {
    let occupied = occupied_interval(start, duration, availability.buffers())?;
    Some(BookingFootprint {
        start,
        end: start.checked_add_signed(duration.as_delta())?,
        occupied,
        local_date: booking_local_date(availability, start),
        lock_blocks: lock_blocks(&occupied),
    })
}

/// The photographer-local calendar date a booking starting at `start` counts against.
pub fn booking_local_date(availability: &Availability, start: DateTime<Utc>) -> NaiveDate {
    availability.local_date(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn range(a: &str, b: &str) -> UtcRange {
        UtcRange::new(utc(a), utc(b)).unwrap()
    }

    #[test]
    fn durations_are_quarter_hours_between_15_minutes_and_16_hours() {
        assert_eq!(BookingDuration::from_minutes(15).map(BookingDuration::minutes), Some(15));
        assert_eq!(BookingDuration::from_minutes(960).map(BookingDuration::minutes), Some(960));
        for bad in [0, 5, 14, 20, 61, 975, 1440] {
            assert_eq!(BookingDuration::from_minutes(bad), None, "{bad}");
        }
        assert_eq!(BookingDuration::all().count(), 64);
    }

    #[test]
    fn buffers_are_bounded() {
        assert!(Buffers::new(120, 0).is_some());
        assert!(Buffers::new(121, 0).is_none());
        assert!(Buffers::new(0, 121).is_none());
    }

    #[test]
    fn occupied_interval_adds_both_buffers() {
        let occupied = occupied_interval(
            utc("2026-05-01T10:00:00Z"),
            BookingDuration::from_minutes(60).unwrap(),
            Buffers::new(30, 45).unwrap(),
        )
        .unwrap();
        assert_eq!(occupied, range("2026-05-01T09:30:00Z", "2026-05-01T11:45:00Z"));
    }

    #[test]
    fn aligned_intervals_lock_exactly_their_blocks() {
        let blocks = lock_blocks(&range("2026-05-01T09:30:00Z", "2026-05-01T10:15:00Z"));
        let starts: Vec<_> = blocks.iter().map(|b| b.starts_at().unwrap()).collect();
        assert_eq!(starts, [utc("2026-05-01T09:30:00Z"), utc("2026-05-01T09:45:00Z"), utc("2026-05-01T10:00:00Z")]);
        assert_eq!(blocks[0].index(), utc("2026-05-01T09:30:00Z").timestamp() / 900);
    }

    #[test]
    fn unaligned_intervals_round_outward() {
        let blocks = lock_blocks(&range("2026-05-01T09:37:00Z", "2026-05-01T10:01:00Z"));
        let starts: Vec<_> = blocks.iter().map(|b| b.starts_at().unwrap()).collect();
        assert_eq!(starts, [utc("2026-05-01T09:30:00Z"), utc("2026-05-01T09:45:00Z"), utc("2026-05-01T10:00:00Z")]);
        let sub_second =
            UtcRange::new(utc("2026-05-01T09:30:00Z"), utc("2026-05-01T09:45:00Z") + TimeDelta::nanoseconds(1))
                .unwrap();
        assert_eq!(lock_block_count(&sub_second), 2);
    }

    #[test]
    fn blocks_before_the_epoch_still_round_outward() {
        let blocks = lock_blocks(&range("1969-12-31T23:50:00Z", "1970-01-01T00:05:00Z"));
        assert_eq!(blocks.iter().map(|b| b.index()).collect::<Vec<_>>(), [-1, 0]);
    }

    #[test]
    fn touching_bookings_conflict_only_when_a_boundary_is_unaligned() {
        let a = BlockSpan::covering(&range("2026-05-01T09:00:00Z", "2026-05-01T10:00:00Z"));
        let b = BlockSpan::covering(&range("2026-05-01T10:00:00Z", "2026-05-01T11:00:00Z"));
        assert!(!a.intersects(b));
        let c = BlockSpan::covering(&range("2026-05-01T09:00:00Z", "2026-05-01T10:05:00Z"));
        let d = BlockSpan::covering(&range("2026-05-01T10:05:00Z", "2026-05-01T11:00:00Z"));
        assert!(c.intersects(d), "both round to the 10:00 block");
    }

    /// The block count depends only on the occupied length (whole minutes: a duration
    /// plus both buffers, 15..=1200) and where the start falls inside its block, so
    /// sweeping every such length against every start offset to the second covers every
    /// valid booking.
    #[test]
    fn no_valid_booking_needs_more_than_90_lock_blocks() {
        let base = utc("2026-05-01T00:00:00Z");
        let mut worst = 0;
        let longest = MAX_DURATION_MINUTES + 2 * MAX_BUFFER_MINUTES;
        for length_minutes in MIN_DURATION_MINUTES..=longest {
            let length = TimeDelta::minutes(i64::from(length_minutes));
            for offset_seconds in 0..BLOCK_SECONDS {
                let start = base + TimeDelta::seconds(offset_seconds);
                worst = worst.max(lock_block_count(&UtcRange::new(start, start + length).unwrap()));
            }
        }
        assert_eq!(worst, 81);
        assert!(worst <= MAX_LOCK_BLOCKS);
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
