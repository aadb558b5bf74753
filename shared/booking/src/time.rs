//! Wall-clock times, local intervals and UTC ranges, plus the one place that turns a
//! photographer's wall-clock schedule into real instants.
//!
//! DST is handled by never resolving a wall-clock time in isolation. Instead the zone's
//! UTC timeline is cut into stretches of constant offset ([`OffsetSegment`]); within a
//! stretch wall-clock time is just `utc + offset`, so the instants whose reading lies in
//! `[from, to)` are an exact, gap-free computation. Nonexistent readings (spring-forward
//! gap) simply have no instants, and repeated readings (fall-back) have two.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Serialize, Serializer};

pub(crate) const MINUTES_PER_DAY: u16 = 24 * 60;

/// A wall-clock reading within one local day, in minutes after midnight.
/// `24:00` (1440) exists only so an interval can run to the very end of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WallTime(u16);

impl WallTime {
    pub const MIDNIGHT: WallTime = WallTime(0);
    pub const END_OF_DAY: WallTime = WallTime(MINUTES_PER_DAY);

    /// `None` past 24:00.
    pub fn from_minutes(minutes: u16) -> Option<Self> {
        (minutes <= MINUTES_PER_DAY).then_some(Self(minutes))
    }

    /// Strict `HH:MM` (two digits each). `24:00` is accepted only when `allow_end_of_day`.
    pub fn parse(text: &str, allow_end_of_day: bool) -> Option<Self> {
        let bytes = text.as_bytes();
        if bytes.len() != 5 || bytes[2] != b':' {
            return None;
        }
        let hours = two_digits(bytes[0], bytes[1])?;
        let minutes = two_digits(bytes[3], bytes[4])?;
        match (hours, minutes) {
            (0..=23, 0..=59) => Some(Self(hours * 60 + minutes)),
            (24, 0) if allow_end_of_day => Some(Self::END_OF_DAY),
            _ => None,
        }
    }

    pub fn minutes(self) -> u16 {
        self.0
    }

    /// The reading on `date`; `24:00` is the next day's midnight. `None` only when the
    /// date is at the very end of chrono's range.
    pub(crate) fn on(self, date: NaiveDate) -> Option<NaiveDateTime> {
        date.and_time(NaiveTime::MIN).checked_add_signed(TimeDelta::minutes(i64::from(self.0)))
    }
}

fn two_digits(high: u8, low: u8) -> Option<u16> {
    if high.is_ascii_digit() && low.is_ascii_digit() {
        Some(u16::from(high - b'0') * 10 + u16::from(low - b'0'))
    } else {
        None
    }
}

impl fmt::Display for WallTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for WallTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// `[start, end)` in wall-clock time on one local day; never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct LocalInterval {
    start: WallTime,
    end: WallTime,
}

impl LocalInterval {
    pub fn new(start: WallTime, end: WallTime) -> Option<Self> {
        (start < end).then_some(Self { start, end })
    }

    pub fn start(&self) -> WallTime {
        self.start
    }

    pub fn end(&self) -> WallTime {
        self.end
    }

    pub(crate) fn contains_minute(&self, minute: u16) -> bool {
        self.start.0 <= minute && minute < self.end.0
    }
}

impl fmt::Display for LocalInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}", self.start, self.end)
    }
}

/// Half-open `[start, end)` between two instants; never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct UtcRange {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl UtcRange {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Option<Self> {
        (start < end).then_some(Self { start, end })
    }

    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    pub fn overlaps(&self, other: &UtcRange) -> bool {
        self.start < other.end && other.start < self.end
    }

    pub fn contains_range(&self, other: &UtcRange) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// Sorts and unions ranges; touching ranges join, which is what lets a booking run
