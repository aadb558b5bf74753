//! The stack's control port (loopback, separate from the API so the API serves
//! exactly the template's routes): fire a schedule now, reset the data, read status.

use crate::stack::Stack;
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::sync::Arc;
use tokio::net::TcpListener;

pub async fn serve(stack: Arc<Stack>, listener: TcpListener) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let stack = stack.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let stack = stack.clone();
                async move { Ok::<_, std::convert::Infallible>(handle(&stack, req).await) }
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

async fn handle(stack: &Stack, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_string();
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (req.method().as_str(), parts.as_slice()) {
        ("GET", ["status"]) => reply(
            StatusCode::OK,
            json!({
                "api": stack.api_url,
                "aws": stack.endpoints.moto,
                "dynamodb": stack.endpoints.dynamodb,
                "functions": stack.functions.names(),
                "concurrency": stack.functions.concurrency(),
                "usage": stack.functions.usage().await,
                "schedules": stack.schedules.iter().map(|s| json!({"function": s.function, "event": s.event, "expression": s.expression})).collect::<Vec<_>>(),
            }),
        ),
        ("POST", ["schedules", name, "fire"]) => {
            let matching: Vec<_> = stack.schedules.iter().filter(|s| s.answers_to(name)).collect();
            match matching.as_slice() {
                [one] => {
                    let (status, response) =
                        crate::schedule::fire(one, &stack.functions, chrono::Utc::now(), "(fired by hand)").await;
                    let code = if status == "ok" { StatusCode::OK } else { StatusCode::BAD_GATEWAY };
                    reply(
                        code,
                        json!({"function": one.function, "event": one.event, "status": status, "response": response}),
                    )
                }
                [] => {
                    let known: Vec<String> = stack
                        .schedules
                        .iter()
                        .map(|s| format!("{} ({}.{})", s.function, s.logical_id, s.event))
                        .collect();
                    reply(StatusCode::NOT_FOUND, json!({"error": format!("no schedule `{name}`"), "schedules": known}))
                }
                _ => reply(
                    StatusCode::CONFLICT,
                    json!({"error": format!("`{name}` names several schedules; use Function.Event")}),
                ),
            }
        }
        ("POST", ["reset"]) => match stack.reset().await {
            Ok(summary) => reply(StatusCode::OK, json!({"reset": summary})),
            Err(e) => reply(StatusCode::INTERNAL_SERVER_ERROR, json!({"error": e})),
        },
        _ => reply(StatusCode::NOT_FOUND, json!({"error": "GET /status, POST /schedules/{name}/fire, POST /reset"})),
    }
}
