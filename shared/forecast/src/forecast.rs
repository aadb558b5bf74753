//! Model selection by rolling-origin backtest, and forecasts with empirical intervals.

use chrono::{Days, NaiveDate};
use thiserror::Error;

use crate::models::{ModelKind, WEEK, point_forecast, point_forecasts, seasonal_naive};
use crate::series::DailySeries;

/// The longest horizon served: two years. The product asks for 90 days; the cap bounds
/// the output a caller can ask for.
pub const MAX_HORIZON: usize = 730;

/// Nominal coverage of the interval: 10 % of outcomes below `lower`, 10 % above `upper`.
pub const LEVEL: f64 = 0.8;

/// How many rolling origins are backtested, how far apart (days), and the fewest days of
/// training at the earliest origin. Five origins four weeks apart cost five fits per
/// model and see four months of behaviour, so the errors that make the intervals are not
/// five views of the same weeks. Chosen on the development origins of the public
/// backtest: against 14 and 21 days apart, 28 gave the interval coverage closest to
/// 80 % (79 % at both 28 and 90 days ahead) at a MASE within the noise of the others.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub origins: usize,
    pub spacing: usize,
    pub min_train: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self { origins: 5, spacing: 28, min_train: 8 * WEEK }
    }
}

/// Which model to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelChoice {
    /// The model of [`ModelKind::AUTO`] with the lowest backtest MASE on the series' own
    /// history.
    Auto,
    Fixed(ModelKind),
}

/// How a forecast was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Model(ModelKind),
    /// A sparse child series forecast as its share of the parent's forecast, which was
    /// made with this model.
    Pooled {
        parent: ModelKind,
    },
}

impl Method {
    pub fn name(&self) -> String {
        match self {
            Method::Model(m) => m.name().to_string(),
            Method::Pooled { parent } => format!("pooled({parent})"),
        }
    }
}

