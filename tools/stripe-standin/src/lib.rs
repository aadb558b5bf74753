#![recursion_limit = "256"]
//! A stand-in for the part of the Stripe API Capture Moments calls, served on loopback with
//! Stripe's request encoding, response shapes, status codes, error bodies, idempotency
//! and signed webhooks, so the platform runs and is tested without reaching Stripe.
//! Test controls (disputes, fault injection, webhook inspection) live under `/standin/`.

pub mod api;
mod control;
pub mod form;
pub mod money;
pub mod raw;
pub mod scenario;
pub mod state;
pub mod webhooks;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::api::{ApiError, Ctx};
use crate::state::{State, Stored, new_id};
use crate::webhooks::Delivery;

/// The keys the local stack and the tests use unless told otherwise.
pub const DEFAULT_API_KEY: &str = "sk_test_standin_local";
pub const DEFAULT_PUBLISHABLE_KEY: &str = "pk_test_standin_local";
/// The webhook signing secret the local stack configures.
pub const LOCAL_WEBHOOK_SECRET: &str = "whsec_standin_local";

#[derive(Clone, Debug)]
pub struct Config {
    /// 0 picks a free port.
    pub port: u16,
    /// The one secret key accepted (`Authorization: Bearer sk_test_...`).
    pub api_key: String,
    /// Accepted only to confirm or read a PaymentIntent with its `client_secret`, as Stripe.js does.
    pub publishable_key: String,
    pub webhook_url: Option<String>,
    /// Every payload is signed with each of these (several during a rotation).
    pub webhook_secrets: Vec<String>,
    /// Objects are saved here after every change and loaded at start.
    pub state_file: Option<PathBuf>,
    /// Delivery attempts per event before it is marked failed.
    pub webhook_attempts: u32,
    /// First retry delay; doubled for each further retry.
    pub webhook_base_delay: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 0,
            api_key: DEFAULT_API_KEY.into(),
            publishable_key: DEFAULT_PUBLISHABLE_KEY.into(),
            webhook_url: None,
            webhook_secrets: vec![],
            state_file: None,
            webhook_attempts: 6,
            webhook_base_delay: Duration::from_secs(1),
        }
    }
}

/// A test-controlled failure for the next `remaining` requests under `path_prefix`.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
pub struct Fault {
    pub path_prefix: String,
    /// Only this method (GET, POST) when set.
    #[serde(default)]
    pub method: Option<String>,
    #[serde(rename = "count", default = "one")]
    pub remaining: u32,
    #[serde(flatten)]
    pub mode: FaultMode,
}

fn one() -> u32 {
    1
}

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum FaultMode {
    /// Answer this status with Stripe's `api_error` body; nothing is applied.
    Status {
        #[serde(default = "five_hundred")]
        status: u16,
    },
    /// Wait, then handle the request normally (to make a client time out).
    Delay { delay_ms: u64 },
    /// Apply the request, then lose the answer: a 500 `api_error`, or with `drop` the
    /// connection is closed without any answer.
    After {
        #[serde(default = "five_hundred")]
        status: u16,
        #[serde(default)]
        drop: bool,
    },
}

fn five_hundred() -> u16 {
    500
}

pub(crate) struct Inner {
    pub config: Config,
    pub base_url: String,
    pub state: Mutex<State>,
    pub faults: Mutex<Vec<Fault>>,
    pub deliveries: Mutex<Vec<Delivery>>,
    pub paused: watch::Sender<bool>,
    pub http: Client<HttpConnector, Full<Bytes>>,
    /// Bumped by a reset so deliveries in flight stop recording into the new list.
    reset_generation: AtomicU64,
}

impl Inner {
    pub fn generation(&self) -> u64 {
        self.reset_generation.load(Ordering::SeqCst)
    }

    /// Runs one change under the state lock; saves the state file and queues the events'
    /// deliveries when anything changed.
    pub fn apply<T>(
        self: &Arc<Self>,
        request_id: Option<String>,
        idempotency_key: Option<String>,
        f: impl FnOnce(&mut State, &mut Ctx) -> T,
    ) -> T {
        let mut ctx = Ctx {
            now: now(),
            request_id,
            idempotency_key,
            base_url: self.base_url.clone(),
            endpoints: i64::from(self.config.webhook_url.is_some()),
            events: vec![],
            mutated: false,
        };
        let (out, snapshot) = {
            let mut st = self.state.lock().expect("state lock");
            let out = f(&mut st, &mut ctx);
            let snapshot = match (&self.config.state_file, ctx.mutated) {
                (Some(_), true) => Some(serde_json::to_string(&*st).expect("state json")),
                _ => None,
            };
            (out, snapshot)
        };
        if let (Some(path), Some(snapshot)) = (&self.config.state_file, snapshot) {
            save(path, &snapshot);
        }
        for event in &ctx.events {
            webhooks::schedule(self, event);
        }
        out
    }

