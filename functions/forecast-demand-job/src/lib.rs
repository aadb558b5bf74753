//! EventBridge schedule: the day's demand forecasts. For every segment with bookings
//! (the platform, each city, each specialization, each city and specialization), the
//! daily requests of up to three years are read from the analytics aggregates and
//! forecast 90 days ahead with 80 % intervals (cm-forecast: the model chosen per
//! series by a rolling-origin backtest). A sparse series with a parent is forecast as
//! its share of the parent's forecast instead of fitting noise. Parents come first.
//!
//! A day's pass is resumable: the schedule fires every ten minutes through the night,
//! each invocation goes on from the run's cursor until the time left is short, and
//! once the pass is done the later invocations of the day only read the run. One
//! segment failing is recorded in the run (and logged) and the pass goes on.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::{Days, NaiveDate};
use cm_app::App;
use cm_booking::analytics::{BacktestSummary, Counter, DemandForecast, DemandPoint, ForecastRun, Segment};
use cm_forecast::pool::{is_sparse, pooled_forecast};
use cm_forecast::{DailySeries, Forecast, ModelChoice};
use cm_store::{AnalyticsReader, DemandForecasts, DynamoStore, StoreError};
use lambda_runtime::{Error, LambdaEvent};
use serde::Serialize;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// Days forecast ahead.
pub const HORIZON: usize = 90;
/// History read: three years and a week (the models read no more).
pub const HISTORY_DAYS: u64 = 3 * 365 + 7;
/// The most an invocation works: less than the schedule's ten minutes, so invocations
/// do not overlap (two would forecast the same segments and race on the run's record),
/// and a minute less than the function's 600 s timeout, which covers the slowest
/// segment (under a second) and the run's last write.
pub const BUDGET: Duration = Duration::from_secs(9 * 60);
/// The run's progress is written every this many segments, so a crash loses little.
const CHECKPOINT: u32 = 25;

pub struct Job<S> {
    pub app: App<S>,
    pub budget: Duration,
}

impl Job<DynamoStore> {
    pub async fn from_env(env: cm_runtime::Env) -> Result<Self, Error> {
        Ok(Job { app: App::new(env.store()?), budget: BUDGET })
    }
}

/// What an invocation did, for its log and the schedule's console.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub day: NaiveDate,
    pub done: bool,
    /// Segments forecast by this invocation.
    pub forecast_now: u32,
    /// Segments this invocation failed to forecast (or to store).
    pub failed_now: u32,
    #[serde(flatten)]
    pub run: ForecastRun,
}

#[derive(Debug, thiserror::Error)]
enum SegmentError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Forecast(String),
}

/// A segment's history as a daily series of requests, from its first request to
/// `as_of` (`None` without any request in the window).
async fn history<S: AnalyticsReader>(
    store: &S,
    segment: &Segment,
    as_of: NaiveDate,
) -> Result<Option<DailySeries>, SegmentError> {
    let from = as_of - Days::new(HISTORY_DAYS - 1);
    let days = store.analytics_days(segment, from, as_of).await?;
    let points: Vec<(NaiveDate, f64)> = days
        .iter()
        .map(|(d, c)| (*d, c.get(&Counter::Requested).copied().unwrap_or(0).max(0) as f64))
        .skip_while(|(_, n)| *n == 0.0)
        .collect();
    if points.is_empty() {
        return Ok(None);
    }
    let series = DailySeries::from_points(&points).map_err(|e| SegmentError::Forecast(e.to_string()))?;
    series.extended_to(as_of).map(Some).map_err(|e| SegmentError::Forecast(e.to_string()))
}

/// Forecasts (with their series) of the segments a child may pool from, by key:
/// the platform and the cities. `None`: no requests in the history read.
type Parents = HashMap<String, Option<(DailySeries, Forecast)>>;

/// What a forecast read: its requests, and their daily mean over the last year of it.
#[derive(Debug, Clone, Copy)]
struct HistoryRead {
    requests: i64,
    normal_daily: f64,
}

