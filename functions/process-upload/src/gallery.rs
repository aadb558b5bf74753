//! Gallery uploads: the photographer's delivered photos for one booking. Like the
//! portfolio, the type is decided by the bytes, bombs are refused, the orientation is
//! applied and all metadata is dropped; unlike it, the outputs stay private under
//! `galleries/` and include a full-resolution copy for the client to download. Every
//! object carries the gallery's retention as a tag, which S3's lifecycle rules expire
//! it by; the photo's record expires with it (TTL).

use crate::{Error, Outcome, Processor, UploadStore, s3_error};
use aws_sdk_s3::primitives::ByteStream;
use cm_core::BookingId;
use cm_media::gallery::{GalleryPhoto, ProcessedPhoto, RETENTION_TAG};
use cm_media::item::{AlreadySettled, Settle, Variant};
use cm_media::objects::{DISPLAY_SIZES, gallery_incoming_key, gallery_keys};
use cm_media::upload::MAX_UPLOAD_BYTES;
use cm_media::{ItemId, ItemStatus};

impl<S: UploadStore, C: cm_store::attachments::Attachments> Processor<S, C> {
    pub(crate) async fn gallery_record(&self, booking: BookingId, id: ItemId) -> Result<Outcome, Error> {
        let key = gallery_incoming_key(booking, id);
        let Some(photo) = self.store.get_gallery_photo(booking, id).await? else {
            self.delete(&key).await?;
            return Ok(Outcome::Orphan);
        };
        if photo.status != ItemStatus::Pending {
            self.delete(&key).await?;
            return Ok(Outcome::AlreadySettled(photo.status));
        }
        let outcome = match self.read(&key).await? {
            None => return Ok(Outcome::Missing),
            Some(Err(size)) => {
                let reason = format!("{size} bytes is more than the {MAX_UPLOAD_BYTES} an upload may have");
                self.settle_photo(&photo, photo.rejected("too_large", &reason, self.now()), &[]).await?
            }
            Some(Ok(bytes)) => self.process_photo(&photo, bytes).await?,
        };
        self.delete(&key).await?;
        Ok(outcome)
    }

    async fn process_photo(&self, photo: &GalleryPhoto, bytes: Vec<u8>) -> Result<Outcome, Error> {
        let processed = match self.decode(bytes, true).await? {
            Err(rejection) => {
                let next = photo.rejected(rejection.code(), &rejection.to_string(), self.now());
                return self.settle_photo(photo, next, &[]).await;
            }
            Ok(p) => p,
        };
        let keys = gallery_keys(photo.booking, photo.id);
        let tag = format!("{RETENTION_TAG}={}", photo.retention_days);
        let mut written = Vec::new();
        let mut outputs = Vec::new();
        // `gallery_keys` names the display sizes in order, then the full size, as
        // `cm_imaging` returns them.
        for (out, key) in processed.outputs.iter().zip(&keys) {
            self.s3
                .put_object()
                .bucket(&self.bucket)
                .key(key)
                .content_type(cm_imaging::Encoded::CONTENT_TYPE)
                // Only presigned links reach it; browsers may keep what they fetched.
                .cache_control("private, max-age=86400")
                .tagging(&tag)
                .body(ByteStream::from(out.bytes.clone()))
                .send()
                .await
                .map_err(s3_error)?;
            written.push(key.clone());
            let size = out.label.parse().unwrap_or(out.width.max(out.height));
            outputs.push(Variant {
                size,
                width: out.width,
                height: out.height,
                bytes: out.bytes.len() as u64,
                key: key.clone(),
            });
        }
        let (Some(full), true) = (outputs.pop(), outputs.len() == DISPLAY_SIZES.len()) else {
            return Err(Error::S3(format!(
                "processing made {} outputs, not the sizes and the full size",
                written.len()
            )));
        };
        let next = photo.ready(
            ProcessedPhoto {
                width: processed.width,
                height: processed.height,
                colour: processed.colour_hex(),
                variants: outputs,
                full,
            },
            self.now(),
        );
        self.settle_photo(photo, next, &written).await
    }

    /// As `settle` for portfolio items: the settled photo replaces the pending one it was
    /// made from (moving the gallery's counters), or, having lost to a deletion or
    /// another delivery, the objects written for it go unless the winner published them.
    async fn settle_photo(
        &self,
        photo: &GalleryPhoto,
        next: Result<GalleryPhoto, AlreadySettled>,
        written: &[String],
    ) -> Result<Outcome, Error> {
        let next = match next {
            Ok(n) => n,
            Err(settled) => return Ok(Outcome::AlreadySettled(settled.0)),
        };
        if self.store.replace_gallery_photo(photo, &next).await? {
            return Ok(match next.rejection {
                Some(r) => Outcome::Rejected(r.code),
                None => Outcome::Ready,
            });
        }
        match self.store.get_gallery_photo(photo.booking, photo.id).await? {
            Some(current) if current.status == ItemStatus::Ready => Ok(Outcome::AlreadySettled(current.status)),
            current => {
                for key in written {
                    self.delete(key).await?;
                }
                Ok(current.map_or(Outcome::Orphan, |c| Outcome::AlreadySettled(c.status)))
            }
        }
    }
}
