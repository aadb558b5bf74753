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
    /// CPU time the process had used when init ended (every live thread's, from
    /// `/proc/<pid>/task/*/schedstat`): what init cost, nearly independent of what else
    /// the machine is doing, where the wall-clock `init` is not.
    pub init_cpu: Duration,
    /// Page faults (minor and major) taken by the end of init: mostly the binary's pages
    /// touched and relocated, and the heap grown.
    pub init_faults: u64,
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
    let mut cmd = Command::new(&target.binary);
    as_lambda_starts_it(&mut cmd, target, &api.endpoint())?;
    cmd.kill_on_drop(true);
    let exec = Instant::now();
    let mut child = cmd.spawn().map_err(|e| format!("{}: {e}", target.binary.display()))?;
    let ready = tokio::select! {
        ready = api.ready(INIT_LIMIT) => ready?,
        status = child.wait() => {
            return Err(format!("exited during init ({}); see {}", status.map(|s| s.to_string()).unwrap_or_default(), target.log.display()));
        }
    };
    let init = ready.duration_since(exec);
    let (init_cpu, init_faults) = child.id().map(|pid| (cpu_time(pid), faults(pid))).unwrap_or_default();
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
    Ok(Start { init, init_cpu, init_faults, first, warm: warm_times, peak_rss_kib, answer })
}

/// `VmHWM` of a live process: the most memory it has held resident.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The environment Lambda gives a bootstrap (the target's own variables and Lambda's,
/// nothing inherited), with its output appended to the target's log.
fn as_lambda_starts_it(cmd: &mut Command, target: &Target, runtime_api: &str) -> Result<(), String> {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&target.log)
        .map_err(|e| format!("{}: {e}", target.log.display()))?;
    let log_err = log.try_clone().map_err(|e| e.to_string())?;
    cmd.env_clear()
        .envs(&target.env)
        .env("AWS_LAMBDA_RUNTIME_API", runtime_api)
        .env("AWS_LAMBDA_FUNCTION_NAME", &target.name)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", target.memory_mb.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(log_err));
    Ok(())
}

/// Instructions a binary executes in init, counted by valgrind's callgrind: the same
/// count on every run of the same binary and environment, whatever else the machine is
/// doing, and a profile (`callgrind_annotate FILE`) of where they went. The Runtime API
/// address given is closed, so the first `next` fails and the process exits, which is
/// when callgrind writes its counts: init, one refused connection, and the exit.
pub async fn init_instructions(target: &Target, out_file: &std::path::Path) -> Result<u64, String> {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?;
    let mut cmd = Command::new("valgrind");
    cmd.arg("--tool=callgrind").arg(format!("--callgrind-out-file={}", out_file.display())).arg(&target.binary);
    as_lambda_starts_it(&mut cmd, target, &closed.to_string())?;
    let status = cmd.status().await.map_err(|e| format!("valgrind (Debian's package `valgrind`): {e}"))?;
    let text = std::fs::read_to_string(out_file)
        .map_err(|e| format!("valgrind exited {status} without {}: {e}", out_file.display()))?;
    callgrind_total(&text).ok_or_else(|| format!("no totals in {}", out_file.display()))
}

/// The `totals:` (or, in older files, `summary:`) line of a callgrind output file:
/// instructions executed (the first event, `Ir`).
fn callgrind_total(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix("totals:").or_else(|| l.strip_prefix("summary:")))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// The CPU time of a live process: the sum over its threads of the first field of
/// `schedstat` (nanoseconds on a CPU). A thread that already exited is not counted;
/// init's threads (the runtime's workers) are all alive when it asks for work.
fn cpu_time(pid: u32) -> Duration {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return Duration::ZERO };
    let nanos: u64 = tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next().and_then(|n| n.parse::<u64>().ok()))
        .sum();
    Duration::from_nanos(nanos)
}

/// Minor plus major page faults of a live process, all threads (`/proc/<pid>/stat`
/// fields 10 and 12, counted after the command name, which may hold spaces).
fn faults(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).ok().map_or(0, |s| parse_faults(&s))
}

fn parse_faults(stat: &str) -> u64 {
    let Some((_, rest)) = stat.rsplit_once(')') else { return 0 };
    // `rest` starts at field 3 (state): minflt is field 10, majflt field 12.
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    field(10) + field(12)
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

#[cfg(test)]
mod tests {
    use super::{callgrind_total, parse_faults};

    #[test]
    fn the_instruction_total_is_the_first_event_of_the_totals_line() {
        let out = "# callgrind format\nevents: Ir\nfn=main\n16 3\ntotals: 48213907\n";
        assert_eq!(callgrind_total(out), Some(48_213_907));
        assert_eq!(callgrind_total("events: Ir\nsummary: 12 4\n"), Some(12));
        assert_eq!(callgrind_total("events: Ir\n"), None);
    }

    #[test]
    fn faults_are_minor_plus_major_counted_after_a_command_name_with_spaces() {
        let stat = "4242 (my func) S 1 4242 4242 0 -1 4194304 1500 0 7 0 12 3 0 0 20 0 3 0 100 1000 250";
        assert_eq!(parse_faults(stat), 1507);
        assert_eq!(parse_faults("garbage"), 0);
    }
}
