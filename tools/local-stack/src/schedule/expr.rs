//! EventBridge schedule expressions: `rate(...)`, `cron(...)` and (Scheduler only)
//! `at(...)`.
//!
//! Supported cron syntax (AWS's six fields: minutes hours day-of-month month
//! day-of-week year): `*`, `?`, numbers, ranges `a-b`, lists `a,b`, steps `*/n`, `a/n`
//! and `a-b/n`, month names `JAN`-`DEC`, weekday names `SUN`-`SAT` (1 = Sunday), `L`
//! (last day of the month) in day-of-month, `nL` (last weekday n of the month) and
//! `n#k` (k-th weekday n) in day-of-week. Not supported: `W` (nearest weekday) and
//! offsets such as `L-3`; they are refused when the template is loaded.

use chrono::{DateTime, Datelike, Duration as TimeDelta, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Rate(Duration),
    Cron(Box<Cron>),
    At(NaiveDateTime),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cron {
    minutes: Vec<u32>,
    hours: Vec<u32>,
    dom: Dom,
    months: Vec<u32>,
    dow: Dow,
    years: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq)]
enum Dom {
    Any,
    Days(Vec<u32>),
    Last,
}

#[derive(Debug, Clone, PartialEq)]
enum Dow {
    Any,
    /// 1 = Sunday … 7 = Saturday.
    Days(Vec<u32>),
    Nth {
        weekday: u32,
        n: u32,
    },
    Last {
        weekday: u32,
    },
}

const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

impl Expr {
    pub fn parse(text: &str) -> Result<Expr, String> {
        let text = text.trim();
        let inner = |prefix: &str| text.strip_prefix(prefix).and_then(|r| r.strip_suffix(')')).map(str::trim);
        if let Some(body) = inner("rate(") {
            return parse_rate(body).map(Expr::Rate);
        }
        if let Some(body) = inner("cron(") {
            return Cron::parse(body).map(|c| Expr::Cron(Box::new(c)));
        }
        if let Some(body) = inner("at(") {
            return NaiveDateTime::parse_from_str(body, "%Y-%m-%dT%H:%M:%S")
                .map(Expr::At)
                .map_err(|_| format!("at({body}): expected yyyy-mm-ddThh:mm:ss"));
        }
        Err(format!("`{text}` is not a rate(), cron() or at() expression"))
    }

    /// The first firing strictly after `after`. Rates count from `origin` (when the
    /// schedule was created, as in EventBridge); cron and at read wall-clock time in `tz`.
    pub fn next_after(&self, after: DateTime<Utc>, origin: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        match self {
            Expr::Rate(every) => {
                let every = TimeDelta::from_std(*every).ok()?;
                let elapsed = after.signed_duration_since(origin);
                let periods =
                    if elapsed < TimeDelta::zero() { 0 } else { elapsed.num_seconds() / every.num_seconds() + 1 };
                Some(origin + every * i32::try_from(periods).ok()?)
            }
            Expr::At(when) => {
                tz.from_local_datetime(when).earliest().map(|t| t.with_timezone(&Utc)).filter(|t| *t > after)
            }
            Expr::Cron(c) => c.next_after(after, tz),
        }
    }
}

fn parse_rate(body: &str) -> Result<Duration, String> {
    let (n, unit) = body.split_once(' ').ok_or(format!("rate({body}): expected `rate(N unit)`"))?;
    let n: u64 = n.trim().parse().map_err(|_| format!("rate({body}): N must be a positive integer"))?;
    let secs = match (unit.trim(), n) {
        (_, 0) => return Err(format!("rate({body}): N must be positive")),
        ("minute", 1) | ("hour", 1) | ("day", 1) => 1,
        ("minutes", 2..) | ("hours", 2..) | ("days", 2..) => 1,
        (u, _) => {
            return Err(format!(
                "rate({body}): `{u}` does not fit {n} (minute for 1, minutes for more; also hour(s), day(s))"
            ));
        }
    };
    let unit_secs = match unit.trim().trim_end_matches('s') {
        "minute" => 60,
        "hour" => 3600,
        _ => 86_400,
    };
    Ok(Duration::from_secs(secs * n * unit_secs))
}

