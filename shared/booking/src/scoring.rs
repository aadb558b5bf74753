//! How well a bookable slot suits a shoot: the light at the place for the kind of
//! shoot, the client's preferred time, and how busy the photographer already is that
//! day. Every score comes with the reasons that made it, so the client sees why.
//!
//! Score (0–100) = light or timing (up to 70) + a quiet day (up to 30):
//! - golden-hour shoots (wedding, portrait, family, fashion): the share of the slot
//!   in golden hour (up to 50; the share of the shorter of the slot and the window, so
//!   an hour-long window fully used by a two-hour slot counts as fully used), plus the
//!   share with the sun up (up to 20); blue hour counts half as much as golden;
//! - daylight shoots (newborn, product, commercial, real estate, and a query with no
//!   event type): the share of the slot with the sun up (up to 70);
//! - events follow the client's clock: full marks at the preferred start, falling to
//!   none four hours away; with no preference, a neutral 35;
//! - a quiet day: 30 with no other shoot that photographer-local day, 20 with one,
//!   10 with two, none with more.
//!
//! Predicted demand (the analytics forecasts) is meant to join as a third part once
//! forecasts exist; it is not weighed yet.

use chrono::{DateTime, NaiveDate, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;
use cm_catalog::Specialization;
use cm_core::FieldErrors;
use cm_geo::{Daylight, Point};
use serde::Serialize;

use crate::blocks::OccupiedInterval;
use crate::slots::Slot;
use crate::time::local_date;

/// What the light should be for a kind of shoot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LightNeed {
    GoldenHour,
    Daylight,
    ClientTime,
}

pub fn light_need(event_type: Option<Specialization>) -> LightNeed {
    use Specialization::*;
    match event_type {
        Some(Wedding | Portrait | Family | Fashion) => LightNeed::GoldenHour,
        Some(Event) => LightNeed::ClientTime,
        Some(Newborn | Product | Commercial | RealEstate) | None => LightNeed::Daylight,
    }
}

/// One reason behind a score: a stable code for programs, a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub code: &'static str,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlotScore {
    pub score: u8,
    pub reasons: Vec<Reason>,
}

/// What scoring a range of slots needs besides each slot.
#[derive(Debug, Clone, Copy)]
pub struct ScoreContext<'a> {
    pub need: LightNeed,
    /// The client's preferred local start, read in `zone`.
    pub preferred: Option<NaiveTime>,
    /// The zone the client reads times in (texts show times there).
    pub zone: Tz,
    /// The photographer's zone: "that day" is their day.
    pub photographer_zone: Tz,
    /// Shoots already holding time (pending or confirmed).
    pub existing: &'a [OccupiedInterval],
}

const LIGHT_MAX: f64 = 70.0;
const GOLDEN_SHARE: f64 = 50.0;
const SUN_SHARE: f64 = 20.0;
const PREFERENCE_REACH_MINUTES: f64 = 240.0;

