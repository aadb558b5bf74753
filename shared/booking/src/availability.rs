//! The photographer's availability: the raw document exactly as clients send it
//! ([`AvailabilityDoc`]) and the validated [`Availability`] every rule works on.
//!
//! The raw document keeps times, dates and zone names as strings and numbers as `i64`
//! so that malformed values become per-field errors (all of them, in one response)
//! rather than a single opaque deserialisation failure.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeDelta, Utc, Weekday};
use chrono_tz::Tz;
use cm_core::FieldErrors;
use serde::{Deserialize, Serialize};

use crate::blocks::Buffers;
use crate::time::{LocalInterval, UtcRange, WallTime, any_overlap, local_date, merge_ranges};

/// Defaults applied when a field is omitted, and the accepted bounds.
use crate::limits::*;

/// `{"start": "HH:MM", "end": "HH:MM"}` as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntervalDoc {
    pub start: String,
    pub end: String,
}

/// Weekday keys; a missing key or an empty list means closed that day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklyDoc {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mon: Vec<IntervalDoc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tue: Vec<IntervalDoc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wed: Vec<IntervalDoc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thu: Vec<IntervalDoc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fri: Vec<IntervalDoc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sat: Vec<IntervalDoc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sun: Vec<IntervalDoc>,
}

impl WeeklyDoc {
    /// Monday first, matching `Weekday::num_days_from_monday`.
    fn days(&self) -> [(&'static str, &[IntervalDoc]); 7] {
        [
            ("mon", &self.mon),
            ("tue", &self.tue),
            ("wed", &self.wed),
            ("thu", &self.thu),
            ("fri", &self.fri),
            ("sat", &self.sat),
            ("sun", &self.sun),
        ]
    }

    fn day_mut(&mut self, index: usize) -> Option<&mut Vec<IntervalDoc>> {
        [&mut self.mon, &mut self.tue, &mut self.wed, &mut self.thu, &mut self.fri, &mut self.sat, &mut self.sun]
            .into_iter()
            .nth(index)
    }
}

/// Replaces the weekly rule for one local date; omitted or empty `intervals` = closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideDoc {
    pub date: String,
    #[serde(default)]
    pub intervals: Vec<IntervalDoc>,
}

/// RFC 3339 instants with an explicit offset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeOffDoc {
    pub start: String,
    pub end: String,
}

/// The body of `PUT /photographers/me/availability`, unvalidated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default)]
    pub weekly: WeeklyDoc,
    #[serde(default)]
    pub overrides: Vec<OverrideDoc>,
    #[serde(default)]
    pub time_off: Vec<TimeOffDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buffer_before_minutes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buffer_after_minutes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_notice_minutes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_days_ahead: Option<i64>,
    /// Omitted or `null` = unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_bookings_per_day: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot_step_minutes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_window_hours: Option<i64>,
    /// Average door-to-door speed between shoots, km/h (see `travel`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub travel_speed_kmh: Option<i64>,
}

/// A validated time-off range. The original offset is kept so the document reads back
/// the way the photographer wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeOff {
    start: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
}

impl TimeOff {
    pub fn start(&self) -> DateTime<FixedOffset> {
        self.start
    }

    pub fn end(&self) -> DateTime<FixedOffset> {
        self.end
    }

    pub fn range(&self) -> Option<UtcRange> {
        UtcRange::new(self.start.with_timezone(&Utc), self.end.with_timezone(&Utc))
    }
}

/// Availability that passed every rule; the only input the scheduling functions accept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "AvailabilityDoc", try_from = "AvailabilityDoc")]
pub struct Availability {
    timezone: Tz,
    /// Monday first; each day sorted and free of overlaps.
    weekly: [Vec<LocalInterval>; 7],
    overrides: BTreeMap<NaiveDate, Vec<LocalInterval>>,
    time_off: Vec<TimeOff>,
    /// `time_off` in UTC, unioned, for fast overlap checks.
    blocked: Vec<UtcRange>,
    buffers: Buffers,
    min_notice_minutes: u32,
    max_days_ahead: u32,
    max_bookings_per_day: Option<u32>,
    slot_step_minutes: u32,
    cancellation_window_hours: u32,
    travel_speed_kmh: u32,
}

impl Availability {
    /// Deserialises and validates a request body. Structural problems (bad JSON, unknown
    /// fields, wrong JSON types) are reported as one error on the field `body`.
    pub fn from_json(body: &str) -> Result<Self, FieldErrors> {
        let doc: AvailabilityDoc =
            serde_json::from_str(body).map_err(|e| FieldErrors::single("body", e.to_string()))?;
        doc.validate()
    }

    pub fn timezone(&self) -> Tz {
        self.timezone
    }

    pub fn weekly(&self, day: Weekday) -> &[LocalInterval] {
        self.weekly.get(day.num_days_from_monday() as usize).map_or(&[], Vec::as_slice)
    }

    pub fn overrides(&self) -> &BTreeMap<NaiveDate, Vec<LocalInterval>> {
        &self.overrides
    }

    /// The working intervals of one local date: its override if any, else the weekly rule.
    pub fn schedule_for(&self, date: NaiveDate) -> &[LocalInterval] {
        match self.overrides.get(&date) {
            Some(intervals) => intervals,
            None => self.weekly(date.weekday()),
        }
    }

    pub fn time_off(&self) -> &[TimeOff] {
        &self.time_off
    }

    pub fn buffers(&self) -> Buffers {
        self.buffers
    }

