//! The error every handler returns, mapped to a status and a problem in one place.
//! Internal causes are logged, never shown to the client.

use crate::problem::Problem;
use cm_domain::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("invalid query parameters")]
    InvalidQuery(FieldErrors),
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {}", .0.detail)]
    Conflict(Box<Problem>),
    #[error("validation failed")]
    Validation(FieldErrors),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("too many requests")]
    TooManyRequests { retry_after_seconds: i64 },
    /// Something on our side failed. The message is for logs only.
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn internal(e: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(e.to_string())
    }

    pub fn conflict(slug: &str, title: &str, detail: impl Into<String>) -> ApiError {
        ApiError::Conflict(Box::new(Problem::new(409, slug, title, detail)))
    }

    pub fn to_problem(&self) -> Problem {
        match self {
            ApiError::BadRequest(d) => Problem::new(400, "bad-request", "Bad request", d.clone()),
            ApiError::InvalidQuery(errors) => Problem::new(
                400,
                "invalid-query",
                "Invalid query parameters",
                "one or more query parameters are invalid",
            )
            .with_errors(errors.clone()),
            ApiError::Unauthorized(d) => Problem::new(401, "unauthorized", "Unauthorized", d.clone())
                .with_header("www-authenticate", "Bearer".to_string()),
            ApiError::Forbidden(d) => Problem::new(403, "forbidden", "Forbidden", d.clone()),
            ApiError::NotFound(d) => Problem::new(404, "not-found", "Not found", d.clone()),
            ApiError::Conflict(p) => (**p).clone(),
            ApiError::Validation(errors) => {
                Problem::new(422, "validation", "Validation failed", "one or more fields are invalid")
                    .with_errors(errors.clone())
            }
            ApiError::UnsupportedMediaType => Problem::new(
                415,
                "unsupported-media-type",
                "Unsupported media type",
                "send the body as application/json",
            ),
            ApiError::PayloadTooLarge => Problem::new(
                413,
                "payload-too-large",
                "Payload too large",
                format!("request bodies are limited to {} bytes", crate::body::MAX_BODY_BYTES),
            ),
            ApiError::TooManyRequests { retry_after_seconds } => Problem::new(
                429,
                "too-many-requests",
                "Too many requests",
                format!("too many attempts; try again in {retry_after_seconds} seconds"),
            )
            .with_header("retry-after", retry_after_seconds.to_string()),
            ApiError::Internal(_) => {
                Problem::new(500, "internal", "Internal error", "an unexpected error occurred; it has been logged")
            }
        }
    }
}

impl From<cm_store::StoreError> for ApiError {
    fn from(e: cm_store::StoreError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<FieldErrors> for ApiError {
    fn from(e: FieldErrors) -> Self {
        ApiError::Validation(e)
    }
}
