//! An external calendar's events as busy intervals: parse the iCalendar text, expand
//! every event over a window (RRULE, RDATE, EXDATE, moved occurrences), drop what does
//! not make the photographer busy, clip, merge and cap. Nothing of an event but its time
//! survives: no title, place or attendee is kept anywhere.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use icalendar::parser::{Component, Property, read_calendar, unfold};
use rrule::{RRule, RRuleSet, Unvalidated};

/// At most this many busy intervals are kept per calendar (earliest first): about 11 a
/// day over six months, and about 20 bytes each stored, far inside DynamoDB's 400 KB.
pub const MAX_BUSY_INTERVALS: usize = 2000;
/// Occurrences expanded per recurring event, at most.
const MAX_OCCURRENCES: u16 = 1000;

/// A span of time the photographer is busy, whole minutes in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BusyInterval {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// What a calendar yields over a window.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Imported {
    /// Sorted, non-overlapping, inside the window.
    pub intervals: Vec<BusyInterval>,
    /// Events read (masters and moved occurrences), whether or not they fell in the window.
    pub events: usize,
    /// Events whose times could not be understood (left out, counted so it can be shown).
    pub skipped: usize,
    /// More than [`MAX_BUSY_INTERVALS`] intervals: the latest were left out.
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the address did not return an iCalendar file (no BEGIN:VCALENDAR)")]
    NotACalendar,
    #[error("the calendar could not be parsed")]
    Malformed,
}

/// A start as written: a whole day, or an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    Day(NaiveDate),
    At(DateTime<Tz>),
}

