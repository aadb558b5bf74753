use crate::ApiError;
use lambda_http::{Body, Response};
use serde::Serialize;

pub fn json<T: Serialize>(status: u16, value: &T) -> Result<Response<Body>, ApiError> {
    let body = serde_json::to_string(value).map_err(ApiError::internal)?;
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .body(Body::Text(body))
        .map_err(ApiError::internal)
}

pub fn ok<T: Serialize>(value: &T) -> Result<Response<Body>, ApiError> {
    json(200, value)
}

pub fn created<T: Serialize>(location: &str, value: &T) -> Result<Response<Body>, ApiError> {
    let mut r = json(201, value)?;
    if let Ok(v) = location.parse() {
        r.headers_mut().insert(http::header::LOCATION, v);
    }
    Ok(r)
}

pub fn no_content() -> Result<Response<Body>, ApiError> {
    Response::builder().status(204).body(Body::Empty).map_err(ApiError::internal)
}

/// A listing page: `{items, next_cursor}`.
#[derive(Debug, Serialize)]
pub struct PageBody<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}
