//! DynamoDB Streams event sources: what Lambda's event source mapping does in AWS,
//! done here because DynamoDB Local records stream changes but never invokes anything.

pub mod batch;
pub mod pattern;
pub mod record;
pub mod repair;

use crate::aws::Clients;
use crate::console::{self, Trigger};
use crate::functions::{Functions, Outcome};
use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use batch::{Attempt, Discard, Policy, Rec, ShardQueue};
use pattern::Pattern;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::{JoinHandle, JoinSet};

/// Lambda polls each shard about four times a second.
const POLL_INTERVAL: Duration = Duration::from_millis(250);
/// Stop fetching while this many records wait (a function failing on repeat).
const MAX_BACKLOG: usize = 10_000;

#[derive(Debug, Clone)]
pub struct StreamSource {
    pub function: String,
    pub event: String,
    pub stream_arn: String,
    pub trim_horizon: bool,
    pub policy: Policy,
    pub filters: Vec<Pattern>,
    pub on_failure: Option<String>,
    pub enabled: bool,
    pub filter_text: Vec<String>,
}

impl StreamSource {
    /// From a `Type: DynamoDB` event's resolved properties.
    pub fn from_event(function: &str, event: &str, p: &Value) -> Result<StreamSource, String> {
        let at = format!("{function}.{event}");
        let stream_arn = p["Stream"].as_str().ok_or(format!("{at}: Stream is required"))?.to_string();
        let trim_horizon = match p["StartingPosition"].as_str() {
            Some("TRIM_HORIZON") => true,
            Some("LATEST") => false,
            other => {
                return Err(format!(
                    "{at}: StartingPosition {other:?} is not supported locally (TRIM_HORIZON, LATEST)"
                ));
            }
        };
        let int = |key: &str| p[key].as_i64().or_else(|| p[key].as_str().and_then(|s| s.parse().ok()));
        let limit = |key: &str| int(key).filter(|v| *v >= 0);
        let mut filter_text = Vec::new();
        let mut filters = Vec::new();
        for f in p["FilterCriteria"]["Filters"].as_array().into_iter().flatten() {
            let text = f["Pattern"].as_str().ok_or(format!("{at}: a filter without Pattern"))?;
            filters.push(Pattern::parse(text).map_err(|e| format!("{at}: FilterCriteria {text}: {e}"))?);
            filter_text.push(text.to_string());
        }
        if !p["TumblingWindowInSeconds"].is_null() {
            console::warn(&format!(
                "{at}: TumblingWindowInSeconds is not emulated; records are delivered without window state"
            ));
        }
        let report = p["FunctionResponseTypes"]
            .as_array()
            .is_some_and(|t| t.iter().any(|v| v.as_str() == Some("ReportBatchItemFailures")));
        Ok(StreamSource {
            function: function.to_string(),
            event: event.to_string(),
            stream_arn,
            trim_horizon,
            policy: Policy {
                batch_size: int("BatchSize").filter(|b| *b > 0).unwrap_or(100) as usize,
                window: Duration::from_secs(limit("MaximumBatchingWindowInSeconds").unwrap_or(0) as u64),
                max_retries: limit("MaximumRetryAttempts").map(|v| v as u32),
                max_record_age: limit("MaximumRecordAgeInSeconds").map(|v| Duration::from_secs(v as u64)),
                bisect: p["BisectBatchOnFunctionError"].as_bool().unwrap_or(false),
                report_item_failures: report,
            },
            filters,
            on_failure: p["DestinationConfig"]["OnFailure"]["Destination"].as_str().map(String::from),
            enabled: p["Enabled"].as_bool().unwrap_or(true),
            filter_text,
        })
    }

    pub fn describe(&self) -> String {
        let filters = if self.filter_text.is_empty() { "no filter".into() } else { self.filter_text.join(" OR ") };
        format!(
            "{} ← {} (batch {}, {})",
            self.function,
            self.stream_arn.rsplit('/').nth(2).unwrap_or("table"),
            self.policy.batch_size,
            filters
        )
    }
}

