//! The booking lifecycle: who may move a booking between statuses, and when. The
//! state diagram and the decisions behind it are in the crate documentation.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

/// A pending booking lapses this long after it was requested (or at its start, if sooner).
pub const DEFAULT_PENDING_EXPIRY_HOURS: i64 = 48;
pub const MAX_REASON_CHARS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Pending,
    Confirmed,
    Declined,
    Cancelled,
    Completed,
    Expired,
}

impl BookingStatus {
    pub const ALL: [BookingStatus; 6] =
        [Self::Pending, Self::Confirmed, Self::Declined, Self::Cancelled, Self::Completed, Self::Expired];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Declined => "declined",
            Self::Cancelled => "cancelled",
            Self::Completed => "completed",
            Self::Expired => "expired",
        }
    }

    pub fn is_terminal(self) -> bool {
        !holds_slot(self)
    }
}

impl fmt::Display for BookingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Pending and confirmed bookings keep their lock blocks and day count.
pub fn holds_slot(status: BookingStatus) -> bool {
    matches!(status, BookingStatus::Pending | BookingStatus::Confirmed)
}

/// Entering any other status releases the lock blocks and decrements the day count.
pub fn frees_slot(status: BookingStatus) -> bool {
    !holds_slot(status)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    Client,
    Photographer,
    Admin,
    /// Scheduled jobs (expiry sweeps).
    System,
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Client => "client",
            Self::Photographer => "photographer",
            Self::Admin => "admin",
            Self::System => "system",
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the rules need to know about the booking and the moment of the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionContext {
    pub now: DateTime<Utc>,
    /// When the booking last entered `pending` (creation, or a client's reschedule).
    pub requested_at: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The photographer's cancellation window, as it applied to this booking.
    pub cancellation_window: TimeDelta,
    pub pending_expiry: TimeDelta,
    pub reason: Option<String>,
}

impl TransitionContext {
    /// A context with the default pending expiry and no reason.
    pub fn new(
        now: DateTime<Utc>,
        requested_at: DateTime<Utc>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        cancellation_window: TimeDelta,
    ) -> Self {
        Self {
            now,
            requested_at,
            start,
            end,
            cancellation_window,
            pending_expiry: TimeDelta::hours(DEFAULT_PENDING_EXPIRY_HOURS),
            reason: None,
        }
    }

    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// A pending booking lapses at `requested_at + pending_expiry`, or at its start if
    /// that comes first: nobody can confirm a session that has already begun.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.requested_at.checked_add_signed(self.pending_expiry).map_or(self.start, |at| at.min(self.start))
    }
}

/// An accepted status change, ready to persist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub from: BookingStatus,
    pub to: BookingStatus,
    pub actor: Actor,
    pub at: DateTime<Utc>,
    /// Trimmed; present for cancellations and optional for declines.
    pub reason: Option<String>,
    /// Whether the writer must release the lock blocks and the day count.
    pub frees_slot: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a {from} booking cannot become {to}")]
    Illegal { from: BookingStatus, to: BookingStatus },
    #[error("a {actor} may not {action} this booking")]
    ActorNotAllowed { actor: Actor, action: &'static str },
    #[error("a reason is required")]
    ReasonRequired,
    #[error("the reason must be at most {max} characters")]
    ReasonTooLong { max: usize },
    #[error("this is only possible from {not_before}")]
    TooEarly { not_before: DateTime<Utc> },
    #[error("this was only possible until {deadline}")]
    TooLate { deadline: DateTime<Utc> },
    #[error("clients cannot cancel or reschedule a confirmed booking within {window_hours} hours of its start")]
    InsideCancellationWindow { window_hours: i64 },
    #[error("a {status} booking cannot be rescheduled")]
    NotReschedulable { status: BookingStatus },
}

