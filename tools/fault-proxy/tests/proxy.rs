//! The proxy in front of a real local DynamoDB, driven by the real aws-sdk-dynamodb client
//! with its default (standard) retry configuration. Each test checks three things: what
//! the caller gets (the typed SDK error), how many attempts reached the proxy, and what
//! the SDK's own retry classifiers made of every attempt.
//!
//! Upstream: `FAULT_PROXY_UPSTREAM`, else `CM_TEST_AWS_ENDPOINT` (set by scripts/test),
//! else a moto server started here from .venv/aws (installed by scripts/test).

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::interceptors::FinalizerInterceptorContextRef;
use aws_sdk_dynamodb::config::retry::RetryAction;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::operation::get_item::GetItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::query::QueryError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, Put, ScalarAttributeType,
    TransactWriteItem,
};
use aws_smithy_runtime::client::retries::classifiers::run_classifiers_on_ctx;
use aws_smithy_runtime_api::box_error::BoxError;
use fault_proxy::{Action, Delivery, FaultProxy, Rule, Which};
use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

fn upstream() -> &'static str {
    static UPSTREAM: OnceLock<String> = OnceLock::new();
    UPSTREAM.get_or_init(|| {
        std::env::var("FAULT_PROXY_UPSTREAM")
            .or_else(|_| std::env::var("CM_TEST_AWS_ENDPOINT"))
            .unwrap_or_else(|_| start_moto())
    })
}

fn start_moto() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bin = root.join(".venv/aws/bin/moto_server");
    assert!(bin.exists(), "moto is not installed: run scripts/test (it installs it), or set FAULT_PROXY_UPSTREAM");
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port");
    // A watchdog shell stops moto when this test process ends, however it ends.
    let script = format!(
        "'{}' -H 127.0.0.1 -p {port} >/dev/null 2>&1 & m=$!; while kill -0 {} 2>/dev/null; do sleep 1; done; kill $m",
        bin.display(),
        std::process::id()
    );
    static WATCHDOG: OnceLock<Mutex<std::process::Child>> = OnceLock::new();
    let child = Command::new("sh").arg("-c").arg(script).stdin(Stdio::null()).spawn().expect("start moto");
    let _ = WATCHDOG.set(Mutex::new(child));
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto did not start on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
    format!("http://127.0.0.1:{port}")
}

async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new("test", "test", None, None, "tests"))
        .load()
        .await
}

/// After every attempt, asks the client's own retry classifiers (the ones its retry
/// strategy consults) what they make of the outcome, and keeps the verdict.
#[derive(Debug, Clone, Default)]
struct Verdicts(Arc<Mutex<Vec<RetryAction>>>);

impl Intercept for Verdicts {
    fn name(&self) -> &'static str {
        "Verdicts"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let verdict = run_classifiers_on_ctx(runtime_components.retry_classifiers(), context.inner());
        self.0.lock().unwrap().push(verdict);
        Ok(())
    }
}

/// One test's world: a table of its own on the upstream, a proxy in front, an SDK
/// client through the proxy and one straight to the upstream (to see what really
/// happened).
struct Harness {
    proxy: FaultProxy,
    table: String,
    client: Client,
    direct: Client,
    verdicts: Verdicts,
}

impl Harness {
    async fn new() -> Harness {
        Self::build(None).await
    }

