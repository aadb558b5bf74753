//! The API's `$default` route: any method and path no other route claims gets a
//! problem document instead of API Gateway's bare `{"message":"Not Found"}`.

use cm_http::{ApiError, App, Body, Request, Response};

pub async fn handle(_app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let path: String = req.uri().path().chars().take(200).collect();
    Err(ApiError::NotFound(format!("no route for {} {path}", req.method())))
}
