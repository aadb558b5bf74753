//! Cold starts measured. Each function's release binary is started as Lambda starts a
//! bootstrap (a clean environment: Lambda's variables and the function's own from
//! template.yaml), under a Runtime API of our own ([`runtime_api`]); for each start we
//! time init (exec to the first request for work), the first invocation (which pays
//! for the connections init did not open), then warm invocations, and read the peak
//! RSS. `main.rs` runs this over a set of functions beside hello-world floors and prints
//! the table docs/performance.md keeps.

pub mod package;
pub mod runtime_api;
pub mod stats;

use bytes::Bytes;
use runtime_api::{Outcome, RuntimeApi};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::Command;

/// One binary to start, with what it is started with.
#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    pub binary: PathBuf,
    pub env: BTreeMap<String, String>,
    pub memory_mb: u64,
    pub event: Bytes,
    /// Where the process's stdout and stderr go (its JSON log lines).
    pub log: PathBuf,
}

/// One cold start and what followed it.
#[derive(Debug, Clone)]
pub struct Start {
    pub init: Duration,
    pub first: Duration,
    pub warm: Vec<Duration>,
    /// Peak resident set (VmHWM), KiB.
    pub peak_rss_kib: u64,
    /// What the first invocation answered: the HTTP status for an API event, else `ok`
    /// or `error`.
    pub answer: String,
}

const INIT_LIMIT: Duration = Duration::from_secs(20);
const INVOKE_LIMIT: Duration = Duration::from_secs(30);

/// Starts `target` once, cold, and invokes it `1 + warm` times with its event.
pub async fn cold_start(target: &Target, warm: usize) -> Result<Start, String> {
    let api = RuntimeApi::start(&target.name).await.map_err(|e| format!("Runtime API: {e}"))?;
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&target.log)
        .map_err(|e| format!("{}: {e}", target.log.display()))?;
    let log_err = log.try_clone().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(&target.binary);
    cmd.env_clear()
        .envs(&target.env)
        .env("AWS_LAMBDA_RUNTIME_API", api.endpoint())
        .env("AWS_LAMBDA_FUNCTION_NAME", &target.name)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", target.memory_mb.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(log_err))
        .kill_on_drop(true);
    let exec = Instant::now();
    let mut child = cmd.spawn().map_err(|e| format!("{}: {e}", target.binary.display()))?;
    let ready = tokio::select! {
        ready = api.ready(INIT_LIMIT) => ready?,
        status = child.wait() => {
            return Err(format!("exited during init ({}); see {}", status.map(|s| s.to_string()).unwrap_or_default(), target.log.display()));
        }
    };
    let init = ready.duration_since(exec);
    let (first, answer) = api.invoke(target.event.clone(), INVOKE_LIMIT).await?;
    let answer = describe(&answer.outcome);
    let mut warm_times = Vec::with_capacity(warm);
    for _ in 0..warm {
        let (took, _) = api.invoke(target.event.clone(), INVOKE_LIMIT).await?;
        warm_times.push(took);
    }
    let peak_rss_kib = child.id().and_then(peak_rss_kib).unwrap_or(0);
    let _ = child.start_kill();
    let _ = child.wait().await;
    Ok(Start { init, first, warm: warm_times, peak_rss_kib, answer })
}

/// `VmHWM` of a live process: the most memory it has held resident.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Error(_) => "error".into(),
        Outcome::Response(body) => serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("statusCode").and_then(serde_json::Value::as_u64))
            .map_or_else(|| "ok".into(), |s| s.to_string()),
    }
}