    pub fn min_notice(&self) -> TimeDelta {
        TimeDelta::minutes(i64::from(self.min_notice_minutes))
    }

    pub fn max_days_ahead(&self) -> u32 {
        self.max_days_ahead
    }

    pub fn max_bookings_per_day(&self) -> Option<u32> {
        self.max_bookings_per_day
    }

    pub fn slot_step_minutes(&self) -> u32 {
        self.slot_step_minutes
    }

    pub fn cancellation_window(&self) -> TimeDelta {
        TimeDelta::hours(i64::from(self.cancellation_window_hours))
    }

    pub fn travel_speed_kmh(&self) -> u32 {
        self.travel_speed_kmh
    }

    /// The photographer-local calendar date of an instant (the per-day counter key).
    pub fn local_date(&self, instant: DateTime<Utc>) -> NaiveDate {
        local_date(self.timezone, instant)
    }

    /// Whether the photographer works on this local date at all: some of its working
    /// hours are not inside time off. Bookings and notice are not considered; this is
    /// the calendar half of "free on the date".
    pub fn works_on(&self, date: NaiveDate) -> bool {
        let Some((from, to)) = crate::time::utc_span_for_dates(date, date) else { return false };
        let segments = crate::time::offset_segments(self.timezone, from, to);
        self.schedule_for(date).iter().any(|interval| {
            let (Some(start), Some(end)) = (interval.start().on(date), interval.end().on(date)) else { return false };
            crate::time::instants_between(&segments, start, end)
                .iter()
                .any(|range| !crate::time::any_contains(&self.blocked, range))
        })
    }

    /// Working minutes on the local dates `first..=last`, time off excluded: what a
    /// week's utilisation is measured against. Clock changes count as the clock reads
    /// (a spring-forward night loses its missing hour).
    pub fn working_minutes(&self, first: NaiveDate, last: NaiveDate) -> i64 {
        let Some((from, to)) = crate::time::utc_span_for_dates(first, last) else { return 0 };
        let segments = crate::time::offset_segments(self.timezone, from, to);
        let windows = crate::time::merge_ranges(
            crate::calendar::days(first, last)
                .flat_map(|date| crate::calendar::day_windows(self, &segments, date))
                .collect(),
        );
        windows
            .iter()
            .map(|w| {
                let off: TimeDelta = self
                    .blocked
                    .iter()
                    .filter(|b| b.overlaps(w))
                    .map(|b| b.end().min(w.end()) - b.start().max(w.start()))
                    .sum();
                (w.end() - w.start() - off).num_minutes()
            })
            .sum()
    }

    /// [`Availability::working_minutes`] of each local date of `first..=last`.
    pub fn working_minutes_by_day(&self, first: NaiveDate, last: NaiveDate) -> BTreeMap<NaiveDate, i64> {
        crate::calendar::days(first, last).map(|d| (d, self.working_minutes(d, d))).collect()
    }

    /// "Free on the date" as recommendations show it: `Some(false)` when a booking
    /// already holds the date or the photographer does not work then, `Some(true)`
    /// when they work then unbooked, `None` when they keep no hours here (`self` is
    /// then not known, see [`free_on`]).
    pub fn free_on(&self, date: NaiveDate, booked: bool) -> bool {
        !booked && self.works_on(date)
    }

    pub(crate) fn overlaps_time_off(&self, range: &UtcRange) -> bool {
        any_overlap(&self.blocked, range)
    }

    /// The document form, with every default spelled out.
    pub fn to_doc(&self) -> AvailabilityDoc {
        let mut weekly = WeeklyDoc::default();
        for (index, intervals) in self.weekly.iter().enumerate() {
            if let Some(day) = weekly.day_mut(index) {
                *day = intervals_doc(intervals);
            }
        }
        AvailabilityDoc {
            timezone: Some(self.timezone.name().to_string()),
            weekly,
            overrides: self
                .overrides
                .iter()
                .map(|(date, intervals)| OverrideDoc { date: date.to_string(), intervals: intervals_doc(intervals) })
                .collect(),
            time_off: self
                .time_off
                .iter()
                .map(|t| TimeOffDoc { start: t.start.to_rfc3339(), end: t.end.to_rfc3339() })
                .collect(),
            buffer_before_minutes: Some(i64::from(self.buffers.before_minutes())),
            buffer_after_minutes: Some(i64::from(self.buffers.after_minutes())),
            min_notice_minutes: Some(i64::from(self.min_notice_minutes)),
            max_days_ahead: Some(i64::from(self.max_days_ahead)),
            max_bookings_per_day: self.max_bookings_per_day.map(i64::from),
            slot_step_minutes: Some(i64::from(self.slot_step_minutes)),
            cancellation_window_hours: Some(i64::from(self.cancellation_window_hours)),
            travel_speed_kmh: Some(i64::from(self.travel_speed_kmh)),
        }
    }
}

fn intervals_doc(intervals: &[LocalInterval]) -> Vec<IntervalDoc> {
    intervals.iter().map(|i| IntervalDoc { start: i.start().to_string(), end: i.end().to_string() }).collect()
}

impl From<Availability> for AvailabilityDoc {
    fn from(availability: Availability) -> Self {
        availability.to_doc()
    }
}

impl TryFrom<AvailabilityDoc> for Availability {
    type Error = FieldErrors;

    fn try_from(doc: AvailabilityDoc) -> Result<Self, Self::Error> {
        doc.validate()
    }
}

