//! Scheduled (EventBridge): pending bookings nobody confirmed within the expiry (48 h,
//! or by their start) become `expired`, and their slots are freed at once. Each change
//! is the same compare-and-set as a user's, so a photographer confirming at the same
//! moment either wins (the sweep skips it) or loses cleanly with a 409.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Utc};
use cm_app::App;
use cm_booking::{Actor, BookingStatus, Transition, transition};
use cm_store::bookings::BookingWriteError;
use cm_store::{BookingWriter, PageKey, PendingBookings};
use lambda_runtime::{Error, LambdaEvent};
use serde::Serialize;

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub expired: usize,
    /// Changed by someone else between the read and the write; nothing to do.
    pub skipped: usize,
    /// Could not be read; logged, and left for a person (they would otherwise stop
    /// every sweep at the same place).
    #[serde(skip_serializing_if = "is_zero")]
    pub unreadable: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

const PAGE: usize = 50;
/// Leaves headroom inside the function timeout; the next run continues.
const MAX_PAGES: usize = 20;

pub async fn handle<S: PendingBookings + BookingWriter>(
    app: &App<S>,
    event: LambdaEvent<EventBridgeEvent<serde_json::Value>>,
) -> Result<Summary, Error> {
    // The scheduled time, not the clock: a delayed or retried invocation expires what
    // was due when it was meant to run, never more.
    let now = app.now();
    let due_at = event.payload.time.map_or(now, |t| t.min(now));
    let summary = expire_due(app, due_at).await?;
    tracing::info!(expired = summary.expired, skipped = summary.skipped, "expiry sweep");
    Ok(summary)
}

pub async fn expire_due<S: PendingBookings + BookingWriter>(
    app: &App<S>,
    now: DateTime<Utc>,
) -> Result<Summary, Error> {
    let mut summary = Summary::default();
    let mut after: Option<PageKey> = None;
    for _ in 0..MAX_PAGES {
        let page = app.store.pending_due(now, PAGE, after.as_ref()).await?;
        for booking in page.items {
            let booking = match booking {
                Ok(b) => b,
                Err(e) => {
                    tracing::error!(error = %e, "a pending booking could not be read");
                    summary.unreadable += 1;
                    continue;
                }
            };
            let ctx = booking.transition_context(now);
            let Ok(change) = transition(booking.status, BookingStatus::Expired, Actor::System, &ctx) else {
                summary.skipped += 1;
                continue;
            };
            let change = Transition { reason: Some("not confirmed in time".into()), ..change };
            let expired = booking.after_transition(&change, None);
            match app.store.update_booking_status(&booking, &expired).await {
                Ok(()) => summary.expired += 1,
                Err(BookingWriteError::Store(e)) => return Err(e.into()),
                Err(BookingWriteError::Stale | BookingWriteError::Overlap | BookingWriteError::DailyLimit) => {
                    summary.skipped += 1
                }
                Err(BookingWriteError::IdempotencyKeyTaken | BookingWriteError::DayChanged) => summary.skipped += 1,
            }
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    Ok(summary)
}
