//! `GET /photographers/{id}/quote?start=&duration_minutes=&package_id=&event_type=`: what
//! a session would cost, with every factor behind the price and its reason, and a
//! `quote_id` that `POST /bookings` honours for half an hour at exactly that price.
//!
//! With the photographer's dynamic pricing off, the quote is the plain rate. With it on,
//! the price follows the demand forecast of the photographer's city for the session's
//! specialization (the nightly forecast pass), the lead time, the photographer's own
//! week and their rating, held within their floor and ceiling (`cm_booking::pricing`).
//! Reads: the photographer, the forecast (falling back from the city and specialization
//! to the city, the specialization, the platform), the availability and the bookings of
//! the session's week. Anyone may ask: prices are public, as on the profile.

use chrono::{DateTime, TimeDelta, Utc, Weekday};
use cm_app::{App, store_problem};
use cm_booking::analytics::{DemandForecast, Segment};
use cm_booking::pricing::dynamic::{DemandSignal, WeekLoad, demand_signal};
use cm_booking::pricing::{DynamicPrice, Limit, PricingInputs, QUOTE_VALIDITY, QuoteTerms, dynamic_price};
use cm_booking::request::{parse_duration, parse_instant};
use cm_booking::{Availability, BookingDuration, holds_slot, quote};
use cm_catalog::photographer::PhotographerProfile;
use cm_catalog::{PhotographerRecord, Specialization};
use cm_core::money::Money;
use cm_core::{FieldErrors, UserId};
use cm_http::{Body, Internal, IntoProblem, Problem, Query, Request, RequestError, Response};
use cm_store::{AvailabilityReader, BookingReader, DemandForecasts, PhotographerReader, StoreError};
use serde::Serialize;

/// How far ahead a session can be quoted: beyond any photographer's booking horizon.
pub const MAX_DAYS_AHEAD: i64 = 730;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("photographer {0} does not exist or is not listed")]
    NotFound(UserId),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Request(e) => e.to_problem(),
            Error::NotFound(id) => Problem::not_found(format!("no photographer with id `{id}`")),
            Error::Store(e) => store_problem(e),
            Error::Internal(_) => Problem::internal(),
        }
    }
}

struct Asked {
    start: DateTime<Utc>,
    duration: Option<BookingDuration>,
    package_id: Option<String>,
    event_type: Option<Specialization>,
}

fn read_query(req: &Request, now: DateTime<Utc>) -> Result<Asked, Error> {
    let mut q = Query::of(req);
    let start = q.text("start");
    let duration = q.text("duration_minutes");
    let package_id = q.text("package_id");
    let event_type =
        q.parse("event_type", &format!("one of: {}", Specialization::allowed_list()), Specialization::parse);
    q.finish(&["start", "duration_minutes", "package_id", "event_type"])?;
    let mut errors = FieldErrors::new();
    let start = check_start(start.as_deref(), now).map_err(|m| errors.add("start", m)).ok();
    let duration = match duration {
        None => None,
        Some(d) => d
            .parse::<i64>()
            .map_err(|_| "must be an integer".to_string())
            .and_then(parse_duration)
            .map_err(|m| errors.add("duration_minutes", m))
            .ok(),
    };
    match start {
        Some(start) if errors.is_empty() => Ok(Asked { start, duration, package_id, event_type }),
        _ => Err(RequestError::InvalidQuery(errors).into()),
    }
}

fn check_start(raw: Option<&str>, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let start = parse_instant(raw.ok_or("is required")?)?;
    if start <= now {
        Err("must be in the future".into())
    } else if start > now + TimeDelta::days(MAX_DAYS_AHEAD) {
        Err(format!("must be within {MAX_DAYS_AHEAD} days"))
    } else {
        Ok(start)
    }
}

#[derive(Serialize)]
struct FactorView {
    factor: cm_booking::pricing::FactorName,
    multiplier: f64,
    reason: String,
}

#[derive(Serialize)]
struct Bounds {
    floor: Money,
    ceiling: Money,
}

#[derive(Serialize)]
struct ForecastUsed {
    series: String,
    model: String,
    as_of: chrono::NaiveDate,
}

#[derive(Serialize)]
struct QuoteBody {
    quote_id: String,
    expires_at: DateTime<Utc>,
    photographer_id: UserId,
    start: DateTime<Utc>,
    duration_minutes: u32,
    package_id: Option<String>,
    event_type: Specialization,
    price: Money,
    base_price: Money,
    dynamic_pricing: bool,
    /// The product of the factors, before the bounds and rounding.
    multiplier: f64,
    factors: Vec<FactorView>,
    /// The bound that held the price, if one did.
    limit: Option<Limit>,
    bounds: Bounds,
    /// The forecast the demand factors read, if any.
    forecast: Option<ForecastUsed>,
}

fn thousandths(permille: u64) -> f64 {
    permille as f64 / 1000.0
}