/// Whether a photographer is free on `date`: booked that day is never free; without
/// working hours on the platform only a booking tells anything, so otherwise unknown.
pub fn free_on(date: NaiveDate, booked: bool, availability: Option<&Availability>) -> Option<bool> {
    match availability {
        _ if booked => Some(false),
        Some(a) => Some(a.free_on(date, booked)),
        None => None,
    }
}

impl AvailabilityDoc {
    /// Checks every rule and reports every problem, or returns the validated form.
    pub fn validate(&self) -> Result<Availability, FieldErrors> {
        let mut errors = FieldErrors::new();
        let timezone = validate_timezone(self.timezone.as_deref(), &mut errors);
        let weekly = validate_weekly(&self.weekly, &mut errors);
        let overrides = nested(&mut errors, "overrides", validate_overrides(&self.overrides));
        let time_off = nested(&mut errors, "time_off", validate_time_off(&self.time_off));
        let settings = validate_settings(self, &mut errors);
        let (Some(timezone), Some(weekly), Some(overrides), Some(time_off), Some(settings)) =
            (timezone, weekly, overrides, time_off, settings)
        else {
            return Err(errors);
        };
        let blocked = merge_ranges(time_off.iter().filter_map(TimeOff::range).collect());
        errors.into_result(Availability {
            timezone,
            weekly,
            overrides,
            time_off,
            blocked,
            buffers: settings.buffers,
            min_notice_minutes: settings.min_notice_minutes,
            max_days_ahead: settings.max_days_ahead,
            max_bookings_per_day: settings.max_bookings_per_day,
            slot_step_minutes: settings.slot_step_minutes,
            cancellation_window_hours: settings.cancellation_window_hours,
            travel_speed_kmh: settings.travel_speed_kmh,
        })
    }
}

/// Moves a nested result's errors under `prefix`, keeping the value if there were none.
fn nested<T>(errors: &mut FieldErrors, prefix: &str, result: Result<T, FieldErrors>) -> Option<T> {
    result.map_err(|e| errors.merge_nested(prefix, e)).ok()
}

fn validate_timezone(name: Option<&str>, errors: &mut FieldErrors) -> Option<Tz> {
    let Some(name) = name else {
        errors.add("timezone", "is required");
        return None;
    };
    let zone = name.parse::<Tz>().ok();
    if zone.is_none() {
        errors.add("timezone", "must be an IANA time zone name such as Asia/Kolkata");
    }
    zone
}

fn validate_weekly(weekly: &WeeklyDoc, errors: &mut FieldErrors) -> Option<[Vec<LocalInterval>; 7]> {
    let mut days: [Vec<LocalInterval>; 7] = Default::default();
    let mut valid = true;
    for ((key, intervals), slot) in weekly.days().into_iter().zip(days.iter_mut()) {
        match nested(errors, &format!("weekly.{key}"), validate_day(intervals)) {
            Some(parsed) => *slot = parsed,
            None => valid = false,
        }
    }
    valid.then_some(days)
}

/// One day's intervals: each well-formed, and no two overlapping (touching is fine).
fn validate_day(intervals: &[IntervalDoc]) -> Result<Vec<LocalInterval>, FieldErrors> {
    if intervals.len() > MAX_INTERVALS_PER_DAY {
        return Err(FieldErrors::single("", format!("must have at most {MAX_INTERVALS_PER_DAY} intervals")));
    }
    let mut errors = FieldErrors::new();
    let mut parsed: Vec<(LocalInterval, usize)> = intervals
        .iter()
        .enumerate()
        .filter_map(|(index, doc)| {
            nested(&mut errors, &format!("[{index}]"), validate_interval(doc)).map(|i| (i, index))
        })
        .collect();
    parsed.sort();
    // Compare with the furthest-reaching earlier interval, not just the previous one:
    // 09–13, 10–11, 12–14 overlaps twice.
    let mut reach: Option<LocalInterval> = None;
    for (interval, index) in &parsed {
        match reach {
            Some(earlier) if interval.start() < earlier.end() => {
                errors.add(format!("[{index}]"), format!("overlaps the interval {earlier}"));
                if interval.end() > earlier.end() {
                    reach = Some(*interval);
                }
            }
            _ => reach = Some(*interval),
        }
    }
    errors.into_result(parsed.into_iter().map(|(interval, _)| interval).collect())
}

fn validate_interval(doc: &IntervalDoc) -> Result<LocalInterval, FieldErrors> {
    let mut errors = FieldErrors::new();
    let start = validate_boundary(&mut errors, "start", &doc.start, false);
    let end = validate_boundary(&mut errors, "end", &doc.end, true);
    let (Some(start), Some(end)) = (start, end) else {
        return Err(errors);
    };
    LocalInterval::new(start, end).ok_or_else(|| FieldErrors::single("end", "must be after start"))
}

/// One `HH:MM` boundary: well-formed, and on a quarter hour.
fn validate_boundary(errors: &mut FieldErrors, field: &str, text: &str, is_end: bool) -> Option<WallTime> {
    let Some(time) = WallTime::parse(text, is_end) else {
        let latest = if is_end { "24:00" } else { "23:59" };
        errors.add(field, format!("must be a time HH:MM between 00:00 and {latest}"));
        return None;
    };
    if !u32::from(time.minutes()).is_multiple_of(INTERVAL_GRANULARITY_MINUTES) {
        errors.add(field, "must be on a quarter hour: HH:00, HH:15, HH:30 or HH:45");
        return None;
    }
    Some(time)
}

