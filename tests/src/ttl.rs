//! DynamoDB's TTL deletion, on demand. Neither emulator does it for a test: moto never
//! deletes, DynamoDB Local sweeps on its own wall clock in the background. Tests that move
//! an injected clock past a TTL call [`expire_ttl`] to make the expired items vanish at
//! that moment, as DynamoDB's sweeper eventually would.
//!
//! What it reproduces (AWS developer guide, "Using DynamoDB Time to Live"): only items
//! whose TTL attribute is a top-level Number of epoch seconds are considered; others are
//! ignored, as are items expired more than five years before `now`; an item updated to a
//! later TTL before the sweep gets to it stays. What it does not: the delay (DynamoDB
//! deletes "typically within a few days", so until then expired items still show up in
//! reads, which code must handle on its own), and the stream record's marker (a TTL
//! deletion carries `userIdentity {type: Service, principalId: dynamodb.amazonaws.com}`;
//! these deletions are ordinary ones).

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, Months, Utc};
use std::collections::HashMap;

pub type Item = HashMap<String, AttributeValue>;

/// The TTL attribute of template.yaml's `Table` (`TimeToLiveSpecification.AttributeName`).
pub fn ttl_attribute() -> String {
    let t = crate::template::load();
    let (_, props) =
        crate::template::tables(&t).into_iter().find(|(id, _)| id == "Table").expect("template has a Table");
    let spec = &props["TimeToLiveSpecification"];
    assert_eq!(spec["Enabled"].as_bool(), Some(true), "template.yaml's Table has TTL enabled");
    spec["AttributeName"].as_str().expect("a TTL attribute name").to_string()
}

