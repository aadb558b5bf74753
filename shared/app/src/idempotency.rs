//! The `Idempotency-Key` protocol for creating requests: the key from the header, a hash
//! of the body as sent, and the stored answer replayed to a retry of the same request.

use base64::Engine;
use cm_booking::idempotency::IdempotentResponse;
use cm_http::{Body, Internal, Problem, Request, RequestError, Response};
use sha2::{Digest, Sha256};

pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// The client's key, if it sent one: 1 to 255 visible ASCII characters.
pub fn idempotency_key(req: &Request) -> Result<Option<String>, RequestError> {
    let Some(value) = req.headers().get(IDEMPOTENCY_HEADER) else { return Ok(None) };
    let key = value.to_str().ok().map(str::trim).unwrap_or_default();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(RequestError::BadRequest("Idempotency-Key must be 1 to 255 visible ASCII characters".into()));
    }
    Ok(Some(key.to_string()))
}

/// Hash of the request body, compared on replays. The parsed JSON is hashed, so
/// whitespace and key order do not make a retry "different".
pub fn request_hash(req: &Request) -> String {
    let bytes: &[u8] = match req.body() {
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => &[],
    };
    let canonical = serde_json::from_slice::<serde_json::Value>(bytes).map(|v| v.to_string()).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// Why a stored answer cannot be replayed.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("this Idempotency-Key was already used with a different request body")]
    KeyReused,
    #[error(transparent)]
    Internal(#[from] Internal),
}

pub fn key_reused_problem() -> Problem {
    Problem::new(
        422,
        "idempotency-key-reused",
        "Idempotency key reused",
        "this Idempotency-Key was already used with a different request body",
    )
}

/// The first request's answer again, marked as a replay, with its `Location`.
pub fn replay(
    stored: &IdempotentResponse,
    request_hash: &str,
    location_prefix: &str,
) -> Result<Response<Body>, ReplayError> {
    if stored.request_hash != request_hash {
        return Err(ReplayError::KeyReused);
    }
    let mut resp = Response::builder()
        .status(stored.status)
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .header("idempotent-replayed", "true")
        .body(Body::Text(stored.body.clone()))
        .map_err(Internal::new)?;
    if let Ok(id) = serde_json::from_str::<serde_json::Value>(&stored.body)
        .map(|v| v["id"].as_str().unwrap_or_default().to_string())
        && let Ok(loc) = format!("{location_prefix}{id}").parse()
    {
        resp.headers_mut().insert(http::header::LOCATION, loc);
    }
    Ok(resp)
}
