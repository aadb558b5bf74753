//! The port: HTTP requests, the `$connect` handshake and the gateway's shared state.

use crate::connection::{self, Conn};
use crate::event::{self, Peer};
use crate::{Invoke, Routes, Settings, management};
use base64::Engine as _;
use bytes::Bytes;
use chrono::Utc;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::{AbortHandle, JoinSet};

pub(crate) type Body = Full<Bytes>;

/// How long [`Shared::shutdown`] waits for connections to close and their
/// `$disconnect` invocations to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

pub(crate) struct Shared {
    pub settings: Settings,
    pub routes: Routes,
    /// The selection expression's field path.
    pub selection: Vec<String>,
    pub invoker: Arc<dyn Invoke>,
    pub port: u16,
    connections: Mutex<HashMap<String, Arc<Conn>>>,
    /// Plain HTTP connections (management calls, handshakes in progress).
    http_tasks: Mutex<JoinSet<()>>,
    /// One per WebSocket connection, until its `$disconnect` has run.
    ws_tasks: Mutex<JoinSet<()>>,
    accept: Mutex<Option<AbortHandle>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Spawns onto a set, first collecting the tasks that have finished.
fn spawn_into(set: &Mutex<JoinSet<()>>, task: impl Future<Output = ()> + Send + 'static) {
    let mut set = lock(set);
    while set.try_join_next().is_some() {}
    set.spawn(task);
}

impl Shared {
    pub fn new(
        settings: Settings,
        routes: Routes,
        selection: Vec<String>,
        invoker: Arc<dyn Invoke>,
        port: u16,
    ) -> Arc<Shared> {
        Arc::new(Shared {
            settings,
            routes,
            selection,
            invoker,
            port,
            connections: Mutex::new(HashMap::new()),
            http_tasks: Mutex::new(JoinSet::new()),
            ws_tasks: Mutex::new(JoinSet::new()),
            accept: Mutex::new(None),
        })
    }

    pub fn connection(&self, id: &str) -> Option<Arc<Conn>> {
        lock(&self.connections).get(id).cloned()
    }

    /// Forgets a connection: `@connections` answers 410 for it from now on.
    pub fn forget(&self, id: &str) {
        lock(&self.connections).remove(id);
    }

    pub fn open_connections(&self) -> Vec<String> {
        let mut ids: Vec<String> = lock(&self.connections).keys().cloned().collect();
        ids.sort();
        ids
    }

    pub fn close_all(&self, code: u16, reason: &'static str) {
        let open: Vec<Arc<Conn>> = lock(&self.connections).values().cloned().collect();
        for conn in open {
            conn.close(code, reason, None);
        }
    }

    pub async fn shutdown(&self) {
        if let Some(accept) = lock(&self.accept).take() {
            accept.abort();
        }
        lock(&self.http_tasks).abort_all();
        let open: Vec<Arc<Conn>> = lock(&self.connections).values().cloned().collect();
        for conn in open {
            conn.close(1001, "Going away", None);
        }
        let mut tasks = std::mem::take(&mut *lock(&self.ws_tasks));
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, async { while tasks.join_next().await.is_some() {} }).await;
        tasks.abort_all();
    }

    pub fn abort_all(&self) {
        if let Some(accept) = lock(&self.accept).take() {
            accept.abort();
        }
        lock(&self.http_tasks).abort_all();
        lock(&self.ws_tasks).abort_all();
    }
}

