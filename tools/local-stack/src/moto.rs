//! The local AWS for every service but DynamoDB (see dynamodb.rs): a moto server on
//! loopback, started here or (with `AWS_PORT` naming a port where one already answers)
//! reused as it is.

use crate::procs;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

pub struct Moto {
    pub port: u16,
    pub url: String,
    /// `None` when we reuse a moto someone else started (and must not stop).
    pub child: Option<Child>,
}

pub async fn start(root: &Path, requested: Option<u16>, log: &Path) -> Result<Moto, String> {
    let port = match requested {
        Some(p) if procs::port_open(p).await => {
            let url = format!("http://127.0.0.1:{p}");
            if !is_moto(&url).await {
                return Err(format!("AWS_PORT={p} is taken by something that is not moto"));
            }
            return Ok(Moto { port: p, url, child: None });
        }
        Some(p) => p,
        None => procs::free_port().map_err(|e| format!("no free port: {e}"))?,
    };
    let server = root.join(".venv/aws/bin/moto_server");
    if !server.exists() {
        return Err(format!("{} is missing: run scripts/dev (it installs moto)", server.display()));
    }
    let mut cmd = Command::new(&server);
    cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()]).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = procs::spawn(&mut cmd).map_err(|e| format!("starting moto: {e}"))?;
    procs::capture_output(&mut child, log, "moto".into(), crate::console::never);
    procs::wait_for_port(port, Duration::from_secs(30), &mut child).await.map_err(|e| format!("moto {e}"))?;
    Ok(Moto { port, url: format!("http://127.0.0.1:{port}"), child: Some(child) })
}

async fn is_moto(url: &str) -> bool {
    crate::client::get(&format!("{url}/moto-api/data.json")).await.is_ok_and(|(status, _)| status == 200)
}

/// Clears every service's state (`POST /moto-api/reset`).
pub async fn reset(url: &str) -> Result<(), String> {
    match crate::client::post_json(&format!("{url}/moto-api/reset"), None, &serde_json::Value::Null).await {
        Ok((200, _)) => Ok(()),
        Ok((status, body)) => Err(format!("moto reset answered {status}: {body}")),
        Err(e) => Err(format!("moto reset: {e}")),
    }
}