/// Deletes every item of `table` that DynamoDB's TTL process would consider expired at
/// `now` (TTL attribute, per template.yaml, a Number <= `now` in epoch seconds, and no
/// more than five years before it), and returns the deleted items as they were.
///
/// Each deletion is conditional on the item still carrying the TTL value that was seen
/// expired, so a concurrent update that extends the TTL wins, as it does against
/// DynamoDB. Uses Scan: for tests only.
pub async fn expire_ttl(client: &Client, table: &str, now: DateTime<Utc>) -> Vec<Item> {
    let attr = ttl_attribute();
    let oldest = now.checked_sub_months(Months::new(60)).expect("a date five years back").timestamp();
    let key_names: Vec<String> = client
        .describe_table()
        .table_name(table)
        .send()
        .await
        .expect("describe table")
        .table
        .and_then(|t| t.key_schema)
        .expect("a key schema")
        .into_iter()
        .map(|k| k.attribute_name)
        .collect();
    let (now, oldest) = (now.timestamp() as f64, oldest as f64);

    let mut expired: Vec<Item> = Vec::new();
    let mut start: Option<Item> = None;
    loop {
        // The comparison is made here rather than in a filter expression: emulators differ
        // on comparing a Number with an attribute of another type (moto answers 500).
        let page = client
            .scan()
            .table_name(table)
            .consistent_read(true)
            .filter_expression("attribute_type(#ttl, :number)")
            .expression_attribute_names("#ttl", &attr)
            .expression_attribute_values(":number", AttributeValue::S("N".into()))
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .expect("scan for items with a TTL");
        expired.extend(page.items.unwrap_or_default().into_iter().filter(|item| {
            let ttl = item.get(&attr).and_then(|v| v.as_n().ok()).and_then(|n| n.parse::<f64>().ok());
            ttl.is_some_and(|t| oldest <= t && t <= now)
        }));
        match page.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => break,
        }
    }

    let mut deleted = Vec::new();
    for item in expired {
        let key: Item = key_names.iter().filter_map(|k| Some((k.clone(), item.get(k)?.clone()))).collect();
        let result = client
            .delete_item()
            .table_name(table)
            .set_key(Some(key))
            // Still the TTL that was seen expired: an update that moved it on wins.
            .condition_expression("#ttl = :seen")
            .expression_attribute_names("#ttl", &attr)
            .expression_attribute_values(":seen", item[&attr].clone())
            .return_values(ReturnValue::AllOld)
            .send()
            .await;
        match result {
            Ok(out) => deleted.extend(out.attributes),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {}
            Err(e) => panic!("deleting an expired item: {}", aws_sdk_dynamodb::error::DisplayErrorContext(e)),
        }
    }
    deleted
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.into())
    }

    fn n(v: i64) -> AttributeValue {
        AttributeValue::N(v.to_string())
    }

    async fn put(env: &crate::TestEnv, pk: &str, ttl: Option<AttributeValue>) {
        let mut item = HashMap::from([("pk".to_string(), s(pk)), ("sk".to_string(), s("X"))]);
        item.extend(ttl.map(|v| ("ttl".to_string(), v)));
        env.dynamo.put_item().table_name(&env.table).set_item(Some(item)).send().await.expect("put");
    }

    async fn remaining(env: &crate::TestEnv) -> Vec<String> {
        let items = env.dynamo.scan().table_name(&env.table).consistent_read(true).send().await.unwrap().items;
        let mut pks: Vec<String> =
            items.unwrap_or_default().iter().filter_map(|i| i["pk"].as_s().ok().cloned()).collect();
        pks.sort();
        pks
    }

    #[test]
    fn the_ttl_attribute_comes_from_the_template() {
        assert_eq!(ttl_attribute(), "ttl");
    }

    #[tokio::test]
    async fn expired_items_go_and_the_rest_stay() {
        let env = crate::env().await;
        // A clock a day ahead of the wall clock: nothing here has really expired, so an
        // emulator sweeping on its own cannot interfere.
        let now = Utc::now() + TimeDelta::days(1);
        let t = now.timestamp();
        put(&env, "EXPIRED", Some(n(t - 1))).await;
        put(&env, "EXPIRES-NOW", Some(n(t))).await;
        put(&env, "LIVE", Some(n(t + 1))).await;
        put(&env, "NO-TTL", None).await;
        put(&env, "STRING-TTL", Some(s(&(t - 1).to_string()))).await;
        let too_old = now.checked_sub_months(Months::new(61)).unwrap().timestamp();
        put(&env, "TOO-OLD", Some(n(too_old))).await;

        let deleted = expire_ttl(&env.dynamo, &env.table, now).await;
        let mut gone: Vec<String> = deleted.iter().map(|i| i["pk"].as_s().unwrap().clone()).collect();
        gone.sort();
        assert_eq!(gone, ["EXPIRED", "EXPIRES-NOW"]);
        assert!(deleted.iter().all(|i| i.contains_key("sk") && i.contains_key("ttl")), "whole items come back");
        assert_eq!(remaining(&env).await, ["LIVE", "NO-TTL", "STRING-TTL", "TOO-OLD"]);

        // Nothing else is expired a second later than before; moving the clock on is.
        assert!(expire_ttl(&env.dynamo, &env.table, now).await.is_empty());
        let later = expire_ttl(&env.dynamo, &env.table, now + TimeDelta::seconds(1)).await;
        assert_eq!(later.len(), 1);
        assert_eq!(later[0]["pk"], s("LIVE"));
    }

    #[tokio::test]
    async fn every_page_of_the_scan_is_swept() {
        let env = crate::env().await;
        let now = Utc::now() + TimeDelta::days(1);
        // 300 items of 4 KB: more than the 1 MB a Scan page holds.
        let padding = "x".repeat(4000);
        for i in 0..300 {
            let mut item = HashMap::from([("pk".to_string(), s(&format!("P#{i:03}"))), ("sk".to_string(), s("X"))]);
            item.insert("ttl".into(), n(now.timestamp() - i));
            item.insert("padding".into(), s(&padding));
            env.dynamo.put_item().table_name(&env.table).set_item(Some(item)).send().await.unwrap();
        }
        let first = env.dynamo.scan().table_name(&env.table).send().await.unwrap();
        assert!(first.last_evaluated_key.is_some(), "the table takes more than one Scan page");
        let deleted = expire_ttl(&env.dynamo, &env.table, now).await;
        assert_eq!(deleted.len(), 300);
        assert!(remaining(&env).await.is_empty());
    }
}
