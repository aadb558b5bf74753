//! A chat message: its id orders the room, its text stays text.

use crate::attachment::{AttachmentRef, AttachmentShown};
use chrono::{DateTime, Utc};
use cm_core::{BookingId, FieldErrors, UserId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The longest message, in characters. A 2,000-character message is a long letter; a
/// frame carrying it (UTF-8, JSON-escaped) stays far below API Gateway's 32 KB.
pub const MAX_TEXT_CHARS: usize = 2000;
/// A client's id for one message, so a retried send (a dropped socket, a second tap)
/// stores the message once. Any 1..=64 of `[A-Za-z0-9_-]` (a UUID or ULID fits).
pub const MAX_CLIENT_ID_LEN: usize = 64;
/// What a room listing shows of the last message.
pub const PREVIEW_CHARS: usize = 140;

/// A ULID made at the send's instant: sorting ids sorts a room by time, so history is a
/// Query on the sort key and "read up to" is one comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(ulid::Ulid);

impl MessageId {
    pub fn at(now: DateTime<Utc>) -> MessageId {
        let ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
        MessageId(ulid::Ulid::from_parts(ms, rand::random::<u128>()))
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for MessageId {
    type Err = cm_core::InvalidId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ulid::Ulid::from_string(s).map(MessageId).map_err(|_| cm_core::InvalidId("message"))
    }
}

impl Serialize for MessageId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for MessageId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// One stored message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    pub booking_id: BookingId,
    pub sender_id: UserId,
    /// The sender's de-duplication id.
    pub client_id: String,
    /// Empty only when the message carries an attachment.
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<AttachmentRef>,
    pub sent_at: DateTime<Utc>,
}

impl Message {
    /// What a room listing shows of it.
    pub fn preview(&self) -> String {
        match (&self.attachment, self.text.is_empty()) {
            (Some(a), true) => preview(&format!("📎 {}", a.filename)),
            _ => preview(&self.text),
        }
    }
}

/// A message as clients see it, over HTTP and in frames alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: MessageId,
    pub booking_id: BookingId,
    pub sender_id: UserId,
    pub client_id: String,
    pub text: String,
    /// What is attached; links to it come with the history (`GET /bookings/{id}/messages`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<AttachmentShown>,
    pub sent_at: DateTime<Utc>,
}

impl From<&Message> for MessageView {
    fn from(m: &Message) -> MessageView {
        MessageView {
            id: m.id,
            booking_id: m.booking_id,
            sender_id: m.sender_id,
            client_id: m.client_id.clone(),
            text: m.text.clone(),
            attachment: m.attachment.clone().map(|file| AttachmentShown { file, links: None }),
            sent_at: m.sent_at,
        }
    }
}

/// The start of a message for room listings, cut on a character boundary.
pub fn preview(text: &str) -> String {
    match text.char_indices().nth(PREVIEW_CHARS) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text.to_string(),
    }
}

/// Checks a client's message id.
pub fn check_client_id(errors: &mut FieldErrors, field: &str, raw: &str) {
    if raw.is_empty() || raw.len() > MAX_CLIENT_ID_LEN {
        errors.add(field, format!("must be 1 to {MAX_CLIENT_ID_LEN} characters"));
    } else if !raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        errors.add(field, "may contain only letters, digits, '-' and '_'");
    }
}

/// Message text: trimmed, 1..=2000 characters, no control characters but line breaks
/// and tabs. It is never interpreted: `<b>` stays the four characters it is, and every
/// client renders it as text (the web app never sets it as HTML).
pub fn check_text(errors: &mut FieldErrors, field: &str, raw: &str) -> String {
    cm_core::text::check_text(errors, field, raw, MAX_TEXT_CHARS)
}

/// The text of a message that carries an attachment: it may be left out or empty (a
/// photo needs no words), and is checked like any other text when it is not.
pub fn check_caption(errors: &mut FieldErrors, field: &str, raw: Option<&str>) -> String {
    match raw {
        Some(t) if !t.trim().is_empty() => check_text(errors, field, t),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    #[test]
    fn ids_made_later_sort_later() {
        let t = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
        let a = MessageId::at(t);
        let b = MessageId::at(t + chrono::TimeDelta::milliseconds(1));
        assert!(a < b);
        assert!(a.to_string() < b.to_string(), "text order is time order");
        assert_eq!(a.to_string().parse::<MessageId>(), Ok(a));
    }

    #[test]
    fn previews_cut_long_text_on_a_character_boundary() {
        let long = "é".repeat(PREVIEW_CHARS + 10);
        let p = preview(&long);
        assert_eq!(p.chars().count(), PREVIEW_CHARS + 1);
        assert!(p.ends_with('…'));
        assert_eq!(preview("short"), "short");
    }

    #[test]
    fn client_ids_are_short_and_plain() {
        for (id, ok) in [("a", true), ("01JDX-abc_9", true), ("", false), ("a b", false), ("<x>", false)] {
            let mut e = FieldErrors::new();
            check_client_id(&mut e, "client_id", id);
            assert_eq!(e.is_empty(), ok, "{id:?}");
        }
        let mut e = FieldErrors::new();
        check_client_id(&mut e, "client_id", &"x".repeat(MAX_CLIENT_ID_LEN + 1));
        assert!(!e.is_empty());
    }

    #[test]
    fn markup_is_kept_as_text() {
        let mut e = FieldErrors::new();
        assert_eq!(check_text(&mut e, "text", "  <script>alert(1)</script> "), "<script>alert(1)</script>");
        assert!(e.is_empty());
    }

    proptest! {
        #[test]
        fn preview_never_exceeds_its_length(s in "\\PC{0,400}") {
            prop_assert!(preview(&s).chars().count() <= PREVIEW_CHARS + 1);
        }

        #[test]
        fn ids_sort_by_their_instant(a in 0i64..4_000_000_000_000, b in 0i64..4_000_000_000_000) {
            prop_assume!(a != b);
            let ta = DateTime::from_timestamp_millis(a).unwrap();
            let tb = DateTime::from_timestamp_millis(b).unwrap();
            prop_assert_eq!(MessageId::at(ta) < MessageId::at(tb), a < b);
        }
    }
}