/// The busy intervals of `ics` between `from` and `to`. `zone` is the photographer's:
/// all-day events (DATE values) take the whole local day there, and floating times
/// (no zone given) are read in it. Time zones the calendar names that are not IANA
/// names (Outlook writes Windows names) are read in `zone` as well.
pub fn busy_intervals(ics: &str, zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Imported, ImportError> {
    if !ics.trim_start_matches('\u{feff}').trim_start().to_ascii_uppercase().starts_with("BEGIN:VCALENDAR") {
        return Err(ImportError::NotACalendar);
    }
    let unfolded = unfold(ics);
    let calendar = read_calendar(&unfolded).map_err(|_| ImportError::Malformed)?;
    let events: Vec<&Component<'_>> = calendar.components.iter().filter(|c| c.name == "VEVENT").collect();
    let mut imported = Imported { events: events.len(), ..Imported::default() };

    // Occurrences moved or cancelled one by one (RECURRENCE-ID) replace their master's.
    let mut moved: HashMap<String, HashSet<DateTime<Utc>>> = HashMap::new();
    for event in &events {
        if let (Some(uid), Some(id)) = (value(event, "UID"), property(event, "RECURRENCE-ID"))
            && let Some(at) = when(id, zone).map(|w| start_instant(w, zone))
        {
            moved.entry(uid.to_string()).or_default().insert(at);
        }
    }

    let mut spans = Vec::new();
    for event in &events {
        match event_spans(event, zone, from, to, &moved) {
            Some(mut found) => spans.append(&mut found),
            None => imported.skipped += 1,
        }
    }
    let (intervals, truncated) = merge_and_cap(spans, from, to, MAX_BUSY_INTERVALS);
    imported.intervals = intervals;
    imported.truncated = truncated;
    Ok(imported)
}

/// One event's busy spans over the window; `None` when its times cannot be read.
fn event_spans(
    event: &Component<'_>,
    zone: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    moved: &HashMap<String, HashSet<DateTime<Utc>>>,
) -> Option<Vec<BusyInterval>> {
    // Free time and cancelled events do not make anyone busy.
    if value(event, "TRANSP").is_some_and(|t| t.eq_ignore_ascii_case("TRANSPARENT"))
        || value(event, "STATUS").is_some_and(|s| s.eq_ignore_ascii_case("CANCELLED"))
    {
        return Some(Vec::new());
    }
    let start = when(property(event, "DTSTART")?, zone)?;
    let length = match (start, property(event, "DTEND").and_then(|p| when(p, zone))) {
        (When::Day(a), Some(When::Day(b))) => Length::Days(u64::try_from((b - a).num_days()).ok()?.max(1)),
        (When::At(a), Some(When::At(b))) => Length::Exact(b.with_timezone(&Utc) - a.with_timezone(&Utc)),
        (_, Some(_)) => return None,
        (When::Day(_), None) => match value(event, "DURATION").and_then(duration) {
            Some(d) => Length::Days(u64::try_from(d.num_days()).ok()?.max(1)),
            None => Length::Days(1),
        },
        (When::At(_), None) => Length::Exact(value(event, "DURATION").and_then(duration).unwrap_or_default()),
    };
    if length.is_empty() {
        // RFC 5545: a DTSTART without DTEND or DURATION is a moment, not time spent.
        return Some(Vec::new());
    }
    let reach = length.upper_bound();

    let mut starts: Vec<When> = Vec::new();
    let is_override = property(event, "RECURRENCE-ID").is_some();
    match value(event, "RRULE").filter(|_| !is_override) {
        Some(rule) => starts.extend(expand(rule, start, zone, from - reach, to)?),
        None => starts.push(start),
    }
    for rdate in properties(event, "RDATE") {
        starts.extend(list(rdate, zone));
    }
    let excluded: HashSet<DateTime<Utc>> = properties(event, "EXDATE")
        .flat_map(|p| list(p, zone))
        .map(|w| start_instant(w, zone))
        .chain(
            value(event, "UID").filter(|_| !is_override).and_then(|uid| moved.get(uid)).into_iter().flatten().copied(),
        )
        .collect();

    let mut spans = Vec::new();
    for occurrence in starts {
        if excluded.contains(&start_instant(occurrence, zone)) {
            continue;
        }
        let span = match (occurrence, length) {
            (When::Day(day), Length::Days(n)) => {
                let end = day.checked_add_days(Days::new(n))?;
                BusyInterval { start: local_midnight(day, zone), end: local_midnight(end, zone) }
            }
            (When::At(at), Length::Exact(d)) => {
                let start = at.with_timezone(&Utc);
                BusyInterval { start, end: start.checked_add_signed(d)? }
            }
            // RDATEs of the other kind than DTSTART: read as DTSTART's length from there.
            (When::Day(day), Length::Exact(d)) => {
                let start = local_midnight(day, zone);
                BusyInterval { start, end: start.checked_add_signed(d)? }
            }
            (When::At(at), Length::Days(n)) => {
                let start = at.with_timezone(&Utc);
                BusyInterval { start, end: start.checked_add_signed(TimeDelta::days(i64::try_from(n).ok()?))? }
            }
        };
        spans.push(span);
    }
    Some(spans)
}

#[derive(Debug, Clone, Copy)]
enum Length {
    Days(u64),
    Exact(TimeDelta),
}

impl Length {
    fn is_empty(&self) -> bool {
        match self {
            Length::Days(n) => *n == 0,
            Length::Exact(d) => *d <= TimeDelta::zero(),
        }
    }

    /// How long an occurrence can last, to find those that start before the window and
    /// reach into it (a day more for days: a local day can be 25 hours).
    fn upper_bound(&self) -> TimeDelta {
        match self {
            Length::Days(n) => TimeDelta::days(i64::try_from(*n).unwrap_or(i64::MAX / 86_400_000).saturating_add(1)),
            Length::Exact(d) => *d,
        }
    }
}

/// The occurrences of a recurring event that can touch `[from, to)`. Rules more frequent
/// than hourly are refused (busy time is not made of seconds, and they are how a hostile
/// calendar would make the expansion slow).
fn expand(rule: &str, start: When, zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<Vec<When>> {
    let upper = rule.to_ascii_uppercase();
    if upper.contains("FREQ=SECONDLY") || upper.contains("FREQ=MINUTELY") {
        return None;
    }
    let rule: RRule<Unvalidated> = rule.parse().ok()?;
    let dt_start = match start {
        When::Day(day) => day.and_hms_opt(0, 0, 0)?.and_local_timezone(rrule::Tz::Tz(zone)).earliest()?,
        When::At(at) => at.with_timezone(&rrule::Tz::Tz(at.timezone())),
    };
    let set = RRuleSet::new(dt_start).rrule(rule.validate(dt_start).ok()?);
    let after = from.with_timezone(&rrule::Tz::UTC);
    let before = to.with_timezone(&rrule::Tz::UTC);
    let found = set.after(after).before(before).all(MAX_OCCURRENCES);
    Some(
        found
            .dates
            .into_iter()
            .map(|d| match start {
                When::Day(_) => When::Day(d.date_naive()),
                When::At(_) => When::At(d.with_timezone(&Utc).with_timezone(&zone_of(d.timezone(), zone))),
            })
            .collect(),
    )
}

fn zone_of(tz: rrule::Tz, fallback: Tz) -> Tz {
    match tz {
        rrule::Tz::Tz(tz) => tz,
        rrule::Tz::Local(_) => fallback,
    }
}

/// Sorts, clips to `[from, to)`, merges overlapping and touching spans, keeps the first
/// `cap`. Also rounds outward to whole minutes: busy time is never made shorter.
pub fn merge_and_cap(
    mut spans: Vec<BusyInterval>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    cap: usize,
) -> (Vec<BusyInterval>, bool) {
    spans.retain(|s| s.start < to && s.end > from && s.start < s.end);
    for span in &mut spans {
        span.start = floor_minute(span.start.max(from));
        span.end = ceil_minute(span.end.min(to));
    }
    spans.sort();
    let mut merged: Vec<BusyInterval> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    let truncated = merged.len() > cap;
    merged.truncate(cap);
    (merged, truncated)
}

fn floor_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp().div_euclid(60) * 60, 0).unwrap_or(t)
}

