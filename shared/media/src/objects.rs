//! Where an item's objects live in the media bucket. The bucket is private; CloudFront
//! serves `public/` alone. Uploads land under `incoming/`, the prefix that triggers
//! processing; processing writes only under `public/` (portfolios), `galleries/`
//! (client galleries) and `chat/` (chat attachments), the last two never served by the
//! CDN: only presigned links reach them. It can never trigger itself.

use crate::ItemId;
use cm_core::{BookingId, UserId};

pub const INCOMING_PREFIX: &str = "incoming/";
pub const PUBLIC_PREFIX: &str = "public/";
pub const GALLERY_PREFIX: &str = "galleries/";
pub const CHAT_PREFIX: &str = "chat/";

/// The display sizes every portfolio photo is published in (longest side, pixels).
pub const DISPLAY_SIZES: [u32; 2] = [400, 1600];

pub fn incoming_key(photographer: UserId, item: ItemId) -> String {
    format!("{INCOMING_PREFIX}portfolio/{photographer}/{item}")
}

pub fn variant_key(photographer: UserId, item: ItemId, size: u32) -> String {
    format!("{PUBLIC_PREFIX}portfolio/{photographer}/{item}/{size}.jpg")
}

pub fn variant_keys(photographer: UserId, item: ItemId) -> Vec<String> {
    DISPLAY_SIZES.iter().map(|&s| variant_key(photographer, item, s)).collect()
}

pub fn gallery_incoming_key(booking: BookingId, photo: ItemId) -> String {
    format!("{INCOMING_PREFIX}gallery/{booking}/{photo}")
}

/// A gallery photo's objects: the display sizes, then the full-size copy.
pub fn gallery_keys(booking: BookingId, photo: ItemId) -> Vec<String> {
    let mut keys: Vec<String> =
        DISPLAY_SIZES.iter().map(|s| format!("{GALLERY_PREFIX}{booking}/{photo}/{s}.jpg")).collect();
    keys.push(format!("{GALLERY_PREFIX}{booking}/{photo}/full.jpg"));
    keys
}

/// Chat attachment ids are ULIDs too; this module keeps them as text so that the chat
/// crate (which owns the id type) depends on this one, not the other way round.
pub fn chat_incoming_key(booking: BookingId, attachment: &str) -> String {
    format!("{INCOMING_PREFIX}chat/{booking}/{attachment}")
}

/// A chat attachment's objects: an image's display sizes (400, 1600), or the document.
pub fn chat_keys(booking: BookingId, attachment: &str, image: bool) -> Vec<String> {
    if image {
        DISPLAY_SIZES.iter().map(|s| format!("{CHAT_PREFIX}{booking}/{attachment}/{s}.jpg")).collect()
    } else {
        vec![format!("{CHAT_PREFIX}{booking}/{attachment}/document.pdf")]
    }
}

/// What an object under `incoming/` is an upload of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upload {
    Portfolio {
        photographer: UserId,
        item: ItemId,
    },
    Gallery {
        booking: BookingId,
        photo: ItemId,
    },
    /// The attachment id is checked by whoever reads it (`cm_chat::AttachmentId`).
    Chat {
        booking: BookingId,
        attachment: String,
    },
}

/// Reads an object key as S3 event notifications carry it (URL-encoded, `+` for a
/// space). `None` for anything our tickets never issue.
pub fn parse_incoming(event_key: &str) -> Option<Upload> {
    let key = decode_event_key(event_key)?;
    let rest = key.strip_prefix(INCOMING_PREFIX)?;
    let mut parts = rest.split('/');
    match (parts.next()?, parts.next()?, parts.next()?, parts.next()) {
        ("portfolio", photographer, item, None) => {
            Some(Upload::Portfolio { photographer: photographer.parse().ok()?, item: item.parse().ok()? })
        }
        ("gallery", booking, photo, None) => {
            Some(Upload::Gallery { booking: booking.parse().ok()?, photo: photo.parse().ok()? })
        }
        ("chat", booking, attachment, None) if ulid::Ulid::from_string(attachment).is_ok() => {
            Some(Upload::Chat { booking: booking.parse().ok()?, attachment: attachment.to_string() })
        }
        _ => None,
    }
}

/// S3 notifications URL-encode the key (form encoding: `+` is a space).
pub fn decode_event_key(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incoming_keys_round_trip_and_nothing_else_parses() {
        let (p, i) = (UserId::new(), ItemId::new());
        let key = incoming_key(p, i);
        assert_eq!(parse_incoming(&key), Some(Upload::Portfolio { photographer: p, item: i }));
        assert_eq!(parse_incoming(&format!("{key}/x")), None);
        assert_eq!(parse_incoming(&format!("public/portfolio/{p}/{i}")), None);
        assert_eq!(parse_incoming(&format!("incoming/portfolio/{p}/not-an-id")), None);
        assert_eq!(parse_incoming("incoming/portfolio/%zz/x"), None);
        let b = BookingId::new();
        assert_eq!(parse_incoming(&gallery_incoming_key(b, i)), Some(Upload::Gallery { booking: b, photo: i }));
        assert_eq!(parse_incoming(&format!("incoming/gallery/{b}")), None);
        let a = ulid::Ulid::new().to_string();
        assert_eq!(parse_incoming(&chat_incoming_key(b, &a)), Some(Upload::Chat { booking: b, attachment: a }));
        assert_eq!(parse_incoming(&format!("incoming/chat/{b}/not-an-id")), None);
    }

    #[test]
    fn processing_never_writes_where_uploads_land() {
        let (p, i) = (UserId::new(), ItemId::new());
        for key in variant_keys(p, i) {
            assert!(key.starts_with(PUBLIC_PREFIX) && !key.starts_with(INCOMING_PREFIX), "{key}");
        }
        for key in gallery_keys(BookingId::new(), i) {
            // Private: neither where uploads land nor what the CDN serves.
            assert!(key.starts_with(GALLERY_PREFIX) && !key.starts_with(PUBLIC_PREFIX), "{key}");
        }
        for image in [true, false] {
            for key in chat_keys(BookingId::new(), &i.to_string(), image) {
                assert!(key.starts_with(CHAT_PREFIX) && !key.starts_with(PUBLIC_PREFIX), "{key}");
                assert!(!key.starts_with(INCOMING_PREFIX), "{key}");
            }
        }
    }

    #[test]
    fn event_keys_are_form_decoded() {
        assert_eq!(decode_event_key("a+b%2Fc").as_deref(), Some("a b/c"));
        assert_eq!(decode_event_key("%"), None);
    }
}
