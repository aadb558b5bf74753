//! `GET /admin/analytics?from=&to=&granularity=day|week|month&city=&specialization=`:
//! the booking time series, funnel and lead times for the platform or one segment,
//! and the top cities and specializations and the photographers' leaderboard; as
//! JSON, or the series as CSV when the client asks for `text/csv`. Served from the aggregates the booking stream keeps
//! (cm_booking::analytics): a few Queries whatever the volume, never a scan.

use chrono::{Datelike, Months, NaiveDate};
use cm_accounts::Role;
use cm_app::store_problem;
use cm_app::{App, AuthError};
use cm_booking::analytics::{self, Granularity, Leader, LeaderRating, Ranked, Report, Segment};
use cm_catalog::photographer::Specialization;
use cm_http::{Body, IntoProblem, Problem, Query, Request, RequestError, Response};
use cm_store::analytics::Dimension;
use cm_store::{AnalyticsReader, PhotographerReader, StoreError, UserReader};
use serde::Serialize;

/// Three years: the forecasts' history, and a few Queries per year.
pub const MAX_RANGE_DAYS: i64 = 3 * 366;
const DEFAULT_RANGE_DAYS: u64 = 30;
const TOP: usize = 10;

#[derive(Serialize)]
struct Filter {
    city: Option<String>,
    specialization: Option<Specialization>,
}

/// The whole months a top list covers (its counts are kept by month).
#[derive(Serialize)]
struct TopPeriod {
    from: NaiveDate,
    to: NaiveDate,
}

#[derive(Serialize)]
struct AnalyticsBody {
    from: NaiveDate,
    to: NaiveDate,
    granularity: Granularity,
    filter: Filter,
    #[serde(flatten)]
    report: Report,
    top_period: TopPeriod,
    top_cities: Vec<Ranked>,
    top_specializations: Vec<Ranked>,
    /// The platform's photographers with the most confirmed bookings over `top_period`.
    leaderboard: Vec<Leader>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::Store(e) => store_problem(e),
        }
    }
}

/// Whether the client prefers CSV: `Accept` names `text/csv` before any JSON type
/// (a browser's `*/*` alone gets JSON).
fn wants_csv(req: &Request) -> bool {
    let accept = req.headers().get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    for part in accept.split(',') {
        let media = part.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        match media.as_str() {
            "text/csv" => return true,
            "application/json" | "application/*" => return false,
            _ => {}
        }
    }
    false
}

/// The leaders' names and ratings from their records (one GetItem each, at most
/// [`TOP`], in parallel). A photographer whose record is gone keeps the counts.
async fn with_profiles<S: PhotographerReader>(app: &App<S>, mut leaders: Vec<Leader>) -> Result<Vec<Leader>, Error> {
    let records = futures::future::try_join_all(leaders.iter().map(|l| async {
        match l.photographer_id.parse() {
            Ok(id) => app.store.get_photographer(id).await,
            Err(_) => Ok(None),
        }
    }))
    .await?;
    for (leader, record) in leaders.iter_mut().zip(records) {
        if let Some(r) = record {
            leader.display_name = Some(r.profile.display_name.clone());
            leader.rating =
                (r.rating.count > 0).then(|| LeaderRating { average: r.rating.view().average, count: r.rating.count });
        }
    }
    Ok(leaders)
}

pub async fn handle<S: UserReader + AnalyticsReader + PhotographerReader>(
    app: &App<S>,
    req: Request,
) -> Result<Response<Body>, Error> {
    cm_app::authenticate_as(app, &req, &[Role::Admin]).await?;
    let mut q = Query::of(&req);
    let days = q.days();
    let granularity = q.parse("granularity", "day, week or month", Granularity::parse).unwrap_or(Granularity::Day);
    let city = q.parse("city", "a city name (1 to 100 characters)", analytics::parse_city);
    let specialization = q.parse("specialization", "one of the specializations", Specialization::parse);
    q.finish(&["from", "to", "granularity", "city", "specialization"])?;
    let (from, to) = days.resolve(app.now().date_naive(), DEFAULT_RANGE_DAYS, MAX_RANGE_DAYS)?;
    let segment = Segment { city: city.clone(), specialization };
    let (days, cities, specializations, photographers) = tokio::try_join!(
        app.store.analytics_days(&segment, from, to),
        app.store.analytics_top(Dimension::City, from, to),
        app.store.analytics_top(Dimension::Specialization, from, to),
        app.store.analytics_top(Dimension::Photographer, from, to),
    )?;
    let report = analytics::report(&days, from, to, granularity);
    if wants_csv(&req) {
        let mut r = Response::new(Body::Text(analytics::csv(&report)));
        let headers = r.headers_mut();
        headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("text/csv; charset=utf-8"));
        let name = format!("attachment; filename=\"bookings-{from}-{to}-{}.csv\"", granularity.as_str());
        if let Ok(v) = http::HeaderValue::from_str(&name) {
            headers.insert(http::header::CONTENT_DISPOSITION, v);
        }
        headers.insert(http::header::VARY, http::HeaderValue::from_static("accept"));
        return Ok(r);
    }
    let month_end = |d: NaiveDate| {
        d.with_day(1).and_then(|m| m.checked_add_months(Months::new(1))).and_then(|m| m.pred_opt()).unwrap_or(d)
    };
    let body = AnalyticsBody {
        from,
        to,
        granularity,
        filter: Filter { city, specialization },
        report,
        top_period: TopPeriod { from: from.with_day(1).unwrap_or(from), to: month_end(to) },
        top_cities: analytics::top(&cities, TOP),
        top_specializations: analytics::top(&specializations, TOP),
        leaderboard: with_profiles(app, analytics::leaderboard(&photographers, TOP)).await?,
    };
    let mut r = cm_http::ok(&body);
    r.headers_mut().insert(http::header::VARY, http::HeaderValue::from_static("accept"));
    Ok(r)
}