impl Cron {
    pub fn parse(body: &str) -> Result<Cron, String> {
        let f: Vec<&str> = body.split_whitespace().collect();
        if f.len() != 6 {
            return Err(format!(
                "cron({body}): AWS cron has 6 fields: minutes hours day-of-month month day-of-week year"
            ));
        }
        let err = |field: &str, e: String| format!("cron({body}): {field}: {e}");
        let dom = match f[2] {
            "?" => Dom::Any,
            "*" => Dom::Days((1..=31).collect()),
            "L" => Dom::Last,
            other => Dom::Days(field(other, 1, 31, &[]).map_err(|e| err("day-of-month", e))?),
        };
        let dow = match f[4] {
            "?" => Dow::Any,
            "*" => Dow::Days((1..=7).collect()),
            other if other.ends_with('L') && other.len() > 1 => {
                Dow::Last { weekday: value(&other[..other.len() - 1], 1, 7, &DAYS).map_err(|e| err("day-of-week", e))? }
            }
            other if other.contains('#') => {
                let (d, n) = other.split_once('#').unwrap_or_default();
                let weekday = value(d, 1, 7, &DAYS).map_err(|e| err("day-of-week", e))?;
                let n = value(n, 1, 5, &[]).map_err(|e| err("day-of-week", e))?;
                Dow::Nth { weekday, n }
            }
            other => Dow::Days(field(other, 1, 7, &DAYS).map_err(|e| err("day-of-week", e))?),
        };
        if dom != Dom::Any && dow != Dow::Any {
            return Err(format!("cron({body}): one of day-of-month and day-of-week must be `?`"));
        }
        if dom == Dom::Any && dow == Dow::Any {
            return Err(format!("cron({body}): day-of-month and day-of-week cannot both be `?`"));
        }
        Ok(Cron {
            minutes: field(f[0], 0, 59, &[]).map_err(|e| err("minutes", e))?,
            hours: field(f[1], 0, 23, &[]).map_err(|e| err("hours", e))?,
            dom,
            months: field(f[3], 1, 12, &MONTHS).map_err(|e| err("month", e))?,
            dow,
            years: field(f[5], 1970, 2199, &[]).map_err(|e| err("year", e))?,
        })
    }

    fn day_matches(&self, d: NaiveDate) -> bool {
        let last = last_day_of_month(d);
        let weekday = d.weekday().num_days_from_sunday() + 1;
        let dom_ok = match &self.dom {
            Dom::Any => true,
            Dom::Days(days) => days.contains(&d.day()),
            Dom::Last => d.day() == last,
        };
        let dow_ok = match &self.dow {
            Dow::Any => true,
            Dow::Days(days) => days.contains(&weekday),
            Dow::Nth { weekday: w, n } => weekday == *w && (d.day() - 1) / 7 + 1 == *n,
            Dow::Last { weekday: w } => weekday == *w && d.day() + 7 > last,
        };
        dom_ok && dow_ok && self.months.contains(&d.month()) && self.years.contains(&(d.year() as u32))
    }

    fn next_after(&self, after: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let start = after.with_timezone(&tz).date_naive();
        // Five years covers every expression that fires at all (Feb 29 included).
        for offset in 0..(5 * 366) {
            let day = start.checked_add_signed(TimeDelta::days(offset))?;
            if !self.day_matches(day) {
                continue;
            }
            for &h in &self.hours {
                for &m in &self.minutes {
                    let local = day.and_hms_opt(h, m, 0)?;
                    // A time skipped by a DST change does not fire; a repeated one fires once.
                    let Some(at) = tz.from_local_datetime(&local).earliest() else { continue };
                    let at = at.with_timezone(&Utc);
                    if at > after {
                        return Some(at);
                    }
                }
            }
        }
        None
    }
}

