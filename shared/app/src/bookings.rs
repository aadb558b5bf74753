//! How booking rules and refused changes read as problems, and which bookings a caller
//! may see: shared by every booking endpoint so they answer alike.

use crate::Caller;
use chrono::{DateTime, Utc};
use cm_booking::booking::Booking;
use cm_booking::travel::{Place, reachable_slots};
use cm_booking::{
    Actor, Availability, BookingDuration, DEFAULT_SUGGESTIONS, RuleViolation, Slot, TransitionError, nearest_starts,
    occupied_intervals,
};
use cm_core::{BookingId, FieldErrors};
use cm_http::Problem;
use cm_store::{BookingReader, StoreError};

/// 409 naming the broken rule, with the nearest starts that would work.
pub fn rule_problem(violation: &RuleViolation, suggestions: &[Slot]) -> Problem {
    Problem::new(
        409,
        &format!("booking-rule/{}", violation.code().replace('_', "-")),
        "Booking rule not met",
        violation.to_string(),
    )
    .with_extension("rule", serde_json::json!(violation.code()))
    .with_extension("suggested_starts", serde_json::to_value(suggestions).unwrap_or_default())
}

/// The nearest starts that neither overlap nor leave too little time to travel to and
/// from the photographer's other located sessions of their day.
pub fn travel_suggestions(
    availability: &Availability,
    existing: &[Booking],
    day: &[Place],
    place: &Place,
    requested: DateTime<Utc>,
    duration: BookingDuration,
    now: DateTime<Utc>,
) -> Vec<Slot> {
    let wide =
        nearest_starts(availability, &occupied_intervals(existing), requested, duration, now, 4 * DEFAULT_SUGGESTIONS);
    // The day item is authoritative for its date; the index read covers the dates around.
    let mut others: Vec<Place> = day.to_vec();
    others.extend(existing.iter().filter_map(Place::of).filter(|p| day.iter().all(|d| d.booking != p.booking)));
    let Some(at) = place.point() else { return Vec::new() };
    let mut reachable = reachable_slots(wide, at, &others, availability);
    reachable.truncate(DEFAULT_SUGGESTIONS);
    reachable
}

/// A booking that lost the race for its day's places on every retry: other located
/// bookings of that day kept committing. Nothing was written; trying again is safe.
pub fn day_busy_problem() -> Problem {
    Problem::conflict(
        "day-busy",
        "Day busy",
        "the photographer's day changed while this booking was checked for travel time; try again",
    )
}

/// A lifecycle refusal: not yours to make (403), a bad reason (422), or not possible
/// in this state or at this time (409, with the rule's code).
pub fn transition_problem(e: &TransitionError) -> Problem {
    let conflict = || {
        Problem::new(
            409,
            &format!("booking-transition/{}", e.code().replace('_', "-")),
            "Transition not allowed",
            e.to_string(),
        )
        .with_extension("code", serde_json::json!(e.code()))
    };
    match e {
        TransitionError::ActorNotAllowed { .. } => Problem::forbidden(e.to_string()),
        TransitionError::ReasonRequired | TransitionError::ReasonTooLong { .. } => {
            Problem::validation(FieldErrors::single("reason", e.to_string()))
        }
        TransitionError::Illegal { .. }
        | TransitionError::TooEarly { .. }
        | TransitionError::TooLate { .. }
        | TransitionError::InsideCancellationWindow { .. }
        | TransitionError::NotReschedulable { .. } => conflict(),
    }
}

/// The booking changed between our read and our write (another tab, another party).
pub fn stale_problem() -> Problem {
    Problem::new(
        409,
        "booking-changed",
        "Booking changed",
        "the booking changed while this request was processed; reload it and retry",
    )
}

pub fn booking_not_found(id: BookingId) -> Problem {
    Problem::not_found(format!("no booking with id `{id}`"))
}

/// The booking and the caller's part in it, if the caller may see it. Anyone else gets
/// the same `None` as for a booking that does not exist, so ids cannot be probed.
pub async fn visible_booking<S: BookingReader>(
    store: &S,
    caller: &Caller,
    id: BookingId,
) -> Result<Option<(Booking, Actor)>, StoreError> {
    Ok(store.get_booking(id).await?.and_then(|b| {
        let actor = b.party_of(caller.id(), caller.is_admin())?;
        Some((b, actor))
    }))
}
