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
//! Lambda scales a function out: each execution environment handles one invocation at
//! a time, and concurrent invocations get environments of their own. Here too: a
//! function runs up to `LAMBDA_CONCURRENCY` instances (processes) at once, reusing an
//! idle warm one first and cold-starting another only when all are busy; past the
//! limit, invocations wait for an instance. Instance *k* of every function polls
//! emulator *k* (one `cargo lambda watch` per instance slot), and invocations meant
//! for it are sent there: an emulator hands an invocation to whichever instance of the
//! function polls it, so with one shared emulator the stack could not know which
//! process runs which invocation, and could not kill the right one on a timeout.
//! A function that exceeds its template `Timeout` is killed (as Lambda discards the
//! environment) and that slot cold-starts a fresh one next time. When the binary on
//! disk changes (after a `cargo build`), the next invocation starts the new code.

use crate::console;
use crate::procs;
use aws_sdk_lambda::primitives::Blob;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};
use tokio::process::{Child, Command};
use tokio::sync::{Mutex, MutexGuard, RwLock, Semaphore};

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

/// One of cargo-lambda's emulators, serving instance slot *k* of every function.
pub struct Emulator {
    pub lambda: aws_sdk_lambda::Client,
    /// `http://127.0.0.1:PORT/.rt`; a function's instance polls `<this>/<name>`.
    pub runtime_api: String,
}

impl Emulator {
    pub fn new(lambda: aws_sdk_lambda::Client, port: u16) -> Emulator {
        Emulator { lambda, runtime_api: format!("http://127.0.0.1:{port}/.rt") }
    }
}

struct Slot {
    spec: RwLock<FunctionSpec>,
    /// Instance *k* runs against emulator *k*. Each lock is held for a whole
    /// invocation: one invocation at a time per instance.
    instances: Vec<Mutex<Option<Instance>>>,
    /// One permit per instance: invocations past the limit wait here.
    permits: Semaphore,
    busy: AtomicUsize,
    peak: AtomicUsize,
}

/// What a function is running, for the control port's status.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Usage {
    /// Instances (processes) alive now.
    pub instances: usize,
    /// The most invocations that were ever in flight at once.
    pub peak_concurrent: usize,
}

pub struct Functions {
    slots: HashMap<String, Arc<Slot>>,
    emulators: Vec<Emulator>,
    bin_dir: PathBuf,
    log_dir: PathBuf,
    base_env: BTreeMap<String, String>,
}

impl Functions {
    /// One instance slot per emulator: `emulators.len()` is the concurrency limit.
    pub fn new(
        specs: Vec<FunctionSpec>,
        emulators: Vec<Emulator>,
        bin_dir: PathBuf,
        log_dir: PathBuf,
        base_env: BTreeMap<String, String>,
    ) -> Functions {
        let limit = emulators.len().max(1);
        let slots = specs
            .into_iter()
            .map(|s| {
                let name = s.name.clone();
                let slot = Slot {
                    spec: RwLock::new(s),
                    instances: (0..limit).map(|_| Mutex::new(None)).collect(),
                    permits: Semaphore::new(limit),
                    busy: AtomicUsize::new(0),
                    peak: AtomicUsize::new(0),
                };
                (name, Arc::new(slot))
            })
            .collect();
        Functions { slots, emulators, bin_dir, log_dir, base_env }
    }

    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.slots.keys().cloned().collect();
        names.sort();
        names
    }

    /// The most instances a function runs at once.
    pub fn concurrency(&self) -> usize {
        self.emulators.len()
    }

    pub async fn usage(&self) -> BTreeMap<String, Usage> {
        let mut out = BTreeMap::new();
        for (name, slot) in &self.slots {
            let mut alive = 0;
            for instance in &slot.instances {
                // A busy instance is alive by definition; an idle one is checked.
                match instance.try_lock() {
                    Ok(mut guard) => {
                        if guard.as_mut().is_some_and(|i| matches!(i.child.try_wait(), Ok(None))) {
                            alive += 1;
                        }
                    }
                    Err(_) => alive += 1,
                }
            }
            out.insert(name.clone(), Usage { instances: alive, peak_concurrent: slot.peak.load(Ordering::Relaxed) });
        }
        out
    }

    pub fn binary_path(&self, name: &str) -> PathBuf {
        self.bin_dir.join(name)
    }

    /// Replaces a function's environment (after a reset renamed resources); the
    /// running instance is stopped so the next invocation starts with it.
    pub async fn set_env(&self, name: &str, env: BTreeMap<String, String>) {
        if let Some(slot) = self.slots.get(name) {
            slot.spec.write().await.env = env;
            for instance in &slot.instances {
                if let Some(mut inst) = instance.lock().await.take() {
                    procs::stop(&mut inst.child, Duration::from_secs(2)).await;
                }
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
        let Ok(_permit) = slot.permits.acquire().await else {
            return Invocation { outcome: Outcome::Failed("stopping".into()), took: started.elapsed(), cold: false };
        };
        let (index, mut guard) = slot.lease().await;
        let in_flight = slot.busy.fetch_add(1, Ordering::Relaxed) + 1;
        slot.peak.fetch_max(in_flight, Ordering::Relaxed);
        let _busy = Busy(&slot.busy);
        // Time spent waiting for a free instance is not the function's time.
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
            match self.start(&spec, index) {
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
        let call = self.emulators[index].lambda.invoke().function_name(name).payload(Blob::new(payload)).send();
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

    fn start(&self, spec: &FunctionSpec, index: usize) -> Result<Child, String> {
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
            .env("AWS_LAMBDA_RUNTIME_API", format!("{}/{}", self.emulators[index].runtime_api, spec.name))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = procs::spawn(&mut cmd).map_err(|e| format!("starting {}: {e}", binary.display()))?;
        let log = self.log_dir.join(format!("{}.log", spec.name));
        procs::capture_output(&mut child, &log, spec.name.clone(), console::is_notable_function_line);
        if index > 0 {
            console::info(&format!(
                "lambda    {}: scaling out, instance {} of at most {}",
                spec.name,
                index + 1,
                self.emulators.len()
            ));
        }
        Ok(child)
    }

    pub async fn stop_all(&self) {
        for slot in self.slots.values() {
            slot.permits.close();
            for instance in &slot.instances {
                // Waits for a running invocation to finish, at most briefly.
                let guard = tokio::time::timeout(Duration::from_secs(2), instance.lock()).await;
                if let Ok(mut guard) = guard
                    && let Some(mut inst) = guard.take()
                {
                    procs::stop(&mut inst.child, Duration::from_secs(2)).await;
                }
            }
        }
    }
}

impl Slot {
    /// A free instance for one invocation (the caller holds a permit, so one is free
    /// or about to be): the first idle warm one, as Lambda reuses warm environments
    /// before it creates new ones; else the first empty slot, to be cold-started.
    async fn lease(&self) -> (usize, MutexGuard<'_, Option<Instance>>) {
        loop {
            let mut empty = None;
            for (index, instance) in self.instances.iter().enumerate() {
                if let Ok(guard) = instance.try_lock() {
                    if guard.is_some() {
                        return (index, guard);
                    }
                    if empty.is_none() {
                        empty = Some((index, guard));
                    }
                }
            }
            if let Some(found) = empty {
                return found;
            }
            // Every lock is held, one only briefly (a reset or shutdown stopping it).
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// Counts an invocation as in flight until dropped.
struct Busy<'a>(&'a AtomicUsize);

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
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
