//! Scheduled (EventBridge, every 15 minutes): syncs every external calendar that is due
//! (gsi4 `CALSYNC`, by next due time: a Query, never a Scan), eight at a time. Each sync
//! fetches through the checked client (cm-webcal), stores the busy time and moves the
//! calendar's due time on, over the version it read. Each sync is claimed before its
//! fetch (cm_runtime::calendars::claim): a redelivered or overlapping run, or a "sync
//! now" at the same moment, finds it claimed and skips it, so the calendar's server is
//! asked once and nothing is applied twice. A failing calendar keeps its last busy time
//! and records why, with a growing back-off.

use std::collections::HashSet;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::{DateTime, TimeDelta, Utc};
use cm_app::App;
use cm_runtime::calendars::{Claim, SyncResult, claim, sync_source};
use cm_store::{AvailabilityReader, CalendarSources};
use cm_webcal::Fetcher;
use futures::stream::{self, StreamExt};
use lambda_runtime::{Error, LambdaEvent};
use serde::Serialize;

pub struct Syncer<S> {
    pub app: App<S>,
    pub fetcher: Fetcher,
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub synced: usize,
    pub unchanged: usize,
    pub failed: usize,
    /// Changed or removed by someone else meanwhile; nothing to do.
    pub skipped: usize,
}

/// Calendars read per Query; the run goes on until none is due or the budget is spent.
const PAGE: usize = 25;
const ROUNDS: usize = 8;
const AT_ONCE: usize = 8;
/// A calendar whose sync began this recently (a "sync now", another run) is left to it:
/// each sync is a request to someone else's server, and the fetch is bounded well
/// within this.
const IN_PROGRESS: TimeDelta = TimeDelta::seconds(60);

pub async fn handle<S: CalendarSources + AvailabilityReader>(
    ctx: &Syncer<S>,
    _event: LambdaEvent<EventBridgeEvent<serde_json::Value>>,
) -> Result<Summary, Error> {
    let summary = sync_due(&ctx.app, &ctx.fetcher, ctx.app.now()).await?;
    tracing::info!(
        synced = summary.synced,
        unchanged = summary.unchanged,
        failed = summary.failed,
        skipped = summary.skipped,
        "external calendars"
    );
    Ok(summary)
}

/// Syncs what is due at `now` (the clock's, not the event's time: a late or redelivered
/// run syncs what is due when it runs).
pub async fn sync_due<S: CalendarSources + AvailabilityReader>(
    app: &App<S>,
    fetcher: &Fetcher,
    now: DateTime<Utc>,
) -> Result<Summary, Error> {
    let mut summary = Summary::default();
    // The index is eventually consistent: a calendar just synced can still read as due.
    // It is tried once a run (its version check would skip it anyway).
    let mut seen = HashSet::new();
    for _ in 0..ROUNDS {
        let due: Vec<_> = app
            .store
            .due_calendar_sources(now, PAGE)
            .await?
            .into_iter()
            .filter(|s| seen.insert((s.photographer_id, s.source_id.clone())))
            .collect();
        if due.is_empty() {
            break;
        }
        let store = &app.store;
        let results: Vec<_> = stream::iter(due)
            .map(|source| async move {
                match claim(store, &source, now, IN_PROGRESS).await? {
                    Claim::Claimed(claimed) => sync_source(store, fetcher, &claimed, now).await,
                    Claim::TooSoon(_) | Claim::Lost => Ok(SyncResult::Superseded),
                }
            })
            .buffer_unordered(AT_ONCE)
            .collect()
            .await;
        for result in results {
            match result? {
                SyncResult::Synced(_) => summary.synced += 1,
                SyncResult::Unchanged(_) => summary.unchanged += 1,
                SyncResult::Failed(..) => summary.failed += 1,
                SyncResult::Superseded => summary.skipped += 1,
            }
        }
    }
    Ok(summary)
}