pub(crate) fn spawn_accept_loop(shared: Arc<Shared>, listener: TcpListener) {
    let s = shared.clone();
    let task = tokio::spawn(async move {
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(_) => {
                    // Out of file descriptors and the like: try again shortly.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let for_service = s.clone();
            spawn_into(&s.http_tasks, async move {
                let service = hyper::service::service_fn(move |req| {
                    let s = for_service.clone();
                    async move { Ok::<_, std::convert::Infallible>(handle(s, req, peer).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .with_upgrades()
                    .await;
            });
        }
    });
    *lock(&shared.accept) = Some(task.abort_handle());
}

async fn handle(s: Arc<Shared>, req: Request<Incoming>, peer: SocketAddr) -> Response<Body> {
    let path = req.uri().path().to_string();
    if let Some(id) = management::connection_id(&path, &s.settings.stage) {
        return management::handle(&s, req, &id).await;
    }
    let stage = path.strip_prefix('/').map(|p| p.strip_suffix('/').unwrap_or(p));
    if stage == Some(s.settings.stage.as_str()) {
        if req.method() == Method::GET && is_websocket_upgrade(&req) {
            return connect(&s, req, peer).await;
        }
        let mut resp = json_response(StatusCode::UPGRADE_REQUIRED, &json!({"message": "Upgrade Required"}));
        resp.headers_mut().insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        return resp;
    }
    json_response(StatusCode::NOT_FOUND, &json!({"message": "Not Found"}))
}

fn header_has_token(req: &Request<Incoming>, name: header::HeaderName, token: &str) -> bool {
    req.headers()
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

fn is_websocket_upgrade(req: &Request<Incoming>) -> bool {
    header_has_token(req, header::CONNECTION, "upgrade") && header_has_token(req, header::UPGRADE, "websocket")
}

/// The handshake: `$connect` decides, then the upgrade completes or is refused.
async fn connect(s: &Arc<Shared>, mut req: Request<Incoming>, peer_addr: SocketAddr) -> Response<Body> {
    let headers = req.headers();
    let Some(key) = headers.get(header::SEC_WEBSOCKET_KEY) else {
        return json_response(StatusCode::BAD_REQUEST, &json!({"message": "Sec-WebSocket-Key is missing"}));
    };
    if headers.get(header::SEC_WEBSOCKET_VERSION).map(HeaderValue::as_bytes) != Some(b"13") {
        let mut resp = json_response(StatusCode::UPGRADE_REQUIRED, &json!({"message": "WebSocket version 13 only"}));
        resp.headers_mut().insert(header::SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13"));
        return resp;
    }
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let now = Utc::now();
    let peer = Peer {
        connection_id: event::new_id(),
        connected_at: now,
        source_ip: peer_addr.ip().to_string(),
        user_agent: text(header::USER_AGENT).unwrap_or_default(),
        domain_name: text(header::HOST).unwrap_or_else(|| format!("127.0.0.1:{}", s.port)),
    };
    let mut protocol = None;
    if let Some(route) = s.routes.routes.get("$connect") {
        let list: Vec<(String, String)> = headers
            .iter()
            .filter_map(|(n, v)| Some((event::canonical_header(n.as_str()), v.to_str().ok()?.to_string())))
            .collect();
        let (event, _) = event::connect(&s.settings, &peer, &list, req.uri().query().unwrap_or(""), now);
        let answer = match s.invoker.invoke(&route.function, event).await {
            Ok(result) => ProxyResponse::parse(&result),
            Err(_) => None,
        };
        let Some(answer) = answer else {
            return json_response(StatusCode::INTERNAL_SERVER_ERROR, &json!({"message": "Internal server error"}));
        };
        if !(200..300).contains(&answer.status) {
            let mut resp = Response::new(Full::new(Bytes::from(answer.body.clone())));
            *resp.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            if let Some(v) = answer.header("content-type").and_then(|v| HeaderValue::from_str(v).ok()) {
                resp.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            return resp;
        }
        protocol = answer.header("sec-websocket-protocol").and_then(|v| HeaderValue::from_str(v).ok());
    }
    let upgrade = hyper::upgrade::on(&mut req);
    let (conn, outbound) = Conn::new(peer);
    lock(&s.connections).insert(conn.peer.connection_id.clone(), conn.clone());
    spawn_into(&s.ws_tasks, connection::run(s.clone(), conn, outbound, upgrade));

    let mut resp = Response::new(Full::default());
    *resp.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = resp.headers_mut();
    h.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(v) = HeaderValue::from_str(&accept) {
        h.insert(header::SEC_WEBSOCKET_ACCEPT, v);
    }
    if let Some(p) = protocol {
        h.insert(header::SEC_WEBSOCKET_PROTOCOL, p);
    }
    resp
}

pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response<Body> {
    let mut resp = Response::new(Full::new(Bytes::from(body.to_string())));
    *resp.status_mut() = status;
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

/// A function's API Gateway proxy response (`{statusCode, headers?, multiValueHeaders?,
/// body?, isBase64Encoded?}`); `None` when it is not one.
#[derive(Debug)]
pub(crate) struct ProxyResponse {
    pub status: u16,
    headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl ProxyResponse {
    pub fn parse(v: &Value) -> Option<ProxyResponse> {
        let code = &v["statusCode"];
        let status = code.as_u64().or_else(|| code.as_str()?.parse().ok())?;
        let status = u16::try_from(status).ok().filter(|s| (100..=599).contains(s))?;
        let scalar = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(_) | Value::Bool(_) => Some(v.to_string()),
            _ => None,
        };
        let mut headers = Vec::new();
        for (name, value) in v["headers"].as_object().into_iter().flatten() {
            headers.extend(scalar(value).map(|value| (name.clone(), value)));
        }
        for (name, values) in v["multiValueHeaders"].as_object().into_iter().flatten() {
            for value in values.as_array().into_iter().flatten() {
                headers.extend(scalar(value).map(|value| (name.clone(), value)));
            }
        }
        let body = match &v["body"] {
            Value::Null => Vec::new(),
            Value::String(s) if v["isBase64Encoded"] == Value::Bool(true) => {
                base64::engine::general_purpose::STANDARD.decode(s).ok()?
            }
            Value::String(s) => s.clone().into_bytes(),
            other => other.to_string().into_bytes(),
        };
        Some(ProxyResponse { status, headers, body })
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_responses_are_read_as_api_gateway_reads_them() {
        let r = ProxyResponse::parse(&json!({
            "statusCode": 200,
            "headers": {"sec-websocket-protocol": "chat"},
            "multiValueHeaders": {"X-Two": ["a", "b"]},
            "body": "hi"
        }))
        .unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, b"hi".as_slice()));
        assert_eq!(r.header("Sec-WebSocket-Protocol"), Some("chat"));
        assert_eq!(r.header("x-two"), Some("a"));
        let b64 = ProxyResponse::parse(&json!({"statusCode": "201", "body": "aGk=", "isBase64Encoded": true})).unwrap();
        assert_eq!((b64.status, b64.body.as_slice()), (201, b"hi".as_slice()));
        assert!(ProxyResponse::parse(&json!({"body": "no status"})).is_none());
        assert!(ProxyResponse::parse(&json!(null)).is_none());
        assert!(ProxyResponse::parse(&json!({"statusCode": 99})).is_none());
    }
}
