//! What the tests that read DynamoDB Local's streams share: the emulator (the one of
//! `scripts/test`, `CM_TEST_DYNAMODB_ENDPOINT`, or one of their own), the local stack's
//! clients against it, and a fresh table with a stream, as template.yaml's table has.

// Each test binary compiles this module and uses a part of it.
#![allow(dead_code)]

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType, StreamSpecification,
    StreamViewType,
};
use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use local_stack::aws::{self, Endpoints};
use std::path::Path;

pub struct Emulator {
    pub url: String,
    pub clients: aws::Clients,
    /// Kept to the end of the test: dropping it stops an emulator the test started.
    _server: Option<local_stack::dynamodb::DynamoDbLocal>,
}

pub async fn emulator(test: &str) -> Emulator {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let (url, server) = match std::env::var("CM_TEST_DYNAMODB_ENDPOINT") {
        Ok(url) => (url, None),
        Err(_) => {
            let log = std::env::temp_dir().join(format!("{test}-{}.log", std::process::id()));
            let server = local_stack::dynamodb::start(&root, None, &log).await.expect("DynamoDB Local starts");
            (server.url.clone(), Some(server))
        }
    };
    let endpoints = Endpoints { moto: url.clone(), dynamodb: url.clone() };
    let clients = aws::Clients::new(&endpoints, "us-east-1").await;
    Emulator { url, clients, _server: server }
}

/// A new `pk`/`sk` table streaming new and old images: its name and its stream's ARN.
pub async fn table_with_stream(clients: &aws::Clients, prefix: &str) -> (String, String) {
    let table = format!("{prefix}-{}", ulid::Ulid::new().to_string().to_lowercase());
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
    (table, stream_arn)
}

/// An iterator at the oldest record of the stream's first shard.
pub async fn first_shard_iterator(clients: &aws::Clients, stream_arn: &str) -> Option<String> {
    let shards = clients.streams.describe_stream().stream_arn(stream_arn).send().await.expect("describe stream");
    let shard = shards.stream_description.and_then(|d| d.shards).unwrap_or_default().remove(0);
    clients
        .streams
        .get_shard_iterator()
        .stream_arn(stream_arn)
        .shard_id(shard.shard_id.unwrap_or_default())
        .shard_iterator_type(ShardIteratorType::TrimHorizon)
        .send()
        .await
        .expect("shard iterator")
        .shard_iterator
}
