//! Demand-based prices, for photographers who opt in: the base price (package or hourly
//! rate) times one multiplier per factor, each with the reason a client reads, then held
//! within the photographer's floor and ceiling and rounded to an amount people quote.
//!
//! The factors and why each is shaped as it is:
//! - **demand**: the forecast requests in the session's week against the past year's
//!   daily average, for the photographer's city and the session's specialization. The
//!   week, not the day, so the weekday is not counted twice.
//! - **weekday**: the forecast for the day against the average day of its week: how
//!   much a Saturday draws over a Tuesday in that city and specialization.
//! - **lead time**: short notice costs more (the photographer rearranges their week);
//!   booking far ahead earns a little.
//! - **utilisation**: how full the photographer's own week already is.
//! - **rating**: the average rating shrunk towards a prior by the number of reviews
//!   (Bayesian average), so three five-star reviews do not outrank three hundred.
//!
//! Multipliers are whole thousandths, and the arithmetic on money is integer: the
//! price a client is shown can be recomputed exactly from the factors it lists.

use super::round::{Rounding, round_within};
use crate::analytics::DemandForecast;
use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc, Weekday};
use cm_catalog::photographer::{DynamicPricing, RatingTotals};
use cm_core::money::Money;
use serde::Serialize;

/// One whole multiplier, in thousandths.
pub const UNIT: u32 = 1000;

/// How strongly prices follow demand: a demand ratio `r` gives `r^ELASTICITY`, so twice
/// the normal demand is +23 %, half of it −19 %, before each factor's own bounds.
pub const ELASTICITY: f64 = 0.3;

/// The prior a rating is shrunk towards, in stars, and how many reviews it weighs as.
pub const RATING_PRIOR_STARS: f64 = 4.0;
pub const RATING_PRIOR_WEIGHT: f64 = 10.0;

/// What a quote is computed from, all read before: nothing here does I/O.
#[derive(Debug, Clone, PartialEq)]
pub struct PricingInputs {
    pub base: Money,
    pub settings: DynamicPricing,
    pub start: DateTime<Utc>,
    /// The session's date in the photographer's zone.
    pub local_date: NaiveDate,
    pub now: DateTime<Utc>,
    /// `None`: no forecast covers the session's date for any series it belongs to.
    pub demand: Option<DemandSignal>,
    /// Why there is no demand signal, for the reason shown (e.g. "beyond the forecast").
    pub no_demand_reason: String,
    pub week: Option<WeekLoad>,
    pub rating: RatingTotals,
}

/// The forecast around the session's date for the series it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandSignal {
    /// Forecast requests on the session's date.
    pub day: f64,
    /// Mean forecast requests per day over the session's week (Monday to Sunday, the
    /// days the forecast covers).
    pub week: f64,
    /// The normal: mean daily requests over the past year of the series' history.
    pub normal: f64,
    /// The series, as people read it: "wedding sessions in hyderabad".
    pub series: String,
}

