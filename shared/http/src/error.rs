//! What can go wrong before a handler's own rules run, and the one trait every
//! endpoint's error implements to become a problem document.

use crate::problem::Problem;
use cm_core::FieldErrors;

/// Maps an error to the problem document the client gets. Each endpoint implements it
/// for its own error enum with one arm per variant, so adding a variant is a compile
/// error until its answer is decided. Statuses of 500 and above are logged with the
/// error's `Display`, which may carry internal detail that the problem never shows.
pub trait IntoProblem: std::fmt::Display {
    fn to_problem(&self) -> Problem;
}

/// A client mistake in the request itself: its body, its parameters, its media type.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("invalid query parameters: {0}")]
    InvalidQuery(FieldErrors),
    #[error("validation failed: {0}")]
    Validation(FieldErrors),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    PayloadTooLarge,
    /// A path id that cannot name anything: the same answer as an unknown id.
    #[error("not found: {0}")]
    NotFound(String),
    /// The route and the handler disagree about a path parameter: our bug.
    #[error("route has no `{0}` path parameter")]
    Route(String),
}

impl IntoProblem for RequestError {
    fn to_problem(&self) -> Problem {
        match self {
            RequestError::BadRequest(d) => Problem::new(400, "bad-request", "Bad request", d.clone()),
            RequestError::InvalidQuery(errors) => Problem::new(
                400,
                "invalid-query",
                "Invalid query parameters",
                "one or more query parameters are invalid",
            )
            .with_errors(errors.clone()),
            RequestError::Validation(errors) => Problem::validation(errors.clone()),
            RequestError::UnsupportedMediaType => Problem::new(
                415,
                "unsupported-media-type",
                "Unsupported media type",
                "send the body as application/json",
            ),
            RequestError::PayloadTooLarge => Problem::new(
                413,
                "payload-too-large",
                "Payload too large",
                format!("request bodies are limited to {} bytes", crate::body::MAX_BODY_BYTES),
            ),
            RequestError::NotFound(d) => Problem::not_found(d.clone()),
            RequestError::Route(_) => Problem::internal(),
        }
    }
}

/// Something on our side failed in a way no client can fix (a response that would not
/// serialise, a secret missing from this function). The message is for logs only.
#[derive(Debug, thiserror::Error)]
#[error("internal: {0}")]
pub struct Internal(pub String);

impl Internal {
    pub fn new(e: impl std::fmt::Display) -> Internal {
        Internal(e.to_string())
    }
}

impl IntoProblem for Internal {
    fn to_problem(&self) -> Problem {
        Problem::internal()
    }
}