    async fn build(attempt_timeout: Option<Duration>) -> Harness {
        let direct = Client::new(&sdk_config(upstream()).await);
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let table = format!("fault-proxy-{}-{nanos}-{n}", std::process::id());
        let key = |name: &str, kind| KeySchemaElement::builder().attribute_name(name).key_type(kind).build().unwrap();
        let attr = |name: &str| {
            AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build().unwrap()
        };
        direct
            .create_table()
            .table_name(&table)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("pk", KeyType::Hash))
            .key_schema(key("sk", KeyType::Range))
            .attribute_definitions(attr("pk"))
            .attribute_definitions(attr("sk"))
            .send()
            .await
            .expect("create table");
        let proxy = FaultProxy::start(upstream());
        let verdicts = Verdicts::default();
        let mut conf =
            aws_sdk_dynamodb::config::Builder::from(&sdk_config(proxy.url()).await).interceptor(verdicts.clone());
        if let Some(t) = attempt_timeout {
            conf = conf.timeout_config(
                aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder().operation_attempt_timeout(t).build(),
            );
        }
        Harness { proxy, table, client: Client::from_conf(conf.build()), direct, verdicts }
    }

    fn verdicts(&self) -> Vec<RetryAction> {
        self.verdicts.0.lock().unwrap().clone()
    }

    fn key(pk: &str) -> HashMap<String, AttributeValue> {
        HashMap::from([("pk".into(), AttributeValue::S(pk.into())), ("sk".into(), AttributeValue::S("A".into()))])
    }

    /// The item as the upstream has it, read around the proxy.
    async fn stored(&self, pk: &str) -> Option<HashMap<String, AttributeValue>> {
        let out = self
            .direct
            .get_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(pk)))
            .consistent_read(true)
            .send()
            .await
            .expect("read around the proxy");
        out.item
    }

    /// A create-only PutItem through the proxy.
    async fn create(&self, pk: &str) -> Result<(), aws_sdk_dynamodb::error::SdkError<PutItemError>> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(Self::key(pk)))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map(|_| ())
    }

    /// A transaction creating one item per key, each only if absent, through the proxy.
    async fn create_all(&self, pks: &[&str]) -> Result<(), aws_sdk_dynamodb::error::SdkError<TransactWriteItemsError>> {
        let mut req = self.client.transact_write_items();
        for pk in pks {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(Self::key(pk)))
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .unwrap();
            req = req.transact_items(TransactWriteItem::builder().put(put).build());
        }
        req.send().await.map(|_| ())
    }
}

fn codes(e: &aws_sdk_dynamodb::types::error::TransactionCanceledException) -> Vec<&str> {
    e.cancellation_reasons().iter().map(|r| r.code().unwrap_or("-")).collect()
}

#[tokio::test]
async fn everything_without_a_rule_passes_through_unchanged() {
    let h = Harness::new().await;
    h.create("USER#1").await.expect("put through the proxy");
    h.create_all(&["USER#2", "USER#3"]).await.expect("transaction through the proxy");
    let got = h.client.get_item().table_name(&h.table).set_key(Some(Harness::key("USER#2"))).send().await.unwrap();
    assert_eq!(got.item, h.stored("USER#2").await);
    let dup = h.create("USER#1").await.expect_err("the upstream's own conditional failure comes back");
    assert!(dup.into_service_error().is_conditional_check_failed_exception());

    let log = h.proxy.log();
    let ops: Vec<&str> = log.iter().map(|e| e.operation.as_str()).collect();
    assert_eq!(ops, ["PutItem", "TransactWriteItems", "GetItem", "PutItem"]);
    for e in &log {
        assert_eq!(e.injected, None);
        assert_eq!(e.answer(), e.upstream.as_ref(), "the client gets exactly the upstream's answer");
    }
    assert_eq!(log[3].error_code(), Some("ConditionalCheckFailedException"));
    assert_eq!(log[0].request["TableName"], h.table.as_str());
}

#[tokio::test]
async fn transaction_conflict_reaches_the_caller_with_its_reasons_and_is_not_retried() {
    let h = Harness::new().await;
    let rule = h.proxy.add(Rule::on("TransactWriteItems").first(1).inject(Action::CancelTransaction(Which::Item(1))));

    let err = h.create_all(&["BOOKING#1", "SLOT#1"]).await.expect_err("cancelled");
    let TransactWriteItemsError::TransactionCanceledException(e) = err.into_service_error() else {
        panic!("expected TransactionCanceledException")
    };
    assert_eq!(codes(&e), ["None", "TransactionConflict"]);
    assert_eq!(e.cancellation_reasons()[1].message(), Some("Transaction is ongoing for the item"));
    assert_eq!(e.cancellation_reasons()[0].message(), None);
    assert_eq!(
        e.message(),
        Some(
            "Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]"
        )
    );
    assert_eq!(h.proxy.count("TransactWriteItems"), 1, "the SDK does not retry a cancelled transaction");
    assert_eq!(h.verdicts(), [RetryAction::NoActionIndicated]);
    assert!(!h.proxy.log()[0].forwarded());
    assert_eq!(h.stored("BOOKING#1").await, None, "nothing was written");

    // The rule is spent: the same transaction now commits.
    h.create_all(&["BOOKING#1", "SLOT#1"]).await.expect("second call goes through");
    assert_eq!(h.proxy.count("TransactWriteItems"), 2);
    assert_eq!((h.proxy.matched(rule), h.proxy.fired(rule)), (2, 1));
    assert!(h.stored("SLOT#1").await.is_some());
}

