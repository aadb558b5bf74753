//! Chat storage, in its own table (`ChatTable` in template.yaml): WebSocket connections
//! come and go by the second and messages outnumber bookings by far, so they stay off
//! the booking table's stream and its three consumers. The chat table's own stream
//! feeds one consumer, `deliver-chat`, which pushes each new message and read receipt to
//! the participants' sockets.
//!
//! Items (docs/data-model.md, "Chat table"):
//! - `CONN#<connection>` / `CONN`: one open socket: its user, when it opened, its rate
//!   windows, and `ttl` (API Gateway closes a socket after 2 hours, so a connection whose
//!   `$disconnect` was lost expires). DynamoDB deletes expired items only within days, so
//!   every read also ignores items past their `ttl`. `gsi1`: `USER#<user>#CONNS`, all of
//!   a user's sockets (tabs, phone).
//! - `ROOM#<booking>` / `MSG#<message id>`: a message, ordered by its ULID, with both
//!   participants (so the fan-out needs no other read).
//! - `ROOM#<booking>` / `ATTACH#<id>`, `ATTACHMENTS`: files shared in the room and the
//!   room's quota (`attachments.rs`); a message with an attachment claims it in the
//!   message's own transaction.
//! - `ROOM#<booking>` / `SENT#<sender>#<client id>`: the client's de-duplication id,
//!   written in the message's transaction; a retried send finds it and answers with the
//!   stored message. Kept 7 days.
//! - `MEMBER#<user>` / `ROOM#<booking>`: the user's view of the room: the other party,
//!   the last message, how many messages from the other side are unread, and how far the
//!   user has read. `gsi1`: `MEMBER#<user>#ROOMS` by last activity, for `GET /chats`.

use crate::page::PageKey;
use crate::{DynamoStore, Item, Page, Read, StoreError, build_err, key, s};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use chrono::{DateTime, TimeDelta, Utc};
use cm_chat::rate::{self, Decision, Policy, Window};
use cm_chat::{Message, MessageId, Room};
use cm_core::{BookingId, UserId};
use std::collections::HashMap;
use std::future::Future;

/// API Gateway's limit on a connection's life, plus a margin for clock skew.
pub const CONNECTION_LIFETIME: TimeDelta = TimeDelta::minutes(125);
/// How long a client's message id de-duplicates retries.
pub const DEDUP_RETENTION: TimeDelta = TimeDelta::days(7);
/// Unread counts stop at this many; clients show "999+".
pub const MAX_UNREAD_COUNTED: u32 = 999;
const GSI1: &str = crate::keys::GSI1;

fn conn_pk(id: &str) -> String {
    format!("CONN#{id}")
}
const CONN_SK: &str = "CONN";
fn user_conns(user: UserId) -> String {
    format!("USER#{user}#CONNS")
}
fn room_pk(booking: BookingId) -> String {
    format!("ROOM#{booking}")
}
fn msg_sk(id: MessageId) -> String {
    format!("MSG#{id}")
}
fn sent_sk(sender: UserId, client_id: &str) -> String {
    format!("SENT#{sender}#{client_id}")
}
fn member_pk(user: UserId) -> String {
    format!("MEMBER#{user}")
}
fn member_sk(booking: BookingId) -> String {
    format!("ROOM#{booking}")
}
fn member_rooms(user: UserId) -> String {
    format!("MEMBER#{user}#ROOMS")
}

/// One open WebSocket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub id: String,
    pub user_id: UserId,
    pub admin: bool,
    pub connected_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub messages: Option<Window>,
    pub typing: Option<Window>,
}

/// What a connection's rate is counted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateKind {
    Messages,
    Typing,
}

impl RateKind {
    fn policy(self) -> Policy {
        match self {
            RateKind::Messages => rate::MESSAGES,
            RateKind::Typing => rate::TYPING,
        }
    }
    fn attrs(self) -> (&'static str, &'static str) {
        match self {
            RateKind::Messages => ("rate_msg_start", "rate_msg_count"),
            RateKind::Typing => ("rate_typing_start", "rate_typing_count"),
        }
    }
}

