//! Asking to upload a photo: what may be uploaded, and how much of it.

use crate::item::{Category, PortfolioItem, check_caption, parse_category};
use chrono::{DateTime, Utc};
use cm_core::FieldErrors;

/// The types we can decode (HEIC has no pure-Rust decoder, so it is refused here
/// rather than after the upload).
pub const CONTENT_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];
/// S3 refuses a larger upload (the policy's `content-length-range`).
pub const MAX_UPLOAD_BYTES: u64 = 25 * 1024 * 1024;
pub const MAX_FILENAME_CHARS: usize = 255;
/// How long an upload ticket lasts.
pub const TICKET_MINUTES: i64 = 10;

/// Per photographer: items that are ready or may still become so.
pub const MAX_ITEMS: usize = 200;
/// Per photographer: bytes stored (published sizes) or announced (tickets in flight).
pub const MAX_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// `POST /photographers/me/portfolio/uploads`, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadRequest {
    pub content_type: &'static str,
    pub size_bytes: u64,
    pub category: Category,
    pub caption: Option<String>,
}

impl UploadRequest {
    /// `filename` is only checked: what a file is never depends on its name.
    pub fn parse(
        filename: &str,
        content_type: &str,
        size_bytes: i64,
        category: &str,
        caption: Option<&str>,
    ) -> Result<UploadRequest, FieldErrors> {
        let mut errors = FieldErrors::new();
        let file = check_file(&mut errors, filename, content_type, size_bytes);
        let category = parse_category(&mut errors, category);
        let caption = check_caption(&mut errors, caption);
        match (file, category) {
            (Some(f), Some(category)) if errors.is_empty() => {
                Ok(UploadRequest { content_type: f.content_type, size_bytes: f.size_bytes, category, caption })
            }
            _ => Err(errors),
        }
    }
}

/// A file a browser announces before uploading it (portfolio or gallery), checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnouncedFile {
    /// Trimmed; only checked: what a file is never depends on its name.
    pub filename: String,
    pub content_type: &'static str,
    pub size_bytes: u64,
}

/// Checks `filename`, `content_type` and `size_bytes` into `errors`; the file when all
/// three are right.
pub fn check_file(
    errors: &mut FieldErrors,
    filename: &str,
    content_type: &str,
    size_bytes: i64,
) -> Option<AnnouncedFile> {
    check_file_of(errors, filename, content_type, size_bytes, &CONTENT_TYPES, MAX_UPLOAD_BYTES)
}

/// As [`check_file`], for uploads of other types and sizes (chat attachments).
pub fn check_file_of(
    errors: &mut FieldErrors,
    filename: &str,
    content_type: &str,
    size_bytes: i64,
    allowed: &[&'static str],
    max_bytes: u64,
) -> Option<AnnouncedFile> {
    let before = errors.iter().count();
    let filename = cm_core::text::check_text(errors, "filename", filename, MAX_FILENAME_CHARS);
    if filename.contains(['/', '\\']) {
        errors.add("filename", "must be a file name, not a path");
    }
    let content_type = allowed.iter().copied().find(|t| *t == content_type);
    if content_type.is_none() {
        errors.add("content_type", format!("must be one of {}", allowed.join(", ")));
    }
    if size_bytes < 1 || size_bytes as u64 > max_bytes {
        errors.add("size_bytes", format!("must be between 1 and {max_bytes}"));
    }
    match content_type {
        Some(content_type) if errors.iter().count() == before => {
            Some(AnnouncedFile { filename, content_type, size_bytes: size_bytes as u64 })
        }
        _ => None,
    }
}

/// The name a download of `filename` is saved under: its stem, made safe for a
/// `Content-Disposition` header (ASCII letters, digits, `-`, `_` and spaces; at most
/// 100), with the extension of what is stored; `fallback` (an id) when nothing of the
/// stem is left.
pub fn download_name(filename: &str, extension: &str, fallback: &str) -> String {
    let stem = match filename.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => filename,
    };
    let safe: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ' ') { c } else { '_' })
        .take(100)
        .collect();
    let safe = safe.trim();
    if safe.chars().any(|c| c.is_ascii_alphanumeric()) {
        format!("{safe}.{extension}")
    } else {
        format!("{fallback}.{extension}")
    }
}

