//! Recommendation features: what the booking stream keeps of each photographer's
//! behaviour, and the reads a recommendation request makes (docs/recommendations.md,
//! "Features"; docs/data-model.md lists the keys).
//!
//! - `USER#p` / `FEATURES`: answer-time buckets `r0`..`r11` (one counter each, so
//!   concurrent answers add atomically), `completed_bookings`, `clients`, and the
//!   `co_booked` list the nightly refresh writes.
//! - `BOOKED#p#<yyyy-mm>` / `BOOKED`: one attribute `b_<booking>` = local date per
//!   pending or confirmed booking. Setting and removing a booking's own attribute is
//!   idempotent and commutes with other bookings', so redeliveries need no marker.
//! - `CLIENTPHOTOGRAPHERS#c` / `<p>`: the photographers a client confirmed with; the
//!   item's existence is what makes "one more client" count once. Its head
//!   (`#HEAD`) carries a version that orders concurrent first bookings of one client,
//!   so no co-booking pair is missed when two land at once.
//! - `COBOOK#p` / `<q>`: `shared_clients` of p and q.
//! - Counters other than `clients` count once per event with a marker item
//!   (`COUNTED#<event>`, kept 3 days: beyond the stream's 24-hour retention) written in
//!   the same transaction.

use crate::photographers::Listed;
use crate::ports::{CoBookingStore, FeatureWriter, RecommendationReader};
use crate::reviews::Applied;
use crate::{DynamoStore, Item, PageKey, Read, StoreError, build_err, key, keys, s, to_av};
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, Put, TransactWriteItem, Update};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use cm_booking::AvailabilityDoc;
use cm_booking::BookingStatus;
use cm_catalog::features::{Features, PairCount, RESPONSE_BUCKETS, ResponseHistogram, response_bucket};
use cm_catalog::recommend::{CoBooked, PastPhotographer};
use cm_core::{BookingId, UserId};
use std::collections::HashMap;

/// How long an event marker is kept: far beyond the stream's 24-hour retention.
const MARKER_RETENTION: TimeDelta = TimeDelta::days(3);
/// A client's earlier photographers a new one is paired with: the most recent ones,
/// so the transaction (3 items + 2 per pair) stays within DynamoDB's 100.
pub const MAX_PAIRED: usize = 45;
const CLIENT_ATTEMPTS: u32 = 6;
/// BatchGetItem's limit of keys per call.
const BATCH: usize = 100;
/// How many of a client's latest bookings their history is read from.
const HISTORY_BOOKINGS: i32 = 100;
const CO_BOOKING_JOB: &str = "refresh-co-booking";

/// What a request knows of one photographer besides the listing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeatureRow {
    pub features: Features,
    /// A pending or confirmed booking on the asked date.
    pub booked_on_date: bool,
    /// The photographer's working hours, when they keep them on the platform.
    pub availability: Option<AvailabilityDoc>,
}

fn booked_attribute(booking: BookingId) -> String {
    format!("b_{booking}")
}

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn number(item: &Item, name: &str) -> u32 {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse::<i64>().ok())
        .map_or(0, |v| v.clamp(0, u32::MAX as i64) as u32)
}

fn features_of(item: &Item) -> Result<Features, StoreError> {
    let mut counts: Vec<u32> = (0..=RESPONSE_BUCKETS.len()).map(|b| number(item, &format!("r{b}"))).collect();
    while counts.last() == Some(&0) {
        counts.pop();
    }
    let co_booked = match item.get("co_booked") {
        Some(v) => serde_dynamo::from_attribute_value(v.clone()).map_err(crate::error::corrupt)?,
        None => Vec::new(),
    };
    Ok(Features {
        response: ResponseHistogram { counts },
        completed_bookings: number(item, "completed_bookings"),
        clients: number(item, "clients"),
        co_booked,
    })
}

fn id_of(item: &Item, prefix: &str) -> Option<UserId> {
    item.get("pk")?.as_s().ok()?.strip_prefix(prefix)?.split('#').next()?.parse().ok()
}

