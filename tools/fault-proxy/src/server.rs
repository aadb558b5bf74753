//! The HTTP side: accept, decide, forward or inject, answer or hang up.

use crate::log::{Delivery, Reply};
use crate::rule::{Action, Which};
use crate::wire::{self, ErrorReply, Reason};
use crate::{Decision, Shared, request};
use bytes::Bytes;
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::Value;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};

type HttpClient = Client<HttpConnector, Full<Bytes>>;

struct Ctx {
    shared: Arc<Shared>,
    upstream: String,
    client: HttpClient,
}

pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    upstream: String,
    shutdown: oneshot::Receiver<()>,
) {
    let ctx = Arc::new(Ctx { shared, upstream, client: Client::builder(TokioExecutor::new()).build_http() });
    tokio::select! {
        _ = shutdown => {}
        _ = accept(listener, ctx) => {}
    }
}

async fn accept(listener: TcpListener, ctx: Arc<Ctx>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors and the like: let the condition pass.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let ctx = ctx.clone();
        tokio::spawn(async move {
            // Dropping the connection future closes the socket: that is how a request
            // goes unanswered.
            let hang_up = Arc::new(Notify::new());
            let service = hyper::service::service_fn({
                let hang_up = hang_up.clone();
                move |req| handle(ctx.clone(), hang_up.clone(), req)
            });
            let conn = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = conn => {}
                _ = hang_up.notified() => {}
            }
        });
    }
}

async fn handle(
    ctx: Arc<Ctx>,
    hang_up: Arc<Notify>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let Ok(body) = body.collect().await.map(|b| b.to_bytes()) else {
        hang_up.notify_one();
        return std::future::pending().await;
    };
    let operation = parts.headers.get("x-amz-target").and_then(|v| v.to_str().ok()).map_or("", request::operation);
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let (seq, decision) = ctx.shared.arrive(operation, json.clone());
    // The work runs in its own task so that it finishes even if the client goes away
    // meanwhile (a timed-out request still reaches DynamoDB).
    match tokio::spawn(act(ctx, seq, decision, parts, body, json)).await {
        Ok(Some(response)) => Ok(response),
        _ => {
            hang_up.notify_one();
            std::future::pending().await
        }
    }
}

/// Returns the answer to send, or `None` to hang up.
async fn act(
    ctx: Arc<Ctx>,
    seq: u64,
    decision: Option<Decision>,
    parts: Parts,
    body: Bytes,
    json: Value,
) -> Option<Response<Full<Bytes>>> {
    let action = match decision {
        Some(d) => {
            if let Some(delay) = d.delay {
                tokio::time::sleep(delay).await;
            }
            d.action
        }
        None => Action::Forward,
    };
    match action {
        Action::Forward => Some(forward_and_answer(&ctx, seq, &parts, body).await),
        Action::DropBeforeForward => {
            ctx.shared.delivered(seq, Delivery::Dropped);
            None
        }
        Action::DropAfterForward => {
            // The log has the upstream's answer (or failure); the client gets neither.
            let _ = forward(&ctx, seq, &parts, body).await;
            ctx.shared.delivered(seq, Delivery::Dropped);
            None
        }
        injected => {
            let reply = error_reply(&injected, &json);
            ctx.shared.delivered(seq, Delivery::Answered(Reply { status: reply.status, body: reply.body.clone() }));
            Some(injected_response(seq, &reply))
        }
    }
}

fn error_reply(action: &Action, request: &Value) -> ErrorReply {
    match action {
        Action::CancelTransaction(which) => cancellation(request, *which, &Reason::transaction_conflict()),
        Action::CancelTransactionWith { which, code, message } => {
            cancellation(request, *which, &Reason { code: code.clone(), message: message.clone() })
        }
        Action::TransactionConflictException => wire::transaction_conflict_exception(),
        Action::TransactionInProgress => wire::transaction_in_progress(),
        Action::Throttling => wire::throttling(),
        Action::ProvisionedThroughputExceeded => wire::provisioned_throughput_exceeded(),
        Action::InternalServerError => wire::internal_server_error(),
        Action::ServiceUnavailable => wire::service_unavailable(),
        Action::Error { status, code, message } => wire::other(*status, code, message),
        Action::Forward | Action::DropBeforeForward | Action::DropAfterForward => {
            unreachable!("handled before an error answer is built")
        }
    }
}

