//! In-app notifications ("notices"): what a person hears about in the app and live on
//! their open sockets, beside the email they may or may not take. One notice per change
//! and recipient, kept once however often the change is delivered: its id is derived
//! from the change, not drawn at random.
//!
//! Read state is a mark plus exceptions: every notice at or before the user's mark is
//! read ("mark all read" moves the mark), and a notice after it may be read on its own
//! (opening one). So "mark all" is one write however many notices there are, and
//! opening one never moves the others.

use chrono::{DateTime, Utc};
use cm_core::{BookingId, FieldErrors, UserId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// How many ids one "mark read" request may name.
pub const MAX_IDS_PER_READ: usize = 100;
/// Unread notices are counted up to this many; clients show "99+".
pub const MAX_UNREAD_COUNTED: u32 = 99;
/// Titles are email subjects; longer ones are cut for the bell menu.
pub const MAX_TITLE_CHARS: usize = 200;

/// A ULID whose time part is the change's instant and whose random part is a hash of
/// the change's key: ids sort by time, and a redelivered change names the same notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NoticeId(ulid::Ulid);

impl NoticeId {
    pub fn of(at: DateTime<Utc>, key: &str) -> NoticeId {
        let ms = u64::try_from(at.timestamp_millis()).unwrap_or(0);
        NoticeId(ulid::Ulid::from_parts(ms, fnv1a_128(key.as_bytes())))
    }
}

/// FNV-1a, 128 bits: stable across builds and platforms (std's hashers are not), and
/// its 80 low bits are plenty to tell apart the changes of one millisecond.
fn fnv1a_128(bytes: &[u8]) -> u128 {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    bytes.iter().fold(OFFSET, |h, b| (h ^ u128::from(*b)).wrapping_mul(PRIME))
}

impl fmt::Display for NoticeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for NoticeId {
    type Err = cm_core::InvalidId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ulid::Ulid::from_string(s).map(NoticeId).map_err(|_| cm_core::InvalidId("notification"))
    }
}

impl Serialize for NoticeId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for NoticeId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// One kept notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: NoticeId,
    pub user_id: UserId,
    /// What happened, stable for clients to pick an icon by: `booking_confirmed`,
    /// `gallery_delivered`, `payment_refunded`, ...
    pub kind: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_id: Option<BookingId>,
    pub created_at: DateTime<Utc>,
    /// When it was read on its own (not by the mark).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_at: Option<DateTime<Utc>>,
}

impl Notice {
    /// The notice for `user` about one change: `key` names the change and the recipient
    /// (the same for every delivery of it), `at` is the change's own instant.
    pub fn new(
        user_id: UserId,
        key: &str,
        at: DateTime<Utc>,
        kind: impl Into<String>,
        title: &str,
        booking_id: Option<BookingId>,
    ) -> Notice {
        Notice {
            id: NoticeId::of(at, key),
            user_id,
            kind: kind.into(),
            title: cut(title.trim(), MAX_TITLE_CHARS),
            booking_id,
            created_at: at,
            read_at: None,
        }
    }

    /// Read on its own, or at or before the user's mark.
    pub fn is_read(&self, mark: Option<NoticeId>) -> bool {
        self.read_at.is_some() || mark.is_some_and(|m| self.id <= m)
    }

    /// Where the web app shows what the notice is about.
    pub fn link(&self) -> Option<String> {
        let b = self.booking_id?;
        Some(if self.kind == "gallery_delivered" { format!("/bookings/{b}/gallery") } else { format!("/bookings/{b}") })
    }
}

fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", s[..at].trim_end()),
        None => s.to_string(),
    }
}

/// A notice as its owner sees it, over HTTP and in frames alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeView {
    pub id: NoticeId,
    pub kind: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booking_id: Option<BookingId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

impl NoticeView {
    pub fn of(n: &Notice, mark: Option<NoticeId>) -> NoticeView {
        NoticeView {
            id: n.id,
            kind: n.kind.clone(),
            title: n.title.clone(),
            booking_id: n.booking_id,
            link: n.link(),
            created_at: n.created_at,
            read: n.is_read(mark),
        }
    }
}

/// What a "mark read" request asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkRead {
    /// Everything up to and including this notice ("mark all read" sends the newest).
    UpTo(NoticeId),
    /// These notices, whatever the mark.
    Ids(BTreeSet<NoticeId>),
}

/// Reads `{"up_to": id}` or `{"ids": [id, ...]}` (exactly one of them).
pub fn parse_mark_read(body: &Value) -> Result<MarkRead, FieldErrors> {
    let mut errors = FieldErrors::new();
    let Some(map) = body.as_object() else {
        errors.add("body", "must be a JSON object with \"up_to\" or \"ids\"");
        return Err(errors);
    };
    for k in map.keys().filter(|k| !matches!(k.as_str(), "up_to" | "ids")) {
        errors.add(k, "unknown member; the members are up_to and ids");
    }
    let parsed = match (map.get("up_to"), map.get("ids")) {
        (Some(_), Some(_)) => {
            errors.add("up_to", "give up_to or ids, not both");
            None
        }
        (None, None) => {
            errors.add("up_to", "give up_to (read everything up to it) or ids (read these)");
            None
        }
        (Some(v), None) => id_at(&mut errors, "up_to", v).map(MarkRead::UpTo),
        (None, Some(v)) => ids(&mut errors, v),
    };
    match parsed {
        Some(p) if errors.is_empty() => Ok(p),
        _ => Err(errors),
    }
}