impl DynamoStore {
    /// Every item of `keys` that exists, in no particular order: BatchGetItem in
    /// chunks of 100, all at once, each retried with backoff until DynamoDB has
    /// returned every key it left unprocessed (it does under throttling).
    pub(crate) async fn batch_get(&self, all: Vec<Item>) -> Result<Vec<Item>, StoreError> {
        self.batch_get_projected(all, None).await
    }

    /// [`Self::batch_get`], reading only the attributes `projection` names (its
    /// expression and the `#name`s it uses).
    pub(crate) async fn batch_get_projected(
        &self,
        all: Vec<Item>,
        projection: Option<&crate::names::Projection>,
    ) -> Result<Vec<Item>, StoreError> {
        let chunks: Vec<Vec<Item>> = all.chunks(BATCH).map(<[Item]>::to_vec).collect();
        let reads = chunks.into_iter().map(|chunk| async move {
            let mut found = Vec::new();
            let mut pending = Some(chunk);
            let mut attempt = 0;
            while let Some(wanted) = pending.take().filter(|w| !w.is_empty()) {
                if attempt > 0 {
                    if attempt >= crate::retry::ATTEMPTS * 2 {
                        return Err(StoreError::Throttled(format!("{} keys left unprocessed", wanted.len())));
                    }
                    tokio::time::sleep(crate::retry::backoff(attempt)).await;
                }
                attempt += 1;
                let mut request = KeysAndAttributes::builder().set_keys(Some(wanted));
                if let Some(p) = projection {
                    request = request.projection_expression(p.expression).set_expression_attribute_names(Some(
                        p.names.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                    ));
                }
                let request = request.build().map_err(build_err)?;
                let out = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(crate::error::from_sdk)?;
                found.extend(out.responses.and_then(|mut r| r.remove(&self.table)).unwrap_or_default());
                pending = out.unprocessed_keys.and_then(|mut u| u.remove(&self.table)).map(|k| k.keys);
            }
            Ok::<_, StoreError>(found)
        });
        Ok(futures::future::try_join_all(reads).await?.into_iter().flatten().collect())
    }

    /// The marker and the counter update, once per `event`.
    async fn count_once(&self, event: &str, update: Update, now: DateTime<Utc>) -> Result<Applied, StoreError> {
        let mut marker = key(keys::counted(event), keys::COUNTED_SK);
        marker.insert("entity".into(), s("counted"));
        marker.insert("ttl".into(), n((now + MARKER_RETENTION).timestamp()));
        let marker = Put::builder()
            .table_name(&self.table)
            .set_item(Some(marker))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build_err)?;
        let ops =
            vec![TransactWriteItem::builder().put(marker).build(), TransactWriteItem::builder().update(update).build()];
        match self.transact(ops).await {
            Ok(()) => Ok(Applied::Applied),
            Err(StoreError::ConditionFailed { .. }) => Ok(Applied::AlreadyApplied),
            Err(e) => Err(e),
        }
    }

    fn add_to_features(&self, photographer: UserId, attribute: &str) -> Result<Update, StoreError> {
        Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::user(photographer), keys::FEATURES_SK)))
            .update_expression("ADD #a :one SET entity = :e")
            .expression_attribute_names("#a", attribute)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":e", s("photographer_features"))
            .build()
            .map_err(build_err)
    }

    /// The client's confirmed photographers and the head's version.
    async fn client_photographers(&self, client: UserId) -> Result<(Option<u64>, Vec<(UserId, String)>), StoreError> {
        let items = self.partition(keys::client_photographers(client), Read::Consistent).await?;
        let mut version = None;
        let mut photographers = Vec::new();
        for item in items {
            let sk = item.get("sk").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
            if sk == keys::CLIENT_PHOTOGRAPHERS_HEAD {
                version = Some(u64::from(number(&item, "version")));
            } else if let Ok(p) = sk.parse::<UserId>() {
                let since = item.get("since").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
                photographers.push((p, since));
            }
        }
        Ok((version, photographers))
    }
}

