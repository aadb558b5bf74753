//! Chat attachments, in the chat table beside the room's messages.
//!
//! Items (docs/data-model.md, "Chat table", A1–A2):
//! - `ROOM#<booking>` / `ATTACH#<id>`: one attachment (`cm_chat::Attachment`). While it
//!   is in no message it carries a `ttl` ([`cm_chat::attachment::UNSENT_RETENTION`]
//!   after its ticket), so abandoned drafts are forgotten; the message's transaction
//!   sets `message_id` and removes the `ttl`. DynamoDB deletes expired items only
//!   within days, so reads also ignore a draft past its `ttl`.
//! - `ROOM#<booking>` / `ATTACHMENTS`: the room's quota counters (`count`, `bytes`),
//!   moved in the same transaction as each new attachment, so concurrent tickets
//!   cannot overshoot them.
//!
//! The chat stream's filter admits an attachment's changes (deliver-chat tells the
//! uploader when processing settles it) and its removal by TTL (deliver-chat deletes
//! an abandoned draft's objects); the counters never pass it.

use crate::chat::ChatStore;
use crate::{Item, Read, StoreError, build_err, key, s};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use cm_chat::attachment::{Attachment, AttachmentId, MAX_PER_ROOM, MAX_ROOM_BYTES};
use cm_core::BookingId;
use cm_media::ItemStatus;
use std::future::Future;

pub(crate) fn room_pk(booking: BookingId) -> String {
    format!("ROOM#{booking}")
}
pub(crate) fn attachment_sk(id: AttachmentId) -> String {
    format!("ATTACH#{id}")
}
const COUNTERS_SK: &str = "ATTACHMENTS";

/// What asking for a new attachment came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admitted {
    Added,
    /// The room has used its quota: `count` attachments, `bytes` announced.
    Full {
        count: u32,
        bytes: u64,
    },
}

macro_rules! fut {
    ($t:ty) => { impl Future<Output = Result<$t, StoreError>> + Send };
}

pub trait Attachments: Send + Sync {
    /// Keeps a new (pending) attachment if the room's quota allows it.
    fn add_attachment(&self, a: &Attachment) -> fut!(Admitted);
    /// The attachment, unless it is an unsent draft already past its retention.
    fn attachment(&self, booking: BookingId, id: AttachmentId, now: DateTime<Utc>) -> fut!(Option<Attachment>);
    /// Writes `next` over `current` if nothing changed it since it was read.
    fn replace_attachment(&self, current: &Attachment, next: &Attachment) -> fut!(bool);
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn attachment_item(a: &Attachment) -> Result<Item, StoreError> {
    let mut item = crate::to_item(a)?;
    // Absent rather than NULL, so that conditions can say `attribute_not_exists`.
    item.retain(|_, v| !matches!(v, AttributeValue::Null(_)));
    item.extend(key(room_pk(a.booking_id), attachment_sk(a.id)));
    item.insert("entity".into(), s("attachment"));
    if a.message_id.is_none() {
        item.insert("ttl".into(), n(a.forgotten_at().timestamp()));
    }
    Ok(item)
}

fn attachment_of(item: Item, now: DateTime<Utc>) -> Result<Option<Attachment>, StoreError> {
    let expired = item
        .get("ttl")
        .and_then(|v| v.as_n().ok())
        .and_then(|t| t.parse::<i64>().ok())
        .is_some_and(|t| t <= now.timestamp());
    if expired {
        return Ok(None);
    }
    decode(item).map(Some)
}

fn decode(mut item: Item) -> Result<Attachment, StoreError> {
    for k in ["pk", "sk", "entity", "ttl"] {
        item.remove(k);
    }
    crate::from_item(item)
}

/// Attachments in the chat table's stream, as deliver-chat reads them.
pub mod stream {
    use super::*;

    fn attachment(image: &Item) -> Option<Attachment> {
        (image.get("entity")?.as_s().ok()? == "attachment").then(|| decode(image.clone()).ok())?
    }

    /// The attachment processing has just settled (`ready` or `rejected`).
    pub fn settled(old: Option<&Item>, new: &Item) -> Option<Attachment> {
        let before = attachment(old?)?;
        let now = attachment(new)?;
        (before.status == ItemStatus::Pending && now.status != ItemStatus::Pending).then_some(now)
    }

