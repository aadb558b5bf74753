//! In-app notifications, in the chat table (`ChatTable`): the chat table's stream is
//! the one `deliver-chat` reads, so a notice kept here reaches the user's open sockets
//! by the same path as a chat message, and the booking table's stream stays as it is.
//!
//! Items (docs/data-model.md, "Chat table", N1–N3):
//! - `NOTICES#<user>` / `NOTICE#<id>`: one notice, newest last (the id is a ULID of the
//!   change's instant). Kept 90 days (`ttl`); reads ignore nothing by TTL because an
//!   expired notice is merely old, not wrong.
//! - `NOTICES#<user>` / `MARK`: how far the user has read everything (`read_upto`).

use crate::chat::ChatStore;
use crate::{Item, Read, StoreError, key, s};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, TimeDelta, Utc};
use cm_chat::notice::{MAX_UNREAD_COUNTED, MarkRead, Notice, NoticeId};
use cm_core::UserId;
use futures::{StreamExt, TryStreamExt};
use std::future::Future;

/// How long a notice is kept.
pub const RETENTION: TimeDelta = TimeDelta::days(90);
/// Reads and writes of one "mark these read" request in flight at once.
const AT_ONCE: usize = 10;

fn pk(user: UserId) -> String {
    format!("NOTICES#{user}")
}
fn notice_sk(id: NoticeId) -> String {
    format!("NOTICE#{id}")
}
const MARK_SK: &str = "MARK";

/// What a "mark read" request did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkOutcome {
    Marked,
    /// These ids are not the user's notices (or no longer kept); nothing was marked.
    Unknown(Vec<NoticeId>),
}

macro_rules! fut {
    ($t:ty) => { impl Future<Output = Result<$t, StoreError>> + Send };
}

pub trait Inbox: Send + Sync {
    /// Keeps a notice once: `false` when a delivery before this one already kept it.
    fn add_notice(&self, n: &Notice) -> fut!(bool);
    /// How far the user has read everything.
    fn notice_mark(&self, user: UserId) -> fut!(Option<NoticeId>);
    /// Newest first, strictly before `before`; `true` when older notices remain.
    fn notices(&self, user: UserId, before: Option<NoticeId>, limit: usize) -> fut!((Vec<Notice>, bool));
    /// Notices after `mark` not read on their own, counted up to the cap.
    fn unread_notices(&self, user: UserId, mark: Option<NoticeId>) -> fut!(u32);
    /// Marks notices read: all of them or none (every id must be the user's).
    fn mark_notices_read(&self, user: UserId, what: &MarkRead, now: DateTime<Utc>) -> fut!(MarkOutcome);
}

fn notice_of(mut item: Item) -> Result<Notice, StoreError> {
    for k in ["pk", "sk", "entity", "ttl"] {
        item.remove(k);
    }
    crate::from_item(item)
}

impl ChatStore {
    async fn exists(&self, user: UserId, id: NoticeId) -> Result<bool, StoreError> {
        Ok(self.db.get(pk(user), notice_sk(id), Read::Consistent).await?.is_some())
    }

