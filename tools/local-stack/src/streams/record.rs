//! DynamoDB Streams records as a Lambda function receives them: the
//! `aws_lambda_events::dynamodb::EventRecord` JSON shape, images in DynamoDB JSON.
//!
//! Where DynamoDB Local's records differ from what AWS writes, they are given AWS's
//! shape, so functions see locally what they will see deployed:
//! - a deletion by TTL: AWS writes `REMOVE` with `userIdentity {type: Service,
//!   principalId: dynamodb.amazonaws.com}`; DynamoDB Local writes an event name of its
//!   own (`UNKNOWN_TO_SDK_VERSION`, the Java SDK's name for a value it has no
//!   constant for) and no `userIdentity`;
//! - `awsRegion`: DynamoDB Local says `ddblocal`, AWS the table's region.

use aws_sdk_dynamodbstreams::types::{AttributeValue, Record};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

pub fn attribute_json(v: &AttributeValue) -> Value {
    match v {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n }),
        AttributeValue::B(b) => json!({ "B": B64.encode(b.as_ref()) }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        AttributeValue::Null(b) => json!({ "NULL": b }),
        AttributeValue::Ss(v) => json!({ "SS": v }),
        AttributeValue::Ns(v) => json!({ "NS": v }),
        AttributeValue::Bs(v) => json!({ "BS": v.iter().map(|b| B64.encode(b.as_ref())).collect::<Vec<_>>() }),
        AttributeValue::L(items) => json!({ "L": items.iter().map(attribute_json).collect::<Vec<_>>() }),
        AttributeValue::M(m) => json!({ "M": image_json(m) }),
        _ => Value::Null,
    }
}

/// The event name DynamoDB Local gives the records of its TTL deletions.
const LOCAL_TTL_EVENT: &str = "UNKNOWN_TO_SDK_VERSION";

/// A deletion by DynamoDB's TTL sweep, as DynamoDB Local records it: its own event
/// name, no user identity, and no new image (the item is gone).
fn is_local_ttl_deletion(r: &Record) -> bool {
    r.event_name.as_ref().is_some_and(|n| n.as_str() == LOCAL_TTL_EVENT)
        && r.user_identity.is_none()
        && r.dynamodb.as_ref().is_some_and(|d| d.new_image.is_none())
}

pub fn image_json(m: &HashMap<String, AttributeValue>) -> Value {
    Value::Object(m.iter().map(|(k, v)| (k.clone(), attribute_json(v))).collect::<Map<_, _>>())
}

