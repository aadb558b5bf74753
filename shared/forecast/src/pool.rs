//! Hierarchical pooling: a sparse child series (a city and specialization with a few
//! bookings a week) is forecast as its share of its parent's forecast (the city, or the
//! platform), instead of fitting a model to what is mostly noise.

use thiserror::Error;

use crate::forecast::{Forecast, ForecastPoint, LEVEL, Method};
use crate::models::WEEK;
use crate::series::DailySeries;

/// The recent window that decides sparsity and the child's share: 13 weeks, long enough
/// to hold a dozen events of a child with one a week, short enough to follow a shift.
pub const WINDOW_DAYS: usize = 13 * WEEK;

/// A child is sparse when fewer than this many of the last [`WINDOW_DAYS`] days had any
/// demand, or when its history is shorter than eight weeks. With under one active day in
/// three, a model's weekly shape is fitted to a handful of events, and the backtest that
/// would choose between models has too few to tell them apart.
pub const MIN_ACTIVE_DAYS: usize = 30;

/// Weight of the prior share, in child events: the prior counts as this many child
/// events seen at the prior share. A child with 10 events in the window sits halfway
/// between its observed share and the prior; one with 100 is 90 % its own.
pub const PRIOR_EVENTS: f64 = 10.0;

/// Whether the series should be pooled rather than modelled on its own. The series must
/// run to the as-of day ([`DailySeries::extended_to`]), or a child whose last booking was
/// months ago would be judged on the weeks before it.
pub fn is_sparse(series: &DailySeries) -> bool {
    let y = series.values();
    if y.len() < 8 * WEEK {
        return true;
    }
    let recent = &y[y.len().saturating_sub(WINDOW_DAYS)..];
    recent.iter().filter(|&&v| v > 0.0).count() < MIN_ACTIVE_DAYS
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum PoolError {
    #[error("the prior share must be a number between 0 and 1, not {0}")]
    BadPrior(f64),
    #[error("the child's history ends on {child}, after the parent's ({parent})")]
    ChildAfterParent { child: chrono::NaiveDate, parent: chrono::NaiveDate },
}

/// The child's share of the parent over the `days` days ending on the parent's last day,
/// as (child events, parent events). Days outside the child's history count as zero.
pub fn recent_totals(child: &DailySeries, parent: &DailySeries, days: usize) -> (f64, f64) {
    let pv = parent.values();
    let from = pv.len().saturating_sub(days);
    let mut child_sum = 0.0;
    let mut parent_sum = 0.0;
    for (i, &p) in pv.iter().enumerate().skip(from) {
        parent_sum += p;
        let Some(date) = parent.date_at(i) else { continue };
        let offset = (date - child.start()).num_days();
        if let Some(&c) = usize::try_from(offset).ok().and_then(|o| child.values().get(o)) {
            child_sum += c;
        }
    }
    (child_sum, parent_sum)
}

/// Forecasts a sparse child as `share × parent forecast`.
///
/// `share` is the child's events over the parent's in the last [`WINDOW_DAYS`], shrunk
/// toward `prior_share` (say the child's all-time share, or one over the number of
/// children) as if [`PRIOR_EVENTS`] child events had been seen at the prior share: with
/// few events the prior dominates, with many the data does. It is clamped to `0..=1`,
/// since a child is part of its parent.
///
/// The interval is the child's own: a day's count of a small expected rate is mostly
/// Poisson noise, so `lower` is the Poisson 10 % quantile of `share × parent lower` and
/// `upper` the 90 % quantile of `share × parent upper`, which widens the parent's band
/// by the child's sampling noise.
///
/// The result has no backtest error of its own (`backtest: None`): the child is too
/// sparse for one to mean much, and the parent's error is not the child's.
pub fn pooled_forecast(
    child: &DailySeries,
    parent: &DailySeries,
    parent_forecast: &Forecast,
    prior_share: f64,
) -> Result<Forecast, PoolError> {
    if !(0.0..=1.0).contains(&prior_share) {
        return Err(PoolError::BadPrior(prior_share));
    }
    if child.end() > parent.end() {
        return Err(PoolError::ChildAfterParent { child: child.end(), parent: parent.end() });
    }
    let (c, p) = recent_totals(child, parent, WINDOW_DAYS);
    let share = shrunk_share(c, p, prior_share);
    let tail = (1.0 - LEVEL) / 2.0;
    let points = parent_forecast
        .points
        .iter()
        .map(|pt| {
            let forecast = share * pt.forecast;
            let lower = poisson_quantile(share * pt.lower, tail).min(forecast);
            let upper = poisson_quantile(share * pt.upper, 1.0 - tail).max(forecast);
            ForecastPoint { date: pt.date, forecast, lower, upper }
        })
        .collect();
    let parent_model = match parent_forecast.method {
        Method::Model(m) | Method::Pooled { parent: m } => m,
    };
    Ok(Forecast { method: Method::Pooled { parent: parent_model }, backtest: None, points })
}

/// The posterior mean of a share under a Beta prior centred on `prior` and worth
/// [`PRIOR_EVENTS`] child events: `(c + k) / (p + k / prior)` with `k` = PRIOR_EVENTS.
/// Without parent events it is the prior.
pub fn shrunk_share(child_events: f64, parent_events: f64, prior: f64) -> f64 {
    let prior = prior.clamp(0.0, 1.0);
    if !child_events.is_finite() || !parent_events.is_finite() || parent_events <= 0.0 {
        return prior;
    }
    // Prior worth PRIOR_EVENTS child events means PRIOR_EVENTS / prior parent events;
    // with a zero prior, a fixed pseudo-count of parent events keeps the shrink finite.
    let parent_pseudo = if prior > 0.0 { PRIOR_EVENTS / prior } else { PRIOR_EVENTS * 10.0 };
    let child_pseudo = prior * parent_pseudo;
    ((child_events + child_pseudo) / (parent_events + parent_pseudo)).clamp(0.0, 1.0)
}

/// The smallest `k` with `P(X <= k) >= q` for `X ~ Poisson(lambda)`. Summed exactly up
/// to a rate of 50 (at most ~120 terms); above, the normal approximation with continuity
/// correction is within a count of it and costs nothing.
pub fn poisson_quantile(lambda: f64, q: f64) -> f64 {
    if !lambda.is_finite() || lambda <= 0.0 {
        return 0.0;
    }
    let q = q.clamp(0.0, 1.0 - 1e-12);
    if lambda > 50.0 {
        let z = normal_quantile(q);
        return (lambda + z * lambda.sqrt() - 0.5).ceil().max(0.0);
    }
    let mut k = 0.0;
    let mut term = (-lambda).exp();
    let mut cdf = term;
    while cdf < q && k < 1000.0 {
        k += 1.0;
        term *= lambda / k;
        cdf += term;
    }
    k
}

/// Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9).
fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] =
        [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    let low = 0.02425;
    if p < low {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - low {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -normal_quantile(1.0 - p)
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::{ModelChoice, ModelKind, forecast};

    fn day0() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, 1).expect("date")
    }

    #[test]
    fn poisson_quantiles_match_tables() {
        // Poisson(2): P(X<=0)=.135, P(X<=3)=.857, P(X<=4)=.947.
        assert_eq!(poisson_quantile(2.0, 0.1), 0.0);
        assert_eq!(poisson_quantile(2.0, 0.9), 4.0);
        assert_eq!(poisson_quantile(0.0, 0.9), 0.0);
        // Poisson(100): 10 % quantile 87, 90 % quantile 113.
        assert_eq!(poisson_quantile(100.0, 0.1), 87.0);
        assert_eq!(poisson_quantile(100.0, 0.9), 113.0);
        assert!((normal_quantile(0.9) - 1.2815515655).abs() < 1e-8);
    }

    #[test]
    fn share_is_shrunk_toward_the_prior_when_events_are_few() {
        // 2 of 100 events observed (2 %), prior 10 %: the prior's 10 events outweigh 2.
        let s = shrunk_share(2.0, 100.0, 0.1);
        assert!(s > 0.05 && s < 0.1, "{s}");
        // 2,000 of 100,000: the data wins.
        let s = shrunk_share(2000.0, 100_000.0, 0.1);
        assert!((s - 0.02).abs() < 0.001, "{s}");
        assert_eq!(shrunk_share(0.0, 0.0, 0.3), 0.3);
    }

    #[test]
    fn sparsity_rule() {
        let busy = DailySeries::from_values(day0(), vec![1.0; 200]).expect("series");
        assert!(!is_sparse(&busy));
        let weekly: Vec<f64> = (0..200).map(|t| if t % 7 == 0 { 3.0 } else { 0.0 }).collect();
        assert!(is_sparse(&DailySeries::from_values(day0(), weekly).expect("series")));
        assert!(is_sparse(&DailySeries::from_values(day0(), vec![5.0; 40]).expect("series")));
    }

    #[test]
    fn pooled_child_follows_the_parent_shape_at_its_share() {
        let shape = [10.0, 8.0, 8.0, 9.0, 12.0, 30.0, 25.0];
        let parent = DailySeries::from_values(day0(), (0..400).map(|t| shape[t % 7]).collect()).expect("p");
        // The child had a booking every Saturday (index 5): 13 of 1,274 parent events.
        let child = DailySeries::from_values(day0(), (0..400).map(|t| f64::from(t % 7 == 5)).collect()).expect("c");
        let pf = forecast(&parent, 14, ModelChoice::Fixed(ModelKind::SeasonalNaive)).expect("parent forecast");
        let cf = pooled_forecast(&child, &parent, &pf, 0.01).expect("pooled");
        assert_eq!(cf.method, Method::Pooled { parent: ModelKind::SeasonalNaive });
        assert_eq!(cf.points.len(), 14);
        let share = shrunk_share(13.0, 91.0 / 7.0 * shape.iter().sum::<f64>(), 0.01);
        for (c, p) in cf.points.iter().zip(&pf.points) {
            assert_eq!(c.date, p.date);
            assert!((c.forecast - share * p.forecast).abs() < 1e-12);
            assert!(c.lower <= c.forecast && c.forecast <= c.upper);
        }
        // A day of the parent's 30 is still a fraction of one booking: 0 or 1 is the band.
        assert!(cf.points.iter().all(|p| p.upper <= 2.0));
    }

    #[test]
    fn bad_priors_and_misaligned_children_are_errors() {
        let parent = DailySeries::from_values(day0(), vec![1.0; 60]).expect("p");
        let child = DailySeries::from_values(day0(), vec![1.0; 61]).expect("c");
        let pf = forecast(&parent, 3, ModelChoice::Auto).expect("f");
        assert!(matches!(pooled_forecast(&parent, &parent, &pf, 1.5), Err(PoolError::BadPrior(_))));
        assert!(matches!(pooled_forecast(&child, &parent, &pf, 0.5), Err(PoolError::ChildAfterParent { .. })));
    }
}