/// The series a session's demand is read from, most specific first, with how each reads.
fn series(profile: &PhotographerProfile, event_type: Specialization) -> [(Segment, String); 4] {
    let city = &profile.city;
    let spec = event_type.as_str().replace('_', " ");
    [
        (Segment::new(Some(city), Some(event_type)), format!("{spec} sessions in {city}")),
        (Segment::new(Some(city), None), format!("sessions in {city}")),
        (Segment::new(None, Some(event_type)), format!("{spec} sessions on the platform")),
        (Segment::ALL, "sessions on the platform".to_string()),
    ]
}

/// The most specific forecast there is for the session, with how its series reads.
async fn forecast_for<S: DemandForecasts>(
    store: &S,
    profile: &PhotographerProfile,
    event_type: Specialization,
) -> Result<Option<(DemandForecast, String)>, StoreError> {
    for (segment, label) in series(profile, event_type) {
        if let Some(f) = store.get_forecast(&segment).await? {
            return Ok(Some((f, label)));
        }
    }
    Ok(None)
}

/// The photographer's week (Monday to Sunday in their zone) around the session: booked
/// minutes of the sessions holding time that week, and the working minutes.
async fn week_load<S: AvailabilityReader + BookingReader>(
    store: &S,
    photographer: UserId,
    start: DateTime<Utc>,
) -> Result<Option<(WeekLoad, chrono::NaiveDate)>, Error> {
    let Some(doc) = store.get_availability(photographer).await? else { return Ok(None) };
    // A stored document that no longer validates prices as if no hours were kept.
    let Ok(availability) = Availability::try_from(doc) else { return Ok(None) };
    let date = availability.local_date(start);
    let week = date.week(Weekday::Mon);
    let (monday, sunday) = (week.first_day(), week.last_day());
    let around =
        store.slot_holding_bookings(photographer, start - TimeDelta::days(8), start + TimeDelta::days(8)).await?;
    let booked_minutes = around
        .iter()
        .filter(|b| holds_slot(b.status) && (monday..=sunday).contains(&b.local_date))
        .map(|b| i64::from(b.duration_minutes))
        .sum();
    let working_minutes = availability.working_minutes(monday, sunday);
    Ok(Some((WeekLoad { booked_minutes, working_minutes }, date)))
}

pub async fn handle<S>(app: &App<S>, req: Request) -> Result<Response<Body>, Error>
where
    S: PhotographerReader + AvailabilityReader + BookingReader + DemandForecasts,
{
    let id: UserId = cm_http::path_param(&req, "id", "photographer")?;
    let now = app.now();
    let asked = read_query(&req, now)?;
    let record: PhotographerRecord = match app.store.get_photographer(id).await? {
        Some(r) if r.listed => r,
        _ => return Err(Error::NotFound(id)),
    };
    let profile = &record.profile;
    // The package and duration are query parameters here: a bad one is a bad query.
    let base = quote(profile, asked.package_id.as_deref(), asked.duration).map_err(RequestError::InvalidQuery)?;
    let event_type = asked.event_type.or(profile.specializations.first().copied()).unwrap_or(Specialization::Portrait);

    let settings = profile.dynamic_pricing;
    let (forecast, week) = if settings.enabled {
        let (f, w) = futures::try_join!(
            async { forecast_for(&app.store, profile, event_type).await.map_err(Error::from) },
            week_load(&app.store, id, asked.start)
        )?;
        (f, w)
    } else {
        (None, None)
    };
    let local_date = week.map_or(asked.start.date_naive(), |(_, d)| d);
    let (demand, no_demand_reason): (Option<DemandSignal>, String) = match &forecast {
        None => (None, "no demand forecast for this city or specialization yet".to_string()),
        Some((f, label)) => match demand_signal(f, local_date, label.clone()) {
            Some(s) => (Some(s), String::new()),
            None => (None, format!("beyond the {}-day demand forecast for {label}", f.points.len())),
        },
    };
    let priced: DynamicPrice = dynamic_price(&PricingInputs {
        base: base.price.clone(),
        settings,
        start: asked.start,
        local_date,
        now,
        demand,
        no_demand_reason,
        week: week.map(|(w, _)| w),
        rating: record.rating,
    });

    let terms = QuoteTerms {
        photographer_id: id,
        start: asked.start,
        duration_minutes: base.duration.minutes(),
        package_id: asked.package_id.clone(),
        event_type,
        price: priced.price.clone(),
        expires_at: now + QUOTE_VALIDITY,
    };
    let body = QuoteBody {
        quote_id: cm_app::quotes::seal(app, &terms)?,
        expires_at: terms.expires_at,
        photographer_id: id,
        start: asked.start,
        duration_minutes: terms.duration_minutes,
        package_id: asked.package_id,
        event_type,
        price: priced.price,
        base_price: priced.base,
        dynamic_pricing: settings.enabled,
        multiplier: thousandths(priced.permille),
        factors: priced
            .factors
            .into_iter()
            .map(|f| FactorView { factor: f.factor, multiplier: thousandths(u64::from(f.permille)), reason: f.reason })
            .collect(),
        limit: priced.limit,
        bounds: Bounds { floor: priced.floor, ceiling: priced.ceiling },
        forecast: forecast.map(|(f, series)| ForecastUsed { series, model: f.model, as_of: f.as_of }),
    };
    // A quote is an offer made now: `ok` answers `no-store`, so nothing between caches it.
    Ok(cm_http::ok(&body))
}
