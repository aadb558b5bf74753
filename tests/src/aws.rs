//! The SDK configuration of the tests: DynamoDB and DynamoDB Streams go to DynamoDB
//! Local, every other service to moto (servers.rs starts both), exactly as
//! `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_DYNAMODB_STREAMS` and
//! `AWS_ENDPOINT_URL` would route them. So any client a test builds from
//! [`sdk_config`] reaches the right server, whatever its service.

use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, StreamSpecification, StreamViewType,
};
use aws_types::service_config::{LoadServiceConfig, ServiceConfigKey};
use cm_accounts::tokens::{AccessTokens, KeySet};
use cm_app::App;
use cm_http::{CursorKey, SealKey};
use cm_store::DynamoStore;
use serde_yaml_ng::Value;

/// The token keys every test function is given (`TOKEN_KEYS` in the local form).
pub const TEST_TOKEN_KEYS: &str = r#"{"kid":"test-1","secret":"test-secret-that-is-at-least-32-bytes-long"}"#;
pub const TEST_CURSOR_KEY: &str = "test-cursor-key-that-is-at-least-32-bytes-long";
pub const TEST_QUOTE_KEY: &str = "test-quote-key-that-is-at-least-32-bytes-long";

pub fn test_tokens() -> AccessTokens {
    let keys = KeySet::parse(TEST_TOKEN_KEYS).expect("test token keys");
    AccessTokens::new(&keys, chrono::Duration::minutes(15), chrono::Duration::days(30))
}

/// An [`App`] on `store` (the table, or `fakes::FakeStore`) with the test keys, as
/// every API function has in AWS.
pub fn app<S>(store: S) -> App<S> {
    App::new(store)
        .with_tokens(test_tokens())
        .with_cursors(CursorKey::new(TEST_CURSOR_KEY.as_bytes()).expect("key"))
        .with_quotes(SealKey::new(TEST_QUOTE_KEY.as_bytes(), "the test quote key").expect("key"))
}

/// The per-service endpoint settings, answered as the SDK asks for them: each service
/// client looks up `AWS_ENDPOINT_URL` under its own service id when it is built.
#[derive(Debug)]
struct LocalEndpoints {
    dynamodb: &'static str,
    moto: &'static str,
}

impl LoadServiceConfig for LocalEndpoints {
    fn load_config(&self, key: ServiceConfigKey<'_>) -> Option<String> {
        if key.env() != "AWS_ENDPOINT_URL" {
            return None;
        }
        let endpoint = match key.service_id() {
            "DynamoDB" | "DynamoDB Streams" => self.dynamodb,
            _ => self.moto,
        };
        Some(endpoint.to_string())
    }
}

pub async fn sdk_config() -> SdkConfig {
    let endpoints = LocalEndpoints { dynamodb: crate::servers::dynamodb(), moto: crate::servers::moto() };
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new("test", "test", None, None, "tests"))
        .load()
        .await
        .into_builder()
        // Not `endpoint_url`: an endpoint set in code would win over the per-service ones.
        .service_config(endpoints)
        .build()
}

/// One test's world: its own table and an [`App`] wired to it.
pub struct TestEnv {
    pub app: &'static App<DynamoStore>,
    pub dynamo: aws_sdk_dynamodb::Client,
    pub table: String,
}

pub async fn env() -> TestEnv {
    let sdk = sdk_config().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&sdk);
    let table = format!("test-{}", ulid::Ulid::new().to_string().to_lowercase());
    create_table_from_template(&dynamo, &table).await;
    let app = app(DynamoStore::new(dynamo.clone(), &table));
    TestEnv { app: Box::leak(Box::new(app)), dynamo, table }
}

fn key_schema(v: &Value) -> Vec<KeySchemaElement> {
    v.as_sequence()
        .into_iter()
        .flatten()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(k["AttributeName"].as_str().unwrap_or_default())
                .key_type(KeyType::from(k["KeyType"].as_str().unwrap_or_default()))
                .build()
                .expect("key schema")
        })
        .collect()
}

/// Creates `name` with the keys, indexes and stream of template.yaml's `Table`.
pub async fn create_table_from_template(client: &aws_sdk_dynamodb::Client, name: &str) {
    create_table(client, name, "Table").await
}

/// Creates `name` with the keys, indexes and stream of the template's table `logical_id`.
pub async fn create_table(client: &aws_sdk_dynamodb::Client, name: &str, logical_id: &str) {
    let t = crate::template::load();
    let (_, props) = crate::template::tables(&t)
        .into_iter()
        .find(|(id, _)| id == logical_id)
        .unwrap_or_else(|| panic!("template has no table {logical_id}"));
    let mut req =
        client.create_table().table_name(name).billing_mode(aws_sdk_dynamodb::types::BillingMode::PayPerRequest);
    for a in props["AttributeDefinitions"].as_sequence().into_iter().flatten() {
        req = req.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(a["AttributeName"].as_str().unwrap_or_default())
                .attribute_type(ScalarAttributeType::from(a["AttributeType"].as_str().unwrap_or_default()))
                .build()
                .expect("attribute"),
        );
    }
    req = req.set_key_schema(Some(key_schema(&props["KeySchema"])));
    for g in props["GlobalSecondaryIndexes"].as_sequence().into_iter().flatten() {
        req = req.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(g["IndexName"].as_str().unwrap_or_default())
                .set_key_schema(Some(key_schema(&g["KeySchema"])))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(
                            g["Projection"]["ProjectionType"].as_str().unwrap_or("ALL"),
                        ))
                        .build(),
                )
                .build()
                .expect("gsi"),
        );
    }
    if let Some(view) = props["StreamSpecification"]["StreamViewType"].as_str() {
        req = req.stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::from(view))
                .build()
                .expect("stream"),
        );
    }
    req.send().await.expect("create table");
}
