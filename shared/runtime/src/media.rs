//! The media bucket as functions use it: deleting objects, and short-lived links to
//! private ones (client galleries), presigned with the function's own credentials.

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