fn ceil_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    let floor = floor_minute(t);
    if floor == t { t } else { floor + TimeDelta::minutes(1) }
}

fn local_midnight(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    // A day that starts in a DST gap starts at the first instant that exists.
    (0..=180)
        .step_by(15)
        .find_map(|m| (midnight + TimeDelta::minutes(m)).and_local_timezone(zone).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| midnight.and_utc())
}

fn start_instant(when: When, zone: Tz) -> DateTime<Utc> {
    match when {
        When::Day(day) => local_midnight(day, zone),
        When::At(at) => at.with_timezone(&Utc),
    }
}

fn property<'a>(event: &'a Component<'a>, name: &str) -> Option<&'a Property<'a>> {
    event.properties.iter().find(|p| p.name.as_str().eq_ignore_ascii_case(name))
}

fn properties<'a>(event: &'a Component<'a>, name: &'a str) -> impl Iterator<Item = &'a Property<'a>> {
    event.properties.iter().filter(move |p| p.name.as_str().eq_ignore_ascii_case(name))
}

fn value<'a>(event: &'a Component<'a>, name: &str) -> Option<&'a str> {
    property(event, name).map(|p| p.val.as_str().trim())
}

fn param<'a>(property: &'a Property<'a>, name: &str) -> Option<&'a str> {
    property
        .params
        .iter()
        .find(|p| p.key.as_str().eq_ignore_ascii_case(name))
        .and_then(|p| p.val.as_ref())
        .map(|v| v.as_str().trim_matches('"'))
}

/// A DTSTART-like property's single value.
fn when(property: &Property<'_>, zone: Tz) -> Option<When> {
    parse_when(property.val.as_str().trim(), param(property, "TZID"), param(property, "VALUE"), zone)
}

/// An RDATE/EXDATE property's values (a comma-separated list). PERIOD values keep their
/// start.
fn list<'a>(property: &'a Property<'a>, zone: Tz) -> impl Iterator<Item = When> + 'a {
    let tzid = param(property, "TZID");
    let kind = param(property, "VALUE");
    property
        .val
        .as_str()
        .split(',')
        .filter_map(move |v| parse_when(v.split('/').next().unwrap_or(v).trim(), tzid, kind, zone))
}

