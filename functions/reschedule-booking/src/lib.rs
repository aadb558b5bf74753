//! `POST /bookings/{id}/reschedule` `{start, duration_minutes?}`: move a booking in one
//! transaction: the new slot is taken and the old one freed together, or nothing
//! changes. A client's move needs the photographer's confirmation again.

use chrono::{TimeDelta, Utc};
use cm_domain::{BookingId, FieldErrors};
use cm_http::booking::{load_visible, occupied_intervals, rule_problem, stale, transition_problem, view};
use cm_http::{ApiError, App, Body, Request, Response};
use cm_scheduling::request::{parse_duration, parse_instant};
use cm_scheduling::{
    Availability, BookingDuration, BookingStatus, DEFAULT_SUGGESTIONS, RuleViolation, TransitionContext,
    booking_footprint, check_booking, nearest_starts, reschedule,
};
use cm_store::bookings::{BookingWriteError, HistoryAction, HistoryEntry};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RescheduleInput {
    start: String,
    duration_minutes: Option<i64>,
}

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = cm_http::authenticate(app, &req).await?;
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
    let start = errors.into_result(start)?.ok_or_else(|| ApiError::internal("start parsed"))?;

    let (booking, actor) = load_visible(app, &caller, id).await?;
    let now = Utc::now();
    let window = TimeDelta::hours(i64::from(booking.cancellation_window_hours));
    let ctx = TransitionContext::new(now, booking.requested_at, booking.start, booking.end, window);
    let new_status = reschedule(booking.status, actor, &ctx).map_err(|e| transition_problem(&e))?;

    let duration = match duration {
        Some(d) => d,
        None => BookingDuration::from_minutes(booking.duration_minutes)
            .ok_or_else(|| ApiError::internal("stored duration"))?,
    };
    let doc = app
        .store
        .get_availability(booking.photographer_id)
        .await?
        .ok_or_else(|| rule_problem(&RuleViolation::OutsideWorkingHours, &[]))?;
    let availability =
        Availability::try_from(doc).map_err(|e| ApiError::internal(format!("stored availability: {e}")))?;
    // The booking's own slot does not count against its new time.
    let others: Vec<_> = app
        .store
        .slot_holding_bookings(booking.photographer_id, start - TimeDelta::days(1), start + TimeDelta::days(1))
        .await?
        .into_iter()
        .filter(|b| b.id != booking.id)
        .collect();
    let occupied = occupied_intervals(&others);
    if let Err(v) = check_booking(&availability, &occupied, start, duration.minutes(), now) {
        return Err(rule_problem(
            &v,
            &nearest_starts(&availability, &occupied, start, duration, now, DEFAULT_SUGGESTIONS),
        ));
    }
    let footprint = booking_footprint(&availability, start, duration).ok_or_else(|| ApiError::internal("footprint"))?;

    let mut moved = booking.clone();
    moved.start = footprint.start;
    moved.end = footprint.end;
    moved.duration_minutes = duration.minutes();
    moved.lock_blocks = footprint.lock_blocks.iter().map(|b| b.index()).collect();
    moved.local_date = footprint.local_date;
    moved.status = new_status;
    moved.version += 1;
    moved.sequence += 1;
    moved.updated_at = now;
    if new_status == BookingStatus::Pending {
        moved.requested_at = now;
        let fresh = TransitionContext::new(now, now, moved.start, moved.end, window);
        moved.expires_at = fresh.expires_at();
    }
    moved.history.push(HistoryEntry {
        at: now,
        by: Some(caller.id()),
        actor,
        action: HistoryAction::Rescheduled,
        from: Some(booking.status),
        to: new_status,
        reason: None,
        previous_start: Some(booking.start),
        new_start: Some(moved.start),
    });
    match app.store.reschedule_booking(&booking, &moved, availability.max_bookings_per_day()).await {
        Ok(()) => cm_http::ok(&view(&moved)),
        Err(BookingWriteError::Overlap) => Err(rule_problem(&RuleViolation::Overlap, &[])),
        Err(BookingWriteError::DailyLimit) => Err(rule_problem(
            &RuleViolation::DailyLimit {
                date: moved.local_date,
                limit: availability.max_bookings_per_day().unwrap_or(0),
            },
            &[],
        )),
        Err(BookingWriteError::Store(e)) => Err(e.into()),
        Err(_) => Err(stale()),
    }
}
