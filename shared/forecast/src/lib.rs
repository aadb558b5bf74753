//! Demand forecasts for daily count series. Pure: no I/O, no clock.
//!
//! - [`DailySeries`]: validated daily counts; missing days are zero demand.
//! - [`forecast`]: point forecasts and 80 % intervals for a horizon, with the model
//!   chosen per series by a rolling-origin backtest on the series' own history
//!   ([`ModelChoice::Auto`]) or named ([`ModelChoice::Fixed`]). Candidates: seasonal-naive,
//!   AutoETS, MSTL with AutoETS trend (augurs), and two of ours, a weighted ridge
//!   regression on log counts and the mean of it and MSTL ([`ModelKind`]).
//! - [`pool`]: sparse series forecast as a shrunk share of their parent's forecast.
//!
//! Every function here returns an error or a forecast for any input; third-party fits
//! run behind `catch_unwind`, so a panic inside one is a skipped candidate.
//!
//! Cost: models read at most [`models::MAX_HISTORY`] days, so a forecast's time and
//! memory do not grow with older history. An automatic forecast of a three-year series
//! 90 days ahead takes about 0.12 s on one core, most of it in MSTL (about 20 ms a fit
//! on three years, six fits: five backtest origins and the final one); a pooled forecast
//! is arithmetic on the parent's. Measured figures and the command: eval/forecast/README.md.

mod forecast;
pub mod models;
pub mod pool;
mod series;

pub use forecast::{
    BacktestError, Forecast, ForecastError, ForecastPoint, LEVEL, MAX_HORIZON, Method, ModelChoice, Settings, forecast,
    forecast_with, mase_of, mase_scale, quantile, smape_of,
};
pub use models::ModelKind;
pub use series::{DailySeries, MAX_SPAN_DAYS, SeriesError};
