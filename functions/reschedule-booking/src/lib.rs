//! `POST /bookings/{id}/reschedule` `{start, duration_minutes?}`: move a booking in one
//! transaction: the new slot is taken and the old one freed together, or nothing
//! changes. A client's move needs the photographer's confirmation again. A new duration
//! is priced as a new booking of that length would be (a package keeps its own
//! duration); the same duration keeps the agreed price. Once money is held on the
//! client's card or taken, the price is fixed: a new duration that would change it is
//! refused (409), and a move keeps it. The payments follow the move through
//! settle-payments (the balance falls due the terms' days before the new start).

use chrono::TimeDelta;
use cm_app::bookings::{
    TRAVEL_ATTEMPTS, booking_not_found, check_day_travel, day_busy_problem, rule_problem, stale_problem,
    transition_problem, visible_booking,
};
use cm_app::store_problem;
use cm_app::{App, AuthError};
use cm_booking::request::{parse_duration, parse_instant};
use cm_booking::view::view;
use cm_booking::{
    Availability, BookingDuration, DEFAULT_SUGGESTIONS, Quote, RuleViolation, Slot, TransitionError, booking_footprint,
    check_booking, nearest_starts, occupied_intervals, quote, reschedule,
};
use cm_core::{BookingId, FieldErrors};
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_store::bookings::BookingWriteError;
use cm_store::{
    AvailabilityReader, BookingReader, BookingWriter, BusyTimeReader, PaymentReader, PhotographerReader, StoreError,
    UserReader,
};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RescheduleInput {
    start: String,
    duration_minutes: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("invalid reschedule: {0}")]
    Invalid(#[from] FieldErrors),
    #[error("booking {0} does not exist or is not the caller's")]
    NotFound(BookingId),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("booking rule not met: {violation}")]
    Rule { violation: RuleViolation, suggestions: Vec<Slot> },
    #[error("the photographer no longer offers bookings")]
    PhotographerGone,
    #[error("the booking changed meanwhile")]
    Stale,
    #[error("the photographer's day changed during every attempt to move the booking there")]
    DayBusy,
    #[error("money is held or paid for this booking, so its price cannot change")]
    PriceFixed,
    #[error("stored booking or availability is invalid: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::Invalid(errors) => Problem::validation(errors.clone()),
            Error::NotFound(id) => booking_not_found(*id),
            Error::Transition(e) => transition_problem(e),
            Error::Rule { violation, suggestions } => rule_problem(violation, suggestions),
            Error::PhotographerGone => Problem::conflict(
                "photographer-unavailable",
                "Photographer unavailable",
                "the photographer no longer offers bookings, so the duration cannot change",
            ),
            Error::Stale => stale_problem(),
            Error::DayBusy => day_busy_problem(),
            Error::PriceFixed => Problem::conflict(
                "price-fixed",
                "Price fixed by payment",
                "money is held or paid for this booking at its agreed price: move it with its current duration, or cancel it and book again",
            ),
            Error::Corrupt(_) => Problem::internal(),
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S>(app: &App<S>, req: Request) -> Result<Response<Body>, Error>
where
    S: UserReader
        + PhotographerReader
        + AvailabilityReader
        + BookingReader
        + BookingWriter
        + PaymentReader
        + BusyTimeReader,
{
    let caller = cm_app::authenticate(app, &req).await?;
    let id: BookingId = cm_http::path_param(&req, "id", "booking")?;
    let input: RescheduleInput = cm_http::parse_json(&req)?;
    let mut errors = FieldErrors::new();
    let start = parse_instant(&input.start).map_err(|m| errors.add("start", m)).ok();
    let duration = input
        .duration_minutes
        .map(parse_duration)
        .transpose()
        .map_err(|m| errors.add("duration_minutes", m))
        .ok()
        .flatten();
    let (start, duration) = match errors.into_result((start, duration))? {
        (Some(start), duration) => (start, duration),
        (None, _) => return Err(FieldErrors::single("start", "is required").into()),
    };

    let (booking, actor) = visible_booking(&app.store, &caller, id).await?.ok_or(Error::NotFound(id))?;
    let now = app.now();
    let new_status = reschedule(booking.status, actor, &booking.transition_context(now))?;

    let current = BookingDuration::from_minutes(booking.duration_minutes)
        .ok_or_else(|| Error::Corrupt(format!("booking {id} has duration {}", booking.duration_minutes)))?;
    let quote = match duration {
        None => Quote { duration: current, price: booking.price.clone() },
        Some(d) if d == current => Quote { duration: current, price: booking.price.clone() },
        Some(d) => {
            let photographer = app.store.get_photographer(booking.photographer_id).await?;
            let profile = photographer.ok_or(Error::PhotographerGone)?.profile;
            quote(&profile, booking.package_id.as_deref(), Some(d))?
        }
    };
    if quote.price != booking.price && app.store.get_ledger(id).await?.is_some_and(|l| l.money_moved()) {
        return Err(Error::PriceFixed);
    }
    let doc = app
        .store
        .get_availability(booking.photographer_id)
        .await?
        .ok_or(Error::Rule { violation: RuleViolation::OutsideWorkingHours, suggestions: Vec::new() })?;
    let availability = Availability::try_from(doc).map_err(|e| Error::Corrupt(e.to_string()))?;
    // The booking's own slot does not count against its new time.
    let others: Vec<_> = app
        .store
        .slot_holding_bookings(booking.photographer_id, start - TimeDelta::days(1), start + TimeDelta::days(1))
        .await?
        .into_iter()
        .filter(|b| b.id != booking.id)
        .collect();
    let (from, to) = (start - TimeDelta::days(1), start + TimeDelta::days(1));
    let busy = cm_app::busy::busy_intervals(&app.store, booking.photographer_id, from, to).await?;
    let mut occupied = occupied_intervals(&others);
    occupied.extend_from_slice(&busy);
    if let Err(violation) = check_booking(&availability, &occupied, start, quote.duration.minutes(), now) {
        let suggestions = nearest_starts(&availability, &occupied, start, quote.duration, now, DEFAULT_SUGGESTIONS);
        return Err(Error::Rule { violation, suggestions });
    }
    let footprint = booking_footprint(&availability, start, quote.duration)
        .ok_or_else(|| FieldErrors::single("start", "is out of range"))?;
    let duration = quote.duration;
    let moved = booking.after_reschedule(&footprint, quote, new_status, actor, caller.id(), now);
    let mut attempts = 0;
    let result = loop {
        let travel = match check_day_travel(&app.store, &availability, &moved).await? {
            Ok(version) => version,
            Err(refused) => {
                let suggestions = refused.suggestions(&availability, &others, &busy, duration, now);
                return Err(Error::Rule { violation: refused.violation, suggestions });
            }
        };
        match app.store.reschedule_booking(&booking, &moved, travel).await {
            Err(BookingWriteError::DayChanged) if attempts < TRAVEL_ATTEMPTS => attempts += 1,
            result => break result,
        }
    };
    match result {
        Ok(()) => Ok(cm_http::ok(&view(&moved))),
        Err(BookingWriteError::Overlap) => {
            Err(Error::Rule { violation: RuleViolation::Overlap, suggestions: Vec::new() })
        }
        Err(BookingWriteError::DailyLimit) => Err(Error::Rule {
            violation: RuleViolation::DailyLimit { date: moved.local_date, limit: moved.daily_limit.unwrap_or(0) },
            suggestions: Vec::new(),
        }),
        Err(BookingWriteError::Stale) => Err(Error::Stale),
        Err(BookingWriteError::DayChanged) => Err(Error::DayBusy),
        Err(BookingWriteError::IdempotencyKeyTaken) => {
            Err(Error::Store(StoreError::Corrupt("a reschedule carries no idempotency key".into())))
        }
        Err(BookingWriteError::Store(e)) => Err(e.into()),
    }
}
