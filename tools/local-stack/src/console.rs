//! What the developer sees: one line per invocation, short notices, and the lines of
//! child logs worth their attention. Plain stderr writes, one `eprintln!` per line, so
//! lines from concurrent tasks never interleave mid-line.

use std::time::Duration;

fn stamp() -> String {
    chrono::Local::now().format("%H:%M:%S%.3f").to_string()
}

pub fn info(msg: &str) {
    eprintln!("{} {msg}", stamp());
}

pub fn warn(msg: &str) {
    eprintln!("{} warning: {msg}", stamp());
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Http,
    Stream,
    Schedule,
    S3,
    WebSocket,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Http => "http",
            Trigger::Stream => "stream",
            Trigger::Schedule => "schedule",
            Trigger::S3 => "s3",
            Trigger::WebSocket => "ws",
        }
    }
}

/// `12:00:01.234 http     get-photographer              200      12 ms  GET /photographers/01J…`
pub fn invocation(trigger: Trigger, function: &str, status: &str, took: Duration, cold: bool, detail: &str) {
    let cold = if cold { " (cold start)" } else { "" };
    eprintln!(
        "{} {:<8} {:<30} {:<10} {:>6} ms  {detail}{cold}",
        stamp(),
        trigger.as_str(),
        function,
        status,
        took.as_millis()
    );
}

/// A child's log line, shown because it is a warning, an error or not JSON at all
/// (a panic message, a crash).
pub fn child_line(prefix: &str, line: &str) {
    let text = serde_json::from_str::<serde_json::Value>(line)
        .ok()
        .and_then(|v| {
            let level = v["level"].as_str()?.to_string();
            let msg = v["fields"]["message"].as_str().or(v["message"].as_str()).unwrap_or_default().to_string();
            let rest = v["fields"]
                .as_object()
                .map(|f| {
                    f.iter()
                        .filter(|(k, _)| *k != "message")
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default();
            Some(format!("{level} {msg} {rest}"))
        })
        .unwrap_or_else(|| line.to_string());
    eprintln!("{} {prefix:<8} {}", stamp(), text.trim_end());
}

/// Function log lines worth showing: warnings, errors, and anything that is not JSON.
pub fn is_notable_function_line(line: &str) -> bool {
    match serde_json::from_str::<serde_json::Value>(line) {
        Ok(v) => matches!(v["level"].as_str(), Some("WARN" | "ERROR")),
        Err(_) => !line.trim().is_empty(),
    }
}

pub fn never(_: &str) -> bool {
    false
}
