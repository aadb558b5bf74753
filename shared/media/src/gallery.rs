//! Client galleries: the photos a photographer delivers for one booking.
//!
//! A gallery belongs to a confirmed or completed booking and is private to its two
//! people: the photographer builds it (uploads through the same ticket and processing
//! pipeline as the portfolio, kept at full resolution), and the client sees it once it
//! is delivered, marks favourites (proofing) and downloads. Nobody else, admins
//! included, can list it or get a link to a photo.
//!
//! Photos are kept `retention_days` after they are processed, a setting the
//! photographer chooses from [`RETENTION_DAYS`]: S3 deletes the objects by a lifecycle
//! rule per choice (objects carry the choice as a tag), DynamoDB's TTL deletes the
//! records, and listings hide a photo from the moment it expires, before either runs.
//!
//! Quotas are counters on the gallery, moved in the same transaction as the photo they
//! count, so concurrent uploads cannot overshoot them and a listing never has to read
//! the whole gallery.

use crate::ItemId;
use crate::item::{AlreadySettled, ItemStatus, Rejection, Settle, Variant};
use chrono::{DateTime, Duration, Utc};
use cm_booking::BookingStatus;
use cm_booking::booking::Booking;
use cm_core::{BookingId, FieldErrors, UserId};
use serde::{Deserialize, Serialize};

/// The retention a photographer may choose, in days after a photo is processed. Each
/// is an S3 lifecycle rule in template.yaml (`galleries/` objects tagged with it).
pub const RETENTION_DAYS: [u32; 4] = [30, 90, 180, 365];
pub const DEFAULT_RETENTION_DAYS: u32 = 90;
/// The S3 object tag the lifecycle rules filter on.
pub const RETENTION_TAG: &str = "retention-days";

/// Per gallery: photos that are ready or may still become so.
pub const MAX_PHOTOS: u32 = 1000;
/// Per gallery: bytes stored (full size and previews) or announced (tickets in flight).
pub const MAX_BYTES: u64 = 20 * 1024 * 1024 * 1024;

/// The gallery of one booking, with the counters its quotas are kept by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gallery {
    pub booking: BookingId,
    pub photographer: UserId,
    pub client: UserId,
    pub retention_days: u32,
    /// When the client was given access (and notified). Never unset.
    #[serde(default)]
    pub delivered_at: Option<DateTime<Utc>>,
    /// Photos that hold quota: pending or ready.
    pub photos: u32,
    /// Of those, processed and ready.
    pub ready: u32,
    /// Bytes held: declared by pending tickets, stored by ready photos.
    pub bytes: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Every change adds one; settings commit only over the version they read.
    pub version: u64,
}

/// Who is asking, as far as a gallery is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Photographer,
    Client,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GalleryError {
    #[error("a gallery is for a confirmed or completed booking; this one is {}", .0.as_str())]
    BookingNotEligible(BookingStatus),
    #[error("the retention cannot change once photos are uploaded (they are stored under {0} days)")]
    RetentionLocked(u32),
    #[error("a gallery is delivered with at least one ready photo")]
    NothingToDeliver,
    #[error("a delivered gallery stays delivered")]
    CannotUndeliver,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GalleryQuotaError {
    #[error("the gallery already has {MAX_PHOTOS} photos")]
    Count,
    #[error("{used} of {MAX_BYTES} bytes are used; {wanted} more do not fit")]
    Bytes { used: u64, wanted: u64 },
}

/// Which bookings may have a gallery: one that took place or will.
pub fn eligible(booking: &Booking) -> Result<(), GalleryError> {
    match booking.status {
        BookingStatus::Confirmed | BookingStatus::Completed => Ok(()),
        other => Err(GalleryError::BookingNotEligible(other)),
    }
}

pub fn check_retention(errors: &mut FieldErrors, days: i64) -> Option<u32> {
    match RETENTION_DAYS.iter().find(|d| i64::from(**d) == days) {
        Some(d) => Some(*d),
        None => {
            let list: Vec<String> = RETENTION_DAYS.iter().map(u32::to_string).collect();
            errors.add("retention_days", format!("must be one of {}", list.join(", ")));
            None
        }
    }
}

/// What the photographer asks of their gallery (`PUT /bookings/{id}/gallery`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub retention_days: u32,
    pub delivered: bool,
}