/// The record's sequence number and creation time, and its Lambda JSON. `region` is the
/// table's (the stack's) region.
pub fn lambda_record(r: &Record, stream_arn: &str, region: &str) -> Option<(String, DateTime<Utc>, Value)> {
    let d = r.dynamodb.as_ref()?;
    let seq = d.sequence_number.clone()?;
    let created = d
        .approximate_creation_date_time
        .and_then(|t| DateTime::<Utc>::from_timestamp(t.secs(), t.subsec_nanos()))
        .unwrap_or_else(Utc::now);
    let mut dynamodb = Map::new();
    dynamodb.insert("ApproximateCreationDateTime".into(), json!(created.timestamp()));
    if let Some(keys) = &d.keys {
        dynamodb.insert("Keys".into(), image_json(keys));
    }
    if let Some(img) = &d.new_image {
        dynamodb.insert("NewImage".into(), image_json(img));
    }
    if let Some(img) = &d.old_image {
        dynamodb.insert("OldImage".into(), image_json(img));
    }
    dynamodb.insert("SequenceNumber".into(), json!(seq));
    dynamodb.insert("SizeBytes".into(), json!(d.size_bytes.unwrap_or(0)));
    if let Some(view) = &d.stream_view_type {
        dynamodb.insert("StreamViewType".into(), json!(view.as_str()));
    }
    let ttl_deletion = is_local_ttl_deletion(r);
    let event_name = match &r.event_name {
        _ if ttl_deletion => "REMOVE".to_string(),
        Some(n) => n.as_str().to_string(),
        None => String::new(),
    };
    let mut rec = json!({
        "eventID": r.event_id.clone().unwrap_or_default(),
        "eventName": event_name,
        "eventVersion": r.event_version.clone().unwrap_or_else(|| "1.1".into()),
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    });
    if ttl_deletion {
        rec["userIdentity"] = json!({"type": "Service", "principalId": "dynamodb.amazonaws.com"});
    } else if let Some(who) = &r.user_identity {
        rec["userIdentity"] = json!({"type": who.r#type, "principalId": who.principal_id});
    }
    Some((seq, created, rec))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodbstreams::primitives::{Blob, DateTime as SmithyTime};
    use aws_sdk_dynamodbstreams::types::{OperationType, StreamRecord, StreamViewType};

    #[test]
    fn records_parse_as_the_lambda_event_type_functions_use() {
        let image = HashMap::from([
            ("pk".to_string(), AttributeValue::S("REVIEW#1".into())),
            ("rating".to_string(), AttributeValue::N("5".into())),
            ("ok".to_string(), AttributeValue::Bool(true)),
            ("tags".to_string(), AttributeValue::Ss(vec!["a".into()])),
            ("raw".to_string(), AttributeValue::B(Blob::new(vec![1, 2]))),
            ("nested".to_string(), AttributeValue::M(HashMap::from([("x".to_string(), AttributeValue::Null(true))]))),
            ("list".to_string(), AttributeValue::L(vec![AttributeValue::N("1".into())])),
        ]);
        let record = Record::builder()
            .event_id("e1")
            .event_name(OperationType::Insert)
            .event_version("1.1")
            .aws_region("us-east-1")
            .dynamodb(
                StreamRecord::builder()
                    .approximate_creation_date_time(SmithyTime::from_secs(1_795_600_000))
                    .set_keys(Some(HashMap::from([("pk".to_string(), AttributeValue::S("REVIEW#1".into()))])))
                    .set_new_image(Some(image))
                    .sequence_number("000100")
                    .size_bytes(99)
                    .stream_view_type(StreamViewType::NewAndOldImages)
                    .build(),
            )
            .build();
        let (seq, _, json) = lambda_record(&record, "arn:stream", "us-east-1").unwrap();
        assert_eq!(seq, "000100");
        assert_eq!(json["dynamodb"]["NewImage"]["rating"], json!({"N": "5"}));
        let event: aws_lambda_events::dynamodb::Event = serde_json::from_value(json!({ "Records": [json] })).unwrap();
        let r = &event.records[0];
        assert_eq!(r.event_name, "INSERT");
        assert_eq!(r.event_source_arn.as_deref(), Some("arn:stream"));
        assert_eq!(r.change.sequence_number.as_deref(), Some("000100"));
        let image = serde_json::to_value(&r.change.new_image).unwrap();
        assert_eq!(image["tags"], json!({"SS": ["a"]}));
        assert!(r.user_identity.is_none(), "a write by a caller has no user identity");
    }

    fn removal(event_name: &str) -> Record {
        let old = HashMap::from([
            ("pk".to_string(), AttributeValue::S("SLOT#p#1".into())),
            ("ttl".to_string(), AttributeValue::N("1795997893".into())),
        ]);
        Record::builder()
            .event_id("e2")
            .event_name(OperationType::from(event_name))
            .event_version("1.1")
            .aws_region("ddblocal")
            .dynamodb(
                StreamRecord::builder()
                    .approximate_creation_date_time(SmithyTime::from_secs(1_795_997_940))
                    .set_keys(Some(HashMap::from([("pk".to_string(), AttributeValue::S("SLOT#p#1".into()))])))
                    .set_old_image(Some(old))
                    .sequence_number("000000000000000000003")
                    .size_bytes(15)
                    .stream_view_type(StreamViewType::NewAndOldImages)
                    .build(),
            )
            .build()
    }

    #[test]
    fn a_ttl_deletion_by_dynamodb_local_arrives_as_aws_writes_it() {
        // As DynamoDB Local's GetRecords answers for an item its TTL sweep deleted.
        let (_, _, json) = lambda_record(&removal("UNKNOWN_TO_SDK_VERSION"), "arn:stream", "ap-south-1").unwrap();
        assert_eq!(json["eventName"], "REMOVE");
        assert_eq!(json["userIdentity"], json!({"type": "Service", "principalId": "dynamodb.amazonaws.com"}));
        assert_eq!(json["awsRegion"], "ap-south-1");
        let event: aws_lambda_events::dynamodb::Event = serde_json::from_value(json!({ "Records": [json] })).unwrap();
        let r = &event.records[0];
        assert_eq!(r.event_name, "REMOVE");
        let who = r.user_identity.as_ref().expect("a user identity");
        assert_eq!((who.type_.as_str(), who.principal_id.as_str()), ("Service", "dynamodb.amazonaws.com"));
        assert_eq!(serde_json::to_value(&r.change.old_image).unwrap()["ttl"], json!({"N": "1795997893"}));
    }

    #[test]
    fn a_deletion_by_a_caller_stays_a_plain_remove() {
        let (_, _, json) = lambda_record(&removal("REMOVE"), "arn:stream", "ap-south-1").unwrap();
        assert_eq!(json["eventName"], "REMOVE");
        assert!(json.get("userIdentity").is_none(), "{json}");
    }
}
