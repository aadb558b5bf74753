//! Booking analytics aggregates (docs/data-model.md, "Analytics"), kept by the
//! booking stream's consumer and read by the admin's report: never a scan.
//!
//! A contribution ([`Contribution`]) goes in with a marker naming the booking's
//! version, in one transaction, so a redelivered or bisected batch adds nothing twice.
//! Each contribution adds to its day in four series (platform, city, specialization,
//! both) and to its month in the city and specialization top lists, and, when its
//! photographer is known, in the photographers' list (the leaderboard). Writes are spread
//! over [`SHARDS`] partitions per series and year; readers query each and add.

use crate::Read;
use crate::page::query_all;
use crate::ports::{AnalyticsReader, AnalyticsWriter, CapacityStore, DemandForecasts};
use crate::reviews::Applied;
use crate::{DynamoStore, StoreError, build_err, keys, s};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use cm_booking::AvailabilityDoc;
use cm_booking::analytics::{Contribution, Counter, DemandForecast, ForecastRun, SHARDS, Segment};
use cm_catalog::photographer::Specialization;
use cm_core::UserId;
use futures::StreamExt;
use futures::future::try_join_all;
use std::collections::{BTreeMap, HashMap};

/// A top list's dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    City,
    Specialization,
    /// By photographer id: the leaderboard.
    Photographer,
}

impl Dimension {
    pub fn key(self) -> &'static str {
        match self {
            Dimension::City => "CITY",
            Dimension::Specialization => "SPEC",
            Dimension::Photographer => "PHOTOGRAPHER",
        }
    }
}

impl AnalyticsWriter for DynamoStore {
    async fn add_booking_contribution(&self, c: &Contribution, now: DateTime<Utc>) -> Result<Applied, StoreError> {
        self.add_booking_contribution_of(c, None, now).await
    }

    async fn add_booking_contribution_of(
        &self,
        c: &Contribution,
        photographer: Option<UserId>,
        now: DateTime<Utc>,
    ) -> Result<Applied, StoreError> {
        let mut ops = vec![self.aggregated_marker(&c.event, now)?];
        let year = c.day.year();
        for segment in c.segments() {
            let key = crate::key(keys::analytics_series(&segment.key(), year, c.shard), keys::insights_day(c.day));
            ops.push(self.counters_update(key, "analytics_day", None, &c.deltas)?);
        }
        let month = c.day.format("%Y-%m").to_string();
        let mut tops = vec![(Dimension::City, c.city.clone())];
        if let Some(spec) = c.specialization {
            tops.push((Dimension::Specialization, spec.as_str().to_string()));
        }
        if let Some(p) = photographer {
            tops.push((Dimension::Photographer, p.to_string()));
            let key = crate::key(keys::analytics_photographer(&p.to_string(), year), keys::insights_day(c.day));
            ops.push(self.counters_update(key, "analytics_day", None, &c.deltas)?);
        }
        for (dimension, name) in tops {
            let key =
                crate::key(keys::analytics_top(dimension.key(), year, c.shard), keys::analytics_top_sk(&month, &name));
            // The name as written, so a reader need not parse it back out of the key.
            ops.push(self.counters_update(key, "analytics_top", Some(&name), &c.deltas)?);
        }
        // The pair's entry in the registry a forecast pass reads (SET: idempotent).
        let pair = Segment { city: Some(c.city.clone()), specialization: c.specialization };
        let registry = Update::builder()
            .table_name(&self.table)
            .set_key(Some(crate::key(keys::analytics_segments(c.shard), pair.key())))
            .update_expression("SET entity = :e, city = :c, last_day = :d")
            .expression_attribute_values(":e", s("analytics_segment"))
            .expression_attribute_values(":c", s(&c.city))
            .expression_attribute_values(":d", s(c.day.to_string()))
            .build()
            .map_err(build_err)?;
        ops.push(TransactWriteItem::builder().update(registry).build());
        self.apply_once(ops).await
    }