impl DynamoStore {
    /// Writes every slot-holding booking of `photographer` starting in `[from, to)` onto
    /// its booked days, for bookings made before the stream kept them (the operator
    /// command `backfill-booked-days`). Idempotent. Returns how many it wrote.
    pub async fn backfill_booked_days(
        &self,
        photographer: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let bookings = crate::ports::BookingReader::slot_holding_bookings(self, photographer, from, to).await?;
        for b in &bookings {
            self.move_booked_day(b.photographer_id, b.id, None, Some(b.local_date)).await?;
        }
        Ok(bookings.len())
    }
}

impl RecommendationReader for DynamoStore {
    async fn listed_in(&self, partitions: &[String]) -> Result<Vec<Listed>, StoreError> {
        DynamoStore::listed_in(self, partitions).await
    }

    async fn best_listed(&self, partition: &str, limit: usize) -> Result<Vec<Listed>, StoreError> {
        DynamoStore::best_listed(self, partition, limit).await
    }

    async fn feature_rows(
        &self,
        ids: &[UserId],
        date: Option<NaiveDate>,
    ) -> Result<HashMap<UserId, FeatureRow>, StoreError> {
        let mut wanted = Vec::new();
        for &id in ids {
            wanted.push(key(keys::user(id), keys::FEATURES_SK));
            if let Some(d) = date {
                wanted.push(key(keys::user(id), keys::AVAILABILITY_SK));
                wanted.push(key(keys::booked_month(id, d), keys::BOOKED_SK));
            }
        }
        let mut rows: HashMap<UserId, FeatureRow> = ids.iter().map(|&id| (id, FeatureRow::default())).collect();
        let day = date.map(|d| d.to_string());
        for item in self.batch_get(wanted).await? {
            let sk = item.get("sk").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
            if sk == keys::FEATURES_SK {
                if let Some(row) = id_of(&item, "USER#").and_then(|id| rows.get_mut(&id)) {
                    row.features = features_of(&item)?;
                }
            } else if sk == keys::AVAILABILITY_SK {
                if let (Some(row), Some(doc)) =
                    (id_of(&item, "USER#").and_then(|id| rows.get_mut(&id)), item.get("doc"))
                {
                    row.availability =
                        Some(serde_dynamo::from_attribute_value(doc.clone()).map_err(crate::error::corrupt)?);
                }
            } else if sk == keys::BOOKED_SK
                && let Some(row) = id_of(&item, "BOOKED#").and_then(|id| rows.get_mut(&id))
            {
                row.booked_on_date = item
                    .iter()
                    .any(|(name, v)| name.starts_with("b_") && v.as_s().ok().map(String::as_str) == day.as_deref());
            }
        }
        Ok(rows)
    }

