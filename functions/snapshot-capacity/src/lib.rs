//! Scheduled (EventBridge, daily): the platform's capacity, what utilisation divides
//! the minutes of sessions by. Every listed photographer's working minutes (their hours,
//! time off excluded) for each local date of the coming four weeks, added up per
//! segment (`cm_booking::analytics::capacity`: the platform, each city and
//! specialization and each pair) and SET on each segment's day, beside the booking
//! counters the stream keeps there. The admin's analytics then read the utilisation of
//! any segment and period from the same few Queries as the rest.
//!
//! Each run rewrites the coming four weeks from the hours as they are, so a day holds
//! the capacity of its last snapshot before it passed: changed hours and new time off
//! show within a day, and past days keep what was planned then. A segment nobody works
//! in any more (its photographers moved or left) is set to zero, from the list of
//! segments the last run wrote. Every write is a SET of a computed total, so a retried
//! or repeated run writes the same again.
//!
//! Bounds: the listed photographers come from one listing partition (read to its end)
//! and their hours from BatchGetItem, a few KB each in memory; the writes are one per
//! segment and day, 16 in flight. 10,000 photographers in 300 cities write about
//! 30,000 items, a few minutes at most.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::{Days, NaiveDate};
use cm_app::App;
use cm_booking::Availability;
use cm_booking::analytics::{self, Capacity, Segment};
use cm_catalog::search::partition_for;
use cm_store::{CapacityStore, PhotographerSearch, StoreError};
use lambda_runtime::{Error, LambdaEvent};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The days each run writes: today and the 27 after.
pub const HORIZON_DAYS: u64 = 28;

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// Listed photographers, and those of them with hours (the others add nothing).
    pub photographers: usize,
    pub with_hours: usize,
    /// Hours that no longer parse (a zone withdrawn since they were saved): skipped.
    pub unreadable_hours: usize,
    pub segments: usize,
    /// Segments of the last run nobody works in now, set to zero.
    pub emptied: usize,
    pub writes: usize,
}

pub async fn handle<S: PhotographerSearch + CapacityStore>(
    app: &App<S>,
    _event: LambdaEvent<EventBridgeEvent<serde_json::Value>>,
) -> Result<Summary, Error> {
    let summary = snapshot(app).await?;
    tracing::info!(?summary, "capacity snapshot");
    Ok(summary)
}

pub async fn snapshot<S: PhotographerSearch + CapacityStore>(app: &App<S>) -> Result<Summary, StoreError> {
    let first = app.now().date_naive();
    let last = first + Days::new(HORIZON_DAYS - 1);
    let listed = app.store.photographers_in(&[partition_for(None, None)]).await?;
    let ids: Vec<_> = listed.iter().map(|p| p.id).collect();
    let hours = app.store.availabilities(&ids).await?;
    let mut unreadable_hours = 0;
    let mut minutes: Vec<(usize, BTreeMap<NaiveDate, i64>)> = Vec::new();
    for (i, p) in listed.iter().enumerate() {
        let Some(doc) = hours.get(&p.id) else { continue };
        match Availability::try_from(doc.clone()) {
            Ok(a) => minutes.push((i, a.working_minutes_by_day(first, last))),
            Err(_) => unreadable_hours += 1,
        }
    }
    let by_segment = analytics::capacity(minutes.iter().map(|(i, m)| Capacity {
        city: &listed[*i].profile.city,
        specializations: &listed[*i].profile.specializations,
        minutes: m,
    }));
    let now: BTreeSet<Segment> = by_segment.keys().cloned().collect();
    let gone: Vec<Segment> = app.store.capacity_segments().await?.into_iter().filter(|s| !now.contains(s)).collect();
    let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
    let mut entries: Vec<(Segment, NaiveDate, i64)> = Vec::new();
    for (segment, per_day) in &by_segment {
        entries.extend(days.iter().map(|d| (segment.clone(), *d, per_day.get(d).copied().unwrap_or(0))));
    }
    for segment in &gone {
        entries.extend(days.iter().map(|d| (segment.clone(), *d, 0)));
    }
    app.store.set_capacity(&entries).await?;
    // Last: a run that fails before it still zeroes the gone segments next time.
    let segments: Vec<Segment> = now.into_iter().collect();
    app.store.put_capacity_segments(&segments, app.now()).await?;
    Ok(Summary {
        first_day: first,
        last_day: last,
        photographers: listed.len(),
        with_hours: minutes.len(),
        unreadable_hours,
        segments: segments.len(),
        emptied: gone.len(),
        writes: entries.len(),
    })
}
