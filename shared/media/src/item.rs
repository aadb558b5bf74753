//! A portfolio item: one photo of a photographer, from its upload ticket (`pending`)
//! to `ready` (processed, published in display sizes) or `rejected` (with the reason).

use chrono::{DateTime, Utc};
use cm_core::{FieldErrors, UserId};
use serde::{Deserialize, Serialize};

/// A portfolio is shown by the same categories photographers are searched by.
pub type Category = cm_catalog::Specialization;

cm_core::ulid_id!(ItemId, "portfolio item");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// A ticket was issued; the upload has not been processed yet.
    Pending,
    Ready,
    Rejected,
}

/// One published size of a ready item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    /// The longest side it was made for (`400`, `1600`).
    pub size: u32,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
    /// Its object key in the media bucket (under `public/`).
    pub key: String,
}

/// What processing found, for a ready item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processed {
    pub width: u32,
    pub height: u32,
    /// `#rrggbb`, a placeholder while the picture loads.
    pub colour: String,
    /// Bytes of the uploaded original (deleted after processing).
    pub original_bytes: u64,
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortfolioItem {
    pub id: ItemId,
    pub photographer: UserId,
    pub category: Category,
    pub caption: Option<String>,
    /// The photographer's order: ascending, ties by id.
    pub position: u32,
    pub status: ItemStatus,
    /// As declared when the ticket was issued; S3 refuses a larger upload.
    pub content_type: String,
    pub declared_bytes: u64,
    /// The ticket's expiry: after it, a still-pending item will never be uploaded.
    pub upload_expires_at: DateTime<Utc>,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
    #[serde(default)]
    pub colour: Option<String>,
    #[serde(default)]
    pub original_bytes: Option<u64>,
    #[serde(default)]
    pub variants: Vec<Variant>,
    /// A code (`unsupported_type`, `too_large`, `corrupt`, ...) and its explanation.
    #[serde(default)]
    pub rejection: Option<Rejection>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Every change adds one; a write commits only over the version it read.
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub code: String,
    pub reason: String,
}

/// Processing can only settle a pending item: a second delivery of the same upload
/// finds it settled and changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the item is already {0:?}")]
pub struct AlreadySettled(pub ItemStatus);

/// What processing settles once, from `pending` to `ready` or `rejected`: a portfolio
/// item, a gallery photo, a chat attachment. Each says how to read and stamp itself;
/// the rule (only a pending one, one version more) is written here once.
pub trait Settle: Clone {
    fn status(&self) -> ItemStatus;
    /// Sets the status and, for a rejection, why.
    fn mark(&mut self, status: ItemStatus, rejection: Option<Rejection>);
    /// One change more, made at `now`.
    fn touch(&mut self, now: DateTime<Utc>);

    /// The settled copy `f` makes of a pending one.
    fn settle(&self, now: DateTime<Utc>, f: impl FnOnce(&mut Self)) -> Result<Self, AlreadySettled> {
        if self.status() != ItemStatus::Pending {
            return Err(AlreadySettled(self.status()));
        }
        let mut next = self.clone();
        f(&mut next);
        next.touch(now);
        Ok(next)
    }

    fn rejected(&self, code: &str, reason: &str, now: DateTime<Utc>) -> Result<Self, AlreadySettled> {
        let rejection = Rejection { code: code.to_string(), reason: reason.to_string() };
        self.settle(now, |x| x.mark(ItemStatus::Rejected, Some(rejection)))
    }
}

impl Settle for PortfolioItem {
    fn status(&self) -> ItemStatus {
        self.status
    }
    fn mark(&mut self, status: ItemStatus, rejection: Option<Rejection>) {
        self.status = status;
        self.rejection = rejection;
    }
    fn touch(&mut self, now: DateTime<Utc>) {
        self.updated_at = now;
        self.version += 1;
    }
}

impl PortfolioItem {
    pub fn ready(&self, p: Processed, now: DateTime<Utc>) -> Result<PortfolioItem, AlreadySettled> {
        self.settle(now, |item| {
            item.status = ItemStatus::Ready;
            item.width = Some(p.width);
            item.height = Some(p.height);
            item.colour = Some(p.colour);
            item.original_bytes = Some(p.original_bytes);
            item.variants = p.variants;
        })
    }

