//! Pagination: DynamoDB's LastEvaluatedKey carried as an opaque value. The HTTP layer
//! signs it before it reaches a client, so a client cannot steer a Query elsewhere.

use crate::{Item, StoreError, s};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A position in a listing: the key attributes of the last item returned. Every key
/// attribute in this table is a string, which keeps the encoding trivial.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PageKey(pub BTreeMap<String, String>);

impl PageKey {
    pub(crate) fn from_item(item: &Item) -> Result<PageKey, StoreError> {
        item.iter()
            .map(|(k, v)| v.as_s().map(|s| (k.clone(), s.clone())).map_err(|_| crate::error::corrupt("non-string key")))
            .collect::<Result<_, _>>()
            .map(PageKey)
    }

    pub(crate) fn to_item(&self) -> Item {
        self.0.iter().map(|(k, v)| (k.clone(), s(v.clone()))).collect()
    }
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<PageKey>,
}

/// Reads one page of a Query whose FilterExpression may discard items. DynamoDB
/// applies `Limit` before the filter, so one read can return fewer matches than asked
/// for, or none: keep reading until the page is full or the data ends. A selective
/// filter could make that unbounded, so after a fixed number of reads the page ends
/// short and its cursor says where reading stopped; the listing never ends early.
///
/// `make` builds the query (table, index, conditions, filter); `key_attrs` are the
/// attributes that make up the position in it (the table keys plus the index keys).
pub(crate) async fn filtered_page<T>(
    make: impl Fn() -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
    limit: usize,
    after: Option<&PageKey>,
    key_attrs: &[&str],
    decode: impl Fn(Item) -> Result<T, StoreError>,
) -> Result<Page<T>, StoreError> {
    const MAX_READS: usize = 10;
    let mut raw: Vec<Item> = Vec::new();
    let mut start = after.map(PageKey::to_item);
    for _ in 0..MAX_READS {
        let want = i32::try_from(limit - raw.len()).unwrap_or(i32::MAX);
        let out =
            make().limit(want).set_exclusive_start_key(start.take()).send().await.map_err(crate::error::from_sdk)?;
        raw.extend(out.items.unwrap_or_default());
        match out.last_evaluated_key {
            None => return decode_all(raw, None, decode),
            Some(_) if raw.len() >= limit => break,
            Some(lek) => start = Some(lek),
        }
    }
    let next = match start {
        // The read budget ran out mid-way: resume where reading stopped.
        Some(lek) => PageKey::from_item(&lek)?,
        // The page filled up: resume after its last item.
        None => {
            let Some(last) = raw.last() else { return decode_all(raw, None, decode) };
            PageKey::from_item(
                &key_attrs.iter().filter_map(|k| last.get(*k).map(|v| (k.to_string(), v.clone()))).collect(),
            )?
        }
    };
    decode_all(raw, Some(next), decode)
}

/// Every item of a Query, read page after page to its end. For partitions bounded by
/// design (a photographer's portfolio, one map cell's listings, a range of days),
/// where the caller needs all of it; listings a client pages through use
/// [`filtered_page`] instead. `make` builds the query without its start key.
pub(crate) async fn query_all(
    make: impl Fn() -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
) -> Result<Vec<Item>, StoreError> {
    let mut all = Vec::new();
    let mut start = None;
    loop {
        let out = make().set_exclusive_start_key(start).send().await.map_err(crate::error::from_sdk)?;
        all.extend(out.items.unwrap_or_default());
        start = out.last_evaluated_key;
        if start.is_none() {
            return Ok(all);
        }
    }
}

fn decode_all<T>(
    raw: Vec<Item>,
    next: Option<PageKey>,
    decode: impl Fn(Item) -> Result<T, StoreError>,
) -> Result<Page<T>, StoreError> {
    Ok(Page { items: raw.into_iter().map(decode).collect::<Result<_, _>>()?, next })
}

/// A partition's items whose sort keys run from `lo` to `hi` (both inclusive), newest
/// (greatest) first, `limit` of them, without the one at `hi` itself when `skip_hi`:
/// "older than this one" paging for ids that sort by time (chat messages, notices).
/// `true` when older items remain.
pub(crate) async fn newest_first(
    db: &crate::DynamoStore,
    pk: &str,
    lo: &str,
    hi: &str,
    skip_hi: bool,
    limit: usize,
) -> Result<(Vec<Item>, bool), StoreError> {
    // BETWEEN is inclusive: read one more in case `hi` itself comes back.
    let out = db
        .client
        .query()
        .table_name(&db.table)
        .key_condition_expression("pk = :p AND sk BETWEEN :lo AND :hi")
        .expression_attribute_values(":p", s(pk))
        .expression_attribute_values(":lo", s(lo))
        .expression_attribute_values(":hi", s(hi))
        .scan_index_forward(false)
        .limit(i32::try_from(limit + 2).unwrap_or(i32::MAX))
        .consistent_read(true)
        .send()
        .await
        .map_err(crate::error::from_sdk)?;
    let mut items: Vec<Item> = out.items.unwrap_or_default();
    if skip_hi {
        items.retain(|i| i.get("sk").and_then(|v| v.as_s().ok()).is_none_or(|sk| sk != hi));
    }
    let more = items.len() > limit || (out.last_evaluated_key.is_some() && items.len() >= limit);
    items.truncate(limit);
    Ok((items, more))
}

/// How many items of a partition with sort keys from `lo` to `hi` pass `filter`,
/// counted page by page and no further than `cap` (unread badges stop at a cap).
pub(crate) async fn count_up_to(
    db: &crate::DynamoStore,
    pk: &str,
    (lo, hi): (&str, &str),
    filter: (&str, Vec<(&str, aws_sdk_dynamodb::types::AttributeValue)>),
    cap: u32,
) -> Result<u32, StoreError> {
    let (expression, values) = filter;
    let mut total = 0u32;
    let mut start = None;
    loop {
        let mut q = db
            .client
            .query()
            .table_name(&db.table)
            .key_condition_expression("pk = :p AND sk BETWEEN :lo AND :hi")
            .filter_expression(expression)
            .expression_attribute_values(":p", s(pk))
            .expression_attribute_values(":lo", s(lo))
            .expression_attribute_values(":hi", s(hi))
            .select(aws_sdk_dynamodb::types::Select::Count)
            .consistent_read(true)
            .set_exclusive_start_key(start);
        for (name, value) in &values {
            q = q.expression_attribute_values(*name, value.clone());
        }
        let out = q.send().await.map_err(crate::error::from_sdk)?;
        total = total.saturating_add(u32::try_from(out.count).unwrap_or(0));
        start = out.last_evaluated_key;
        if start.is_none() || total >= cap {
            return Ok(total.min(cap));
        }
    }
}
