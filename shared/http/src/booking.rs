//! What every booking endpoint shares: the answer's shape, who may see a booking, and
//! how broken rules and refused transitions read as problems.

use crate::{ApiError, App, Caller, Problem};
use chrono::{DateTime, SecondsFormat, Utc};
use cm_domain::BookingId;
use cm_domain::account::Role;
use cm_domain::location::Location;
use cm_domain::money::Money;
use cm_scheduling::{Actor, BookingStatus, OccupiedInterval, RuleViolation, Slot, TransitionError, UtcRange};
use cm_store::bookings::{Booking, HistoryEntry};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct LocalTimes {
    pub timezone: String,
    pub start: String,
    pub end: String,
}

/// A booking as its parties see it: UTC instants, plus the same instants on the
/// photographer's wall clock.
#[derive(Debug, Serialize)]
pub struct BookingView<'a> {
    pub id: BookingId,
    pub status: BookingStatus,
    pub client_id: String,
    pub photographer_id: String,
    pub package_id: &'a Option<String>,
    pub event_type: &'a str,
    pub start: String,
    pub end: String,
    pub duration_minutes: u32,
    pub local: LocalTimes,
    pub location: &'a Location,
    pub notes: &'a Option<String>,
    pub price: &'a Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    pub cancellation_window_hours: u32,
    pub sequence: u32,
    pub history: &'a [HistoryEntry],
    pub created_at: String,
    pub updated_at: String,
}

pub fn utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn local(t: DateTime<Utc>, zone: &str) -> String {
    match zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => t.with_timezone(&tz).to_rfc3339_opts(SecondsFormat::Secs, true),
        Err(_) => utc(t),
    }
}

pub fn view(b: &Booking) -> BookingView<'_> {
    BookingView {
        id: b.id,
        status: b.status,
        client_id: b.client_id.to_string(),
        photographer_id: b.photographer_id.to_string(),
        package_id: &b.package_id,
        event_type: &b.event_type,
        start: utc(b.start),
        end: utc(b.end),
        duration_minutes: b.duration_minutes,
        local: LocalTimes {
            timezone: b.timezone.clone(),
            start: local(b.start, &b.timezone),
            end: local(b.end, &b.timezone),
        },
        location: &b.location,
        notes: &b.notes,
        price: &b.price,
        expires_at: (b.status == BookingStatus::Pending).then(|| utc(b.expires_at)),
        cancellation_window_hours: b.cancellation_window_hours,
        sequence: b.sequence,
        history: &b.history,
        created_at: utc(b.created_at),
        updated_at: utc(b.updated_at),
    }
}

/// The caller's part in a booking; `None` when they have none.
pub fn actor_for(caller: &Caller, b: &Booking) -> Option<Actor> {
    if caller.id() == b.client_id {
        Some(Actor::Client)
    } else if caller.id() == b.photographer_id {
        Some(Actor::Photographer)
    } else if caller.role() == Role::Admin {
        Some(Actor::Admin)
    } else {
        None
    }
}

/// Loads a booking the caller may see. Anyone else gets the same 404 as for a booking
/// that does not exist, so ids cannot be probed.
pub async fn load_visible(app: &App, caller: &Caller, id: BookingId) -> Result<(Booking, Actor), ApiError> {
    let not_found = || ApiError::NotFound(format!("no booking with id `{id}`"));
    let booking = app.store.get_booking(id).await?.ok_or_else(not_found)?;
    let actor = actor_for(caller, &booking).ok_or_else(not_found)?;
    Ok((booking, actor))
}

/// 409 naming the broken rule, with the nearest starts that would work.
pub fn rule_problem(violation: &RuleViolation, suggestions: &[Slot]) -> ApiError {
    let problem = Problem::new(
        409,
        &format!("booking-rule/{}", violation.code().replace('_', "-")),
        "Booking rule not met",
        violation.to_string(),
    )
    .with_extension("rule", serde_json::json!(violation.code()))
    .with_extension("suggested_starts", serde_json::to_value(suggestions).unwrap_or_default());
    ApiError::Conflict(Box::new(problem))
}

pub fn transition_problem(e: &TransitionError) -> ApiError {
    match e {
        TransitionError::ActorNotAllowed { .. } => ApiError::Forbidden(e.to_string()),
        TransitionError::ReasonRequired | TransitionError::ReasonTooLong { .. } => {
            ApiError::Validation(cm_domain::FieldErrors::single("reason", e.to_string()))
        }
        _ => ApiError::Conflict(Box::new(
            Problem::new(
                409,
                &format!("booking-transition/{}", e.code().replace('_', "-")),
                "Transition not allowed",
                e.to_string(),
            )
            .with_extension("code", serde_json::json!(e.code())),
        )),
    }
}

pub fn stale() -> ApiError {
    ApiError::conflict(
        "booking-changed",
        "Booking changed",
        "the booking changed while this request was processed; reload it and retry",
    )
}

/// Existing bookings as the rules see them: exactly the lock blocks each one holds in
/// the table, whatever the photographer's buffers are today.
pub fn occupied_intervals(bookings: &[Booking]) -> Vec<OccupiedInterval> {
    bookings
        .iter()
        .filter_map(|b| {
            let first = *b.lock_blocks.iter().min()?;
            let last = *b.lock_blocks.iter().max()?;
            let block = i64::from(cm_scheduling::BLOCK_MINUTES) * 60;
            let from = DateTime::from_timestamp(first.checked_mul(block)?, 0)?;
            let to = DateTime::from_timestamp(last.checked_add(1)?.checked_mul(block)?, 0)?;
            Some(OccupiedInterval { booking_start: b.start, occupied: UtcRange::new(from, to)? })
        })
        .collect()
}
