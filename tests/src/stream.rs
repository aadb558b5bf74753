//! DynamoDB Streams events built from the table's real items, in the exact JSON shape
//! Lambda delivers, parsed by aws_lambda_events like the deployed function does.

use aws_lambda_events::dynamodb::Event;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};

/// An item as DynamoDB JSON (`{"pk": {"S": ...}}`), read with a consistent GetItem.
pub async fn item_json(client: &aws_sdk_dynamodb::Client, table: &str, pk: &str, sk: &str) -> Option<Value> {
    use aws_sdk_dynamodb::types::AttributeValue;
    let out = client
        .get_item()
        .table_name(table)
        .key("pk", AttributeValue::S(pk.into()))
        .key("sk", AttributeValue::S(sk.into()))
        .consistent_read(true)
        .send()
        .await
        .expect("get item");
    let item: serde_dynamo::Item = out.item?.into();
    Some(serde_json::to_value(item).expect("item as DynamoDB JSON"))
}

static SEQUENCE: AtomicU64 = AtomicU64::new(100_000_000_000_000_000);

/// One stream record. `old`/`new` are DynamoDB JSON images (None where the event has none).
pub fn record(event_name: &str, old: Option<&Value>, new: Option<&Value>) -> Value {
    let image = new.or(old).cloned().unwrap_or(json!({}));
    let keys = json!({"pk": image["pk"], "sk": image["sk"]});
    let mut dynamodb = json!({
        "ApproximateCreationDateTime": 1795600000,
        "Keys": keys,
        "SequenceNumber": SEQUENCE.fetch_add(1, Ordering::Relaxed).to_string(),
        "SizeBytes": 512,
        "StreamViewType": "NEW_AND_OLD_IMAGES"
    });
    if let Some(n) = new {
        dynamodb["NewImage"] = n.clone();
    }
    if let Some(o) = old {
        dynamodb["OldImage"] = o.clone();
    }
    json!({
        "eventID": ulid::Ulid::new().to_string(),
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": dynamodb,
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/test/stream/2026-11-25T00:00:00.000"
    })
}

pub fn event(records: Vec<Value>) -> Event {
    serde_json::from_value(json!({ "Records": records })).expect("a DynamoDB stream event")
}

pub fn sequence_of(record: &Value) -> String {
    record["dynamodb"]["SequenceNumber"].as_str().unwrap_or_default().to_string()
}