#[tokio::test]
async fn a_transaction_can_be_cancelled_on_every_entry() {
    let h = Harness::new().await;
    h.proxy.add(Rule::on("TransactWriteItems").inject(Action::CancelTransaction(Which::All)));
    let err = h.create_all(&["A#1", "A#2", "A#3"]).await.expect_err("cancelled");
    let TransactWriteItemsError::TransactionCanceledException(e) = err.into_service_error() else {
        panic!("expected TransactionCanceledException")
    };
    assert_eq!(codes(&e), ["TransactionConflict"; 3]);
    assert!(e.message().unwrap().ends_with("[TransactionConflict, TransactionConflict, TransactionConflict]"));

    // Another reason code: still a cancellation, still not retried.
    h.proxy.clear_rules();
    h.proxy.add(Rule::on("TransactWriteItems").first(1).inject(Action::CancelTransactionWith {
        which: Which::Item(0),
        code: "ThrottlingError".into(),
        message: Some("Throughput exceeds the current capacity for one or more global secondary indexes.".into()),
    }));
    let err = h.create_all(&["C#1", "C#2"]).await.expect_err("cancelled");
    let TransactWriteItemsError::TransactionCanceledException(e) = err.into_service_error() else {
        panic!("expected TransactionCanceledException")
    };
    assert_eq!(codes(&e), ["ThrottlingError", "None"]);
    assert_eq!(h.proxy.count("TransactWriteItems"), 2, "one attempt each");

    // A rule that names an entry the transaction does not have is a test mistake: loud.
    h.proxy.clear_rules();
    h.proxy.add(Rule::on("TransactWriteItems").inject(Action::CancelTransaction(Which::Item(5))));
    let err = h.create_all(&["B#1"]).await.expect_err("misfire");
    assert_eq!(err.into_service_error().code(), Some("ValidationException"));
}

#[tokio::test]
async fn throttling_is_retried_by_the_sdk_and_recovers_if_it_stops() {
    let h = Harness::new().await;
    h.proxy.add(Rule::on("PutItem").first(2).inject(Action::Throttling));
    h.create("USER#1").await.expect("the third attempt goes through");
    let attempts = h.proxy.requests("PutItem");
    assert_eq!(attempts.len(), 3);
    assert_eq!(attempts.iter().filter(|e| e.forwarded()).count(), 1, "only the last attempt reached the table");
    assert_eq!(
        h.verdicts(),
        [RetryAction::throttling_error(), RetryAction::throttling_error(), RetryAction::NoActionIndicated]
    );
    assert!(h.stored("USER#1").await.is_some());
}

#[tokio::test]
async fn persistent_throttling_reaches_the_caller_after_three_attempts() {
    let h = Harness::new().await;
    h.proxy.add(Rule::on("PutItem").inject(Action::Throttling));
    let err = h.create("USER#1").await.expect_err("throttled every time");
    let PutItemError::ThrottlingException(e) = err.into_service_error() else { panic!("expected ThrottlingException") };
    assert!(e.message().unwrap().starts_with("Throughput exceeds the current capacity of your table or index."));
    assert_eq!(h.proxy.count("PutItem"), 3, "standard retry mode: 3 attempts in all");
    assert_eq!(h.verdicts(), vec![RetryAction::throttling_error(); 3]);
    assert_eq!(h.stored("USER#1").await, None);
}

#[tokio::test]
async fn provisioned_throughput_exceeded_is_throttling_to_the_sdk() {
    let h = Harness::new().await;
    h.proxy.add(Rule::on("GetItem").inject(Action::ProvisionedThroughputExceeded));
    let err = h.client.get_item().table_name(&h.table).set_key(Some(Harness::key("X"))).send().await.expect_err("");
    let GetItemError::ProvisionedThroughputExceededException(e) = err.into_service_error() else {
        panic!("expected ProvisionedThroughputExceededException")
    };
    assert!(e.message().unwrap().starts_with("The level of configured provisioned throughput"));
    assert_eq!(h.proxy.count("GetItem"), 3);
    assert_eq!(h.verdicts(), vec![RetryAction::throttling_error(); 3]);
}