fn validate_overrides(docs: &[OverrideDoc]) -> Result<BTreeMap<NaiveDate, Vec<LocalInterval>>, FieldErrors> {
    if docs.len() > MAX_OVERRIDES {
        return Err(FieldErrors::single("", format!("must have at most {MAX_OVERRIDES} entries")));
    }
    let mut errors = FieldErrors::new();
    let mut seen = BTreeSet::new();
    let mut overrides = BTreeMap::new();
    for (index, doc) in docs.iter().enumerate() {
        let date = parse_date(&doc.date);
        match date {
            None => errors.add(format!("[{index}].date"), "must be a date YYYY-MM-DD"),
            Some(date) if !seen.insert(date) => {
                errors.add(format!("[{index}].date"), format!("{date} already has an override"));
            }
            Some(_) => {}
        }
        let intervals = nested(&mut errors, &format!("[{index}].intervals"), validate_day(&doc.intervals));
        if let (Some(date), Some(intervals)) = (date, intervals) {
            overrides.entry(date).or_insert(intervals);
        }
    }
    errors.into_result(overrides)
}

/// Strict `YYYY-MM-DD`; chrono alone would also take unpadded fields.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() });
    shape_ok.then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()).flatten()
}

fn validate_time_off(docs: &[TimeOffDoc]) -> Result<Vec<TimeOff>, FieldErrors> {
    if docs.len() > MAX_TIME_OFF {
        return Err(FieldErrors::single("", format!("must have at most {MAX_TIME_OFF} entries")));
    }
    let mut errors = FieldErrors::new();
    let mut ranges: Vec<TimeOff> = docs
        .iter()
        .enumerate()
        .filter_map(|(index, doc)| nested(&mut errors, &format!("[{index}]"), validate_time_off_entry(doc)))
        .collect();
    ranges.sort_by_key(|t| (t.start, t.end));
    errors.into_result(ranges)
}

fn validate_time_off_entry(doc: &TimeOffDoc) -> Result<TimeOff, FieldErrors> {
    const MESSAGE: &str = "must be an RFC 3339 timestamp with offset, e.g. 2026-12-20T00:00:00+05:30";
    let mut errors = FieldErrors::new();
    let start = DateTime::parse_from_rfc3339(&doc.start).ok();
    if start.is_none() {
        errors.add("start", MESSAGE);
    }
    let end = DateTime::parse_from_rfc3339(&doc.end).ok();
    if end.is_none() {
        errors.add("end", MESSAGE);
    }
    let (Some(start), Some(end)) = (start, end) else {
        return Err(errors);
    };
    if start < end { Ok(TimeOff { start, end }) } else { Err(FieldErrors::single("end", "must be after start")) }
}

struct Settings {
    buffers: Buffers,
    min_notice_minutes: u32,
    max_days_ahead: u32,
    max_bookings_per_day: Option<u32>,
    slot_step_minutes: u32,
    cancellation_window_hours: u32,
    travel_speed_kmh: u32,
}

fn validate_settings(doc: &AvailabilityDoc, errors: &mut FieldErrors) -> Option<Settings> {
    let before = validate_buffer(doc.buffer_before_minutes, "buffer_before_minutes", errors);
    let after = validate_buffer(doc.buffer_after_minutes, "buffer_after_minutes", errors);
    let notice = bounded(
        errors,
        "min_notice_minutes",
        doc.min_notice_minutes,
        DEFAULT_MIN_NOTICE_MINUTES,
        MAX_MIN_NOTICE_MINUTES,
    );
    let days_ahead = validate_days_ahead(doc.max_days_ahead, errors);
    let per_day = validate_per_day(doc.max_bookings_per_day, errors);
    let step = validate_slot_step(doc.slot_step_minutes, errors);
    let window = bounded(
        errors,
        "cancellation_window_hours",
        doc.cancellation_window_hours,
        DEFAULT_CANCELLATION_WINDOW_HOURS,
        MAX_CANCELLATION_WINDOW_HOURS,
    );
    let speed = in_range(
        errors,
        "travel_speed_kmh",
        doc.travel_speed_kmh.unwrap_or(i64::from(DEFAULT_TRAVEL_SPEED_KMH)),
        MIN_TRAVEL_SPEED_KMH,
        MAX_TRAVEL_SPEED_KMH,
    );
    if let (Some(notice), Some(days_ahead)) = (notice, days_ahead)
        && u64::from(notice) >= u64::from(days_ahead) * 24 * 60
    {
        errors.add("min_notice_minutes", "must be shorter than max_days_ahead, or nothing could ever be booked");
        return None;
    }
    Some(Settings {
        buffers: Buffers::new(before?, after?)?,
        min_notice_minutes: notice?,
        max_days_ahead: days_ahead?,
        max_bookings_per_day: per_day?,
        slot_step_minutes: step?,
        cancellation_window_hours: window?,
        travel_speed_kmh: speed?,
    })
}

/// `value` (or `default` when omitted) if it lies in `0..=max`.
fn bounded(errors: &mut FieldErrors, field: &str, value: Option<i64>, default: u32, max: u32) -> Option<u32> {
    in_range(errors, field, value.unwrap_or(i64::from(default)), 0, max)
}

fn in_range(errors: &mut FieldErrors, field: &str, value: i64, min: u32, max: u32) -> Option<u32> {
    let accepted = u32::try_from(value).ok().filter(|v| (min..=max).contains(v));
    if accepted.is_none() {
        errors.add(field, format!("must be between {min} and {max}"));
    }
    accepted
}

