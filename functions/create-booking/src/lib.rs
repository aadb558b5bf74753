//! `POST /bookings`: a client requests a session. The request is checked against every
//! availability rule for a helpful answer, but the guarantee against double booking is
//! the DynamoDB transaction behind `BookingWriter::create_booking`: whoever loses a race
//! for a lock block gets 409, however many requests race.

use chrono::{DateTime, TimeDelta, Utc};
use cm_accounts::Role;
use cm_app::bookings::{TRAVEL_ATTEMPTS, check_day_travel, day_busy_problem, rule_problem};
use cm_app::idempotency::{ReplayError, idempotency_key, key_reused_problem, replay, request_hash};
use cm_app::quotes;
use cm_app::store_problem;
use cm_app::{App, AuthError, Caller};
use cm_booking::booking::Booking;
use cm_booking::idempotency::IdempotentResponse;
use cm_booking::pricing::QuoteRefusal;
use cm_booking::request::{BookingRequest, BookingRequestInput};
use cm_booking::view::view;
use cm_booking::{
    Availability, DEFAULT_SUGGESTIONS, RuleViolation, Slot, booking_footprint, check_booking, nearest_starts,
    occupied_intervals, quote,
};
use cm_core::FieldErrors;
use cm_geo::Point;
use cm_http::{Body, Internal, IntoProblem, Problem, Request, RequestError, Response};
use cm_store::bookings::BookingWriteError;
use cm_store::{
    AvailabilityReader, BookingReader, BookingWriter, BusyTimeReader, PhotographerReader, StoreError, UserReader,
};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("invalid booking request: {0}")]
    Invalid(#[from] FieldErrors),
    /// A rule the request breaks, with the nearest starts that would work.
    #[error("booking rule not met: {violation}")]
    Rule { violation: RuleViolation, suggestions: Vec<Slot> },
    #[error(transparent)]
    Replay(#[from] ReplayError),
    /// A concurrent request with the same key has not committed yet.
    #[error("a request with this Idempotency-Key is in progress")]
    InProgress,
    /// The photographer's day kept changing under the travel check.
    #[error("the photographer's day changed during every attempt to book it")]
    DayBusy,
    #[error("the quote_id is not a quote this platform issued")]
    QuoteNotOurs,
    #[error(transparent)]
    QuoteRefused(#[from] QuoteRefusal),
    #[error("this photographer's prices follow demand: a quote_id is required")]
    QuoteRequired,
    #[error("stored availability is invalid: {0}")]
    CorruptAvailability(FieldErrors),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::Invalid(errors) => Problem::validation(errors.clone()),
            Error::Rule { violation, suggestions } => rule_problem(violation, suggestions),
            Error::Replay(ReplayError::KeyReused) => key_reused_problem(),
            Error::InProgress => Problem::conflict(
                "idempotent-request-in-progress",
                "Request in progress",
                "a request with this Idempotency-Key is being processed; retry shortly",
            ),
            Error::DayBusy => day_busy_problem(),
            Error::QuoteNotOurs => quotes::not_ours_problem(),
            Error::QuoteRefused(r) => quotes::refusal_problem(r),
            Error::QuoteRequired => quotes::quote_required_problem(),
            Error::Replay(ReplayError::Internal(_)) | Error::CorruptAvailability(_) | Error::Internal(_) => {
                Problem::internal()
            }
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S>(app: &App<S>, req: Request) -> Result<Response<Body>, Error>
where
    S: UserReader + PhotographerReader + AvailabilityReader + BookingReader + BookingWriter + BusyTimeReader,
{
    let caller = cm_app::authenticate_as(app, &req, &[Role::Client]).await?;
    let key = idempotency_key(&req)?;
    let input: BookingRequestInput = cm_http::parse_json(&req)?;
    let hash = request_hash(&req);
    if let Some(stored) = stored_answer(app, &caller, key.as_deref()).await? {
        return Ok(replay(&stored, &hash, "/bookings/")?);
    }
    let request = input.validate()?;
    let now = app.now();

    let photographer = match app.store.get_photographer(request.photographer_id).await? {
        Some(p) if p.listed => p,
        _ => return Err(FieldErrors::single("photographer_id", "no such photographer").into()),
    };
    let quote = quote(&photographer.profile, request.package_id.as_deref(), request.duration)?;
    // The price is the quote's when there is one: what the client was shown and agreed to.
    let quote = match request.quote_id.as_deref() {
        Some(id) => quotes::open(app, id)?.ok_or(Error::QuoteNotOurs)?.honour(&request, quote.duration, now)?,
        None if photographer.profile.dynamic_pricing.enabled => return Err(Error::QuoteRequired),
        None => quote,
    };
    // A place given with coordinates must be one the photographer travels to.
    if let Some(at) = request.location.lat.zip(request.location.lon).and_then(|(lat, lon)| Point::new(lat, lon)) {
        photographer.profile.serves(at).map_err(|e| FieldErrors::single("location", e.to_string()))?;
    }
    let Some(doc) = app.store.get_availability(request.photographer_id).await? else {
        return Err(Error::Rule { violation: RuleViolation::OutsideWorkingHours, suggestions: Vec::new() });
    };
    let availability = Availability::try_from(doc).map_err(Error::CorruptAvailability)?;

    let window = holding_window(&request);
    let existing = app.store.slot_holding_bookings(request.photographer_id, window.0, window.1).await?;
    // The photographer's external calendars: busy there is taken here (never a booking
    // for the daily limit, never named to the client).
    let busy = cm_app::busy::busy_intervals(&app.store, request.photographer_id, window.0, window.1).await?;
    let mut occupied = occupied_intervals(&existing);
    occupied.extend_from_slice(&busy);
    if let Err(violation) = check_booking(&availability, &occupied, request.start, quote.duration.minutes(), now) {
        // A concurrent retry of this very request may have committed since we looked:
        // its booking is not a conflict with itself.
        if let Some(stored) = stored_answer(app, &caller, key.as_deref()).await? {
            return Ok(replay(&stored, &hash, "/bookings/")?);
        }
        let suggestions =
            nearest_starts(&availability, &occupied, request.start, quote.duration, now, DEFAULT_SUGGESTIONS);
        return Err(Error::Rule { violation, suggestions });
    }

    let footprint = booking_footprint(&availability, request.start, quote.duration)
        .ok_or_else(|| FieldErrors::single("start", "is out of range"))?;
    let duration = quote.duration;
    let terms = photographer.profile.payment_terms(request.package_id.as_deref(), app.platform_terms);
    let booking = Booking::request(caller.id(), &request, &availability, &footprint, quote, terms, now);
    let body = serde_json::to_string(&view(&booking)).map_err(Internal::new)?;
    let stored = IdempotentResponse { request_hash: hash.clone(), status: 201, body: body.clone(), created_at: now };
    let mut attempts = 0;
    let result = loop {
        // The day's places as the transaction will find them, unless its version moved.
        let travel = match check_day_travel(&app.store, &availability, &booking).await? {
            Ok(version) => version,
            Err(refused) => {
                if let Some(stored) = stored_answer(app, &caller, key.as_deref()).await? {
                    return Ok(replay(&stored, &hash, "/bookings/")?);
                }
                let suggestions = refused.suggestions(&availability, &existing, &busy, duration, now);
                return Err(Error::Rule { violation: refused.violation, suggestions });
            }
        };
        match app.store.create_booking(&booking, key.as_deref().map(|k| (k, &stored)), travel).await {
            Err(BookingWriteError::DayChanged) if attempts < TRAVEL_ATTEMPTS => attempts += 1,
            result => break result,
        }
    };
    match result {
        Ok(()) => created(&booking, body),
        Err(BookingWriteError::Overlap | BookingWriteError::DailyLimit)
            if let Some(stored) = stored_answer(app, &caller, key.as_deref()).await? =>
        {
            Ok(replay(&stored, &hash, "/bookings/")?)
        }
        Err(BookingWriteError::Overlap) => {
            // Lost a race: offer what is still free now.
            let existing = app.store.slot_holding_bookings(request.photographer_id, window.0, window.1).await?;
            let mut occupied = occupied_intervals(&existing);
            occupied.extend_from_slice(&busy);
            let suggestions =
                nearest_starts(&availability, &occupied, request.start, duration, now, DEFAULT_SUGGESTIONS);
            Err(Error::Rule { violation: RuleViolation::Overlap, suggestions })
        }
        Err(BookingWriteError::DailyLimit) => Err(Error::Rule {
            violation: RuleViolation::DailyLimit { date: booking.local_date, limit: booking.daily_limit.unwrap_or(0) },
            suggestions: Vec::new(),
        }),
        Err(BookingWriteError::IdempotencyKeyTaken) => match stored_answer(app, &caller, key.as_deref()).await? {
            Some(stored) => Ok(replay(&stored, &hash, "/bookings/")?),
            // The other request's transaction collided with ours and has not committed.
            None => Err(Error::InProgress),
        },
        // A new booking has no earlier version to be stale against.
        Err(BookingWriteError::Stale) => Err(Internal::new("a new booking was reported stale").into()),
        Err(BookingWriteError::DayChanged) => Err(Error::DayBusy),
        Err(BookingWriteError::Store(e)) => Err(e.into()),
    }
}

/// Bookings that can touch the requested time: starting up to a day either side.
fn holding_window(request: &BookingRequest) -> (DateTime<Utc>, DateTime<Utc>) {
    (request.start - TimeDelta::days(1), request.start + TimeDelta::days(1))
}

/// The answer stored for this caller's key, unless it has expired: an expired key is
/// free again, whether or not DynamoDB's TTL sweeper has removed it yet.
async fn stored_answer<S: BookingWriter>(
    app: &App<S>,
    caller: &Caller,
    key: Option<&str>,
) -> Result<Option<IdempotentResponse>, StoreError> {
    let Some(k) = key else { return Ok(None) };
    let now = app.now();
    Ok(app.store.get_idempotent_response(caller.id(), k).await?.filter(|stored| stored.expires_at() > now))
}

fn created(booking: &Booking, body: String) -> Result<Response<Body>, Error> {
    Response::builder()
        .status(201)
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .header("location", format!("/bookings/{}", booking.id))
        .body(Body::Text(body))
        .map_err(|e| Internal::new(e).into())
}