impl TransitionError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Illegal { .. } => "illegal_transition",
            Self::ActorNotAllowed { .. } => "actor_not_allowed",
            Self::ReasonRequired => "reason_required",
            Self::ReasonTooLong { .. } => "reason_too_long",
            Self::TooEarly { .. } => "too_early",
            Self::TooLate { .. } => "too_late",
            Self::InsideCancellationWindow { .. } => "inside_cancellation_window",
            Self::NotReschedulable { .. } => "not_reschedulable",
        }
    }
}

/// `{"code": "...", "message": "..."}`.
impl Serialize for TransitionError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("TransitionError", 2)?;
        state.serialize_field("code", self.code())?;
        state.serialize_field("message", &self.to_string())?;
        state.end()
    }
}

/// Validates moving a booking from `current` to `requested` on behalf of `actor`.
/// Errors are checked in order: the edge exists, the actor may take it, the reason,
/// then timing.
pub fn transition(
    current: BookingStatus,
    requested: BookingStatus,
    actor: Actor,
    ctx: &TransitionContext,
) -> Result<Transition, TransitionError> {
    let (action, actors) = edge(current, requested).ok_or(TransitionError::Illegal { from: current, to: requested })?;
    if !actors.contains(&actor) {
        return Err(TransitionError::ActorNotAllowed { actor, action });
    }
    let reason = match requested {
        BookingStatus::Cancelled => Some(required_reason(ctx.reason.as_deref())?),
        _ => optional_reason(ctx.reason.as_deref())?,
    };
    check_timing(current, requested, actor, ctx)?;
    Ok(Transition { from: current, to: requested, actor, at: ctx.now, reason, frees_slot: frees_slot(requested) })
}

/// The legal edges: the verb for messages and who may take it.
fn edge(from: BookingStatus, to: BookingStatus) -> Option<(&'static str, &'static [Actor])> {
    use BookingStatus::*;
    const PHOTOGRAPHER: &[Actor] = &[Actor::Photographer];
    const EITHER_PARTY: &[Actor] = &[Actor::Client, Actor::Photographer, Actor::Admin];
    match (from, to) {
        (Pending, Confirmed) => Some(("confirm", PHOTOGRAPHER)),
        (Pending, Declined) => Some(("decline", PHOTOGRAPHER)),
        (Pending | Confirmed, Cancelled) => Some(("cancel", EITHER_PARTY)),
        (Confirmed, Completed) => Some(("complete", PHOTOGRAPHER)),
        (Pending, Expired) => Some(("expire", &[Actor::System])),
        _ => None,
    }
}

fn required_reason(reason: Option<&str>) -> Result<String, TransitionError> {
    optional_reason(reason)?.ok_or(TransitionError::ReasonRequired)
}

/// Blank counts as absent.
fn optional_reason(reason: Option<&str>) -> Result<Option<String>, TransitionError> {
    let Some(trimmed) = reason.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    if trimmed.chars().count() > MAX_REASON_CHARS {
        return Err(TransitionError::ReasonTooLong { max: MAX_REASON_CHARS });
    }
    Ok(Some(trimmed.to_string()))
}

fn check_timing(
    from: BookingStatus,
    to: BookingStatus,
    actor: Actor,
    ctx: &TransitionContext,
) -> Result<(), TransitionError> {
    match to {
        BookingStatus::Confirmed | BookingStatus::Declined => not_lapsed(ctx),
        BookingStatus::Expired if ctx.now < ctx.expires_at() => {
            Err(TransitionError::TooEarly { not_before: ctx.expires_at() })
        }
        BookingStatus::Completed if ctx.now < ctx.end => Err(TransitionError::TooEarly { not_before: ctx.end }),
        BookingStatus::Cancelled => check_cancellation(from, actor, ctx),
        _ => Ok(()),
    }
}

/// A pending booking past its expiry is expired in substance even before the sweep
/// records it, so it can no longer be accepted, declined or moved.
fn not_lapsed(ctx: &TransitionContext) -> Result<(), TransitionError> {
    let deadline = ctx.expires_at();
    if ctx.now >= deadline { Err(TransitionError::TooLate { deadline }) } else { Ok(()) }
}