/// Rolling-origin accuracy of the model on the series' own history, averaged over
/// origins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BacktestError {
    /// Mean absolute error over the mean absolute weekly (lag-7) difference of the
    /// training data: below 1 beats seasonal-naive's in-sample error.
    pub mase: f64,
    /// Symmetric MAPE in percent (0..=200); days where both actual and forecast are zero
    /// count as exact.
    pub smape: f64,
    pub origins: usize,
    /// Days forecast from each origin.
    pub horizon: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForecastPoint {
    pub date: NaiveDate,
    pub forecast: f64,
    /// Bounds of the 80 % prediction interval; `0 <= lower <= forecast <= upper`.
    pub lower: f64,
    pub upper: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub method: Method,
    /// `None` when the history was too short to backtest (the forecast is then
    /// seasonal-naive with intervals from the weekly differences of the history).
    pub backtest: Option<BacktestError>,
    /// One point per day from the day after the series ends.
    pub points: Vec<ForecastPoint>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ForecastError {
    #[error("the horizon {0} is more than the {MAX_HORIZON} days allowed")]
    HorizonTooLong(usize),
    #[error("the forecast dates run past the end of the calendar")]
    DateOutOfRange,
}

/// Forecasts `horizon` days after the series with the default [`Settings`].
pub fn forecast(series: &DailySeries, horizon: usize, choice: ModelChoice) -> Result<Forecast, ForecastError> {
    forecast_with(series, horizon, choice, Settings::default())
}

/// Forecasts `horizon` days after the series.
///
/// Cost: one backtest of every candidate model (`settings.origins` fits each, plus the
/// final fit), on at most [`crate::models::MAX_HISTORY`] days each; see
/// eval/forecast/README.md for measured times.
pub fn forecast_with(
    series: &DailySeries,
    horizon: usize,
    choice: ModelChoice,
    settings: Settings,
) -> Result<Forecast, ForecastError> {
    if horizon > MAX_HORIZON {
        return Err(ForecastError::HorizonTooLong(horizon));
    }
    let dates = future_dates(series, horizon)?;
    let y = series.values();
    let candidates: Vec<ModelKind> = match choice {
        ModelChoice::Auto => ModelKind::AUTO.to_vec(),
        ModelChoice::Fixed(m) => vec![m],
    };
    let plan = BacktestPlan::new(y.len(), horizon, settings);
    let mut scored = match plan {
        Some(plan) => backtest(series, &candidates, &plan),
        None => Vec::new(),
    };
    // Lowest MASE first; the sort is stable, so ties keep the simpler model first.
    scored.sort_by(|a, b| a.error.mase.total_cmp(&b.error.mase));
    for s in &scored {
        if let Ok(points) = point_forecast(s.model, y, series.start(), horizon) {
            let (lower, upper) = empirical_bounds(&points, &s.residuals, s.error.horizon);
            return Ok(assemble(Method::Model(s.model), Some(s.error), &dates, points, lower, upper));
        }
    }
    // Too short to backtest, or nothing fitted: the named model if it fits, else
    // seasonal-naive, with intervals from the history's own weekly differences.
    let (model, points) = match choice {
        ModelChoice::Fixed(m) => match point_forecast(m, y, series.start(), horizon) {
            Ok(p) => (m, p),
            Err(_) => (ModelKind::SeasonalNaive, seasonal_naive(y, horizon)),
        },
        ModelChoice::Auto => (ModelKind::SeasonalNaive, seasonal_naive(y, horizon)),
    };
    let (lower, upper) = naive_bounds(y, &points);
    Ok(assemble(Method::Model(model), None, &dates, points, lower, upper))
}

fn future_dates(series: &DailySeries, horizon: usize) -> Result<Vec<NaiveDate>, ForecastError> {
    (1..=horizon)
        .map(|h| series.end().checked_add_days(Days::new(h as u64)).ok_or(ForecastError::DateOutOfRange))
        .collect()
}

pub(crate) fn assemble(
    method: Method,
    backtest: Option<BacktestError>,
    dates: &[NaiveDate],
    points: Vec<f64>,
    lower: Vec<f64>,
    upper: Vec<f64>,
) -> Forecast {
    let points = dates
        .iter()
        .zip(points)
        .zip(lower.into_iter().zip(upper))
        .map(|((&date, f), (l, u))| {
            let forecast = if f.is_finite() { f.max(0.0) } else { 0.0 };
            let lower = if l.is_finite() { l.clamp(0.0, forecast) } else { 0.0 };
            let upper = if u.is_finite() { u.max(forecast) } else { forecast };
            ForecastPoint { date, forecast, lower, upper }
        })
        .collect();
    Forecast { method, backtest, points }
}

/// Where the rolling origins fall: training is `y[..origin]`, and the `horizon` days
/// after it are forecast.
#[derive(Debug, Clone, PartialEq)]
struct BacktestPlan {
    origins: Vec<usize>,
    horizon: usize,
}

impl BacktestPlan {
    /// The requested horizon if the history allows two origins with it, else a shorter
    /// one (at least a week); `None` when even that does not fit.
    fn new(n: usize, horizon: usize, s: Settings) -> Option<Self> {
        if horizon == 0 || s.origins == 0 {
            return None;
        }
        let available = n.checked_sub(s.min_train.max(1))?;
        let wanted_origins = s.origins.max(2);
        let max_h = available.checked_sub(s.spacing)?;
        let bt_h = horizon.min(max_h);
        if bt_h < WEEK.min(horizon) {
            return None;
        }
        let count = (1 + (available - bt_h) / s.spacing.max(1)).min(wanted_origins);
        let origins = (0..count).map(|k| n - bt_h - k * s.spacing).collect();
        Some(Self { origins, horizon: bt_h })
    }
}

struct Scored {
    model: ModelKind,
    error: BacktestError,
    /// Per origin, per horizon step: `(actual - forecast) / (forecast + 1)`.
    residuals: Vec<Vec<f64>>,
}

/// Backtests the models at every origin of the plan. A model that failed at any origin
/// is dropped: one that cannot be trusted on its own history is not a candidate.
fn backtest(series: &DailySeries, models: &[ModelKind], plan: &BacktestPlan) -> Vec<Scored> {
    let y = series.values();
    // Per model: summed MASE, summed sMAPE and residuals so far; `None` once it failed.
    type Running = Option<(f64, f64, Vec<Vec<f64>>)>;
    let mut acc: Vec<Running> = vec![Some((0.0, 0.0, Vec::new())); models.len()];
    for &origin in &plan.origins {
        let train = &y[..origin];
        let actual = &y[origin..origin + plan.horizon];
        for (slot, (_, result)) in acc.iter_mut().zip(point_forecasts(models, train, series.start(), plan.horizon)) {
            match (slot.as_mut(), result) {
                (Some((mase, smape, residuals)), Ok(f)) => {
                    *mase += mase_of(train, actual, &f);
                    *smape += smape_of(actual, &f);
                    residuals.push(actual.iter().zip(&f).map(|(a, f)| (a - f) / (f + 1.0)).collect());
                }
                _ => *slot = None,
            }
        }
    }
    let k = plan.origins.len() as f64;
    models
        .iter()
        .zip(acc)
        .filter_map(|(&model, a)| {
            let (mase, smape, residuals) = a?;
            let error =
                BacktestError { mase: mase / k, smape: smape / k, origins: plan.origins.len(), horizon: plan.horizon };
            Some(Scored { model, error, residuals })
        })
        .collect()
}

/// The scale of MASE: mean absolute lag-7 difference of the training data (lag-1 when
/// shorter than two weeks), floored so a constant history does not divide by zero.
pub fn mase_scale(train: &[f64]) -> f64 {
    let lag = if train.len() > WEEK { WEEK } else { 1 };
    let diffs = train.len().saturating_sub(lag);
    let scale = if diffs == 0 {
        0.0
    } else {
        train.windows(lag + 1).map(|w| (w[lag] - w[0]).abs()).sum::<f64>() / diffs as f64
    };
    scale.max(1e-6)
}

/// MASE of one forecast, capped at 1e6 so one degenerate origin cannot make an average
/// infinite.
pub fn mase_of(train: &[f64], actual: &[f64], forecast: &[f64]) -> f64 {
    let n = actual.len().min(forecast.len()).max(1) as f64;
    let mae = actual.iter().zip(forecast).map(|(a, f)| (a - f).abs()).sum::<f64>() / n;
    (mae / mase_scale(train)).min(1e6)
}

/// sMAPE in percent; a day where actual and forecast are both zero is exact.
pub fn smape_of(actual: &[f64], forecast: &[f64]) -> f64 {
    let n = actual.len().min(forecast.len()).max(1) as f64;
    actual
        .iter()
        .zip(forecast)
        .map(|(a, f)| {
            let d = a.abs() + f.abs();
            if d == 0.0 { 0.0 } else { 200.0 * (a - f).abs() / d }
        })
        .sum::<f64>()
        / n
}

/// The `q` quantile (linear interpolation) of `v`, which is sorted in place.
pub fn quantile(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

/// Bounds from the model's own backtest errors. Errors are relative to `forecast + 1`,
/// so a busy Saturday gets a wider band than a quiet Tuesday and a zero forecast still
/// gets one. Step `h` takes the errors of the steps in its week and the neighbouring
/// weeks (origins × up to 21 values: enough for 10 % tails). Beyond the backtested
/// horizon, the last week's quantiles grow with the square root of the horizon, as a
/// random walk's would.
fn empirical_bounds(points: &[f64], residuals: &[Vec<f64>], bt_h: usize) -> (Vec<f64>, Vec<f64>) {
    let tail = (1.0 - LEVEL) / 2.0;
    let weeks = bt_h.div_ceil(WEEK).max(1);
    let quantiles: Vec<(f64, f64)> = (0..weeks)
        .map(|w| {
            let from = w.saturating_sub(1) * WEEK;
            let to = ((w + 2) * WEEK).min(bt_h);
            let mut pool: Vec<f64> =
                residuals.iter().flat_map(|r| r[from.min(r.len())..to.min(r.len())].iter().copied()).collect();
            (quantile(&mut pool, tail), quantile(&mut pool, 1.0 - tail))
        })
        .collect();
    let mut lower = Vec::with_capacity(points.len());
    let mut upper = Vec::with_capacity(points.len());
    for (h, &f) in points.iter().enumerate() {
        let (lo, hi, grow) = match quantiles.get(h / WEEK) {
            Some(&(lo, hi)) => (lo, hi, 1.0),
            None => {
                let (lo, hi) = quantiles.last().copied().unwrap_or((0.0, 0.0));
                (lo, hi, ((h + 1) as f64 / bt_h.max(1) as f64).sqrt())
            }
        };
        lower.push(f + (f + 1.0) * lo.min(0.0) * grow);
        upper.push(f + (f + 1.0) * hi.max(0.0) * grow);
    }
    (lower, upper)
}

/// Bounds for a history too short to backtest: the spread of its weekly differences
/// (of its values around their mean when shorter than two weeks), growing with the
/// number of weeks ahead as seasonal-naive's error does.
fn naive_bounds(y: &[f64], points: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let tail = (1.0 - LEVEL) / 2.0;
    let mut spread: Vec<f64> = if y.len() >= 2 * WEEK {
        y.windows(WEEK + 1).map(|w| w[WEEK] - w[0]).collect()
    } else {
        let mean = y.iter().sum::<f64>() / y.len().max(1) as f64;
        y.iter().map(|v| v - mean).collect()
    };
    let lo = quantile(&mut spread, tail).min(0.0);
    let hi = quantile(&mut spread, 1.0 - tail).max(0.0);
    points
        .iter()
        .enumerate()
        .map(|(h, &f)| {
            let grow = ((h / WEEK + 1) as f64).sqrt();
            (f + lo * grow, f + hi * grow)
        })
        .unzip()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day0() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, 1).expect("date")
    }

    #[test]
    fn metrics_match_hand_computations() {
        // Lag-7 differences of 0..14 are all 7.
        let train: Vec<f64> = (0..14).map(f64::from).collect();
        assert!((mase_scale(&train) - 7.0).abs() < 1e-12);
        assert!((mase_of(&train, &[10.0, 10.0], &[3.0, 17.0]) - 1.0).abs() < 1e-12);
        assert!((smape_of(&[0.0, 10.0], &[0.0, 30.0]) - 50.0).abs() < 1e-12);
        let mut v = vec![4.0, 1.0, 3.0, 2.0, 5.0];
        assert!((quantile(&mut v, 0.5) - 3.0).abs() < 1e-12);
        assert!((quantile(&mut v, 0.1) - 1.4).abs() < 1e-12);
    }

    #[test]
    fn plan_shrinks_the_horizon_for_short_histories() {
        let s = Settings { origins: 5, spacing: 14, min_train: 56 };
        let plan = BacktestPlan::new(1000, 90, s).expect("plan");
        assert_eq!(plan.horizon, 90);
        assert_eq!(plan.origins, vec![910, 896, 882, 868, 854]);
        let plan = BacktestPlan::new(100, 90, s).expect("plan");
        assert_eq!(plan.horizon, 100 - 56 - 14);
        assert_eq!(plan.origins.len(), 2);
        assert_eq!(BacktestPlan::new(70, 90, s), None);
        // The default needs 56 days of training, 28 between origins and a week ahead.
        assert_eq!(BacktestPlan::new(90, 90, Settings::default()), None);
        assert_eq!(BacktestPlan::new(91, 90, Settings::default()).map(|p| p.horizon), Some(7));
    }

    #[test]
    fn auto_picks_seasonal_naive_on_an_exact_weekly_cycle() {
        // Zeros and a spike make the log-scale and smoothing models slightly wrong; the
        // exact repeat is what seasonal-naive forecasts without error.
        let y: Vec<f64> = (0..400).map(|t| [3.0, 0.0, 9.0, 1.0, 7.0, 2.0, 30.0][t % 7]).collect();
        let series = DailySeries::from_values(day0(), y).expect("series");
        let f = forecast(&series, 14, ModelChoice::Auto).expect("forecast");
        assert_eq!(f.method, Method::Model(ModelKind::SeasonalNaive), "{f:?}");
        let e = f.backtest.expect("backtested");
        assert!(e.mase < 1e-9, "{e:?}");
        // Perfect backtests give a zero-width interval.
        assert!(f.points.iter().all(|p| p.upper - p.lower < 1e-9));
        assert_eq!(f.points[0].date, NaiveDate::from_ymd_opt(2025, 2, 4).expect("date"));
        assert_eq!(f.points[0].forecast, [3.0, 0.0, 9.0, 1.0, 7.0, 2.0, 30.0][400 % 7]);
    }

    #[test]
    fn intervals_cover_noise_roughly_at_their_level() {
        // Poisson-like noise around a weekly shape, from a fixed LCG.
        let mut state = 42u64;
        let mut noise = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) - 0.5
        };
        let shape = [10.0, 8.0, 8.0, 9.0, 12.0, 20.0, 18.0];
        let y: Vec<f64> = (0..800).map(|t| (shape[t % 7] * (1.0 + 0.6 * noise())).round()).collect();
        let mut inside = 0;
        let mut total = 0;
        for origin in [600, 628, 656, 684, 712, 740] {
            let series = DailySeries::from_values(day0(), y[..origin].to_vec()).expect("series");
            let f = forecast(&series, 28, ModelChoice::Auto).expect("forecast");
            for (p, a) in f.points.iter().zip(&y[origin..]) {
                total += 1;
                inside += usize::from(p.lower <= *a && *a <= p.upper);
            }
        }
        let coverage = inside as f64 / total as f64;
        assert!((0.65..=0.95).contains(&coverage), "coverage {coverage}");
    }

    #[test]
    fn short_histories_fall_back_to_seasonal_naive_without_backtest() {
        let series = DailySeries::from_values(day0(), vec![1.0, 5.0, 2.0]).expect("series");
        let f = forecast(&series, 3, ModelChoice::Auto).expect("forecast");
        assert_eq!(f.method, Method::Model(ModelKind::SeasonalNaive));
        assert_eq!(f.backtest, None);
        assert!(f.points.iter().all(|p| p.lower < p.forecast && p.forecast < p.upper));
    }

    #[test]
    fn horizon_is_bounded() {
        let series = DailySeries::from_values(day0(), vec![1.0; 30]).expect("series");
        assert_eq!(forecast(&series, MAX_HORIZON + 1, ModelChoice::Auto), Err(ForecastError::HorizonTooLong(731)));
        assert!(forecast(&series, 0, ModelChoice::Auto).expect("empty").points.is_empty());
    }
}