    async fn client_history(&self, client: UserId, limit: usize) -> Result<Vec<PastPhotographer>, StoreError> {
        // The newest bookings by start, one bounded read.
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(keys::GSI1)
            .key_condition_expression("gsi1pk = :pk")
            .expression_attribute_values(":pk", s(keys::client_bookings(client)))
            .scan_index_forward(false)
            .limit(HISTORY_BOOKINGS)
            .send()
            .await
            .map_err(crate::error::from_sdk)?;
        let mut order: Vec<UserId> = Vec::new();
        let mut completed: Vec<(UserId, BookingId)> = Vec::new();
        for item in out.items.unwrap_or_default() {
            let booking: cm_booking::booking::Booking = serde_dynamo::from_item(item).map_err(crate::error::corrupt)?;
            if !matches!(booking.status, BookingStatus::Confirmed | BookingStatus::Completed) {
                continue;
            }
            if !order.contains(&booking.photographer_id) {
                if order.len() == limit {
                    continue;
                }
                order.push(booking.photographer_id);
            }
            if booking.status == BookingStatus::Completed {
                completed.push((booking.photographer_id, booking.id));
            }
        }
        let mut wanted: Vec<Item> = order.iter().map(|p| key(keys::user(*p), keys::PHOTOGRAPHER_SK)).collect();
        wanted.extend(completed.iter().map(|(_, b)| key(keys::booking(*b), keys::REVIEW_SK)));
        let mut names: HashMap<UserId, String> = HashMap::new();
        let mut stars: HashMap<BookingId, u8> = HashMap::new();
        for item in self.batch_get(wanted).await? {
            let sk = item.get("sk").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
            if sk == keys::PHOTOGRAPHER_SK {
                let record = crate::photographers::record_of(item)?;
                names.insert(record.id, record.profile.display_name);
            } else if sk == keys::REVIEW_SK {
                let review: cm_reviews::Review = serde_dynamo::from_item(item).map_err(crate::error::corrupt)?;
                stars.insert(review.booking_id, review.rating);
            }
        }
        Ok(order
            .into_iter()
            .map(|p| PastPhotographer {
                id: p,
                display_name: names.get(&p).cloned().unwrap_or_default(),
                // `completed` runs newest first: the first reviewed is the latest review.
                stars: completed.iter().filter(|(q, _)| *q == p).find_map(|(_, b)| stars.get(b).copied()),
            })
            .collect())
    }
}

impl FeatureWriter for DynamoStore {
    async fn move_booked_day(
        &self,
        photographer: UserId,
        booking: BookingId,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<(), StoreError> {
        let attribute = booked_attribute(booking);
        if let Some(to) = to {
            self.client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key(keys::booked_month(photographer, to), keys::BOOKED_SK)))
                .update_expression("SET #b = :d, entity = :e")
                .expression_attribute_names("#b", &attribute)
                .expression_attribute_values(":d", s(to.to_string()))
                .expression_attribute_values(":e", s("booked_days"))
                .send()
                .await
                .map_err(crate::error::from_sdk)?;
        }
        let Some(from) = from else { return Ok(()) };
        if to.is_some_and(|to| keys::booked_month(photographer, to) == keys::booked_month(photographer, from)) {
            return Ok(());
        }
        let removed = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::booked_month(photographer, from), keys::BOOKED_SK)))
            .update_expression("REMOVE #b")
            // Never create an empty month just to remove from it.
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#b", &attribute)
            .send()
            .await
            .map_err(crate::error::from_sdk);
        crate::error::applied(removed).map(|_| ())
    }

    async fn add_response(
        &self,
        event: &str,
        photographer: UserId,
        minutes: u32,
        now: DateTime<Utc>,
    ) -> Result<Applied, StoreError> {
        let update = self.add_to_features(photographer, &format!("r{}", response_bucket(minutes)))?;
        self.count_once(event, update, now).await
    }

    async fn add_completed(
        &self,
        event: &str,
        photographer: UserId,
        now: DateTime<Utc>,
    ) -> Result<Applied, StoreError> {
        let update = self.add_to_features(photographer, "completed_bookings")?;
        self.count_once(event, update, now).await
    }

    async fn add_client(
        &self,
        client: UserId,
        photographer: UserId,
        now: DateTime<Utc>,
    ) -> Result<Applied, StoreError> {
        for attempt in 0..CLIENT_ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(crate::retry::backoff(attempt)).await;
            }
            let (version, mut earlier) = self.client_photographers(client).await?;
            if earlier.iter().any(|(p, _)| *p == photographer) {
                return Ok(Applied::AlreadyApplied);
            }
            // Newest first; `since` is a fixed-width instant.
            earlier.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let pk = keys::client_photographers(client);
            let mut head = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(&pk, keys::CLIENT_PHOTOGRAPHERS_HEAD)))
                .update_expression("ADD version :one SET entity = :e")
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":e", s("client_photographers"));
            head = match version {
                Some(v) => head.condition_expression("version = :v").expression_attribute_values(":v", n(v)),
                None => head.condition_expression("attribute_not_exists(pk)"),
            };
            let mut member = key(&pk, photographer.to_string());
            member.insert("entity".into(), s("client_photographer"));
            member.insert("since".into(), s(keys::instant_micros(now)));
            let member = Put::builder()
                .table_name(&self.table)
                .set_item(Some(member))
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .map_err(build_err)?;
            let mut ops = vec![
                TransactWriteItem::builder().update(head.build().map_err(build_err)?).build(),
                TransactWriteItem::builder().put(member).build(),
                TransactWriteItem::builder().update(self.add_to_features(photographer, "clients")?).build(),
            ];
            for (other, _) in earlier.iter().take(MAX_PAIRED) {
                for (a, b) in [(photographer, *other), (*other, photographer)] {
                    let pair = Update::builder()
                        .table_name(&self.table)
                        .set_key(Some(key(keys::co_booking(a), b.to_string())))
                        .update_expression("ADD shared_clients :one SET entity = :e")
                        .expression_attribute_values(":one", n(1))
                        .expression_attribute_values(":e", s("co_booking"))
                        .build()
                        .map_err(build_err)?;
                    ops.push(TransactWriteItem::builder().update(pair).build());
                }
            }
            match self.transact(ops).await {
                Ok(()) => return Ok(Applied::Applied),
                // Someone added another photographer of this client meanwhile: pair
                // with them too, from a fresh read.
                Err(StoreError::ConditionFailed { failed_items }) if failed_items.contains(&0) => continue,
                Err(StoreError::ConditionFailed { .. }) => return Ok(Applied::AlreadyApplied),
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Contended(format!("client {client}'s photographers kept changing")))
    }
}

