//! Upload tickets: S3 POST forms signed with the function's own credentials.
//!
//! aws-sdk-s3 presigns only GET/PUT requests; a POST policy (the only way to make S3
//! enforce a size range) is signed here with aws-sigv4's public SigV4 functions over
//! the policy `cm_media::policy` writes.

use crate::config::{ConfigError, Env, env_var};
use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use chrono::{DateTime, Utc};
use cm_http::Internal;
use cm_media::policy::{PostPolicy, PresignedPost, Signer};

/// One object to be uploaded through a ticket.
#[derive(Debug, Clone)]
pub struct Ticket {
    pub key: String,
    pub content_type: String,
    pub max_bytes: u64,
    pub expires_at: DateTime<Utc>,
}

pub struct UploadSigner {
    credentials: SharedCredentialsProvider,
    region: String,
    bucket: String,
    /// Where the browser posts the form.
    endpoint: String,
}

impl std::fmt::Debug for UploadSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadSigner").field("bucket", &self.bucket).field("endpoint", &self.endpoint).finish()
    }
}

impl UploadSigner {
    /// `MEDIA_BUCKET`, the SDK's region and credentials; posts go to the bucket's
    /// virtual-hosted endpoint, or, when `AWS_ENDPOINT_URL_S3` (or `AWS_ENDPOINT_URL`)
    /// points at a local S3, to `<endpoint>/<bucket>`.
    pub fn from_env(env: &Env) -> Result<UploadSigner, ConfigError> {
        let bucket = env_var("MEDIA_BUCKET").ok_or(ConfigError::Missing("MEDIA_BUCKET"))?;
        let region = env.sdk.region().map(|r| r.to_string()).ok_or(ConfigError::Missing("AWS_REGION"))?;
        let credentials =
            env.sdk.credentials_provider().ok_or_else(|| ConfigError::Invalid("no AWS credentials provider".into()))?;
        let endpoint = match env_var("AWS_ENDPOINT_URL_S3").or_else(|| env_var("AWS_ENDPOINT_URL")) {
            Some(local) => format!("{}/{bucket}", local.trim_end_matches('/')),
            None => format!("https://{bucket}.s3.{region}.amazonaws.com"),
        };
        Ok(UploadSigner { credentials, region, bucket, endpoint })
    }

    /// For tests and tools: fixed credentials.
    pub fn with_credentials(credentials: Credentials, region: &str, bucket: &str, endpoint: &str) -> UploadSigner {
        UploadSigner {
            credentials: SharedCredentialsProvider::new(credentials),
            region: region.to_string(),
            bucket: bucket.to_string(),
            endpoint: endpoint.to_string(),
        }
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The policy for `ticket`, signed at `now`.
    pub async fn sign(&self, ticket: &Ticket, now: DateTime<Utc>) -> Result<PresignedPost, Internal> {
        let creds = self.credentials.provide_credentials().await.map_err(Internal::new)?;
        let policy = PostPolicy {
            bucket: self.bucket.clone(),
            key: ticket.key.clone(),
            content_type: ticket.content_type.clone(),
            max_bytes: ticket.max_bytes,
            expires_at: ticket.expires_at,
            signed_at: now,
            signer: Signer {
                access_key_id: creds.access_key_id().to_string(),
                session_token: creds.session_token().map(String::from),
                region: self.region.clone(),
            },
        };
        let key = aws_sigv4::sign::v4::generate_signing_key(creds.secret_access_key(), now.into(), &self.region, "s3");
        let signature = aws_sigv4::sign::v4::calculate_signature(key, policy.string_to_sign().as_bytes());
        Ok(policy.form(&self.endpoint, &signature))
    }
}
