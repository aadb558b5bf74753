//! Request bodies: JSON only, bounded in size, unknown fields refused, and every
//! decoding failure answered as a precise 4xx naming the offending field.

use crate::RequestError;
use cm_core::FieldErrors;
use lambda_http::{Body, Request};
use serde::de::DeserializeOwned;

pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Decodes a JSON body. A body without a JSON content type is refused (415) rather
/// than guessed at: silently parsing form posts as JSON hides client bugs.
pub fn parse_json<T: DeserializeOwned>(req: &Request) -> Result<T, RequestError> {
    let content_type = req.headers().get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if !(mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))) {
        return Err(RequestError::UnsupportedMediaType);
    }
    let bytes: &[u8] = match req.body() {
        Body::Empty => &[],
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => &[],
    };
    if bytes.len() > MAX_BODY_BYTES {
        return Err(RequestError::PayloadTooLarge);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(RequestError::BadRequest("the request body is empty; send a JSON object".into()));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| RequestError::BadRequest("the request body is not valid UTF-8".into()))?;
    // Syntax first, shape second: a truncated body is malformed (400) even when its
    // first element already has the wrong type.
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Eof => RequestError::BadRequest("the JSON body ends too early".into()),
        _ => RequestError::BadRequest(format!("malformed JSON: {e}")),
    })?;
    serde_path_to_error::deserialize(json).map_err(|e| shape_error(&e))
}

/// Well-formed JSON of the wrong shape: name the field so the client can fix it.
fn shape_error(e: &serde_path_to_error::Error<serde_json::Error>) -> RequestError {
    let path = e.path().to_string();
    let field = if path == "." { String::new() } else { path };
    RequestError::Validation(FieldErrors::single(field, e.inner().to_string()))
}
