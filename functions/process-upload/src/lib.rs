//! S3-triggered (`ObjectCreated` under `incoming/`): turns an uploaded photo into its
//! published display sizes, or rejects it, and deletes the upload. Portfolio photos go
//! public (under `public/`, behind the CDN); client-gallery photos stay private (under
//! `galleries/`, reached only through presigned links) and also keep a full-resolution
//! copy to download (`gallery.rs`); chat attachments, images or PDFs, stay private
//! under `chat/` (`chat.rs`).
//!
//! The file's type is decided by its bytes; the decoder refuses decompression bombs
//! from their header; the EXIF orientation is applied and everything else the file
//! carried (GPS position above all) is dropped by re-encoding (`cm_imaging`). The
//! outputs go under `public/` or `galleries/` only: this function never writes where
//! it is triggered, so it cannot trigger itself.
//!
//! S3 delivers at least once. The item settles with a write conditional on its
//! version, and only a `pending` item is processed: a redelivery finds it settled and
//! only makes sure the upload is gone. The upload is deleted last, so a crash at any
//! step leaves the next delivery able to finish the work.

use aws_lambda_events::s3::{S3Event, S3EventRecord};
use aws_sdk_s3::primitives::ByteStream;
use chrono::{DateTime, Utc};
use cm_core::{Clock, SystemClock};
use cm_imaging::{Limits, Request as ImageRequest};
use cm_media::item::{Processed, Settle, Variant};
use cm_media::objects::{DISPLAY_SIZES, Upload, parse_incoming, variant_key};
use cm_media::upload::MAX_UPLOAD_BYTES;
use cm_media::{ItemStatus, PortfolioItem};
use cm_store::attachments::Attachments;
use cm_store::chat::ChatStore;
use cm_store::{DynamoStore, GalleryReader, GalleryWriter, PortfolioReader, PortfolioWriter, StoreError};
use lambda_runtime::LambdaEvent;
use std::sync::Arc;

pub struct Processor<S, C = ChatStore> {
    pub store: S,
    /// Chat attachments live in the chat table.
    pub chat: C,
    pub s3: aws_sdk_s3::Client,
    /// The media bucket: uploads under `incoming/`, variants under `public/`.
    pub bucket: String,
    pub clock: Arc<dyn Clock>,
    pub limits: Limits,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("S3: {0}")]
    S3(String),
    #[error("the event is for bucket {0}, not ours")]
    WrongBucket(String),
}

fn s3_error<E: std::error::Error + 'static>(e: aws_sdk_s3::error::SdkError<E>) -> Error {
    Error::S3(aws_sdk_s3::error::DisplayErrorContext(e).to_string())
}

/// What one record came to, for the logs and the tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ready,
    Rejected(String),
    /// Settled by an earlier delivery: nothing was processed again.
    AlreadySettled(ItemStatus),
    /// No item waits for this upload (deleted meanwhile): the object was removed.
    Orphan,
    /// Not an upload our tickets issue, or not an ObjectCreated event.
    Ignored,
    /// The object is gone and the item is still pending: nothing to process.
    Missing,
}

impl Outcome {
    /// One `Uploads` count by outcome. A redelivery of a settled upload is counted as
    /// `duplicate`, never as its first outcome again; an event that was no upload of ours
    /// is not counted.
    fn count(&self) {
        let (outcome, reason) = match self {
            Outcome::Ready => ("ready", None),
            Outcome::Rejected(code) => ("rejected", Some(code.as_str())),
            Outcome::AlreadySettled(_) => ("duplicate", None),
            Outcome::Orphan => ("orphan", None),
            Outcome::Missing => ("missing", None),
            Outcome::Ignored => return,
        };
        let mut line = cm_metrics::Line::new().dimension("Outcome", outcome);
        if let Some(reason) = reason {
            line = line.property("reason", reason);
        }
        line.metric("Uploads", cm_metrics::Unit::Count, 1.0, &[&["Outcome"]]).emit();
    }
}

