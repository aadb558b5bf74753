//! The S3 POST policy of an upload ticket (AWS: "Creating a POST policy", SigV4).
//!
//! S3 checks every condition itself when the browser posts the form: the exact key,
//! the exact `Content-Type`, a size within `content-length-range`, and the expiry. A
//! presigned PUT could fix only an exact length, so we use POST. This module writes the
//! policy and the form; signing the policy needs credentials and happens in the
//! runtime (`cm_runtime::s3post`), which hands back only the signature.

use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// What the credentials that sign contribute to the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    pub access_key_id: String,
    /// Temporary credentials (Lambda's) must send their session token with the form.
    pub session_token: Option<String>,
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostPolicy {
    pub bucket: String,
    pub key: String,
    pub content_type: String,
    /// `content-length-range` is `[1, max_bytes]`.
    pub max_bytes: u64,
    pub expires_at: DateTime<Utc>,
    /// When it is signed (the credential scope's date and `x-amz-date`).
    pub signed_at: DateTime<Utc>,
    pub signer: Signer,
}

pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The form a browser posts: `url`, and `fields` to send before the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PresignedPost {
    pub url: String,
    pub fields: BTreeMap<String, String>,
    pub expires_at: DateTime<Utc>,
}

impl PostPolicy {
    pub fn credential(&self) -> String {
        format!(
            "{}/{}/{}/s3/aws4_request",
            self.signer.access_key_id,
            self.signed_at.format("%Y%m%d"),
            self.signer.region
        )
    }

    pub fn amz_date(&self) -> String {
        self.signed_at.format("%Y%m%dT%H%M%SZ").to_string()
    }

    /// The policy document (JSON).
    pub fn document(&self) -> serde_json::Value {
        let mut conditions = vec![
            serde_json::json!({ "bucket": self.bucket }),
            serde_json::json!({ "key": self.key }),
            serde_json::json!({ "Content-Type": self.content_type }),
            serde_json::json!(["content-length-range", 1, self.max_bytes]),
            serde_json::json!({ "x-amz-algorithm": ALGORITHM }),
            serde_json::json!({ "x-amz-credential": self.credential() }),
            serde_json::json!({ "x-amz-date": self.amz_date() }),
        ];
        if let Some(token) = &self.signer.session_token {
            conditions.push(serde_json::json!({ "x-amz-security-token": token }));
        }
        serde_json::json!({
            "expiration": self.expires_at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            "conditions": conditions,
        })
    }

    /// What SigV4 signs: the base64 of the document (also the form's `policy` field).
    pub fn string_to_sign(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.document().to_string())
    }

    /// The form, given the signature of [`PostPolicy::string_to_sign`]. `endpoint` is
    /// the bucket's URL (`https://<bucket>.s3.<region>.amazonaws.com`, or a local one).
    pub fn form(&self, endpoint: &str, signature: &str) -> PresignedPost {
        let mut fields = BTreeMap::from([
            ("key".to_string(), self.key.clone()),
            ("Content-Type".to_string(), self.content_type.clone()),
            ("policy".to_string(), self.string_to_sign()),
            ("x-amz-algorithm".to_string(), ALGORITHM.to_string()),
            ("x-amz-credential".to_string(), self.credential()),
            ("x-amz-date".to_string(), self.amz_date()),
            ("x-amz-signature".to_string(), signature.to_string()),
        ]);
        if let Some(token) = &self.signer.session_token {
            fields.insert("x-amz-security-token".to_string(), token.clone());
        }
        PresignedPost { url: endpoint.to_string(), fields, expires_at: self.expires_at }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn policy(token: Option<&str>) -> PostPolicy {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 3, 4, 5).unwrap();
        PostPolicy {
            bucket: "media".into(),
            key: "incoming/portfolio/u/i".into(),
            content_type: "image/png".into(),
            max_bytes: 1234,
            expires_at: at + chrono::Duration::minutes(10),
            signed_at: at,
            signer: Signer {
                access_key_id: "AKIDEXAMPLE".into(),
                session_token: token.map(String::from),
                region: "eu-west-1".into(),
            },
        }
    }

    #[test]
    fn the_document_limits_key_type_size_and_time() {
        let doc = policy(None).document();
        assert_eq!(doc["expiration"], "2026-11-30T03:14:05.000Z");
        let c = doc["conditions"].as_array().unwrap();
        assert!(c.contains(&serde_json::json!({"bucket": "media"})));
        // An exact key (not `starts-with`): the ticket uploads one object, nowhere else.
        assert!(c.contains(&serde_json::json!({"key": "incoming/portfolio/u/i"})));
        assert!(c.contains(&serde_json::json!({"Content-Type": "image/png"})));
        assert!(c.contains(&serde_json::json!(["content-length-range", 1, 1234])));
        assert!(c.contains(&serde_json::json!({"x-amz-credential": "AKIDEXAMPLE/20261130/eu-west-1/s3/aws4_request"})));
        assert!(c.contains(&serde_json::json!({"x-amz-date": "20261130T030405Z"})));
        assert!(c.contains(&serde_json::json!({"x-amz-algorithm": "AWS4-HMAC-SHA256"})));
        assert_eq!(c.len(), 7);
        let with_token = policy(Some("TOKEN")).document();
        assert!(
            with_token["conditions"]
                .as_array()
                .unwrap()
                .contains(&serde_json::json!({"x-amz-security-token": "TOKEN"}))
        );
    }

    #[test]
    fn every_form_field_is_covered_by_the_policy() {
        let p = policy(Some("TOKEN"));
        let form = p.form("http://127.0.0.1:1/media", "abc");
        let decoded = base64::engine::general_purpose::STANDARD.decode(&form.fields["policy"]).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&decoded).unwrap();
        assert_eq!(doc, p.document());
        // S3 refuses a form with a field its policy does not name (policy and the
        // signature itself excepted).
        let named: Vec<String> = doc["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c.as_object().and_then(|o| o.keys().next().cloned()))
            .collect();
        for field in form.fields.keys() {
            if field != "policy" && field != "x-amz-signature" {
                assert!(named.contains(field), "{field} is not in the policy");
            }
        }
        assert_eq!(form.fields["x-amz-signature"], "abc");
        assert_eq!(form.fields["x-amz-security-token"], "TOKEN");
    }
}