impl CoBookingStore for DynamoStore {
    async fn co_booking_pairs(&self, photographer: UserId) -> Result<Vec<PairCount>, StoreError> {
        let items = self.partition(keys::co_booking(photographer), Read::Eventual).await?;
        items
            .iter()
            .map(|item| {
                let other = item.get("sk").and_then(|v| v.as_s().ok()).and_then(|sk| sk.parse().ok());
                let other = other.ok_or_else(|| StoreError::Corrupt(format!("co-booking item of {photographer}")))?;
                Ok(PairCount { photographer: other, shared_clients: number(item, "shared_clients") })
            })
            .collect()
    }

    async fn client_counts(&self, ids: &[UserId]) -> Result<HashMap<UserId, u32>, StoreError> {
        let wanted = ids.iter().map(|id| key(keys::user(*id), keys::FEATURES_SK)).collect();
        let mut counts: HashMap<UserId, u32> = ids.iter().map(|&id| (id, 0)).collect();
        for item in self.batch_get(wanted).await? {
            if let Some(id) = id_of(&item, "USER#") {
                counts.insert(id, number(&item, "clients"));
            }
        }
        Ok(counts)
    }

    async fn co_booking_cursor(&self) -> Result<Option<PageKey>, StoreError> {
        let item = self.get(keys::job(CO_BOOKING_JOB), keys::JOB_CURSOR_SK, Read::Consistent).await?;
        match item.and_then(|mut i| i.remove("cursor")) {
            Some(v) => Ok(Some(serde_dynamo::from_attribute_value(v).map_err(crate::error::corrupt)?)),
            None => Ok(None),
        }
    }

    async fn set_co_booking_cursor(&self, cursor: Option<&PageKey>) -> Result<(), StoreError> {
        let mut item = key(keys::job(CO_BOOKING_JOB), keys::JOB_CURSOR_SK);
        item.insert("entity".into(), s("job_cursor"));
        if let Some(c) = cursor {
            item.insert("cursor".into(), to_av(c)?);
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

    async fn set_co_booked(&self, photographer: UserId, co_booked: &[CoBooked]) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::user(photographer), keys::FEATURES_SK)))
            .update_expression("SET co_booked = :c, entity = :e")
            .expression_attribute_values(":c", to_av(&co_booked)?)
            .expression_attribute_values(":e", s("photographer_features"))
            .send()
            .await
            .map_err(crate::error::from_sdk)?;
        Ok(())
    }
}
