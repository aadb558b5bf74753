//! The API's `$default` route: any method and path no other route claims gets a
//! problem document instead of API Gateway's bare `{"message":"Not Found"}`.

use cm_app::App;
use cm_http::{Body, Request, RequestError, Response};

pub async fn handle<S>(_app: &App<S>, req: Request) -> Result<Response<Body>, RequestError> {
    let path: String = req.uri().path().chars().take(200).collect();
    Err(RequestError::NotFound(format!("no route for {} {path}", req.method())))
}
