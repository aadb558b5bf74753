//! One WebSocket connection, from the upgrade to its `$disconnect`.

use crate::event::{self, Peer};
use crate::selection;
use crate::server::{ProxyResponse, Shared};
use crate::{FRAME_LIMIT, MESSAGE_LIMIT};
use chrono::{DateTime, Utc};
use futures_util::{SinkExt, StreamExt};
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, timeout};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

type Ws = WebSocketStream<TokioIo<Upgraded>>;

/// How long a closing connection waits for the client's close frame.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// What others ask of a connection's task.
pub(crate) enum Outbound {
    /// A frame to send; `ack` once it is written.
    Send { message: Message, ack: Option<oneshot::Sender<()>> },
    /// Close with this code; `ack` once the close frame is written.
    Close { code: u16, reason: &'static str, ack: Option<oneshot::Sender<()>> },
}

pub(crate) struct Conn {
    pub peer: Peer,
    last_active_ms: AtomicI64,
    outbound: mpsc::UnboundedSender<Outbound>,
}

impl Conn {
    pub fn new(peer: Peer) -> (Arc<Conn>, mpsc::UnboundedReceiver<Outbound>) {
        let (outbound, rx) = mpsc::unbounded_channel();
        let last_active_ms = AtomicI64::new(peer.connected_at.timestamp_millis());
        (Arc::new(Conn { peer, last_active_ms, outbound }), rx)
    }

    fn touch(&self) {
        self.last_active_ms.store(Utc::now().timestamp_millis(), Ordering::Relaxed);
    }

    pub fn last_active(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.last_active_ms.load(Ordering::Relaxed)).unwrap_or(self.peer.connected_at)
    }

    /// Sends `data` as one frame: text when it is UTF-8 (as API Gateway sends), else binary.
    /// A dropped `ack` means the connection closed first.
    pub fn send(&self, data: Vec<u8>, ack: Option<oneshot::Sender<()>>) {
        let message = match String::from_utf8(data) {
            Ok(text) => Message::text(text),
            Err(e) => Message::binary(e.into_bytes()),
        };
        let _ = self.outbound.send(Outbound::Send { message, ack });
    }

    pub fn close(&self, code: u16, reason: &'static str, ack: Option<oneshot::Sender<()>>) {
        let _ = self.outbound.send(Outbound::Close { code, reason, ack });
    }
}

/// Runs a connection whose `$connect` succeeded: waits for the upgrade, serves it until
/// it closes, forgets it, lets the invocations of messages already received finish, and
/// invokes `$disconnect`.
pub(crate) async fn run(
    s: Arc<Shared>,
    conn: Arc<Conn>,
    outbound: mpsc::UnboundedReceiver<Outbound>,
    upgrade: OnUpgrade,
) {
    let (code, reason) = match upgrade.await {
        Ok(upgraded) => {
            let config =
                WebSocketConfig::default().max_frame_size(Some(FRAME_LIMIT)).max_message_size(Some(MESSAGE_LIMIT));
            let ws = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config)).await;
            let (inbox, queued) = mpsc::unbounded_channel();
            let serve = async {
                let closed = pump(&s, &conn, ws, outbound, inbox).await;
                s.forget(&conn.peer.connection_id);
                closed
            };
            tokio::join!(serve, work(&s, &conn, queued)).0
        }
        Err(_) => {
            // The client went away before the upgrade completed.
            s.forget(&conn.peer.connection_id);
            (1006, String::new())
        }
    };
    if let Some(route) = s.routes.routes.get("$disconnect") {
        let event = event::disconnect(&s.settings, &conn.peer, code, &reason, Utc::now());
        // Best effort, as in AWS: nobody is left to tell about a failure.
        let _ = s.invoker.invoke(&route.function, event).await;
    }
}

