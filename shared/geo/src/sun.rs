//! The light of one local calendar date at one place.
//!
//! Definitions follow the `astral` Python package, which the API documents: sunrise
//! and sunset when the sun's upper limb touches the horizon (centre at −0.833°,
//! refraction included); golden hour while the apparent elevation of the sun's centre
//! is between −4° and +6°; blue hour between −6° and −4°. A window is `None` when the
//! sun does not make both crossings that date (polar summer and winter, or a winter
//! day at high latitude when the sun never climbs to +6°).
//!
//! Positions come from Grena's algorithm 3 (±0.01°, a few seconds of time, valid
//! 2010–2110), about ten times cheaper than NREL's SPA; dates outside its range fall
//! back to SPA. Crossings are searched within the local date, so every window belongs
//! to the date it is reported for, even where `astral` reports the next day's (it
//! computes on the UTC date).

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use solar_positioning::{
    ElevationTarget, Events, Horizon, HorizonState, Location, RefractionCorrection, SolarEvents, SolarPositions,
    delta_t,
};

use crate::Point;

/// A stretch of time, `start < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Window {
    /// Seconds of `[from, to)` inside this window.
    pub fn overlap_seconds(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        (self.end.min(to) - self.start.max(from)).num_seconds().max(0)
    }

    pub fn seconds(&self) -> i64 {
        (self.end - self.start).num_seconds()
    }
}

/// A date on which the sun neither rises nor sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Polar {
    MidnightSun,
    PolarNight,
}

/// The light of one local date at one place. Instants are UTC; [`Daylight::view`]
/// shows them in a zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Daylight {
    pub date: NaiveDate,
    pub sunrise: Option<DateTime<Utc>>,
    pub sunset: Option<DateTime<Utc>>,
    pub golden_morning: Option<Window>,
    pub golden_evening: Option<Window>,
    pub blue_morning: Option<Window>,
    pub blue_evening: Option<Window>,
    pub polar: Option<Polar>,
    /// When the sun is up during the date (upper limb above the horizon), in order.
    pub sun_up: Vec<Window>,
}

impl Daylight {
    /// A date whose light is not known: no windows and no sun, which scores as dark.
    pub fn unknown(date: NaiveDate) -> Daylight {
        Daylight {
            date,
            sunrise: None,
            sunset: None,
            golden_morning: None,
            golden_evening: None,
            blue_morning: None,
            blue_evening: None,
            polar: None,
            sun_up: Vec::new(),
        }
    }

    /// Seconds of `[from, to)` with the sun up.
    pub fn sun_up_seconds(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        self.sun_up.iter().map(|w| w.overlap_seconds(from, to)).sum()
    }