/// The outcome of a send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    Stored(Message),
    /// The sender had already sent this client id: the message as first stored.
    Duplicate(Message),
    /// The message's attachment is in another message already, or gone.
    AttachmentTaken,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marked {
    /// Messages from the other side after the new mark.
    Unread(u32),
    NoSuchMessage,
}

/// A user's view of one room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomSummary {
    pub booking_id: BookingId,
    pub user_id: UserId,
    pub other_id: UserId,
    /// Whether the other participant is the booking's photographer (then named by their
    /// public display name) or its client. `None` on a member item no message has
    /// touched since this was first written.
    pub other_is_photographer: Option<bool>,
    pub last_message: Option<LastMessage>,
    pub unread: u32,
    pub read_upto: Option<MessageId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastMessage {
    pub id: MessageId,
    pub sender_id: UserId,
    pub preview: String,
    pub sent_at: DateTime<Utc>,
}

macro_rules! fut {
    ($t:ty) => { impl Future<Output = Result<$t, StoreError>> + Send };
}

/// Open sockets and their rate windows.
pub trait Connections: Send + Sync {
    fn open_connection(&self, c: &Connection) -> fut!(());
    /// The connection, unless it is gone or past its lifetime.
    fn connection(&self, id: &str, now: DateTime<Utc>) -> fut!(Option<Connection>);
    fn close_connection(&self, id: &str) -> fut!(());
    /// Every live socket of a user (from an index: a socket opened a moment ago may be
    /// missing for a moment).
    fn connections_of(&self, user: UserId, now: DateTime<Utc>) -> fut!(Vec<Connection>);
    /// Counts one action against the connection's window, atomically.
    fn admit(&self, c: &Connection, kind: RateKind, now: DateTime<Utc>) -> fut!(Decision);
}

pub trait ChatWriter: Send + Sync {
    /// Stores a message once per (sender, client id), and updates both participants'
    /// rooms: the last message, and one more unread for the recipient.
    fn send_message(&self, room: &Room, message: &Message) -> fut!(Sent);
    /// Marks the room read by `user` up to `upto`; never moves the mark backwards.
    fn mark_read(&self, room: &Room, user: UserId, upto: MessageId) -> fut!(Marked);
}

pub trait ChatReader: Send + Sync {
    /// Newest first, strictly before `before`; `true` when older messages remain.
    fn messages(&self, booking: BookingId, before: Option<MessageId>, limit: usize) -> fut!((Vec<Message>, bool));
    /// Each participant's read mark (participants who never read are absent).
    fn read_marks(&self, room: &Room) -> fut!(HashMap<UserId, MessageId>);
    /// The user's rooms, latest activity first.
    fn rooms_of(&self, user: UserId, limit: usize, after: Option<&PageKey>) -> fut!(Page<RoomSummary>);
    fn room_of(&self, user: UserId, booking: BookingId) -> fut!(Option<RoomSummary>);
}

/// The chat table, through the real AWS SDK.
#[derive(Clone, Debug)]
pub struct ChatStore {
    pub(crate) db: DynamoStore,
}

impl ChatStore {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> ChatStore {
        ChatStore { db: DynamoStore::new(client, table) }
    }

    pub fn table(&self) -> &str {
        self.db.table()
    }

    fn put(&self, item: Item) -> aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder {
        self.db.client.put_item().table_name(&self.db.table).set_item(Some(item))
    }
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}
fn text(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}
fn number(item: &Item, name: &str) -> Option<i64> {
    item.get(name).and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok())
}
fn parsed<T: std::str::FromStr>(item: &Item, name: &str) -> Result<T, StoreError> {
    text(item, name)
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| StoreError::Corrupt(format!("chat item without {name}")))
}
fn instant(t: DateTime<Utc>) -> String {
    crate::keys::instant_micros(t)
}

fn window(item: &Item, kind: RateKind) -> Option<Window> {
    let (start, count) = kind.attrs();
    Some(Window { start: number(item, start)?, count: u32::try_from(number(item, count)?).ok()? })
}