impl Processor<DynamoStore, ChatStore> {
    pub async fn from_env(env: cm_runtime::Env) -> Result<Self, lambda_runtime::Error> {
        let bucket = cm_runtime::env_var("MEDIA_BUCKET").ok_or("MEDIA_BUCKET is required")?;
        let path_style = cm_runtime::env_var("S3_FORCE_PATH_STYLE").is_some_and(|v| v == "true");
        let s3 = aws_sdk_s3::config::Builder::from(&env.sdk).force_path_style(path_style).build();
        Ok(Processor {
            store: env.store()?,
            chat: env.chat_store()?,
            s3: aws_sdk_s3::Client::from_conf(s3),
            bucket,
            clock: Arc::new(SystemClock),
            limits: Limits::default(),
        })
    }
}

/// What processing touches: portfolio items and gallery photos.
pub trait UploadStore: PortfolioReader + PortfolioWriter + GalleryReader + GalleryWriter {}
impl<S: PortfolioReader + PortfolioWriter + GalleryReader + GalleryWriter> UploadStore for S {}

mod chat;
mod gallery;

impl<S: UploadStore, C: Attachments> Processor<S, C> {
    /// Every record is attempted; a failure fails the invocation after the others,
    /// and Lambda retries it (each record is idempotent) before parking the event in
    /// the on-failure queue.
    pub async fn handle(&self, event: LambdaEvent<S3Event>) -> Result<(), lambda_runtime::Error> {
        let mut failed = 0;
        for record in &event.payload.records {
            match self.record(record).await {
                Ok(outcome) => {
                    tracing::info!(key = ?record.s3.object.key, ?outcome, "upload processed");
                    outcome.count();
                }
                Err(e) => {
                    failed += 1;
                    tracing::error!(key = ?record.s3.object.key, error = %e, "upload failed");
                    cm_metrics::count("Uploads", "Outcome", "failed");
                }
            }
        }
        if failed > 0 {
            return Err(format!("{failed} of {} uploads failed", event.payload.records.len()).into());
        }
        Ok(())
    }

