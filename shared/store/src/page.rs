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