fn check_cancellation(from: BookingStatus, actor: Actor, ctx: &TransitionContext) -> Result<(), TransitionError> {
    if actor == Actor::Admin {
        return Ok(());
    }
    if ctx.now >= ctx.end {
        return Err(TransitionError::TooLate { deadline: ctx.end });
    }
    client_window(from, actor, ctx)
}

/// The window protects a photographer who has committed to the date, so it binds the
/// client only once the booking is confirmed; a still-pending request may be withdrawn.
fn client_window(from: BookingStatus, actor: Actor, ctx: &TransitionContext) -> Result<(), TransitionError> {
    let inside = ctx.start - ctx.now < ctx.cancellation_window;
    if actor == Actor::Client && from == BookingStatus::Confirmed && inside {
        Err(TransitionError::InsideCancellationWindow { window_hours: ctx.cancellation_window.num_hours() })
    } else {
        Ok(())
    }
}

/// Whether `actor` may move a booking to a new time, and the status it then has: a
/// client's new time needs the photographer's confirmation again (`pending`; treat the
/// reschedule as the new `requested_at`), a photographer's keeps the current status.
/// The new time itself must still pass `check_booking`.
pub fn reschedule(
    current: BookingStatus,
    actor: Actor,
    ctx: &TransitionContext,
) -> Result<BookingStatus, TransitionError> {
    if !holds_slot(current) {
        return Err(TransitionError::NotReschedulable { status: current });
    }
    if !matches!(actor, Actor::Client | Actor::Photographer) {
        return Err(TransitionError::ActorNotAllowed { actor, action: "reschedule" });
    }
    if ctx.now >= ctx.start {
        return Err(TransitionError::TooLate { deadline: ctx.start });
    }
    if current == BookingStatus::Pending {
        not_lapsed(ctx)?;
    }
    client_window(current, actor, ctx)?;
    Ok(if actor == Actor::Client { BookingStatus::Pending } else { current })
}

#[cfg(test)]
mod tests {
    use super::*;
    use BookingStatus::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    /// Requested 1 June, session 10 June 10:00–12:00, 48 h window, "now" 2 June.
    fn ctx() -> TransitionContext {
        TransitionContext::new(
            utc("2026-06-02T09:00:00Z"),
            utc("2026-06-01T12:00:00Z"),
            utc("2026-06-10T10:00:00Z"),
            utc("2026-06-10T12:00:00Z"),
            TimeDelta::hours(48),
        )
    }

    fn at(now: &str) -> TransitionContext {
        TransitionContext { now: utc(now), ..ctx() }
    }

    #[test]
    fn holding_statuses() {
        let holding: Vec<_> = BookingStatus::ALL.into_iter().filter(|s| holds_slot(*s)).collect();
        assert_eq!(holding, [Pending, Confirmed]);
        assert!(BookingStatus::ALL.into_iter().all(|s| holds_slot(s) != frees_slot(s)));
        assert!(Expired.is_terminal() && !Confirmed.is_terminal());
    }

    #[test]
    fn photographer_confirms_and_declines_pending() {
        let confirmed = transition(Pending, Confirmed, Actor::Photographer, &ctx()).unwrap();
        assert_eq!((confirmed.from, confirmed.to, confirmed.frees_slot), (Pending, Confirmed, false));
        let declined =
            transition(Pending, Declined, Actor::Photographer, &ctx().with_reason("  fully booked  ")).unwrap();
        assert_eq!(declined.reason.as_deref(), Some("fully booked"));
        assert!(declined.frees_slot);
        assert_eq!(transition(Pending, Declined, Actor::Photographer, &ctx()).unwrap().reason, None);
    }

    #[test]
    fn only_the_photographer_confirms_declines_and_completes() {
        for actor in [Actor::Client, Actor::Admin, Actor::System] {
            for (from, to, action) in
                [(Pending, Confirmed, "confirm"), (Pending, Declined, "decline"), (Confirmed, Completed, "complete")]
            {
                assert_eq!(
                    transition(from, to, actor, &at("2026-06-11T00:00:00Z")),
                    Err(TransitionError::ActorNotAllowed { actor, action })
                );
            }
        }
    }

