//! What a booking occupies, and the lock items that make double booking impossible.
//!
//! DynamoDB cannot check interval overlap atomically, so each booking writes one lock
//! item per 15-minute UTC block ("granule", aligned to the Unix epoch) that its occupied
//! interval touches, inside the same transaction as the booking. Two bookings whose
//! block sets intersect cannot both commit. Rounding outward keeps this sound for
//! intervals that do not start or end on a block boundary.
//!
//! # Why a booking holds at most 48 blocks
//!
//! A reschedule must be atomic: one `TransactWriteItems` puts the new lock blocks,
//! deletes the old ones, and writes the booking item and two per-day counters (the old
//! date's and the new one's). DynamoDB takes at most 100 items per transaction, so one
//! booking may hold at most [`MAX_LOCK_BLOCKS`] = 48 blocks: 48 + 48 + 3 = 99.
//!
//! The bounds make that hold exactly, with no rounding. Durations are 15..=600 minutes,
//! buffers 0..=60 minutes each, and durations, buffers, slot steps and availability
//! interval boundaries are all whole quarter hours. Every real UTC offset in use is a
//! multiple of 15 minutes, so every start the rules offer lies on the block grid and a
//! booking's occupied interval is exactly `(duration + buffers) / 15` blocks, at most
//! `(600 + 2 × 60) / 15 = 48`. An unaligned start would round out to one block more
//! (49), so the rules refuse any start off the grid (only historical, non-quarter-hour
//! offsets could produce one) and [`booking_footprint`] refuses more than the cap as a
//! last line of defence. The outward rounding stays as a safety net for stored data.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Serialize, Serializer};

use crate::limits::{
    BUFFER_GRANULARITY_MINUTES, INTERVAL_GRANULARITY_MINUTES, MAX_BUFFER_MINUTES, SLOT_STEP_GRANULARITY_MINUTES,
};
use crate::time::UtcRange;

pub const BLOCK_MINUTES: u32 = 15;
const BLOCK_SECONDS: i64 = BLOCK_MINUTES as i64 * 60;

/// A reschedule writes the new blocks, deletes the old ones and updates the booking and
/// two day counters in one DynamoDB transaction of at most 100 items: 48 + 48 + 3 = 99.
pub const MAX_LOCK_BLOCKS: usize = 48;

pub const MIN_DURATION_MINUTES: u32 = 15;
/// Ten hours. With both buffers at their maximum an occupied interval spans at most
/// 600 + 2 × 60 = 720 minutes = 48 whole blocks (it is always block-aligned).
pub const MAX_DURATION_MINUTES: u32 = 600;
pub const DURATION_GRANULARITY_MINUTES: u32 = 15;

// Everything that positions or sizes an occupied interval is whole blocks, so accepted
// intervals are block-aligned, and the largest one fits the transaction cap exactly.
const _: () = {
    assert!(DURATION_GRANULARITY_MINUTES.is_multiple_of(BLOCK_MINUTES));
    assert!(MIN_DURATION_MINUTES.is_multiple_of(BLOCK_MINUTES) && MAX_DURATION_MINUTES.is_multiple_of(BLOCK_MINUTES));
    assert!(
        BUFFER_GRANULARITY_MINUTES.is_multiple_of(BLOCK_MINUTES) && MAX_BUFFER_MINUTES.is_multiple_of(BLOCK_MINUTES)
    );
    assert!(SLOT_STEP_GRANULARITY_MINUTES.is_multiple_of(BLOCK_MINUTES));
    assert!(INTERVAL_GRANULARITY_MINUTES.is_multiple_of(BLOCK_MINUTES));
    assert!(((MAX_DURATION_MINUTES + 2 * MAX_BUFFER_MINUTES) / BLOCK_MINUTES) as usize == MAX_LOCK_BLOCKS);
};

/// How long the session itself lasts: 15 to 600 minutes in whole quarter hours.
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

/// Travel / setup time kept free around a booking, each side 0..=60 minutes in whole
/// quarter hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Buffers {
    before_minutes: u32,
    after_minutes: u32,
}

impl Buffers {
    pub fn new(before_minutes: u32, after_minutes: u32) -> Option<Self> {
        let valid = |m: u32| m <= MAX_BUFFER_MINUTES && m.is_multiple_of(BUFFER_GRANULARITY_MINUTES);
        (valid(before_minutes) && valid(after_minutes)).then_some(Self { before_minutes, after_minutes })
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

/// Whether `instant` is a block boundary: a whole quarter hour since the Unix epoch.
pub(crate) fn on_block_grid(instant: DateTime<Utc>) -> bool {
    instant.timestamp().rem_euclid(BLOCK_SECONDS) == 0 && instant.timestamp_subsec_nanos() == 0
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

/// Time the photographer cannot be booked: an existing booking that still holds its time
/// (pending or confirmed), as the store knows it, or busy time read from one of their
/// external calendars. A booking's occupied interval is the one computed when it was
/// booked, so later buffer changes do not retroactively move it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OccupiedInterval {
    /// Decides which local day the booking counts against for `max_bookings_per_day`.
    pub booking_start: DateTime<Utc>,
    pub occupied: UtcRange,
    /// What holds the time. Never serialized: busy time is private to the photographer,
    /// and a slot it takes must look like any other taken slot.
    #[serde(skip)]
    pub holder: Holder,
}

/// What holds an [`OccupiedInterval`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Holder {
    /// A booking on the platform: it blocks its time and counts against the daily limit.
    #[default]
    Booking,
    /// Busy time from an external calendar: it blocks its time but is not a booking, so
    /// `max_bookings_per_day` and the shoots-that-day score do not count it.
    ExternalBusy,
}

impl OccupiedInterval {
    pub fn for_booking(start: DateTime<Utc>, duration: BookingDuration, buffers: Buffers) -> Option<Self> {
        Some(Self {
            booking_start: start,
            occupied: occupied_interval(start, duration, buffers)?,
            holder: Holder::Booking,
        })
    }