/// The score of the slot `[start, end)` in the light of its day.
pub fn score_slot(start: DateTime<Utc>, end: DateTime<Utc>, light: &Daylight, ctx: &ScoreContext<'_>) -> SlotScore {
    let mut reasons = Vec::new();
    let seconds = (end - start).num_seconds().max(1) as f64;
    let sun_share = light.sun_up_seconds(start, end) as f64 / seconds;
    let hm = |t: DateTime<Utc>| t.with_timezone(&ctx.zone).format("%H:%M").to_string();
    let light_points = match ctx.need {
        LightNeed::GoldenHour => {
            let golden = window_share(light.golden(), start, end, seconds);
            let blue = window_share(light.blue(), start, end, seconds);
            let share = (golden + blue / 2.0).min(1.0);
            for (code, label, w) in [
                ("morning_golden_hour", "morning golden hour", light.golden_morning),
                ("evening_golden_hour", "evening golden hour", light.golden_evening),
                ("morning_blue_hour", "morning blue hour", light.blue_morning),
                ("evening_blue_hour", "evening blue hour", light.blue_evening),
            ] {
                if let Some(w) = w.filter(|w| w.overlap_seconds(start, end) > 0) {
                    reasons.push(Reason { code, text: format!("in the {label} ({}–{})", hm(w.start), hm(w.end)) });
                }
            }
            if share == 0.0 {
                reasons.push(Reason { code: "no_golden_hour", text: "outside golden and blue hour".into() });
            }
            daylight_reason(sun_share, &mut reasons);
            GOLDEN_SHARE * share + SUN_SHARE * sun_share
        }
        LightNeed::Daylight => {
            daylight_reason(sun_share, &mut reasons);
            LIGHT_MAX * sun_share
        }
        LightNeed::ClientTime => match ctx.preferred {
            Some(preferred) => {
                let local = start.with_timezone(&ctx.zone).time();
                let minutes = minutes_apart(local, preferred);
                reasons.push(if minutes == 0 {
                    Reason { code: "preferred_time", text: "starts at your preferred time".into() }
                } else {
                    Reason {
                        code: "near_preferred_time",
                        text: format!("starts {minutes} min from your preferred {}", preferred.format("%H:%M")),
                    }
                });
                LIGHT_MAX * (1.0 - f64::from(minutes) / PREFERENCE_REACH_MINUTES).max(0.0)
            }
            None => LIGHT_MAX / 2.0,
        },
    };
    let shoots = shoots_that_day(start, ctx);
    let quiet = match shoots {
        0 => 30.0,
        1 => 20.0,
        2 => 10.0,
        _ => 0.0,
    };
    reasons.push(match shoots {
        0 => Reason { code: "free_day", text: "the photographer has no other shoot that day".into() },
        n => Reason {
            code: "busy_day",
            text: format!("the photographer has {n} other shoot{} that day", if n == 1 { "" } else { "s" }),
        },
    });
    let score = (light_points + quiet).round().clamp(0.0, 100.0) as u8;
    SlotScore { score, reasons }
}

/// The share of the slot spent in `windows`, against the shorter of the slot and the
/// longest window it touches (a slot longer than the window can at best fill it).
fn window_share(
    windows: impl Iterator<Item = cm_geo::Window>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    seconds: f64,
) -> f64 {
    let mut overlap = 0.0;
    let mut longest = 0.0f64;
    for w in windows {
        let o = w.overlap_seconds(start, end) as f64;
        if o > 0.0 {
            overlap += o;
            longest = longest.max(w.seconds() as f64);
        }
    }
    if overlap == 0.0 { 0.0 } else { (overlap / seconds.min(longest.max(1.0))).min(1.0) }
}

fn daylight_reason(sun_share: f64, reasons: &mut Vec<Reason>) {
    reasons.push(if sun_share >= 1.0 {
        Reason { code: "daylight", text: "in full daylight".into() }
    } else if sun_share > 0.0 {
        Reason { code: "partly_dark", text: "partly after sunset or before sunrise".into() }
    } else {
        Reason { code: "dark", text: "after dark".into() }
    });
}

/// Minutes between two clock times, the short way round midnight.
fn minutes_apart(a: NaiveTime, b: NaiveTime) -> u32 {
    let (a, b) = (a.num_seconds_from_midnight() / 60, b.num_seconds_from_midnight() / 60);
    let d = a.abs_diff(b);
    d.min(24 * 60 - d)
}

fn shoots_that_day(start: DateTime<Utc>, ctx: &ScoreContext<'_>) -> usize {
    let day = local_date(ctx.photographer_zone, start);
    ctx.existing.iter().filter(|i| i.is_booking() && local_date(ctx.photographer_zone, i.booking_start) == day).count()
}

/// The query parameters describing the shoot, unvalidated: `lat`, `lon`,
/// `event_type`, `preferred_time`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShootParams {
    pub lat: Option<String>,
    pub lon: Option<String>,
    pub event_type: Option<String>,
    pub preferred_time: Option<String>,
}