impl Gallery {
    /// A new, undelivered gallery for `booking`.
    pub fn open(booking: &Booking, retention_days: u32, now: DateTime<Utc>) -> Result<Gallery, GalleryError> {
        eligible(booking)?;
        Ok(Gallery {
            booking: booking.id,
            photographer: booking.photographer_id,
            client: booking.client_id,
            retention_days,
            delivered_at: None,
            photos: 0,
            ready: 0,
            bytes: 0,
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }

    /// The gallery as `settings` want it; `Ok(None)` when that is already so.
    pub fn apply(&self, settings: Settings, now: DateTime<Utc>) -> Result<Option<Gallery>, GalleryError> {
        let mut next = self.clone();
        if settings.retention_days != self.retention_days {
            if self.photos > 0 {
                return Err(GalleryError::RetentionLocked(self.retention_days));
            }
            next.retention_days = settings.retention_days;
        }
        match (settings.delivered, self.delivered_at) {
            (true, None) if self.ready == 0 => return Err(GalleryError::NothingToDeliver),
            (true, None) => next.delivered_at = Some(now),
            (false, Some(_)) => return Err(GalleryError::CannotUndeliver),
            _ => {}
        }
        if next == *self {
            return Ok(None);
        }
        next.updated_at = now;
        next.version += 1;
        Ok(Some(next))
    }

    /// The caller's part in the gallery, or `None`: strangers and admins, and the
    /// client until the photographer delivers it, see nothing (not even that it exists).
    pub fn viewer(&self, user: UserId) -> Option<Viewer> {
        if user == self.photographer {
            Some(Viewer::Photographer)
        } else if user == self.client && self.delivered_at.is_some() {
            Some(Viewer::Client)
        } else {
            None
        }
    }

    pub fn admit(&self, bytes: u64) -> Result<(), GalleryQuotaError> {
        if self.photos >= MAX_PHOTOS {
            return Err(GalleryQuotaError::Count);
        }
        if self.bytes + bytes > MAX_BYTES {
            return Err(GalleryQuotaError::Bytes { used: self.bytes, wanted: bytes });
        }
        Ok(())
    }

    pub fn view(&self) -> GalleryView {
        GalleryView {
            booking_id: self.booking,
            status: if self.delivered_at.is_some() { "delivered" } else { "open" },
            retention_days: self.retention_days,
            delivered_at: self.delivered_at,
            ready_photos: self.ready,
        }
    }
}

/// What either party sees of the gallery itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GalleryView {
    pub booking_id: BookingId,
    pub status: &'static str,
    pub retention_days: u32,
    pub delivered_at: Option<DateTime<Utc>>,
    pub ready_photos: u32,
}

/// One delivered photo, from its upload ticket to `ready` or `rejected`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GalleryPhoto {
    pub id: ItemId,
    pub booking: BookingId,
    pub photographer: UserId,
    /// As uploaded, for the download's name (never used to decide what the file is).
    pub filename: String,
    pub status: ItemStatus,
    pub content_type: String,
    pub declared_bytes: u64,
    pub upload_expires_at: DateTime<Utc>,
    /// The gallery's retention when the ticket was issued: the object tag and the TTL.
    pub retention_days: u32,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
    #[serde(default)]
    pub colour: Option<String>,
    /// Display sizes (400, 1600) for browsing.
    #[serde(default)]
    pub variants: Vec<Variant>,
    /// The full-resolution copy to download, upright and without metadata.
    #[serde(default)]
    pub full: Option<Variant>,
    #[serde(default)]
    pub rejection: Option<Rejection>,
    #[serde(default)]
    pub favourite: bool,
    /// Set when ready: processed + retention. The record's TTL.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

/// What processing made of an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedPhoto {
    pub width: u32,
    pub height: u32,
    pub colour: String,
    pub variants: Vec<Variant>,
    pub full: Variant,
}

/// `POST /bookings/{id}/gallery/uploads`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GalleryUpload {
    pub filename: String,
    pub content_type: &'static str,
    pub size_bytes: u64,
}

