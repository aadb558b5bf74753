//! `GET /openapi.json`: the OpenAPI 3.1 description of this API, compiled in from
//! docs/openapi.json (a test keeps it in step with template.yaml's routes).

use cm_http::{ApiError, App, Body, Request, Response};

pub const DOCUMENT: &str = include_str!("../../../docs/openapi.json");

pub async fn handle(_app: &App, _req: Request) -> Result<Response<Body>, ApiError> {
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .header("cache-control", "public, max-age=300")
        .body(Body::Text(DOCUMENT.to_string()))
        .map_err(ApiError::internal)
}