fn validate_buffer(value: Option<i64>, field: &str, errors: &mut FieldErrors) -> Option<u32> {
    let minutes = value.unwrap_or(i64::from(DEFAULT_BUFFER_MINUTES));
    let accepted = u32::try_from(minutes)
        .ok()
        .filter(|m| *m <= MAX_BUFFER_MINUTES && m.is_multiple_of(BUFFER_GRANULARITY_MINUTES));
    if accepted.is_none() {
        errors.add(
            field,
            format!("must be a multiple of {BUFFER_GRANULARITY_MINUTES} between 0 and {MAX_BUFFER_MINUTES}"),
        );
    }
    accepted
}

fn validate_days_ahead(value: Option<i64>, errors: &mut FieldErrors) -> Option<u32> {
    in_range(errors, "max_days_ahead", value.unwrap_or(i64::from(DEFAULT_MAX_DAYS_AHEAD)), 1, MAX_DAYS_AHEAD)
}

/// Outer `None` = invalid; inner `None` = unlimited.
fn validate_per_day(value: Option<i64>, errors: &mut FieldErrors) -> Option<Option<u32>> {
    match value {
        None => Some(None),
        Some(v) => in_range(errors, "max_bookings_per_day", v, 1, MAX_BOOKINGS_PER_DAY).map(Some),
    }
}

