//! Stream-triggered (DynamoDB Streams): keeps the aggregates derived from the table's
//! changes, downstream of the writes that cause them. One consumer for both kinds,
//! because every consumer of a stream shard reads it and DynamoDB throttles a shard's
//! readers beyond two (notify-booking-change and score-sentiment are the others).
//!
//! **Sentiment** (analysed reviews and feedback): adds each new analysis to the
//! platform's daily sentiment aggregates, which admin insights read with one Query.
//! The aggregates are kept here rather than in the analysis's own transaction: every
//! analysis would otherwise write the same per-day item, and concurrent analyses would
//! cancel each other (`TransactionConflict`). An analysis is a MODIFY whose
//! `analysis_version` went up; the deltas move the counters from the old analysis to
//! the new one (a first analysis adds an item). Each is added once, with a marker item
//! naming it in the same transaction.
//!
//! **Recommendation features** (bookings; `cm_booking::activity` says what a change
//! means): the photographer's booked days, answer times, completed bookings, distinct
//! clients and co-booking pairs (docs/recommendations.md, "Features"). Booked days are
//! set and removed per booking, idempotent by construction; counters count once per
//! event (a marker, or for clients the client's own photographer item).
//!
//! **Booking analytics** (`cm_booking::analytics`): requests, answers, cancellations,
//! expiries, completions, booked minutes and lead times per day, for the platform and
//! per city and specialization (docs/data-model.md, "Analytics"), each booking version
//! counted once with a marker.
//!
//! **Payments and reviews in the booking analytics**: a change of a booking's payment
//! ledger adds the money it took and gave back (per currency) and the booking becoming
//! fully paid, once per ledger version; a new review adds one review, once per booking.
//! Both go to the booking's series (its city and specialization, read from the booking
//! item: the ledger and the review do not carry them).
//!
//! **The photographer's own series** (their stats): every booking contribution above
//! also goes to the photographer's daily series, with the minutes of their sessions by
//! the session's own day (a reschedule moves them), their reviews' stars, and their
//! reviews' sentiment, moved from the old analysis to the new one like the platform's.
//!
//! So redelivered and bisected batches count nothing twice. A record whose effects did
//! not all commit is reported as a batch item failure and retried, never acknowledged;
//! Lambda redelivers from the lowest failed record on, in order, so a booking's days
//! end as its last image says.

use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use chrono::{DateTime, NaiveDate, Utc};
use cm_app::App;
use cm_booking::activity::{Facts, activity};
use cm_booking::analytics::{self, Tone};
use cm_booking::booking::Booking;
use cm_core::{BookingId, UserId};
use cm_payments::Ledger;
use cm_reviews::SentimentRecord;
use cm_reviews::sentiment::{aggregate_deltas, score_e4};
use cm_sentiment::{Analysis, Label};
use cm_store::{AnalyticsWriter, BookingReader, DynamoStore, FeatureWriter, SentimentAggregates, StoreError};
use futures::StreamExt;
use lambda_runtime::{Error, LambdaEvent};
use serde::Deserialize;
use std::collections::BTreeMap;

pub struct Aggregator<S> {
    pub app: App<S>,
}

impl Aggregator<DynamoStore> {
    pub async fn from_env(env: cm_runtime::Env) -> Result<Self, Error> {
        Ok(Aggregator { app: App::new(env.store()?) })
    }
}

