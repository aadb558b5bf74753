//! The media bucket as functions use it: deleting objects, and short-lived links to
//! private ones (client galleries, chat attachments), presigned with the function's own
//! credentials.

use crate::config::{ConfigError, Env, env_var};
use chrono::{DateTime, Utc};
use cm_http::Internal;

#[derive(Debug, Clone)]
pub struct MediaBucket {
    pub s3: aws_sdk_s3::Client,
    pub name: String,
}

impl MediaBucket {
    /// `MEDIA_BUCKET`; `S3_FORCE_PATH_STYLE=true` for a local S3 (moto).
    pub fn from_env(env: &Env) -> Result<MediaBucket, ConfigError> {
        let name = env_var("MEDIA_BUCKET").ok_or(ConfigError::Missing("MEDIA_BUCKET"))?;
        let path_style = env_var("S3_FORCE_PATH_STYLE").is_some_and(|v| v == "true");
        let conf = aws_sdk_s3::config::Builder::from(&env.sdk).force_path_style(path_style).build();
        Ok(MediaBucket { s3: aws_sdk_s3::Client::from_conf(conf), name })
    }

    /// Deletes each key; a key that is already gone is no error (S3 deletes are
    /// idempotent), so a retry after a partial failure finishes the job.
    pub async fn delete(&self, keys: &[String]) -> Result<(), Internal> {
        for key in keys {
            self.s3
                .delete_object()
                .bucket(&self.name)
                .key(key)
                .send()
                .await
                .map_err(|e| Internal::new(aws_sdk_s3::error::DisplayErrorContext(e).to_string()))?;
        }
        Ok(())
    }

    /// A GET link to `key`, signed at `now` and valid for `valid`. With
    /// `download_as`, the browser saves the file under that name (which must be
    /// header-safe: `cm_media::GalleryPhoto::download_name`).
    pub async fn link(
        &self,
        key: &str,
        download_as: Option<&str>,
        now: DateTime<Utc>,
        valid: std::time::Duration,
    ) -> Result<String, Internal> {
        let config = aws_sdk_s3::presigning::PresigningConfig::builder()
            .start_time(now.into())
            .expires_in(valid)
            .build()
            .map_err(Internal::new)?;
        let mut request = self.s3.get_object().bucket(&self.name).key(key);
        if let Some(name) = download_as {
            request = request.response_content_disposition(format!("attachment; filename=\"{name}\""));
        }
        let presigned = request.presigned(config).await.map_err(Internal::new)?;
        Ok(presigned.uri().to_string())
    }
}

/// How long a chat attachment's links work: long enough to open or save the file; the
/// next read of the history brings fresh ones.
pub const ATTACHMENT_LINK_MINUTES: i64 = 15;

impl MediaBucket {
    /// Links to a chat attachment of `booking`, signed at `now` (local work: no request).
    pub async fn attachment_links(
        &self,
        booking: cm_core::BookingId,
        file: &cm_chat::AttachmentRef,
        now: DateTime<Utc>,
    ) -> Result<cm_chat::attachment::AttachmentLinks, Internal> {
        let keys = file.link_keys(booking);
        let valid = chrono::Duration::minutes(ATTACHMENT_LINK_MINUTES);
        let std_valid = valid.to_std().map_err(Internal::new)?;
        let thumbnail = match &keys.thumbnail {
            Some(key) => Some(self.link(key, None, now, std_valid).await?),
            None => None,
        };
        Ok(cm_chat::attachment::AttachmentLinks {
            thumbnail,
            view: self.link(&keys.view, None, now, std_valid).await?,
            download: self.link(&keys.view, Some(&file.download_name()), now, std_valid).await?,
            expire_at: now + valid,
        })
    }

    /// Adds links to the attachment a message view carries, if any.
    pub async fn link_attachment(&self, view: &mut cm_chat::MessageView, now: DateTime<Utc>) -> Result<(), Internal> {
        let booking = view.booking_id;
        if let Some(shown) = view.attachment.as_mut() {
            shown.links = Some(self.attachment_links(booking, &shown.file, now).await?);
        }
        Ok(())
    }
}