impl GalleryUpload {
    pub fn parse(filename: &str, content_type: &str, size_bytes: i64) -> Result<GalleryUpload, FieldErrors> {
        let mut errors = FieldErrors::new();
        match crate::upload::check_file(&mut errors, filename, content_type, size_bytes) {
            Some(f) => {
                Ok(GalleryUpload { filename: f.filename, content_type: f.content_type, size_bytes: f.size_bytes })
            }
            None => Err(errors),
        }
    }

    pub fn pending_photo(&self, gallery: &Gallery, id: ItemId, now: DateTime<Utc>) -> GalleryPhoto {
        GalleryPhoto {
            id,
            booking: gallery.booking,
            photographer: gallery.photographer,
            filename: self.filename.clone(),
            status: ItemStatus::Pending,
            content_type: self.content_type.to_string(),
            declared_bytes: self.size_bytes,
            upload_expires_at: now + Duration::minutes(crate::upload::TICKET_MINUTES),
            retention_days: gallery.retention_days,
            width: None,
            height: None,
            colour: None,
            variants: vec![],
            full: None,
            rejection: None,
            favourite: false,
            expires_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }
}

/// How a change to a photo moves its gallery's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub photos: i64,
    pub ready: i64,
    pub bytes: i64,
}

impl Counts {
    /// What `photo` holds of its gallery's quota.
    pub fn of(photo: &GalleryPhoto) -> Counts {
        match photo.status {
            ItemStatus::Rejected => Counts::default(),
            ItemStatus::Pending => Counts { photos: 1, ready: 0, bytes: photo.declared_bytes as i64 },
            ItemStatus::Ready => Counts { photos: 1, ready: 1, bytes: photo.stored_bytes() as i64 },
        }
    }

    /// The move from `old` to `new` (`None`: the photo does not exist).
    pub fn change(old: Option<&GalleryPhoto>, new: Option<&GalleryPhoto>) -> Counts {
        let a = old.map(Counts::of).unwrap_or_default();
        let b = new.map(Counts::of).unwrap_or_default();
        Counts { photos: b.photos - a.photos, ready: b.ready - a.ready, bytes: b.bytes - a.bytes }
    }
}

impl Settle for GalleryPhoto {
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

impl GalleryPhoto {
    pub fn stored_bytes(&self) -> u64 {
        self.variants.iter().chain(self.full.as_ref()).map(|v| v.bytes).sum()
    }

    pub fn ready(&self, p: ProcessedPhoto, now: DateTime<Utc>) -> Result<GalleryPhoto, AlreadySettled> {
        self.settle(now, |photo| {
            photo.status = ItemStatus::Ready;
            photo.width = Some(p.width);
            photo.height = Some(p.height);
            photo.colour = Some(p.colour);
            photo.variants = p.variants;
            photo.full = Some(p.full);
            photo.expires_at = Some(now + Duration::days(i64::from(photo.retention_days)));
        })
    }

    pub fn with_favourite(&self, favourite: bool, now: DateTime<Utc>) -> GalleryPhoto {
        let mut next = self.clone();
        next.favourite = favourite;
        next.updated_at = now;
        next.version += 1;
        next
    }

    /// Past its retention: S3 and the TTL will remove it; nobody sees it meanwhile.
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|e| now >= e)
    }

    /// Whether `viewer` sees this photo at `now`: the client only ready, unexpired ones.
    pub fn visible_to(&self, viewer: Viewer, now: DateTime<Utc>) -> bool {
        if self.expired(now) {
            return false;
        }
        viewer == Viewer::Photographer || self.status == ItemStatus::Ready
    }

    /// Every object the photo may have in the bucket.
    pub fn object_keys(&self) -> Vec<String> {
        let mut keys = vec![crate::objects::gallery_incoming_key(self.booking, self.id)];
        keys.extend(crate::objects::gallery_keys(self.booking, self.id));
        keys
    }

    /// The name a download is saved under (the stored file is a JPEG).
    pub fn download_name(&self) -> String {
        crate::upload::download_name(&self.filename, "jpg", &self.id.to_string())
    }
}

/// Short-lived links to a photo's objects (presigned by the function).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhotoLinks {
    /// 400 px.
    pub thumbnail: String,
    /// 1600 px.
    pub preview: String,
    /// Full resolution, saved under [`GalleryPhoto::download_name`].
    pub download: String,
    pub expire_at: DateTime<Utc>,
}

