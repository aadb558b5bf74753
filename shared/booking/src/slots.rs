//! Bookable slots for a date range, and suggestions near a start that was refused.

use chrono::{DateTime, Days, FixedOffset, NaiveDate, SecondsFormat, Utc};
use chrono_tz::Tz;
use cm_core::FieldErrors;
use serde::{Deserialize, Serialize, Serializer};

use crate::availability::{Availability, parse_date};
use crate::blocks::{BookingDuration, MAX_DURATION_MINUTES, MIN_DURATION_MINUTES, OccupiedInterval};
use crate::calendar::{Calendar, days};
use crate::rules::Rules;
use crate::time::local_date;

/// Longest date range one slot query may ask for, counting both ends.
pub const MAX_QUERY_DAYS: i64 = 62;
/// How far either side of a refused start [`nearest_starts`] looks.
pub const NEAREST_SEARCH_DAYS: u64 = 14;
pub const DEFAULT_SUGGESTIONS: usize = 3;

/// A validated slot query. `from..=to` are calendar dates in the display zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotQuery {
    from: NaiveDate,
    to: NaiveDate,
    duration: BookingDuration,
    zone: Option<Tz>,
    now: DateTime<Utc>,
}

impl SlotQuery {
    /// `zone` is the display zone the dates are read in; `None` = the photographer's.
    pub fn new(
        from: NaiveDate,
        to: NaiveDate,
        duration_minutes: u32,
        zone: Option<Tz>,
        now: DateTime<Utc>,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        check_range(from, to, &mut errors);
        let duration = parse_duration(duration_minutes, &mut errors);
        match duration {
            Some(duration) => errors.into_result(Self { from, to, duration, zone, now }),
            None => Err(errors),
        }
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    pub fn duration(&self) -> BookingDuration {
        self.duration
    }

    pub fn zone(&self) -> Option<Tz> {
        self.zone
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }
}

fn check_range(from: NaiveDate, to: NaiveDate, errors: &mut FieldErrors) {
    let days = (to - from).num_days() + 1;
    if days < 1 {
        errors.add("to", "must not be before from");
    } else if days > MAX_QUERY_DAYS {
        errors.add("to", format!("must be at most {MAX_QUERY_DAYS} days from from, counting both"));
    }
}

fn parse_duration(minutes: u32, errors: &mut FieldErrors) -> Option<BookingDuration> {
    let duration = BookingDuration::from_minutes(minutes);
    if duration.is_none() {
        errors.add(
            "duration_minutes",
            format!("must be a multiple of 15 between {MIN_DURATION_MINUTES} and {MAX_DURATION_MINUTES}"),
        );
    }
    duration
}

/// The query string of `GET /photographers/{id}/slots`, unvalidated. Unknown
/// parameters are ignored (cache busters, tracking); a misspelt one still surfaces as
/// the real one being required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SlotQueryParams {
    pub from: Option<String>,
    pub to: Option<String>,
    pub duration_minutes: Option<String>,
    pub timezone: Option<String>,
}

impl SlotQueryParams {
    /// Every problem at once, per query parameter.
    pub fn parse(&self, now: DateTime<Utc>) -> Result<SlotQuery, FieldErrors> {
        let mut errors = FieldErrors::new();
        let from = required_date(&mut errors, "from", self.from.as_deref());
        let to = required_date(&mut errors, "to", self.to.as_deref());
        if let (Some(from), Some(to)) = (from, to) {
            check_range(from, to, &mut errors);
        }
        let minutes = required_minutes(&mut errors, self.duration_minutes.as_deref());
        let duration = minutes.and_then(|minutes| parse_duration(minutes, &mut errors));
        let zone = optional_zone(&mut errors, self.timezone.as_deref());
        let (Some(from), Some(to), Some(duration), Some(zone)) = (from, to, duration, zone) else {
            return Err(errors);
        };
        errors.into_result(SlotQuery { from, to, duration, zone, now })
    }
}

/// Outer `None` = invalid (reported); inner `None` = not given.
fn optional_zone(errors: &mut FieldErrors, name: Option<&str>) -> Option<Option<Tz>> {
    let Some(name) = name else {
        return Some(None);
    };
    let zone = name.parse::<Tz>().ok();
    if zone.is_none() {
        errors.add("timezone", "must be an IANA time zone name such as Europe/London");
    }
    zone.map(Some)
}

fn required_date(errors: &mut FieldErrors, field: &str, text: Option<&str>) -> Option<NaiveDate> {
    let Some(text) = text else {
        errors.add(field, "is required");
        return None;
    };
    let date = parse_date(text);
    if date.is_none() {
        errors.add(field, "must be a date YYYY-MM-DD");
    }
    date
}

fn required_minutes(errors: &mut FieldErrors, text: Option<&str>) -> Option<u32> {
    let Some(text) = text else {
        errors.add("duration_minutes", "is required");
        return None;
    };
    let minutes = text.parse::<u32>().ok();
    if minutes.is_none() {
        errors.add("duration_minutes", "must be a whole number of minutes");
    }
    minutes
}

