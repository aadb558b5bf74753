//! Scheduled (EventBridge): pending bookings nobody confirmed within the expiry (48 h,
//! or by their start) become `expired`, and their slots are freed at once. Each change
//! is the same compare-and-set as a user's, so a photographer confirming at the same
//! moment either wins (the sweep skips it) or loses cleanly with a 409.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::{DateTime, TimeDelta, Utc};
use cm_http::App;
use cm_scheduling::{Actor, BookingStatus, TransitionContext, transition};
use cm_store::bookings::BookingWriteError;
use lambda_runtime::{Error, LambdaEvent};
use serde::Serialize;

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub expired: usize,
    /// Changed by someone else between the read and the write; nothing to do.
    pub skipped: usize,
}

const PAGE: i32 = 50;
/// Leaves headroom inside the function timeout; the next run continues.
const MAX_PAGES: usize = 20;

pub async fn handle(app: &App, event: LambdaEvent<EventBridgeEvent<serde_json::Value>>) -> Result<Summary, Error> {
    // The scheduled time, not the clock: a delayed or retried invocation expires what
    // was due when it was meant to run, never more.
    let now = event.payload.time.map_or_else(Utc::now, |t| t.min(Utc::now()));
    let summary = expire_due(app, now).await?;
    tracing::info!(expired = summary.expired, skipped = summary.skipped, "expiry sweep");
    Ok(summary)
}

pub async fn expire_due(app: &App, now: DateTime<Utc>) -> Result<Summary, Error> {
    let mut summary = Summary::default();
    for _ in 0..MAX_PAGES {
        let due = app.store.pending_due(now, PAGE).await?;
        if due.is_empty() {
            break;
        }
        let mut progressed = false;
        for booking in due {
            let window = TimeDelta::hours(i64::from(booking.cancellation_window_hours));
            let ctx = TransitionContext::new(now, booking.requested_at, booking.start, booking.end, window);
            let Ok(change) = transition(booking.status, BookingStatus::Expired, Actor::System, &ctx) else {
                summary.skipped += 1;
                continue;
            };
            let change = cm_scheduling::Transition { reason: Some("not confirmed in time".into()), ..change };
            let expired = booking.after_transition(&change, None);
            match app.store.update_booking_status(&booking, &expired).await {
                Ok(()) => {
                    summary.expired += 1;
                    progressed = true;
                }
                Err(BookingWriteError::Store(e)) => return Err(e.into()),
                Err(_) => summary.skipped += 1,
            }
        }
        if !progressed {
            break;
        }
    }
    Ok(summary)
}
