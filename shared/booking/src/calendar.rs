//! A run of the photographer's local days resolved to real instants: the working
//! windows a booking must fit in, and the candidate starts on the slot step.
//!
//! Working time on a local date is defined as the set of instants whose wall-clock
//! reading (in the photographer's zone) falls inside one of that date's intervals. So
//! a spring-forward gap simply contributes nothing, a fall-back repeat contributes both
//! passes of the repeated readings, and an interval boundary inside a transition lands
//! exactly where the clock says it should. Windows that touch in real time are joined,
//! which is what lets a booking run from `…–24:00` on one day into `00:00–…` the next.

use chrono::{DateTime, NaiveDate, Timelike, Utc};

use crate::availability::Availability;
use crate::time::{
    OffsetSegment, UtcRange, WallTime, any_contains, instants_between, instants_reading, local_reading, merge_ranges,
    offset_segments, utc_span_for_dates,
};

/// Days after the last candidate day whose working time may still hold the end of a
/// booking: 10 h plus any offset change always lands within two local days.
const TRAILING_DAYS: u64 = 2;

pub(crate) struct Calendar<'a> {
    availability: &'a Availability,
    segments: Vec<OffsetSegment>,
    windows: Vec<UtcRange>,
}

impl<'a> Calendar<'a> {
    /// Resolves enough days around `first..=last` that any booking starting on those
    /// days is judged against its full surrounding working time. `None` only at the
    /// ends of chrono's date range.
    pub(crate) fn new(availability: &'a Availability, first: NaiveDate, last: NaiveDate) -> Option<Self> {
        let window_first = first.pred_opt()?;
        let window_last = last.checked_add_days(chrono::Days::new(TRAILING_DAYS))?;
        let (from, to) = utc_span_for_dates(window_first, window_last)?;
        let segments = offset_segments(availability.timezone(), from, to);
        let raw = days(window_first, window_last).flat_map(|date| day_windows(availability, &segments, date)).collect();
        Some(Self { availability, segments, windows: merge_ranges(raw) })
    }

    /// Whether all of `range` is working time.
    pub(crate) fn contains(&self, range: &UtcRange) -> bool {
        any_contains(&self.windows, range)
    }

    /// Every instant on `date` whose reading is on the slot step of one of the date's
    /// intervals, ascending. Readings that do not exist (spring forward) are skipped;
    /// repeated readings (fall back) yield both instants.
    pub(crate) fn grid_starts(&self, date: NaiveDate) -> Vec<DateTime<Utc>> {
        let step = usize::try_from(self.availability.slot_step_minutes()).unwrap_or(usize::MAX).max(1);
        let mut starts: Vec<DateTime<Utc>> = self
            .availability
            .schedule_for(date)
            .iter()
            .flat_map(|interval| (interval.start().minutes()..interval.end().minutes()).step_by(step))
            .filter_map(|minute| WallTime::from_minutes(minute)?.on(date))
            .flat_map(|wall| instants_reading(&self.segments, wall))
            .collect();
        starts.sort();
        starts.dedup();
        starts
    }
}

pub(crate) fn day_windows(availability: &Availability, segments: &[OffsetSegment], date: NaiveDate) -> Vec<UtcRange> {
    availability
        .schedule_for(date)
        .iter()
        .filter_map(|interval| Some((interval.start().on(date)?, interval.end().on(date)?)))
        .flat_map(|(from, to)| instants_between(segments, from, to))
        .collect()
}

/// `first..=last`, ascending.
pub(crate) fn days(first: NaiveDate, last: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    first.iter_days().take_while(move |date| *date <= last)
}

/// Whether `instant` reads, in the photographer's zone, as a whole minute on the slot
/// step of an interval of its own local date: steps count from each interval's start.
pub(crate) fn is_on_slot_step(availability: &Availability, instant: DateTime<Utc>) -> bool {
    let Some(wall) = local_reading(availability.timezone(), instant) else {
        return false;
    };
    if wall.second() != 0 || wall.nanosecond() != 0 {
        return false;
    }
    let Ok(minute) = u16::try_from(wall.hour() * 60 + wall.minute()) else {
        return false;
    };
    let step = availability.slot_step_minutes();
    availability.schedule_for(wall.date()).iter().any(|interval| {
        interval.contains_minute(minute) && u32::from(minute - interval.start().minutes()).is_multiple_of(step)
    })
}