fn connection_of(item: &Item) -> Result<Connection, StoreError> {
    let expires = number(item, "ttl").ok_or_else(|| StoreError::Corrupt("connection without ttl".into()))?;
    Ok(Connection {
        id: text(item, "connection_id").ok_or_else(|| StoreError::Corrupt("connection without id".into()))?,
        user_id: parsed(item, "user_id")?,
        admin: item.get("admin").and_then(|v| v.as_bool().ok()).copied().unwrap_or(false),
        connected_at: parsed(item, "connected_at")?,
        expires_at: DateTime::from_timestamp(expires, 0).unwrap_or_default(),
        messages: window(item, RateKind::Messages),
        typing: window(item, RateKind::Typing),
    })
}

fn message_item(m: &Message, room: &Room) -> Result<Item, StoreError> {
    let mut item = crate::to_item(m)?;
    item.retain(|_, v| !matches!(v, AttributeValue::Null(_)));
    item.extend(key(room_pk(m.booking_id), msg_sk(m.id)));
    item.insert("entity".into(), s("message"));
    item.insert("participants".into(), AttributeValue::Ss(room.participants().iter().map(|u| u.to_string()).collect()));
    Ok(item)
}

fn message_of(item: Item) -> Result<Message, StoreError> {
    crate::from_item(item)
}

fn last_of(item: &Item) -> Option<LastMessage> {
    let m = item.get("last_message")?.as_m().ok()?;
    Some(LastMessage {
        id: text(m, "id")?.parse().ok()?,
        sender_id: text(m, "sender_id")?.parse().ok()?,
        preview: text(m, "preview")?,
        sent_at: text(m, "sent_at")?.parse().ok()?,
    })
}

/// A member item's `other_role`: which side of the booking the other participant is on.
const OTHER_PHOTOGRAPHER: &str = "photographer";
const OTHER_CLIENT: &str = "client";

fn summary_of(item: &Item) -> Result<RoomSummary, StoreError> {
    Ok(RoomSummary {
        booking_id: parsed(item, "booking_id")?,
        user_id: parsed(item, "user_id")?,
        other_id: parsed(item, "other_id")?,
        other_is_photographer: text(item, "other_role").map(|r| r == OTHER_PHOTOGRAPHER),
        last_message: last_of(item),
        // Each message adds one; only a recount caps the stored number, so cap it here too.
        unread: u32::try_from(number(item, "unread").unwrap_or(0).clamp(0, i64::from(MAX_UNREAD_COUNTED))).unwrap_or(0),
        read_upto: text(item, "read_upto").and_then(|t| t.parse().ok()),
    })
}

impl Connections for ChatStore {
    async fn open_connection(&self, c: &Connection) -> Result<(), StoreError> {
        let mut item = key(conn_pk(&c.id), CONN_SK);
        item.insert("entity".into(), s("connection"));
        item.insert("connection_id".into(), s(&c.id));
        item.insert("user_id".into(), s(c.user_id.to_string()));
        item.insert("admin".into(), AttributeValue::Bool(c.admin));
        item.insert("connected_at".into(), s(instant(c.connected_at)));
        item.insert("ttl".into(), n(c.expires_at.timestamp()));
        item.insert("gsi1pk".into(), s(user_conns(c.user_id)));
        item.insert("gsi1sk".into(), s(format!("{}#{}", instant(c.connected_at), c.id)));
        self.put(item).send().await.map_err(crate::error::from_sdk)?;
        Ok(())
    }

    async fn connection(&self, id: &str, now: DateTime<Utc>) -> Result<Option<Connection>, StoreError> {
        let Some(item) = self.db.get(conn_pk(id), CONN_SK, Read::Consistent).await? else { return Ok(None) };
        let c = connection_of(&item)?;
        Ok((c.expires_at > now).then_some(c))
    }

    async fn close_connection(&self, id: &str) -> Result<(), StoreError> {
        self.db
            .client
            .delete_item()
            .table_name(&self.db.table)
            .set_key(Some(key(conn_pk(id), CONN_SK)))
            .send()
            .await
            .map_err(crate::error::from_sdk)?;
        Ok(())
    }

