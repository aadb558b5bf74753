//! An API Gateway WebSocket API, played on one loopback port.
//!
//! The local stack serves the template's WebSocket API with it (the functions run in
//! cargo-lambda's emulator) and the integration tests serve it in-process (the
//! functions are their handlers, called directly). Either way the functions are reached
//! through [`Invoke`], which gets the route's function name and the very event API
//! Gateway would send, and returns the function's JSON result.
//!
//! ```no_run
//! # async fn demo(invoker: std::sync::Arc<dyn ws_gateway::Invoke>) -> std::io::Result<()> {
//! use ws_gateway::{Gateway, Route, Routes, Settings};
//! let routes = Routes {
//!     selection_expression: "$request.body.action".into(),
//!     routes: [
//!         ("$connect".to_string(), Route { function: "ws-connect".into(), two_way: false }),
//!         ("send_message".to_string(), Route { function: "ws-send-message".into(), two_way: true }),
//!     ]
//!     .into(),
//! };
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let gateway = Gateway::start(listener, Settings::new("local-api", "dev", "us-east-1"), routes, invoker).await?;
//! // Clients connect to gateway.ws_url(); functions post back through gateway.management_url()
//! // (AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI).
//! gateway.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # What it does, as API Gateway does it
//!
//! - **Connect**: a `GET /STAGE` (query string allowed) with `Upgrade: websocket` builds a
//!   `$connect` event (`eventType: CONNECT`, the request's headers and query string) and
//!   waits for the `$connect` function before answering the handshake. A 2xx answer
//!   completes the upgrade (101, `Sec-WebSocket-Accept` per RFC 6455, and the function's
//!   `Sec-WebSocket-Protocol` response header copied, which browsers need echoed);
//!   any other status is the handshake's answer, with the function's body, and no
//!   connection. A failed function answers 500; no `$connect` route accepts everyone.
//!   The connection exists (for `@connections`) only once `$connect` has returned, so a
//!   `$connect` handler cannot post to its own connection: that is `410 Gone`, as in AWS.
//! - **Messages**: each text message goes to the route that the selection expression
//!   (`$request.body.<dotted.path>`) names in its JSON body; when the body is not JSON,
//!   has no string there, or names no route, to `$default` if there is one, else the
//!   client gets `{"message": "Forbidden", "connectionId", "requestId"}`. The event has
//!   `eventType: MESSAGE`, `routeKey`, `messageId` and the frame text as `body`. A
//!   [`Route::two_way`] route's non-empty response `body` is sent back as one text frame;
//!   a failed function sends `{"message": "Internal server error", ...}` instead.
//!   One connection's messages are invoked one after another, in arrival order
//!   (AWS promises no order; handlers must not rely on it).
//! - **Limits**: a frame over 32 KB ([`FRAME_LIMIT`]) or a message over 128 KB
//!   ([`MESSAGE_LIMIT`]) closes the connection with 1009; a binary frame with 1003
//!   (API Gateway takes text only); [`Settings::idle_timeout`] without a frame from the
//!   client, or [`Settings::max_lifetime`], with 1001.
//! - **Disconnect**: however a connection ends (a close from either side, a dropped
//!   socket, a timeout, `DELETE @connections`, [`Gateway::shutdown`]), it is forgotten
//!   first (`@connections` answers 410 from then on) and `$disconnect` is invoked once,
//!   best effort, after that connection's message invocations have finished, with
//!   `eventType: DISCONNECT`, `disconnectStatusCode` and `disconnectReason`.
//! - **Management API** on the same port, with or without the `/STAGE` prefix (signature
//!   headers are accepted unchecked): `POST /@connections/{id}` sends the raw body as one
//!   frame (text, or binary when it is not UTF-8) and answers 200 once it is written;
//!   `GET` answers `{"connectedAt", "identity": {"sourceIp", "userAgent"},
//!   "lastActiveAt"}` (the wire names `aws-sdk-apigatewaymanagement` reads); `DELETE`
//!   closes the connection (1000) and answers 204. An unknown or closed id answers 410
//!   with `x-amzn-errortype: GoneException`, so the SDK's `is_gone_exception()` holds;
//!   a POST body over 128 KB answers 413 `PayloadTooLargeException`. Any other path
//!   answers 404.
//!
//! Local choices where AWS does not say: `domainName` is the `Host` the client
//! connected to; query string values are percent-decoded; a function result without
//! a numeric `statusCode` counts as a failed invocation where the answer matters
//! (`$connect`, two-way routes); DELETE closes with 1000 and the idle and lifetime
//! limits with 1001 "Going away".

mod connection;
mod event;
mod management;
mod selection;
mod server;

use serde_json::Value;
use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// API Gateway's largest WebSocket frame.
pub const FRAME_LIMIT: usize = 32 * 1024;
/// API Gateway's largest WebSocket message (and `PostToConnection` payload).
pub const MESSAGE_LIMIT: usize = 128 * 1024;
/// API Gateway closes a connection that has been idle this long.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// API Gateway closes every connection after this long.
pub const MAX_LIFETIME: Duration = Duration::from_secs(2 * 60 * 60);

