//! DynamoDB Local records an empty map in a stream image as `{}` with no type, which
//! the SDK refuses; the local stack's Streams client (streams/repair.rs) reads it as
//! DynamoDB writes it, `{"M":{}}`. Runs against the DynamoDB Local of `scripts/test`
//! (`CM_TEST_DYNAMODB_ENDPOINT`), or starts one. The first half checks the premise:
//! should a new DynamoDB Local write empty maps properly, it fails, and the repair can go.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    StreamSpecification, StreamViewType,
};
use aws_sdk_dynamodbstreams::types::{AttributeValue as StreamValue, ShardIteratorType};
use local_stack::aws::{self, Endpoints};
use std::collections::HashMap;
use std::path::Path;

#[tokio::test]
async fn an_item_with_an_empty_map_reaches_the_stream_reader() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let (url, _server) = match std::env::var("CM_TEST_DYNAMODB_ENDPOINT") {
        Ok(url) => (url, None),
        Err(_) => {
            let log = std::env::temp_dir().join(format!("empty-map-stream-{}.log", std::process::id()));
            let server = local_stack::dynamodb::start(&root, None, &log).await.expect("DynamoDB Local starts");
            (server.url.clone(), Some(server))
        }
    };
    let endpoints = Endpoints { moto: url.clone(), dynamodb: url.clone() };
    let clients = aws::Clients::new(&endpoints, "us-east-1").await;
    let table = format!("emptymap-{}", ulid::Ulid::new().to_string().to_lowercase());
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
    let nested = HashMap::from([("empty".to_string(), AttributeValue::M(HashMap::new()))]);
    clients
        .dynamodb
        .put_item()
        .table_name(&table)
        .item("pk", AttributeValue::S("USER#p".into()))
        .item("sk", AttributeValue::S("AVAILABILITY".into()))
        .item("weekly", AttributeValue::M(HashMap::new()))
        .item("doc", AttributeValue::M(nested))
        .send()
        .await
        .expect("put an item with empty maps");

    let shards = clients.streams.describe_stream().stream_arn(&stream_arn).send().await.expect("describe stream");
    let shard = shards
        .stream_description
        .and_then(|d| d.shards)
        .and_then(|s| s.into_iter().next())
        .and_then(|s| s.shard_id)
        .expect("a shard");
    let iterator = || async {
        clients
            .streams
            .get_shard_iterator()
            .stream_arn(&stream_arn)
            .shard_id(&shard)
            .shard_iterator_type(ShardIteratorType::TrimHorizon)
            .send()
            .await
            .expect("shard iterator")
            .shard_iterator
            .expect("an iterator")
    };

    // The premise: a Streams client as the SDK builds it cannot read the record.
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new("local", "local", None, None, "test"))
        .endpoint_url(&url)
        .load()
        .await;
    let plain = aws_sdk_dynamodbstreams::Client::new(&sdk);
    let refused = plain.get_records().shard_iterator(iterator().await).send().await;
    // The SDK's words for an attribute value with no type (the answer arrived with 200
    // and could not be read; not a refused request or a network failure).
    let why = format!("{refused:?}");
    assert!(
        refused.is_err() && why.contains("Union did not contain a valid variant"),
        "DynamoDB Local now writes empty maps readably (streams/repair.rs can go), or failed otherwise: {why}"
    );

    // The local stack's client reads it as DynamoDB would have written it.
    let records = clients
        .streams
        .get_records()
        .shard_iterator(iterator().await)
        .send()
        .await
        .expect("the repaired answer parses")
        .records
        .unwrap_or_default();
    let image = records
        .first()
        .and_then(|r| r.dynamodb.as_ref())
        .and_then(|d| d.new_image.as_ref())
        .expect("the put's new image");
    assert_eq!(image.get("weekly"), Some(&StreamValue::M(HashMap::new())));
    let inner = HashMap::from([("empty".to_string(), StreamValue::M(HashMap::new()))]);
    assert_eq!(image.get("doc"), Some(&StreamValue::M(inner)));
}
