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
use futures::StreamExt;
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
/// A page's bookings are expired this many at a time: each is its own compare-and-set
/// on its own items, so their order does not matter, and one at a time a run managed
/// about 1,000 (docs/scaling.md: the peak needs ~10,000 per 5-minute run).
const CONCURRENT_WRITES: usize = 16;
/// At most 10,000 a run; the next run continues.
const MAX_PAGES: usize = 200;
/// No new page after this long, so a slow table never runs into the 60 s timeout
/// (stacks/workers.yaml) with writes in flight.
const TIME_BUDGET: std::time::Duration = std::time::Duration::from_secs(40);

/// What became of one pending booking.
enum Outcome {
    Expired,
    Skipped,
    Unreadable,
}

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
    let started = std::time::Instant::now();
    let mut summary = Summary::default();
    let mut after: Option<PageKey> = None;
    for _ in 0..MAX_PAGES {
        let page = app.store.pending_due(now, PAGE, after.as_ref()).await?;
        let mut outcomes = futures::stream::iter(page.items.into_iter().map(|booking| expire_one(app, booking, now)))
            .buffer_unordered(CONCURRENT_WRITES);
        while let Some(outcome) = outcomes.next().await {
            match outcome? {
                Outcome::Expired => summary.expired += 1,
                Outcome::Skipped => summary.skipped += 1,
                Outcome::Unreadable => summary.unreadable += 1,
            }
        }
        if started.elapsed() > TIME_BUDGET {
            break;
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    Ok(summary)
}

/// One booking's compare-and-set to `expired`; a store failure ends the run (the next
/// one starts over, and what this one expired stays expired).
async fn expire_one<S: PendingBookings + BookingWriter>(
    app: &App<S>,
    booking: Result<cm_booking::Booking, cm_store::StoreError>,
    now: DateTime<Utc>,
) -> Result<Outcome, Error> {
    let booking = match booking {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "a pending booking could not be read");
            return Ok(Outcome::Unreadable);
        }
    };
    let ctx = booking.transition_context(now);
    let Ok(change) = transition(booking.status, BookingStatus::Expired, Actor::System, &ctx) else {
        return Ok(Outcome::Skipped);
    };
    let change = Transition { reason: Some("not confirmed in time".into()), ..change };
    let expired = booking.after_transition(&change, None);
    match app.store.update_booking_status(&booking, &expired).await {
        Ok(()) => Ok(Outcome::Expired),
        Err(BookingWriteError::Store(e)) => Err(e.into()),
        // Someone else changed it between the read and the write; nothing to do.
        Err(
            BookingWriteError::Stale
            | BookingWriteError::Overlap
            | BookingWriteError::DailyLimit
            | BookingWriteError::IdempotencyKeyTaken
            | BookingWriteError::DayChanged,
        ) => Ok(Outcome::Skipped),
    }
}
