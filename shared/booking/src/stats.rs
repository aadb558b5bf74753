//! A photographer's own statistics (`GET /photographers/me/stats`): their bookings,
//! money, utilisation, rating and sentiment by period, and how their rate compares with
//! their city's for each of their specializations. Pure: the booking stream keeps the
//! photographer's daily series (`analytics`, the same counters as the platform's), the
//! handler adds each day's working minutes from their hours, and this folds them.

use crate::analytics::{Counter, Granularity, Period, fold};
use chrono::NaiveDate;
use cm_catalog::photographer::Specialization;
use serde::Serialize;
use std::collections::BTreeMap;

/// One period of a photographer's stats: the platform report's counts for their
/// bookings (with their utilisation), and what only their own series holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsPeriod {
    #[serde(flatten)]
    pub counts: Period,
    /// The mean stars of the period's reviews; `None` without reviews.
    pub rating_average: Option<f64>,
    pub sentiment: SentimentTrend,
    /// Mean minutes from a request to its confirmation; `None` without confirmations.
    pub mean_confirm_minutes: Option<f64>,
}

/// The period's reviews as analysed for sentiment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SentimentTrend {
    pub analysed: i64,
    pub positive: i64,
    pub neutral: i64,
    pub negative: i64,
    /// The mean score in [-1, 1]; `None` when nothing was analysed.
    pub mean_score: Option<f64>,
}

impl StatsPeriod {
    pub fn of(start: NaiveDate, c: &BTreeMap<Counter, i64>) -> StatsPeriod {
        let get = |k: Counter| c.get(&k).copied().unwrap_or(0);
        let ratio = |n: i64, of: i64, scale: f64| (of > 0).then(|| (n as f64 / of as f64 * scale).round() / scale);
        let analysed = get(Counter::SentimentAnalysed);
        StatsPeriod {
            counts: Period::of(start, c),
            rating_average: ratio(get(Counter::RatingSum), get(Counter::Reviewed), 100.0),
            sentiment: SentimentTrend {
                analysed,
                positive: get(Counter::SentimentPositive),
                neutral: get(Counter::SentimentNeutral),
                negative: get(Counter::SentimentNegative),
                mean_score: ratio(get(Counter::SentimentScoreE4), analysed * 10_000, 1000.0),
            },
            mean_confirm_minutes: ratio(get(Counter::ConfirmMinutes), get(Counter::Confirmed), 10.0),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhotographerStats {
    pub series: Vec<StatsPeriod>,
    pub totals: StatsPeriod,
}

/// The photographer's daily counters and each day's working minutes (`available`),
/// folded into periods of `g` over `from..=to` (empty periods included).
pub fn photographer_stats(
    days: &[(NaiveDate, BTreeMap<Counter, i64>)],
    available: &BTreeMap<NaiveDate, i64>,
    from: NaiveDate,
    to: NaiveDate,
    g: Granularity,
) -> PhotographerStats {
    let mut all: Vec<(NaiveDate, BTreeMap<Counter, i64>)> = days.to_vec();
    all.extend(available.iter().map(|(d, n)| (*d, BTreeMap::from([(Counter::AvailableMinutes, *n)]))));
    let (periods, totals) = fold(&all, from, to, g);
    PhotographerStats {
        series: periods.iter().map(|(start, c)| StatsPeriod::of(*start, c)).collect(),
        totals: StatsPeriod::of(from, &totals),
    }
}

/// How a photographer's hourly rate sits among their city's photographers of one
/// specialization (in the same currency; others are not comparable and are left out).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceComparison {
    pub specialization: Specialization,
    pub currency: String,
    pub your_hourly_rate_minor: i64,
    /// Photographers compared with, the caller excluded.
    pub compared_with: usize,
    /// The median of their hourly rates (the mean of the middle two for an even
    /// count, rounded down); `None` when there is nobody to compare with.
    pub median_hourly_rate_minor: Option<i64>,
    /// `(yours − median) / median` in percent, one decimal.
    pub difference_percent: Option<f64>,
    /// The share of them charging less than you, in percent (ties count half).
    pub percentile: Option<f64>,
}

/// Compares `mine` with `others` (hourly rates in minor units of `currency`).
pub fn compare_price(specialization: Specialization, currency: &str, mine: i64, others: &[i64]) -> PriceComparison {
    let mut sorted = others.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    let median = match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        // The mean of two rates fits: each is far below i64::MAX / 2 in practice, and
        // i128 keeps it exact if not.
        _ => Some(((i128::from(sorted[n / 2 - 1]) + i128::from(sorted[n / 2])) / 2) as i64),
    };
    let difference_percent =
        median.filter(|m| *m > 0).map(|m| (((mine - m) as f64 / m as f64) * 1000.0).round() / 10.0);
    let percentile = (n > 0).then(|| {
        let below = sorted.iter().filter(|r| **r < mine).count() as f64;
        let equal = sorted.iter().filter(|r| **r == mine).count() as f64;
        ((below + equal / 2.0) / n as f64 * 1000.0).round() / 10.0
    });
    PriceComparison {
        specialization,
        currency: currency.to_string(),
        your_hourly_rate_minor: mine,
        compared_with: n,
        median_hourly_rate_minor: median,
        difference_percent,
        percentile,
    }
}