    /// The bytes this item holds of its photographer's quota, or `None` when it holds
    /// nothing: rejected, or pending past its ticket (the upload can no longer come).
    pub fn quota_bytes(&self, now: DateTime<Utc>) -> Option<u64> {
        match self.status {
            ItemStatus::Rejected => None,
            ItemStatus::Pending if now > self.upload_expires_at => None,
            ItemStatus::Pending => Some(self.declared_bytes),
            ItemStatus::Ready => Some(self.variants.iter().map(|v| v.bytes).sum()),
        }
    }

    /// Every object the item may have in the bucket: its upload and its variants.
    pub fn object_keys(&self) -> Vec<String> {
        let mut keys = vec![crate::objects::incoming_key(self.photographer, self.id)];
        keys.extend(crate::objects::variant_keys(self.photographer, self.id));
        keys
    }

    pub fn apply(&self, patch: &ItemPatch, now: DateTime<Utc>) -> PortfolioItem {
        let mut next = self.clone();
        if let Some(c) = patch.category {
            next.category = c;
        }
        if let Some(c) = &patch.caption {
            next.caption = c.clone();
        }
        if let Some(p) = patch.position {
            next.position = p;
        }
        next.updated_at = now;
        next.version += 1;
        next
    }
}

pub const MAX_CAPTION_CHARS: usize = 300;
pub const MAX_POSITION: u32 = 9999;

/// Optional caption: empty or absent is none.
pub fn check_caption(errors: &mut FieldErrors, raw: Option<&str>) -> Option<String> {
    let raw = raw?;
    if raw.trim().is_empty() {
        return None;
    }
    Some(cm_core::text::check_text(errors, "caption", raw, MAX_CAPTION_CHARS))
}

pub fn parse_category(errors: &mut FieldErrors, raw: &str) -> Option<Category> {
    let c = Category::parse(raw);
    if c.is_none() {
        errors.add("category", format!("must be one of {}", Category::allowed_list()));
    }
    c
}

/// A change the photographer makes to an item. `caption: Some(None)` removes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemPatch {
    pub caption: Option<Option<String>>,
    pub category: Option<Category>,
    pub position: Option<u32>,
    /// `Some(true)`: this item becomes the cover photo; `Some(false)`: it stops being it.
    pub cover: Option<bool>,
}

impl ItemPatch {
    pub fn is_empty(&self) -> bool {
        self == &ItemPatch::default()
    }
}

/// What anyone sees of a ready item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicItem {
    pub id: ItemId,
    pub category: Category,
    pub caption: Option<String>,
    pub position: u32,
    pub width: u32,
    pub height: u32,
    pub colour: String,
    pub bytes: u64,
    /// Display sizes by longest side: `{"400": url, "1600": url}`.
    pub urls: std::collections::BTreeMap<String, String>,
}

/// What its photographer sees of any item (the status and why it was rejected).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnItem {
    pub id: ItemId,
    pub status: ItemStatus,
    pub category: Category,
    pub caption: Option<String>,
    pub position: u32,
    pub rejection: Option<Rejection>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub colour: Option<String>,
    pub urls: std::collections::BTreeMap<String, String>,
    /// Whether it is the photographer's cover photo.
    pub cover: bool,
}

fn urls(item: &PortfolioItem, public_base: &str) -> std::collections::BTreeMap<String, String> {
    let base = public_base.trim_end_matches('/');
    item.variants.iter().map(|v| (v.size.to_string(), format!("{base}/{}", v.key))).collect()
}

impl PortfolioItem {
    /// `None` unless the item is ready: nothing else is ever shown publicly.
    pub fn public(&self, public_base: &str) -> Option<PublicItem> {
        if self.status != ItemStatus::Ready {
            return None;
        }
        Some(PublicItem {
            id: self.id,
            category: self.category,
            caption: self.caption.clone(),
            position: self.position,
            width: self.width?,
            height: self.height?,
            colour: self.colour.clone()?,
            bytes: self.variants.iter().map(|v| v.bytes).sum(),
            urls: urls(self, public_base),
        })
    }

    pub fn own(&self, public_base: &str, cover: bool) -> OwnItem {
        OwnItem {
            id: self.id,
            status: self.status,
            category: self.category,
            caption: self.caption.clone(),
            position: self.position,
            rejection: self.rejection.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            width: self.width,
            height: self.height,
            colour: self.colour.clone(),
            urls: urls(self, public_base),
            cover,
        }
    }