/// How the gateway runs a route's function.
pub trait Invoke: Send + Sync + 'static {
    /// Runs the route's function with an API Gateway WebSocket event; returns the function's JSON result
    /// (an API Gateway proxy response: {statusCode, headers?, body?}) or an error text if the function failed.
    fn invoke(&self, function: &str, event: Value) -> Pin<Box<dyn Future<Output = Result<Value, String>> + Send + '_>>;
}

/// An [`Invoke`] from a closure that gets the function's name and the event.
pub fn invoke_fn<F, Fut>(f: F) -> Arc<dyn Invoke>
where
    F: Fn(String, Value) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, String>> + Send + 'static,
{
    Arc::new(FnInvoke(f))
}

struct FnInvoke<F>(F);

impl<F, Fut> Invoke for FnInvoke<F>
where
    F: Fn(String, Value) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, String>> + Send + 'static,
{
    fn invoke(&self, function: &str, event: Value) -> Pin<Box<dyn Future<Output = Result<Value, String>> + Send + '_>> {
        Box::pin((self.0)(function.to_string(), event))
    }
}

/// A route's integration: the function it invokes (the name [`Invoke`] gets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub function: String,
    /// The route has a route response: the function's response `body` goes back to the client.
    pub two_way: bool,
}

/// The API's routes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routes {
    /// The API's `RouteSelectionExpression`: `$request.body.<dotted.path>` (or `${request.body...}`).
    pub selection_expression: String,
    /// By route key: `$connect`, `$disconnect`, `$default`, or a value of the selected field.
    pub routes: BTreeMap<String, Route>,
}

impl Routes {
    /// Whether the gateway can evaluate the selection expression.
    pub fn check(&self) -> Result<(), String> {
        selection::parse(&self.selection_expression).map(|_| ())
    }

    /// The route key a message with this body goes to (`$default` included), or `None`
    /// when it goes nowhere (API Gateway answers "Forbidden").
    pub fn select(&self, body: &str) -> Option<&str> {
        let path = selection::parse(&self.selection_expression).ok()?;
        selection::select(&path, body, &self.routes)
    }
}

/// What the API is called and how long connections last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `requestContext.apiId`.
    pub api_id: String,
    /// The stage: the path clients connect to and `requestContext.stage`.
    pub stage: String,
    pub region: String,
    /// A connection with no frame from its client for this long is closed ([`IDLE_TIMEOUT`]).
    pub idle_timeout: Duration,
    /// A connection is closed this long after it opened ([`MAX_LIFETIME`]).
    pub max_lifetime: Duration,
}

impl Settings {
    /// API Gateway's timeouts.
    pub fn new(api_id: impl Into<String>, stage: impl Into<String>, region: impl Into<String>) -> Settings {
        Settings {
            api_id: api_id.into(),
            stage: stage.into(),
            region: region.into(),
            idle_timeout: IDLE_TIMEOUT,
            max_lifetime: MAX_LIFETIME,
        }
    }
}

/// A running gateway; it serves until [`Gateway::shutdown`] (or until dropped, which
/// stops it without `$disconnect` invocations).
pub struct Gateway {
    shared: Arc<server::Shared>,
    addr: SocketAddr,
}

impl Gateway {
    /// Serves the API on `listener` from a spawned task. Fails when the selection
    /// expression is not one the gateway evaluates, or the stage is not a path segment.
    pub async fn start(
        listener: tokio::net::TcpListener,
        settings: Settings,
        routes: Routes,
        invoker: Arc<dyn Invoke>,
    ) -> std::io::Result<Gateway> {
        let invalid = |e: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, e);
        let selection = selection::parse(&routes.selection_expression).map_err(invalid)?;
        if settings.stage.is_empty() || settings.stage.contains(['/', '?', '#', '@']) {
            return Err(invalid(format!("stage `{}` is not a path segment", settings.stage)));
        }
        let mut addr = listener.local_addr()?;
        if addr.ip().is_unspecified() {
            addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        let shared = server::Shared::new(settings, routes, selection, invoker, addr.port());
        server::spawn_accept_loop(shared.clone(), listener);
        Ok(Gateway { shared, addr })
    }

    /// Where clients connect: `ws://127.0.0.1:PORT/STAGE`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/{}", self.addr, self.shared.settings.stage)
    }

    /// The management API's endpoint, `http://127.0.0.1:PORT/STAGE`: what
    /// `AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI` is set to.
    pub fn management_url(&self) -> String {
        format!("http://{}/{}", self.addr, self.shared.settings.stage)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The ids of the connections open now, sorted.
    pub async fn open_connections(&self) -> Vec<String> {
        self.shared.open_connections()
    }

    /// Closes every open connection with `code` (each gets its `$disconnect`) and goes on
    /// accepting new ones: what a client sees when the service behind it restarts, so
    /// it reconnects (the local stack's data reset uses 1012, "Service Restart").
    pub fn close_all(&self, code: u16, reason: &'static str) {
        self.shared.close_all(code, reason);
    }

    /// Stops accepting, closes every connection (1001) and waits, a few seconds at most,
    /// for their `$disconnect` invocations.
    pub async fn shutdown(self) {
        self.shared.shutdown().await;
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        self.shared.abort_all();
    }
}