fn cancellation(request: &Value, which: Which, reason: &Reason) -> ErrorReply {
    let Some(count) = request::transact_item_count(request) else {
        return wire::misfire("a transaction cancellation needs a request with TransactItems");
    };
    if let Which::Item(i) = which
        && i >= count
    {
        return wire::misfire(&format!("the rule cancels entry {i} of a transaction with {count} entries"));
    }
    let reasons: Vec<Reason> = (0..count)
        .map(|i| match which {
            Which::All => reason.clone(),
            Which::Item(chosen) if chosen == i => reason.clone(),
            Which::Item(_) => Reason::none(),
        })
        .collect();
    wire::transaction_canceled(&reasons)
}

fn injected_response(seq: u64, reply: &ErrorReply) -> Response<Full<Bytes>> {
    let body = Bytes::from(reply.body.to_string());
    let mut resp = Response::new(Full::new(body.clone()));
    *resp.status_mut() = http::StatusCode::from_u16(reply.status).unwrap_or(http::StatusCode::BAD_REQUEST);
    let headers = resp.headers_mut();
    headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/x-amz-json-1.0"));
    // DynamoDB's request ids are 52 upper-case letters and digits.
    let request_id = format!("FAULTPROXY{seq:042}");
    headers.insert("x-amzn-requestid", HeaderValue::from_str(&request_id).expect("ASCII"));
    headers.insert("x-amz-crc32", HeaderValue::from(crc32fast::hash(&body)));
    resp
}

const HOP_BY_HOP: [&str; 7] =
    ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"];

fn end_to_end(headers: &HeaderMap) -> impl Iterator<Item = (&http::HeaderName, &HeaderValue)> {
    headers.iter().filter(|(name, _)| !HOP_BY_HOP.contains(&name.as_str()))
}

struct Upstream {
    status: http::StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

/// Forwards the request and records the upstream's answer (or failure).
async fn forward(ctx: &Ctx, seq: u64, parts: &Parts, body: Bytes) -> Result<Upstream, String> {
    let result = send_upstream(ctx, parts, body).await;
    match &result {
        Ok(up) => ctx.shared.upstream_answered(
            seq,
            Reply { status: up.status.as_u16(), body: serde_json::from_slice(&up.body).unwrap_or(Value::Null) },
        ),
        Err(e) => ctx.shared.upstream_failed(seq, e.clone()),
    }
    result
}

async fn send_upstream(ctx: &Ctx, parts: &Parts, body: Bytes) -> Result<Upstream, String> {
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut req = Request::builder().method(parts.method.clone()).uri(format!("{}{path}", ctx.upstream));
    // Host stays as the client sent it: the SigV4 signature covers it.
    for (name, value) in end_to_end(&parts.headers) {
        req = req.header(name, value);
    }
    let req = req.body(Full::new(body)).map_err(|e| e.to_string())?;
    let resp = ctx.client.request(req).await.map_err(|e| format!("{}: {e}", ctx.upstream))?;
    let (rparts, rbody) = resp.into_parts();
    let body = rbody.collect().await.map_err(|e| format!("{}: reading the answer: {e}", ctx.upstream))?.to_bytes();
    Ok(Upstream { status: rparts.status, headers: rparts.headers, body })
}

async fn forward_and_answer(ctx: &Ctx, seq: u64, parts: &Parts, body: Bytes) -> Response<Full<Bytes>> {
    match forward(ctx, seq, parts, body).await {
        Ok(up) => {
            let reply =
                Reply { status: up.status.as_u16(), body: serde_json::from_slice(&up.body).unwrap_or(Value::Null) };
            ctx.shared.delivered(seq, Delivery::Answered(reply));
            let mut resp = Response::new(Full::new(up.body));
            *resp.status_mut() = up.status;
            for (name, value) in end_to_end(&up.headers).filter(|(n, _)| *n != http::header::CONTENT_LENGTH) {
                resp.headers_mut().append(name, value.clone());
            }
            resp
        }
        Err(e) => {
            // A proxy failure, not a DynamoDB answer: say so plainly.
            let text = format!("fault-proxy could not reach the upstream: {e}");
            ctx.shared.delivered(seq, Delivery::Answered(Reply { status: 502, body: Value::String(text.clone()) }));
            let mut resp = Response::new(Full::new(Bytes::from(text)));
            *resp.status_mut() = http::StatusCode::BAD_GATEWAY;
            resp
        }
    }
}
