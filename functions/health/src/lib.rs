//! `GET /health`: liveness for load balancers and uptime checks. Deliberately touches
//! no dependency, so a DynamoDB hiccup does not take the whole API out of rotation.

use cm_http::{ApiError, App, Body, Request, Response};

pub async fn handle(_app: &App, _req: Request) -> Result<Response<Body>, ApiError> {
    cm_http::ok(&serde_json::json!({"status": "ok"}))
}