fn validate_slot_step(value: Option<i64>, errors: &mut FieldErrors) -> Option<u32> {
    let step = value.unwrap_or(i64::from(DEFAULT_SLOT_STEP_MINUTES));
    let accepted = u32::try_from(step).ok().filter(|s| {
        (SLOT_STEP_GRANULARITY_MINUTES..=MAX_SLOT_STEP_MINUTES).contains(s)
            && s.is_multiple_of(SLOT_STEP_GRANULARITY_MINUTES)
    });
    if accepted.is_none() {
        errors.add(
            "slot_step_minutes",
            format!("must be a multiple of {SLOT_STEP_GRANULARITY_MINUTES} between {SLOT_STEP_GRANULARITY_MINUTES} and {MAX_SLOT_STEP_MINUTES}"),
        );
    }
    accepted
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn example() -> serde_json::Value {
        json!({
            "timezone": "Asia/Kolkata",
            "weekly": {
                "mon": [{"start": "09:00", "end": "13:00"}, {"start": "14:00", "end": "19:00"}],
                "sat": [{"start": "10:00", "end": "24:00"}]
            },
            "overrides": [
                {"date": "2026-12-25", "intervals": []},
                {"date": "2026-12-27", "intervals": [{"start": "06:00", "end": "10:00"}]}
            ],
            "time_off": [{"start": "2026-12-20T00:00:00+05:30", "end": "2026-12-23T00:00:00+05:30"}],
            "buffer_before_minutes": 30, "buffer_after_minutes": 30, "min_notice_minutes": 1440,
            "max_days_ahead": 365, "max_bookings_per_day": 3, "slot_step_minutes": 30,
            "cancellation_window_hours": 48
        })
    }

    fn validate(value: serde_json::Value) -> Result<Availability, FieldErrors> {
        serde_json::from_value::<AvailabilityDoc>(value).unwrap().validate()
    }

    /// `(field, message)` pairs, for asserting on exact error lists.
    fn errors_of(value: serde_json::Value) -> Vec<(String, String)> {
        validate(value).unwrap_err().iter().map(|e| (e.field.clone(), e.message.clone())).collect()
    }

    fn fields_of(value: serde_json::Value) -> Vec<String> {
        errors_of(value).into_iter().map(|(field, _)| field).collect()
    }

    fn with(mut base: serde_json::Value, key: &str, value: serde_json::Value) -> serde_json::Value {
        base[key] = value;
        base
    }

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_issue_example_validates() {
        let availability = validate(example()).unwrap();
        assert_eq!(availability.timezone(), chrono_tz::Asia::Kolkata);
        assert_eq!(availability.weekly(Weekday::Mon).len(), 2);
        assert!(availability.weekly(Weekday::Tue).is_empty());
        assert_eq!(availability.buffers(), Buffers::new(30, 30).unwrap());
        assert_eq!(availability.min_notice(), TimeDelta::days(1));
        assert_eq!(availability.max_days_ahead(), 365);
        assert_eq!(availability.max_bookings_per_day(), Some(3));
        assert_eq!(availability.slot_step_minutes(), 30);
        assert_eq!(availability.cancellation_window(), TimeDelta::hours(48));
        assert_eq!(availability.time_off().len(), 1);
    }

    #[test]
    fn works_on_follows_weekly_hours_overrides_and_time_off() {
        let a = validate(example()).unwrap();
        assert!(a.works_on(date("2026-12-07")), "a Monday");
        assert!(!a.works_on(date("2026-12-08")), "Tuesdays have no hours");
        assert!(!a.works_on(date("2026-12-21")), "a Monday inside time off");
        assert!(!a.works_on(date("2026-12-25")), "an empty override on a Friday");
        assert!(a.works_on(date("2026-12-27")), "a Sunday opened by an override");
        assert!(a.works_on(date("2026-12-19")), "the Saturday before time off starts at midnight");
        // Time off covering only part of the day leaves the rest to work in.
        let partial = with(
            example(),
            "time_off",
            json!([{"start": "2026-12-07T09:00:00+05:30", "end": "2026-12-07T13:00:00+05:30"}]),
        );
        assert!(validate(partial).unwrap().works_on(date("2026-12-07")));
        let whole = with(
            example(),
            "time_off",
            json!([{"start": "2026-12-07T08:00:00+05:30", "end": "2026-12-07T20:00:00+05:30"}]),
        );
        assert!(!validate(whole).unwrap().works_on(date("2026-12-07")));
    }

    #[test]
    fn free_on_needs_hours_to_say_free_and_a_booking_to_say_busy() {
        let a = validate(example()).unwrap();
        let monday = date("2026-12-07");
        assert_eq!(free_on(monday, false, Some(&a)), Some(true));
        assert_eq!(free_on(monday, true, Some(&a)), Some(false));
        assert_eq!(free_on(date("2026-12-08"), false, Some(&a)), Some(false));
        assert_eq!(free_on(monday, false, None), None);
        assert_eq!(free_on(monday, true, None), Some(false));
    }

    #[test]
    fn defaults_apply_when_fields_are_omitted() {
        let availability = validate(json!({"timezone": "Europe/London"})).unwrap();
        assert_eq!(availability.buffers(), Buffers::new(0, 0).unwrap());
        assert_eq!(availability.min_notice(), TimeDelta::minutes(i64::from(DEFAULT_MIN_NOTICE_MINUTES)));
        assert_eq!(availability.max_days_ahead(), 365);
        assert_eq!(availability.max_bookings_per_day(), None);
        assert_eq!(availability.slot_step_minutes(), 30);
        assert_eq!(availability.cancellation_window(), TimeDelta::hours(48));
        assert!(Weekday::Mon.num_days_from_monday() == 0 && availability.weekly(Weekday::Sun).is_empty());
        let null_limit = with(json!({"timezone": "UTC"}), "max_bookings_per_day", json!(null));
        assert_eq!(validate(null_limit).unwrap().max_bookings_per_day(), None);
    }

    #[test]
    fn overrides_replace_the_weekly_rule() {
        let availability = validate(example()).unwrap();
        assert!(availability.schedule_for(date("2026-12-25")).is_empty());
        let override_day = availability.schedule_for(date("2026-12-27"));
        assert_eq!(override_day.len(), 1);
        assert_eq!(override_day[0].to_string(), "06:00–10:00");
        assert_eq!(availability.schedule_for(date("2026-12-28")).len(), 2, "a Monday without override");
    }

    #[test]
    fn intervals_are_stored_sorted() {
        let doc = with(
            example(),
            "weekly",
            json!({"tue": [{"start": "14:00", "end": "15:00"}, {"start": "08:00", "end": "09:00"}]}),
        );
        let availability = validate(doc).unwrap();
        let starts: Vec<String> = availability.weekly(Weekday::Tue).iter().map(|i| i.start().to_string()).collect();
        assert_eq!(starts, ["08:00", "14:00"]);
    }

    #[test]
    fn timezone_is_required_and_must_be_iana() {
        let mut doc = example();
        doc.as_object_mut().unwrap().remove("timezone");
        assert_eq!(errors_of(doc), [("timezone".to_string(), "is required".to_string())]);
        assert_eq!(fields_of(with(example(), "timezone", json!("Mars/Olympus"))), ["timezone"]);
        assert_eq!(fields_of(with(example(), "timezone", json!("asia/kolkata"))), ["timezone"]);
    }

    #[test]
    fn interval_times_are_checked_per_field() {
        let weekly = json!({"mon": [
            {"start": "9:00", "end": "13:00"},
            {"start": "14:00", "end": "25:00"},
            {"start": "24:00", "end": "24:00"},
            {"start": "18:00", "end": "17:00"},
            {"start": "20:00", "end": "20:00"}
        ]});
        assert_eq!(
            errors_of(with(example(), "weekly", weekly)),
            [
                ("weekly.mon[0].start".to_string(), "must be a time HH:MM between 00:00 and 23:59".to_string()),
                ("weekly.mon[1].end".to_string(), "must be a time HH:MM between 00:00 and 24:00".to_string()),
                ("weekly.mon[2].start".to_string(), "must be a time HH:MM between 00:00 and 23:59".to_string()),
                ("weekly.mon[3].end".to_string(), "must be after start".to_string()),
                ("weekly.mon[4].end".to_string(), "must be after start".to_string()),
            ]
        );
    }

    #[test]
    fn overlapping_intervals_are_rejected_but_touching_ones_are_fine() {
        let touching = json!({"mon": [{"start": "13:00", "end": "17:00"}, {"start": "09:00", "end": "13:00"}]});
        assert!(validate(with(example(), "weekly", touching)).is_ok());
        let overlapping = json!({"fri": [
            {"start": "09:00", "end": "13:00"},
            {"start": "12:00", "end": "14:00"},
            {"start": "10:00", "end": "11:00"}
        ]});
        assert_eq!(
            errors_of(with(example(), "weekly", overlapping)),
            [
                ("weekly.fri[2]".to_string(), "overlaps the interval 09:00–13:00".to_string()),
                ("weekly.fri[1]".to_string(), "overlaps the interval 09:00–13:00".to_string()),
            ]
        );
    }

    #[test]
    fn too_many_intervals_in_a_day_is_one_error() {
        let many: Vec<_> =
            (0..11).map(|h| json!({"start": format!("{h:02}:00"), "end": format!("{h:02}:30")})).collect();
        assert_eq!(
            errors_of(with(example(), "weekly", json!({"sun": many}))),
            [("weekly.sun".to_string(), "must have at most 10 intervals".to_string())]
        );
    }

    #[test]
    fn override_errors_name_the_entry() {
        let overrides = json!([
            {"date": "2026-12-25", "intervals": []},
            {"date": "2026-12-25"},
            {"date": "2026-2-30", "intervals": [{"start": "10:00", "end": "09:00"}]},
            {"date": "2026-02-30"},
            {"date": "christmas"}
        ]);
        assert_eq!(
            errors_of(with(example(), "overrides", overrides)),
            [
                ("overrides[1].date".to_string(), "2026-12-25 already has an override".to_string()),
                ("overrides[2].date".to_string(), "must be a date YYYY-MM-DD".to_string()),
                ("overrides[2].intervals[0].end".to_string(), "must be after start".to_string()),
                ("overrides[3].date".to_string(), "must be a date YYYY-MM-DD".to_string()),
                ("overrides[4].date".to_string(), "must be a date YYYY-MM-DD".to_string()),
            ]
        );
    }

    #[test]
    fn too_many_overrides() {
        let overrides: Vec<_> =
            (0..367).map(|d| json!({"date": (date("2026-01-01") + TimeDelta::days(d)).to_string()})).collect();
        assert_eq!(fields_of(with(example(), "overrides", json!(overrides))), ["overrides"]);
    }

    #[test]
    fn time_off_errors_name_the_entry() {
        let time_off = json!([
            {"start": "2026-12-20T00:00:00+05:30", "end": "2026-12-23T00:00:00+05:30"},
            {"start": "2026-12-20T00:00:00", "end": "2026-12-23"},
            {"start": "2026-12-23T00:00:00Z", "end": "2026-12-20T00:00:00Z"},
            {"start": "2026-12-23T00:00:00Z", "end": "2026-12-23T05:30:00+05:30"}
        ]);
        let errors = errors_of(with(example(), "time_off", time_off));
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["time_off[1].start", "time_off[1].end", "time_off[2].end", "time_off[3].end"]);
        assert_eq!(errors[2].1, "must be after start");
    }

    #[test]
    fn too_many_time_off_entries() {
        let entry = json!({"start": "2026-12-20T00:00:00Z", "end": "2026-12-21T00:00:00Z"});
        let time_off: Vec<_> = (0..201).map(|_| entry.clone()).collect();
        assert_eq!(fields_of(with(example(), "time_off", json!(time_off))), ["time_off"]);
        let at_limit: Vec<_> = (0..200).map(|_| entry.clone()).collect();
        assert!(validate(with(example(), "time_off", json!(at_limit))).is_ok());
    }

    #[test]
    fn numeric_bounds_are_enforced() {
        let cases = [
            ("buffer_before_minutes", json!(-15), json!(0), json!(60), json!(75)),
            ("buffer_after_minutes", json!(-15), json!(0), json!(60), json!(75)),
            ("min_notice_minutes", json!(-1), json!(0), json!(43_200), json!(43_201)),
            ("max_days_ahead", json!(0), json!(31), json!(730), json!(731)),
            ("max_bookings_per_day", json!(0), json!(1), json!(20), json!(21)),
            ("slot_step_minutes", json!(0), json!(15), json!(240), json!(255)),
            ("cancellation_window_hours", json!(-1), json!(0), json!(720), json!(721)),
            ("travel_speed_kmh", json!(4), json!(5), json!(150), json!(151)),
        ];
        for (field, too_low, lowest, highest, too_high) in cases {
            assert_eq!(fields_of(with(example(), field, too_low)), [field], "{field} too low");
            assert!(validate(with(example(), field, lowest)).is_ok(), "{field} lowest");
            assert!(validate(with(example(), field, highest)).is_ok(), "{field} highest");
            assert_eq!(fields_of(with(example(), field, too_high)), [field], "{field} too high");
        }
    }

    #[test]
    fn slot_step_must_be_a_multiple_of_fifteen() {
        for ok in [15, 30, 45, 60, 90, 225] {
            assert!(validate(with(example(), "slot_step_minutes", json!(ok))).is_ok(), "{ok}");
        }
        for bad in [10, 20, 31, 50, 239] {
            assert_eq!(
                errors_of(with(example(), "slot_step_minutes", json!(bad))),
                [("slot_step_minutes".to_string(), "must be a multiple of 15 between 15 and 240".to_string())]
            );
        }
    }

    #[test]
    fn buffers_must_be_quarter_hours_up_to_an_hour() {
        for field in ["buffer_before_minutes", "buffer_after_minutes"] {
            for ok in [0, 15, 30, 45, 60] {
                assert!(validate(with(example(), field, json!(ok))).is_ok(), "{field} {ok}");
            }
            for bad in [-15, -1, 1, 10, 20, 59, 61, 75, 90, 120, 500] {
                assert_eq!(
                    errors_of(with(example(), field, json!(bad))),
                    [(field.to_string(), "must be a multiple of 15 between 0 and 60".to_string())],
                    "{field} {bad}"
                );
            }
        }
        let both = with(with(example(), "buffer_before_minutes", json!(20)), "buffer_after_minutes", json!(120));
        assert_eq!(fields_of(both), ["buffer_before_minutes", "buffer_after_minutes"]);
    }

    #[test]
    fn interval_boundaries_must_fall_on_quarter_hours() {
        const QUARTER: &str = "must be on a quarter hour: HH:00, HH:15, HH:30 or HH:45";
        let fine = json!({"mon": [
            {"start": "00:00", "end": "00:15"}, {"start": "09:15", "end": "09:30"},
            {"start": "10:45", "end": "12:30"}, {"start": "23:45", "end": "24:00"}
        ]});
        assert!(validate(with(example(), "weekly", fine)).is_ok());
        let weekly = json!({"tue": [
            {"start": "09:10", "end": "10:00"},
            {"start": "11:00", "end": "11:59"},
            {"start": "13:01", "end": "13:44"},
            {"start": "20:00", "end": "23:59"}
        ]});
        assert_eq!(
            errors_of(with(example(), "weekly", weekly)),
            [
                ("weekly.tue[0].start".to_string(), QUARTER.to_string()),
                ("weekly.tue[1].end".to_string(), QUARTER.to_string()),
                ("weekly.tue[2].start".to_string(), QUARTER.to_string()),
                ("weekly.tue[2].end".to_string(), QUARTER.to_string()),
                ("weekly.tue[3].end".to_string(), QUARTER.to_string()),
            ]
        );
        let overrides = json!([
            {"date": "2026-12-25", "intervals": [{"start": "06:05", "end": "10:00"}]},
            {"date": "2026-12-26", "intervals": [{"start": "06:00", "end": "10:00"}, {"start": "12:00", "end": "12:20"}]}
        ]);
        assert_eq!(
            errors_of(with(example(), "overrides", overrides)),
            [
                ("overrides[0].intervals[0].start".to_string(), QUARTER.to_string()),
                ("overrides[1].intervals[1].end".to_string(), QUARTER.to_string()),
            ]
        );
        let malformed_beats_misaligned = json!({"wed": [{"start": "9:10", "end": "24:10"}]});
        assert_eq!(
            fields_of(with(example(), "weekly", malformed_beats_misaligned)),
            ["weekly.wed[0].start", "weekly.wed[0].end"]
        );
    }

    #[test]
    fn min_notice_must_leave_room_before_the_horizon() {
        let doc = with(with(example(), "max_days_ahead", json!(1)), "min_notice_minutes", json!(1440));
        assert_eq!(fields_of(doc), ["min_notice_minutes"]);
        let doc = with(with(example(), "max_days_ahead", json!(2)), "min_notice_minutes", json!(1440));
        assert!(validate(doc).is_ok());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let doc = json!({
            "timezone": "Nowhere/Special",
            "weekly": {"mon": [{"start": "09:00", "end": "08:00"}], "wed": [{"start": "x", "end": "10:00"}]},
            "overrides": [{"date": "2026-13-01"}],
            "time_off": [{"start": "yesterday", "end": "2026-12-23T00:00:00Z"}],
            "buffer_before_minutes": 500, "buffer_after_minutes": -1, "min_notice_minutes": 99_999,
            "max_days_ahead": 0, "max_bookings_per_day": 50, "slot_step_minutes": 7,
            "cancellation_window_hours": 100_000, "travel_speed_kmh": 0
        });
        assert_eq!(
            fields_of(doc),
            [
                "timezone",
                "weekly.mon[0].end",
                "weekly.wed[0].start",
                "overrides[0].date",
                "time_off[0].start",
                "buffer_before_minutes",
                "buffer_after_minutes",
                "min_notice_minutes",
                "max_days_ahead",
                "max_bookings_per_day",
                "slot_step_minutes",
                "cancellation_window_hours",
                "travel_speed_kmh",
            ]
        );
    }

    #[test]
    fn unknown_fields_and_weekday_keys_are_structural_errors() {
        assert!(serde_json::from_value::<AvailabilityDoc>(with(example(), "colour", json!("red"))).is_err());
        assert!(serde_json::from_value::<AvailabilityDoc>(with(example(), "weekly", json!({"monday": []}))).is_err());
        let errors = Availability::from_json(r#"{"timezone": "UTC", "extra": 1}"#).unwrap_err();
        assert_eq!(errors.iter().next().unwrap().field, "body");
        assert!(Availability::from_json(r#"{"timezone": "UTC"}"#).is_ok());
    }

    #[test]
    fn round_trips_through_its_document_form() {
        let availability = validate(example()).unwrap();
        let json = serde_json::to_value(&availability).unwrap();
        assert_eq!(json["weekly"]["sat"], json!([{"start": "10:00", "end": "24:00"}]));
        assert_eq!(json["time_off"][0]["start"], "2026-12-20T00:00:00+05:30");
        assert!(json["weekly"].get("tue").is_none());
        let back: Availability = serde_json::from_value(json).unwrap();
        assert_eq!(back, availability);
        let defaults = validate(json!({"timezone": "UTC"})).unwrap();
        let doc = defaults.to_doc();
        assert_eq!(doc.min_notice_minutes, Some(1440));
        assert_eq!(doc.max_bookings_per_day, None);
    }

    #[test]
    fn stored_documents_are_revalidated_on_read() {
        let bad = with(example(), "slot_step_minutes", json!(7));
        assert!(serde_json::from_value::<Availability>(bad).is_err());
    }

    #[test]
    fn time_off_blocks_instants_in_any_offset() {
        let availability = validate(example()).unwrap();
        let probe = |a: &str, b: &str| {
            let range = UtcRange::new(
                DateTime::parse_from_rfc3339(a).unwrap().with_timezone(&Utc),
                DateTime::parse_from_rfc3339(b).unwrap().with_timezone(&Utc),
            )
            .unwrap();
            availability.overlaps_time_off(&range)
        };
        assert!(probe("2026-12-22T18:00:00Z", "2026-12-22T18:30:00Z"));
        assert!(!probe("2026-12-22T18:30:00Z", "2026-12-22T19:00:00Z"), "ends 18:30Z = midnight IST");
        assert!(!probe("2026-12-19T18:00:00Z", "2026-12-19T18:30:00Z"), "ends exactly when time off starts");
    }
}
