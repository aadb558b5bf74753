//! DynamoDB Streams records as a Lambda function receives them: the
//! `aws_lambda_events::dynamodb::EventRecord` JSON shape, images in DynamoDB JSON.

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

pub fn image_json(m: &HashMap<String, AttributeValue>) -> Value {
    Value::Object(m.iter().map(|(k, v)| (k.clone(), attribute_json(v))).collect::<Map<_, _>>())
}

/// The record's sequence number and creation time, and its Lambda JSON.
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
    let mut rec = json!({
        "eventID": r.event_id.clone().unwrap_or_default(),
        "eventName": r.event_name.as_ref().map(|n| n.as_str().to_string()).unwrap_or_default(),
        "eventVersion": r.event_version.clone().unwrap_or_else(|| "1.1".into()),
        "eventSource": "aws:dynamodb",
        "awsRegion": r.aws_region.clone().unwrap_or_else(|| region.to_string()),
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    });
    if let Some(who) = &r.user_identity {
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
    }
}