#[tokio::test]
async fn internal_server_error_and_503_are_retried_as_transient() {
    let h = Harness::new().await;
    h.proxy.add(Rule::on("Query").inject(Action::InternalServerError));
    let query = || {
        h.client
            .query()
            .table_name(&h.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S("USER#1".into()))
            .send()
    };
    let err = query().await.expect_err("500 every time");
    let QueryError::InternalServerError(e) = err.into_service_error() else { panic!("expected InternalServerError") };
    assert_eq!(e.message(), Some("Internal server error"));
    assert_eq!(h.proxy.count("Query"), 3);
    assert_eq!(h.verdicts(), vec![RetryAction::transient_error(); 3]);

    h.proxy.clear_rules();
    h.proxy.add(Rule::on("Query").first(1).inject(Action::ServiceUnavailable));
    query().await.expect("recovers on the second attempt");
    assert_eq!(h.proxy.count("Query"), 5);
    assert_eq!(h.verdicts()[3..], [RetryAction::transient_error(), RetryAction::NoActionIndicated]);
}

#[tokio::test]
async fn a_single_item_write_on_an_item_in_a_transaction_gets_transaction_conflict_exception() {
    let h = Harness::new().await;
    h.create("USER#1").await.unwrap();
    h.proxy.add(Rule::on("UpdateItem").first(1).inject(Action::TransactionConflictException));
    let err = h
        .client
        .update_item()
        .table_name(&h.table)
        .set_key(Some(Harness::key("USER#1")))
        .update_expression("SET n = :n")
        .expression_attribute_values(":n", AttributeValue::N("1".into()))
        .send()
        .await
        .expect_err("conflict");
    let UpdateItemError::TransactionConflictException(e) = err.into_service_error() else {
        panic!("expected TransactionConflictException")
    };
    assert_eq!(e.message(), Some("Transaction is ongoing for the item"));
    assert_eq!(h.proxy.count("UpdateItem"), 1, "not retried by the SDK");
    assert_eq!(h.verdicts()[1..], [RetryAction::NoActionIndicated]);
}

#[tokio::test]
async fn a_connection_dropped_before_forwarding_is_retried_and_nothing_happened_twice() {
    let h = Harness::new().await;
    h.proxy.add(Rule::on("PutItem").first(1).inject(Action::DropBeforeForward));
    h.create("USER#1").await.expect("the retry succeeds");
    let attempts = h.proxy.requests("PutItem");
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0].delivery, Delivery::Dropped);
    assert!(!attempts[0].forwarded());
    assert_eq!(attempts[1].upstream.as_ref().map(|r| r.status), Some(200));
    assert_eq!(h.verdicts(), [RetryAction::transient_error(), RetryAction::NoActionIndicated]);
    assert!(h.stored("USER#1").await.is_some());
}

#[tokio::test]
async fn a_write_whose_answer_is_lost_is_retried_and_fails_its_own_condition() {
    let h = Harness::new().await;
    h.proxy.add(Rule::on("PutItem").first(1).inject(Action::DropAfterForward));
    let err = h.create("USER#1").await.expect_err("the retry finds its own write");
    assert!(err.into_service_error().is_conditional_check_failed_exception());
    assert!(h.stored("USER#1").await.is_some(), "the first attempt wrote the item");
    let attempts = h.proxy.requests("PutItem");
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0].upstream.as_ref().map(|r| r.status), Some(200));
    assert_eq!(attempts[0].delivery, Delivery::Dropped);
    assert_eq!(attempts[1].error_code(), Some("ConditionalCheckFailedException"));
    assert_eq!(h.verdicts(), [RetryAction::transient_error(), RetryAction::NoActionIndicated]);
}

#[tokio::test]
async fn a_transaction_whose_answer_is_lost_is_retried_with_the_same_client_request_token() {
    let h = Harness::new().await;
    h.proxy.add(Rule::on("TransactWriteItems").first(1).inject(Action::DropAfterForward));
    let result = h.create_all(&["BOOKING#1", "SLOT#1"]).await;
    assert!(h.stored("BOOKING#1").await.is_some(), "the first attempt committed");
    let attempts = h.proxy.requests("TransactWriteItems");
    assert_eq!(attempts.len(), 2);
    let token = attempts[0].client_request_token().expect("the SDK fills in ClientRequestToken");
    assert_eq!(attempts[1].client_request_token(), Some(token), "a retry repeats the token");
    // DynamoDB answers a repeated token within 10 minutes with success and no second
    // write; an upstream that ignores tokens runs the transaction again, and its
    // conditions fail on its own first write. Either way the caller sees the upstream's
    // answer to the retry.
    let retry = attempts[1].upstream.as_ref().expect("the retry was forwarded");
    match result {
        Ok(()) => assert_eq!(retry.status, 200),
        Err(err) => {
            let TransactWriteItemsError::TransactionCanceledException(e) = err.into_service_error() else {
                panic!("expected TransactionCanceledException")
            };
            assert_eq!(codes(&e), ["ConditionalCheckFailed", "ConditionalCheckFailed"]);
        }
    }
    eprintln!("upstream {} answered a repeated ClientRequestToken with {}", upstream(), retry.status);
}

