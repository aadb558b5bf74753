//! Chat over the running stack's WebSocket API, as a browser does it: the smoke
//! journey's chat step and the fan-out benchmark (`local-stack bench-chat`).

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub struct Socket(WebSocketStream<MaybeTlsStream<TcpStream>>);

/// Connects with the access token as the second subprotocol, as the web app does.
pub async fn connect(ws_url: &str, token: &str) -> Result<Socket, String> {
    let mut req = ws_url.into_client_request().map_err(|e| format!("{ws_url}: {e}"))?;
    let protocols = format!("capture-moments, {token}").parse().map_err(|e| format!("subprotocol header: {e}"))?;
    req.headers_mut().insert("sec-websocket-protocol", protocols);
    let (socket, response) =
        tokio_tungstenite::connect_async(req).await.map_err(|e| format!("connecting to {ws_url}: {e}"))?;
    let echoed = response.headers().get("sec-websocket-protocol").and_then(|v| v.to_str().ok());
    if echoed != Some("capture-moments") {
        return Err(format!("the handshake should echo the capture-moments subprotocol, got {echoed:?}"));
    }
    Ok(Socket(socket))
}

impl Socket {
    pub async fn send(&mut self, frame: &Value) -> Result<(), String> {
        self.0.send(Message::text(frame.to_string())).await.map_err(|e| format!("sending a frame: {e}"))
    }

    /// The next JSON frame of `kind` within `wait`; frames of other kinds are skipped.
    pub async fn until(&mut self, kind: &str, wait: Duration) -> Result<Value, String> {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.0.next()).await {
                Ok(Some(Ok(Message::Text(t)))) => {
                    let v: Value =
                        serde_json::from_str(&t).map_err(|e| format!("a frame that is not JSON ({e}): {t}"))?;
                    if v["type"] == kind {
                        return Ok(v);
                    }
                    if v["type"] == "error" {
                        return Err(format!("an error frame while waiting for {kind}: {v}"));
                    }
                }
                Ok(Some(Ok(_))) => {}
                Ok(Some(Err(e))) => return Err(format!("the socket failed: {e}")),
                Ok(None) => return Err("the socket closed".into()),
                Err(_) => return Err(format!("no {kind} frame within {} s", wait.as_secs())),
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.0.close(None).await;
    }
}

pub fn say(booking: &str, client_id: &str, text: &str) -> Value {
    json!({"action": "send_message", "booking_id": booking, "client_id": client_id, "text": text})
}

/// Fan-out latency: `messages` sends from `sender`, each timed from the send to its
/// `message` frame on `receiver`. Sequential, so each is one message's own path
/// (ws-send-message, the write, the stream, deliver-chat, the push).
pub async fn fan_out_latencies(
    sender: &mut Socket,
    receiver: &mut Socket,
    booking: &str,
    messages: usize,
) -> Result<Vec<Duration>, String> {
    let mut out = Vec::with_capacity(messages);
    let run = ulid::Ulid::new().to_string();
    for i in 0..messages {
        let client_id = format!("bench-{run}-{i}");
        let started = Instant::now();
        sender.send(&say(booking, &client_id, &format!("benchmark message {i}"))).await?;
        loop {
            let f = receiver.until("message", Duration::from_secs(30)).await?;
            if f["message"]["client_id"] == client_id.as_str() {
                break;
            }
        }
        out.push(started.elapsed());
        sender.until("sent", Duration::from_secs(30)).await?;
        // The sender's own copy of the push; taken here so frames do not pile up.
        sender.until("message", Duration::from_secs(30)).await?;
    }
    Ok(out)
}

/// p50, p99 and max of `d`, in milliseconds.
pub fn percentiles(d: &[Duration]) -> (f64, f64, f64) {
    let mut ms: Vec<f64> = d.iter().map(|x| x.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms.get(((ms.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(f64::NAN);
    (at(0.5), at(0.99), ms.last().copied().unwrap_or(f64::NAN))
}

/// `local-stack bench-chat`: against the running stack, the demo client and the demo
/// photographer chat about one of their seeded bookings; prints the fan-out latency.
pub async fn bench(root: &std::path::Path, messages: usize) -> Result<(), String> {
    use crate::seed::catalog::{DEMO_CLIENT, DEMO_PASSWORD, DEMO_PHOTOGRAPHER};
    let control = crate::running_control_url(root)?;
    let (_, text) = crate::client::get(&format!("{control}/status")).await?;
    let status: Value = serde_json::from_str(&text).map_err(|e| format!("control status: {e}"))?;
    let api = status["api"].as_str().ok_or("the stack reports no API")?.to_string();
    let ws = status["websocket"]["url"].as_str().ok_or("the stack serves no WebSocket API")?.to_string();
    let login = |email: &'static str| {
        let api = api.clone();
        async move {
            let (code, v) = crate::client::post_json(
                &format!("{api}/auth/login"),
                None,
                &json!({"email": email, "password": DEMO_PASSWORD}),
            )
            .await?;
            v["access_token"].as_str().map(String::from).ok_or(format!("login of {email} ({code}): {v}"))
        }
    };
    let (client, photographer) = (login(DEMO_CLIENT).await?, login(DEMO_PHOTOGRAPHER).await?);
    let r = crate::client::send("GET", &format!("{api}/bookings?limit=100"), Some(&client), None).await?;
    let me = crate::client::send("GET", &format!("{api}/me"), Some(&photographer), None).await?;
    let photographer_id = me.json["id"].as_str().unwrap_or_default().to_string();
    let booking = r.json["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|b| b["photographer_id"] == photographer_id.as_str())
        .and_then(|b| b["id"].as_str())
        .ok_or("the demo client has no booking with the demo photographer (scripts/dev reset reseeds)")?
        .to_string();
    let mut c = connect(&ws, &client).await?;
    let mut p = connect(&ws, &photographer).await?;
    // Warm-up: each function's first invocation is a cold start.
    fan_out_latencies(&mut c, &mut p, &booking, 3).await?;
    let mut all = Vec::new();
    // 20 per 10 s per socket is the chat's rate limit: pace the sends under it.
    for chunk in 0..messages.div_ceil(15) {
        let n = (messages - chunk * 15).min(15);
        let started = Instant::now();
        all.extend(fan_out_latencies(&mut c, &mut p, &booking, n).await?);
        tokio::time::sleep(Duration::from_secs(10).saturating_sub(started.elapsed())).await;
    }
    let (p50, p99, max) = percentiles(&all);
    println!(
        "chat fan-out, send to delivery on the other socket ({} messages): p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms",
        all.len()
    );
    c.close().await;
    p.close().await;
    Ok(())
}
