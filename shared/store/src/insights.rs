//! Sentiment aggregates for admin insights: one item per day, read back with one
//! Query instead of scanning. They are kept downstream of the analyses (a stream
//! consumer of the analysed reviews and feedback), each analysis counted once: the
//! deltas go in with a marker item naming the analysis, in one transaction, so a
//! redelivered record finds its marker and adds nothing. The day items are spread over
//! `keys::INSIGHTS_SHARDS` partitions by analysis (docs/scaling.md); readers add them up.

use crate::page::query_all;
use crate::ports::{InsightsReader, SentimentAggregates};
use crate::reviews::Applied;
use crate::{DynamoStore, StoreError, build_err, keys, s};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use cm_reviews::sentiment::DayAggregate;
use std::collections::BTreeMap;

/// How long a marker is kept: far beyond the stream's 24-hour retention, so any
/// redelivery still finds it.
const MARKER_RETENTION: TimeDelta = TimeDelta::days(3);

impl SentimentAggregates for DynamoStore {
    async fn add_sentiment_deltas(
        &self,
        analysis: &str,
        day: NaiveDate,
        deltas: &BTreeMap<String, i64>,
        now: DateTime<Utc>,
    ) -> Result<Applied, StoreError> {
        let mut ops = vec![self.aggregated_marker(analysis, now)?];
        ops.extend(self.aggregate_op(keys::insights_shard(analysis), day, deltas)?);
        match self.transact(ops).await {
            Ok(()) => Ok(Applied::Applied),
            Err(StoreError::ConditionFailed { .. }) => Ok(Applied::AlreadyApplied),
            Err(e) => Err(e),
        }
    }
}

impl DynamoStore {
    /// The marker that counts `event` into aggregates once: put only if absent, in the
    /// transaction of the counts, so a redelivery cancels the whole transaction. Kept
    /// far beyond the stream's 24-hour retention, so any redelivery finds it.
    pub(crate) fn aggregated_marker(&self, event: &str, now: DateTime<Utc>) -> Result<TransactWriteItem, StoreError> {
        let mut marker = crate::key(keys::aggregated(event), keys::AGGREGATED_SK);
        marker.insert("entity".into(), s("aggregated"));
        marker.insert("ttl".into(), AttributeValue::N((now + MARKER_RETENTION).timestamp().to_string()));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(marker))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build_err)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    fn aggregate_op(
        &self,
        shard: u32,
        day: NaiveDate,
        deltas: &BTreeMap<String, i64>,
    ) -> Result<Option<TransactWriteItem>, StoreError> {
        if deltas.is_empty() {
            return Ok(None);
        }
        let mut up = Update::builder()
            .table_name(&self.table)
            .set_key(Some(crate::key(keys::insights_sentiment(shard), keys::insights_day(day))))
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
    /// Daily aggregates for `from..=to`, oldest first: every shard's day added up.
    async fn sentiment_days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<DayAggregate>, StoreError> {
        let partitions = keys::insights_sentiment_partitions();
        let queries = partitions.iter().map(|pk| {
            query_all(move || {
                self.client
                    .query()
                    .table_name(&self.table)
                    .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
                    .expression_attribute_values(":pk", s(pk))
                    .expression_attribute_values(":from", s(keys::insights_day(from)))
                    .expression_attribute_values(":to", s(keys::insights_day(to)))
            })
        });
        let mut days: BTreeMap<NaiveDate, BTreeMap<String, i64>> = BTreeMap::new();
        for item in futures::future::try_join_all(queries).await?.into_iter().flatten() {
            let date = item
                .get("sk")
                .and_then(|v| v.as_s().ok())
                .and_then(|sk| sk.strip_prefix("DAY#"))
                .and_then(|d| d.parse().ok())
                .ok_or_else(|| StoreError::Corrupt("sentiment day without a date".into()))?;
            let counters = days.entry(date).or_default();
            for (k, n) in
                item.iter().filter_map(|(k, v)| v.as_n().ok().and_then(|n| n.parse::<i64>().ok()).map(|n| (k, n)))
            {
                *counters.entry(k.clone()).or_insert(0) += n;
            }
        }
        Ok(days
            .into_iter()
            .map(|(date, counters)| DayAggregate { date, counters: counters.into_iter().collect() })
            .collect())
    }
}
