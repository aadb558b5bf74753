//! `PUT /bookings/{id}/status` `{status, reason?}`: confirm, decline, cancel or
//! complete. Each change is a compare-and-set on the booking's version: of two tabs
//! confirming and declining at once, exactly one wins and the other gets 409.

use chrono::{TimeDelta, Utc};
use cm_domain::BookingId;
use cm_http::booking::{load_visible, stale, transition_problem, view};
use cm_http::{ApiError, App, Body, Request, Response};
use cm_scheduling::{BookingStatus, TransitionContext, transition};
use cm_store::bookings::BookingWriteError;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusInput {
    status: BookingStatus,
    reason: Option<String>,
}

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = cm_http::authenticate(app, &req).await?;
    let id: BookingId = cm_http::path_param(&req, "id", "booking")?;
    let input: StatusInput = cm_http::parse_json(&req)?;
    let (booking, actor) = load_visible(app, &caller, id).await?;
    let now = Utc::now();
    let mut ctx = TransitionContext::new(
        now,
        booking.requested_at,
        booking.start,
        booking.end,
        TimeDelta::hours(i64::from(booking.cancellation_window_hours)),
    );
    ctx.reason = input.reason;
    let change = transition(booking.status, input.status, actor, &ctx).map_err(|e| transition_problem(&e))?;

    let updated = booking.after_transition(&change, Some(caller.id()));
    match app.store.update_booking_status(&booking, &updated).await {
        Ok(()) => cm_http::ok(&view(&updated)),
        Err(BookingWriteError::Store(e)) => Err(e.into()),
        Err(_) => Err(stale()),
    }
}
