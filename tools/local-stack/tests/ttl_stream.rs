//! A deletion by TTL, as DynamoDB Local really records it, reaches functions in the
//! shape AWS gives it (`REMOVE`, `userIdentity` Service/dynamodb.amazonaws.com). Runs
//! against the DynamoDB Local of `scripts/test` (`CM_TEST_DYNAMODB_ENDPOINT`), or starts
//! one. It checks the premise of the rewrite in streams/record.rs: should a new
//! DynamoDB Local record TTL deletions differently, this fails.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    StreamSpecification, StreamViewType, TimeToLiveSpecification,
};
use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use local_stack::aws::{self, Endpoints};
use local_stack::streams::record::lambda_record;
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

/// DynamoDB Local sweeps expired items every few seconds; this only bounds a hang.
const PATIENCE: Duration = Duration::from_secs(180);

#[tokio::test]
async fn a_ttl_deletion_reaches_functions_as_dynamodb_writes_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let (url, _server) = match std::env::var("CM_TEST_DYNAMODB_ENDPOINT") {
        Ok(url) => (url, None),
        Err(_) => {
            let log = std::env::temp_dir().join(format!("ttl-stream-{}.log", std::process::id()));
            let server = local_stack::dynamodb::start(&root, None, &log).await.expect("DynamoDB Local starts");
            (server.url.clone(), Some(server))
        }
    };
    let endpoints = Endpoints { moto: url.clone(), dynamodb: url };
    let clients = aws::Clients::new(&endpoints, "us-east-1").await;
    let table = format!("ttl-{}", ulid::Ulid::new().to_string().to_lowercase());
    let key = |name: &str, kind: KeyType| KeySchemaElement::builder().attribute_name(name).key_type(kind).build();
    let attr =
        |name: &str| AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build();
    let created = clients
        .dynamodb
        .create_table()
        .table_name(&table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr("pk").unwrap())
        .attribute_definitions(attr("sk").unwrap())
        .key_schema(key("pk", KeyType::Hash).unwrap())
        .key_schema(key("sk", KeyType::Range).unwrap())
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewAndOldImages)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("create table");
    let stream_arn = created.table_description.and_then(|d| d.latest_stream_arn).expect("a stream");
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

    let shards = clients.streams.describe_stream().stream_arn(&stream_arn).send().await.expect("describe stream");
    let shard = shards.stream_description.and_then(|d| d.shards).unwrap_or_default().remove(0);
    let mut iterator = clients
        .streams
        .get_shard_iterator()
        .stream_arn(&stream_arn)
        .shard_id(shard.shard_id.unwrap_or_default())
        .shard_iterator_type(ShardIteratorType::TrimHorizon)
        .send()
        .await
        .expect("shard iterator")
        .shard_iterator;
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
