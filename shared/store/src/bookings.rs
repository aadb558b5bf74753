//! Bookings, and the items that make double booking impossible.
//!
//! A booking occupies `[start − buffer_before, end + buffer_after)`, cut into 15-minute
//! lock blocks (`cm_scheduling::lock_blocks`). Each block is an item
//! `SLOT#<photographer>#<block>` written with `attribute_not_exists(pk)` in the same
//! transaction as the booking. Two bookings whose occupied time overlaps share at least
//! one block, and DynamoDB lets only one transaction create it: the overlap cannot be
//! written, whatever the concurrency. Status changes and reschedules are
//! compare-and-set on the booking's `version`, freeing or moving blocks in the same
//! transaction. See docs/bookings.md for the write costs.

use crate::error::{from_sdk, from_transaction};
use crate::users::to_av;
use crate::{Item, Page, PageKey, Store, StoreError, from_item, key, keys, s, to_item};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use chrono::{DateTime, NaiveDate, Utc};
use cm_domain::location::Location;
use cm_domain::money::Money;
use cm_domain::{BookingId, UserId};
use cm_scheduling::{Actor, BookingStatus};
use serde::{Deserialize, Serialize};

/// One entry of a booking's history: every change, who made it and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    /// `None` for the system (scheduled jobs).
    pub by: Option<UserId>,
    pub actor: Actor,
    pub action: HistoryAction,
    pub from: Option<BookingStatus>,
    pub to: BookingStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_start: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_start: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryAction {
    Created,
    StatusChanged,
    Rescheduled,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Booking {
    pub id: BookingId,
    pub client_id: UserId,
    pub photographer_id: UserId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_id: Option<String>,
    pub event_type: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub duration_minutes: u32,
    /// The photographer's zone when booked: local times in answers and emails.
    pub timezone: String,
    pub location: Location,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub price: Money,
    pub status: BookingStatus,
    /// The lock blocks this booking holds (empty once it no longer holds its slot).
    pub lock_blocks: Vec<i64>,
    /// The photographer-local date that this booking counts against.
    pub local_date: NaiveDate,
    /// When the booking last entered `pending` (creation or a client's reschedule).
    pub requested_at: DateTime<Utc>,
    /// When a pending booking lapses.
    pub expires_at: DateTime<Utc>,
    pub cancellation_window_hours: u32,
    /// Optimistic-concurrency version, bumped by every change.
    pub version: u64,
    /// iCalendar SEQUENCE: bumped by every change an attendee's calendar must see.
    pub sequence: u32,
    pub history: Vec<HistoryEntry>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Booking {
    /// The booking after an accepted status change: a new version and calendar
    /// sequence, its slot released if the new status frees it, and the change in its
    /// history. Every writer of status changes (users, the expiry sweep, demo data)
    /// goes through here so none of them forgets a part.
    pub fn after_transition(&self, change: &cm_scheduling::Transition, by: Option<UserId>) -> Booking {
        let mut next = self.clone();
        next.status = change.to;
        next.version += 1;
        next.sequence += 1;
        next.updated_at = change.at;
        if change.frees_slot {
            next.lock_blocks.clear();
        }
        next.history.push(HistoryEntry {
            at: change.at,
            by,
            actor: change.actor,
            action: HistoryAction::StatusChanged,
            from: Some(change.from),
            to: change.to,
            reason: change.reason.clone(),
            previous_start: None,
            new_start: None,
        });
        next
    }
}

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
    /// Every booking by start (admin).
    gsi3pk: String,
    gsi3sk: String,
    /// Sparse: only pending bookings, by expiry, for the expiry sweep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi4pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi4sk: Option<String>,
    #[serde(flatten)]
    booking: Booking,
}

pub const ALL_BOOKINGS: &str = "BOOKINGS";
pub const PENDING: &str = "PENDING";

fn start_key(b: &Booking) -> String {
    format!("{}#{}", b.start.format("%Y-%m-%dT%H:%M:%SZ"), b.id)
}

pub fn booking_key(id: BookingId) -> String {
    format!("BOOKING#{id}")
}
const BOOKING_SK: &str = "BOOKING";

fn client_partition(id: UserId) -> String {
    format!("CLIENT#{id}")
}
fn photographer_partition(id: UserId) -> String {
    format!("PHOTOGRAPHER#{id}")
}
fn slot_key(photographer: UserId, block: i64) -> String {
    format!("SLOT#{photographer}#{block}")
}
fn day_key(photographer: UserId, date: NaiveDate) -> String {
    format!("DAY#{photographer}#{date}")
}

impl BookingItem {
    fn new(b: &Booking) -> BookingItem {
        let pending = b.status == BookingStatus::Pending;
        BookingItem {
            pk: booking_key(b.id),
            sk: BOOKING_SK.into(),
            entity: "booking".into(),
            gsi1pk: client_partition(b.client_id),
            gsi1sk: start_key(b),
            gsi2pk: photographer_partition(b.photographer_id),
            gsi2sk: start_key(b),
            gsi3pk: ALL_BOOKINGS.into(),
            gsi3sk: start_key(b),
            gsi4pk: pending.then(|| PENDING.to_string()),
            gsi4sk: pending.then(|| format!("{}#{}", b.expires_at.format("%Y-%m-%dT%H:%M:%SZ"), b.id)),
            booking: b.clone(),
        }
    }
}

/// A stored answer to an `Idempotency-Key`d request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdempotentResponse {
    pub request_hash: String,
    pub status: u16,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

pub const IDEMPOTENCY_TTL_HOURS: i64 = 24;

fn idempotency_key(owner: UserId, key: &str) -> String {
    format!("IDEMPOTENCY#{owner}#{key}")
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
    Store(StoreError),
}

impl From<StoreError> for BookingWriteError {
    fn from(e: StoreError) -> Self {
        BookingWriteError::Store(e)
    }
}

/// How long lock blocks outlive their time: long enough that nothing can book a past
/// block, short enough that the table does not grow without bound.
const SLOT_RETENTION_DAYS: i64 = 7;

impl Store {
    fn slot_put(&self, b: &Booking, block: i64) -> Result<TransactWriteItem, StoreError> {
        let mut item = key(slot_key(b.photographer_id, block), "SLOT");
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
    /// someone else's slot.
    fn slot_delete(&self, b: &Booking, block: i64) -> Result<TransactWriteItem, StoreError> {
        let del = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(slot_key(b.photographer_id, block), "SLOT")))
            .condition_expression("booking_id = :b")
            .expression_attribute_values(":b", s(b.id.to_string()))
            .build()
            .map_err(build_err)?;
        Ok(TransactWriteItem::builder().delete(del).build())
    }

    fn day_count(
        &self,
        b: &Booking,
        date: NaiveDate,
        delta: i64,
        max: Option<u32>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut up = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(day_key(b.photographer_id, date), "DAY")))
            .update_expression("ADD #c :d SET entity = :e")
            .expression_attribute_names("#c", "count")
            .expression_attribute_values(":d", AttributeValue::N(delta.to_string()))
            .expression_attribute_values(":e", s("day_count"));
        if let (Some(max), true) = (max, delta > 0) {
            up = up
                .condition_expression("attribute_not_exists(#c) OR #c < :max")
                .expression_attribute_values(":max", AttributeValue::N(max.to_string()));
        }
        Ok(TransactWriteItem::builder().update(up.build().map_err(build_err)?).build())
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

    /// Writes a new booking with its lock blocks and day count, and the idempotent
    /// answer if the request carried a key, all or nothing.
    pub async fn create_booking(
        &self,
        b: &Booking,
        max_per_day: Option<u32>,
        idempotency: Option<(&str, &IdempotentResponse)>,
    ) -> Result<(), BookingWriteError> {
        let mut ops = vec![self.booking_put(b, None)?, self.day_count(b, b.local_date, 1, max_per_day)?];
        if let Some((k, resp)) = idempotency {
            let mut item = to_item(resp)?;
            item.extend(key(idempotency_key(b.client_id, k), "IDEMPOTENCY"));
            item.insert("entity".into(), s("idempotency"));
            item.insert(
                "ttl".into(),
                AttributeValue::N((resp.created_at.timestamp() + IDEMPOTENCY_TTL_HOURS * 3600).to_string()),
            );
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .map_err(build_err)?;
            ops.push(TransactWriteItem::builder().put(put).build());
        }
        let first_block = ops.len();
        for &block in &b.lock_blocks {
            ops.push(self.slot_put(b, block)?);
        }
        match self.client.transact_write_items().set_transact_items(Some(ops)).send().await.map_err(from_transaction) {
            Ok(_) => Ok(()),
            Err(StoreError::ConditionFailed { failed_items }) => {
                Err(classify(&failed_items, first_block, idempotency.is_some()))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn get_idempotent_response(
        &self,
        owner: UserId,
        k: &str,
    ) -> Result<Option<IdempotentResponse>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(idempotency_key(owner, k), "IDEMPOTENCY")))
            .consistent_read(true)
            .send()
            .await
            .map_err(from_sdk)?;
        out.item.map(from_item).transpose()
    }

    pub async fn get_booking(&self, id: BookingId) -> Result<Option<Booking>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(booking_key(id), BOOKING_SK)))
            .consistent_read(true)
            .send()
            .await
            .map_err(from_sdk)?;
        out.item.map(|i| from_item::<BookingItem>(i).map(|b| b.booking)).transpose()
    }

    /// Replaces `old` with `new` if nobody changed it meanwhile. When `new` no longer
    /// holds its slot, the blocks and the day count are released in the same step.
    pub async fn update_booking_status(&self, old: &Booking, new: &Booking) -> Result<(), BookingWriteError> {
        let mut ops = vec![self.booking_put(new, Some(old))?];
        if !old.lock_blocks.is_empty() && new.lock_blocks.is_empty() {
            ops.push(self.day_count(old, old.local_date, -1, None)?);
            for &block in &old.lock_blocks {
                ops.push(self.slot_delete(old, block)?);
            }
        }
        match self.client.transact_write_items().set_transact_items(Some(ops)).send().await.map_err(from_transaction) {
            Ok(_) => Ok(()),
            Err(StoreError::ConditionFailed { .. }) => Err(BookingWriteError::Stale),
            Err(e) => Err(e.into()),
        }
    }

    /// Moves a booking: takes the new blocks and frees the old ones in one transaction,
    /// so the move happens whole or not at all. Blocks in both stay untouched.
    pub async fn reschedule_booking(
        &self,
        old: &Booking,
        new: &Booking,
        max_per_day: Option<u32>,
    ) -> Result<(), BookingWriteError> {
        let mut ops = vec![self.booking_put(new, Some(old))?];
        let day_changes = old.local_date != new.local_date;
        if day_changes {
            ops.push(self.day_count(new, new.local_date, 1, max_per_day)?);
            ops.push(self.day_count(old, old.local_date, -1, None)?);
        }
        let first_block = ops.len();
        for &block in new.lock_blocks.iter().filter(|b| !old.lock_blocks.contains(b)) {
            ops.push(self.slot_put(new, block)?);
        }
        for &block in old.lock_blocks.iter().filter(|b| !new.lock_blocks.contains(b)) {
            ops.push(self.slot_delete(old, block)?);
        }
        match self.client.transact_write_items().set_transact_items(Some(ops)).send().await.map_err(from_transaction) {
            Ok(_) => Ok(()),
            Err(StoreError::ConditionFailed { failed_items }) => Err(if failed_items.contains(&0) {
                BookingWriteError::Stale
            } else if day_changes && failed_items.contains(&1) {
                BookingWriteError::DailyLimit
            } else if failed_items.iter().any(|&i| i >= first_block) {
                BookingWriteError::Overlap
            } else {
                BookingWriteError::Stale
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// Pending and confirmed bookings of a photographer starting in `[from, to)`.
    pub async fn slot_holding_bookings(
        &self,
        photographer: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Booking>, StoreError> {
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(keys::GSI2)
                .key_condition_expression("gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to")
                .filter_expression("#st IN (:p, :c)")
                .expression_attribute_names("#st", "status")
                .expression_attribute_values(":pk", s(photographer_partition(photographer)))
                .expression_attribute_values(":from", s(from.format("%Y-%m-%dT%H:%M:%SZ").to_string()))
                .expression_attribute_values(":to", s(to.format("%Y-%m-%dT%H:%M:%SZ").to_string()))
                .expression_attribute_values(":p", to_av(&BookingStatus::Pending)?)
                .expression_attribute_values(":c", to_av(&BookingStatus::Confirmed)?)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(from_sdk)?;
            for item in page.items.unwrap_or_default() {
                out.push(from_item::<BookingItem>(item)?.booking);
            }
            match page.last_evaluated_key {
                Some(k) => start = Some(k),
                None => return Ok(out),
            }
        }
    }

    /// A party's bookings (or everyone's, for admins) by start time, optionally of one
    /// status and within `[from, to)`.
    pub async fn list_bookings(
        &self,
        q: &BookingListQuery,
        after: Option<&PageKey>,
    ) -> Result<Page<Booking>, StoreError> {
        let (index, pk_attr, sk_attr, pk) = match q.party {
            Party::Client(id) => (keys::GSI1, "gsi1pk", "gsi1sk", client_partition(id)),
            Party::Photographer(id) => (keys::GSI2, "gsi2pk", "gsi2sk", photographer_partition(id)),
            Party::Everyone => (keys::GSI3, "gsi3pk", "gsi3sk", ALL_BOOKINGS.to_string()),
        };
        let from = q.from.map_or("0".to_string(), |f| f.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        // '~' sorts after every character a start key can hold.
        let to = q.to.map_or("~".to_string(), |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        let status = q.status.map(|st| to_av(&st)).transpose()?;
        let make = || {
            let req = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index)
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :to")
                .expression_attribute_names("#pk", pk_attr)
                .expression_attribute_names("#sk", sk_attr)
                .expression_attribute_values(":pk", s(&pk))
                .expression_attribute_values(":from", s(&from))
                .expression_attribute_values(":to", s(&to));
            match &status {
                Some(st) => req
                    .filter_expression("#st = :st")
                    .expression_attribute_names("#st", "status")
                    .expression_attribute_values(":st", st.clone()),
                None => req,
            }
        };
        crate::page::filtered_page(make, q.limit, after, &["pk", "sk", pk_attr, sk_attr], |i| {
            from_item::<BookingItem>(i).map(|b| b.booking)
        })
        .await
    }

    /// Pending bookings whose expiry is at or before `now`, oldest first.
    pub async fn pending_due(&self, now: DateTime<Utc>, limit: i32) -> Result<Vec<Booking>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("gsi4")
            .key_condition_expression("gsi4pk = :p AND gsi4sk <= :now")
            .expression_attribute_values(":p", s(PENDING))
            // '~' after the timestamp includes every id expiring exactly now.
            .expression_attribute_values(":now", s(format!("{}~", now.format("%Y-%m-%dT%H:%M:%SZ"))))
            .limit(limit)
            .send()
            .await
            .map_err(from_sdk)?;
        out.items.unwrap_or_default().into_iter().map(|i| from_item::<BookingItem>(i).map(|b| b.booking)).collect()
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
}

fn classify(failed: &[usize], first_block: usize, has_idempotency: bool) -> BookingWriteError {
    // A concurrent request with the same key took the same blocks too: it is the same
    // request, so its stored answer wins over "overlap".
    if has_idempotency && failed.contains(&2) {
        BookingWriteError::IdempotencyKeyTaken
    } else if failed.iter().any(|&i| i >= first_block) {
        BookingWriteError::Overlap
    } else if failed.contains(&1) {
        BookingWriteError::DailyLimit
    } else {
        // The booking id itself collided: a ULID collision, practically impossible.
        BookingWriteError::Store(StoreError::Unavailable("booking id collision".into()))
    }
}

fn build_err(e: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Unavailable(e.to_string())
}
