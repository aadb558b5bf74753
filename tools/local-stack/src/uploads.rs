//! S3 event notifications delivered to Lambda, as AWS does. moto sends a bucket's
//! notifications to SQS but never invokes a function, so each function with an `S3`
//! event gets a queue of its own, the bucket is configured to notify it (same events,
//! same key filter), and a poller hands each notification to the function as S3 would:
//! the same JSON document, asynchronously, retried twice when the function fails.
//!
//! The media bucket's `public/` prefix is what CloudFront serves in AWS; locally the
//! API serves it under `/media/` (see `api`), so the URLs functions answer work.

use crate::aws::Clients;
use crate::console::{self, Trigger};
use crate::functions::{Functions, Outcome};
use crate::template::Template;
use crate::template::intrinsics::{Scope, json_text};
use aws_sdk_s3::types::{
    Event, FilterRule, FilterRuleName, NotificationConfiguration, NotificationConfigurationFilter, QueueConfiguration,
    S3KeyFilter,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// One function's S3 trigger.
#[derive(Debug, Clone)]
pub struct S3Source {
    pub function: String,
    pub bucket: String,
    pub events: Vec<String>,
    pub prefix: Option<String>,
}

/// Lambda's asynchronous invocations: the first attempt and two retries.
const ATTEMPTS: i32 = 3;

pub fn sources(t: &Template, scope: &Scope) -> Result<Vec<S3Source>, String> {
    let mut out = Vec::new();
    for f in t.functions() {
        for e in f.events.iter().filter(|e| e.kind == "S3") {
            let p = scope.resolve(&e.properties).map_err(|err| format!("{}.{}: {err}", f.logical_id, e.name))?;
            let events = match &p["Events"] {
                serde_json::Value::Array(list) => list.iter().map(json_text).collect(),
                one => vec![json_text(one)],
            };
            let prefix = p["Filter"]["S3Key"]["Rules"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["Name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case("prefix")))
                .map(|r| json_text(&r["Value"]));
            out.push(S3Source { function: f.binary.clone(), bucket: json_text(&p["Bucket"]), events, prefix });
        }
    }
    Ok(out)
}

/// The bucket of `source` notifies a queue of its own; a task invokes the function
/// with each notification until it is aborted.
pub async fn start(source: S3Source, clients: Clients, functions: Arc<Functions>) -> Result<JoinHandle<()>, String> {
    let queue = format!("local-s3-{}", source.function);
    let sqs = &clients.sqs;
    let url = sqs
        .create_queue()
        .queue_name(&queue)
        .send()
        .await
        .map_err(|e| format!("{queue}: {}", aws_sdk_sqs::error::DisplayErrorContext(e)))?
        .queue_url
        .unwrap_or_default();
    let arn = format!(
        "arn:aws:sqs:{}:123456789012:{queue}",
        clients.s3.config().region().map_or("us-east-1".into(), |r| r.to_string())
    );
    let mut config = QueueConfiguration::builder().queue_arn(&arn).id(format!("{}-local", source.function));
    for e in &source.events {
        config = config.events(Event::from(e.as_str()));
    }
    if let Some(prefix) = &source.prefix {
        let rule = FilterRule::builder().name(FilterRuleName::Prefix).value(prefix).build();
        config = config.filter(
            NotificationConfigurationFilter::builder().key(S3KeyFilter::builder().filter_rules(rule).build()).build(),
        );
    }
    clients
        .s3
        .put_bucket_notification_configuration()
        .bucket(&source.bucket)
        .notification_configuration(
            NotificationConfiguration::builder()
                .queue_configurations(config.build().map_err(|e| e.to_string())?)
                .build(),
        )
        .send()
        .await
        .map_err(|e| format!("{}: notifications: {}", source.bucket, aws_sdk_s3::error::DisplayErrorContext(e)))?;
    Ok(tokio::spawn(async move {
        loop {
            if let Err(e) = deliver(&source, &clients, &functions, &url).await {
                console::warn(&format!("{}: S3 notifications: {e}", source.function));
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }))
}

async fn deliver(source: &S3Source, clients: &Clients, functions: &Functions, url: &str) -> Result<(), String> {
    let out = clients
        .sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .wait_time_seconds(1)
        .visibility_timeout(30)
        .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::ApproximateReceiveCount)
        .send()
        .await
        .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(e).to_string())?;
    for m in out.messages() {
        let body = m.body().unwrap_or_default();
        let event: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        // S3 announces a new configuration with a test event, which Lambda never sees.
        let is_test = event["Event"].as_str() == Some("s3:TestEvent");
        let done = is_test || {
            let mut event = event;
            aws_shape(&mut event);
            let key = event["Records"][0]["s3"]["object"]["key"].as_str().unwrap_or_default().to_string();
            let inv = functions.invoke(&source.function, event.to_string().into_bytes()).await;
            let status = inv.outcome.short();
            console::invocation(Trigger::S3, &source.function, &status, inv.took, inv.cold, &key);
            let received: i32 = m
                .attributes()
                .and_then(|a| a.get(&aws_sdk_sqs::types::MessageSystemAttributeName::ApproximateReceiveCount))
                .and_then(|n| n.parse().ok())
                .unwrap_or(1);
            matches!(inv.outcome, Outcome::Answered(_)) || received >= ATTEMPTS
        };
        if done && let Some(handle) = m.receipt_handle() {
            let _ = clients.sqs.delete_message().queue_url(url).receipt_handle(handle).send().await;
        }
    }
    Ok(())
}

/// moto's notification records leave out members AWS always sends (`userIdentity`,
/// `requestParameters`, `responseElements`, the bucket's `ownerIdentity`, the object's
/// `sequencer`; see "Event message structure" in the S3 guide), and Lambda's event type
/// requires some of them: fill them in as AWS would, keeping whatever moto did send.
pub fn aws_shape(event: &mut serde_json::Value) {
    use serde_json::json;
    for r in event["Records"].as_array_mut().into_iter().flatten() {
        let Some(record) = r.as_object_mut() else { continue };
        record.entry("userIdentity").or_insert_with(|| json!({"principalId": "AWS:LOCAL-STACK"}));
        record.entry("requestParameters").or_insert_with(|| json!({"sourceIPAddress": "127.0.0.1"}));
        record
            .entry("responseElements")
            .or_insert_with(|| json!({"x-amz-request-id": "LOCALSTACK", "x-amz-id-2": "LOCALSTACK"}));
        if let Some(bucket) = record.get_mut("s3").and_then(|s| s["bucket"].as_object_mut()) {
            bucket.entry("ownerIdentity").or_insert_with(|| json!({"principalId": "LOCALSTACK"}));
        }
        if let Some(object) = record.get_mut("s3").and_then(|s| s["object"].as_object_mut()) {
            let sequencer = format!("{:016X}", chrono::Utc::now().timestamp_micros());
            object.entry("sequencer").or_insert_with(|| json!(sequencer));
        }
    }
}

#[cfg(test)]
mod tests {
    /// A record exactly as moto 5.2.5 sends it (moto/s3/notifications.py) becomes one
    /// Lambda's S3 event type reads, with moto's values kept.
    #[test]
    fn motos_records_get_the_members_aws_sends() {
        let mut event = serde_json::json!({"Records": [{
            "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
            "eventTime": "2026-11-30T04:21:34.123Z", "eventName": "ObjectCreated:Post",
            "s3": {"s3SchemaVersion": "1.0", "configurationId": "process-upload-local",
                   "bucket": {"name": "media", "arn": "arn:aws:s3:::media"},
                   "object": {"key": "incoming%2Fportfolio%2Fa%2Fb", "size": 12, "eTag": "abc"}}}]});
        assert!(serde_json::from_value::<aws_lambda_events::s3::S3Event>(event.clone()).is_err(), "moto's shape");
        super::aws_shape(&mut event);
        let parsed: aws_lambda_events::s3::S3Event = serde_json::from_value(event).unwrap();
        let r = &parsed.records[0];
        assert_eq!(r.s3.object.key.as_deref(), Some("incoming%2Fportfolio%2Fa%2Fb"));
        assert_eq!(r.s3.bucket.name.as_deref(), Some("media"));
        assert_eq!(r.event_name.as_deref(), Some("ObjectCreated:Post"));
    }
}