/// The part of a review or feedback image an aggregate needs.
#[derive(Debug, Deserialize)]
struct Analysed {
    pk: String,
    sk: String,
    entity: String,
    /// A review's photographer (feedback has none).
    #[serde(default)]
    photographer_id: Option<UserId>,
    #[serde(default)]
    analysis_version: u32,
    #[serde(default)]
    sentiment: Option<SentimentRecord>,
    created_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("poison record: {0}")]
    Poison(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What one analysis adds to the aggregates.
struct Contribution {
    /// Unique to this analysis of this item: the marker's name.
    analysis: String,
    day: NaiveDate,
    deltas: BTreeMap<String, i64>,
    /// A review's: what it moves in its photographer's own series.
    photographer: Option<(UserId, BTreeMap<analytics::Counter, i64>)>,
}

/// An analysis as the photographer's series counts it.
fn tone_of(a: &Analysis) -> (Tone, i64) {
    let tone = match a.label {
        Label::Positive => Tone::Positive,
        Label::Neutral => Tone::Neutral,
        Label::Negative => Tone::Negative,
    };
    (tone, score_e4(a.score))
}

/// What one record adds, if anything.
fn contribution(record: &EventRecord) -> Result<Option<Contribution>, RecordError> {
    if record.event_name != "MODIFY" || record.change.new_image.is_empty() {
        return Ok(None);
    }
    let new: Analysed = serde_dynamo::from_item(record.change.new_image.clone())
        .map_err(|e| RecordError::Poison(format!("NewImage: {e}")))?;
    let old: Analysed = serde_dynamo::from_item(record.change.old_image.clone())
        .map_err(|e| RecordError::Poison(format!("OldImage: {e}")))?;
    let kind = match new.entity.as_str() {
        "review" | "feedback" => new.entity.as_str(),
        _ => return Ok(None),
    };
    // A reply, a status change or a cleared alert flag: no new analysis.
    if new.analysis_version <= old.analysis_version {
        return Ok(None);
    }
    let Some(analysis) = &new.sentiment else {
        return Err(RecordError::Poison(format!("{} {} has a new analysis version but no result", new.pk, new.sk)));
    };
    let before = old.sentiment.as_ref().map(|r| &r.analysis);
    let deltas = aggregate_deltas(kind, before, &analysis.analysis);
    let photographer = new
        .photographer_id
        .filter(|_| kind == "review")
        .map(|p| (p, analytics::sentiment_deltas(before.map(tone_of), tone_of(&analysis.analysis))));
    let analysis = format!("{}#{}#v{}", new.pk, new.sk, new.analysis_version);
    Ok(Some(Contribution { analysis, day: new.created_at.date_naive(), deltas, photographer }))
}

/// A booking before and after one change (`None` where the item did not exist).
type BookingChange = (Option<Booking>, Option<Booking>);

/// The booking before and after the change, when the record is a booking's.
fn booking_change(record: &EventRecord) -> Result<Option<BookingChange>, RecordError> {
    let image = |item: &serde_dynamo::Item, which: &str| -> Result<Option<Booking>, RecordError> {
        let is_booking = matches!(item.get("entity"), Some(serde_dynamo::AttributeValue::S(e)) if e == "booking");
        if !is_booking {
            return Ok(None);
        }
        let b: Booking =
            serde_dynamo::from_item(item.clone()).map_err(|e| RecordError::Poison(format!("{which}: {e}")))?;
        Ok(Some(b))
    };
    let old = image(&record.change.old_image, "OldImage")?;
    let new = image(&record.change.new_image, "NewImage")?;
    Ok((old.is_some() || new.is_some()).then_some((old, new)))
}

/// A ledger before and after one change (`None` before: a new ledger).
type LedgerChange = (Option<Ledger>, Ledger);

/// The ledger before and after the change, when the record is a payment ledger's.
fn ledger_change(record: &EventRecord) -> Result<Option<LedgerChange>, RecordError> {
    if !is_entity(&record.change.new_image, "payments") {
        return Ok(None);
    }
    let new: Ledger = serde_dynamo::from_item(record.change.new_image.clone())
        .map_err(|e| RecordError::Poison(format!("NewImage: {e}")))?;
    let old = if is_entity(&record.change.old_image, "payments") {
        Some(
            serde_dynamo::from_item(record.change.old_image.clone())
                .map_err(|e| RecordError::Poison(format!("OldImage: {e}")))?,
        )
    } else {
        None
    };
    Ok(Some((old, new)))
}

/// The part of a new review the analytics need.
#[derive(Debug, Deserialize)]
struct NewReview {
    booking_id: BookingId,
    rating: u8,
    created_at: DateTime<Utc>,
}

/// The review, when the record is a review's creation.
fn review_created(record: &EventRecord) -> Result<Option<NewReview>, RecordError> {
    if record.event_name != "INSERT" || !is_entity(&record.change.new_image, "review") {
        return Ok(None);
    }
    serde_dynamo::from_item(record.change.new_image.clone())
        .map(Some)
        .map_err(|e| RecordError::Poison(format!("NewImage: {e}")))
}

fn is_entity(item: &serde_dynamo::Item, entity: &str) -> bool {
    matches!(item.get("entity"), Some(serde_dynamo::AttributeValue::S(e)) if e == entity)
}

/// The booking a ledger or a review belongs to: its series are the booking's. Written
/// before either, so its absence is a broken record, not a race.
async fn booking_of<S: BookingReader>(a: &Aggregator<S>, id: BookingId) -> Result<Booking, RecordError> {
    a.app.store.get_booking(id).await?.ok_or_else(|| RecordError::Poison(format!("booking {id} not found")))
}

async fn apply_ledger<S: BookingReader + AnalyticsWriter>(
    a: &Aggregator<S>,
    old: Option<&Ledger>,
    new: &Ledger,
) -> Result<(), RecordError> {
    // Most ledger changes (an authorisation, a reminder) count nothing: no read.
    if analytics::payment_deltas(old, new).is_empty() {
        return Ok(());
    }
    let booking = booking_of(a, new.booking_id).await?;
    if let Some(c) = analytics::payment_contribution(old, new, &booking) {
        a.app.store.add_booking_contribution_of(&c, Some(booking.photographer_id), a.app.now()).await?;
    }
    Ok(())
}

async fn apply_review<S: BookingReader + AnalyticsWriter>(a: &Aggregator<S>, r: &NewReview) -> Result<(), RecordError> {
    let booking = booking_of(a, r.booking_id).await?;
    if let Some(c) = analytics::review_contribution(&booking, r.created_at, r.rating) {
        a.app.store.add_booking_contribution_of(&c, Some(booking.photographer_id), a.app.now()).await?;
    }
    Ok(())
}

async fn apply_booking<S: FeatureWriter + AnalyticsWriter>(
    a: &Aggregator<S>,
    old: Option<&Booking>,
    new: Option<&Booking>,
) -> Result<(), RecordError> {
    let now = a.app.now();
    let store = &a.app.store;
    let photographer = new.or(old).map(|b| b.photographer_id);
    for c in analytics::contribution(old, new).into_iter().chain(analytics::session_contributions(old, new)) {
        store.add_booking_contribution_of(&c, photographer, now).await?;
    }
    let (old, new) = (old.map(Facts::from), new.map(Facts::from));
    let (old, new) = (old.as_ref(), new.as_ref());
    let Some(photographer) = new.or(old).map(|f| f.photographer) else { return Ok(()) };
    let change = activity(old, new);
    if let Some((from, to)) = change.booked_day {
        let booking = new.or(old).map(|f| f.id).ok_or_else(|| RecordError::Poison("no booking".into()))?;
        store.move_booked_day(photographer, booking, from, to).await?;
    }
    if let Some(answer) = change.answered {
        store.add_response(&answer.event, photographer, answer.minutes, now).await?;
    }
    if let Some(event) = change.completed {
        store.add_completed(&event, photographer, now).await?;
    }
    if let Some((client, photographer)) = change.confirmed_client {
        store.add_client(client, photographer, now).await?;
    }
    Ok(())
}

/// The platform's sentiment aggregates, then for a review its photographer's series:
/// two transactions, each counted once by its own marker, so a retry after the first
/// adds only what the second had not.
async fn apply_analysis<S: SentimentAggregates + AnalyticsWriter>(
    a: &Aggregator<S>,
    c: &Contribution,
) -> Result<(), RecordError> {
    let now = a.app.now();
    a.app.store.add_sentiment_deltas(&c.analysis, c.day, &c.deltas, now).await?;
    if let Some((photographer, deltas)) = &c.photographer
        && !deltas.is_empty()
    {
        let event = format!("analytics#sentiment#{}", c.analysis);
        a.app.store.add_photographer_counters(&event, *photographer, c.day, deltas, now).await?;
    }
    Ok(())
}

/// Records handled at once: different items' records in parallel, each item's in stream
/// order. The aggregates are sums with a marker per event, so the order across items
/// does not change them; within an item (a booking's booked days) it does.
pub const CONCURRENCY: usize = 8;

/// What one record adds, whichever kind it is.
async fn apply<S: SentimentAggregates + FeatureWriter + AnalyticsWriter + BookingReader>(
    a: &Aggregator<S>,
    record: &EventRecord,
) -> Result<(), RecordError> {
    match (booking_change(record)?, ledger_change(record)?, review_created(record)?) {
        (Some((old, new)), _, _) => apply_booking(a, old.as_ref(), new.as_ref()).await,
        (_, Some((old, new)), _) => apply_ledger(a, old.as_ref(), &new).await,
        (_, _, Some(review)) => apply_review(a, &review).await,
        (None, None, None) => match contribution(record)? {
            Some(c) => apply_analysis(a, &c).await,
            None => Ok(()),
        },
    }
}

/// The item a record changed, as its key's text: records of one item go in order.
fn item_key(record: &EventRecord) -> String {
    let part = |name: &str| match record.change.keys.get(name) {
        Some(serde_dynamo::AttributeValue::S(v)) => v.clone(),
        _ => String::new(),
    };
    format!("{}\u{1f}{}", part("pk"), part("sk"))
}

pub async fn handle<S: SentimentAggregates + FeatureWriter + AnalyticsWriter + BookingReader>(
    a: &Aggregator<S>,
    event: LambdaEvent<Event>,
) -> Result<DynamoDbEventResponse, Error> {
    let records = &event.payload.records;
    // Each item's records in stream order, the items in order of their first record.
    let mut order: Vec<String> = Vec::new();
    let mut by_item: std::collections::HashMap<String, Vec<usize>> = std::collections::HashMap::new();
    for (i, record) in records.iter().enumerate() {
        let key = item_key(record);
        by_item
            .entry(key.clone())
            .or_insert_with(|| {
                order.push(key);
                Vec::new()
            })
            .push(i);
    }
    let groups: Vec<Vec<usize>> = order.into_iter().filter_map(|k| by_item.remove(&k)).collect();
    // An item stops at its first failure: its later records must not run ahead of it.
    let failed: Vec<usize> = futures::stream::iter(groups)
        .map(|group| async move {
            for i in group {
                if let Err(e) = apply(a, &records[i]).await {
                    let id = records[i].change.sequence_number.clone().unwrap_or_default();
                    tracing::error!(sequence = %id, error = %e, "aggregate record failed");
                    return Some(i);
                }
            }
            None
        })
        .buffer_unordered(CONCURRENCY)
        .filter_map(|f| async move { f })
        .collect()
        .await;
    // Lambda resumes from the first failed record, so that one is what to report: every
    // record after it comes again, and what of them was counted is counted once.
    let mut response = DynamoDbEventResponse::default();
    if let Some(first) = failed.into_iter().min() {
        let mut failure = DynamoDbBatchItemFailure::default();
        failure.item_identifier = records[first].change.sequence_number.clone();
        response.batch_item_failures.push(failure);
    }
    Ok(response)
}