/// from one interval straight into a touching one (including across local midnight).
pub(crate) fn merge_ranges(mut ranges: Vec<UtcRange>) -> Vec<UtcRange> {
    ranges.sort();
    let mut merged: Vec<UtcRange> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// Whether `[start, end)` meets any of `sorted` (as produced by [`merge_ranges`]).
pub(crate) fn any_overlap(sorted: &[UtcRange], probe: &UtcRange) -> bool {
    let first_ending_after = sorted.partition_point(|r| r.end <= probe.start);
    sorted.get(first_ending_after).is_some_and(|r| r.start < probe.end)
}

/// Whether one of `sorted` (disjoint, as produced by [`merge_ranges`]) covers all of `probe`.
pub(crate) fn any_contains(sorted: &[UtcRange], probe: &UtcRange) -> bool {
    let starting_at_or_before = sorted.partition_point(|r| r.start <= probe.start);
    starting_at_or_before.checked_sub(1).and_then(|i| sorted.get(i)).is_some_and(|r| r.contains_range(probe))
}

/// A maximal stretch of the UTC timeline over which a zone's offset does not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OffsetSegment {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    offset: TimeDelta,
}

/// Sampling interval when looking for offset changes. Real zones never change offset
/// twice within this span, so sampling cannot step over a transition.
const SAMPLE_STEP_MINUTES: i64 = 30;

fn offset_at(zone: Tz, at: DateTime<Utc>) -> TimeDelta {
    let seconds = zone.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc();
    TimeDelta::seconds(i64::from(seconds))
}

