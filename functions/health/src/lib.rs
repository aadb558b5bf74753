//! `GET /health`: liveness for load balancers and uptime checks. Deliberately touches
//! no dependency, so a DynamoDB hiccup does not take the whole API out of rotation.

use cm_app::App;
use cm_http::{Body, Internal, Request, Response};

pub async fn handle<S>(_app: &App<S>, _req: Request) -> Result<Response<Body>, Internal> {
    Ok(cm_http::ok(&serde_json::json!({"status": "ok"})))
}
