//! The whole Capture Moments platform on one machine, driven by template.yaml: Amazon's
//! DynamoDB Local for DynamoDB and its streams, moto for the other AWS services,
//! cargo-lambda's emulator for Lambda, an API Gateway-style router, the template's
//! WebSocket API (the `ws-gateway` crate, on `WS_PORT`, default 3001), DynamoDB stream
//! pollers, schedules, demo data and the web app (`web.rs`, on `WEB_PORT`, default 3002). docs/local-stack.md explains the design.

pub mod api;
pub mod aws;
pub mod calendars;
pub mod chat;
pub mod client;
pub mod console;
pub mod control;
pub mod dynamodb;
pub mod functions;
pub mod moto;
pub mod procs;
pub mod resources;
pub mod schedule;
pub mod seed;
pub mod smoke;
pub mod stack;
pub mod streams;
pub mod template;
pub mod uploads;
pub mod web;
pub mod websocket;

/// The repository root: the nearest directory upwards holding template.yaml.
pub fn repo_root() -> Result<std::path::PathBuf, String> {
    let start = std::env::current_dir().map_err(|e| e.to_string())?;
    start
        .ancestors()
        .find(|d| d.join("template.yaml").is_file() && d.join("Cargo.toml").is_file())
        .map(std::path::Path::to_path_buf)
        .ok_or_else(|| format!("no template.yaml in {} or above", start.display()))
}

/// The control URL of the stack running from this checkout, if one is.
pub fn running_control_url(root: &std::path::Path) -> Result<String, String> {
    let path = root.join(".local/dev/state.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|_| "no local stack is running (start one with scripts/dev)".to_string())?;
    let state: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let pid = state["pid"].as_i64().and_then(|p| i32::try_from(p).ok()).unwrap_or(0);
    // SAFETY: signal 0 only checks that the process exists.
    let alive = pid > 0 && unsafe { libc::kill(pid, 0) } == 0;
    if !alive {
        return Err("the local stack that wrote .local/dev/state.json is gone (start one with scripts/dev)".into());
    }
    state["control"].as_str().map(String::from).ok_or_else(|| "state.json has no control URL".into())
}

/// Where cargo puts dev-profile binaries: `$CARGO_TARGET_DIR/debug`, else `target/debug`.
pub fn debug_dir(root: &std::path::Path) -> std::path::PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => root.join(dir).join("debug"),
        None => root.join("target/debug"),
    }
}
