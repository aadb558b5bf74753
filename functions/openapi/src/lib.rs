//! `GET /openapi.json`: the OpenAPI 3.1 description of this API, compiled in from
//! docs/openapi.json (a test keeps it in step with template.yaml's routes).

use cm_app::App;
use cm_http::{Body, Internal, Request, Response};

pub const DOCUMENT: &str = include_str!("../../../docs/openapi.json");

pub async fn handle<S>(_app: &App<S>, _req: Request) -> Result<Response<Body>, Internal> {
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .header("cache-control", "public, max-age=300")
        .body(Body::Text(DOCUMENT.to_string()))
        .map_err(Internal::new)
}
