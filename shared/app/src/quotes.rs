//! Price quotes: a session priced with every factor read from the store (the quote and
//! the photographer's preview of their settings share it), and quotes as clients hold
//! them: the quoted terms sealed with the quote key, so `POST /bookings` can trust a
//! price it did not compute itself. The seal's scope carries a version: terms of a new
//! shape get a new scope, and old quotes simply stop opening (they expire within the
//! half hour anyway).

use crate::App;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc, Weekday};
use cm_booking::analytics::{DemandForecast, Segment};
use cm_booking::pricing::dynamic::{DemandSignal, WeekLoad, demand_signal};
use cm_booking::pricing::{DynamicPrice, FactorName, Limit, PricingInputs, QuoteRefusal, QuoteTerms, dynamic_price};
use cm_booking::request::{parse_duration, parse_instant};
use cm_booking::{Availability, BookingDuration, holds_slot, quote};
use cm_catalog::PhotographerRecord;
use cm_catalog::photographer::{DynamicPricing, PhotographerProfile, Specialization};
use cm_core::money::Money;
use cm_core::{FieldErrors, UserId};
use cm_http::{Internal, Problem, Query};
use cm_store::{AvailabilityReader, BookingReader, DemandForecasts, StoreError};
use serde::Serialize;

const SCOPE: &str = "quote/v1";

pub fn seal<S>(app: &App<S>, terms: &QuoteTerms) -> Result<String, Internal> {
    app.quotes()?.seal(SCOPE, terms)
}

/// The terms of a quote this platform issued; `None` for anything else (made up,
/// altered, or sealed with a key since retired).
pub fn open<S>(app: &App<S>, quote_id: &str) -> Result<Option<QuoteTerms>, Internal> {
    Ok(app.quotes()?.open(SCOPE, quote_id.trim()))
}

/// 422 for a `quote_id` that is not one of ours.
pub fn not_ours_problem() -> Problem {
    Problem::new(422, "quote-invalid", "Quote not valid", "`quote_id` is not a quote this platform issued")
        .with_errors(FieldErrors::single("quote_id", "is not a quote this platform issued"))
}

/// 422 for a quote that expired or is for another session.
pub fn refusal_problem(r: &QuoteRefusal) -> Problem {
    let (kind, title) = match r {
        QuoteRefusal::Expired(_) => ("quote-expired", "Quote expired"),
        QuoteRefusal::OtherSession(_) => ("quote-mismatch", "Quote for another session"),
    };
    Problem::new(422, kind, title, r.to_string()).with_errors(FieldErrors::single("quote_id", r.to_string()))
}

/// 422 for a booking without a quote with a photographer whose prices follow demand:
/// the client must have seen the price they agree to.
pub fn quote_required_problem() -> Problem {
    Problem::validation(FieldErrors::single(
        "quote_id",
        "is required: this photographer's prices follow demand; get one from GET /photographers/{id}/quote",
    ))
}

/// The session a quote or a preview prices, as the query asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub start: DateTime<Utc>,
    pub duration: Option<BookingDuration>,
    pub package_id: Option<String>,
    pub event_type: Option<Specialization>,
}

/// The session's parameters, read (the query's own errors stay in the query until
/// [`Query::finish`]); [`AskedSession::check`] then judges them.
pub struct AskedSession {
    start: Option<String>,
    duration: Option<String>,
    package_id: Option<String>,
    event_type: Option<Specialization>,
}

/// The parameters [`read_session`] reads.
pub const SESSION_PARAMS: [&str; 4] = ["start", "duration_minutes", "package_id", "event_type"];

/// How far ahead a session can be priced: beyond any photographer's booking horizon.
pub const MAX_DAYS_AHEAD: i64 = 730;

pub fn read_session(q: &mut Query) -> AskedSession {
    AskedSession {
        start: q.text("start"),
        duration: q.text("duration_minutes"),
        package_id: q.text("package_id"),
        event_type: q.parse(
            "event_type",
            &format!("one of: {}", Specialization::allowed_list()),
            Specialization::parse,
        ),
    }
}