/// What either party sees of a photo. Links only for ready photos.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhotoView {
    pub id: ItemId,
    pub status: ItemStatus,
    pub filename: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub colour: Option<String>,
    /// Of the full-resolution download.
    pub bytes: Option<u64>,
    pub favourite: bool,
    pub expires_at: Option<DateTime<Utc>>,
    /// Why it was refused (the photographer's view).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejection: Option<Rejection>,
    pub links: Option<PhotoLinks>,
    pub created_at: DateTime<Utc>,
}

/// The object keys of a ready photo: thumbnail, preview and full size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkKeys {
    pub thumbnail: String,
    pub preview: String,
    pub download: String,
}

impl GalleryPhoto {
    pub fn link_keys(&self) -> Option<LinkKeys> {
        if self.status != ItemStatus::Ready {
            return None;
        }
        let by_size = |size: u32| self.variants.iter().find(|v| v.size == size).map(|v| v.key.clone());
        Some(LinkKeys {
            thumbnail: by_size(crate::objects::DISPLAY_SIZES[0])?,
            preview: by_size(crate::objects::DISPLAY_SIZES[1])?,
            download: self.full.as_ref()?.key.clone(),
        })
    }

    pub fn view(&self, viewer: Viewer, links: Option<PhotoLinks>) -> PhotoView {
        PhotoView {
            id: self.id,
            status: self.status,
            filename: self.filename.clone(),
            width: self.width,
            height: self.height,
            colour: self.colour.clone(),
            bytes: self.full.as_ref().map(|f| f.bytes),
            favourite: self.favourite,
            expires_at: self.expires_at,
            rejection: if viewer == Viewer::Photographer { self.rejection.clone() } else { None },
            links,
            created_at: self.created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0).unwrap()
    }

    fn gallery() -> Gallery {
        Gallery {
            booking: BookingId::new(),
            photographer: UserId::new(),
            client: UserId::new(),
            retention_days: 90,
            delivered_at: None,
            photos: 0,
            ready: 0,
            bytes: 0,
            created_at: now(),
            updated_at: now(),
            version: 1,
        }
    }

    fn processed(photo: &GalleryPhoto) -> ProcessedPhoto {
        let keys = crate::objects::gallery_keys(photo.booking, photo.id);
        ProcessedPhoto {
            width: 6000,
            height: 4000,
            colour: "#102030".into(),
            variants: vec![
                Variant { size: 400, width: 400, height: 267, bytes: 30_000, key: keys[0].clone() },
                Variant { size: 1600, width: 1600, height: 1067, bytes: 300_000, key: keys[1].clone() },
            ],
            full: Variant { size: 6000, width: 6000, height: 4000, bytes: 9_000_000, key: keys[2].clone() },
        }
    }

    #[test]
    fn only_the_photographer_sees_an_undelivered_gallery() {
        let g = gallery();
        assert_eq!(g.viewer(g.photographer), Some(Viewer::Photographer));
        assert_eq!(g.viewer(g.client), None, "the client waits for delivery");
        assert_eq!(g.viewer(UserId::new()), None);
        let delivered = Gallery { delivered_at: Some(now()), ready: 1, ..g.clone() };
        assert_eq!(delivered.viewer(g.client), Some(Viewer::Client));
        assert_eq!(delivered.viewer(UserId::new()), None, "strangers never");
    }

    #[test]
    fn delivery_needs_a_ready_photo_and_is_for_good() {
        let g = gallery();
        let deliver = Settings { retention_days: 90, delivered: true };
        assert_eq!(g.apply(deliver, now()), Err(GalleryError::NothingToDeliver));
        let with_photo = Gallery { photos: 1, ready: 1, ..g };
        let delivered = with_photo.apply(deliver, now()).unwrap().unwrap();
        assert_eq!(delivered.delivered_at, Some(now()));
        assert_eq!(delivered.version, 2);
        assert_eq!(delivered.apply(deliver, now()), Ok(None), "delivering again changes nothing");
        assert_eq!(
            delivered.apply(Settings { retention_days: 90, delivered: false }, now()),
            Err(GalleryError::CannotUndeliver)
        );
    }

