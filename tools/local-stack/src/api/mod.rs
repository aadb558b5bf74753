//! The HTTP API: API Gateway's part of the journey, on a loopback port.

pub mod cors;
pub mod payload;
pub mod routes;

use crate::console::{self, Trigger};
use crate::functions::{Functions, Outcome};
use bytes::Bytes;
use cors::Cors;
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use payload::{HttpAnswer, IncomingRequest};
use routes::RouteTable;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// API Gateway's payload limit for HTTP APIs.
const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

pub struct Api {
    pub routes: RouteTable,
    pub cors: Option<Cors>,
    pub functions: Arc<Functions>,
}

/// Serves until the task is aborted.
pub async fn serve(api: Arc<Api>, listener: TcpListener) {
    loop {
        let Ok((stream, peer)) = listener.accept().await else { continue };
        let api = api.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let api = api.clone();
                async move { Ok::<_, std::convert::Infallible>(handle(&api, req, peer).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

async fn handle(api: &Api, req: Request<Incoming>, peer: SocketAddr) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let request_id = ulid::Ulid::new().to_string();
    if let (Some(cors), true) = (&api.cors, Cors::is_preflight(&parts.method, &parts.headers)) {
        let mut answer =
            HttpAnswer { status: StatusCode::NO_CONTENT, headers: cors.preflight(&parts.headers), body: Vec::new() };
        return finish(&mut answer, &request_id);
    }
    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            let mut answer = HttpAnswer::message(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large");
            return finish(&mut answer, &request_id);
        }
    };
    let path = parts.uri.path().to_string();
    let Some(route) = api.routes.find(parts.method.as_str(), &path) else {
        let mut answer = HttpAnswer::message(StatusCode::NOT_FOUND, "Not Found");
        return finish(&mut answer, &request_id);
    };
    let incoming = IncomingRequest {
        method: parts.method.as_str(),
        raw_path: &path,
        raw_query: parts.uri.query().unwrap_or(""),
        headers: &parts.headers,
        body: &body,
        source_ip: peer.ip().to_string(),
        request_id: request_id.clone(),
        now: chrono::Utc::now(),
    };
    let event = payload::request_event(&incoming, &route);
    let function = route.function.to_string();
    let inv = api.functions.invoke(&function, event.to_string().into_bytes()).await;
    let mut answer = match &inv.outcome {
        Outcome::Answered(bytes) => payload::response_from_payload(bytes),
        Outcome::FunctionError(..) | Outcome::TimedOut => HttpAnswer::internal_error(),
        Outcome::Failed(why) => {
            console::warn(&format!("{function}: {why}"));
            HttpAnswer::internal_error()
        }
    };
    if let Some(cors) = &api.cors {
        cors.apply(&parts.headers, &mut answer.headers);
    }
    let status = match &inv.outcome {
        Outcome::Answered(_) => answer.status.as_u16().to_string(),
        other => format!("{} {}", answer.status.as_u16(), other.short()),
    };
    let target = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or(&path);
    console::invocation(Trigger::Http, &function, &status, inv.took, inv.cold, &format!("{} {target}", parts.method));
    finish(&mut answer, &request_id)
}

fn finish(answer: &mut HttpAnswer, request_id: &str) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(std::mem::take(&mut answer.body))));
    *resp.status_mut() = answer.status;
    *resp.headers_mut() = std::mem::take(&mut answer.headers);
    if let Ok(v) = HeaderValue::from_str(request_id) {
        resp.headers_mut().insert("apigw-requestid", v);
    }
    resp
}
