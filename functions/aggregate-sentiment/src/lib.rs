//! Stream-triggered (DynamoDB Streams, filtered to analysed reviews and feedback): adds
//! each new analysis to the platform's daily sentiment aggregates, which admin insights
//! read with one Query.
//!
//! The aggregates are kept here, downstream, rather than in the analysis's own
//! transaction: every analysis would otherwise write the same per-day item, and
//! concurrent analyses would cancel each other (`TransactionConflict`). An analysis is
//! a MODIFY whose `analysis_version` went up; the deltas move the counters from the old
//! analysis to the new one (a first analysis adds an item). Each is added once, with a
//! marker item naming it in the same transaction, so redelivered and bisected batches
//! count nothing twice. A record whose deltas did not commit is reported as a batch
//! item failure and retried, never acknowledged.

use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use chrono::{DateTime, NaiveDate, Utc};
use cm_app::App;
use cm_reviews::SentimentRecord;
use cm_reviews::sentiment::aggregate_deltas;
use cm_store::reviews::Applied;
use cm_store::{DynamoStore, SentimentAggregates, StoreError};
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
    let deltas = aggregate_deltas(kind, old.sentiment.as_ref().map(|r| &r.analysis), &analysis.analysis);
    let analysis = format!("{}#{}#v{}", new.pk, new.sk, new.analysis_version);
    Ok(Some(Contribution { analysis, day: new.created_at.date_naive(), deltas }))
}

pub async fn handle<S: SentimentAggregates>(
    a: &Aggregator<S>,
    event: LambdaEvent<Event>,
) -> Result<DynamoDbEventResponse, Error> {
    let mut response = DynamoDbEventResponse::default();
    for record in &event.payload.records {
        let outcome = match contribution(record) {
            Ok(Some(c)) => a
                .app
                .store
                .add_sentiment_deltas(&c.analysis, c.day, &c.deltas, a.app.now())
                .await
                .map_err(RecordError::from),
            Ok(None) => Ok(Applied::AlreadyApplied),
            Err(e) => Err(e),
        };
        if let Err(e) = outcome {
            let id = record.change.sequence_number.clone().unwrap_or_default();
            tracing::error!(sequence = %id, error = %e, "aggregate record failed");
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = Some(id);
            response.batch_item_failures.push(failure);
        }
    }
    Ok(response)
}