/// Moves frames between the socket, the invocation queue and the outbound channel
/// until the connection ends; returns the close code and reason `$disconnect` reports.
async fn pump(
    s: &Shared,
    conn: &Conn,
    mut ws: Ws,
    mut outbound: mpsc::UnboundedReceiver<Outbound>,
    inbox: mpsc::UnboundedSender<String>,
) -> (u16, String) {
    let idle = s.settings.idle_timeout;
    let idle_timer = tokio::time::sleep(idle);
    let lifetime = tokio::time::sleep(s.settings.max_lifetime);
    tokio::pin!(idle_timer, lifetime);
    loop {
        tokio::select! {
            frame = ws.next() => {
                let message = match frame {
                    Some(Ok(m)) => m,
                    Some(Err(WsError::Capacity(_))) => return close(ws, 1009, "Message too big", None).await,
                    Some(Err(_)) | None => return (1006, String::new()),
                };
                conn.touch();
                idle_timer.as_mut().reset(Instant::now() + idle);
                match message {
                    Message::Text(text) => {
                        let _ = inbox.send(text.as_str().to_string());
                    }
                    Message::Binary(_) => return close(ws, 1003, "Binary frames are not supported", None).await,
                    Message::Close(frame) => {
                        let (code, reason) = frame
                            .map(|f| (u16::from(f.code), f.reason.as_str().to_string()))
                            .unwrap_or((1005, String::new()));
                        // tungstenite has queued the close reply; reading on sends it.
                        let _ = timeout(CLOSE_WAIT, async { while let Some(Ok(_)) = ws.next().await {} }).await;
                        return (code, reason);
                    }
                    // tungstenite answers pings itself.
                    Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
                }
            }
            next = outbound.recv() => match next {
                Some(Outbound::Send { message, ack }) => {
                    if ws.send(message).await.is_err() {
                        return (1006, String::new());
                    }
                    if let Some(ack) = ack {
                        let _ = ack.send(());
                    }
                }
                Some(Outbound::Close { code, reason, ack }) => return close(ws, code, reason, ack).await,
                None => return close(ws, 1001, "Going away", None).await,
            },
            () = &mut idle_timer => return close(ws, 1001, "Going away", None).await,
            () = &mut lifetime => return close(ws, 1001, "Going away", None).await,
        }
    }
}

/// Closes from the gateway's side: the close frame now; the client's answer and a
/// graceful end of the TCP connection in the background (see [`linger`]), so that
/// `$disconnect` need not wait for the client.
async fn close(mut ws: Ws, code: u16, reason: &'static str, ack: Option<oneshot::Sender<()>>) -> (u16, String) {
    let frame = CloseFrame { code: CloseCode::from(code), reason: reason.into() };
    let _ = ws.close(Some(frame)).await;
    if let Some(ack) = ack {
        let _ = ack.send(());
    }
    tokio::spawn(linger(ws));
    (code, reason.to_string())
}

/// Waits (briefly) for the client's close frame, then ends the TCP connection with a
/// FIN and reads what the client still sends (the rest of an oversize frame): closing a
/// socket with unread data would reset the connection instead.
async fn linger(mut ws: Ws) {
    let _ = timeout(CLOSE_WAIT, async { while let Some(Ok(_)) = ws.next().await {} }).await;
    let mut io = ws.into_inner();
    let _ = io.shutdown().await;
    let _ = timeout(CLOSE_WAIT, async {
        let mut buf = vec![0u8; 16 * 1024];
        while matches!(io.read(&mut buf).await, Ok(n) if n > 0) {}
    })
    .await;
}

/// Invokes each received message's route, one at a time in arrival order, and sends
/// what API Gateway would send back.
async fn work(s: &Shared, conn: &Conn, mut queued: mpsc::UnboundedReceiver<String>) {
    let id = conn.peer.connection_id.as_str();
    while let Some(body) = queued.recv().await {
        let Some(key) = selection::select(&s.selection, &body, &s.routes.routes) else {
            let reply = event::gateway_message("Forbidden", id, &event::new_id());
            conn.send(reply.into_bytes(), None);
            continue;
        };
        let route = &s.routes.routes[key];
        let (event, request_id) = event::message(&s.settings, &conn.peer, key, &body, Utc::now());
        let result = s.invoker.invoke(&route.function, event).await;
        let reply = match result {
            Err(_) => Some(Err(())),
            Ok(response) if route.two_way => Some(ProxyResponse::parse(&response).map(|r| r.body).ok_or(())),
            Ok(_) => None,
        };
        match reply {
            Some(Ok(body)) if !body.is_empty() => conn.send(body, None),
            Some(Err(())) => {
                let reply = event::gateway_message("Internal server error", id, &request_id);
                conn.send(reply.into_bytes(), None);
            }
            _ => {}
        }
    }
}
