//! Busy time in: a photographer's external calendars. All in the photographer's
//! partition:
//!
//! - `USER#p` / `CALSRC#<id>`: one calendar: its address (a secret, never returned by
//!   the API), label, the validators of the last answer (ETag, Last-Modified), the last
//!   attempt, success and error, the busy count, `version`; on gsi4 `CALSYNC` /
//!   `<next due>#<p>#<id>`, so the sync job Queries the due ones;
//! - `USER#p` / `BUSY#<id>`: the busy time read from it (`cm_calsync::busy::encode`),
//!   at most `MAX_BUSY_INTERVALS` (tens of KB, inside the 400 KB item limit);
//! - `USER#p` / `CALSRCS`: `url_hashes`, the SHA-256 of each address added, so the cap
//!   and the duplicate check hold under concurrent adds.

use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use cm_calsync::BusyInterval;
use cm_calsync::busy::{decode, encode};
use cm_core::UserId;
use serde::{Deserialize, Serialize};

use crate::error::from_sdk;
use crate::ports::{BusyTimeReader, CalendarSources};
use crate::{DynamoStore, Item, Read, StoreError, build_err, from_item, key, keys, s, to_item};

/// One external calendar as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarSource {
    pub photographer_id: UserId,
    pub source_id: String,
    /// The full address: a credential. Only the fetch reads it.
    pub url: String,
    /// SHA-256 of `url`, hex (the duplicate check).
    pub url_hash: String,
    pub label: String,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub last_attempt_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_success_at: Option<DateTime<Utc>>,
    /// The last attempt's failure, as the photographer is shown it; `None` after a success.
    #[serde(default)]
    pub last_error: Option<String>,
    /// Failures in a row (the retry back-off).
    #[serde(default)]
    pub failures: u32,
    /// Busy intervals stored from the last good read.
    #[serde(default)]
    pub busy_count: u32,
    /// When the calendar's text was last read in full (not a 304): busy time is re-read
    /// at least daily so the six-month window moves on even for a calendar that never
    /// changes.
    #[serde(default)]
    pub last_parsed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(default)]
    pub last_modified: Option<String>,
    pub next_due_at: DateTime<Utc>,
    pub version: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum AddSourceError {
    #[error("the photographer already has the most calendars allowed")]
    Full,
    #[error("the photographer already added this calendar")]
    Duplicate,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn source_item(source: &CalendarSource) -> Result<Item, StoreError> {
    let mut item = to_item(source)?;
    item.extend(key(keys::user(source.photographer_id), keys::calendar_source_sk(&source.source_id)));
    item.insert("entity".into(), s("calendar_source"));
    let (gpk, gsk) = keys::index_keys(keys::GSI4);
    item.insert(gpk, s(keys::CALENDAR_SYNC_QUEUE));
    item.insert(
        gsk,
        s(format!("{}#{}#{}", keys::instant(source.next_due_at), source.photographer_id, source.source_id)),
    );
    Ok(item)
}

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

impl DynamoStore {
    async fn prefix_query(&self, user: UserId, prefix: &str, read: Read) -> Result<Vec<Item>, StoreError> {
        let pk = keys::user(user);
        crate::page::query_all(|| {
            self.client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                .expression_attribute_values(":pk", s(&pk))
                .expression_attribute_values(":prefix", s(prefix))
                .consistent_read(matches!(read, Read::Consistent))
        })
        .await
    }
}

impl CalendarSources for DynamoStore {
    async fn calendar_sources(&self, photographer: UserId) -> Result<Vec<CalendarSource>, StoreError> {
        let items = self.prefix_query(photographer, keys::CALENDAR_SOURCE_PREFIX, Read::Consistent).await?;
        let mut sources = items.into_iter().map(from_item::<CalendarSource>).collect::<Result<Vec<_>, _>>()?;
        sources.sort_by(|a, b| (a.created_at, &a.source_id).cmp(&(b.created_at, &b.source_id)));
        Ok(sources)
    }

    async fn calendar_source(&self, photographer: UserId, id: &str) -> Result<Option<CalendarSource>, StoreError> {
        let item = self.get(keys::user(photographer), keys::calendar_source_sk(id), Read::Consistent).await?;
        item.map(from_item).transpose()
    }

    async fn add_calendar_source(&self, source: &CalendarSource, cap: usize) -> Result<(), AddSourceError> {
        let head = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::user(source.photographer_id), keys::CALENDAR_SOURCES_HEAD_SK)))
            .update_expression("SET entity = :e ADD url_hashes :h")
            .condition_expression(
                "attribute_not_exists(url_hashes) OR (size(url_hashes) < :cap AND NOT contains(url_hashes, :one))",
            )
            .expression_attribute_values(":h", AttributeValue::Ss(vec![source.url_hash.clone()]))
            .expression_attribute_values(":one", s(&source.url_hash))
            .expression_attribute_values(":cap", n(cap))
            .expression_attribute_values(":e", s("calendar_sources_head"))
            .build()
            .map_err(build_err)?;
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(source_item(source)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build_err)?;
        let ops =
            vec![TransactWriteItem::builder().update(head).build(), TransactWriteItem::builder().put(put).build()];
        match self.transact(ops).await {
            Ok(()) => Ok(()),
            Err(StoreError::ConditionFailed { .. }) => {
                // Which condition: the head tells (a new id never collides).
                let head = self
                    .get(keys::user(source.photographer_id), keys::CALENDAR_SOURCES_HEAD_SK, Read::Consistent)
                    .await?;
                let hashes = head.as_ref().and_then(|h| h.get("url_hashes")).and_then(|v| v.as_ss().ok());
                match hashes {
                    Some(h) if h.contains(&source.url_hash) => Err(AddSourceError::Duplicate),
                    _ => Err(AddSourceError::Full),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn remove_calendar_source(&self, source: &CalendarSource) -> Result<bool, StoreError> {
        let pk = keys::user(source.photographer_id);
        let del = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(&pk, keys::calendar_source_sk(&source.source_id))))
            .condition_expression("attribute_exists(pk)")
            .build()
            .map_err(build_err)?;
        let busy = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(&pk, keys::calendar_busy_sk(&source.source_id))))
            .build()
            .map_err(build_err)?;
        let head = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(&pk, keys::CALENDAR_SOURCES_HEAD_SK)))
            .update_expression("DELETE url_hashes :h")
            .expression_attribute_values(":h", AttributeValue::Ss(vec![source.url_hash.clone()]))
            .build()
            .map_err(build_err)?;
        let ops = vec![
            TransactWriteItem::builder().delete(del).build(),
            TransactWriteItem::builder().delete(busy).build(),
            TransactWriteItem::builder().update(head).build(),
        ];
        match self.transact(ops).await {
            Ok(()) => Ok(true),
            Err(StoreError::ConditionFailed { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn due_calendar_sources(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<CalendarSource>, StoreError> {
        let upper = s(format!("{}~", keys::instant(now)));
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(keys::GSI4)
            .key_condition_expression("gsi4pk = :p AND gsi4sk <= :now")
            .expression_attribute_values(":p", s(keys::CALENDAR_SYNC_QUEUE))
            .expression_attribute_values(":now", upper)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(crate::error::from_sdk)?;
        let mut due = Vec::new();
        for item in out.items.unwrap_or_default() {
            match from_item::<CalendarSource>(item) {
                Ok(source) => due.push(source),
                // One unreadable item must not stop every sync; it is left for a person.
                Err(e) => tracing::error!(error = %e, "a calendar source could not be read"),
            }
        }
        Ok(due)
    }

    async fn claim_calendar_sync(
        &self,
        source: &CalendarSource,
        now: DateTime<Utc>,
    ) -> Result<Option<CalendarSource>, StoreError> {
        let mut claimed = source.clone();
        claimed.version = source.version + 1;
        claimed.last_attempt_at = Some(now);
        let written = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(source_item(&claimed)?))
            .condition_expression("version = :v")
            .expression_attribute_values(":v", n(source.version))
            .send()
            .await
            .map_err(from_sdk);
        Ok(crate::error::applied(written)?.then_some(claimed))
    }

    async fn record_calendar_sync(
        &self,
        old: &CalendarSource,
        new: &CalendarSource,
        busy: Option<&[BusyInterval]>,
    ) -> Result<bool, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(source_item(new)?))
            .condition_expression("version = :v")
            .expression_attribute_values(":v", n(old.version))
            .build()
            .map_err(build_err)?;
        let mut ops = vec![TransactWriteItem::builder().put(put).build()];
        if let Some(busy) = busy {
            let mut item = key(keys::user(new.photographer_id), keys::calendar_busy_sk(&new.source_id));
            item.insert("entity".into(), s("calendar_busy"));
            item.insert("intervals".into(), s(encode(busy)));
            item.insert("count".into(), n(busy.len()));
            item.insert("synced_at".into(), s(keys::instant(new.last_attempt_at.unwrap_or(new.created_at))));
            let put = Put::builder().table_name(&self.table).set_item(Some(item)).build().map_err(build_err)?;
            ops.push(TransactWriteItem::builder().put(put).build());
        }
        match self.transact(ops).await {
            Ok(()) => Ok(true),
            Err(StoreError::ConditionFailed { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

impl BusyTimeReader for DynamoStore {
    async fn busy_time(
        &self,
        photographer: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<BusyInterval>, StoreError> {
        let items = self.prefix_query(photographer, keys::CALENDAR_BUSY_PREFIX, Read::Eventual).await?;
        let mut busy = Vec::new();
        for item in items {
            let text = item.get("intervals").and_then(|v| v.as_s().ok()).map(String::as_str).unwrap_or_default();
            let intervals =
                decode(text).ok_or_else(|| StoreError::Corrupt("busy time not in its stored form".into()))?;
            busy.extend(intervals.into_iter().filter(|i| i.start < to && i.end > from));
        }
        busy.sort();
        Ok(busy)
    }
}
