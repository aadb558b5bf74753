//! Scheduled (EventBridge, hourly): refreshes each photographer's ten most similar
//! photographers by their clients (`cm_catalog::features::top_co_booked`) from the
//! co-booking pair counters the booking stream keeps, so a recommendation request
//! reads them in the photographer's feature row instead of computing them.
//!
//! Similarity depends on both photographers' client counts, which every booking
//! moves, so rows are recomputed rather than patched. One run refreshes up to
//! `MAX_PAGES` pages of photographers from where the previous run stopped (a cursor in
//! the table) and the pass starts over when it reaches the end: a photographer's row is
//! at most one pass old, and no run can outgrow its timeout however many photographers
//! there are. Recomputing from the counters is idempotent, so a retried or
//! overlapping run only repeats work.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use cm_accounts::account::Role;
use cm_app::App;
use cm_catalog::features::top_co_booked;
use cm_core::UserId;
use cm_store::{CoBookingStore, StoreError, UserDirectory};
use futures::StreamExt;
use lambda_runtime::{Error, LambdaEvent};
use serde::Serialize;

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub refreshed: usize,
    /// Whether this run reached the end of the pass (the next starts over).
    pub pass_finished: bool,
}

const PAGE: usize = 100;
const MAX_PAGES: usize = 10;
/// Photographers refreshed at once: each is a Query, a BatchGetItem and an UpdateItem.
const CONCURRENCY: usize = 8;

pub async fn handle<S: CoBookingStore + UserDirectory>(
    app: &App<S>,
    _event: LambdaEvent<EventBridgeEvent<serde_json::Value>>,
) -> Result<Summary, Error> {
    let summary = refresh(app, MAX_PAGES).await?;
    tracing::info!(refreshed = summary.refreshed, pass_finished = summary.pass_finished, "co-booking refresh");
    Ok(summary)
}

/// Refreshes up to `max_pages` pages of photographers, continuing the stored pass.
pub async fn refresh<S: CoBookingStore + UserDirectory>(app: &App<S>, max_pages: usize) -> Result<Summary, Error> {
    let store = &app.store;
    let mut after = store.co_booking_cursor().await?;
    let mut summary = Summary::default();
    for _ in 0..max_pages {
        let page = store.list_users(Some(Role::Photographer), PAGE, after.as_ref()).await?;
        let ids: Vec<UserId> = page.items.iter().map(|u| u.id).collect();
        let results: Vec<Result<(), StoreError>> =
            futures::stream::iter(ids).map(|id| refresh_one(store, id)).buffer_unordered(CONCURRENCY).collect().await;
        for r in results {
            r?;
            summary.refreshed += 1;
        }
        after = page.next;
        // Saved after each page: a run that times out resumes here, not at the start.
        store.set_co_booking_cursor(after.as_ref()).await?;
        if after.is_none() {
            summary.pass_finished = true;
            break;
        }
    }
    Ok(summary)
}

async fn refresh_one<S: CoBookingStore>(store: &S, id: UserId) -> Result<(), StoreError> {
    let pairs = store.co_booking_pairs(id).await?;
    // Counters only grow: without any, there was never a list to replace.
    if pairs.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<UserId> = pairs.iter().map(|p| p.photographer).collect();
    ids.push(id);
    let clients = store.client_counts(&ids).await?;
    let own = clients.get(&id).copied().unwrap_or(0);
    let top = top_co_booked(id, own, &pairs, |p| clients.get(&p).copied());
    store.set_co_booked(id, &top).await
}
