//! Bookings, and the items that make double booking impossible.
//!
//! A booking occupies `[start − buffer_before, end + buffer_after)`, cut into 15-minute
//! lock blocks (`cm_booking::lock_blocks`). Each block is an item
//! `SLOT#<photographer>#<block>` written with `attribute_not_exists(pk)` in the same
//! transaction as the booking. Two bookings whose occupied time overlaps share at least
//! one block, and DynamoDB lets only one transaction create it: the overlap cannot be
//! written, whatever the concurrency. Status changes and reschedules are
//! compare-and-set on the booking's `version`, freeing or moving blocks in the same
//! transaction. See docs/bookings.md for the write costs.

use crate::page::query_all;
use crate::ports::{BookingReader, BookingWriter, PendingBookings};
use crate::{DynamoStore, Page, PageKey, Read, StoreError, build_err, from_item, key, keys, s, to_av, to_item};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use chrono::{DateTime, NaiveDate, Utc};
use cm_booking::BookingStatus;
use cm_booking::booking::Booking;
use cm_booking::idempotency::IdempotentResponse;
use cm_booking::travel::{DayPlaces, Place};
use cm_core::{BookingId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Serialize, Deserialize)]
struct BookingItem {
    pk: String,
    sk: String,
    entity: String,
    /// The client's bookings by start.
    gsi1pk: String,
    gsi1sk: String,
    /// The photographer's bookings by start.
    gsi2pk: String,
    gsi2sk: String,
    /// Every booking by start (admin, reminders), over `keys::BOOKING_SHARDS`.
    gsi3pk: String,
    gsi3sk: String,
    /// Sparse: only pending bookings, by expiry, for the expiry sweep; sharded as gsi3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi4pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi4sk: Option<String>,
    #[serde(flatten)]
    booking: Booking,
}

fn start_key(b: &Booking) -> String {
    format!("{}#{}", keys::instant(b.start), b.id)
}

impl BookingItem {
    fn new(b: &Booking) -> BookingItem {
        let pending = b.status == BookingStatus::Pending;
        BookingItem {
            pk: keys::booking(b.id),
            sk: keys::BOOKING_SK.into(),
            entity: "booking".into(),
            gsi1pk: keys::client_bookings(b.client_id),
            gsi1sk: start_key(b),
            gsi2pk: keys::photographer_bookings(b.photographer_id),
            gsi2sk: start_key(b),
            gsi3pk: keys::all_bookings(keys::booking_shard(b.id)),
            gsi3sk: start_key(b),
            gsi4pk: pending.then(|| keys::pending(keys::booking_shard(b.id))),
            gsi4sk: pending.then(|| format!("{}#{}", keys::instant(b.expires_at), b.id)),
            booking: b.clone(),
        }
    }
}

#[derive(Debug)]
pub enum BookingWriteError {
    /// Some lock block is held by another booking.
    Overlap,
    /// The photographer's daily limit is reached on that date.
    DailyLimit,
    /// The idempotency key was used concurrently; read its stored answer.
    IdempotencyKeyTaken,
    /// The booking changed since it was read (another tab, another actor).
    Stale,
    /// Another located session joined the day since the travel check read it: check
    /// again against the day as it is now.
    DayChanged,
    Store(StoreError),
}

impl From<StoreError> for BookingWriteError {
    fn from(e: StoreError) -> Self {
        BookingWriteError::Store(e)
    }
}

/// How long lock blocks outlive their time: long enough that nothing can book a past
/// block, short enough that the table does not grow without bound. DynamoDB deletes
/// them some time after; nothing may depend on when (see `slot_delete`).
const SLOT_RETENTION_DAYS: i64 = 7;

/// A transaction under construction that remembers which item plays which part, so a
/// cancellation names the rule that failed rather than a position.
#[derive(Default)]
struct Ops {
    items: Vec<TransactWriteItem>,
    roles: Vec<Role>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Booking,
    DayTaken,
    DayReleased,
    Idempotency,
    BlockTaken,
    BlockReleased,
    Outbox,
}

