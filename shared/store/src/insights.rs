//! Sentiment aggregates for admin insights, kept by the stream function in the same
//! transaction that records each analysis, so they count every review and feedback
//! exactly once and are read back with one Query instead of scanning.

use crate::error::from_sdk;
use crate::ports::InsightsReader;
use crate::{DynamoStore, StoreError, build_err, keys, s};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use chrono::NaiveDate;
use cm_reviews::sentiment::DayAggregate;
use std::collections::BTreeMap;

impl DynamoStore {
    pub(crate) fn aggregate_op(
        &self,
        day: NaiveDate,
        deltas: &BTreeMap<String, i64>,
    ) -> Result<Option<TransactWriteItem>, StoreError> {
        if deltas.is_empty() {
            return Ok(None);
        }
        let mut up = Update::builder()
            .table_name(&self.table)
            .set_key(Some(crate::key(keys::INSIGHTS_SENTIMENT, keys::insights_day(day))))
            .expression_attribute_values(":e", s("sentiment_day"));
        let mut adds = Vec::new();
        for (i, (k, v)) in deltas.iter().enumerate() {
            adds.push(format!("#a{i} :v{i}"));
            up = up
                .expression_attribute_names(format!("#a{i}"), k)
                .expression_attribute_values(format!(":v{i}"), AttributeValue::N(v.to_string()));
        }
        let up = up.update_expression(format!("ADD {} SET entity = :e", adds.join(", "))).build().map_err(build_err)?;
        Ok(Some(TransactWriteItem::builder().update(up).build()))
    }
}

impl InsightsReader for DynamoStore {
    /// Daily aggregates for `from..=to`, oldest first.
    async fn sentiment_days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<DayAggregate>, StoreError> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
                .expression_attribute_values(":pk", s(keys::INSIGHTS_SENTIMENT))
                .expression_attribute_values(":from", s(keys::insights_day(from)))
                .expression_attribute_values(":to", s(keys::insights_day(to)))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(from_sdk)?;
            for item in page.items.unwrap_or_default() {
                let date = item
                    .get("sk")
                    .and_then(|v| v.as_s().ok())
                    .and_then(|sk| sk.strip_prefix("DAY#"))
                    .and_then(|d| d.parse().ok())
                    .ok_or_else(|| StoreError::Corrupt("sentiment day without a date".into()))?;
                let counters = item
                    .iter()
                    .filter_map(|(k, v)| v.as_n().ok().and_then(|n| n.parse().ok()).map(|n| (k.clone(), n)))
                    .collect();
                out.push(DayAggregate { date, counters });
            }
            match page.last_evaluated_key {
                Some(k) => start = Some(k),
                None => return Ok(out),
            }
        }
    }
}