#[tokio::test]
async fn transaction_in_progress_is_retried_by_the_sdk_as_throttling() {
    let h = Harness::new().await;
    h.proxy.add(Rule::on("TransactWriteItems").first(1).inject(Action::TransactionInProgress));
    h.create_all(&["BOOKING#1", "SLOT#1"]).await.expect("the retry commits");
    let attempts = h.proxy.requests("TransactWriteItems");
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0].error_code(), Some("TransactionInProgressException"));
    assert_eq!(h.verdicts(), [RetryAction::throttling_error(), RetryAction::NoActionIndicated]);
    assert!(h.stored("SLOT#1").await.is_some());
}

#[tokio::test]
async fn rules_select_by_key_prefix_in_writes_and_queries() {
    let h = Harness::new().await;
    h.proxy.add(
        Rule::on("TransactWriteItems").when_key_prefix("pk", "INSIGHTS#").inject(Action::CancelTransaction(Which::All)),
    );
    let not_found = Action::Error { status: 400, code: "ValidationException".into(), message: "injected".into() };
    h.proxy.add(Rule::on("Query").when_key_prefix("pk", "INSIGHTS#").inject(not_found));

    h.create_all(&["BOOKING#1", "USER#1"]).await.expect("no INSIGHTS# key: untouched");
    let err = h.create_all(&["BOOKING#2", "INSIGHTS#2026-11"]).await.expect_err("an INSIGHTS# key: cancelled");
    assert!(err.into_service_error().is_transaction_canceled_exception());

    let query = |pk: &str| {
        h.client
            .query()
            .table_name(&h.table)
            .key_condition_expression("#k = :pk")
            .expression_attribute_names("#k", "pk")
            .expression_attribute_values(":pk", AttributeValue::S(pk.into()))
            .send()
    };
    assert_eq!(query("BOOKING#1").await.expect("untouched").count, 1);
    let err = query("INSIGHTS#2026-11").await.expect_err("injected");
    assert_eq!(err.into_service_error().message(), Some("injected"));
    let injected: Vec<_> = h.proxy.log().iter().map(|e| (e.operation.clone(), e.injected.is_some())).collect();
    assert_eq!(
        injected,
        [
            ("TransactWriteItems".into(), false),
            ("TransactWriteItems".into(), true),
            ("Query".into(), false),
            ("Query".into(), true)
        ]
    );
}

#[tokio::test]
async fn nth_fires_once_and_rules_can_be_removed_at_run_time() {
    let h = Harness::new().await;
    let rule = h.proxy.add(Rule::on("PutItem").nth(2).inject(Action::TransactionConflictException));
    h.create("A#1").await.expect("first match: forwarded");
    h.create("A#2").await.expect_err("second match: injected");
    h.create("A#3").await.expect("third match: forwarded");
    assert_eq!((h.proxy.matched(rule), h.proxy.fired(rule)), (3, 1));
    assert_eq!(h.stored("A#2").await, None);

    let always = h.proxy.add(Rule::on("PutItem").inject(Action::TransactionConflictException));
    h.create("B#1").await.expect_err("injected");
    h.proxy.remove(always);
    h.create("B#1").await.expect("removed: forwarded");
    assert_eq!(h.proxy.fired(always), 0, "a removed rule has no counters");

    h.proxy.clear_log();
    assert!(h.proxy.log().is_empty());
    h.create("C#1").await.unwrap();
    assert_eq!(h.proxy.count("PutItem"), 1);
}

#[tokio::test]
async fn a_delayed_answer_is_abandoned_at_the_attempt_timeout_and_retried() {
    // The SDK has no attempt timeout by default: a hung DynamoDB call waits for as long
    // as the Lambda lives. With one set, the hung attempt is retried.
    let h = Harness::build(Some(Duration::from_secs(5))).await;
    h.proxy.add(Rule::on("PutItem").first(1).delay(Duration::from_secs(600)));
    h.create("USER#1").await.expect("the second attempt is not delayed");
    let attempts = h.proxy.requests("PutItem");
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0].injected, Some(Action::Forward));
    assert_eq!(attempts[0].delivery, Delivery::Pending, "still waiting out its delay");
    assert!(!attempts[0].forwarded());
    assert_eq!(h.verdicts(), [RetryAction::transient_error(), RetryAction::NoActionIndicated]);
}