impl UploadRequest {
    /// The pending item a ticket for this request stands for.
    pub fn pending_item(
        &self,
        id: crate::ItemId,
        photographer: cm_core::UserId,
        position: u32,
        now: DateTime<Utc>,
    ) -> PortfolioItem {
        PortfolioItem {
            id,
            photographer,
            category: self.category,
            caption: self.caption.clone(),
            position,
            status: crate::ItemStatus::Pending,
            content_type: self.content_type.to_string(),
            declared_bytes: self.size_bytes,
            upload_expires_at: now + chrono::Duration::minutes(TICKET_MINUTES),
            width: None,
            height: None,
            colour: None,
            original_bytes: None,
            variants: vec![],
            rejection: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QuotaError {
    #[error("the portfolio already has {MAX_ITEMS} photos")]
    Count,
    #[error("{used} of {MAX_BYTES} bytes are used; {wanted} more do not fit")]
    Bytes { used: u64, wanted: u64 },
}

/// Quota use of a photographer's items as they are now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Quota {
    pub items: usize,
    pub bytes: u64,
}

impl Quota {
    pub fn of(items: &[PortfolioItem], now: DateTime<Utc>) -> Quota {
        items
            .iter()
            .filter_map(|i| i.quota_bytes(now))
            .fold(Quota::default(), |q, b| Quota { items: q.items + 1, bytes: q.bytes + b })
    }

    pub fn admit(&self, bytes: u64) -> Result<(), QuotaError> {
        if self.items >= MAX_ITEMS {
            return Err(QuotaError::Count);
        }
        if self.bytes + bytes > MAX_BYTES {
            return Err(QuotaError::Bytes { used: self.bytes, wanted: bytes });
        }
        Ok(())
    }
}

/// Where a new item goes: after every other.
pub fn next_position(items: &[PortfolioItem]) -> u32 {
    items.iter().map(|i| i.position).max().map_or(1, |p| (p + 1).min(crate::item::MAX_POSITION))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::{ItemId, ItemStatus};
    use chrono::TimeZone;

    #[test]
    fn a_valid_request_parses() {
        let r = UploadRequest::parse("IMG_0001.JPG", "image/jpeg", 3_000_000, "wedding", Some(" Vows ")).unwrap();
        assert_eq!(r.content_type, "image/jpeg");
        assert_eq!(r.caption.as_deref(), Some("Vows"));
    }

    #[test]
    fn every_bad_field_is_reported() {
        let e = UploadRequest::parse("../x.jpg", "image/heic", 0, "selfies", Some("\u{7}")).unwrap_err();
        let fields: Vec<_> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["filename", "content_type", "size_bytes", "category", "caption"]);
        let too_big = UploadRequest::parse("a.png", "image/png", MAX_UPLOAD_BYTES as i64 + 1, "event", None);
        assert!(too_big.is_err());
        assert!(UploadRequest::parse("a.png", "image/png", MAX_UPLOAD_BYTES as i64, "event", None).is_ok());
        assert!(UploadRequest::parse(" ", "image/png", 10, "event", None).is_err());
    }

    fn item(status: ItemStatus, bytes: u64, now: DateTime<Utc>) -> PortfolioItem {
        PortfolioItem {
            id: ItemId::new(),
            photographer: cm_core::UserId::new(),
            category: Category::Event,
            caption: None,
            position: 3,
            status,
            content_type: "image/png".into(),
            declared_bytes: bytes,
            upload_expires_at: now + chrono::Duration::minutes(TICKET_MINUTES),
            width: None,
            height: None,
            colour: None,
            original_bytes: None,
            variants: vec![],
            rejection: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    #[test]
    fn quotas_count_items_and_bytes() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0).unwrap();
        let mut items: Vec<_> = (0..MAX_ITEMS - 1).map(|_| item(ItemStatus::Pending, 1, now)).collect();
        items.push(item(ItemStatus::Rejected, 1, now));
        let q = Quota::of(&items, now);
        assert_eq!(q, Quota { items: MAX_ITEMS - 1, bytes: (MAX_ITEMS - 1) as u64 });
        assert_eq!(q.admit(1), Ok(()));
        items.push(item(ItemStatus::Pending, 1, now));
        assert_eq!(Quota::of(&items, now).admit(1), Err(QuotaError::Count));
        // Later, the tickets have expired unused: they hold nothing.
        assert_eq!(Quota::of(&items, now + chrono::Duration::hours(1)), Quota::default());
        let big = vec![item(ItemStatus::Pending, MAX_BYTES - 10, now)];
        assert_eq!(Quota::of(&big, now).admit(10), Ok(()));
        assert_eq!(Quota::of(&big, now).admit(11), Err(QuotaError::Bytes { used: MAX_BYTES - 10, wanted: 11 }));
        assert_eq!(next_position(&big), 4);
        assert_eq!(next_position(&[]), 1);
    }
}