    async fn read_one(&self, user: UserId, id: NoticeId, now: DateTime<Utc>) -> Result<(), StoreError> {
        let result = crate::retry::retrying(|| async {
            self.db
                .client
                .update_item()
                .table_name(&self.db.table)
                .set_key(Some(key(pk(user), notice_sk(id))))
                .update_expression("SET read_at = if_not_exists(read_at, :now)")
                // Never create a notice by reading it (one that expired meanwhile).
                .condition_expression("attribute_exists(pk)")
                .expression_attribute_values(":now", s(now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)))
                .send()
                .await
                .map_err(crate::error::from_sdk)
        })
        .await;
        match result {
            Ok(_) | Err(StoreError::ConditionFailed { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

impl Inbox for ChatStore {
    async fn add_notice(&self, n: &Notice) -> Result<bool, StoreError> {
        let mut item = crate::to_item(n)?;
        item.extend(key(pk(n.user_id), notice_sk(n.id)));
        item.insert("entity".into(), s("notice"));
        item.insert("ttl".into(), AttributeValue::N((n.created_at + RETENTION).timestamp().to_string()));
        let put = || async {
            self.db
                .client
                .put_item()
                .table_name(&self.db.table)
                .set_item(Some(item.clone()))
                .condition_expression("attribute_not_exists(pk)")
                .send()
                .await
                .map_err(crate::error::from_sdk)
        };
        crate::error::applied(crate::retry::retrying(put).await)
    }

    async fn notice_mark(&self, user: UserId) -> Result<Option<NoticeId>, StoreError> {
        let item = self.db.get(pk(user), MARK_SK, Read::Consistent).await?;
        Ok(item.and_then(|i| i.get("read_upto")?.as_s().ok()?.parse().ok()))
    }

    async fn notices(
        &self,
        user: UserId,
        before: Option<NoticeId>,
        limit: usize,
    ) -> Result<(Vec<Notice>, bool), StoreError> {
        let hi = before.map(notice_sk).unwrap_or_else(|| "NOTICE#~".into());
        let (items, more) =
            crate::page::newest_first(&self.db, &pk(user), "NOTICE#", &hi, before.is_some(), limit).await?;
        let notices = items.into_iter().map(notice_of).collect::<Result<Vec<_>, _>>()?;
        Ok((notices, more))
    }

    async fn unread_notices(&self, user: UserId, mark: Option<NoticeId>) -> Result<u32, StoreError> {
        // ULID text is Crockford base32, so "<id>0" sorts after the id itself and before
        // every later id; '~' sorts after every id.
        let lo = mark.map_or_else(|| "NOTICE#".to_string(), |m| format!("{}0", notice_sk(m)));
        let filter = ("attribute_not_exists(read_at)", Vec::new());
        crate::page::count_up_to(&self.db, &pk(user), (&lo, "NOTICE#~"), filter, MAX_UNREAD_COUNTED).await
    }

    async fn mark_notices_read(
        &self,
        user: UserId,
        what: &MarkRead,
        now: DateTime<Utc>,
    ) -> Result<MarkOutcome, StoreError> {
        match what {
            MarkRead::UpTo(id) => {
                if !self.exists(user, *id).await? {
                    return Ok(MarkOutcome::Unknown(vec![*id]));
                }
                let result = crate::retry::retrying(|| async {
                    self.db
                        .client
                        .update_item()
                        .table_name(&self.db.table)
                        .set_key(Some(key(pk(user), MARK_SK)))
                        .update_expression("SET read_upto = :id, entity = :e")
                        // The mark never moves back: two tabs marking at once leave the later.
                        .condition_expression("attribute_not_exists(read_upto) OR read_upto < :id")
                        .expression_attribute_values(":id", s(id.to_string()))
                        .expression_attribute_values(":e", s("notice_mark"))
                        .send()
                        .await
                        .map_err(crate::error::from_sdk)
                })
                .await;
                match result {
                    Ok(_) | Err(StoreError::ConditionFailed { .. }) => Ok(MarkOutcome::Marked),
                    Err(e) => Err(e),
                }
            }
            MarkRead::Ids(ids) => {
                // Every id is checked before any is marked, so a request naming a
                // stranger's notice changes nothing.
                let found: Vec<(NoticeId, bool)> = futures::stream::iter(ids.iter().copied())
                    .map(|id| async move { Ok::<_, StoreError>((id, self.exists(user, id).await?)) })
                    .buffered(AT_ONCE)
                    .try_collect()
                    .await?;
                let unknown: Vec<NoticeId> = found.iter().filter(|(_, ok)| !ok).map(|(id, _)| *id).collect();
                if !unknown.is_empty() {
                    return Ok(MarkOutcome::Unknown(unknown));
                }
                futures::stream::iter(ids.iter().copied())
                    .map(|id| self.read_one(user, id, now))
                    .buffer_unordered(AT_ONCE)
                    .try_collect::<Vec<()>>()
                    .await?;
                Ok(MarkOutcome::Marked)
            }
        }
    }
}

/// The notice of one chat-table stream record, as the fan-out reads it.
pub fn from_stream(image: &Item) -> Option<Notice> {
    if image.get("entity")?.as_s().ok()? != "notice" {
        return None;
    }
    notice_of(image.clone()).ok()
}

/// What a chat-table stream record says a user has read of their notifications: the
/// mark that moved (`NOTICES#u/MARK`), or one notice read on its own.
pub fn read_from_stream(old: Option<&Item>, new: &Item) -> Option<(UserId, Option<NoticeId>, Vec<NoticeId>)> {
    let text = |i: &Item, k: &str| i.get(k).and_then(|v| v.as_s().ok()).cloned();
    match text(new, "entity")?.as_str() {
        "notice_mark" => {
            let user = text(new, "pk")?.strip_prefix("NOTICES#")?.parse().ok()?;
            let upto: NoticeId = text(new, "read_upto")?.parse().ok()?;
            let before = old.and_then(|o| text(o, "read_upto"));
            (before.as_deref() != Some(upto.to_string().as_str())).then_some((user, Some(upto), Vec::new()))
        }
        "notice" => {
            let was_read = old.is_some_and(|o| o.contains_key("read_at"));
            if was_read || !new.contains_key("read_at") {
                return None;
            }
            let notice = from_stream(new)?;
            Some((notice.user_id, None, vec![notice.id]))
        }
        _ => None,
    }
}