/// Cuts `[from, to)` into constant-offset segments for `zone`.
pub(crate) fn offset_segments(zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<OffsetSegment> {
    let step = TimeDelta::minutes(SAMPLE_STEP_MINUTES);
    let mut segments = Vec::new();
    let mut segment_start = from;
    let mut offset = offset_at(zone, from);
    let mut probe = from;
    while probe < to {
        let next = probe.checked_add_signed(step).unwrap_or(to).min(to);
        let next_offset = offset_at(zone, next);
        if next_offset != offset {
            let change = first_instant_with_offset(zone, probe, next, next_offset);
            segments.push(OffsetSegment { start: segment_start, end: change, offset });
            segment_start = change;
            offset = next_offset;
        }
        probe = next;
    }
    if segment_start < to {
        segments.push(OffsetSegment { start: segment_start, end: to, offset });
    }
    segments
}

/// Binary search for where the offset switches to `target` in `(low, high]`. Works on
/// whole seconds, as tz transitions do, so the boundary is exact rather than within a
/// second (a boundary even slightly late would lose the reading right after it).
fn first_instant_with_offset(zone: Tz, low: DateTime<Utc>, high: DateTime<Utc>, target: TimeDelta) -> DateTime<Utc> {
    let (mut low_s, mut high_s) = (low.timestamp(), high.timestamp());
    while high_s - low_s > 1 {
        let mid_s = low_s + (high_s - low_s) / 2;
        match DateTime::from_timestamp(mid_s, 0) {
            Some(mid) if offset_at(zone, mid) == target => high_s = mid_s,
            Some(_) => low_s = mid_s,
            None => return high,
        }
    }
    DateTime::from_timestamp(high_s, 0).unwrap_or(high)
}

/// Every instant in `segments` whose wall-clock reading is exactly `wall`: none in a
/// spring-forward gap, two in a fall-back repeat, otherwise one.
pub(crate) fn instants_reading(segments: &[OffsetSegment], wall: NaiveDateTime) -> Vec<DateTime<Utc>> {
    segments
        .iter()
        .filter_map(|segment| {
            let instant = wall.checked_sub_signed(segment.offset)?.and_utc();
            (segment.start <= instant && instant < segment.end).then_some(instant)
        })
        .collect()
}

/// The instants in `segments` whose wall-clock reading lies in `[from, to)`; one range
/// per segment that has any (so a fall-back repeat can yield two disjoint ranges).
pub(crate) fn instants_between(segments: &[OffsetSegment], from: NaiveDateTime, to: NaiveDateTime) -> Vec<UtcRange> {
    segments
        .iter()
        .filter_map(|segment| {
            let start = from.checked_sub_signed(segment.offset)?.and_utc().max(segment.start);
            let end = to.checked_sub_signed(segment.offset)?.and_utc().min(segment.end);
            UtcRange::new(start, end)
        })
        .collect()
}

/// A UTC span that certainly contains every instant whose local date (in any zone) lies
/// in `first..=last`: offsets stay within ±14 h, so a day of padding each side is ample.
pub(crate) fn utc_span_for_dates(first: NaiveDate, last: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let from = first.pred_opt()?.and_time(NaiveTime::MIN).and_utc();
    let to = last.succ_opt()?.succ_opt()?.and_time(NaiveTime::MIN).and_utc();
    Some((from, to))
}

/// The local calendar date of `instant` in `zone`. Never panics: within hours of the
/// ends of chrono's range, where the local reading is unrepresentable, it falls back to
/// the UTC date (`with_timezone` would panic there, and instants can come from storage).
pub fn local_date(zone: Tz, instant: DateTime<Utc>) -> NaiveDate {
    local_reading(zone, instant).map_or(instant.date_naive(), |local| local.date())
}

/// The wall-clock reading of `instant` in `zone`; `None` where it is unrepresentable.
pub(crate) fn local_reading(zone: Tz, instant: DateTime<Utc>) -> Option<NaiveDateTime> {
    instant.naive_utc().checked_add_signed(offset_at(zone, instant))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn wall(date: &str, time: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(&format!("{date} {time}"), "%Y-%m-%d %H:%M").unwrap()
    }

    fn segments_around(zone: Tz, date: &str) -> Vec<OffsetSegment> {
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        let (from, to) = utc_span_for_dates(date, date).unwrap();
        offset_segments(zone, from, to)
    }

    #[test]
    fn wall_time_parses_strict_hh_mm() {
        assert_eq!(WallTime::parse("09:30", false).map(WallTime::minutes), Some(570));
        assert_eq!(WallTime::parse("00:00", false), Some(WallTime::MIDNIGHT));
        assert_eq!(WallTime::parse("23:59", false).map(WallTime::minutes), Some(1439));
        assert_eq!(WallTime::parse("24:00", true), Some(WallTime::END_OF_DAY));
        for bad in ["24:00", "9:30", "09:3", "09-30", "24:01", "12:60", "ab:cd", "", "09:30 ", "+9:30"] {
            assert_eq!(WallTime::parse(bad, false), None, "{bad:?}");
        }
        assert_eq!(WallTime::parse("24:30", true), None);
    }

    #[test]
    fn wall_time_displays_and_serializes_as_hh_mm() {
        assert_eq!(WallTime::END_OF_DAY.to_string(), "24:00");
        assert_eq!(serde_json::to_string(&WallTime::from_minutes(65).unwrap()).unwrap(), "\"01:05\"");
        assert_eq!(WallTime::from_minutes(1441), None);
    }

    #[test]
    fn local_interval_must_be_non_empty() {
        let nine = WallTime::parse("09:00", false).unwrap();
        let five = WallTime::parse("17:00", false).unwrap();
        assert!(LocalInterval::new(nine, five).is_some());
        assert!(LocalInterval::new(five, nine).is_none());
        assert!(LocalInterval::new(nine, nine).is_none());
    }

    #[test]
    fn merge_joins_touching_and_overlapping_ranges() {
        let r = |a: &str, b: &str| UtcRange::new(utc(a), utc(b)).unwrap();
        let merged = merge_ranges(vec![
            r("2026-01-01T12:00:00Z", "2026-01-01T13:00:00Z"),
            r("2026-01-01T09:00:00Z", "2026-01-01T10:00:00Z"),
            r("2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"),
            r("2026-01-01T12:30:00Z", "2026-01-01T12:45:00Z"),
        ]);
        assert_eq!(
            merged,
            vec![r("2026-01-01T09:00:00Z", "2026-01-01T11:00:00Z"), r("2026-01-01T12:00:00Z", "2026-01-01T13:00:00Z")]
        );
        assert!(any_contains(&merged, &r("2026-01-01T09:30:00Z", "2026-01-01T11:00:00Z")));
        assert!(!any_contains(&merged, &r("2026-01-01T10:30:00Z", "2026-01-01T12:15:00Z")));
        assert!(any_overlap(&merged, &r("2026-01-01T10:59:00Z", "2026-01-01T11:30:00Z")));
        assert!(!any_overlap(&merged, &r("2026-01-01T11:00:00Z", "2026-01-01T12:00:00Z")));
        assert!(!any_contains(&[], &r("2026-01-01T11:00:00Z", "2026-01-01T12:00:00Z")));
    }

    #[test]
    fn segments_split_at_new_york_transitions() {
        let zone: Tz = "America/New_York".parse().unwrap();
        let spring = segments_around(zone, "2026-03-08");
        assert_eq!(spring.len(), 2);
        assert_eq!(spring[0].end, utc("2026-03-08T07:00:00Z"));
        let fall = segments_around(zone, "2026-11-01");
        assert_eq!(fall.len(), 2);
        assert_eq!(fall[0].end, utc("2026-11-01T06:00:00Z"));
        assert_eq!(segments_around(zone, "2026-07-01").len(), 1);
    }

    #[test]
    fn segment_boundaries_are_exact_even_between_samples() {
        let zone: Tz = "America/New_York".parse().unwrap();
        let from = utc("2026-03-07T00:07:13Z");
        let segments = offset_segments(zone, from, utc("2026-03-09T00:00:00Z"));
        assert_eq!(segments[0].end, utc("2026-03-08T07:00:00Z"));
        assert_eq!(segments[0].start, from);
        let lord_howe: Tz = "Australia/Lord_Howe".parse().unwrap();
        let half_hour = offset_segments(lord_howe, utc("2026-04-04T00:00:00Z"), utc("2026-04-06T00:00:00Z"));
        assert_eq!(half_hour.len(), 2);
        assert_eq!(half_hour[0].end, utc("2026-04-04T15:00:00Z"), "02:00 +11 back to 01:30 +10:30");
        assert_eq!(half_hour[1].offset - half_hour[0].offset, TimeDelta::minutes(-30));
    }

    #[test]
    fn nonexistent_readings_have_no_instant_and_repeated_ones_have_two() {
        let zone: Tz = "America/New_York".parse().unwrap();
        assert!(instants_reading(&segments_around(zone, "2026-03-08"), wall("2026-03-08", "02:30")).is_empty());
        assert_eq!(
            instants_reading(&segments_around(zone, "2026-11-01"), wall("2026-11-01", "01:30")),
            vec![utc("2026-11-01T05:30:00Z"), utc("2026-11-01T06:30:00Z")]
        );
        assert_eq!(
            instants_reading(&segments_around(zone, "2026-07-01"), wall("2026-07-01", "09:00")),
            vec![utc("2026-07-01T13:00:00Z")]
        );
    }

    #[test]
    fn interval_instants_follow_the_clock_through_transitions() {
        let zone: Tz = "America/New_York".parse().unwrap();
        let spring = merge_ranges(instants_between(
            &segments_around(zone, "2026-03-08"),
            wall("2026-03-08", "01:00"),
            wall("2026-03-08", "04:00"),
        ));
        assert_eq!(spring, vec![UtcRange::new(utc("2026-03-08T06:00:00Z"), utc("2026-03-08T08:00:00Z")).unwrap()]);
        let fall = merge_ranges(instants_between(
            &segments_around(zone, "2026-11-01"),
            wall("2026-11-01", "00:00"),
            wall("2026-11-01", "01:30"),
        ));
        assert_eq!(
            fall,
            vec![
                UtcRange::new(utc("2026-11-01T04:00:00Z"), utc("2026-11-01T05:30:00Z")).unwrap(),
                UtcRange::new(utc("2026-11-01T06:00:00Z"), utc("2026-11-01T06:30:00Z")).unwrap(),
            ]
        );
    }
}
