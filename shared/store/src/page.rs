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
    let read = filtered_read(&make, limit, after.map(PageKey::to_item), key_attrs).await?;
    let next = read.resume.as_ref().map(PageKey::from_item).transpose()?;
    decode_all(read.items, next, decode)
}

/// What one shard (or the one partition) gave: the matches read, and where reading
/// goes on (`None`: the data ended).
struct FilteredRead {
    items: Vec<Item>,
    resume: Option<Item>,
}

async fn filtered_read(
    make: &impl Fn() -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
    limit: usize,
    mut start: Option<Item>,
    key_attrs: &[&str],
) -> Result<FilteredRead, StoreError> {
    const MAX_READS: usize = 10;
    let mut raw: Vec<Item> = Vec::new();
    for _ in 0..MAX_READS {
        let want = i32::try_from(limit - raw.len()).unwrap_or(i32::MAX);
        let out =
            make().limit(want).set_exclusive_start_key(start.take()).send().await.map_err(crate::error::from_sdk)?;
        raw.extend(out.items.unwrap_or_default());
        match out.last_evaluated_key {
            None => return Ok(FilteredRead { items: raw, resume: None }),
            Some(_) if raw.len() >= limit => break,
            Some(lek) => start = Some(lek),
        }
    }
    let resume = match start {
        // The read budget ran out mid-way: resume where reading stopped.
        Some(lek) => Some(lek),
        // The page filled up: resume after its last item.
        None => raw.last().map(|last| key_of(last, key_attrs)),
    };
    Ok(FilteredRead { items: raw, resume })
}

fn key_of(item: &Item, key_attrs: &[&str]) -> Item {
    key_attrs.iter().filter_map(|k| item.get(*k).map(|v| (k.to_string(), v.clone()))).collect()
}

/// One page of a listing written over shards (`keys::all_bookings`, `keys::pending`):
/// the shards' Queries run at once, each as [`filtered_page`] would read it, and their
/// items are merged on `order` (the index sort key, unique, as it ends in the item's
/// id) into the page the one unsharded partition would have given: the same items in
/// the same order, `limit` at most. `shards[i]` builds shard `i`'s Query.
///
/// An item is only handed out once every shard has been read past it (or to its
/// end): a shard whose read budget ran out early holds the page back at where it
/// stopped, so nothing of it can later turn up before an item already given. The
/// cursor holds each shard's own position: the last of its items handed out (or where
/// its read stopped, when all it read was handed out), `done` when it has ended,
/// nothing while none of its items has been handed out. The caller signs it as any
/// other ([`PageKey`]).
pub(crate) async fn sharded_page<T, M>(
    shards: &[M],
    order: Order<'_>,
    limit: usize,
    after: Option<&PageKey>,
    key_attrs: &[&str],
    decode: impl Fn(Item) -> Result<T, StoreError>,
) -> Result<Page<T>, StoreError>
where
    M: Fn() -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
{
    let mut state = ShardCursor::decode(after, shards.len())?;
    let reads = futures::future::try_join_all(shards.iter().enumerate().map(|(i, make)| {
        let start = match &state.0[i] {
            ShardPos::Done => None,
            ShardPos::Start => Some(None),
            ShardPos::At(k) => Some(Some(k.to_item())),
        };
        async move {
            match start {
                None => Ok(None),
                Some(start) => filtered_read(make, limit, start, key_attrs).await.map(Some),
            }
        }
    }))
    .await?;
    let sort_key = |item: &Item| item.get(order.attr).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
    // How far every shard still going has been read: nothing past the nearest of
    // those may be handed out yet.
    let bound = reads
        .iter()
        .flatten()
        .filter_map(|r| r.resume.as_ref().map(&sort_key))
        .reduce(|a, b| if order.descending { a.max(b) } else { a.min(b) });
    let mut merged: Vec<(String, usize, Item)> = Vec::new();
    let mut counts = vec![0usize; shards.len()];
    for (i, read) in reads.iter().enumerate() {
        let Some(read) = read else { continue };
        counts[i] = read.items.len();
        merged.extend(read.items.iter().map(|item| (sort_key(item), i, item.clone())));
    }
    merged.sort_by(|a, b| if order.descending { b.0.cmp(&a.0) } else { a.0.cmp(&b.0) }.then(a.1.cmp(&b.1)));
    let within = |k: &str| bound.as_deref().is_none_or(|b| if order.descending { k >= b } else { k <= b });
    let page: Vec<(String, usize, Item)> = merged.into_iter().take_while(|(k, _, _)| within(k)).take(limit).collect();
    let mut handed = vec![0usize; shards.len()];
    let mut last: Vec<Option<&Item>> = vec![None; shards.len()];
    for (_, i, item) in &page {
        handed[*i] += 1;
        last[*i] = Some(item);
    }
    for (i, read) in reads.iter().enumerate() {
        let Some(read) = read else { continue };
        state.0[i] = if handed[i] == counts[i] {
            match &read.resume {
                None => ShardPos::Done,
                Some(k) => ShardPos::At(PageKey::from_item(k)?),
            }
        } else {
            match last[i] {
                Some(item) => ShardPos::At(PageKey::from_item(&key_of(item, key_attrs))?),
                None => state.0[i].clone(),
            }
        };
    }
    let next = state.encode();
    decode_all(page.into_iter().map(|(_, _, item)| item).collect(), next, decode)
}

