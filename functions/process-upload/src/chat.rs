//! Chat attachments: an image or a PDF shared in a booking's chat. An image is
//! processed like any photo (type by its bytes, bombs refused, orientation applied,
//! metadata dropped) into two display sizes; a PDF is kept byte for byte once its bytes
//! are a PDF (`cm_chat::attachment::check_pdf`). Either way the objects stay private
//! under `chat/`, where only presigned links reach them, for as long as the chat.

use crate::{Error, Outcome, Processor, UploadStore, s3_error};
use aws_sdk_s3::primitives::ByteStream;
use cm_chat::attachment::{Attachment, AttachmentKind, Stored, check_pdf};
use cm_chat::{AttachmentId, attachment::MAX_BYTES};
use cm_core::BookingId;
use cm_media::item::{AlreadySettled, Settle};
use cm_media::objects::{chat_incoming_key, chat_keys};
use cm_media::{ItemStatus, upload::MAX_UPLOAD_BYTES};
use cm_store::attachments::Attachments;

impl<S: UploadStore, C: Attachments> Processor<S, C> {
    pub(crate) async fn chat_record(&self, booking: BookingId, raw_id: &str) -> Result<Outcome, Error> {
        let key = chat_incoming_key(booking, raw_id);
        // `parse_incoming` only passes ULIDs.
        let Ok(id) = raw_id.parse::<AttachmentId>() else { return Ok(Outcome::Ignored) };
        let Some(attachment) = self.chat.attachment(booking, id, self.now()).await? else {
            self.delete(&key).await?;
            return Ok(Outcome::Orphan);
        };
        if attachment.status != ItemStatus::Pending {
            self.delete(&key).await?;
            return Ok(Outcome::AlreadySettled(attachment.status));
        }
        let outcome = match self.read(&key).await? {
            None => return Ok(Outcome::Missing),
            Some(Err(size)) => self.too_large(&attachment, size).await?,
            // S3's policy holds an upload to its declared size (which the room's quota
            // counted); the check is repeated here, where it costs nothing.
            Some(Ok(bytes)) if bytes.len() as u64 > MAX_BYTES.min(attachment.declared_bytes) => {
                self.too_large(&attachment, bytes.len() as i64).await?
            }
            Some(Ok(bytes)) => self.process_attachment(&attachment, bytes).await?,
        };
        self.delete(&key).await?;
        Ok(outcome)
    }

    async fn too_large(&self, attachment: &Attachment, size: i64) -> Result<Outcome, Error> {
        let limit = MAX_BYTES.min(MAX_UPLOAD_BYTES).min(attachment.declared_bytes);
        let reason = format!("{size} bytes is more than the {limit} this upload was announced with");
        self.settle_attachment(attachment, attachment.rejected("too_large", &reason, self.now()), &[]).await
    }

    async fn process_attachment(&self, attachment: &Attachment, bytes: Vec<u8>) -> Result<Outcome, Error> {
        let raw_id = attachment.id.to_string();
        match attachment.kind {
            AttachmentKind::Document => {
                if let Err(reason) = check_pdf(&bytes) {
                    let next = attachment.rejected("not_a_pdf", reason, self.now());
                    return self.settle_attachment(attachment, next, &[]).await;
                }
                let keys = chat_keys(attachment.booking_id, &raw_id, false);
                let size_bytes = bytes.len() as u64;
                self.put_private(&keys[0], "application/pdf", bytes).await?;
                let stored = Stored {
                    content_type: "application/pdf".into(),
                    size_bytes,
                    width: None,
                    height: None,
                    objects: keys.clone(),
                };
                self.settle_attachment(attachment, attachment.ready(stored, self.now()), &keys).await
            }
            AttachmentKind::Image => {
                let processed = match self.decode(bytes, false).await? {
                    Err(rejection) => {
                        let next = attachment.rejected(rejection.code(), &rejection.to_string(), self.now());
                        return self.settle_attachment(attachment, next, &[]).await;
                    }
                    Ok(p) => p,
                };
                let keys = chat_keys(attachment.booking_id, &raw_id, true);
                let mut written = Vec::new();
                // `chat_keys` names the display sizes in order, as `cm_imaging` returns them.
                for (out, key) in processed.outputs.iter().zip(&keys) {
                    self.put_private(key, cm_imaging::Encoded::CONTENT_TYPE, out.bytes.clone()).await?;
                    written.push(key.clone());
                }
                let Some(view) = processed.outputs.get(keys.len() - 1) else {
                    return Err(Error::S3(format!("processing made {} outputs, not {}", written.len(), keys.len())));
                };
                let stored = Stored {
                    content_type: cm_imaging::Encoded::CONTENT_TYPE.into(),
                    size_bytes: view.bytes.len() as u64,
                    width: Some(view.width),
                    height: Some(view.height),
                    objects: keys,
                };
                self.settle_attachment(attachment, attachment.ready(stored, self.now()), &written).await
            }
        }
    }

    async fn put_private(&self, key: &str, content_type: &str, bytes: Vec<u8>) -> Result<(), Error> {
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            // Only presigned links reach it; browsers may keep what they fetched.
            .cache_control("private, max-age=86400")
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(s3_error)?;
        Ok(())
    }

    /// As for photos: the settled attachment replaces the pending one it was made from,
    /// or, having lost to another delivery, the objects written for it go unless the
    /// winner published them.
    async fn settle_attachment(
        &self,
        attachment: &Attachment,
        next: Result<Attachment, AlreadySettled>,
        written: &[String],
    ) -> Result<Outcome, Error> {
        let next = match next {
            Ok(n) => n,
            Err(settled) => return Ok(Outcome::AlreadySettled(settled.0)),
        };
        if self.chat.replace_attachment(attachment, &next).await? {
            return Ok(match next.rejection {
                Some(r) => Outcome::Rejected(r.code),
                None => Outcome::Ready,
            });
        }
        match self.chat.attachment(attachment.booking_id, attachment.id, self.now()).await? {
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