/// Days of history the normal (the daily mean demand is compared with) is taken over.
const NORMAL_DAYS: usize = 365;

impl HistoryRead {
    fn of(series: &DailySeries) -> HistoryRead {
        let values = series.values();
        let last_year = &values[values.len().saturating_sub(NORMAL_DAYS)..];
        HistoryRead {
            requests: values.iter().sum::<f64>() as i64,
            normal_daily: last_year.iter().sum::<f64>() / last_year.len().max(1) as f64,
        }
    }
}

/// A segment's forecast with the history it read (`None`: no requests).
type SegmentForecast = Result<Option<(Forecast, HistoryRead)>, SegmentError>;

/// The segment's forecast and its requests in the history read (`None` without any):
/// its own model, or when it is sparse and has a parent, its share of the parent's
/// forecast. Parents are taken from `parents`, or forecast again when an earlier
/// invocation of the pass did them (not stored again). Boxed: a pair's parent is a
/// city, whose parent is the platform.
fn forecast_segment<'a, S: AnalyticsReader>(
    job: &'a Job<S>,
    segment: &'a Segment,
    as_of: NaiveDate,
    parents: &'a mut Parents,
) -> Pin<Box<dyn Future<Output = SegmentForecast> + Send + 'a>> {
    Box::pin(async move {
        let is_parent = segment.specialization.is_none();
        if let Some(known) = parents.get(&segment.key()) {
            return Ok(known.as_ref().map(|(s, f)| (f.clone(), HistoryRead::of(s))));
        }
        let Some(series) = history(&job.app.store, segment, as_of).await? else {
            if is_parent {
                parents.insert(segment.key(), None);
            }
            return Ok(None);
        };
        let read = HistoryRead::of(&series);
        let requests = read.requests;
        let mut pooled = None;
        if let Some(parent) = segment.parent().filter(|_| is_sparse(&series)) {
            forecast_segment(job, &parent, as_of, parents).await?;
            if let Some(Some((parent_series, parent_forecast))) = parents.get(&parent.key()) {
                let parent_total: f64 = parent_series.values().iter().sum();
                // The prior share: the child's share of its parent over the whole history read.
                let prior = if parent_total > 0.0 { (requests as f64 / parent_total).clamp(0.0, 1.0) } else { 0.0 };
                pooled = Some(
                    pooled_forecast(&series, parent_series, parent_forecast, prior)
                        .map_err(|e| SegmentError::Forecast(e.to_string()))?,
                );
            }
        }
        let f = match pooled {
            Some(f) => f,
            None => cm_forecast::forecast(&series, HORIZON, ModelChoice::Auto)
                .map_err(|e| SegmentError::Forecast(e.to_string()))?,
        };
        if is_parent {
            parents.insert(segment.key(), Some((series, f.clone())));
        }
        Ok(Some((f, read)))
    })
}

fn stored(
    segment: &Segment,
    as_of: NaiveDate,
    f: &Forecast,
    read: HistoryRead,
    at: chrono::DateTime<chrono::Utc>,
) -> DemandForecast {
    DemandForecast {
        city: segment.city.clone(),
        specialization: segment.specialization,
        as_of,
        generated_at: at,
        model: f.method.name(),
        backtest: f.backtest.map(|b| BacktestSummary {
            mase: round(b.mase, 3),
            smape: round(b.smape, 2),
            origins: b.origins as u32,
            horizon_days: b.horizon as u32,
        }),
        history_requests: read.requests,
        normal_daily: Some(round(read.normal_daily, 4)),
        points: f
            .points
            .iter()
            .map(|p| DemandPoint {
                date: p.date,
                forecast: round(p.forecast, 3),
                lower: round(p.lower, 3),
                upper: round(p.upper, 3),
            })
            .collect(),
    }
}

fn round(x: f64, places: i32) -> f64 {
    let m = 10f64.powi(places);
    (x * m).round() / m
}