    #[test]
    fn illegal_edges_are_distinct_from_forbidden_actors() {
        for from in BookingStatus::ALL {
            for to in BookingStatus::ALL {
                let result = transition(from, to, Actor::Photographer, &at("2026-06-11T00:00:00Z").with_reason("r"));
                let legal = edge(from, to).is_some();
                assert_eq!(!legal, result == Err(TransitionError::Illegal { from, to }), "{from} -> {to}");
            }
        }
        for terminal in [Declined, Cancelled, Completed, Expired] {
            assert!(BookingStatus::ALL.into_iter().all(|to| edge(terminal, to).is_none()));
        }
        assert_eq!(transition(Confirmed, Pending, Actor::Client, &ctx()).unwrap_err().code(), "illegal_transition");
    }

    #[test]
    fn cancelling_needs_a_reason_of_at_most_500_chars() {
        assert_eq!(transition(Confirmed, Cancelled, Actor::Photographer, &ctx()), Err(TransitionError::ReasonRequired));
        assert_eq!(
            transition(Confirmed, Cancelled, Actor::Photographer, &ctx().with_reason("   ")),
            Err(TransitionError::ReasonRequired)
        );
        let long = "é".repeat(501);
        assert_eq!(
            transition(Pending, Cancelled, Actor::Client, &ctx().with_reason(long)),
            Err(TransitionError::ReasonTooLong { max: 500 })
        );
        let ok = transition(Confirmed, Cancelled, Actor::Client, &ctx().with_reason("é".repeat(500))).unwrap();
        assert!(ok.frees_slot);
        assert_eq!(
            transition(Pending, Declined, Actor::Photographer, &ctx().with_reason("x".repeat(501))),
            Err(TransitionError::ReasonTooLong { max: 500 })
        );
    }

    #[test]
    fn clients_cannot_cancel_confirmed_bookings_inside_the_window() {
        let inside = at("2026-06-08T10:00:01Z").with_reason("ill");
        assert_eq!(
            transition(Confirmed, Cancelled, Actor::Client, &inside),
            Err(TransitionError::InsideCancellationWindow { window_hours: 48 })
        );
        let edge_of_window = at("2026-06-08T10:00:00Z").with_reason("ill");
        assert!(transition(Confirmed, Cancelled, Actor::Client, &edge_of_window).is_ok());
        assert!(
            transition(Confirmed, Cancelled, Actor::Photographer, &inside).is_ok(),
            "the photographer is not bound"
        );
        assert!(transition(Confirmed, Cancelled, Actor::Admin, &inside).is_ok());
        let pending = TransitionContext { requested_at: utc("2026-06-08T09:00:00Z"), ..inside };
        assert!(transition(Pending, Cancelled, Actor::Client, &pending).is_ok(), "a request may be withdrawn");
    }

    #[test]
    fn nobody_but_an_admin_cancels_a_finished_session() {
        let after = at("2026-06-10T12:00:00Z").with_reason("no-show");
        let deadline = utc("2026-06-10T12:00:00Z");
        assert_eq!(
            transition(Confirmed, Cancelled, Actor::Photographer, &after),
            Err(TransitionError::TooLate { deadline })
        );
        assert!(transition(Confirmed, Cancelled, Actor::Admin, &after).is_ok());
        assert_eq!(transition(Confirmed, Cancelled, Actor::System, &after).unwrap_err().code(), "actor_not_allowed");
    }

    #[test]
    fn completion_waits_for_the_end() {
        let end = utc("2026-06-10T12:00:00Z");
        assert_eq!(
            transition(Confirmed, Completed, Actor::Photographer, &at("2026-06-10T11:59:59Z")),
            Err(TransitionError::TooEarly { not_before: end })
        );
        assert!(transition(Confirmed, Completed, Actor::Photographer, &at("2026-06-10T12:00:00Z")).is_ok());
        assert_eq!(
            transition(Pending, Completed, Actor::Photographer, &at("2026-06-11T00:00:00Z")).unwrap_err().code(),
            "illegal_transition"
        );
    }