    /// Busy time from an external calendar, taken as it is (no buffers: the photographer's
    /// buffers surround their shoots, and a new booking's own buffers already keep it
    /// clear of whatever is next to it).
    pub fn external_busy(busy: UtcRange) -> Self {
        Self { booking_start: busy.start(), occupied: busy, holder: Holder::ExternalBusy }
    }

    /// Whether this counts as a booking for the daily limit and the day's shoots.
    pub fn is_booking(&self) -> bool {
        self.holder == Holder::Booking
    }
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
    fn durations_are_quarter_hours_between_15_minutes_and_10_hours() {
        assert_eq!(BookingDuration::from_minutes(15).map(BookingDuration::minutes), Some(15));
        assert_eq!(BookingDuration::from_minutes(600).map(BookingDuration::minutes), Some(600));
        for bad in [0, 5, 14, 20, 61, 599, 601, 615, 960, 975, 1440] {
            assert_eq!(BookingDuration::from_minutes(bad), None, "{bad}");
        }
        assert_eq!(BookingDuration::all().count(), 40);
        assert_eq!(BookingDuration::all().last().map(BookingDuration::minutes), Some(MAX_DURATION_MINUTES));
    }

    #[test]
    fn buffers_are_quarter_hours_up_to_an_hour_each() {
        for (before, after) in [(0, 0), (15, 45), (60, 0), (0, 60), (60, 60)] {
            let buffers = Buffers::new(before, after).unwrap();
            assert_eq!((buffers.before_minutes(), buffers.after_minutes()), (before, after));
        }
        for (before, after) in [(61, 0), (0, 61), (75, 0), (0, 75), (120, 0), (0, 120), (10, 0), (0, 20), (59, 59)] {
            assert!(Buffers::new(before, after).is_none(), "{before}/{after}");
        }
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

    /// Every accepted buffer setting, as an availability document would give it.
    fn all_buffers() -> Vec<Buffers> {
        let quarters = (0..=MAX_BUFFER_MINUTES).step_by(BUFFER_GRANULARITY_MINUTES as usize);
        quarters.clone().flat_map(|b| quarters.clone().map(move |a| Buffers::new(b, a).unwrap())).collect()
    }

    /// The block count depends only on the occupied length and on where the start falls
    /// inside its block, so sweeping every duration × every buffer pair × every start
    /// offset within a block (to the second, plus a nanosecond) covers every booking.
    /// Starts the rules accept are on the grid (offset 0): exactly (duration + buffers) /
    /// 15 blocks, 48 at most. Any other offset rounds out to one more, which is why the
    /// rules refuse off-grid starts and `booking_footprint` refuses the 49th block.
    #[test]
    fn no_accepted_booking_needs_more_than_48_lock_blocks() {
        let base = utc("2026-05-01T00:00:00Z");
        let offsets: Vec<TimeDelta> =
            std::iter::once(TimeDelta::nanoseconds(1)).chain((0..BLOCK_SECONDS).map(TimeDelta::seconds)).collect();
        let (mut worst_on_grid, mut worst_off_grid, mut combinations) = (0, 0, 0);
        for buffers in all_buffers() {
            for duration in BookingDuration::all() {
                combinations += 1;
                let minutes = duration.minutes() + buffers.before_minutes() + buffers.after_minutes();
                let exact = usize::try_from(minutes / BLOCK_MINUTES).unwrap();
                for offset in &offsets {
                    let start = base + *offset;
                    let count = lock_block_count(&occupied_interval(start, duration, buffers).unwrap());
                    if on_block_grid(start) {
                        assert_eq!(count, exact, "{duration:?} {buffers:?}");
                        worst_on_grid = worst_on_grid.max(count);
                    } else {
                        assert_eq!(count, exact + 1, "{duration:?} {buffers:?} +{offset}");
                        worst_off_grid = worst_off_grid.max(count);
                    }
                }
            }
        }
        assert_eq!(combinations, 40 * 5 * 5);
        assert_eq!(worst_on_grid, MAX_LOCK_BLOCKS);
        assert_eq!(worst_off_grid, MAX_LOCK_BLOCKS + 1, "the grid rule is what keeps the cap");
    }

    #[test]
    fn the_block_grid_is_whole_quarter_hours_since_the_epoch() {
        assert!(on_block_grid(utc("2026-05-01T09:45:00Z")));
        assert!(on_block_grid(utc("1969-12-31T23:45:00Z")));
        assert!(!on_block_grid(utc("2026-05-01T09:44:00Z")));
        assert!(!on_block_grid(utc("2026-05-01T09:45:30Z")));
        assert!(!on_block_grid(utc("2026-05-01T09:45:00Z") + TimeDelta::nanoseconds(1)));
        assert!(!on_block_grid(utc("1969-12-31T23:44:30Z")));
    }
}