    async fn connections_of(&self, user: UserId, now: DateTime<Utc>) -> Result<Vec<Connection>, StoreError> {
        let pk = user_conns(user);
        let items = crate::page::query_all(|| {
            self.db
                .client
                .query()
                .table_name(&self.db.table)
                .index_name(GSI1)
                .key_condition_expression("gsi1pk = :p")
                .expression_attribute_values(":p", s(&pk))
        })
        .await?;
        let mut out = Vec::new();
        for item in &items {
            let c = connection_of(item)?;
            if c.expires_at > now {
                out.push(c);
            }
        }
        Ok(out)
    }

    async fn admit(&self, c: &Connection, kind: RateKind, now: DateTime<Utc>) -> Result<Decision, StoreError> {
        let (start_attr, count_attr) = kind.attrs();
        let mut current = match kind {
            RateKind::Messages => c.messages,
            RateKind::Typing => c.typing,
        };
        // Optimistic: compute the next window from what was read, write it only if
        // nobody moved it meanwhile, re-read and decide again if somebody did.
        for _ in 0..8 {
            let next = match rate::admit(current, now.timestamp(), kind.policy()) {
                Decision::Admit(w) => w,
                refused => return Ok(refused),
            };
            let update = self
                .db
                .client
                .update_item()
                .table_name(&self.db.table)
                .set_key(Some(key(conn_pk(&c.id), CONN_SK)))
                .update_expression("SET #s = :s, #c = :c")
                .expression_attribute_names("#s", start_attr)
                .expression_attribute_names("#c", count_attr)
                .expression_attribute_values(":s", n(next.start))
                .expression_attribute_values(":c", n(i64::from(next.count)));
            let update = match current {
                Some(w) => update
                    .condition_expression("attribute_exists(pk) AND #s = :os AND #c = :oc")
                    .expression_attribute_values(":os", n(w.start))
                    .expression_attribute_values(":oc", n(i64::from(w.count))),
                None => update.condition_expression("attribute_exists(pk) AND attribute_not_exists(#s)"),
            };
            match update.send().await.map_err(crate::error::from_sdk) {
                Ok(_) => return Ok(Decision::Admit(next)),
                Err(e) if e.is_transient() => tokio::time::sleep(crate::retry::backoff(1)).await,
                Err(StoreError::ConditionFailed { .. }) => {
                    let Some(item) = self.db.get(conn_pk(&c.id), CONN_SK, Read::Consistent).await? else {
                        // The socket closed meanwhile: nothing to send from.
                        return Ok(Decision::Refuse { retry_after_secs: kind.policy().window_secs });
                    };
                    current = window(&item, kind);
                }
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Contended(format!("rate window of connection {} kept moving", c.id)))
    }
}

impl ChatStore {
    /// One member's side of a new message. `with_last`: the message becomes the room's
    /// last for them (only over an older one). `count`: for the recipient, the message
    /// adds to their unread count, only while their read mark is before it: a message
    /// that commits after a mark already past its id (ids are made before the commit)
    /// is read by position and must not count.
    fn member_update(
        &self,
        room: &Room,
        user: UserId,
        m: &Message,
        with_last: bool,
        count: bool,
    ) -> Result<Update, StoreError> {
        let other = room.other(user).ok_or_else(|| StoreError::Corrupt("member outside the room".into()))?;
        let counts = user != m.sender_id && count;
        let mut sets = vec![
            "entity = :room",
            "booking_id = :b",
            "user_id = :u",
            "other_id = :o",
            "other_role = :r",
            "gsi1pk = if_not_exists(gsi1pk, :g)",
        ];
        if with_last {
            sets.extend(["last_message = :lm", "last_id = :id", "gsi1pk = :g", "gsi1sk = :gs"]);
            sets.retain(|s| *s != "gsi1pk = if_not_exists(gsi1pk, :g)");
        }
        let mut expr = format!("SET {}", sets.join(", "));
        if counts {
            expr.push_str(" ADD unread :one");
        } else {
            expr = expr.replacen("SET ", "SET unread = if_not_exists(unread, :zero), ", 1);
        }
        let mut u = Update::builder()
            .table_name(&self.db.table)
            .set_key(Some(key(member_pk(user), member_sk(room.booking_id))))
            .update_expression(expr)
            .expression_attribute_values(":room", s("room"))
            .expression_attribute_values(":b", s(room.booking_id.to_string()))
            .expression_attribute_values(":u", s(user.to_string()))
            .expression_attribute_values(":o", s(other.to_string()))
            .expression_attribute_values(
                ":r",
                s(if other == room.photographer { OTHER_PHOTOGRAPHER } else { OTHER_CLIENT }),
            )
            .expression_attribute_values(":g", s(member_rooms(user)));
        u = if counts {
            u.expression_attribute_values(":one", n(1))
        } else {
            u.expression_attribute_values(":zero", n(0))
        };
        let mut conditions = Vec::new();
        if with_last {
            let last = HashMap::from([
                ("id".to_string(), s(m.id.to_string())),
                ("sender_id".to_string(), s(m.sender_id.to_string())),
                ("preview".to_string(), s(m.preview())),
                // The message's own instant, to the nanosecond: clients match it with the
                // history's. (The index key below is cut to microseconds for fixed width.)
                ("sent_at".to_string(), s(m.sent_at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))),
            ]);
            // Two messages committing out of order must not leave the older one as
            // the room's last: the update applies only over an older last message.
            u = u
                .expression_attribute_values(":lm", AttributeValue::M(last))
                .expression_attribute_values(":gs", s(format!("{}#{}", instant(m.sent_at), room.booking_id)));
            conditions.push("(attribute_not_exists(last_id) OR last_id < :id)");
        }
        if counts {
            conditions.push("(attribute_not_exists(read_upto) OR read_upto < :id)");
        }
        if !conditions.is_empty() {
            u = u
                .expression_attribute_values(":id", s(m.id.to_string()))
                .condition_expression(conditions.join(" AND "));
        }
        u.build().map_err(build_err)
    }