    async fn add_photographer_counters(
        &self,
        event: &str,
        photographer: UserId,
        day: NaiveDate,
        deltas: &BTreeMap<Counter, i64>,
        now: DateTime<Utc>,
    ) -> Result<Applied, StoreError> {
        let key =
            crate::key(keys::analytics_photographer(&photographer.to_string(), day.year()), keys::insights_day(day));
        let ops = vec![self.aggregated_marker(event, now)?, self.counters_update(key, "analytics_day", None, deltas)?];
        self.apply_once(ops).await
    }
}

impl DynamoStore {
    /// Commits a marker and its counters together: `AlreadyApplied` when the marker
    /// was there (counted before).
    async fn apply_once(&self, ops: Vec<TransactWriteItem>) -> Result<Applied, StoreError> {
        match self.transact(ops).await {
            Ok(()) => Ok(Applied::Applied),
            Err(StoreError::ConditionFailed { .. }) => Ok(Applied::AlreadyApplied),
            Err(e) => Err(e),
        }
    }

    fn counters_update(
        &self,
        key: HashMap<String, AttributeValue>,
        entity: &str,
        name: Option<&str>,
        deltas: &BTreeMap<Counter, i64>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut up =
            Update::builder().table_name(&self.table).set_key(Some(key)).expression_attribute_values(":e", s(entity));
        let mut sets = vec!["entity = :e".to_string()];
        if let Some(name) = name {
            sets.push("#name = :n".into());
            up = up.expression_attribute_names("#name", "name").expression_attribute_values(":n", s(name));
        }
        let mut adds = Vec::new();
        for (i, (counter, n)) in deltas.iter().enumerate() {
            adds.push(format!("#c{i} :c{i}"));
            up = up
                .expression_attribute_names(format!("#c{i}"), counter.name())
                .expression_attribute_values(format!(":c{i}"), AttributeValue::N(n.to_string()));
        }
        let expression = if adds.is_empty() {
            format!("SET {}", sets.join(", "))
        } else {
            format!("ADD {} SET {}", adds.join(", "), sets.join(", "))
        };
        let up = up.update_expression(expression).build().map_err(build_err)?;
        Ok(TransactWriteItem::builder().update(up).build())
    }

    async fn query_range(
        &self,
        pk: String,
        from: String,
        to: String,
    ) -> Result<Vec<HashMap<String, AttributeValue>>, StoreError> {
        query_all(|| {
            self.client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
                .expression_attribute_values(":pk", s(&pk))
                .expression_attribute_values(":from", s(&from))
                .expression_attribute_values(":to", s(&to))
        })
        .await
    }
}

fn counters_of(item: &HashMap<String, AttributeValue>) -> BTreeMap<Counter, i64> {
    item.iter().filter_map(|(k, v)| Some((Counter::parse(k)?, v.as_n().ok()?.parse().ok()?))).collect()
}

/// Day items (any number per day, from any shard) added up by day, oldest first.
fn days_of(
    items: impl Iterator<Item = HashMap<String, AttributeValue>>,
) -> Result<cm_booking::analytics::DayCounts, StoreError> {
    let mut days: BTreeMap<NaiveDate, BTreeMap<Counter, i64>> = BTreeMap::new();
    for item in items {
        let day = item
            .get("sk")
            .and_then(|v| v.as_s().ok())
            .and_then(|sk| sk.strip_prefix("DAY#"))
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| StoreError::Corrupt("analytics day without a date".into()))?;
        add_into(days.entry(day).or_default(), counters_of(&item));
    }
    Ok(days.into_iter().collect())
}

fn add_into(into: &mut BTreeMap<Counter, i64>, from: BTreeMap<Counter, i64>) {
    for (c, n) in from {
        *into.entry(c).or_insert(0) += n;
    }
}

impl AnalyticsReader for DynamoStore {
    async fn analytics_days(
        &self,
        segment: &Segment,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, BTreeMap<Counter, i64>)>, StoreError> {
        let name = segment.key();
        let queries = (from.year()..=to.year()).flat_map(|year| {
            let name = name.clone();
            (0..SHARDS).map(move |shard| {
                self.query_range(
                    keys::analytics_series(&name, year, shard),
                    keys::insights_day(from),
                    keys::insights_day(to),
                )
            })
        });
        days_of(try_join_all(queries).await?.into_iter().flatten())
    }