/// The attribute a sharded listing is ordered on, and which way.
#[derive(Clone, Copy)]
pub(crate) struct Order<'a> {
    pub attr: &'a str,
    pub descending: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum ShardPos {
    Start,
    At(PageKey),
    Done,
}

/// Each shard's position, flattened into one [`PageKey`]: `n` the shard count,
/// `<i>` = `done` for a shard that ended, `<i>.<attribute>` for a shard's key.
#[derive(Debug)]
struct ShardCursor(Vec<ShardPos>);

const SHARD_COUNT: &str = "n";
const SHARD_DONE: &str = "done";

impl ShardCursor {
    fn decode(after: Option<&PageKey>, shards: usize) -> Result<ShardCursor, StoreError> {
        let mut state = vec![ShardPos::Start; shards];
        let Some(after) = after else { return Ok(ShardCursor(state)) };
        // Cursors are signed, so this only refuses one from before a change of the
        // shard count (or of the listing's sharding).
        if after.0.get(SHARD_COUNT).map(String::as_str) != Some(shards.to_string().as_str()) {
            return Err(crate::error::corrupt("a cursor of another shard count"));
        }
        for (name, value) in after.0.iter().filter(|(k, _)| k.as_str() != SHARD_COUNT) {
            let (shard, attr) = match name.split_once('.') {
                Some((shard, attr)) => (shard, Some(attr)),
                None => (name.as_str(), None),
            };
            let i: usize = shard.parse().map_err(|_| crate::error::corrupt("a cursor's shard"))?;
            let pos = state.get_mut(i).ok_or_else(|| crate::error::corrupt("a cursor's shard"))?;
            match (attr, &mut *pos) {
                (None, _) if value == SHARD_DONE => *pos = ShardPos::Done,
                (Some(attr), ShardPos::Start) => {
                    *pos = ShardPos::At(PageKey(BTreeMap::from([(attr.to_string(), value.clone())])))
                }
                (Some(attr), ShardPos::At(k)) => {
                    k.0.insert(attr.to_string(), value.clone());
                }
                _ => return Err(crate::error::corrupt("a cursor's shard position")),
            }
        }
        Ok(ShardCursor(state))
    }

    /// `None` once every shard has ended.
    fn encode(&self) -> Option<PageKey> {
        if self.0.iter().all(|p| *p == ShardPos::Done) {
            return None;
        }
        let mut out = BTreeMap::from([(SHARD_COUNT.to_string(), self.0.len().to_string())]);
        for (i, pos) in self.0.iter().enumerate() {
            match pos {
                ShardPos::Start => {}
                ShardPos::Done => {
                    out.insert(i.to_string(), SHARD_DONE.to_string());
                }
                ShardPos::At(k) => out.extend(k.0.iter().map(|(a, v)| (format!("{i}.{a}"), v.clone()))),
            }
        }
        Some(PageKey(out))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn key(pairs: &[(&str, &str)]) -> PageKey {
        PageKey(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn a_shard_cursor_keeps_every_shards_place() {
        let at = key(&[("pk", "BOOKING#1"), ("sk", "BOOKING"), ("gsi3pk", "BOOKINGS#2"), ("gsi3sk", "2031#1")]);
        let cursor = ShardCursor(vec![ShardPos::Done, ShardPos::Start, ShardPos::At(at.clone())]);
        let encoded = cursor.encode().expect("shards still going");
        let decoded = ShardCursor::decode(Some(&encoded), 3).unwrap();
        assert_eq!(decoded.0, cursor.0);
        // Every shard ended: no cursor, the listing is over.
        assert!(ShardCursor(vec![ShardPos::Done; 3]).encode().is_none());
        // No cursor: every shard from its start.
        assert_eq!(ShardCursor::decode(None, 2).unwrap().0, vec![ShardPos::Start; 2]);
    }

    #[test]
    fn a_cursor_of_another_shape_is_refused() {
        let encoded = ShardCursor(vec![ShardPos::Done, ShardPos::Start]).encode().unwrap();
        // Another shard count (a deploy that changed it between two pages).
        assert!(ShardCursor::decode(Some(&encoded), 3).is_err());
        // A one-partition cursor of before.
        let old = key(&[("pk", "BOOKING#1"), ("sk", "BOOKING"), ("gsi3pk", "BOOKINGS"), ("gsi3sk", "x")]);
        assert!(ShardCursor::decode(Some(&old), 2).is_err());
        // A shard that is not there.
        let mut beyond = encoded.clone();
        beyond.0.insert("7".into(), SHARD_DONE.into());
        assert!(ShardCursor::decode(Some(&beyond), 2).is_err());
    }
}