    /// The golden windows of the date, morning first.
    pub fn golden(&self) -> impl Iterator<Item = Window> + '_ {
        self.golden_morning.iter().chain(&self.golden_evening).copied()
    }

    /// The blue windows of the date, morning first.
    pub fn blue(&self) -> impl Iterator<Item = Window> + '_ {
        self.blue_morning.iter().chain(&self.blue_evening).copied()
    }

    /// The API's `sun` object, every instant in RFC 3339 with `zone`'s offset.
    pub fn view(&self, zone: Tz) -> DaylightView {
        let at = |t: DateTime<Utc>| t.with_timezone(&zone).fixed_offset().to_rfc3339_opts(SecondsFormat::Secs, false);
        let window = |w: Option<Window>| w.map(|w| WindowView { start: at(w.start), end: at(w.end) });
        DaylightView {
            sunrise: self.sunrise.map(at),
            sunset: self.sunset.map(at),
            golden_hour: Pair { morning: window(self.golden_morning), evening: window(self.golden_evening) },
            blue_hour: Pair { morning: window(self.blue_morning), evening: window(self.blue_evening) },
            polar: self.polar,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DaylightView {
    pub sunrise: Option<String>,
    pub sunset: Option<String>,
    pub golden_hour: Pair,
    pub blue_hour: Pair,
    /// `midnight_sun` or `polar_night` on a date the sun neither rises nor sets.
    pub polar: Option<Polar>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pair {
    pub morning: Option<WindowView>,
    pub evening: Option<WindowView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowView {
    pub start: String,
    pub end: String,
}

const GOLDEN_LOW: f64 = -4.0;
const GOLDEN_HIGH: f64 = 6.0;
const BLUE_LOW: f64 = -6.0;

/// Grena3 where it is valid, SPA elsewhere.
#[derive(Clone, Copy)]
enum Model {
    Grena3,
    Spa,
}

/// The light of local date `date` in `zone` at `at`.
pub fn daylight(date: NaiveDate, zone: Tz, at: Point) -> Daylight {
    // The fallback is unreachable for a valid point and a chrono date; an empty answer
    // beats a panic.
    compute(Model::Grena3, date, zone, at)
        .or_else(|| compute(Model::Spa, date, zone, at))
        .unwrap_or_else(|| Daylight::unknown(date))
}

fn compute(model: Model, date: NaiveDate, zone: Tz, at: Point) -> Option<Daylight> {
    let location = Location { latitude: at.lat(), longitude: at.lon() };
    let dt = delta_t::estimate_from_date_like(&date).ok()?;
    let events = match model {
        Model::Grena3 => SolarEvents::grena3(),
        Model::Spa => SolarEvents::new(),
    };
    let day: Events<DateTime<Tz>> = events.for_date(date, &zone, location, dt, Horizon::SunriseSunset).ok()?;
    let (start, end) = (day.start.with_timezone(&Utc), day.end.with_timezone(&Utc));
    let positions = match model {
        Model::Grena3 => SolarPositions::grena3(),
        Model::Spa => SolarPositions::new(),
    };
    // Apparent elevation (refraction included), as astral computes it.
    let target = |angle| ElevationTarget { angle, height: 0.0, refraction: Some(RefractionCorrection::standard()) };
    let rise = |angle: f64, from: DateTime<Utc>| -> Option<Option<DateTime<Utc>>> {
        positions.next_elevation_rise(&from, &end, location, dt, target(angle)).ok()
    };
    let set = |angle: f64, from: DateTime<Utc>| -> Option<Option<DateTime<Utc>>> {
        positions.next_elevation_set(&from, &end, location, dt, target(angle)).ok()
    };
    // A search may start at the instant the date starts: the crate's interval is (from, end].
    let before = start - chrono::Duration::seconds(1);
    let pair = |s: Option<DateTime<Utc>>, e: Option<DateTime<Utc>>| s.zip(e).map(|(start, end)| Window { start, end });
    // Each crossing is searched once and shared by the windows it bounds, so blue hands
    // over to golden at exactly the same instant.
    let rise_low = rise(GOLDEN_LOW, before)?;
    let blue_morning_start = rise(BLUE_LOW, before)?;
    let blue_morning_end = match (blue_morning_start, rise_low) {
        (Some(s), Some(r)) if r > s => Some(r),
        (Some(s), _) => rise(GOLDEN_LOW, s)?,
        (None, _) => None,
    };
    let golden_morning_end = match rise_low {
        Some(s) => rise(GOLDEN_HIGH, s)?,
        None => None,
    };
    let golden_evening_start = set(GOLDEN_HIGH, before)?;
    let golden_evening_end = match golden_evening_start {
        Some(s) => set(GOLDEN_LOW, s)?,
        None => None,
    };
    let blue_evening_start = match golden_evening_end {
        Some(e) => Some(e),
        None => set(GOLDEN_LOW, before)?,
    };
    let blue_evening_end = match blue_evening_start {
        Some(s) => set(BLUE_LOW, s)?,
        None => None,
    };
    let golden_morning = pair(rise_low, golden_morning_end);
    let golden_evening = pair(golden_evening_start, golden_evening_end);
    let blue_morning = pair(blue_morning_start, blue_morning_end);
    let blue_evening = pair(blue_evening_start, blue_evening_end);

    let rises: Vec<DateTime<Utc>> = day.rises.iter().map(|t| t.with_timezone(&Utc)).collect();
    let sets: Vec<DateTime<Utc>> = day.sets.iter().map(|t| t.with_timezone(&Utc)).collect();
    let polar = if day.always_above() {
        Some(Polar::MidnightSun)
    } else if day.always_below() {
        Some(Polar::PolarNight)
    } else {
        None
    };
    let up_at_start = matches!(day.state_at_start, HorizonState::Above | HorizonState::OnHorizon);
    Some(Daylight {
        date,
        sunrise: rises.first().copied(),
        sunset: sets.last().copied(),
        golden_morning,
        golden_evening,
        blue_morning,
        blue_evening,
        polar,
        sun_up: up_windows(start, end, up_at_start, &rises, &sets),
    })
}

/// The stretches of `[start, end)` with the sun up, from the state at the start and
/// the crossings in between.
fn up_windows(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    up_at_start: bool,
    rises: &[DateTime<Utc>],
    sets: &[DateTime<Utc>],
) -> Vec<Window> {
    let mut crossings: Vec<(DateTime<Utc>, bool)> =
        rises.iter().map(|t| (*t, true)).chain(sets.iter().map(|t| (*t, false))).collect();
    crossings.sort();
    let mut out = Vec::new();
    let mut up_since = up_at_start.then_some(start);
    for (t, rising) in crossings {
        match (rising, up_since) {
            (true, None) => up_since = Some(t),
            (false, Some(s)) => {
                if t > s {
                    out.push(Window { start: s, end: t });
                }
                up_since = None;
            }
            _ => {}
        }
    }
    if let Some(s) = up_since.filter(|s| *s < end) {
        out.push(Window { start: s, end });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn berlin() -> (Point, Tz) {
        (Point::new(52.52, 13.405).unwrap(), chrono_tz::Europe::Berlin)
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn an_ordinary_day_runs_blue_golden_day_golden_blue() {
        let (at, zone) = berlin();
        let d = daylight(date("2026-06-21"), zone, at);
        let (bm, gm, ge, be) =
            (d.blue_morning.unwrap(), d.golden_morning.unwrap(), d.golden_evening.unwrap(), d.blue_evening.unwrap());
        let (rise, set) = (d.sunrise.unwrap(), d.sunset.unwrap());
        assert_eq!(bm.end, gm.start, "the morning blue hour hands over to golden at -4°");
        assert_eq!(ge.end, be.start, "the evening golden hour hands over to blue at -4°");
        assert!(bm.start < gm.start && gm.start < rise && rise < gm.end && gm.end < ge.start);
        assert!(ge.start < set && set < ge.end && ge.end < be.end);
        assert_eq!(d.polar, None);
        assert_eq!(d.sun_up, vec![Window { start: rise, end: set }]);
        // About 16 h 50 min of sun at midsummer in Berlin.
        let up = d.sun_up_seconds(rise - chrono::Duration::hours(1), set + chrono::Duration::hours(1));
        assert!((16 * 3600 + 40 * 60..17 * 3600).contains(&up), "{up}");
    }

    #[test]
    fn the_spring_forward_date_has_its_light_on_that_date() {
        let (at, zone) = berlin();
        let d = daylight(date("2026-03-29"), zone, at);
        let local = |t: DateTime<Utc>| t.with_timezone(&zone);
        assert_eq!(local(d.sunrise.unwrap()).date_naive(), date("2026-03-29"));
        // After the change at 02:00 the offset is +02:00 (astral: 06:48:19).
        assert_eq!(local(d.sunrise.unwrap()).offset().to_string(), "CEST");
        assert!(d.view(zone).sunrise.unwrap().starts_with("2026-03-29T06:48"));
    }

    #[test]
    fn polar_summer_and_winter_have_no_crossings_but_say_why() {
        let tromso = Point::new(69.6492, 18.9553).unwrap();
        let zone = chrono_tz::Europe::Oslo;
        let summer = daylight(date("2026-06-21"), zone, tromso);
        assert_eq!(summer.polar, Some(Polar::MidnightSun));
        assert_eq!(
            (summer.sunrise, summer.sunset, summer.golden_morning, summer.blue_evening),
            (None, None, None, None)
        );
        assert_eq!(summer.sun_up.len(), 1, "up all day");
        assert_eq!(summer.sun_up[0].seconds(), 24 * 3600);
        let winter = daylight(date("2026-12-21"), zone, tromso);
        assert_eq!(winter.polar, Some(Polar::PolarNight));
        assert!(winter.sun_up.is_empty());
        assert_eq!(winter.golden_morning, None, "the sun never climbs to +6°");
        // …but it does climb through −6° and −4°: a blue hour around noon (astral: 09:29–10:26).
        // The sun grazes −6° at a shallow angle, so a hundredth of a degree is a minute.
        let blue = winter.blue_morning.unwrap();
        let astral = Utc.with_ymd_and_hms(2026, 12, 21, 8, 29, 57).unwrap();
        assert!((blue.start - astral).num_seconds().abs() < 180, "{}", blue.start);
        let view = serde_json::to_value(winter.view(zone)).unwrap();
        assert_eq!(view["polar"], "polar_night");
        assert_eq!(view["sunrise"], serde_json::Value::Null);
        assert_eq!(view["golden_hour"]["morning"], serde_json::Value::Null);
    }

    #[test]
    fn near_the_antimeridian_every_window_belongs_to_the_asked_date() {
        // astral reports Suva's morning blue hour on the next date; ours is on the date.
        let suva = Point::new(-18.1416, 178.4419).unwrap();
        let zone = chrono_tz::Pacific::Fiji;
        for d in ["2026-03-20", "2026-06-21", "2026-12-21"] {
            let light = daylight(date(d), zone, suva);
            for w in [light.blue_morning, light.golden_morning, light.golden_evening, light.blue_evening] {
                let w = w.unwrap();
                assert_eq!(w.start.with_timezone(&zone).date_naive(), date(d));
                assert_eq!(w.end.with_timezone(&zone).date_naive(), date(d));
            }
        }
    }

    #[test]
    fn dates_outside_grena3s_range_fall_back_to_spa() {
        let (at, zone) = berlin();
        let d = daylight(date("2150-06-21"), zone, at);
        let rise = d.sunrise.unwrap();
        assert_eq!(rise.with_timezone(&zone).date_naive(), date("2150-06-21"));
        // 02:43 UTC, as in 2026 (the tz database has no rule for 2150's summer time).
        assert_eq!(rise.format("%H").to_string(), "02", "{rise}");
    }

    #[test]
    fn the_view_shows_the_zone_asked_for() {
        let (at, zone) = berlin();
        let d = daylight(date("2026-06-21"), zone, at);
        let tokyo = d.view(chrono_tz::Asia::Tokyo);
        assert!(tokyo.sunrise.unwrap().ends_with("+09:00"));
        let utc = Utc.from_utc_datetime(&d.sunrise.unwrap().naive_utc());
        assert_eq!(d.view(chrono_tz::UTC).sunrise.unwrap(), utc.to_rfc3339_opts(SecondsFormat::Secs, false));
    }
}