fn id_at(errors: &mut FieldErrors, field: &str, v: &Value) -> Option<NoticeId> {
    match v.as_str().map(str::parse::<NoticeId>) {
        Some(Ok(id)) => Some(id),
        _ => {
            errors.add(field, "must be a notification id");
            None
        }
    }
}

fn ids(errors: &mut FieldErrors, v: &Value) -> Option<MarkRead> {
    let Some(list) = v.as_array() else {
        errors.add("ids", "must be an array of notification ids");
        return None;
    };
    if list.is_empty() || list.len() > MAX_IDS_PER_READ {
        errors.add("ids", format!("must name 1 to {MAX_IDS_PER_READ} notifications"));
        return None;
    }
    let mut set = BTreeSet::new();
    for (i, item) in list.iter().enumerate() {
        if let Some(id) = id_at(errors, &format!("ids[{i}]"), item) {
            set.insert(id);
        }
    }
    Some(MarkRead::Ids(set))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};
    use proptest::prelude::*;
    use serde_json::json;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap() + TimeDelta::seconds(s)
    }

    fn user() -> UserId {
        "01JDXA00000000000000000001".parse().unwrap()
    }

    #[test]
    fn a_change_names_its_notice_and_different_changes_differ() {
        let a = NoticeId::of(t(0), "notify:b1:3:notice:client");
        assert_eq!(a, NoticeId::of(t(0), "notify:b1:3:notice:client"), "redelivery keeps one");
        assert_ne!(a, NoticeId::of(t(0), "notify:b1:3:notice:photographer"));
        assert_ne!(a, NoticeId::of(t(0), "notify:b1:4:notice:client"));
        assert!(a < NoticeId::of(t(1), "a"), "later changes sort later");
        assert_eq!(a.to_string().parse::<NoticeId>(), Ok(a));
    }

    #[test]
    fn the_mark_reads_everything_up_to_it_and_one_may_be_read_alone() {
        let first = Notice::new(user(), "k1", t(0), "booking_created", "New request", None);
        let second = Notice::new(user(), "k2", t(5), "booking_confirmed", "Confirmed", None);
        assert!(!first.is_read(None));
        assert!(first.is_read(Some(first.id)));
        assert!(!second.is_read(Some(first.id)));
        let opened = Notice { read_at: Some(t(9)), ..second.clone() };
        assert!(opened.is_read(None));
    }

    #[test]
    fn links_point_at_the_booking_or_its_gallery() {
        let b: BookingId = "01JDXB00000000000000000002".parse().unwrap();
        let n = Notice::new(user(), "k", t(0), "booking_confirmed", "x", Some(b));
        assert_eq!(n.link().as_deref(), Some("/bookings/01JDXB00000000000000000002"));
        let g = Notice::new(user(), "k", t(0), "gallery_delivered", "x", Some(b));
        assert_eq!(g.link().as_deref(), Some("/bookings/01JDXB00000000000000000002/gallery"));
        assert_eq!(Notice::new(user(), "k", t(0), "other", "x", None).link(), None);
    }

    #[test]
    fn long_titles_are_cut_on_a_character_boundary() {
        let n = Notice::new(user(), "k", t(0), "k", &"é".repeat(MAX_TITLE_CHARS + 5), None);
        assert_eq!(n.title.chars().count(), MAX_TITLE_CHARS + 1);
        assert!(n.title.ends_with('…'));
    }

    #[test]
    fn mark_read_takes_exactly_one_form() {
        let id = NoticeId::of(t(0), "k").to_string();
        assert!(matches!(parse_mark_read(&json!({"up_to": id})), Ok(MarkRead::UpTo(_))));
        match parse_mark_read(&json!({"ids": [id, id]})) {
            Ok(MarkRead::Ids(set)) => assert_eq!(set.len(), 1, "repeats count once"),
            other => panic!("{other:?}"),
        }
        for (body, field) in [
            (json!({}), "up_to"),
            (json!({"up_to": id, "ids": [id]}), "up_to"),
            (json!({"up_to": "nope"}), "up_to"),
            (json!({"ids": []}), "ids"),
            (json!({"ids": "x"}), "ids"),
            (json!({"ids": [id, 7]}), "ids[1]"),
            (json!({"ids": vec![id.clone(); MAX_IDS_PER_READ + 1]}), "ids"),
            (json!({"up_to": id, "all": true}), "all"),
            (json!([id]), "body"),
        ] {
            let errors = parse_mark_read(&body).expect_err(&body.to_string());
            assert!(errors.iter().any(|e| e.field == field), "{body}: {errors:?}");
        }
    }

    proptest! {
        #[test]
        fn ids_sort_by_instant_whatever_the_key(a in 0i64..4_000_000_000, b in 0i64..4_000_000_000, ka in ".{0,40}", kb in ".{0,40}") {
            prop_assume!(a != b);
            let ta = DateTime::from_timestamp(a, 0).unwrap();
            let tb = DateTime::from_timestamp(b, 0).unwrap();
            prop_assert_eq!(NoticeId::of(ta, &ka) < NoticeId::of(tb, &kb), a < b);
        }
    }
}