fn last_day_of_month(d: NaiveDate) -> u32 {
    let (y, m) = if d.month() == 12 { (d.year() + 1, 1) } else { (d.year(), d.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).and_then(|n| n.pred_opt()).map_or(31, |n| n.day())
}

fn value(text: &str, min: u32, max: u32, names: &[&str]) -> Result<u32, String> {
    let upper = text.to_ascii_uppercase();
    let v = match names.iter().position(|n| *n == upper) {
        Some(i) => i as u32 + min,
        None => text
            .parse::<u32>()
            .map_err(|_| format!("`{text}` is not a value here (W and offsets are not supported)"))?,
    };
    if (min..=max).contains(&v) { Ok(v) } else { Err(format!("{v} is outside {min}-{max}")) }
}

/// A comma list of values, ranges and steps, as a sorted list.
fn field(text: &str, min: u32, max: u32, names: &[&str]) -> Result<Vec<u32>, String> {
    let mut out = Vec::new();
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().ok().filter(|s| *s > 0).ok_or(format!("bad step in `{part}`"))?),
            None => (part, 1),
        };
        let (lo, hi) = match range {
            "*" => (min, max),
            r => match r.split_once('-') {
                Some((a, b)) => (value(a, min, max, names)?, value(b, min, max, names)?),
                // `a/n` means from a to the end.
                None if step > 1 => (value(r, min, max, names)?, max),
                None => {
                    let v = value(r, min, max, names)?;
                    (v, v)
                }
            },
        };
        if lo > hi {
            return Err(format!("`{part}`: range runs backwards"));
        }
        out.extend((lo..=hi).step_by(step as usize));
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Seconds are never part of a schedule: trims them for display and comparisons.
pub fn whole_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn next(expr: &str, after: &str) -> String {
        Expr::parse(expr).unwrap().next_after(utc(after), utc(after), Tz::UTC).unwrap().to_rfc3339()
    }

    #[test]
    fn rates_follow_aws_units() {
        assert_eq!(Expr::parse("rate(5 minutes)").unwrap(), Expr::Rate(Duration::from_secs(300)));
        assert_eq!(Expr::parse("rate(1 hour)").unwrap(), Expr::Rate(Duration::from_secs(3600)));
        assert_eq!(Expr::parse("rate(2 days)").unwrap(), Expr::Rate(Duration::from_secs(172_800)));
        for bad in ["rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "rate(5 weeks)", "rate(x minutes)"] {
            assert!(Expr::parse(bad).is_err(), "{bad}");
        }
        let origin = utc("2026-11-25T10:00:00Z");
        let e = Expr::parse("rate(5 minutes)").unwrap();
        assert_eq!(e.next_after(origin, origin, Tz::UTC), Some(utc("2026-11-25T10:05:00Z")));
        assert_eq!(e.next_after(utc("2026-11-25T10:07:00Z"), origin, Tz::UTC), Some(utc("2026-11-25T10:10:00Z")));
    }

    #[test]
    fn cron_common_cases() {
        assert_eq!(next("cron(0 10 * * ? *)", "2026-11-25T10:00:00Z"), "2026-11-26T10:00:00+00:00");
        assert_eq!(next("cron(0/15 * * * ? *)", "2026-11-25T10:07:00Z"), "2026-11-25T10:15:00+00:00");
        assert_eq!(next("cron(15 12 ? * MON-FRI *)", "2026-11-27T13:00:00Z"), "2026-11-30T12:15:00+00:00");
        assert_eq!(next("cron(0 8 1 * ? *)", "2026-11-25T00:00:00Z"), "2026-12-01T08:00:00+00:00");
        assert_eq!(next("cron(0 18 L * ? *)", "2027-02-01T00:00:00Z"), "2027-02-28T18:00:00+00:00");
        assert_eq!(next("cron(0 9 ? * 2#1 *)", "2026-11-25T00:00:00Z"), "2026-12-07T09:00:00+00:00");
        assert_eq!(next("cron(0 9 ? * 6L *)", "2026-11-01T00:00:00Z"), "2026-11-27T09:00:00+00:00");
        assert_eq!(next("cron(30 2 1 JAN ? 2028)", "2026-11-25T00:00:00Z"), "2028-01-01T02:30:00+00:00");
    }

    #[test]
    fn cron_in_a_time_zone_and_across_dst() {
        let e = Expr::parse("cron(30 9 * * ? *)").unwrap();
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
        let after = utc("2026-11-25T00:00:00Z");
        assert_eq!(e.next_after(after, after, kolkata), Some(utc("2026-11-25T04:00:00Z")));
        // 01:30 does not exist in London on 2027-03-28 (clocks jump 01:00 → 02:00): that day is skipped.
        let e = Expr::parse("cron(30 1 * * ? *)").unwrap();
        let london: Tz = "Europe/London".parse().unwrap();
        let after = utc("2027-03-27T02:00:00Z");
        assert_eq!(e.next_after(after, after, london), Some(utc("2027-03-29T00:30:00Z")));
    }

    #[test]
    fn invalid_cron_is_refused() {
        for bad in [
            "cron(0 10 * * *)",
            "cron(0 10 * * * *)",
            "cron(0 10 ? * ? *)",
            "cron(60 10 * * ? *)",
            "cron(0 10 15W * ? *)",
            "cron(0 10 ? * FUNDAY *)",
            "cron(0 10 5-1 * ? *)",
        ] {
            assert!(Expr::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn at_fires_once() {
        let e = Expr::parse("at(2026-12-01T09:00:00)").unwrap();
        let after = utc("2026-11-25T00:00:00Z");
        assert_eq!(e.next_after(after, after, Tz::UTC), Some(utc("2026-12-01T09:00:00Z")));
        assert_eq!(e.next_after(utc("2026-12-02T00:00:00Z"), after, Tz::UTC), None);
    }
}