    #[test]
    fn retention_is_fixed_once_photos_exist() {
        let g = gallery();
        let longer = Settings { retention_days: 365, delivered: false };
        assert_eq!(g.apply(longer, now()).unwrap().unwrap().retention_days, 365);
        let busy = Gallery { photos: 1, ..g };
        assert_eq!(busy.apply(longer, now()), Err(GalleryError::RetentionLocked(90)));
        let mut errors = FieldErrors::new();
        assert_eq!(check_retention(&mut errors, 180), Some(180));
        assert_eq!(check_retention(&mut errors, 7), None);
        assert_eq!(errors.iter().count(), 1);
    }

    #[test]
    fn counters_follow_a_photo_through_its_life() {
        let g = gallery();
        let up = GalleryUpload::parse("DSC_0001.JPG", "image/jpeg", 12_000_000).unwrap();
        let pending = up.pending_photo(&g, ItemId::new(), now());
        assert_eq!(Counts::change(None, Some(&pending)), Counts { photos: 1, ready: 0, bytes: 12_000_000 });
        let ready = pending.ready(processed(&pending), now()).unwrap();
        assert_eq!(Counts::change(Some(&pending), Some(&ready)), Counts { photos: 0, ready: 1, bytes: -2_670_000 });
        assert_eq!(ready.expires_at, Some(now() + Duration::days(90)));
        assert_eq!(Counts::change(Some(&ready), None), Counts { photos: -1, ready: -1, bytes: -9_330_000 });
        let rejected = pending.rejected("corrupt", "x", now()).unwrap();
        assert_eq!(
            Counts::change(Some(&pending), Some(&rejected)),
            Counts { photos: -1, ready: 0, bytes: -12_000_000 }
        );
        assert!(ready.ready(processed(&pending), now()).is_err(), "settles once");
    }

    #[test]
    fn quotas_count_photos_and_bytes() {
        let g = Gallery { photos: MAX_PHOTOS - 1, bytes: MAX_BYTES - 10, ..gallery() };
        assert_eq!(g.admit(10), Ok(()));
        assert_eq!(g.admit(11), Err(GalleryQuotaError::Bytes { used: MAX_BYTES - 10, wanted: 11 }));
        assert_eq!(Gallery { photos: MAX_PHOTOS, ..g }.admit(1), Err(GalleryQuotaError::Count));
    }

    #[test]
    fn the_client_sees_only_ready_unexpired_photos() {
        let g = gallery();
        let pending = GalleryUpload::parse("a.png", "image/png", 10).unwrap().pending_photo(&g, ItemId::new(), now());
        assert!(pending.visible_to(Viewer::Photographer, now()));
        assert!(!pending.visible_to(Viewer::Client, now()));
        let ready = pending.ready(processed(&pending), now()).unwrap();
        assert!(ready.visible_to(Viewer::Client, now() + Duration::days(89)));
        assert!(!ready.visible_to(Viewer::Client, now() + Duration::days(90)), "expired, TTL or not");
        assert!(!ready.visible_to(Viewer::Photographer, now() + Duration::days(90)));
    }

    #[test]
    fn uploads_are_checked() {
        let e = GalleryUpload::parse("../x.jpg", "image/heic", 0).unwrap_err();
        let fields: Vec<_> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["filename", "content_type", "size_bytes"]);
    }

    #[test]
    fn download_names_are_header_safe() {
        let g = gallery();
        let photo =
            |name: &str| GalleryUpload::parse(name, "image/png", 10).unwrap().pending_photo(&g, ItemId::new(), now());
        assert_eq!(photo("DSC_0001.PNG").download_name(), "DSC_0001.jpg");
        assert_eq!(photo("Mehndi \"night\"; x.png").download_name(), "Mehndi _night__ x.jpg");
        let odd = photo("…");
        assert_eq!(odd.download_name(), format!("{}.jpg", odd.id));
    }

    proptest! {
        #[test]
        fn a_download_name_never_breaks_its_header(name in "\\PC{1,300}") {
            let g = gallery();
            if let Ok(up) = GalleryUpload::parse(&name, "image/jpeg", 10) {
                let n = up.pending_photo(&g, ItemId::new(), now()).download_name();
                prop_assert!(n.is_ascii() && !n.contains(['"', '\\', '/', ';', '\r', '\n']));
                prop_assert!(n.ends_with(".jpg") && n.len() <= 104 + 26);
            }
        }
    }
}