    #[test]
    fn pending_expires_48h_after_the_request_or_at_the_start() {
        let expiry = utc("2026-06-03T12:00:00Z");
        assert_eq!(ctx().expires_at(), expiry);
        assert_eq!(
            transition(Pending, Expired, Actor::System, &at("2026-06-03T11:59:00Z")),
            Err(TransitionError::TooEarly { not_before: expiry })
        );
        let expired = transition(Pending, Expired, Actor::System, &at("2026-06-03T12:00:00Z")).unwrap();
        assert!(expired.frees_slot);
        let soon =
            TransitionContext { requested_at: utc("2026-06-09T20:00:00Z"), now: utc("2026-06-10T10:00:00Z"), ..ctx() };
        assert_eq!(soon.expires_at(), utc("2026-06-10T10:00:00Z"), "start comes first");
        assert!(transition(Pending, Expired, Actor::System, &soon).is_ok());
        assert_eq!(transition(Confirmed, Expired, Actor::System, &soon).unwrap_err().code(), "illegal_transition");
        assert_eq!(transition(Pending, Expired, Actor::Admin, &soon).unwrap_err().code(), "actor_not_allowed");
    }

    #[test]
    fn a_lapsed_request_cannot_be_confirmed_or_declined() {
        let late = at("2026-06-03T12:00:00Z");
        let deadline = utc("2026-06-03T12:00:00Z");
        assert_eq!(
            transition(Pending, Confirmed, Actor::Photographer, &late),
            Err(TransitionError::TooLate { deadline })
        );
        assert_eq!(
            transition(Pending, Declined, Actor::Photographer, &late),
            Err(TransitionError::TooLate { deadline })
        );
    }

    #[test]
    fn reschedule_rules() {
        assert_eq!(reschedule(Confirmed, Actor::Client, &ctx()), Ok(Pending), "needs reconfirming");
        assert_eq!(reschedule(Confirmed, Actor::Photographer, &ctx()), Ok(Confirmed));
        assert_eq!(reschedule(Pending, Actor::Photographer, &ctx()), Ok(Pending));
        assert_eq!(reschedule(Pending, Actor::Client, &ctx()), Ok(Pending));
        for status in [Declined, Cancelled, Completed, Expired] {
            assert_eq!(reschedule(status, Actor::Client, &ctx()), Err(TransitionError::NotReschedulable { status }));
        }
        assert_eq!(
            reschedule(Pending, Actor::Admin, &ctx()),
            Err(TransitionError::ActorNotAllowed { actor: Actor::Admin, action: "reschedule" })
        );
        assert_eq!(
            reschedule(Confirmed, Actor::Client, &at("2026-06-09T10:00:00Z")).unwrap_err().code(),
            "inside_cancellation_window"
        );
        assert_eq!(
            reschedule(Confirmed, Actor::Photographer, &at("2026-06-10T10:00:00Z")).unwrap_err().code(),
            "too_late"
        );
        assert_eq!(
            reschedule(Pending, Actor::Client, &at("2026-06-04T00:00:00Z")).unwrap_err().code(),
            "too_late",
            "lapsed"
        );
    }

    #[test]
    fn serialises_statuses_and_errors_for_clients() {
        assert_eq!(serde_json::to_value(Confirmed).unwrap(), "confirmed");
        assert_eq!(serde_json::from_value::<BookingStatus>("expired".into()).unwrap(), Expired);
        assert_eq!(serde_json::to_value(Actor::Photographer).unwrap(), "photographer");
        let error = serde_json::to_value(TransitionError::ReasonRequired).unwrap();
        assert_eq!(error, serde_json::json!({"code": "reason_required", "message": "a reason is required"}));
        let ok = serde_json::to_value(transition(Pending, Confirmed, Actor::Photographer, &ctx()).unwrap()).unwrap();
        assert_eq!(ok["to"], "confirmed");
        assert_eq!(ok["at"], "2026-06-02T09:00:00Z");
    }
}
