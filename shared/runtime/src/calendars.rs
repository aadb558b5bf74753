//! One sync of one external calendar, shared by the schedule (`sync-external-calendars`)
//! and the photographer's "sync now" (`sync-my-calendar`): fetch (conditionally, within
//! the limits, through the checked client), read the busy time, record the outcome over
//! the version read. A failure keeps the busy time of the last success and records why;
//! nothing is dropped silently.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use cm_calsync::source::SourceUrl;
use cm_calsync::{FetchFailure, busy_intervals, busy_window, next_due};
use cm_store::calendar_sources::CalendarSource;
use cm_store::{AvailabilityReader, CalendarSources, StoreError};
use cm_webcal::{Fetched, Fetcher, Validators};

/// A full read at least this often, even when the server keeps answering 304: the busy
/// window moves on with the days.
const REPARSE_EVERY: TimeDelta = TimeDelta::hours(24);

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncResult {
    /// Read and stored; the calendar as it is now.
    Synced(CalendarSource),
    /// 304: the busy time read before still holds.
    Unchanged(CalendarSource),
    /// The fetch or the parse failed; the error is recorded, the old busy time kept.
    Failed(CalendarSource, FetchFailure),
    /// The calendar was changed or removed meanwhile (by another sync, or deleted);
    /// nothing was written.
    Superseded,
}

impl SyncResult {
    pub fn source(&self) -> Option<&CalendarSource> {
        match self {
            SyncResult::Synced(s) | SyncResult::Unchanged(s) | SyncResult::Failed(s, _) => Some(s),
            SyncResult::Superseded => None,
        }
    }
}

/// How a claim on a calendar's next sync ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This caller's attempt is recorded; sync the calendar as claimed.
    Claimed(Box<CalendarSource>),
    /// An attempt began less than the interval ago (by anyone): come back after this
    /// many seconds.
    TooSoon(i64),
    /// Another caller claimed it between our read and our write.
    Lost,
}

/// Records that a sync of `source` (as read) begins at `now`, unless one began within
/// `min_interval`. Before the fetch, so of callers racing on one calendar (a "sync now"
/// pressed twice, overlapping scheduled runs, both at once) one fetches: a version
/// check when recording alone would let every one of them ask the other server.
pub async fn claim<S: CalendarSources>(
    store: &S,
    source: &CalendarSource,
    now: DateTime<Utc>,
    min_interval: TimeDelta,
) -> Result<Claim, StoreError> {
    if let Some(last) = source.last_attempt_at {
        let since = now - last;
        if since < min_interval {
            return Ok(Claim::TooSoon((min_interval - since).num_seconds().max(1)));
        }
    }
    Ok(match store.claim_calendar_sync(source, now).await? {
        Some(claimed) => Claim::Claimed(Box::new(claimed)),
        None => Claim::Lost,
    })
}

/// The photographer's zone (their availability's), for all-day and floating events;
/// UTC when they have published none.
async fn zone_of<S: AvailabilityReader>(store: &S, source: &CalendarSource) -> Result<Tz, StoreError> {
    let doc = store.get_availability(source.photographer_id).await?;
    Ok(doc.and_then(|d| d.timezone).and_then(|t| t.parse::<Tz>().ok()).unwrap_or(Tz::UTC))
}

pub async fn sync_source<S: CalendarSources + AvailabilityReader>(
    store: &S,
    fetcher: &Fetcher,
    source: &CalendarSource,
    now: DateTime<Utc>,
) -> Result<SyncResult, StoreError> {
    let mut next = source.clone();
    next.version = source.version + 1;
    next.last_attempt_at = Some(now);
    let outcome = fetch_and_read(store, fetcher, source, now).await?;
    let (busy, result): (Option<Vec<cm_calsync::BusyInterval>>, Answer) = match outcome {
        Ok(Read::Unchanged) => {
            next.last_success_at = Some(now);
            next.last_error = None;
            next.failures = 0;
            next.next_due_at = next_due(now, 0);
            (None, SyncResult::Unchanged)
        }
        Ok(Read::Busy { intervals, validators }) => {
            next.last_success_at = Some(now);
            next.last_parsed_at = Some(now);
            next.last_error = None;
            next.failures = 0;
            next.busy_count = u32::try_from(intervals.len()).unwrap_or(u32::MAX);
            next.etag = validators.etag.filter(|v| v.len() <= 256);
            next.last_modified = validators.last_modified.filter(|v| v.len() <= 64);
            next.next_due_at = next_due(now, 0);
            (Some(intervals), SyncResult::Synced)
        }
        Err(failure) => {
            next.last_error = Some(failure.to_string());
            next.failures = source.failures.saturating_add(1);
            next.next_due_at = next_due(now, next.failures);
            tracing::warn!(
                photographer = %source.photographer_id,
                calendar = %source.source_id,
                error = %failure,
                "external calendar sync failed"
            );
            if !store.record_calendar_sync(source, &next, None).await? {
                return Ok(SyncResult::Superseded);
            }
            return Ok(SyncResult::Failed(next, failure));
        }
    };
    if !store.record_calendar_sync(source, &next, busy.as_deref()).await? {
        return Ok(SyncResult::Superseded);
    }
    Ok(result(next))
}

/// How a recorded sync is answered.
type Answer = fn(CalendarSource) -> SyncResult;

enum Read {
    Unchanged,
    Busy { intervals: Vec<cm_calsync::BusyInterval>, validators: Validators },
}

async fn fetch_and_read<S: AvailabilityReader>(
    store: &S,
    fetcher: &Fetcher,
    source: &CalendarSource,
    now: DateTime<Utc>,
) -> Result<Result<Read, FetchFailure>, StoreError> {
    let Ok(url) = SourceUrl::parse(&source.url, fetcher.config().url_policy()) else {
        return Ok(Err(FetchFailure::BlockedAddress));
    };
    // Conditional only while the stored busy time is recent enough to keep.
    let fresh = source.last_parsed_at.is_some_and(|at| now - at < REPARSE_EVERY);
    let validators = if fresh {
        Validators { etag: source.etag.clone(), last_modified: source.last_modified.clone() }
    } else {
        Validators::default()
    };
    let text = match fetcher.fetch(&url, &validators).await {
        Ok(Fetched::NotModified) if fresh => return Ok(Ok(Read::Unchanged)),
        // A 304 to a request that was not conditional is a broken server.
        Ok(Fetched::NotModified) => return Ok(Err(FetchFailure::Status(304))),
        Ok(Fetched::Body { text, validators }) => (text, validators),
        Err(failure) => return Ok(Err(failure)),
    };
    let zone = zone_of(store, source).await?;
    let (from, to) = busy_window(now);
    Ok(match busy_intervals(&text.0, zone, from, to) {
        Ok(imported) => Ok(Read::Busy { intervals: imported.intervals, validators: text.1 }),
        Err(e) => Err(FetchFailure::Import(e)),
    })
}