/// What a client told us about the shoot; every part optional.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shoot {
    /// Where it happens; `None` = at the photographer's base.
    pub at: Option<Point>,
    pub event_type: Option<Specialization>,
    /// The client's preferred local start (`HH:MM`, in the display zone).
    pub preferred: Option<NaiveTime>,
}

impl ShootParams {
    /// Every problem at once, per query parameter.
    pub fn parse(&self) -> Result<Shoot, FieldErrors> {
        let mut errors = FieldErrors::new();
        let degrees = |errors: &mut FieldErrors, name: &str, text: Option<&str>, max: f64| {
            let v = text?.parse::<f64>().ok().filter(|v| v.is_finite() && v.abs() <= max);
            if v.is_none() {
                errors.add(name, format!("must be a number from -{max} to {max}"));
            }
            v
        };
        let lat = degrees(&mut errors, "lat", self.lat.as_deref(), 90.0);
        let lon = degrees(&mut errors, "lon", self.lon.as_deref(), 180.0);
        if self.lat.is_some() != self.lon.is_some() {
            errors.add(if self.lat.is_some() { "lon" } else { "lat" }, "give both lat and lon, or neither");
        }
        let event_type = self.event_type.as_deref().and_then(|t| {
            let parsed = Specialization::parse(t);
            if parsed.is_none() {
                errors.add("event_type", format!("must be one of: {}", Specialization::allowed_list()));
            }
            parsed
        });
        let preferred = self.preferred_time.as_deref().and_then(|t| {
            let parsed = (t.len() == 5).then(|| NaiveTime::parse_from_str(t, "%H:%M").ok()).flatten();
            if parsed.is_none() {
                errors.add("preferred_time", "must be a local time HH:MM, such as 17:30");
            }
            parsed
        });
        let at = lat.zip(lon).and_then(|(lat, lon)| Point::new(lat, lon));
        errors.into_result(Shoot { at, event_type, preferred })
    }
}

/// One local date of a queried range with its light: `{"date", "sun"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayView {
    pub date: NaiveDate,
    pub sun: cm_geo::DaylightView,
}

/// The dates of a range with their light, and the slots scored in it, for a shoot at
/// `at` (the client's place, else the photographer's base).
pub fn annotate(
    slots: &[Slot],
    existing: &[OccupiedInterval],
    query: &crate::SlotQuery,
    photographer_zone: Tz,
    at: Point,
    shoot: &Shoot,
) -> (Vec<DayView>, Vec<ScoredSlot>) {
    let zone = query.zone().unwrap_or(photographer_zone);
    let days = light_by_date(query.from(), query.to(), zone, at);
    let ctx = ScoreContext {
        need: light_need(shoot.event_type),
        preferred: shoot.preferred,
        zone,
        photographer_zone,
        existing,
    };
    let scored = score_slots(slots, &days, &ctx);
    (days.iter().map(|d| DayView { date: d.date, sun: d.view(zone) }).collect(), scored)
}

/// A bookable slot with its score, as the API shows it:
/// `{"start", "end", "score", "reasons": [{"code", "text"}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoredSlot {
    #[serde(flatten)]
    pub slot: Slot,
    #[serde(flatten)]
    pub score: SlotScore,
}

/// The light of every local date `from..=to` in `zone` at `at`.
pub fn light_by_date(from: NaiveDate, to: NaiveDate, zone: Tz, at: Point) -> Vec<Daylight> {
    from.iter_days().take_while(|d| *d <= to).map(|d| cm_geo::daylight(d, zone, at)).collect()
}