/// The photographer's own week (Monday to Sunday, their zone) around the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekLoad {
    /// Minutes of pending and confirmed bookings that week.
    pub booked_minutes: i64,
    /// Working minutes that week, time off excluded.
    pub working_minutes: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FactorName {
    Demand,
    Weekday,
    LeadTime,
    Utilisation,
    Rating,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Factor {
    pub factor: FactorName,
    /// Thousandths: 1000 leaves the price as it is.
    pub permille: u32,
    pub reason: String,
}

/// Which bound held the price, if one did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    Floor,
    Ceiling,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamicPrice {
    pub base: Money,
    pub price: Money,
    pub factors: Vec<Factor>,
    /// The product of the factors, in thousandths (before the bounds and rounding).
    pub permille: u64,
    pub limit: Option<Limit>,
    pub floor: Money,
    pub ceiling: Money,
    /// The amount prices are rounded to, in minor units.
    pub rounding: Rounding,
}

fn permille(x: f64, min: f64, max: f64) -> u32 {
    let x = if x.is_finite() { x.clamp(min, max) } else { 1.0 };
    (x * f64::from(UNIT)).round() as u32
}

/// `ratio^ELASTICITY` within `[min, max]`, in thousandths; monotonic in `ratio`.
fn elastic(ratio: f64, min: f64, max: f64) -> u32 {
    permille(ratio.max(0.0).powf(ELASTICITY), min, max)
}

fn times(ratio: f64) -> String {
    if (ratio - 1.0).abs() < 0.05 { "about the same as".to_string() } else { format!("{ratio:.2}× ") }
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

fn demand_factors(inputs: &PricingInputs) -> [Factor; 2] {
    let neutral = |factor| Factor { factor, permille: UNIT, reason: inputs.no_demand_reason.clone() };
    let Some(d) = inputs.demand.as_ref().filter(|d| d.normal > 0.0 && d.week >= 0.0 && d.day >= 0.0) else {
        return [neutral(FactorName::Demand), neutral(FactorName::Weekday)];
    };
    let week_ratio = d.week / d.normal;
    let monday = inputs.local_date.week(Weekday::Mon).first_day();
    let demand = Factor {
        factor: FactorName::Demand,
        permille: elastic(week_ratio, 0.85, 1.30),
        reason: format!(
            "forecast demand for {} in the week of {} is {} the past year's daily average",
            d.series,
            monday.format("%-d %B %Y"),
            times(week_ratio).trim_end()
        ),
    };
    let day_ratio = if d.week > 0.0 { d.day / d.week } else { 1.0 };
    let weekday = Factor {
        factor: FactorName::Weekday,
        permille: elastic(day_ratio, 0.90, 1.15),
        reason: format!(
            "{}s are forecast to draw {} the average day of that week",
            weekday_name(inputs.local_date.weekday()),
            times(day_ratio).trim_end()
        ),
    };
    [demand, weekday]
}

fn lead_time_factor(lead: TimeDelta) -> Factor {
    let days = lead.num_hours() as f64 / 24.0;
    let (m, reason) = if days < 2.0 {
        (1100, "short notice: under 2 days before the session".to_string())
    } else if days < 7.0 {
        (1050, "short notice: under a week before the session".to_string())
    } else if days >= 120.0 {
        (970, "booked well ahead: 120 days or more before the session".to_string())
    } else {
        (UNIT, format!("booked {} days ahead: no notice premium", days.floor()))
    };
    Factor { factor: FactorName::LeadTime, permille: m, reason }
}

fn utilisation_factor(week: Option<WeekLoad>) -> Factor {
    let factor = FactorName::Utilisation;
    match week.filter(|w| w.working_minutes > 0) {
        None => Factor { factor, permille: UNIT, reason: "no working hours kept that week".to_string() },
        Some(w) => {
            let u = (w.booked_minutes.max(0) as f64 / w.working_minutes as f64).min(1.0);
            Factor {
                factor,
                // Half-full is the norm; a full week costs up to +12.5 %, an empty one −5 %.
                permille: permille(1.0 + 0.25 * (u - 0.5), 0.95, 1.125),
                reason: format!("the photographer's week is {:.0} % booked", u * 100.0),
            }
        }
    }
}

/// The rating shrunk towards [`RATING_PRIOR_STARS`] by [`RATING_PRIOR_WEIGHT`] reviews.
pub fn shrunk_rating(rating: RatingTotals) -> f64 {
    (RATING_PRIOR_STARS * RATING_PRIOR_WEIGHT + rating.sum as f64) / (RATING_PRIOR_WEIGHT + rating.count as f64)
}

fn rating_factor(rating: RatingTotals) -> Factor {
    let shrunk = shrunk_rating(rating);
    let reason = if rating.count == 0 {
        "no reviews yet".to_string()
    } else {
        format!(
            "rated {:.2} from {} review{}, {:.2} once weighed against the platform's prior",
            rating.sum as f64 / rating.count as f64,
            rating.count,
            if rating.count == 1 { "" } else { "s" },
            shrunk
        )
    };
    Factor {
        factor: FactorName::Rating,
        permille: permille(1.0 + 0.1 * (shrunk - RATING_PRIOR_STARS), 0.9, 1.1),
        reason,
    }
}

/// The factors for a session, in the order they are shown.
pub fn factors(inputs: &PricingInputs) -> Vec<Factor> {
    let [demand, weekday] = demand_factors(inputs);
    vec![
        demand,
        weekday,
        lead_time_factor(inputs.start - inputs.now),
        utilisation_factor(inputs.week),
        rating_factor(inputs.rating),
    ]
}

fn scaled(amount: i64, numerator: u64, denominator: u64, up: bool) -> i128 {
    let n = i128::from(amount) * i128::from(numerator);
    let d = i128::from(denominator.max(1));
    if up { (n + d - 1).div_euclid(d) } else { n.div_euclid(d) }
}

fn money(amount: i128, like: &Money) -> Money {
    Money { amount_minor: i64::try_from(amount).unwrap_or(i64::MAX), currency: like.currency.clone() }
}

/// The price of a session under demand-based pricing; with it off, the base price and
/// no factors.
pub fn dynamic_price(inputs: &PricingInputs) -> DynamicPrice {
    let base = &inputs.base;
    let s = inputs.settings;
    let (floor_percent, ceiling_percent) = if s.enabled { (s.floor_percent, s.ceiling_percent) } else { (100, 100) };
    let lo = scaled(base.amount_minor, u64::from(floor_percent), 100, true);
    let hi = scaled(base.amount_minor, u64::from(ceiling_percent), 100, false).max(lo);
    let rounding = Rounding::for_price(base);
    if !s.enabled {
        return DynamicPrice {
            base: base.clone(),
            price: base.clone(),
            factors: Vec::new(),
            permille: u64::from(UNIT),
            limit: None,
            floor: base.clone(),
            ceiling: base.clone(),
            rounding,
        };
    }
    let factors = factors(inputs);
    // Exact: at most five factors of at most 1300 thousandths, times at most 10^12.
    let mut product: i128 = 1;
    let mut denominator: i128 = 1;
    for f in &factors {
        product *= i128::from(f.permille);
        denominator *= i128::from(UNIT);
    }
    let half_up = |n: i128, d: i128| (2 * n + d).div_euclid(2 * d);
    let unrounded = half_up(i128::from(base.amount_minor) * product, denominator);
    let product = u64::try_from(half_up(product * i128::from(UNIT), denominator)).unwrap_or(u64::MAX);
    let limit = if unrounded < lo {
        Some(Limit::Floor)
    } else if unrounded > hi {
        Some(Limit::Ceiling)
    } else {
        None
    };
    let held = unrounded.clamp(lo, hi);
    let price = round_within(held, lo, hi, rounding).unwrap_or(i128::from(base.amount_minor));
    DynamicPrice {
        base: base.clone(),
        price: money(price, base),
        factors,
        permille: product,
        limit,
        floor: money(lo, base),
        ceiling: money(hi, base),
        rounding,
    }
}

/// The demand around `date` in a stored forecast: `None` when the forecast does not
/// cover the date or has no normal to compare with.
pub fn demand_signal(f: &DemandForecast, date: NaiveDate, series: String) -> Option<DemandSignal> {
    let day = f.points.iter().find(|p| p.date == date)?.forecast.max(0.0);
    let week = date.week(Weekday::Mon);
    let in_week: Vec<f64> = f
        .points
        .iter()
        .filter(|p| (week.first_day()..=week.last_day()).contains(&p.date))
        .map(|p| p.forecast)
        .collect();
    let week_mean = in_week.iter().map(|x| x.max(0.0)).sum::<f64>() / in_week.len() as f64;
    let normal = f.normal_daily()?;
    Some(DemandSignal { day, week: week_mean, normal, series })
}