/// Opens the stream's shards (so nothing written after this returns is missed, even
/// from `LATEST`), then polls them in a task; aborting the task stops every shard.
pub async fn start(
    source: Arc<StreamSource>,
    clients: Clients,
    functions: Arc<Functions>,
    region: String,
) -> JoinHandle<()> {
    let mut known = HashSet::new();
    let first = open_new_shards(&source, &clients, &mut known, source.trim_horizon).await;
    tokio::spawn(async move {
        // Dropping the set (when this task is aborted) aborts every shard task.
        let mut shards = JoinSet::new();
        for (shard, iterator) in first {
            shards.spawn(run_shard(
                source.clone(),
                clients.clone(),
                functions.clone(),
                region.clone(),
                shard,
                iterator,
            ));
        }
        loop {
            tokio::time::sleep(Duration::from_secs(5)).await;
            // Shards that appear later are children of split shards: read them from the start.
            for (shard, iterator) in open_new_shards(&source, &clients, &mut known, true).await {
                shards.spawn(run_shard(
                    source.clone(),
                    clients.clone(),
                    functions.clone(),
                    region.clone(),
                    shard,
                    iterator,
                ));
            }
        }
    })
}

async fn open_new_shards(
    source: &StreamSource,
    clients: &Clients,
    known: &mut HashSet<String>,
    trim_horizon: bool,
) -> Vec<(String, Option<String>)> {
    let shards = match clients.streams.describe_stream().stream_arn(&source.stream_arn).send().await {
        Ok(out) => out.stream_description.and_then(|d| d.shards).unwrap_or_default(),
        Err(e) => {
            console::warn(&format!(
                "{}: describing {}: {}",
                source.function,
                source.stream_arn,
                aws_sdk_dynamodbstreams::error::DisplayErrorContext(e)
            ));
            return Vec::new();
        }
    };
    let kind = if trim_horizon { ShardIteratorType::TrimHorizon } else { ShardIteratorType::Latest };
    let mut out = Vec::new();
    for id in shards.into_iter().filter_map(|s| s.shard_id) {
        if !known.insert(id.clone()) {
            continue;
        }
        match shard_iterator(clients, &source.stream_arn, &id, kind.clone()).await {
            Ok(iterator) => out.push((id, iterator)),
            Err(e) => console::warn(&format!("{}: shard iterator: {e}", source.function)),
        }
    }
    out
}

async fn shard_iterator(
    clients: &Clients,
    stream_arn: &str,
    shard: &str,
    kind: ShardIteratorType,
) -> Result<Option<String>, String> {
    let out = clients
        .streams
        .get_shard_iterator()
        .stream_arn(stream_arn)
        .shard_id(shard)
        .shard_iterator_type(kind)
        .send()
        .await
        .map_err(|e| aws_sdk_dynamodbstreams::error::DisplayErrorContext(e).to_string())?;
    Ok(out.shard_iterator)
}

