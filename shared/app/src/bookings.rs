//! How booking rules and refused changes read as problems, and which bookings a caller
//! may see: shared by every booking endpoint so they answer alike.

use crate::Caller;
use chrono::{DateTime, Utc};
use cm_booking::booking::Booking;
use cm_booking::travel::{Place, check_travel, reachable_slots};
use cm_booking::{
    Actor, Availability, BookingDuration, DEFAULT_SUGGESTIONS, OccupiedInterval, RuleViolation, Slot, TransitionError,
    nearest_starts, occupied_intervals,
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

/// How often a booking write re-reads a day whose places changed under it before giving
/// up with `day_busy_problem`. Each retry means another located booking of that day
/// committed meanwhile, so the loop ends quickly in practice.
pub const TRAVEL_ATTEMPTS: u32 = 4;

/// A located session that the day, as read, leaves no time to travel to or from.
pub struct TravelRefused {
    pub violation: RuleViolation,
    /// Where the session was asked for, and the day's places as read: for suggestions.
    pub place: Place,
    pub day: Vec<Place>,
}

impl TravelRefused {
    /// The nearest starts that neither overlap `existing` (the bookings around, pending
    /// or confirmed) or `busy` (external calendars' busy time) nor leave too little time to travel to and from the other located
    /// sessions of their day.
    pub fn suggestions(
        &self,
        availability: &Availability,
        existing: &[Booking],
        busy: &[OccupiedInterval],
        duration: BookingDuration,
        now: DateTime<Utc>,
    ) -> Vec<Slot> {
        let Some(at) = self.place.point() else { return Vec::new() };
        let mut occupied = occupied_intervals(existing);
        occupied.extend_from_slice(busy);
        let wide = nearest_starts(availability, &occupied, self.place.start, duration, now, 4 * DEFAULT_SUGGESTIONS);
        // The day item is authoritative for its date; the index read covers the dates around.
        let mut others = self.day.clone();
        let day = &self.day;
        others.extend(existing.iter().filter_map(Place::of).filter(|p| day.iter().all(|d| d.booking != p.booking)));
        let mut reachable = reachable_slots(wide, at, &others, availability);
        reachable.truncate(DEFAULT_SUGGESTIONS);
        reachable
    }
}

/// Reads `b`'s day with a consistent read and checks the journeys to and from its other
/// located sessions: the day version the write must be conditioned on (`None` when `b`
/// has no coordinates, so nothing to check or guard), or why it cannot go there.
pub async fn check_day_travel<S: BookingReader>(
    store: &S,
    availability: &Availability,
    b: &Booking,
) -> Result<Result<Option<u64>, TravelRefused>, StoreError> {
    let Some(place) = Place::of(b) else { return Ok(Ok(None)) };
    let day = store.day_places(b.photographer_id, b.local_date).await?;
    Ok(match check_travel(&place, &day.places, availability.buffers(), availability.travel_speed_kmh()) {
        Ok(()) => Ok(Some(day.version)),
        Err(conflict) => Err(TravelRefused { violation: conflict.into(), place, day: day.places }),
    })
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
