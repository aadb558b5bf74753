//! DynamoDB Local records an empty map in a stream image as `{}` with no type, which
//! the SDK refuses; the local stack's Streams client (streams/repair.rs) reads it as
//! DynamoDB writes it, `{"M":{}}`. Runs against the DynamoDB Local of `scripts/test`
//! (`CM_TEST_DYNAMODB_ENDPOINT`), or starts one. The first half checks the premise:
//! should a new DynamoDB Local write empty maps properly, it fails, and the repair can go.

mod common;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodbstreams::types::AttributeValue as StreamValue;
use std::collections::HashMap;

#[tokio::test]
async fn an_item_with_an_empty_map_reaches_the_stream_reader() {
    let emulator = common::emulator("empty-map-stream").await;
    let (clients, url) = (&emulator.clients, &emulator.url);
    let (table, stream_arn) = common::table_with_stream(clients, "emptymap").await;
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

    let iterator = || async { common::first_shard_iterator(clients, &stream_arn).await.expect("an iterator") };

    // The premise: a Streams client as the SDK builds it cannot read the record.
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new("local", "local", None, None, "test"))
        .endpoint_url(url)
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
    clients.dynamodb.delete_table().table_name(&table).send().await.expect("delete table");
}
