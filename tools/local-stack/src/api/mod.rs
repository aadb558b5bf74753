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
use std::time::Duration;
use tokio::net::TcpListener;

/// API Gateway's payload limit for HTTP APIs.
const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

pub struct Api {
    pub routes: RouteTable,
    pub cors: Option<Cors>,
    pub functions: Arc<Functions>,
    /// The media bucket, whose `public/` prefix is served under `/media/` as the CDN
    /// serves it in AWS.
    pub media: Option<(aws_sdk_s3::Client, String)>,
}

/// The CDN's part: `GET /media/public/...` from the media bucket, nothing outside
/// `public/` (the bucket policy's rule in AWS).
async fn media(api: &Api, method: &http::Method, path: &str) -> Option<HttpAnswer> {
    let (s3, bucket) = api.media.as_ref()?;
    let key = path.strip_prefix("/media/")?;
    if method != http::Method::GET && method != http::Method::HEAD {
        return None;
    }
    if !key.starts_with("public/") || key.split('/').any(|s| s == ".." || s.is_empty()) {
        return Some(HttpAnswer::message(StatusCode::FORBIDDEN, "Forbidden"));
    }
    let Ok(out) = s3.get_object().bucket(bucket).key(key).send().await else {
        return Some(HttpAnswer::message(StatusCode::NOT_FOUND, "Not Found"));
    };
    let mut headers = http::HeaderMap::new();
    for (name, value) in [("content-type", out.content_type.clone()), ("cache-control", out.cache_control.clone())] {
        if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            headers.insert(name, v);
        }
    }
    let body = out.body.collect().await.map(|b| b.into_bytes().to_vec()).unwrap_or_default();
    let body = if method == http::Method::HEAD { Vec::new() } else { body };
    Some(HttpAnswer { status: StatusCode::OK, headers, body })
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
    if let Some(mut answer) = media(api, &parts.method, &path).await {
        console::invocation(Trigger::Http, "media (CDN)", answer.status.as_str(), Duration::ZERO, false, &path);
        return finish(&mut answer, &request_id);
    }
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