    async fn photographer_days(
        &self,
        photographer: UserId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, BTreeMap<Counter, i64>)>, StoreError> {
        let id = photographer.to_string();
        let queries = (from.year()..=to.year()).map(|year| {
            self.query_range(keys::analytics_photographer(&id, year), keys::insights_day(from), keys::insights_day(to))
        });
        days_of(try_join_all(queries).await?.into_iter().flatten())
    }

    async fn analytics_top(
        &self,
        dimension: Dimension,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<BTreeMap<String, BTreeMap<Counter, i64>>, StoreError> {
        let (first, last) = (from.format("%Y-%m").to_string(), to.format("%Y-%m").to_string());
        let queries = (from.year()..=to.year()).flat_map(|year| {
            let (first, last) = (first.clone(), last.clone());
            // `~` sorts after every name character: the whole last month.
            (0..SHARDS).map(move |shard| {
                self.query_range(keys::analytics_top(dimension.key(), year, shard), first.clone(), format!("{last}~"))
            })
        });
        let mut out: BTreeMap<String, BTreeMap<Counter, i64>> = BTreeMap::new();
        for item in try_join_all(queries).await?.into_iter().flatten() {
            let name = item
                .get("name")
                .and_then(|v| v.as_s().ok())
                .ok_or_else(|| StoreError::Corrupt("analytics top item without a name".into()))?;
            add_into(out.entry(name.clone()).or_default(), counters_of(&item));
        }
        Ok(out)
    }
}

impl DemandForecasts for DynamoStore {
    async fn demand_segments(&self) -> Result<Vec<Segment>, StoreError> {
        let queries = (0..SHARDS).map(|shard| {
            query_all(move || {
                self.client
                    .query()
                    .table_name(&self.table)
                    .key_condition_expression("pk = :pk")
                    .expression_attribute_values(":pk", s(keys::analytics_segments(shard)))
            })
        });
        let mut out = std::collections::BTreeSet::new();
        for item in try_join_all(queries).await?.into_iter().flatten() {
            let city = item.get("city").and_then(|v| v.as_s().ok()).cloned();
            let sk = item.get("sk").and_then(|v| v.as_s().ok()).map(String::as_str).unwrap_or("");
            let specialization = sk.rsplit_once("#SPEC#").and_then(|(_, s)| Specialization::parse(s));
            if city.is_none() {
                return Err(StoreError::Corrupt(format!("analytics segment {sk} without a city")));
            }
            out.insert(Segment { city, specialization });
        }
        Ok(out.into_iter().collect())
    }

    async fn put_forecast(&self, f: &DemandForecast) -> Result<(), StoreError> {
        let mut item: HashMap<String, AttributeValue> = serde_dynamo::to_item(f).map_err(crate::error::corrupt)?;
        item.extend(crate::key(keys::forecast(&f.segment().key()), keys::FORECAST_SK));
        item.insert("entity".into(), s("demand_forecast"));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(crate::error::from_sdk)?;
        Ok(())
    }

    async fn get_forecast(&self, segment: &Segment) -> Result<Option<DemandForecast>, StoreError> {
        let item = self.get(keys::forecast(&segment.key()), keys::FORECAST_SK, Read::Eventual).await?;
        item.map(|i| serde_dynamo::from_item(i).map_err(crate::error::corrupt)).transpose()
    }

    async fn forecast_run(&self, day: NaiveDate) -> Result<Option<ForecastRun>, StoreError> {
        let item = self.get(keys::job(FORECAST_JOB), &keys::forecast_run_sk(day), Read::Consistent).await?;
        item.map(|i| serde_dynamo::from_item(i).map_err(crate::error::corrupt)).transpose()
    }

