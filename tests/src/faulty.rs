//! A test world whose store reaches DynamoDB through the fault-injecting proxy
//! (tools/fault-proxy), with a clock the test moves. The table itself is created and
//! inspected directly (`env.dynamo`), so what really happened can be read around the
//! faults.

use crate::TestEnv;
use cm_accounts::tokens::{AccessTokens, KeySet};
use cm_app::App;
use cm_core::ManualClock;
use cm_store::DynamoStore;
use fault_proxy::FaultProxy;
use std::sync::Arc;

pub struct Faulty {
    /// `env.app` goes through the proxy and reads `clock`; `env.dynamo` does neither.
    pub env: TestEnv,
    pub proxy: FaultProxy,
    pub clock: ManualClock,
    /// For the other services' clients (SNS, SES).
    pub sdk: aws_config::SdkConfig,
    store: DynamoStore,
}

pub async fn faulty() -> Faulty {
    let base = crate::env().await;
    let sdk = crate::moto::sdk_config().await;
    let proxy = FaultProxy::start(crate::servers::dynamodb());
    let conf = aws_sdk_dynamodb::config::Builder::from(&sdk).endpoint_url(proxy.url()).build();
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::from_conf(conf), &base.table);
    let clock = ManualClock::starting_now();
    let mut w = Faulty { env: base, proxy, clock, sdk, store };
    w.env.app = Box::leak(Box::new(app_like(&w)));
    w
}

/// Another [`App`] on the same proxied store, clock and test keys (a second function of
/// the same deployment, or the same one with other keys). Access tokens live a year
/// here: these tests move the clock by days, and what they prove is not sign-in.
pub fn app_like(w: &Faulty) -> App<DynamoStore> {
    let keys = KeySet::parse(crate::moto::TEST_TOKEN_KEYS).expect("test token keys");
    crate::moto::app(w.store.clone()).with_clock(Arc::new(w.clock.clone())).with_tokens(AccessTokens::new(
        &keys,
        chrono::Duration::days(365),
        chrono::Duration::days(400),
    ))
}

/// Every item whose `pk` starts with `prefix` (a Scan: tests only).
pub async fn items_with_prefix(w: &Faulty, prefix: &str) -> Vec<cm_store::Item> {
    let out = w
        .env
        .dynamo
        .scan()
        .table_name(&w.env.table)
        .filter_expression("begins_with(pk, :p)")
        .expression_attribute_values(":p", aws_sdk_dynamodb::types::AttributeValue::S(prefix.into()))
        .send()
        .await
        .expect("scan");
    out.items.unwrap_or_default()
}