    pub async fn record(&self, record: &S3EventRecord) -> Result<Outcome, Error> {
        if !record.event_name.as_deref().is_some_and(|n| n.starts_with("ObjectCreated:")) {
            return Ok(Outcome::Ignored);
        }
        let bucket = record.s3.bucket.name.clone().unwrap_or_default();
        if bucket != self.bucket {
            return Err(Error::WrongBucket(bucket));
        }
        let Some(raw_key) = record.s3.object.key.as_deref() else { return Ok(Outcome::Ignored) };
        let (photographer, item) = match parse_incoming(raw_key) {
            Some(Upload::Portfolio { photographer, item }) => (photographer, item),
            Some(Upload::Gallery { booking, photo }) => return self.gallery_record(booking, photo).await,
            Some(Upload::Chat { booking, attachment }) => return self.chat_record(booking, &attachment).await,
            None => return Ok(Outcome::Ignored),
        };
        let key = cm_media::objects::incoming_key(photographer, item);
        let Some(item) = self.store.get_portfolio_item(photographer, item).await? else {
            self.delete(&key).await?;
            return Ok(Outcome::Orphan);
        };
        if item.status != ItemStatus::Pending {
            self.delete(&key).await?;
            return Ok(Outcome::AlreadySettled(item.status));
        }
        let outcome = match self.read(&key).await? {
            None => return Ok(Outcome::Missing),
            Some(Err(size)) => {
                let reason = format!("{size} bytes is more than the {MAX_UPLOAD_BYTES} an upload may have");
                self.settle(&item, item.rejected("too_large", &reason, self.now()), &[]).await?
            }
            Some(Ok(bytes)) => self.process(&item, bytes).await?,
        };
        self.delete(&key).await?;
        Ok(outcome)
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Decoding is CPU work of up to a second: off the async workers.
    async fn decode(
        &self,
        bytes: Vec<u8>,
        full_size: bool,
    ) -> Result<Result<cm_imaging::Processed, cm_imaging::Rejection>, Error> {
        let request = ImageRequest { sizes: DISPLAY_SIZES.to_vec(), full_size, limits: self.limits };
        tokio::task::spawn_blocking(move || cm_imaging::process(&bytes, &request))
            .await
            .map_err(|e| Error::S3(format!("processing panicked: {e}")))
    }

    async fn process(&self, item: &PortfolioItem, bytes: Vec<u8>) -> Result<Outcome, Error> {
        let original_bytes = bytes.len() as u64;
        let processed = match self.decode(bytes, false).await? {
            Err(rejection) => {
                let next = item.rejected(rejection.code(), &rejection.to_string(), self.now());
                return self.settle(item, next, &[]).await;
            }
            Ok(p) => p,
        };
        let mut variants = Vec::new();
        for (size, out) in DISPLAY_SIZES.iter().zip(&processed.outputs) {
            let key = variant_key(item.photographer, item.id, *size);
            self.s3
                .put_object()
                .bucket(&self.bucket)
                .key(&key)
                .content_type(cm_imaging::Encoded::CONTENT_TYPE)
                // The key is never reused for other content: caches may keep it.
                .cache_control("public, max-age=31536000, immutable")
                .body(ByteStream::from(out.bytes.clone()))
                .send()
                .await
                .map_err(s3_error)?;
            variants.push(Variant {
                size: *size,
                width: out.width,
                height: out.height,
                bytes: out.bytes.len() as u64,
                key,
            });
        }
        let keys: Vec<String> = variants.iter().map(|v| v.key.clone()).collect();
        let next = item.ready(
            Processed {
                width: processed.width,
                height: processed.height,
                colour: processed.colour_hex(),
                original_bytes,
                variants,
            },
            self.now(),
        );
        self.settle(item, next, &keys).await
    }

    /// Writes the settled item over the pending one it was made from. If that lost
    /// (the photographer deleted the item meanwhile, or a concurrent delivery settled
    /// it), the variants written for it are removed unless the winner published them.
    async fn settle(
        &self,
        item: &PortfolioItem,
        next: Result<PortfolioItem, cm_media::item::AlreadySettled>,
        written: &[String],
    ) -> Result<Outcome, Error> {
        let next = match next {
            Ok(n) => n,
            Err(settled) => return Ok(Outcome::AlreadySettled(settled.0)),
        };
        if self.store.replace_portfolio_item(item, &next).await? {
            return Ok(match next.rejection {
                Some(r) => Outcome::Rejected(r.code),
                None => Outcome::Ready,
            });
        }
        match self.store.get_portfolio_item(item.photographer, item.id).await? {
            Some(current) if current.status == ItemStatus::Ready => Ok(Outcome::AlreadySettled(current.status)),
            current => {
                for key in written {
                    self.delete(key).await?;
                }
                Ok(current.map_or(Outcome::Orphan, |c| Outcome::AlreadySettled(c.status)))
            }
        }
    }

    /// The upload's bytes; `Err(size)` without reading it when it is over the limit
    /// (S3's policy already refuses that; this guards the function's memory anyway).
    async fn read(&self, key: &str) -> Result<Option<Result<Vec<u8>, i64>>, Error> {
        let out = match self.s3.get_object().bucket(&self.bucket).key(key).send().await {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Ok(None),
            Err(e) => return Err(s3_error(e)),
        };
        let size = out.content_length.unwrap_or(0);
        if size < 0 || size as u64 > MAX_UPLOAD_BYTES {
            return Ok(Some(Err(size)));
        }
        let bytes = out.body.collect().await.map_err(|e| Error::S3(e.to_string()))?.into_bytes().to_vec();
        if bytes.len() as u64 > MAX_UPLOAD_BYTES {
            return Ok(Some(Err(bytes.len() as i64)));
        }
        Ok(Some(Ok(bytes)))
    }

    async fn delete(&self, key: &str) -> Result<(), Error> {
        self.s3.delete_object().bucket(&self.bucket).key(key).send().await.map_err(s3_error)?;
        Ok(())
    }
}