/// One bookable start with its end, carrying the display zone's offset.
/// Serialises as `{"start": "<RFC 3339>", "end": "<RFC 3339>"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Slot {
    #[serde(serialize_with = "rfc3339")]
    start: DateTime<FixedOffset>,
    #[serde(serialize_with = "rfc3339")]
    end: DateTime<FixedOffset>,
}

impl Slot {
    pub(crate) fn new(start: DateTime<Utc>, duration: BookingDuration, zone: Tz) -> Option<Self> {
        let end = start.checked_add_signed(duration.as_delta())?;
        Some(Self { start: start.with_timezone(&zone).fixed_offset(), end: end.with_timezone(&zone).fixed_offset() })
    }

    pub fn start(&self) -> DateTime<FixedOffset> {
        self.start
    }

    pub fn end(&self) -> DateTime<FixedOffset> {
        self.end
    }

    pub fn start_utc(&self) -> DateTime<Utc> {
        self.start.with_timezone(&Utc)
    }

    pub fn end_utc(&self) -> DateTime<Utc> {
        self.end.with_timezone(&Utc)
    }

    /// The same instants shown in another zone.
    pub fn in_zone(&self, zone: Tz) -> Self {
        Self {
            start: self.start.with_timezone(&zone).fixed_offset(),
            end: self.end.with_timezone(&zone).fixed_offset(),
        }
    }
}

/// `+00:00` rather than `Z` for a zero offset: the offset is the zone's, not "UTC".
fn rfc3339<S: Serializer>(instant: &DateTime<FixedOffset>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&instant.to_rfc3339_opts(SecondsFormat::Secs, false))
}

/// Every start in the query's range that [`crate::check_booking`] would accept, sorted,
/// with its end, shown in the query's display zone (default: the photographer's).
///
/// A slot belongs to the range when its start's calendar date in the display zone is
/// between `from` and `to` inclusive. `existing` must hold only bookings that hold their
/// slot (pending or confirmed).
pub fn bookable_slots(availability: &Availability, existing: &[OccupiedInterval], query: &SlotQuery) -> Vec<Slot> {
    let zone = query.zone.unwrap_or(availability.timezone());
    // Display-zone dates differ from photographer dates by at most a day; two covers it.
    let first = query.from.checked_sub_days(Days::new(2)).unwrap_or(query.from);
    let last = query.to.checked_add_days(Days::new(2)).unwrap_or(query.to);
    let rules = Rules::new(availability, existing, query.now);
    bookable_starts(availability, &rules, first, last, query.duration)
        .into_iter()
        .filter(|start| (query.from..=query.to).contains(&local_date(zone, *start)))
        .filter_map(|start| Slot::new(start, query.duration, zone))
        .collect()
}

/// Up to `limit` bookable starts closest to `requested` (within ±14 photographer-local
/// days), nearest first; equally near starts list the earlier first. Shown in the
/// photographer's zone; use [`Slot::in_zone`] for another.
pub fn nearest_starts(
    availability: &Availability,
    existing: &[OccupiedInterval],
    requested: DateTime<Utc>,
    duration: BookingDuration,
    now: DateTime<Utc>,
    limit: usize,
) -> Vec<Slot> {
    let centre = availability.local_date(requested);
    let first = centre.checked_sub_days(Days::new(NEAREST_SEARCH_DAYS)).unwrap_or(centre);
    let last = centre.checked_add_days(Days::new(NEAREST_SEARCH_DAYS)).unwrap_or(centre);
    let rules = Rules::new(availability, existing, now);
    let mut starts = bookable_starts(availability, &rules, first, last, duration);
    starts.sort_by_key(|start| ((*start - requested).abs(), *start));
    starts.into_iter().take(limit).filter_map(|start| Slot::new(start, duration, availability.timezone())).collect()
}

/// Candidate starts on photographer-local days `first..=last` that pass every rule,
/// ascending. Days on which nothing could pass the timing rules are never resolved,
/// which also keeps far-off (or absurd) requested dates cheap and overflow-free.
fn bookable_starts(
    availability: &Availability,
    rules: &Rules<'_>,
    first: NaiveDate,
    last: NaiveDate,
    duration: BookingDuration,
) -> Vec<DateTime<Utc>> {
    let (earliest, latest) = rules.bookable_dates();
    let first = first.max(earliest.pred_opt().unwrap_or(earliest));
    let last = last.min(latest.succ_opt().unwrap_or(latest));
    if first > last {
        return Vec::new();
    }
    let Some(calendar) = Calendar::new(availability, first, last) else {
        return Vec::new();
    };
    let mut starts: Vec<DateTime<Utc>> = days(first, last)
        .flat_map(|date| calendar.grid_starts(date))
        .filter(|start| rules.check(&calendar, *start, duration).is_ok())
        .collect();
    starts.sort();
    starts.dedup();
    starts
}