    /// A draft DynamoDB's TTL removed (never sent; a sent attachment has no `ttl`).
    pub fn forgotten_draft(old: &Item) -> Option<Attachment> {
        attachment(old).filter(|a| a.message_id.is_none())
    }
}

/// The transaction step that puts `attachment` into `message` (`cm_store::chat`): the
/// sender's own ready attachment of that room, not yet in any message, and no longer
/// subject to its draft TTL.
pub(crate) fn attach_update(
    table: &str,
    booking: BookingId,
    attachment: AttachmentId,
    sender: cm_core::UserId,
    message: cm_chat::MessageId,
) -> Result<Update, StoreError> {
    Update::builder()
        .table_name(table)
        .set_key(Some(key(room_pk(booking), attachment_sk(attachment))))
        .update_expression("SET message_id = :m REMOVE #ttl")
        .condition_expression(
            "attribute_exists(pk) AND #status = :ready AND uploader_id = :u AND attribute_not_exists(message_id)",
        )
        .expression_attribute_names("#ttl", "ttl")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":m", s(message.to_string()))
        .expression_attribute_values(":ready", s("ready"))
        .expression_attribute_values(":u", s(sender.to_string()))
        .build()
        .map_err(build_err)
}

impl Attachments for ChatStore {
    async fn add_attachment(&self, a: &Attachment) -> Result<Admitted, StoreError> {
        let table = &self.db.table;
        let put = Put::builder()
            .table_name(table)
            .set_item(Some(attachment_item(a)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build_err)?;
        let bytes = i64::try_from(a.declared_bytes).unwrap_or(i64::MAX);
        let counters = Update::builder()
            .table_name(table)
            .set_key(Some(key(room_pk(a.booking_id), COUNTERS_SK)))
            .update_expression("SET entity = :e ADD #count :one, bytes :b")
            .condition_expression("attribute_not_exists(#count) OR (#count < :max_count AND bytes <= :max_before)")
            .expression_attribute_names("#count", "count")
            .expression_attribute_values(":e", s("attachment_counters"))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":b", n(bytes))
            .expression_attribute_values(":max_count", n(i64::from(MAX_PER_ROOM)))
            .expression_attribute_values(":max_before", n(i64::try_from(MAX_ROOM_BYTES).unwrap_or(i64::MAX) - bytes))
            .build()
            .map_err(build_err)?;
        let ops =
            vec![TransactWriteItem::builder().put(put).build(), TransactWriteItem::builder().update(counters).build()];
        match self.db.transact(ops).await {
            Ok(()) => Ok(Admitted::Added),
            Err(StoreError::ConditionFailed { failed_items }) if failed_items == [1] => {
                let item = self.db.get(room_pk(a.booking_id), COUNTERS_SK, Read::Consistent).await?;
                let number =
                    |name: &str| item.as_ref().and_then(|i| i.get(name)?.as_n().ok()?.parse::<u64>().ok()).unwrap_or(0);
                Ok(Admitted::Full { count: u32::try_from(number("count")).unwrap_or(u32::MAX), bytes: number("bytes") })
            }
            // The id is new (a ULID made for this ticket): a clash is not an answer.
            Err(e) => Err(e),
        }
    }

    async fn attachment(
        &self,
        booking: BookingId,
        id: AttachmentId,
        now: DateTime<Utc>,
    ) -> Result<Option<Attachment>, StoreError> {
        match self.db.get(room_pk(booking), attachment_sk(id), Read::Consistent).await? {
            Some(item) => attachment_of(item, now),
            None => Ok(None),
        }
    }

    async fn replace_attachment(&self, current: &Attachment, next: &Attachment) -> Result<bool, StoreError> {
        let item = attachment_item(next)?;
        let put = || async {
            self.db
                .client
                .put_item()
                .table_name(&self.db.table)
                .set_item(Some(item.clone()))
                .condition_expression("version = :v")
                .expression_attribute_values(":v", n(i64::try_from(current.version).unwrap_or(i64::MAX)))
                .send()
                .await
                .map_err(crate::error::from_sdk)
        };
        crate::error::applied(crate::retry::retrying(put).await)
    }
}
