//! A deletion by TTL, as DynamoDB Local really records it, reaches functions in the
//! shape AWS gives it (`REMOVE`, `userIdentity` Service/dynamodb.amazonaws.com). Runs
//! against the DynamoDB Local of `scripts/test` (`CM_TEST_DYNAMODB_ENDPOINT`), or starts
//! one. It checks the premise of the rewrite in streams/record.rs: should a new
//! DynamoDB Local record TTL deletions differently, this fails.

mod common;

use aws_sdk_dynamodb::types::{AttributeValue, TimeToLiveSpecification};
use local_stack::streams::record::lambda_record;
use serde_json::json;
use std::time::{Duration, Instant};

/// DynamoDB Local sweeps expired items every few seconds; this only bounds a hang.
const PATIENCE: Duration = Duration::from_secs(180);

#[tokio::test]
async fn a_ttl_deletion_reaches_functions_as_dynamodb_writes_it() {
    let emulator = common::emulator("ttl-stream").await;
    let clients = &emulator.clients;
    let (table, stream_arn) = common::table_with_stream(clients, "ttl").await;
    clients
        .dynamodb
        .update_time_to_live()
        .table_name(&table)
        .time_to_live_specification(
            TimeToLiveSpecification::builder().attribute_name("ttl").enabled(true).build().unwrap(),
        )
        .send()
        .await
        .expect("enable TTL");
    let expired = (chrono::Utc::now().timestamp() - 3600).to_string();
    clients
        .dynamodb
        .put_item()
        .table_name(&table)
        .item("pk", AttributeValue::S("SLOT#p#1".into()))
        .item("sk", AttributeValue::S("SLOT".into()))
        .item("ttl", AttributeValue::N(expired.clone()))
        .send()
        .await
        .expect("put an expired item");

    let mut iterator = common::first_shard_iterator(clients, &stream_arn).await;
    let deadline = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    let deletion = 'poll: loop {
        let it = iterator.clone().expect("an open shard");
        let out = clients.streams.get_records().shard_iterator(it).send().await.expect("get records");
        iterator = out.next_shard_iterator;
        for r in out.records.unwrap_or_default() {
            let (_, _, json) = lambda_record(&r, &stream_arn, "ap-south-1").expect("a record");
            if json["eventName"] != "INSERT" {
                break 'poll json;
            }
            seen.push(json);
        }
        assert!(Instant::now() < deadline, "no deletion within {} s; records: {seen:?}", PATIENCE.as_secs());
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    assert_eq!(seen.len(), 1, "the insert came first: {seen:?}");
    assert_eq!(deletion["eventName"], "REMOVE", "{deletion}");
    assert_eq!(deletion["userIdentity"], json!({"type": "Service", "principalId": "dynamodb.amazonaws.com"}));
    assert_eq!(deletion["awsRegion"], "ap-south-1");
    assert_eq!(deletion["dynamodb"]["OldImage"]["ttl"], json!({"N": expired}));
    assert!(deletion["dynamodb"].get("NewImage").is_none(), "{deletion}");
    let event: aws_lambda_events::dynamodb::Event =
        serde_json::from_value(json!({ "Records": [deletion] })).expect("a Lambda stream event");
    assert_eq!(event.records[0].event_name, "REMOVE");
    clients.dynamodb.delete_table().table_name(&table).send().await.expect("delete table");
}
