//! The deployed functions, run locally the way Lambda runs them.
//!
//! cargo-lambda's emulator (`cargo lambda watch --only-lambda-apis`) provides the two
//! Lambda APIs: the Invoke API that callers use and the Runtime API each function's
//! `lambda_runtime` loop polls. We start the real function binaries ourselves, lazily on
//! first invocation (a cold start), each with exactly its template environment; watch's
//! own launcher would give every function the same environment and run `cargo run`
//! per function. Invocations go through the AWS SDK's Lambda `Invoke` call against the
//! emulator, so callers see exactly what they would see in AWS.
//!
//! Like a function with reserved concurrency 1, each function runs one invocation at a
//! time. A function that exceeds its template `Timeout` is killed (as Lambda discards
//! the environment) and the next invocation cold-starts a fresh one. When the binary
//! on disk changes (after a `cargo build`), the next invocation starts the new code.

use crate::console;
use crate::procs;
use aws_sdk_lambda::primitives::Blob;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use tokio::process::{Child, Command};
use tokio::sync::{Mutex, RwLock};

/// Lambda allows up to 10 s of initialisation on top of the timeout.
const INIT_ALLOWANCE: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct FunctionSpec {
    pub name: String,
    pub logical_id: String,
    pub timeout: Duration,
    pub memory_mb: u64,
    pub env: BTreeMap<String, String>,
}

#[derive(Debug)]
pub enum Outcome {
    /// The function answered (its payload may still describe an HTTP error).
    Answered(Vec<u8>),
    /// The function returned an error (`X-Amz-Function-Error`), with its error document.
    FunctionError(String, Vec<u8>),
    TimedOut,
    /// The function could not be run at all (did not start, crashed, emulator down).
    Failed(String),
}

impl Outcome {
    pub fn short(&self) -> String {
        match self {
            Outcome::Answered(_) => "ok".into(),
            Outcome::FunctionError(kind, _) => format!("error:{kind}"),
            Outcome::TimedOut => "timeout".into(),
            Outcome::Failed(_) => "failed".into(),
        }
    }
}

pub struct Invocation {
    pub outcome: Outcome,
    pub took: Duration,
    pub cold: bool,
}

struct Instance {
    child: Child,
    binary_mtime: Option<SystemTime>,
}

struct Slot {
    spec: RwLock<FunctionSpec>,
    /// Held for the whole invocation: one invocation at a time per function.
    instance: Mutex<Option<Instance>>,
}

pub struct Functions {
    slots: HashMap<String, Arc<Slot>>,
    lambda: aws_sdk_lambda::Client,
    /// `http://127.0.0.1:PORT/.rt`; each function polls `<this>/<name>`.
    runtime_api: String,
    bin_dir: PathBuf,
    log_dir: PathBuf,
    base_env: BTreeMap<String, String>,
}