    /// After a member's condition failed: whether the message is still newer than their
    /// last message, and newer than their read mark.
    async fn member_state(&self, room: &Room, user: UserId, m: &Message) -> Result<(bool, bool), StoreError> {
        let item = self.db.get(member_pk(user), member_sk(room.booking_id), Read::Consistent).await?;
        let Some(item) = item else { return Ok((true, true)) };
        let newer = |attr: &str| text(&item, attr).and_then(|t| t.parse::<MessageId>().ok()).is_none_or(|id| id < m.id);
        Ok((newer("last_id"), newer("read_upto")))
    }

    async fn sent_before(
        &self,
        booking: BookingId,
        sender: UserId,
        client_id: &str,
    ) -> Result<Option<Message>, StoreError> {
        let Some(marker) = self.db.get(room_pk(booking), sent_sk(sender, client_id), Read::Consistent).await? else {
            return Ok(None);
        };
        let id: MessageId = parsed(&marker, "message_id")?;
        let item = self.db.get(room_pk(booking), msg_sk(id), Read::Consistent).await?;
        item.map(message_of).transpose()
    }

    /// Messages from others after `after` in the room, counted up to the cap.
    async fn unread_after(&self, room: &Room, user: UserId, after: MessageId) -> Result<u32, StoreError> {
        // ULID text is Crockford base32, so "<id>0" sorts after the id itself and
        // before every later id; '~' sorts after every id.
        let lo = format!("{}0", msg_sk(after));
        let filter = ("sender_id <> :me", vec![(":me", s(user.to_string()))]);
        crate::page::count_up_to(&self.db, &room_pk(room.booking_id), (&lo, "MSG#~"), filter, MAX_UNREAD_COUNTED).await
    }
}