impl Ops {
    fn push(&mut self, role: Role, item: TransactWriteItem) {
        self.items.push(item);
        self.roles.push(role);
    }

    /// Which parts failed their conditions.
    fn failed(&self, failed_items: &[usize]) -> Vec<Role> {
        failed_items.iter().filter_map(|&i| self.roles.get(i).copied()).collect()
    }
}

impl DynamoStore {
    fn slot_put(&self, b: &Booking, block: i64) -> Result<TransactWriteItem, StoreError> {
        let mut item = key(keys::slot(b.photographer_id, block), keys::SLOT_SK);
        item.insert("entity".into(), s("slot_lock"));
        item.insert("booking_id".into(), s(b.id.to_string()));
        let expires = block * 15 * 60 + SLOT_RETENTION_DAYS * 86_400;
        item.insert("ttl".into(), AttributeValue::N(expires.to_string()));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build_err)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Deletes a block only if this booking holds it: a bug elsewhere can never free
    /// someone else's slot. A block TTL has already removed counts as freed: the
    /// deletion must not depend on when DynamoDB's sweeper ran.
    fn slot_delete(&self, b: &Booking, block: i64) -> Result<TransactWriteItem, StoreError> {
        let del = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::slot(b.photographer_id, block), keys::SLOT_SK)))
            .condition_expression("attribute_not_exists(pk) OR booking_id = :b")
            .expression_attribute_values(":b", s(b.id.to_string()))
            .build()
            .map_err(build_err)?;
        Ok(TransactWriteItem::builder().delete(del).build())
    }

    /// The photographer's day item `DAY#<photographer>#<date>`: its booking count (for
    /// a daily limit) and its located sessions with their `version` (for travel time).
    /// One item carries both so that a reschedule still needs at most two day writes;
    /// `None` when the booking touches neither.
    fn day_update(
        &self,
        photographer: UserId,
        date: NaiveDate,
        op: DayOp,
    ) -> Result<Option<TransactWriteItem>, StoreError> {
        let mut up = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::day(photographer, date), keys::DAY_SK)))
            .expression_attribute_values(":e", s("day_count"));
        let (mut sets, mut adds, mut removes, mut conditions) = (vec!["entity = :e"], vec![], vec![], vec![]);
        match op.count {
            Some(DayChange::Take { limit }) => {
                adds.push("#c :d");
                conditions.push("(attribute_not_exists(#c) OR #c < :max)");
                up = up
                    .expression_attribute_names("#c", "count")
                    .expression_attribute_values(":d", AttributeValue::N("1".into()))
                    .expression_attribute_values(":max", AttributeValue::N(limit.to_string()));
            }
            Some(DayChange::Release) => {
                adds.push("#c :d");
                up = up
                    .expression_attribute_names("#c", "count")
                    .expression_attribute_values(":d", AttributeValue::N("-1".into()));
            }
            None => {}
        }
        match op.place {
            PlaceOp::Put { place, expect } => {
                sets.push("#pl = :pl");
                adds.push("#v :one");
                up = up
                    .expression_attribute_names("#pl", place_attribute(place.booking))
                    .expression_attribute_names("#v", "version")
                    .expression_attribute_values(":pl", to_av(&place)?)
                    .expression_attribute_values(":one", AttributeValue::N("1".into()));
                match expect {
                    // An item that only ever counted bookings has no version yet.
                    Some(0) => conditions.push("attribute_not_exists(#v)"),
                    Some(v) => {
                        conditions.push("#v = :seen");
                        up = up.expression_attribute_values(":seen", AttributeValue::N(v.to_string()));
                    }
                    None => {}
                }
            }
            // Removing never makes a neighbour's journey harder, so it needs no version.
            PlaceOp::Remove(booking) => {
                removes.push("#pl");
                up = up.expression_attribute_names("#pl", place_attribute(booking));
            }
            PlaceOp::Keep => {}
        }
        if adds.is_empty() && removes.is_empty() {
            return Ok(None);
        }
        let mut expression = format!("SET {}", sets.join(", "));
        if !adds.is_empty() {
            expression.push_str(&format!(" ADD {}", adds.join(", ")));
        }
        if !removes.is_empty() {
            expression.push_str(&format!(" REMOVE {}", removes.join(", ")));
        }
        up = up.update_expression(expression);
        if !conditions.is_empty() {
            up = up.condition_expression(conditions.join(" AND "));
        }
        Ok(Some(TransactWriteItem::builder().update(up.build().map_err(build_err)?).build()))
    }

    /// After a cancelled transaction whose day item refused: a version other than the
    /// one the travel check read means the day's places changed (check again); the
    /// same version means the count was at its limit.
    async fn day_refusal(&self, b: &Booking, seen: Option<u64>) -> Result<BookingWriteError, StoreError> {
        let Some(seen) = seen else { return Ok(BookingWriteError::DailyLimit) };
        let now = self.day_places(b.photographer_id, b.local_date).await?;
        Ok(if now.version == seen { BookingWriteError::DailyLimit } else { BookingWriteError::DayChanged })
    }

    fn booking_put(&self, b: &Booking, expect: Option<&Booking>) -> Result<TransactWriteItem, StoreError> {
        let mut put = Put::builder().table_name(&self.table).set_item(Some(to_item(&BookingItem::new(b))?));
        put = match expect {
            None => put.condition_expression("attribute_not_exists(pk)"),
            Some(old) => put
                .condition_expression("version = :v AND #st = :s")
                .expression_attribute_names("#st", "status")
                .expression_attribute_values(":v", AttributeValue::N(old.version.to_string()))
                .expression_attribute_values(":s", to_av(&old.status)?),
        };
        Ok(TransactWriteItem::builder().put(put.build().map_err(build_err)?).build())
    }

    /// The stored answer to an `Idempotency-Key`. A key whose answer has expired may be
    /// used again even before DynamoDB's TTL sweeper has removed it.
    fn idempotency_put(
        &self,
        owner: UserId,
        k: &str,
        resp: &IdempotentResponse,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut item = to_item(resp)?;
        item.extend(key(keys::idempotency(owner, k), keys::IDEMPOTENCY_SK));
        item.insert("entity".into(), s("idempotency"));
        item.insert("ttl".into(), AttributeValue::N(resp.expires_at().timestamp().to_string()));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk) OR #ttl <= :now")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":now", AttributeValue::N(resp.created_at.timestamp().to_string()))
            .build()
            .map_err(build_err)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// What releasing `old`'s slot at `new.updated_at` takes: its day count (if it was
    /// counted and its day is not over) and its blocks that are not yet in the past. A
    /// block in the past can never be booked again, so it is left to TTL.
    fn release(&self, ops: &mut Ops, old: &Booking, at: DateTime<Utc>, keep: &[i64]) -> Result<(), StoreError> {
        let mut days = DayOps::default();
        days.let_go(old, old.end > at);
        days.push_into(self, ops, old.photographer_id)?;
        let now_block = at.timestamp().div_euclid(i64::from(cm_booking::BLOCK_MINUTES) * 60);
        for &block in old.lock_blocks.iter().filter(|b| !keep.contains(b) && **b >= now_block) {
            ops.push(Role::BlockReleased, self.slot_delete(old, block)?);
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
enum DayChange {
    Take { limit: u32 },
    Release,
}

/// What one write does to a day item.
struct DayOp {
    count: Option<DayChange>,
    place: PlaceOp,
}

/// The dates whose day items carry a located session's place: its own and either side
/// (cm_booking::travel: one read of a date then holds every session near it).
fn place_dates(date: NaiveDate) -> BTreeSet<NaiveDate> {
    [date.pred_opt(), Some(date), date.succ_opt()].into_iter().flatten().collect()
}

/// The day items one booking write touches, merged by date: a transaction may name an
/// item once, and a reschedule's old and new dates overlap.
#[derive(Default)]
struct DayOps(BTreeMap<NaiveDate, DayOp>);

impl DayOps {
    fn at(&mut self, date: NaiveDate) -> &mut DayOp {
        self.0.entry(date).or_insert(DayOp { count: None, place: PlaceOp::Keep })
    }

    fn count(&mut self, date: NaiveDate, change: DayChange) {
        let op = self.at(date);
        op.count = match (op.count, change) {
            (None, c) => Some(c),
            // A reschedule within a counted day: one out, one in.
            (Some(DayChange::Take { .. }), DayChange::Release) | (Some(DayChange::Release), DayChange::Take { .. }) => {
                None
            }
            (Some(c), _) => Some(c),
        };
    }

    /// `b` holds its day: its count (under a daily limit), and its place on its date
    /// and either side; on its own date only while the version is still `expect`, the
    /// one its travel check read.
    fn hold(&mut self, b: &Booking, expect: Option<u64>) {
        if let Some(limit) = b.daily_limit {
            self.count(b.local_date, DayChange::Take { limit });
        }
        if let Some(place) = Place::of(b) {
            for date in place_dates(b.local_date) {
                let expect = if date == b.local_date { expect } else { None };
                // Moving a session's place replaces its old one (one attribute per booking).
                self.at(date).place = PlaceOp::Put { place: place.clone(), expect };
            }
        }
    }

    /// `b` lets its day go: its place everywhere it was kept, and its count if
    /// `counted` (a day that is over keeps its count: it no longer matters).
    fn let_go(&mut self, b: &Booking, counted: bool) {
        if counted && b.daily_limit.is_some() {
            self.count(b.local_date, DayChange::Release);
        }
        if Place::of(b).is_some() {
            for date in place_dates(b.local_date) {
                let op = self.at(date);
                if matches!(op.place, PlaceOp::Keep) {
                    op.place = PlaceOp::Remove(b.id);
                }
            }
        }
    }

    /// The writes, each under the role that says what its refusal means: a day that
    /// takes a count or is conditioned on its version can refuse (`DayTaken`); the
    /// others never do.
    fn push_into(self, store: &DynamoStore, ops: &mut Ops, photographer: UserId) -> Result<(), StoreError> {
        for (date, op) in self.0 {
            let guarded = matches!(op.count, Some(DayChange::Take { .. }))
                || matches!(op.place, PlaceOp::Put { expect: Some(_), .. });
            if let Some(item) = store.day_update(photographer, date, op)? {
                ops.push(if guarded { Role::DayTaken } else { Role::DayReleased }, item);
            }
        }
        Ok(())
    }
}

enum PlaceOp {
    Keep,
    /// Adds (or moves) a session's place and bumps the day's version; with `expect`,
    /// only if the version is still the one the travel check read.
    Put {
        place: Place,
        expect: Option<u64>,
    },
    Remove(BookingId),
}

/// One attribute per located session, so adding and removing one never touches a
/// nested path that might not exist.
fn place_attribute(booking: BookingId) -> String {
    format!("{PLACE_PREFIX}{booking}")
}

const PLACE_PREFIX: &str = "place_";

impl BookingWriter for DynamoStore {
    async fn create_booking(
        &self,
        b: &Booking,
        idempotency: Option<(&str, &IdempotentResponse)>,
        travel: Option<u64>,
    ) -> Result<(), BookingWriteError> {
        let mut ops = Ops::default();
        ops.push(Role::Booking, self.booking_put(b, None)?);
        let mut days = DayOps::default();
        days.hold(b, travel);
        days.push_into(self, &mut ops, b.photographer_id)?;
        if let Some((k, resp)) = idempotency {
            ops.push(Role::Idempotency, self.idempotency_put(b.client_id, k, resp)?);
        }
        for &block in &b.lock_blocks {
            ops.push(Role::BlockTaken, self.slot_put(b, block)?);
        }
        match self.transact(ops.items.clone()).await {
            Ok(()) => Ok(()),
            Err(StoreError::ConditionFailed { failed_items }) => match classify(&ops.failed(&failed_items)) {
                BookingWriteError::DailyLimit => Err(self.day_refusal(b, travel).await?),
                other => Err(other),
            },
            Err(e) => Err(e.into()),
        }
    }

    async fn get_idempotent_response(&self, owner: UserId, k: &str) -> Result<Option<IdempotentResponse>, StoreError> {
        let item = self.get(keys::idempotency(owner, k), keys::IDEMPOTENCY_SK, Read::Consistent).await?;
        item.map(from_item).transpose()
    }

    async fn update_booking_status(&self, old: &Booking, new: &Booking) -> Result<(), BookingWriteError> {
        let mut ops = Ops::default();
        ops.push(Role::Booking, self.booking_put(new, Some(old))?);
        if !old.lock_blocks.is_empty() && new.lock_blocks.is_empty() {
            self.release(&mut ops, old, new.updated_at, &[])?;
        }
        // Money follows the booking: a status that captures, releases or refunds leaves
        // a request for settle-payments in the same transaction, so it cannot be lost.
        if old.status != new.status && new.status != BookingStatus::Pending {
            ops.push(Role::Outbox, crate::payments::settle_request_put(&self.table, new.id, new.updated_at)?);
        }
        match self.transact(ops.items.clone()).await {
            Ok(()) => Ok(()),
            Err(StoreError::ConditionFailed { failed_items }) => Err(classify(&ops.failed(&failed_items))),
            Err(e) => Err(e.into()),
        }
    }

    async fn reschedule_booking(
        &self,
        old: &Booking,
        new: &Booking,
        travel: Option<u64>,
    ) -> Result<(), BookingWriteError> {
        let mut ops = Ops::default();
        ops.push(Role::Booking, self.booking_put(new, Some(old))?);
        // The old day's count and places go, the new day's come (merged where the dates
        // meet: a move within a day, or to the next one).
        let mut days = DayOps::default();
        days.hold(new, travel);
        days.let_go(old, true);
        days.push_into(self, &mut ops, new.photographer_id)?;
        for &block in new.lock_blocks.iter().filter(|b| !old.lock_blocks.contains(b)) {
            ops.push(Role::BlockTaken, self.slot_put(new, block)?);
        }
        // The old blocks go whatever their time: a reschedule happens before the start,
        // and the blocks' owner must change with the booking.
        for &block in old.lock_blocks.iter().filter(|b| !new.lock_blocks.contains(b)) {
            ops.push(Role::BlockReleased, self.slot_delete(old, block)?);
        }
        // The payments follow the new start (the balance's due date) through
        // settle-payments, asked in the same transaction so the move cannot be missed.
        ops.push(Role::Outbox, crate::payments::settle_request_put(&self.table, new.id, new.updated_at)?);
        match self.transact(ops.items.clone()).await {
            Ok(()) => Ok(()),
            Err(StoreError::ConditionFailed { failed_items }) => match classify(&ops.failed(&failed_items)) {
                BookingWriteError::DailyLimit => Err(self.day_refusal(new, travel).await?),
                other => Err(other),
            },
            Err(e) => Err(e.into()),
        }
    }
}

/// Names the rule behind a cancelled booking transaction, most telling first.
fn classify(failed: &[Role]) -> BookingWriteError {
    if failed.contains(&Role::Booking) {
        // For a new booking: its id collided (practically impossible). For a change:
        // someone else changed it first.
        BookingWriteError::Stale
    } else if failed.contains(&Role::Idempotency) {
        // A concurrent request with the same key took the same blocks too: it is the
        // same request, so its stored answer wins over "overlap".
        BookingWriteError::IdempotencyKeyTaken
    } else if failed.contains(&Role::BlockTaken) {
        BookingWriteError::Overlap
    } else if failed.contains(&Role::DayTaken) {
        BookingWriteError::DailyLimit
    } else {
        // A released block held by another booking, or a decrement refused: the
        // booking read is not what the table holds.
        BookingWriteError::Store(StoreError::Corrupt(format!("booking write refused by {failed:?}")))
    }
}

impl DynamoStore {
    /// Writes the place of every located booking of `photographer` that holds a slot and
    /// starts in `[from, to)` onto the day items of its date and either side, for
    /// bookings made before days kept places, or kept them on their own date only (the
    /// operator command `backfill-day-places`). Idempotent: a place already
    /// there is written again unchanged. Each write bumps the day's version, so a
    /// booking being checked against that day at the same moment checks again.
    /// Returns how many places were written.
    pub async fn backfill_day_places(
        &self,
        photographer: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let mut written = 0;
        for b in self.slot_holding_bookings(photographer, from, to).await? {
            let Some(place) = Place::of(&b) else { continue };
            // On its date and either side, as every booking write now keeps it.
            let mut items = Vec::new();
            for date in place_dates(b.local_date) {
                let op = DayOp { count: None, place: PlaceOp::Put { place: place.clone(), expect: None } };
                items.extend(self.day_update(b.photographer_id, date, op)?);
            }
            self.transact(items).await?;
            written += 1;
        }
        Ok(written)
    }
}

impl BookingReader for DynamoStore {
    async fn day_places(&self, photographer: UserId, date: NaiveDate) -> Result<DayPlaces, StoreError> {
        let item = self.get(keys::day(photographer, date), keys::DAY_SK, Read::Consistent).await?;
        let Some(item) = item else { return Ok(DayPlaces::default()) };
        let version = match item.get("version") {
            Some(AttributeValue::N(n)) => n.parse().map_err(|_| StoreError::Corrupt(format!("day version {n}")))?,
            _ => 0,
        };
        let mut places = Vec::new();
        for (name, value) in item {
            if name.starts_with(PLACE_PREFIX) {
                places.push(serde_dynamo::from_attribute_value(value).map_err(|e| StoreError::Corrupt(e.to_string()))?);
            }
        }
        places.sort_by_key(|p: &Place| (p.start, p.booking));
        Ok(DayPlaces { version, places })
    }

    async fn get_booking(&self, id: BookingId) -> Result<Option<Booking>, StoreError> {
        let item = self.get(keys::booking(id), keys::BOOKING_SK, Read::Consistent).await?;
        item.map(|i| from_item::<BookingItem>(i).map(|b| b.booking)).transpose()
    }

    async fn slot_holding_bookings(
        &self,
        photographer: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Booking>, StoreError> {
        let (pending, confirmed) = (to_av(&BookingStatus::Pending)?, to_av(&BookingStatus::Confirmed)?);
        let items = query_all(|| {
            self.client
                .query()
                .table_name(&self.table)
                .index_name(keys::GSI2)
                .key_condition_expression("gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to")
                .filter_expression("#st IN (:p, :c)")
                .expression_attribute_names("#st", "status")
                .expression_attribute_values(":pk", s(keys::photographer_bookings(photographer)))
                .expression_attribute_values(":from", s(keys::instant(from)))
                .expression_attribute_values(":to", s(keys::instant(to)))
                .expression_attribute_values(":p", pending.clone())
                .expression_attribute_values(":c", confirmed.clone())
        })
        .await?;
        items.into_iter().map(|item| Ok(from_item::<BookingItem>(item)?.booking)).collect()
    }

    /// A party's bookings (or everyone's, for admins) by start time, earliest or latest
    /// first, optionally of one status and within `[from, to)`. Everyone's are written
    /// over `keys::BOOKING_SHARDS` partitions and merged back into start order.
    async fn list_bookings(&self, q: &BookingListQuery, after: Option<&PageKey>) -> Result<Page<Booking>, StoreError> {
        let (index, pk_attr, sk_attr, pks) = match q.party {
            Party::Client(id) => (keys::GSI1, "gsi1pk", "gsi1sk", vec![keys::client_bookings(id)]),
            Party::Photographer(id) => (keys::GSI2, "gsi2pk", "gsi2sk", vec![keys::photographer_bookings(id)]),
            Party::Everyone => (keys::GSI3, "gsi3pk", "gsi3sk", keys::all_bookings_partitions()),
        };
        let from = q.from.map_or("0".to_string(), keys::instant);
        // '~' sorts after every character a start key can hold.
        let to = q.to.map_or("~".to_string(), keys::instant);
        let status = q.status.map(|st| to_av(&st)).transpose()?;
        let make = |pk: &str| {
            let req = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index)
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :to")
                .expression_attribute_names("#pk", pk_attr)
                .expression_attribute_names("#sk", sk_attr)
                .expression_attribute_values(":pk", s(pk))
                .expression_attribute_values(":from", s(&from))
                .expression_attribute_values(":to", s(&to))
                .scan_index_forward(!q.descending);
            match &status {
                Some(st) => req
                    .filter_expression("#st = :st")
                    .expression_attribute_names("#st", "status")
                    .expression_attribute_values(":st", st.clone()),
                None => req,
            }
        };
        let key_attrs = ["pk", "sk", pk_attr, sk_attr];
        let decode = |i| from_item::<BookingItem>(i).map(|b| b.booking);
        match pks.as_slice() {
            [pk] => crate::page::filtered_page(|| make(pk), q.limit, after, &key_attrs, decode).await,
            shards => {
                let makers: Vec<_> = shards.iter().map(|pk| move || make(pk)).collect();
                let order = crate::page::Order { attr: sk_attr, descending: q.descending };
                crate::page::sharded_page(&makers, order, q.limit, after, &key_attrs, decode).await
            }
        }
    }
}

impl PendingBookings for DynamoStore {
    async fn pending_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        after: Option<&PageKey>,
    ) -> Result<Page<Result<Booking, StoreError>>, StoreError> {
        // '~' after the timestamp includes every id expiring exactly now.
        let upper = s(format!("{}~", keys::instant(now)));
        let makers: Vec<_> = keys::pending_partitions()
            .into_iter()
            .map(|pk| {
                let (pk, upper) = (s(pk), upper.clone());
                move || {
                    self.client
                        .query()
                        .table_name(&self.table)
                        .index_name(keys::GSI4)
                        .key_condition_expression("gsi4pk = :p AND gsi4sk <= :now")
                        .expression_attribute_values(":p", pk.clone())
                        .expression_attribute_values(":now", upper.clone())
                }
            })
            .collect();
        // Soonest expiry first over all shards, as the one partition gave them.
        let order = crate::page::Order { attr: "gsi4sk", descending: false };
        // One unreadable item must not stop the sweep: it is handed back as an error
        // for the caller to report, and the page goes on.
        crate::page::sharded_page(&makers, order, limit, after, &["pk", "sk", "gsi4pk", "gsi4sk"], |i| {
            Ok(from_item::<BookingItem>(i).map(|b| b.booking))
        })
        .await
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Party {
    Client(UserId),
    Photographer(UserId),
    Everyone,
}

#[derive(Debug, Clone)]
pub struct BookingListQuery {
    pub party: Party,
    pub status: Option<BookingStatus>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: usize,
    /// Latest start first (`GET /bookings?order=desc`): the newest of a range, when it
    /// holds more than a page.
    pub descending: bool,
}