impl Functions {
    pub fn new(
        specs: Vec<FunctionSpec>,
        lambda: aws_sdk_lambda::Client,
        emulator_port: u16,
        bin_dir: PathBuf,
        log_dir: PathBuf,
        base_env: BTreeMap<String, String>,
    ) -> Functions {
        let slots = specs
            .into_iter()
            .map(|s| (s.name.clone(), Arc::new(Slot { spec: RwLock::new(s), instance: Mutex::new(None) })))
            .collect();
        Functions {
            slots,
            lambda,
            runtime_api: format!("http://127.0.0.1:{emulator_port}/.rt"),
            bin_dir,
            log_dir,
            base_env,
        }
    }

    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.slots.keys().cloned().collect();
        names.sort();
        names
    }

    pub fn binary_path(&self, name: &str) -> PathBuf {
        self.bin_dir.join(name)
    }

    /// Replaces a function's environment (after a reset renamed resources); the
    /// running instance is stopped so the next invocation starts with it.
    pub async fn set_env(&self, name: &str, env: BTreeMap<String, String>) {
        if let Some(slot) = self.slots.get(name) {
            slot.spec.write().await.env = env;
            if let Some(mut inst) = slot.instance.lock().await.take() {
                procs::stop(&mut inst.child, Duration::from_secs(2)).await;
            }
        }
    }

    pub async fn invoke(&self, name: &str, payload: Vec<u8>) -> Invocation {
        let started = Instant::now();
        let Some(slot) = self.slots.get(name) else {
            return Invocation {
                outcome: Outcome::Failed(format!("no function `{name}` in template.yaml")),
                took: started.elapsed(),
                cold: false,
            };
        };
        let spec = slot.spec.read().await.clone();
        let mut guard = slot.instance.lock().await;
        // Time spent queued behind another invocation is not the function's time.
        let started = Instant::now();
        let mtime = std::fs::metadata(self.binary_path(name)).and_then(|m| m.modified()).ok();
        let alive = match guard.as_mut() {
            Some(inst) => matches!(inst.child.try_wait(), Ok(None)) && inst.binary_mtime == mtime,
            None => false,
        };
        let mut cold = false;
        if !alive {
            if let Some(mut old) = guard.take() {
                procs::stop(&mut old.child, Duration::from_secs(2)).await;
            }
            match self.start(&spec) {
                Ok(child) => *guard = Some(Instance { child, binary_mtime: mtime }),
                Err(e) => {
                    return Invocation { outcome: Outcome::Failed(e), took: started.elapsed(), cold: true };
                }
            }
            cold = true;
        }
        let Some(inst) = guard.as_mut() else {
            return Invocation { outcome: Outcome::Failed("no instance".into()), took: started.elapsed(), cold };
        };
        let limit = if cold { spec.timeout + INIT_ALLOWANCE } else { spec.timeout };
        let call = self.lambda.invoke().function_name(name).payload(Blob::new(payload)).send();
        let outcome = tokio::select! {
            result = call => match result {
                Ok(out) => {
                    let body = out.payload.map(Blob::into_inner).unwrap_or_default();
                    match out.function_error {
                        Some(kind) => Outcome::FunctionError(kind, body),
                        None => Outcome::Answered(body),
                    }
                }
                Err(e) => match function_error_document(&e) {
                    // cargo-lambda reports a function error as an HTTP 500 carrying the
                    // error document, where Lambda answers 200 with X-Amz-Function-Error.
                    Some(doc) => Outcome::FunctionError("Unhandled".into(), doc),
                    None => Outcome::Failed(format!("invoke: {}", aws_sdk_lambda::error::DisplayErrorContext(e))),
                },
            },
            status = inst.child.wait() => Outcome::Failed(format!(
                "the function process exited ({}) during the invocation; see its log",
                status.map(|s| s.to_string()).unwrap_or_else(|e| e.to_string())
            )),
            () = tokio::time::sleep(limit) => Outcome::TimedOut,
        };
        if matches!(outcome, Outcome::TimedOut | Outcome::Failed(_)) {
            // Lambda throws the execution environment away after a timeout or crash.
            if let Some(mut dead) = guard.take() {
                procs::stop(&mut dead.child, Duration::from_millis(200)).await;
            }
        }
        Invocation { outcome, took: started.elapsed(), cold }
    }

    fn start(&self, spec: &FunctionSpec) -> Result<Child, String> {
        let binary = self.binary_path(&spec.name);
        if !binary.exists() {
            return Err(format!("{} is not built (run `cargo build --workspace --bins`)", binary.display()));
        }
        let mut cmd = Command::new(&binary);
        cmd.env_clear()
            .envs(&self.base_env)
            .envs(&spec.env)
            .env("AWS_LAMBDA_FUNCTION_NAME", &spec.name)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", spec.memory_mb.to_string())
            .env("AWS_LAMBDA_RUNTIME_API", format!("{}/{}", self.runtime_api, spec.name))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = procs::spawn(&mut cmd).map_err(|e| format!("starting {}: {e}", binary.display()))?;
        let log = self.log_dir.join(format!("{}.log", spec.name));
        procs::capture_output(&mut child, &log, spec.name.clone(), console::is_notable_function_line);
        Ok(child)
    }

    pub async fn stop_all(&self) {
        for slot in self.slots.values() {
            // Waits for a running invocation to finish, at most briefly.
            let guard = tokio::time::timeout(Duration::from_secs(2), slot.instance.lock()).await;
            if let Ok(mut guard) = guard
                && let Some(mut inst) = guard.take()
            {
                procs::stop(&mut inst.child, Duration::from_secs(2)).await;
            }
        }
    }
}

/// The function's error document (`{"errorType", "errorMessage"}`) if that is what the
/// emulator answered with.
fn function_error_document<E>(
    e: &aws_sdk_lambda::error::SdkError<E, aws_sdk_lambda::config::http::HttpResponse>,
) -> Option<Vec<u8>> {
    let bytes = e.raw_response()?.body().bytes()?;
    let doc: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    doc.get("errorType").is_some().then(|| bytes.to_vec())
}
