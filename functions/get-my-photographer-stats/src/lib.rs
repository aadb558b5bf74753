//! `GET /photographers/me/stats?from=&to=&granularity=day|week|month`: the caller's own
//! bookings, money, utilisation, rating and sentiment by period, and how their hourly
//! rate compares with their city's median for each of their specializations.
//!
//! Served from the photographer's daily series, which the booking stream keeps
//! (`cm_booking::analytics`): one Query per calendar year of the range. Utilisation
//! divides the minutes of their sessions by their working minutes as their hours read
//! now (time off excluded). The price comparison reads their city's listing for each
//! specialization (one Query each, the same partitions search reads).

use chrono::{Days, NaiveDate};
use cm_accounts::Role;
use cm_app::{App, AuthError, store_problem};
use cm_booking::Availability;
use cm_booking::analytics::Granularity;
use cm_booking::stats::{self, PhotographerStats, PriceComparison};
use cm_catalog::photographer::PhotographerProfile;
use cm_catalog::search::partition_for;
use cm_core::UserId;
use cm_http::{Body, IntoProblem, Problem, Query, Request, RequestError, Response};
use cm_store::{AnalyticsReader, AvailabilityReader, PhotographerReader, PhotographerSearch, StoreError, UserReader};
use serde::Serialize;

/// Three years, as the admin's report: a Query per calendar year.
pub const MAX_RANGE_DAYS: i64 = 3 * 366;
/// By default the twelve weeks before today and the four after, so the coming weeks'
/// bookings show against their hours.
const DEFAULT_DAYS_AHEAD: u64 = 28;
const DEFAULT_RANGE_DAYS: u64 = 16 * 7;

#[derive(Serialize)]
struct StatsBody {
    photographer_id: UserId,
    from: NaiveDate,
    to: NaiveDate,
    granularity: Granularity,
    /// The time zone the days are the photographer's dates in.
    timezone: String,
    #[serde(flatten)]
    stats: PhotographerStats,
    /// All-time, as the public profile shows it.
    rating: Rating,
    /// One per specialization of theirs, in their currency.
    price_comparison: Vec<PriceComparison>,
}

#[derive(Serialize)]
struct Rating {
    average: Option<f64>,
    count: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("no photographer profile yet")]
    NoProfile,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::NoProfile => {
                Problem::not_found("you have no photographer profile yet; create it with PUT /photographers/me")
            }
            Error::Store(e) => store_problem(e),
        }
    }
}

/// The rate of each of the photographer's specializations against their city's others
/// in the same currency (listing partitions are read in parallel).
async fn price_comparison<S: PhotographerSearch>(
    app: &App<S>,
    me: UserId,
    profile: &PhotographerProfile,
) -> Result<Vec<PriceComparison>, StoreError> {
    let currency = profile.hourly_rate.currency.as_str();
    let reads = profile.specializations.iter().map(|spec| async move {
        let peers = app.store.photographers_in(&[partition_for(Some(*spec), Some(&profile.city))]).await?;
        let rates: Vec<i64> = peers
            .iter()
            .filter(|p| p.id != me && p.profile.hourly_rate.currency.as_str() == currency)
            .map(|p| p.profile.hourly_rate.amount_minor)
            .collect();
        Ok::<_, StoreError>(stats::compare_price(*spec, currency, profile.hourly_rate.amount_minor, &rates))
    });
    futures::future::try_join_all(reads).await
}

pub async fn handle<S>(app: &App<S>, req: Request) -> Result<Response<Body>, Error>
where
    S: UserReader + PhotographerReader + PhotographerSearch + AvailabilityReader + AnalyticsReader,
{
    let caller = cm_app::authenticate_as(app, &req, &[Role::Photographer]).await?;
    let mut q = Query::of(&req);
    let days = q.days();
    let granularity = q.parse("granularity", "day, week or month", Granularity::parse).unwrap_or(Granularity::Week);
    q.finish(&["from", "to", "granularity"])?;
    let me = caller.id();
    let (record, doc) = tokio::try_join!(app.store.get_photographer(me), app.store.get_availability(me))?;
    let record = record.ok_or(Error::NoProfile)?;
    // Hours that no longer parse (a zone since withdrawn) count as none, as for quotes.
    let availability = doc.and_then(|d| Availability::try_from(d).ok());
    let timezone = availability.as_ref().map_or(chrono_tz::UTC, Availability::timezone);
    let today = app.now().with_timezone(&timezone).date_naive();
    let (from, to) = days.resolve(today + Days::new(DEFAULT_DAYS_AHEAD), DEFAULT_RANGE_DAYS, MAX_RANGE_DAYS)?;
    let (series, prices) =
        tokio::try_join!(app.store.photographer_days(me, from, to), price_comparison(app, me, &record.profile))?;
    let working = availability.map(|a| a.working_minutes_by_day(from, to)).unwrap_or_default();
    let rating = record.rating.view();
    let body = StatsBody {
        photographer_id: me,
        from,
        to,
        granularity,
        timezone: timezone.name().to_string(),
        stats: stats::photographer_stats(&series, &working, from, to, granularity),
        rating: Rating { average: (rating.count > 0).then_some(rating.average), count: rating.count },
        price_comparison: prices,
    };
    Ok(cm_http::ok(&body))
}