pub async fn handle<S: AnalyticsReader + DemandForecasts>(
    job: &Job<S>,
    _event: LambdaEvent<EventBridgeEvent<serde_json::Value>>,
) -> Result<Report, Error> {
    let started = std::time::Instant::now();
    let result = pass(job).await;
    metrics(&result, started.elapsed());
    result
}

/// What an invocation did, as metrics: `ForecastJobErrors` always (0 or 1, so an alarm
/// sees data); the duration, segments forecast and segments failed when it worked
/// (the day's later invocations, which find the pass done, are not timed).
fn metrics(result: &Result<Report, Error>, elapsed: Duration) {
    let line = cm_metrics::Line::new();
    let line = match result {
        Ok(r) if r.done && r.forecast_now == 0 && r.failed_now == 0 => line,
        Ok(r) => line
            .property("day", r.day.to_string())
            .property("done", r.done)
            .metric("ForecastDuration", cm_metrics::Unit::Milliseconds, elapsed.as_secs_f64() * 1000.0, &[&[]])
            .metric("ForecastSegments", cm_metrics::Unit::Count, f64::from(r.forecast_now), &[&[]])
            .metric("ForecastSegmentFailures", cm_metrics::Unit::Count, f64::from(r.failed_now), &[&[]]),
        Err(_) => {
            line.metric("ForecastDuration", cm_metrics::Unit::Milliseconds, elapsed.as_secs_f64() * 1000.0, &[&[]])
        }
    };
    line.metric("ForecastJobErrors", cm_metrics::Unit::Count, if result.is_err() { 1.0 } else { 0.0 }, &[&[]]).emit();
}

async fn pass<S: AnalyticsReader + DemandForecasts>(job: &Job<S>) -> Result<Report, Error> {
    let store = &job.app.store;
    let now = job.app.now();
    let day = now.date_naive();
    // Today is not over: the forecasts read up to yesterday and start today.
    let as_of = day - Days::new(1);
    let mut run = store.forecast_run(day).await?.unwrap_or_else(|| ForecastRun::new(day, now));
    if run.done {
        return Ok(Report { day, done: true, forecast_now: 0, failed_now: 0, run });
    }
    run.invocations += 1;
    let pairs = store.demand_segments().await?;
    let pass = Segment::pass(&pairs);
    let mut parents = Parents::new();
    let mut forecast_now = 0;
    let mut failed_now = 0;
    let started = std::time::Instant::now();
    let resume_after = run.cursor.clone();
    for segment in pass.iter().filter(|s| resume_after.as_ref().is_none_or(|c| s.pass_key() > *c)) {
        if started.elapsed() >= job.budget {
            run.updated_at = job.app.now();
            store.put_forecast_run(&run, run.updated_at).await?;
            tracing::info!(cursor = ?run.cursor, forecasts = run.forecasts, "out of time; the next invocation goes on");
            return Ok(Report { day, done: false, forecast_now, failed_now, run });
        }
        match forecast_segment(job, segment, as_of, &mut parents).await {
            Ok(Some((f, read))) => {
                let record = stored(segment, as_of, &f, read, job.app.now());
                match store.put_forecast(&record).await {
                    Ok(()) => {
                        run.forecasts += 1;
                        run.pooled += u32::from(record.model.starts_with("pooled"));
                        forecast_now += 1;
                    }
                    Err(e) => {
                        failed_now += 1;
                        run.failed(segment, e.to_string());
                    }
                }
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(segment = %segment.key(), error = %e, "segment not forecast");
                failed_now += 1;
                run.failed(segment, e.to_string());
            }
        }
        run.cursor = Some(segment.pass_key());
        if forecast_now > 0 && forecast_now % CHECKPOINT == 0 {
            run.updated_at = job.app.now();
            store.put_forecast_run(&run, run.updated_at).await?;
        }
    }
    run.done = true;
    run.updated_at = job.app.now();
    store.put_forecast_run(&run, run.updated_at).await?;
    tracing::info!(forecasts = run.forecasts, pooled = run.pooled, failures = run.failures, "forecast pass done");
    Ok(Report { day, done: true, forecast_now, failed_now, run })
}