impl AskedSession {
    pub fn check(self, now: DateTime<Utc>) -> Result<Session, FieldErrors> {
        let mut errors = FieldErrors::new();
        let start = check_start(self.start.as_deref(), now).map_err(|m| errors.add("start", m)).ok();
        let duration = match self.duration {
            None => None,
            Some(d) => d
                .parse::<i64>()
                .map_err(|_| "must be an integer".to_string())
                .and_then(parse_duration)
                .map_err(|m| errors.add("duration_minutes", m))
                .ok(),
        };
        match start {
            Some(start) if errors.is_empty() => {
                Ok(Session { start, duration, package_id: self.package_id, event_type: self.event_type })
            }
            _ => Err(errors),
        }
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
/// minutes of the sessions holding time that week, and the working minutes; with the
/// session's local date.
async fn week_load<S: AvailabilityReader + BookingReader>(
    store: &S,
    photographer: UserId,
    start: DateTime<Utc>,
) -> Result<Option<(WeekLoad, NaiveDate)>, StoreError> {
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

/// Why a session cannot be priced.
#[derive(Debug, thiserror::Error)]
pub enum PricingError {
    /// A package the photographer does not offer, or a duration it does not take.
    #[error("invalid session: {0}")]
    Session(FieldErrors),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A session priced under `settings` (the photographer's own, or those previewed).
pub struct Priced {
    pub duration: BookingDuration,
    pub event_type: Specialization,
    pub price: DynamicPrice,
    /// The forecast the demand factors read, with how its series reads.
    pub forecast: Option<(DemandForecast, String)>,
}

/// Reads what the factors need (only with `settings` on: off, the base price is the
/// price) and prices the session.
pub async fn price_session<S>(
    app: &App<S>,
    record: &PhotographerRecord,
    session: &Session,
    settings: DynamicPricing,
) -> Result<Priced, PricingError>
where
    S: AvailabilityReader + BookingReader + DemandForecasts,
{
    let profile = &record.profile;
    let base = quote(profile, session.package_id.as_deref(), session.duration).map_err(PricingError::Session)?;
    let event_type =
        session.event_type.or(profile.specializations.first().copied()).unwrap_or(Specialization::Portrait);
    let (forecast, week) = if settings.enabled {
        futures::try_join!(
            forecast_for(&app.store, profile, event_type),
            week_load(&app.store, record.id, session.start)
        )?
    } else {
        (None, None)
    };
    let local_date = week.map_or(session.start.date_naive(), |(_, d)| d);
    let (demand, no_demand_reason): (Option<DemandSignal>, String) = match &forecast {
        None => (None, "no demand forecast for this city or specialization yet".to_string()),
        Some((f, label)) => match demand_signal(f, local_date, label.clone()) {
            Some(s) => (Some(s), String::new()),
            None => (None, format!("beyond the {}-day demand forecast for {label}", f.points.len())),
        },
    };
    let price = dynamic_price(&PricingInputs {
        base: base.price,
        settings,
        start: session.start,
        local_date,
        now: app.now(),
        demand,
        no_demand_reason,
        week: week.map(|(w, _)| w),
        rating: record.rating,
    });
    Ok(Priced { duration: base.duration, event_type, price, forecast })
}

#[derive(Debug, Serialize)]
pub struct FactorView {
    pub factor: FactorName,
    pub multiplier: f64,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct Bounds {
    pub floor: Money,
    pub ceiling: Money,
}

#[derive(Debug, Serialize)]
pub struct ForecastUsed {
    pub series: String,
    pub model: String,
    pub as_of: NaiveDate,
}

/// A priced session as the API shows it: a quote (with its `quote_id`) or a preview.
#[derive(Debug, Serialize)]
pub struct PriceView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    pub photographer_id: UserId,
    pub start: DateTime<Utc>,
    pub duration_minutes: u32,
    pub package_id: Option<String>,
    pub event_type: Specialization,
    pub price: Money,
    pub base_price: Money,
    pub dynamic_pricing: bool,
    /// The product of the factors, before the bounds and rounding.
    pub multiplier: f64,
    pub factors: Vec<FactorView>,
    /// The bound that held the price, if one did.
    pub limit: Option<Limit>,
    pub bounds: Bounds,
    /// The forecast the demand factors read, if any.
    pub forecast: Option<ForecastUsed>,
}

fn thousandths(permille: u64) -> f64 {
    permille as f64 / 1000.0
}

impl PriceView {
    pub fn new(photographer: UserId, session: &Session, settings: DynamicPricing, priced: Priced) -> PriceView {
        let p = priced.price;
        PriceView {
            quote_id: None,
            expires_at: None,
            photographer_id: photographer,
            start: session.start,
            duration_minutes: priced.duration.minutes(),
            package_id: session.package_id.clone(),
            event_type: priced.event_type,
            price: p.price,
            base_price: p.base,
            dynamic_pricing: settings.enabled,
            multiplier: thousandths(p.permille),
            factors: p
                .factors
                .into_iter()
                .map(|f| FactorView {
                    factor: f.factor,
                    multiplier: thousandths(u64::from(f.permille)),
                    reason: f.reason,
                })
                .collect(),
            limit: p.limit,
            bounds: Bounds { floor: p.floor, ceiling: p.ceiling },
            forecast: priced.forecast.map(|(f, series)| ForecastUsed { series, model: f.model, as_of: f.as_of }),
        }
    }

    /// The terms a quote of this view seals.
    pub fn terms(&self, expires_at: DateTime<Utc>) -> QuoteTerms {
        QuoteTerms {
            photographer_id: self.photographer_id,
            start: self.start,
            duration_minutes: self.duration_minutes,
            package_id: self.package_id.clone(),
            event_type: self.event_type,
            price: self.price.clone(),
            expires_at,
        }
    }
}