    /// This item as a cover photo; `None` unless it is ready.
    pub fn cover_photo(&self, public_base: &str) -> Option<cm_catalog::CoverPhoto> {
        let public = self.public(public_base)?;
        let small = crate::objects::DISPLAY_SIZES[0].to_string();
        let large = crate::objects::DISPLAY_SIZES[crate::objects::DISPLAY_SIZES.len() - 1].to_string();
        Some(cm_catalog::CoverPhoto {
            item_id: self.id.to_string(),
            url: public.urls.get(&small)?.clone(),
            large_url: public.urls.get(&large)?.clone(),
            width: public.width,
            height: public.height,
            colour: public.colour,
        })
    }

    /// The public order: position, then age.
    pub fn order_key(&self) -> (u32, ItemId) {
        (self.position, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn pending(now: DateTime<Utc>) -> PortfolioItem {
        PortfolioItem {
            id: ItemId::new(),
            photographer: UserId::new(),
            category: Category::Wedding,
            caption: None,
            position: 1,
            status: ItemStatus::Pending,
            content_type: "image/jpeg".into(),
            declared_bytes: 5_000_000,
            upload_expires_at: now + chrono::Duration::minutes(15),
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

    fn processed(item: &PortfolioItem) -> Processed {
        Processed {
            width: 1600,
            height: 1067,
            colour: "#aabbcc".into(),
            original_bytes: 4_000_000,
            variants: [400u32, 1600]
                .iter()
                .map(|&s| Variant {
                    size: s,
                    width: s,
                    height: s * 2 / 3,
                    bytes: u64::from(s) * 100,
                    key: crate::objects::variant_key(item.photographer, item.id, s),
                })
                .collect(),
        }
    }

    #[test]
    fn only_a_pending_item_settles_and_only_once() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0).unwrap();
        let item = pending(now);
        let ready = item.ready(processed(&item), now).unwrap();
        assert_eq!(ready.status, ItemStatus::Ready);
        assert_eq!(ready.ready(processed(&item), now), Err(AlreadySettled(ItemStatus::Ready)));
        assert_eq!(ready.rejected("corrupt", "x", now), Err(AlreadySettled(ItemStatus::Ready)));
        let rejected = item.rejected("corrupt", "truncated", now).unwrap();
        assert_eq!(rejected.rejection.as_ref().unwrap().code, "corrupt");
        assert_eq!(rejected.ready(processed(&item), now), Err(AlreadySettled(ItemStatus::Rejected)));
    }

    #[test]
    fn quota_counts_what_is_or_may_still_be_stored() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0).unwrap();
        let item = pending(now);
        assert_eq!(item.quota_bytes(now), Some(5_000_000));
        assert_eq!(item.quota_bytes(now + chrono::Duration::minutes(16)), None, "an expired ticket holds nothing");
        let ready = item.ready(processed(&item), now).unwrap();
        assert_eq!(ready.quota_bytes(now + chrono::Duration::days(9)), Some(40_000 + 160_000));
        assert_eq!(item.rejected("corrupt", "x", now).unwrap().quota_bytes(now), None);
    }

    #[test]
    fn only_ready_items_are_public_with_a_url_per_size() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0).unwrap();
        let item = pending(now);
        assert!(item.public("https://cdn.example").is_none());
        assert!(item.rejected("corrupt", "x", now).unwrap().public("https://cdn.example").is_none());
        let ready = item.ready(processed(&item), now).unwrap();
        let public = ready.public("https://cdn.example/").unwrap();
        assert_eq!(public.urls.len(), 2);
        assert_eq!(
            public.urls["400"],
            format!("https://cdn.example/public/portfolio/{}/{}/400.jpg", item.photographer, item.id)
        );
        assert_eq!(public.bytes, 200_000);
    }

    #[test]
    fn captions_and_categories_are_checked() {
        let mut e = FieldErrors::new();
        assert_eq!(check_caption(&mut e, Some("  ")), None);
        assert_eq!(check_caption(&mut e, Some(" Golden hour ")), Some("Golden hour".into()));
        assert!(e.is_empty());
        check_caption(&mut e, Some(&"x".repeat(MAX_CAPTION_CHARS + 1)));
        assert_eq!(parse_category(&mut e, "wedding"), Some(Category::Wedding));
        assert_eq!(parse_category(&mut e, "Wedding"), None);
        let fields: Vec<_> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["caption", "category"]);
    }
}