impl ChatWriter for ChatStore {
    async fn send_message(&self, room: &Room, m: &Message) -> Result<Sent, StoreError> {
        let table = &self.db.table;
        let mut marker = key(room_pk(m.booking_id), sent_sk(m.sender_id, &m.client_id));
        marker.insert("entity".into(), s("sent"));
        marker.insert("message_id".into(), s(m.id.to_string()));
        marker.insert("ttl".into(), n((m.sent_at + DEDUP_RETENTION).timestamp()));
        let marker = Put::builder()
            .table_name(table)
            .set_item(Some(marker))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build_err)?;
        let message = Put::builder()
            .table_name(table)
            .set_item(Some(message_item(m, room)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build_err)?;
        let attach = m
            .attachment
            .as_ref()
            .map(|a| crate::attachments::attach_update(table, m.booking_id, a.id, m.sender_id, m.id))
            .transpose()?;
        let members = room.participants();
        let mut with_last = [true, true];
        let mut count = [true, true];
        for _ in 0..4 {
            let mut ops = vec![
                TransactWriteItem::builder().put(marker.clone()).build(),
                TransactWriteItem::builder().put(message.clone()).build(),
            ];
            for (i, user) in members.iter().enumerate() {
                let update = self.member_update(room, *user, m, with_last[i], count[i])?;
                ops.push(TransactWriteItem::builder().update(update).build());
            }
            if let Some(attach) = &attach {
                ops.push(TransactWriteItem::builder().update(attach.clone()).build());
            }
            match self.db.transact(ops).await {
                Ok(()) => return Ok(Sent::Stored(m.clone())),
                Err(StoreError::ConditionFailed { failed_items }) if failed_items.contains(&0) => {
                    return match self.sent_before(m.booking_id, m.sender_id, &m.client_id).await? {
                        Some(first) => Ok(Sent::Duplicate(first)),
                        None => Err(StoreError::Corrupt("a sent marker without its message".into())),
                    };
                }
                // Another message took the attachment (or its draft expired) since the
                // sender's read: nothing was stored.
                Err(StoreError::ConditionFailed { failed_items }) if failed_items.contains(&4) => {
                    return Ok(Sent::AttachmentTaken);
                }
                // A newer message is already that member's last, or their read mark is
                // already past this one: store it without making it the last, or
                // without counting it unread.
                Err(StoreError::ConditionFailed { failed_items })
                    if failed_items.iter().all(|i| *i == 2 || *i == 3) =>
                {
                    for i in failed_items {
                        let (newer_than_last, newer_than_mark) = self.member_state(room, members[i - 2], m).await?;
                        with_last[i - 2] &= newer_than_last;
                        count[i - 2] &= newer_than_mark;
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Contended("the room's last message kept changing".into()))
    }

    async fn mark_read(&self, room: &Room, user: UserId, upto: MessageId) -> Result<Marked, StoreError> {
        if self.db.get(room_pk(room.booking_id), msg_sk(upto), Read::Consistent).await?.is_none() {
            return Ok(Marked::NoSuchMessage);
        }
        for _ in 0..8 {
            let Some(item) = self.db.get(member_pk(user), member_sk(room.booking_id), Read::Consistent).await? else {
                // A room with a message has both members (same transaction).
                return Err(StoreError::Corrupt("a room message without its members".into()));
            };
            let current = summary_of(&item)?;
            let unread_now = number(&item, "unread");
            if current.read_upto.is_some_and(|r| r >= upto) {
                return Ok(Marked::Unread(current.unread));
            }
            let remaining = self.unread_after(room, user, upto).await?;
            // Conditional on the mark and the count read: a message arriving in between
            // changes the count, and the mark is recounted rather than overwritten.
            let mut update = self
                .db
                .client
                .update_item()
                .table_name(&self.db.table)
                .set_key(Some(key(member_pk(user), member_sk(room.booking_id))))
                .update_expression("SET read_upto = :m, unread = :n")
                .expression_attribute_values(":m", s(upto.to_string()))
                .expression_attribute_values(":n", n(i64::from(remaining)));
            let mut conditions = Vec::new();
            match current.read_upto {
                Some(r) => {
                    conditions.push("read_upto = :old");
                    update = update.expression_attribute_values(":old", s(r.to_string()));
                }
                None => conditions.push("attribute_not_exists(read_upto)"),
            }
            match unread_now {
                Some(u) => {
                    conditions.push("unread = :was");
                    update = update.expression_attribute_values(":was", n(u));
                }
                None => conditions.push("attribute_not_exists(unread)"),
            }
            match update.condition_expression(conditions.join(" AND ")).send().await.map_err(crate::error::from_sdk) {
                Ok(_) => return Ok(Marked::Unread(remaining)),
                // Moved meanwhile, or held by a send's transaction: read and try again.
                Err(StoreError::ConditionFailed { .. }) => continue,
                Err(e) if e.is_transient() => {
                    tokio::time::sleep(crate::retry::backoff(1)).await;
                    continue;
                }
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Contended("the room's read mark kept moving".into()))
    }
}

impl ChatReader for ChatStore {
    async fn messages(
        &self,
        booking: BookingId,
        before: Option<MessageId>,
        limit: usize,
    ) -> Result<(Vec<Message>, bool), StoreError> {
        let hi = before.map(msg_sk).unwrap_or_else(|| "MSG#~".into());
        let (items, more) =
            crate::page::newest_first(&self.db, &room_pk(booking), "MSG#", &hi, before.is_some(), limit).await?;
        let messages = items.into_iter().map(message_of).collect::<Result<Vec<_>, _>>()?;
        Ok((messages, more))
    }

    async fn read_marks(&self, room: &Room) -> Result<HashMap<UserId, MessageId>, StoreError> {
        let wanted = room.participants().iter().map(|u| key(member_pk(*u), member_sk(room.booking_id))).collect();
        let mut out = HashMap::new();
        for item in self.db.batch_get(wanted).await? {
            let summary = summary_of(&item)?;
            if let Some(r) = summary.read_upto {
                out.insert(summary.user_id, r);
            }
        }
        Ok(out)
    }

    async fn rooms_of(
        &self,
        user: UserId,
        limit: usize,
        after: Option<&PageKey>,
    ) -> Result<Page<RoomSummary>, StoreError> {
        let pk = member_rooms(user);
        let make = || {
            self.db
                .client
                .query()
                .table_name(&self.db.table)
                .index_name(GSI1)
                .key_condition_expression("gsi1pk = :p")
                .expression_attribute_values(":p", s(&pk))
                .scan_index_forward(false)
        };
        crate::page::filtered_page(make, limit, after, &["pk", "sk", "gsi1pk", "gsi1sk"], |i| summary_of(&i)).await
    }

    async fn room_of(&self, user: UserId, booking: BookingId) -> Result<Option<RoomSummary>, StoreError> {
        self.db.get(member_pk(user), member_sk(booking), Read::Consistent).await?.as_ref().map(summary_of).transpose()
    }
}

/// The chat items of one stream record, as the fan-out reads them.
pub mod stream {
    use super::*;

    /// A stored message and who is in its room.
    pub fn message(image: &Item) -> Option<(Message, Vec<UserId>)> {
        if text(image, "entity").as_deref() != Some("message") {
            return None;
        }
        let participants = image
            .get("participants")
            .and_then(|v| v.as_ss().ok())
            .map(|ids| ids.iter().filter_map(|i| i.parse().ok()).collect())
            .unwrap_or_default();
        let mut item = image.clone();
        for k in ["pk", "sk", "entity", "participants"] {
            item.remove(k);
        }
        Some((message_of(item).ok()?, participants))
    }

    /// A member's read mark that moved: the reader's view of the room after it (who,
    /// with whom, up to where, what is left unread).
    pub fn read_mark(old: Option<&Item>, new: &Item) -> Option<RoomSummary> {
        if text(new, "entity").as_deref() != Some("room") {
            return None;
        }
        let now = summary_of(new).ok()?;
        let upto = now.read_upto?;
        let before = old.and_then(|o| summary_of(o).ok()).and_then(|o| o.read_upto);
        (before != Some(upto)).then_some(now)
    }
}