    async fn put_forecast_run(&self, run: &ForecastRun, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut item: HashMap<String, AttributeValue> = serde_dynamo::to_item(run).map_err(crate::error::corrupt)?;
        item.extend(crate::key(keys::job(FORECAST_JOB), keys::forecast_run_sk(run.day)));
        item.insert("entity".into(), s("forecast_run"));
        // A run's record is for the operator's eyes for a while, then goes by itself.
        item.insert("ttl".into(), AttributeValue::N((now + RUN_RETENTION).timestamp().to_string()));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(crate::error::from_sdk)?;
        Ok(())
    }
}

impl CapacityStore for DynamoStore {
    async fn availabilities(&self, ids: &[UserId]) -> Result<HashMap<UserId, AvailabilityDoc>, StoreError> {
        let wanted = ids.iter().map(|&id| crate::key(keys::user(id), keys::AVAILABILITY_SK)).collect();
        let mut out = HashMap::new();
        for item in self.batch_get(wanted).await? {
            let id = item
                .get("pk")
                .and_then(|v| v.as_s().ok())
                .and_then(|pk| pk.strip_prefix("USER#"))
                .and_then(|id| id.parse().ok())
                .ok_or_else(|| StoreError::Corrupt("availability without its user".into()))?;
            if let Some(doc) = item.get("doc") {
                out.insert(id, serde_dynamo::from_attribute_value(doc.clone()).map_err(crate::error::corrupt)?);
            }
        }
        Ok(out)
    }

    async fn set_capacity(&self, entries: &[(Segment, NaiveDate, i64)]) -> Result<(), StoreError> {
        // Shard 0's day item holds the capacity: readers add every shard's items up,
        // and a SET there leaves the counters the stream ADDs to the same item alone.
        let write = |(segment, day, minutes): &(Segment, NaiveDate, i64)| {
            let key = crate::key(keys::analytics_series(&segment.key(), day.year(), 0), keys::insights_day(*day));
            self.client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key))
                .update_expression("SET entity = :e, #a = :n")
                .expression_attribute_names("#a", Counter::AvailableMinutes.name())
                .expression_attribute_values(":e", s("analytics_day"))
                .expression_attribute_values(":n", AttributeValue::N(minutes.to_string()))
                .send()
        };
        let mut writes = futures::stream::iter(entries.iter().map(write)).buffer_unordered(CAPACITY_WRITES_IN_FLIGHT);
        while let Some(done) = writes.next().await {
            done.map_err(crate::error::from_sdk)?;
        }
        Ok(())
    }

    async fn capacity_segments(&self) -> Result<Vec<Segment>, StoreError> {
        let Some(item) = self.get(keys::job(CAPACITY_JOB), CAPACITY_SEGMENTS_SK, Read::Consistent).await? else {
            return Ok(Vec::new());
        };
        let names = item.get("segments").and_then(|v| v.as_ss().ok()).cloned().unwrap_or_default();
        names
            .iter()
            .map(|k| Segment::from_key(k).ok_or_else(|| StoreError::Corrupt(format!("capacity segment {k}"))))
            .collect()
    }

    async fn put_capacity_segments(&self, segments: &[Segment], now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut item = crate::key(keys::job(CAPACITY_JOB), CAPACITY_SEGMENTS_SK);
        item.insert("entity".into(), s("capacity_segments"));
        item.insert("updated_at".into(), s(now.to_rfc3339()));
        // A string set may not be empty: no segments, no attribute.
        if !segments.is_empty() {
            item.insert("segments".into(), AttributeValue::Ss(segments.iter().map(Segment::key).collect()));
        }
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(crate::error::from_sdk)?;
        Ok(())
    }
}

/// Capacity updates a snapshot keeps in flight at once (well under a partition's
/// 1,000 writes a second even when every one lands in the platform's series).
const CAPACITY_WRITES_IN_FLIGHT: usize = 16;
const CAPACITY_JOB: &str = "snapshot-capacity";
const CAPACITY_SEGMENTS_SK: &str = "SEGMENTS";
const FORECAST_JOB: &str = "forecast-demand";
const RUN_RETENTION: TimeDelta = TimeDelta::days(30);
