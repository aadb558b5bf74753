//! The local AWS endpoint. `scripts/test` starts one moto server for the whole run
//! and exports `CM_TEST_AWS_ENDPOINT`; a plain `cargo test` starts its own.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, StreamSpecification, StreamViewType,
};
use cm_accounts::tokens::{AccessTokens, KeySet};
use cm_app::App;
use cm_http::CursorKey;
use cm_store::DynamoStore;
use serde_yaml_ng::Value;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The token keys every test function is given (`TOKEN_KEYS` in the local form).
pub const TEST_TOKEN_KEYS: &str = r#"{"kid":"test-1","secret":"test-secret-that-is-at-least-32-bytes-long"}"#;
pub const TEST_CURSOR_KEY: &str = "test-cursor-key-that-is-at-least-32-bytes-long";

pub fn test_tokens() -> AccessTokens {
    let keys = KeySet::parse(TEST_TOKEN_KEYS).expect("test token keys");
    AccessTokens::new(&keys, chrono::Duration::minutes(15), chrono::Duration::days(30))
}

/// An [`App`] on `store` (the table, or `fakes::FakeStore`) with the test keys, as
/// every API function has in AWS.
pub fn app<S>(store: S) -> App<S> {
    App::new(store).with_tokens(test_tokens()).with_cursors(CursorKey::new(TEST_CURSOR_KEY.as_bytes()).expect("key"))
}

fn endpoint() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(|| std::env::var("CM_TEST_AWS_ENDPOINT").unwrap_or_else(|_| start_moto()))
}

fn start_moto() -> String {
    let root = crate::template::repo_root();
    let bin = root.join(".venv/aws/bin/moto_server");
    assert!(bin.exists(), "moto is not installed: run scripts/test (it installs it), or set CM_TEST_AWS_ENDPOINT");
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port");
    // A watchdog shell stops moto when this test process ends, however it ends.
    let script = format!(
        "'{}' -H 127.0.0.1 -p {port} >/dev/null 2>&1 & m=$!; while kill -0 {} 2>/dev/null; do sleep 1; done; kill $m",
        bin.display(),
        std::process::id()
    );
    // Kept for the life of the process: the watchdog, not this handle, ends moto.
    static WATCHDOG: OnceLock<std::sync::Mutex<std::process::Child>> = OnceLock::new();
    let child = Command::new("sh").arg("-c").arg(script).stdin(Stdio::null()).spawn().expect("start moto");
    let _ = WATCHDOG.set(std::sync::Mutex::new(child));
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto did not start on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
    url
}

pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new("test", "test", None, None, "tests"))
        .load()
        .await
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
    let t = crate::template::load();
    let (_, props) =
        crate::template::tables(&t).into_iter().find(|(id, _)| id == "Table").expect("template has a Table");
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

/// The emulator's base URL, for clients of other services (SNS, SES, ...).
pub fn endpoint_url() -> &'static str {
    endpoint()
}

/// Everything moto has recorded (sent emails, published SNS messages, ...), from its
/// own inspection endpoint. A plain HTTP/1.0 GET keeps an HTTP client crate out of
/// the tests.
pub async fn recorded_state() -> serde_json::Value {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = endpoint().trim_start_matches("http://");
    // moto sometimes answers 500 while another test is writing stream records
    // ("StreamRecord is not JSON serializable"); that is moto's race, not ours: retry.
    for _ in 0..20 {
        let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect to moto");
        let request = format!("GET /moto-api/data.json HTTP/1.0\r\nHost: {host}\r\n\r\n");
        stream.write_all(request.as_bytes()).await.expect("send");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("read");
        let text = String::from_utf8_lossy(&raw);
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
        if let Ok(v) = serde_json::from_str(body) {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("moto's data.json kept failing")
}

/// Messages published to one SNS topic, in order.
pub async fn sns_messages(topic_arn: &str) -> Vec<serde_json::Value> {
    let state = recorded_state().await;
    let mut out = Vec::new();
    // data.json: sns → FakeTopic → [topics]; duplicate entries per topic are possible.
    let mut seen = std::collections::HashSet::new();
    for topics in state["sns"].as_object().into_iter().flat_map(|o| o.values()) {
        for t in topics.as_array().into_iter().flatten() {
            if t["arn"].as_str() == Some(topic_arn) {
                for n in t["sent_notifications"].as_array().into_iter().flatten() {
                    if seen.insert(n.to_string()) {
                        out.push(n.clone());
                    }
                }
            }
        }
    }
    out
}
