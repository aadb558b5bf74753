//! The stack's control port (loopback, separate from the API so the API serves
//! exactly the template's routes): fire a schedule now, reset the data, read status.

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::sync::Arc;
use tokio::net::TcpListener;

/// What the control port asks of a running stack (`stack::Stack` answers). The stack
/// serves the port; the port knows nothing of the stack's insides.
pub trait Controlled: Send + Sync + 'static {
    /// Endpoints, functions, schedules and usage.
    fn status(&self) -> impl std::future::Future<Output = Value> + Send;
    /// Fires the schedule `name` names now: the HTTP status and the answer.
    fn fire(&self, name: &str) -> impl std::future::Future<Output = (StatusCode, Value)> + Send;
    /// Clears the data, recreates every resource and reseeds.
    fn reset(&self) -> impl std::future::Future<Output = Result<String, String>> + Send;
}

pub async fn serve<C: Controlled>(stack: Arc<C>, listener: TcpListener) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let stack = stack.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let stack = stack.clone();
                async move { Ok::<_, std::convert::Infallible>(handle(stack.as_ref(), req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

fn reply(status: StatusCode, body: Value) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(body.to_string())));
    *resp.status_mut() = status;
    resp.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    resp
}

async fn handle<C: Controlled>(stack: &C, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_string();
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (req.method().as_str(), parts.as_slice()) {
        ("GET", ["status"]) => reply(StatusCode::OK, stack.status().await),
        ("POST", ["schedules", name, "fire"]) => {
            let (code, body) = stack.fire(name).await;
            reply(code, body)
        }
        ("POST", ["reset"]) => match stack.reset().await {
            Ok(summary) => reply(StatusCode::OK, json!({"reset": summary})),
            Err(e) => reply(StatusCode::INTERNAL_SERVER_ERROR, json!({"error": e})),
        },
        _ => reply(StatusCode::NOT_FOUND, json!({"error": "GET /status, POST /schedules/{name}/fire, POST /reset"})),
    }
}
