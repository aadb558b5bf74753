//! RFC 9457 problem details: the one shape every error takes on the wire.

use cm_core::FieldErrors;
use lambda_http::{Body, Response};
use serde::Serialize;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";
const TYPE_BASE: &str = "https://capturemoments.app/problems/";

#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// A stable URI per kind of problem that clients can switch on.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<FieldErrors>,
    /// Problem-specific members (RFC 9457 §3.2), e.g. the rule a booking broke.
    #[serde(flatten, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extensions: serde_json::Map<String, serde_json::Value>,
    #[serde(skip)]
    pub headers: Vec<(&'static str, String)>,
}

impl Problem {
    pub fn new(status: u16, slug: &str, title: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: format!("{TYPE_BASE}{slug}"),
            title: title.to_string(),
            status,
            detail: detail.into(),
            errors: None,
            extensions: serde_json::Map::new(),
            headers: Vec::new(),
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(404, "not-found", "Not found", detail)
    }

    /// 405 with the `Allow` header listing what `path` does support.
    pub fn method_not_allowed(path: &str, method: &str, allow: &str) -> Problem {
        Problem::new(
            405,
            "method-not-allowed",
            "Method not allowed",
            format!("{path} does not support {method}; it supports {allow}"),
        )
        .with_header("allow", allow.to_string())
    }

    pub fn conflict(slug: &str, title: &str, detail: impl Into<String>) -> Problem {
        Problem::new(409, slug, title, detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Problem {
        Problem::new(401, "unauthorized", "Unauthorized", detail).with_header("www-authenticate", "Bearer".into())
    }

    pub fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(403, "forbidden", "Forbidden", detail)
    }

    pub fn validation(errors: FieldErrors) -> Problem {
        Problem::new(422, "validation", "Validation failed", "one or more fields are invalid").with_errors(errors)
    }

    pub fn too_many_requests(retry_after_seconds: i64) -> Problem {
        Problem::new(
            429,
            "too-many-requests",
            "Too many requests",
            format!("too many attempts; try again in {retry_after_seconds} seconds"),
        )
        .with_header("retry-after", retry_after_seconds.to_string())
    }

    /// The one answer for anything that failed on our side; the cause is logged.
    pub fn internal() -> Problem {
        Problem::new(500, "internal", "Internal error", "an unexpected error occurred; it has been logged")
    }

    pub fn with_errors(mut self, errors: FieldErrors) -> Problem {
        self.errors = Some(errors);
        self
    }

    pub fn with_extension(mut self, key: &str, value: serde_json::Value) -> Problem {
        self.extensions.insert(key.to_string(), value);
        self
    }

    pub fn with_header(mut self, name: &'static str, value: String) -> Problem {
        self.headers.push((name, value));
        self
    }

    pub fn into_response(self) -> Response<Body> {
        let body = serde_json::to_string(&self).unwrap_or_else(|_| {
            format!(
                r#"{{"type":"{TYPE_BASE}internal","title":"Internal error","status":500,"detail":"unexpected error"}}"#
            )
        });
        let mut builder = Response::builder().status(self.status).header("content-type", PROBLEM_CONTENT_TYPE);
        for (name, value) in &self.headers {
            builder = builder.header(*name, value);
        }
        builder.body(Body::Text(body)).unwrap_or_else(|_| {
            let mut r = Response::new(Body::Empty);
            *r.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
            r
        })
    }
}
