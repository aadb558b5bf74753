//! JSON answers. Building one cannot fail on a client's account: should our own value
//! not serialise (a bug), the answer is a logged 500 problem, never a panic.

use crate::problem::Problem;
use lambda_http::{Body, Response};
use serde::Serialize;

pub fn json<T: Serialize>(status: u16, value: &T) -> Response<Body> {
    let body = match serde_json::to_string(value) {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "an answer did not serialise");
            return Problem::internal().into_response();
        }
    };
    let mut r = Response::new(Body::Text(body));
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = r.headers_mut();
    headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    headers.insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    r
}

pub fn ok<T: Serialize>(value: &T) -> Response<Body> {
    json(200, value)
}

/// 201 with a `Location` header (omitted if `location` is not a valid header value,
/// which no location we build can be).
pub fn created<T: Serialize>(location: &str, value: &T) -> Response<Body> {
    let mut r = json(201, value);
    if r.status() == http::StatusCode::CREATED
        && let Ok(v) = location.parse()
    {
        r.headers_mut().insert(http::header::LOCATION, v);
    }
    r
}

pub fn no_content() -> Response<Body> {
    let mut r = Response::new(Body::Empty);
    *r.status_mut() = http::StatusCode::NO_CONTENT;
    r
}

/// A listing page: `{items, next_cursor}`.
#[derive(Debug, Serialize)]
pub struct PageBody<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}