async fn run_shard(
    source: Arc<StreamSource>,
    clients: Clients,
    functions: Arc<Functions>,
    region: String,
    shard: String,
    mut iterator: Option<String>,
) {
    let mut queue = ShardQueue::default();
    loop {
        if let Some(it) = iterator.clone().filter(|_| queue.backlog() < MAX_BACKLOG) {
            match clients.streams.get_records().shard_iterator(it).limit(1000).send().await {
                Ok(out) => {
                    iterator = out.next_shard_iterator;
                    let now = Instant::now();
                    for r in out.records.unwrap_or_default() {
                        let Some((seq, created, json)) = record::lambda_record(&r, &source.stream_arn, &region) else {
                            continue;
                        };
                        // Filtered-out records never reach the function and count as processed.
                        if pattern::passes(&source.filters, &json) {
                            queue.push(Rec { seq, created, json }, now);
                        }
                    }
                }
                Err(e) if e.as_service_error().is_some_and(|s| s.is_trimmed_data_access_exception()) => {
                    // Every record after the iterator's position is gone, or (DynamoDB
                    // Local, a LATEST iterator on a shard that was empty while other
                    // tables were written) the shard's first record is numbered past it:
                    // either way the oldest record there is the next one to read.
                    iterator = shard_iterator(&clients, &source.stream_arn, &shard, ShardIteratorType::TrimHorizon)
                        .await
                        .map_err(|e| console::warn(&format!("{}: shard iterator: {e}", source.function)))
                        .ok()
                        .flatten();
                    if iterator.is_none() {
                        return;
                    }
                }
                Err(e) => {
                    // The stream is gone (a reset): the stack restarts its pollers.
                    console::warn(&format!(
                        "{}: reading the stream: {}",
                        source.function,
                        aws_sdk_dynamodbstreams::error::DisplayErrorContext(e)
                    ));
                    return;
                }
            }
        }
        loop {
            let (attempt, discards) = queue.next(&source.policy, Instant::now(), chrono::Utc::now());
            for d in discards {
                discard(&source, &clients, &shard, d).await;
            }
            let Some(attempt) = attempt else { break };
            if attempt.failures > 0 {
                tokio::time::sleep(batch::backoff(attempt.failures)).await;
            }
            let result = invoke(&source, &functions, &attempt).await;
            if let Some(d) = queue.complete(&source.policy, attempt, result) {
                discard(&source, &clients, &shard, d).await;
            }
        }
        if iterator.is_none() && queue.is_idle() {
            return; // A closed shard, fully processed.
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

async fn invoke(source: &StreamSource, functions: &Functions, attempt: &Attempt) -> batch::Result {
    let records: Vec<&Value> = attempt.records.iter().map(|r| &r.json).collect();
    let payload = json!({ "Records": records }).to_string().into_bytes();
    let inv = functions.invoke(&source.function, payload).await;
    let result = match inv.outcome {
        Outcome::Answered(bytes) => batch::Result::Returned(serde_json::from_slice(&bytes).unwrap_or(Value::Null)),
        other => batch::Result::Failed(other.short()),
    };
    let status = match &result {
        batch::Result::Returned(v) if source.policy.report_item_failures => match v["batchItemFailures"].as_array() {
            Some(f) if !f.is_empty() => format!("partial:{}", f.len()),
            _ => "ok".into(),
        },
        batch::Result::Returned(_) => "ok".into(),
        batch::Result::Failed(why) => why.clone(),
    };
    let retry = if attempt.failures > 0 { format!(", retry {}", attempt.failures) } else { String::new() };
    let detail = format!("{} record(s) from {}{retry}", attempt.records.len(), source.event);
    console::invocation(Trigger::Stream, &source.function, &status, inv.took, inv.cold, &detail);
    result
}

/// Sends an AWS-shaped failure record to the OnFailure destination (or drops it).
async fn discard(source: &StreamSource, clients: &Clients, shard: &str, d: Discard) {
    let (first, last) = (d.records.first(), d.records.last());
    let body = json!({
        "requestContext": {
            "requestId": ulid::Ulid::new().to_string(),
            "functionArn": format!("arn:aws:lambda:{}:{}:function:{}", region_of(&source.stream_arn), crate::template::intrinsics::ACCOUNT_ID, source.function),
            "condition": d.condition,
            "approximateInvokeCount": d.invocations,
        },
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": d.error},
        "version": "1.0",
        "timestamp": chrono::Utc::now().to_rfc3339(),
        "DDBStreamBatchInfo": {
            "shardId": shard,
            "startSequenceNumber": first.map(|r| r.seq.clone()),
            "endSequenceNumber": last.map(|r| r.seq.clone()),
            "approximateArrivalOfFirstRecord": first.map(|r| r.created.to_rfc3339()),
            "approximateArrivalOfLastRecord": last.map(|r| r.created.to_rfc3339()),
            "batchSize": d.records.len(),
            "streamArn": source.stream_arn,
        }
    })
    .to_string();
    let target = source.on_failure.clone().unwrap_or_default();
    let sent = if target.starts_with("arn:aws:sqs:") {
        let name = target.rsplit(':').next().unwrap_or_default();
        match clients.sqs.get_queue_url().queue_name(name).send().await {
            Ok(q) => clients
                .sqs
                .send_message()
                .queue_url(q.queue_url.unwrap_or_default())
                .message_body(body)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(e).to_string()),
            Err(e) => Err(aws_sdk_sqs::error::DisplayErrorContext(e).to_string()),
        }
    } else if target.starts_with("arn:aws:sns:") {
        clients
            .sns
            .publish()
            .topic_arn(&target)
            .message(body)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| aws_sdk_sns::error::DisplayErrorContext(e).to_string())
    } else {
        Err("no OnFailure destination: the records are dropped".into())
    };
    let what = format!("{} record(s) discarded ({})", d.records.len(), d.condition);
    match sent {
        Ok(()) => console::info(&format!("stream    {}: {what}, failure record sent to {target}", source.function)),
        Err(e) => console::warn(&format!("{}: {what}: {e}", source.function)),
    }
}

fn region_of(arn: &str) -> &str {
    arn.split(':').nth(3).unwrap_or("us-east-1")
}
