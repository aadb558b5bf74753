//! Fixture external calendars over plain HTTP on 127.0.0.1: what Google or Outlook would
//! serve a photographer's secret iCal address, for the local stack (its demo calendar)
//! and the tests (which also make it misbehave: fail, redirect, stall, grow too big).
//! The fetch reaches it only under the test allowance `CALENDAR_FETCH_ALLOW_LOOPBACK=1`,
//! which the local stack sets for its functions and nothing in AWS ever does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What one path answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Behavior {
    /// 200 with this calendar and ETag; 304 to a request that names the ETag.
    Calendar { body: String, etag: String },
    /// This status, empty body.
    Status(u16),
    /// 302 to this location.
    Redirect(String),
    /// Headers and a little of the body, then nothing (the connection stays open).
    Stall,
    /// 200 with this many bytes of calendar-looking text, no Content-Length (chunked).
    Huge(usize),
}

#[derive(Debug, Default)]
struct State {
    routes: HashMap<String, Behavior>,
    hits: HashMap<String, usize>,
    not_modified: HashMap<String, usize>,
}

/// The server; cheap to clone, lives as long as the runtime that started it.
#[derive(Debug, Clone)]
pub struct FixtureCalendars {
    port: u16,
    state: Arc<Mutex<State>>,
}

impl FixtureCalendars {
    /// Listens on a free port of 127.0.0.1.
    pub async fn start() -> std::io::Result<FixtureCalendars> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let server = FixtureCalendars { port, state: Arc::default() };
        let state = server.state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, state.clone()));
            }
        });
        Ok(server)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The address of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn set(&self, path: &str, behavior: Behavior) {
        lock(&self.state).routes.insert(path.to_string(), behavior);
    }

    /// Requests of `path` so far.
    pub fn hits(&self, path: &str) -> usize {
        lock(&self.state).hits.get(path).copied().unwrap_or(0)
    }

    /// Of those, answered 304.
    pub fn not_modified(&self, path: &str) -> usize {
        lock(&self.state).not_modified.get(path).copied().unwrap_or(0)
    }
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn serve(mut stream: TcpStream, state: Arc<Mutex<State>>) {
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
        if request.len() > 64 * 1024 {
            return;
        }
    }
    let text = String::from_utf8_lossy(&request).to_string();
    let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
    let if_none_match = text
        .lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("if-none-match")))
        .map(|(_, v)| v.trim().to_string());
    let behavior = {
        let mut s = lock(&state);
        *s.hits.entry(path.clone()).or_default() += 1;
        let behavior = s.routes.get(&path).cloned().unwrap_or(Behavior::Status(404));
        if let Behavior::Calendar { etag, .. } = &behavior
            && if_none_match.as_deref() == Some(etag.as_str())
        {
            *s.not_modified.entry(path.clone()).or_default() += 1;
        }
        behavior
    };
    let head = |status: &str, extra: &str| format!("HTTP/1.1 {status}\r\nConnection: close\r\n{extra}\r\n");
    let _ = match behavior {
        Behavior::Calendar { body, etag } => {
            if if_none_match.as_deref() == Some(etag.as_str()) {
                stream.write_all(head("304 Not Modified", &format!("ETag: {etag}\r\n")).as_bytes()).await
            } else {
                let headers = format!(
                    "Content-Type: text/calendar; charset=utf-8\r\nETag: {etag}\r\nContent-Length: {}\r\n",
                    body.len()
                );
                stream.write_all(format!("{}{body}", head("200 OK", &headers)).as_bytes()).await
            }
        }
        Behavior::Status(code) => {
            stream.write_all(head(&format!("{code} Status"), "Content-Length: 0\r\n").as_bytes()).await
        }
        Behavior::Redirect(location) => {
            let headers = format!("Location: {location}\r\nContent-Length: 0\r\n");
            stream.write_all(head("302 Found", &headers).as_bytes()).await
        }
        Behavior::Stall => {
            let headers = "Content-Type: text/calendar\r\nContent-Length: 100000\r\n";
            let _ = stream.write_all(format!("{}BEGIN:VCALENDAR\r\n", head("200 OK", headers)).as_bytes()).await;
            tokio::time::sleep(Duration::from_secs(120)).await;
            Ok(())
        }
        Behavior::Huge(bytes) => {
            let headers = "Content-Type: text/calendar\r\nTransfer-Encoding: chunked\r\n";
            if stream.write_all(head("200 OK", headers).as_bytes()).await.is_err() {
                return;
            }
            let line = "X-FILLER:0123456789012345678901234567890123456789012345678901234567890\r\n";
            let chunk: String = line.repeat(64);
            let mut sent = 0;
            while sent < bytes {
                let frame = format!("{:x}\r\n{chunk}\r\n", chunk.len());
                if stream.write_all(frame.as_bytes()).await.is_err() {
                    return;
                }
                sent += chunk.len();
            }
            stream.write_all(b"0\r\n\r\n").await
        }
    };
    let _ = stream.shutdown().await;
}

/// A small calendar: a weekly 10:00–11:00 (UTC) event on the weekday of `first` for
/// `weeks` weeks with the second week excluded, and an all-day event on `all_day`.
/// Titles are private on purpose ("Dentist"): nothing of them may reach clients.
pub fn demo_calendar(first: chrono::NaiveDate, weeks: u32, all_day: chrono::NaiveDate) -> String {
    let excluded = first + chrono::Days::new(7);
    let next = all_day + chrono::Days::new(1);
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Capture Moments//fixture//EN\r\n\
BEGIN:VEVENT\r\nUID:weekly@fixture\r\nSUMMARY:Dentist (private)\r\n\
DTSTART:{f}T100000Z\r\nDTEND:{f}T110000Z\r\nRRULE:FREQ=WEEKLY;COUNT={weeks}\r\nEXDATE:{x}T100000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:allday@fixture\r\nSUMMARY:Family wedding (private)\r\n\
DTSTART;VALUE=DATE:{a}\r\nDTEND;VALUE=DATE:{n}\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:free@fixture\r\nSUMMARY:Reminder\r\nTRANSP:TRANSPARENT\r\n\
DTSTART:{f}T140000Z\r\nDTEND:{f}T150000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        f = first.format("%Y%m%d"),
        x = excluded.format("%Y%m%d"),
        a = all_day.format("%Y%m%d"),
        n = next.format("%Y%m%d"),
    )
}
