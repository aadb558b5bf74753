//! One request through a handler: always an HTTP answer, errors as problem documents,
//! internal causes logged with the request id and never shown.

use crate::IntoProblem;
use lambda_http::{Body, Request, RequestExt, Response};
use std::future::Future;
use std::time::Instant;

pub async fn dispatch<C, F, Fut, E>(ctx: &'static C, handler: &F, req: Request) -> Response<Body>
where
    C: ?Sized,
    F: Fn(&'static C, Request) -> Fut,
    Fut: Future<Output = Result<Response<Body>, E>>,
    E: IntoProblem,
{
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req.raw_http_path().to_string();
    let request_id = req.lambda_context_ref().map(|c| c.request_id.clone()).unwrap_or_default();
    let response = match handler(ctx, req).await {
        Ok(r) => r,
        Err(e) => {
            let problem = e.to_problem();
            if problem.status >= 500 {
                tracing::error!(%request_id, cause = %e, "request failed");
            }
            problem.into_response()
        }
    };
    tracing::info!(%method, %route, status = response.status().as_u16(), elapsed_ms = started.elapsed().as_millis() as u64, "request");
    response
}