/// Scores each slot in the light of its start's date in `ctx.zone`; `days` must cover
/// those dates ([`light_by_date`] over the query's range does). A slot whose date is
/// missing is scored in darkness rather than dropped.
pub fn score_slots(slots: &[Slot], days: &[Daylight], ctx: &ScoreContext<'_>) -> Vec<ScoredSlot> {
    slots
        .iter()
        .map(|slot| {
            let date = local_date(ctx.zone, slot.start_utc());
            let score = match days.iter().find(|d| d.date == date) {
                Some(light) => score_slot(slot.start_utc(), slot.end_utc(), light, ctx),
                None => score_slot(slot.start_utc(), slot.end_utc(), &Daylight::unknown(date), ctx),
            };
            ScoredSlot { slot: *slot, score }
        })
        .collect()
}

/// At most this many of the best slots fall on one date, so "the best few" offer a
/// choice of days rather than four starts fifteen minutes apart.
pub const BEST_PER_DAY: usize = 2;

/// The `limit` best slots: highest score first (earlier first on a tie), never two that
/// overlap, at most [`BEST_PER_DAY`] on one date in `zone`. Returned best first.
pub fn best_slots(mut scored: Vec<ScoredSlot>, limit: usize, zone: Tz) -> Vec<ScoredSlot> {
    scored.sort_by(|a, b| b.score.score.cmp(&a.score.score).then(a.slot.start_utc().cmp(&b.slot.start_utc())));
    let mut picked: Vec<ScoredSlot> = Vec::new();
    for candidate in scored {
        if picked.len() == limit {
            break;
        }
        let (s, e) = (candidate.slot.start_utc(), candidate.slot.end_utc());
        let date = local_date(zone, s);
        let overlaps = picked.iter().any(|p| p.slot.start_utc() < e && s < p.slot.end_utc());
        let same_day = picked.iter().filter(|p| local_date(zone, p.slot.start_utc()) == date).count();
        if !overlaps && same_day < BEST_PER_DAY {
            picked.push(candidate);
        }
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocks::BookingDuration;
    use chrono::TimeZone;
    use chrono_tz::Europe::Berlin;
    use proptest::prelude::*;

    fn berlin() -> Point {
        Point::new(52.52, 13.405).unwrap()
    }

    fn midsummer() -> Daylight {
        cm_geo::daylight(NaiveDate::from_ymd_opt(2026, 6, 21).unwrap(), Berlin, berlin())
    }

    /// A slot starting at local `h:m` in Berlin on 2026-06-21.
    fn slot(h: u32, m: u32, minutes: u32) -> Slot {
        let start = Berlin.with_ymd_and_hms(2026, 6, 21, h, m, 0).unwrap().with_timezone(&Utc);
        Slot::new(start, BookingDuration::from_minutes(minutes).unwrap(), Berlin).unwrap()
    }

    fn ctx(need: LightNeed, existing: &[OccupiedInterval]) -> ScoreContext<'_> {
        ScoreContext { need, preferred: None, zone: Berlin, photographer_zone: Berlin, existing }
    }

    fn score(s: Slot, c: &ScoreContext<'_>) -> SlotScore {
        score_slot(s.start_utc(), s.end_utc(), &midsummer(), c)
    }

    fn codes(s: &SlotScore) -> Vec<&'static str> {
        s.reasons.iter().map(|r| r.code).collect()
    }

    #[test]
    fn kinds_of_shoot_want_their_light() {
        assert_eq!(light_need(Some(Specialization::Wedding)), LightNeed::GoldenHour);
        assert_eq!(light_need(Some(Specialization::Newborn)), LightNeed::Daylight);
        assert_eq!(light_need(Some(Specialization::Event)), LightNeed::ClientTime);
        assert_eq!(light_need(None), LightNeed::Daylight);
    }

    #[test]
    fn a_wedding_prefers_the_evening_golden_hour_and_a_newborn_shoot_noon() {
        // Berlin's evening golden hour that day: 20:38–22:02 (astral: 22:03:42; we end 51 s sooner).
        let (evening, noon, night) = (slot(20, 30, 90), slot(12, 0, 90), slot(23, 0, 60));
        let golden = ctx(LightNeed::GoldenHour, &[]);
        let (e, n, d) = (score(evening, &golden), score(noon, &golden), score(night, &golden));
        assert!(e.score > n.score && n.score > d.score, "{e:?} {n:?} {d:?}");
        assert_eq!(codes(&e), ["evening_golden_hour", "partly_dark", "free_day"]);
        assert_eq!(e.reasons[0].text, "in the evening golden hour (20:38–22:02)");
        assert_eq!(codes(&n), ["no_golden_hour", "daylight", "free_day"]);
        assert_eq!(n.score, 20 + 30, "sun all through, no golden hour, a free day");
        let daylight = ctx(LightNeed::Daylight, &[]);
        let (e, n, d) = (score(evening, &daylight), score(noon, &daylight), score(night, &daylight));
        assert_eq!((n.score, d.score), (100, 30));
        assert!(n.score > e.score && e.score > d.score);
        assert_eq!(codes(&d), ["dark", "free_day"]);
    }

    #[test]
    fn a_slot_longer_than_the_golden_hour_that_fills_it_gets_full_golden_marks() {
        let golden = ctx(LightNeed::GoldenHour, &[]);
        // 20:30–23:30 covers the whole 20:38–22:02 window and the blue hour after it.
        let long = score(slot(20, 30, 180), &golden);
        assert!(long.score >= 50 + 30, "{long:?}");
    }

    #[test]
    fn events_follow_the_clients_clock() {
        let mut c = ctx(LightNeed::ClientTime, &[]);
        assert_eq!(score(slot(18, 0, 60), &c).score, 35 + 30, "no preference is neutral");
        c.preferred = NaiveTime::from_hms_opt(18, 0, 0);
        let at = score(slot(18, 0, 60), &c);
        assert_eq!((at.score, codes(&at)[0]), (100, "preferred_time"));
        let hour_later = score(slot(19, 0, 60), &c);
        assert_eq!(hour_later.reasons[0].text, "starts 60 min from your preferred 18:00");
        assert!(at.score > hour_later.score && hour_later.score > score(slot(23, 0, 60), &c).score);
        // Round midnight the short way: 23:30 is 30 minutes from a preferred 00:00.
        c.preferred = NaiveTime::from_hms_opt(0, 0, 0);
        assert_eq!(score(slot(23, 30, 30), &c).reasons[0].text, "starts 30 min from your preferred 00:00");
    }

    #[test]
    fn a_busy_day_scores_lower_than_a_free_one() {
        let booked = |h| {
            let start = Berlin.with_ymd_and_hms(2026, 6, 21, h, 0, 0).unwrap().with_timezone(&Utc);
            OccupiedInterval::for_booking(start, BookingDuration::from_minutes(60).unwrap(), Default::default())
                .unwrap()
        };
        let free = score(slot(12, 0, 60), &ctx(LightNeed::Daylight, &[]));
        let one = [booked(9)];
        let busy = score(slot(12, 0, 60), &ctx(LightNeed::Daylight, &one));
        assert_eq!((free.score, busy.score), (100, 90));
        assert_eq!(busy.reasons.last().unwrap().text, "the photographer has 1 other shoot that day");
        let three = [booked(8), booked(10), booked(15)];
        assert_eq!(score(slot(12, 0, 60), &ctx(LightNeed::Daylight, &three)).score, 70);
    }

    #[test]
    fn the_best_few_spread_over_days_and_never_overlap() {
        let days = light_by_date(
            NaiveDate::from_ymd_opt(2026, 6, 21).unwrap(),
            NaiveDate::from_ymd_opt(2026, 6, 23).unwrap(),
            Berlin,
            berlin(),
        );
        assert_eq!(days.len(), 3);
        let mut slots = Vec::new();
        for day in 21..=23 {
            for h in 8..22 {
                for m in [0, 15, 30, 45] {
                    let start = Berlin.with_ymd_and_hms(2026, 6, day, h, m, 0).unwrap().with_timezone(&Utc);
                    slots.push(Slot::new(start, BookingDuration::from_minutes(60).unwrap(), Berlin).unwrap());
                }
            }
        }
        let scored = score_slots(&slots, &days, &ctx(LightNeed::GoldenHour, &[]));
        let best = best_slots(scored, 5, Berlin);
        assert_eq!(best.len(), 5);
        assert!(best.windows(2).all(|w| w[0].score.score >= w[1].score.score));
        for (i, a) in best.iter().enumerate() {
            let on_day = best
                .iter()
                .filter(|b| local_date(Berlin, b.slot.start_utc()) == local_date(Berlin, a.slot.start_utc()));
            assert!(on_day.count() <= BEST_PER_DAY);
            for b in &best[i + 1..] {
                assert!(!(a.slot.start_utc() < b.slot.end_utc() && b.slot.start_utc() < a.slot.end_utc()));
            }
            assert!(a.score.reasons.iter().any(|r| r.code.ends_with("golden_hour")), "{a:?}");
        }
        let json = serde_json::to_value(&best[0]).unwrap();
        assert_eq!(json.as_object().unwrap().keys().collect::<Vec<_>>(), ["end", "reasons", "score", "start"]);
    }

    #[test]
    fn shoot_parameters_are_checked_together() {
        let p = |lat: Option<&str>, lon: Option<&str>, e: Option<&str>, t: Option<&str>| ShootParams {
            lat: lat.map(String::from),
            lon: lon.map(String::from),
            event_type: e.map(String::from),
            preferred_time: t.map(String::from),
        };
        let ok = p(Some("-33.87"), Some("151.21"), Some("wedding"), Some("17:30")).parse().unwrap();
        assert_eq!(ok.at, Point::new(-33.87, 151.21));
        assert_eq!(ok.event_type, Some(Specialization::Wedding));
        assert_eq!(ok.preferred, NaiveTime::from_hms_opt(17, 30, 0));
        assert_eq!(p(None, None, None, None).parse().unwrap(), Shoot { at: None, event_type: None, preferred: None });
        let fields = |r: Result<Shoot, FieldErrors>| r.unwrap_err().iter().map(|e| e.field.clone()).collect::<Vec<_>>();
        assert_eq!(
            fields(p(Some("91"), Some("NaN"), Some("party"), Some("7pm")).parse()),
            ["lat", "lon", "event_type", "preferred_time"]
        );
        assert_eq!(fields(p(Some("10"), None, None, None).parse()), ["lon"]);
        assert_eq!(fields(p(None, Some("10"), None, Some("24:00")).parse()), ["lat", "preferred_time"]);
        assert_eq!(fields(p(None, None, None, Some("7:30")).parse()), ["preferred_time"]);
    }

    proptest! {
        #[test]
        fn every_score_is_a_percentage_with_reasons(
            h in 0u32..24, q in 0u32..4, quarters in 1u32..40, need in 0usize..3, pref in proptest::option::of(0u32..1440),
            lat in -89.0f64..89.0, lon in -180.0f64..180.0,
        ) {
            let need = [LightNeed::GoldenHour, LightNeed::Daylight, LightNeed::ClientTime][need];
            let at = Point::new(lat, lon).unwrap();
            let light = cm_geo::daylight(NaiveDate::from_ymd_opt(2026, 6, 21).unwrap(), Berlin, at);
            let s = slot(h, q * 15, quarters * 15);
            let c = ScoreContext {
                preferred: pref.and_then(|m| NaiveTime::from_hms_opt(m / 60, m % 60, 0)),
                ..ctx(need, &[])
            };
            let scored = score_slot(s.start_utc(), s.end_utc(), &light, &c);
            prop_assert!(scored.score <= 100);
            prop_assert!(scored.score >= 30, "a free day is worth 30 whatever the light");
            prop_assert!(!scored.reasons.is_empty());
        }
    }
}
