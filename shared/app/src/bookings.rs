//! How booking rules and refused changes read as problems, and which bookings a caller
//! may see: shared by every booking endpoint so they answer alike.

use crate::Caller;
use cm_booking::booking::Booking;
use cm_booking::{Actor, RuleViolation, Slot, TransitionError};
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