fn parse_when(text: &str, tzid: Option<&str>, kind: Option<&str>, zone: Tz) -> Option<When> {
    if kind.is_some_and(|k| k.eq_ignore_ascii_case("DATE")) || (text.len() == 8 && !text.contains('T')) {
        return NaiveDate::parse_from_str(text, "%Y%m%d").ok().map(When::Day);
    }
    if let Some(utc) = text.strip_suffix('Z').or_else(|| text.strip_suffix('z')) {
        let naive = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok()?;
        return Some(When::At(naive.and_utc().with_timezone(&Tz::UTC)));
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S").ok()?;
    let tz = tzid.and_then(|id| id.trim_start_matches('/').parse::<Tz>().ok()).unwrap_or(zone);
    // A time in a DST gap is read as the same wall time an hour later (RFC 5545 3.3.5).
    let at = tz
        .from_local_datetime(&naive)
        .earliest()
        .or_else(|| tz.from_local_datetime(&(naive + TimeDelta::hours(1))).earliest())?;
    Some(When::At(at))
}

/// An RFC 5545 DURATION (`P1D`, `PT1H30M`, `P2W`, `-PT5M`); `None` when malformed,
/// negative or absurd.
pub fn duration(text: &str) -> Option<TimeDelta> {
    let text = text.trim().strip_prefix('+').unwrap_or(text.trim());
    if text.starts_with('-') {
        return None;
    }
    let rest = text.strip_prefix('P')?;
    let (mut total, mut number, mut in_time, mut any) = (0i64, String::new(), false, false);
    for c in rest.chars() {
        match c {
            'T' if number.is_empty() && !in_time => in_time = true,
            '0'..='9' => number.push(c),
            _ => {
                let n: i64 = number.parse().ok()?;
                number.clear();
                let unit = match (c, in_time) {
                    ('W', false) => 7 * 86_400,
                    ('D', false) => 86_400,
                    ('H', true) => 3_600,
                    ('M', true) => 60,
                    ('S', true) => 1,
                    _ => return None,
                };
                total = total.checked_add(n.checked_mul(unit)?)?;
                any = true;
            }
        }
    }
    if !number.is_empty() || !any || total > 366 * 86_400 {
        return None;
    }
    Some(TimeDelta::seconds(total))
}

/// The stored form of busy intervals: `start+minutes` pairs in epoch minutes, separated
/// by spaces. About 15 bytes an interval, so the cap fits one item many times over.
pub fn encode(intervals: &[BusyInterval]) -> String {
    intervals
        .iter()
        .map(|i| format!("{}+{}", i.start.timestamp().div_euclid(60), (i.end - i.start).num_minutes()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// [`encode`]'s inverse; `None` when the text was not written by it.
pub fn decode(text: &str) -> Option<Vec<BusyInterval>> {
    text.split_ascii_whitespace()
        .map(|pair| {
            let (start, minutes) = pair.split_once('+')?;
            let start = DateTime::from_timestamp(start.parse::<i64>().ok()?.checked_mul(60)?, 0)?;
            let minutes: i64 = minutes.parse().ok()?;
            (minutes > 0).then_some(())?;
            Some(BusyInterval { start, end: start.checked_add_signed(TimeDelta::try_minutes(minutes)?)? })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn durations() {
        assert_eq!(duration("PT1H30M"), Some(TimeDelta::minutes(90)));
        assert_eq!(duration("P1D"), Some(TimeDelta::days(1)));
        assert_eq!(duration("P2W"), Some(TimeDelta::days(14)));
        assert_eq!(duration("P1DT2H"), Some(TimeDelta::hours(26)));
        for bad in ["", "P", "PT", "1H", "PT1D", "P1H", "-PT5M", "P9999D", "PTxM"] {
            assert_eq!(duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn merge_clips_rounds_and_joins() {
        let from = utc("2026-06-01T00:00:00Z");
        let to = utc("2026-06-02T00:00:00Z");
        let spans = vec![
            BusyInterval { start: utc("2026-05-31T23:00:00Z"), end: utc("2026-06-01T01:00:00Z") },
            BusyInterval { start: utc("2026-06-01T01:00:00Z"), end: utc("2026-06-01T02:00:30Z") },
            BusyInterval { start: utc("2026-06-01T05:00:10Z"), end: utc("2026-06-01T06:00:00Z") },
            BusyInterval { start: utc("2026-06-01T23:00:00Z"), end: utc("2026-06-02T05:00:00Z") },
            BusyInterval { start: utc("2026-06-03T00:00:00Z"), end: utc("2026-06-03T01:00:00Z") },
        ];
        let (merged, truncated) = merge_and_cap(spans, from, to, 10);
        assert!(!truncated);
        assert_eq!(
            merged,
            [
                BusyInterval { start: from, end: utc("2026-06-01T02:01:00Z") },
                BusyInterval { start: utc("2026-06-01T05:00:00Z"), end: utc("2026-06-01T06:00:00Z") },
                BusyInterval { start: utc("2026-06-01T23:00:00Z"), end: to },
            ]
        );
        let (capped, truncated) = merge_and_cap(merged, from, to, 2);
        assert!(truncated);
        assert_eq!(capped.len(), 2);
    }

    #[test]
    fn encoding_round_trips() {
        let intervals = vec![
            BusyInterval { start: utc("2026-06-01T09:00:00Z"), end: utc("2026-06-01T10:30:00Z") },
            BusyInterval { start: utc("2026-06-02T00:00:00Z"), end: utc("2026-06-03T00:00:00Z") },
        ];
        let text = encode(&intervals);
        assert_eq!(decode(&text), Some(intervals));
        assert_eq!(decode(""), Some(Vec::new()));
        assert_eq!(decode("12+x"), None);
        assert_eq!(decode("12+0"), None);
    }
}