    fn take_fault(&self, method: &str, path: &str) -> Option<FaultMode> {
        let mut faults = self.faults.lock().expect("faults lock");
        let i = faults.iter().position(|f| {
            f.remaining > 0
                && path.starts_with(&f.path_prefix)
                && f.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
        })?;
        faults[i].remaining -= 1;
        let mode = faults[i].mode.clone();
        if faults[i].remaining == 0 {
            faults.remove(i);
        }
        Some(mode)
    }
}

fn save(path: &std::path::Path, snapshot: &str) {
    let tmp = path.with_extension("tmp");
    let result = std::fs::write(&tmp, snapshot).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        eprintln!("stripe-standin: could not save {}: {e}", path.display());
    }
}

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// A running stand-in; dropping it stops the server.
pub struct StandIn {
    addr: SocketAddr,
    inner: Arc<Inner>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl StandIn {
    /// Binds 127.0.0.1 (never another interface) and serves in the background.
    pub async fn start(config: Config) -> std::io::Result<StandIn> {
        let listener = TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let state = match &config.state_file {
            Some(path) if path.exists() => {
                let text = std::fs::read_to_string(path)?;
                serde_json::from_str(&text).map_err(|e| {
                    std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {e}", path.display()))
                })?
            }
            _ => State::default(),
        };
        let inner = Arc::new(Inner {
            base_url: format!("http://{addr}"),
            config,
            state: Mutex::new(state),
            faults: Mutex::new(vec![]),
            deliveries: Mutex::new(vec![]),
            paused: watch::Sender::new(false),
            http: Client::builder(TokioExecutor::new()).build_http(),
            reset_generation: AtomicU64::new(0),
        });
        let served = inner.clone();
        let server = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let inner = served.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| handle(inner.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(StandIn { addr, inner, server })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:N`, what `stripe::ClientBuilder::url` takes.
    pub fn base_url(&self) -> String {
        self.inner.base_url.clone()
    }

    /// Every event so far, oldest first.
    pub fn events(&self) -> Vec<Value> {
        self.inner.state.lock().expect("state lock").events.clone()
    }

    /// Forgets every object, event, fault and delivery (the local stack's reset).
    pub fn reset(&self) {
        reset(&self.inner);
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.inner.deliveries.lock().expect("deliveries lock").clone()
    }
}

/// The connection is closed without an answer (fault mode `after` with `drop`).
#[derive(Debug)]
pub(crate) struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for Dropped {}

pub(crate) type Answer = Result<Response<Full<Bytes>>, Dropped>;

pub(crate) fn json_response(status: u16, body: &Value, request_id: Option<&str>) -> Response<Full<Bytes>> {
    let mut builder = Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("stripe-version", api::API_VERSION);
    if let Some(id) = request_id {
        builder = builder.header("request-id", id);
    }
    builder.body(Full::new(Bytes::from(serde_json::to_string_pretty(body).expect("json")))).expect("response")
}

async fn handle(inner: Arc<Inner>, req: Request<Incoming>) -> Answer {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return Err(Dropped),
    };
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let body = String::from_utf8_lossy(&body).into_owned();
    if path.starts_with("/v1/") {
        api_request(&inner, &parts, &path, &query, &body).await
    } else {
        Ok(control::handle(&inner, parts.method.as_str(), &path, &query, &body).await)
    }
}

async fn api_request(inner: &Arc<Inner>, parts: &http::request::Parts, path: &str, query: &str, body: &str) -> Answer {
    let method = parts.method.as_str().to_string();
    let request_id = new_id("req");
    let after = match inner.take_fault(&method, path) {
        Some(FaultMode::Status { status }) => {
            return Ok(json_response(status, &ApiError::internal().body(), Some(&request_id)));
        }
        Some(FaultMode::Delay { delay_ms }) => {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            None
        }
        Some(FaultMode::After { status, drop }) => Some((status, drop)),
        None => None,
    };
    let raw = if method == "GET" { query } else { body };
    let params = match form::parse(raw) {
        Ok(p) => p,
        Err(message) => {
            let e = ApiError::invalid(message, None, None);
            return Ok(json_response(400, &e.body(), Some(&request_id)));
        }
    };
    let key = match authenticate(inner, parts, path, &method, &params) {
        Ok(key) => key,
        Err(e) => return Ok(json_response(e.status, &e.body(), Some(&request_id))),
    };
    let idempotency_key = (method == "POST")
        .then(|| parts.headers.get("idempotency-key"))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let canonical = serde_json::to_string(&params).expect("json");
    let rid = request_id.clone();
    let (status, body, replayed) = inner.apply(Some(request_id.clone()), idempotency_key.clone(), |st, ctx| {
        let slot = idempotency_key.as_ref().map(|k| format!("{key}\n{k}"));
        if let Some(stored) = slot.as_ref().and_then(|s| st.idempotency.get(s)) {
            if stored.method == method && stored.path == path && stored.params == canonical {
                let body = serde_json::from_str(&stored.body).unwrap_or(Value::Null);
                return (stored.status, body, true);
            }
            let e = ApiError::new(
                400,
                "idempotency_error",
                None,
                format!(
                    "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{}' if you meant to execute a different request.",
                    idempotency_key.as_deref().unwrap_or_default()
                ),
                None,
            );
            return (400, e.body(), false);
        }
        let (status, body) = match api::route(st, ctx, &method, path, &params) {
            Ok(v) => (200, v),
            Err(e) => (e.status, e.body()),
        };
        if let Some(slot) = slot
            && ((200..300).contains(&status) || ctx.mutated)
        {
            st.idempotency.insert(
                slot,
                Stored {
                    method: method.clone(),
                    path: path.to_string(),
                    params: canonical.clone(),
                    status,
                    body: serde_json::to_string(&body).expect("json"),
                },
            );
            ctx.mutated = true;
        }
        (status, body, false)
    });
    if let Some((status, drop)) = after {
        if drop {
            return Err(Dropped);
        }
        return Ok(json_response(status, &ApiError::internal().body(), Some(&rid)));
    }
    let mut response = json_response(status, &body, Some(&rid));
    if let Some(k) = &idempotency_key {
        let headers = response.headers_mut();
        headers.insert("idempotency-key", k.parse().expect("header value"));
        if replayed {
            headers.insert("idempotent-replayed", "true".parse().expect("header value"));
        }
    }
    Ok(response)
}

/// Returns the key the request is made with: a secret key, or the publishable key where
/// Stripe.js may use it (a PaymentIntent's own confirm and retrieve, with its client secret).
fn authenticate(
    inner: &Inner,
    parts: &http::request::Parts,
    path: &str,
    method: &str,
    params: &serde_json::Map<String, Value>,
) -> Result<String, ApiError> {
    let header = parts.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
    let Some(key) = header.strip_prefix("Bearer ").map(str::trim).filter(|k| !k.is_empty()) else {
        return Err(ApiError::unauthorized(
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.".into(),
        ));
    };
    if key == inner.config.api_key {
        return Ok(key.to_string());
    }
    if key == inner.config.publishable_key {
        let segments: Vec<&str> = path.trim_start_matches("/v1/").split('/').collect();
        let pi_id = match (method, segments.as_slice()) {
            ("POST", ["payment_intents", id, "confirm"]) | ("GET", ["payment_intents", id]) => *id,
            _ => {
                return Err(ApiError::unauthorized(
                    "This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.".into(),
                ));
            }
        };
        let given = params.get("client_secret").and_then(Value::as_str);
        let st = inner.state.lock().expect("state lock");
        let actual = st.payment_intents.get(pi_id).and_then(|pi| pi["client_secret"].as_str());
        return match (given, actual) {
            (Some(g), Some(a)) if g == a => Ok(key.to_string()),
            _ => Err(ApiError::invalid(
                "The client_secret provided does not match any associated PaymentIntent on this account. Ensure the publishable key used belongs to the same account that created the PaymentIntent.",
                Some("client_secret"),
                Some("payment_intent_invalid_parameter"),
            )),
        };
    }
    let shown: String = key.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    let prefix: String = key.chars().take(8).collect();
    Err(ApiError::unauthorized(format!("Invalid API Key provided: {prefix}****{shown}")))
}

pub(crate) fn reset(inner: &Inner) {
    inner.reset_generation.fetch_add(1, Ordering::SeqCst);
    *inner.state.lock().expect("state lock") = State::default();
    inner.faults.lock().expect("faults lock").clear();
    inner.deliveries.lock().expect("deliveries lock").clear();
    inner.paused.send_replace(false);
    if let Some(path) = &inner.config.state_file {
        save(path, &serde_json::to_string(&State::default()).expect("json"));
    }
}

pub(crate) fn error_json(e: &ApiError) -> Response<Full<Bytes>> {
    json_response(e.status, &e.body(), None)
}

pub(crate) fn ok_json(v: &Value) -> Response<Full<Bytes>> {
    json_response(200, v, None)
}

pub(crate) fn control_error(status: u16, message: &str) -> Response<Full<Bytes>> {
    json_response(status, &json!({ "error": { "type": "invalid_request_error", "message": message } }), None)
}
