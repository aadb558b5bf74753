//! A DynamoDB proxy for tests that injects the faults real DynamoDB produces and the
//! emulators (moto, DynamoDB Local) never do: transactions cancelled by
//! `TransactionConflict`, throttling, `InternalServerError`, connections dropped before or
//! after the write, delays.
//!
//! It speaks DynamoDB's JSON 1.0 protocol (POST, `X-Amz-Target:
//! DynamoDB_20120810.<Operation>`, JSON body) and forwards everything it does not fault to
//! the upstream endpoint unchanged, so it does not care which emulator that is. It runs
//! on its own thread and runtime: start it anywhere, keep it across tests, drop it to stop.
//!
//! ```no_run
//! use fault_proxy::{Action, FaultProxy, Rule, Which};
//! let proxy = FaultProxy::start("http://127.0.0.1:8000");
//! // Point the SDK client at proxy.url(), then:
//! let rule = proxy.add(Rule::on("TransactWriteItems").first(1).inject(Action::CancelTransaction(Which::Item(1))));
//! // ... run the code under test ...
//! assert_eq!(proxy.count("TransactWriteItems"), 1);
//! assert_eq!(proxy.fired(rule), 1);
//! ```
//!
//! docs/testing.md describes what each fault reproduces and what the SDK does with it.

mod log;
pub mod request;
mod rule;
mod server;
pub mod spec;
pub mod wire;

pub use log::{Delivery, Exchange, Reply};
pub use rule::{Action, Predicate, Rule, RuleId, Times, Which};

use serde_json::Value;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::oneshot;

/// A running proxy. Stops (and frees its port) when dropped.
pub struct FaultProxy {
    url: String,
    upstream: String,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FaultProxy {
    /// Starts a proxy on a free loopback port in front of `upstream` (`http://host:port`).
    ///
    /// # Panics
    /// If `upstream` is not an `http://` URL or no port can be bound: a test set-up error.
    pub fn start(upstream: &str) -> FaultProxy {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), upstream)
            .unwrap_or_else(|e| panic!("fault-proxy in front of {upstream}: {e}"))
    }

    /// Starts a proxy on `addr` (port 0: any free port).
    pub fn start_on(addr: SocketAddr, upstream: &str) -> std::io::Result<FaultProxy> {
        let invalid = |msg: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, msg);
        let uri: http::Uri = upstream.parse().map_err(|e| invalid(format!("upstream {upstream:?}: {e}")))?;
        if uri.scheme_str() != Some("http") || uri.authority().is_none() {
            return Err(invalid(format!("upstream {upstream:?}: expected http://host:port")));
        }
        let upstream = upstream.trim_end_matches('/').to_string();
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let url = format!("http://{}", listener.local_addr()?);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let shared = Arc::new(Shared::default());
        let (shutdown, stop) = oneshot::channel();
        let thread = std::thread::Builder::new().name("fault-proxy".into()).spawn({
            let (shared, upstream) = (shared.clone(), upstream.clone());
            move || {
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).expect("a listener in this runtime");
                    server::serve(listener, shared, upstream, stop).await;
                });
            }
        })?;
        Ok(FaultProxy { url, upstream, shared, shutdown: Some(shutdown), thread: Some(thread) })
    }

    /// The proxy's base URL, to give the SDK as its endpoint.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The endpoint the proxy forwards to.
    pub fn upstream(&self) -> &str {
        &self.upstream
    }

    /// Adds a rule. Rules are consulted in the order added; the first that fires on a
    /// request decides what happens to it.
    pub fn add(&self, rule: Rule) -> RuleId {
        let mut inner = self.shared.lock();
        inner.next_rule += 1;
        let id = RuleId(inner.next_rule);
        inner.rules.push(Slot { id, rule, matched: 0, fired: 0 });
        id
    }

    /// Removes one rule; requests already being handled keep the decision made for them.
    pub fn remove(&self, id: RuleId) {
        self.shared.lock().rules.retain(|s| s.id != id);
    }

    /// Removes every rule: from now on everything is forwarded.
    pub fn clear_rules(&self) {
        self.shared.lock().rules.clear();
    }

    /// How many requests the rule has matched so far (0 for a removed rule).
    pub fn matched(&self, id: RuleId) -> u64 {
        self.shared.lock().rules.iter().find(|s| s.id == id).map_or(0, |s| s.matched)
    }

    /// How many times the rule has fired so far (0 for a removed rule).
    pub fn fired(&self, id: RuleId) -> u64 {
        self.shared.lock().rules.iter().find(|s| s.id == id).map_or(0, |s| s.fired)
    }

    /// Every request seen since the start (or the last [`clear_log`](Self::clear_log)), in
    /// arrival order.
    pub fn log(&self) -> Vec<Exchange> {
        self.shared.lock().log.clone()
    }

    /// The requests for one operation, in arrival order.
    pub fn requests(&self, operation: &str) -> Vec<Exchange> {
        self.shared.lock().log.iter().filter(|e| e.operation == operation).cloned().collect()
    }

    /// How many requests for `operation` arrived (every attempt of a retried call counts).
    pub fn count(&self, operation: &str) -> usize {
        self.shared.lock().log.iter().filter(|e| e.operation == operation).count()
    }

    pub fn clear_log(&self) {
        self.shared.lock().log.clear();
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        // Joining ends the runtime, its tasks and its sockets before the port is reused.
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for FaultProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultProxy").field("url", &self.url).field("upstream", &self.upstream).finish()
    }
}

/// What a rule decided for one request.
pub(crate) struct Decision {
    pub(crate) action: Action,
    pub(crate) delay: Option<Duration>,
}

struct Slot {
    id: RuleId,
    rule: Rule,
    matched: u64,
    fired: u64,
}

#[derive(Default)]
struct Inner {
    rules: Vec<Slot>,
    log: Vec<Exchange>,
    next_rule: u64,
    next_seq: u64,
}

/// State shared between the test (rules, log) and the proxy's thread.
#[derive(Default)]
pub(crate) struct Shared {
    inner: Mutex<Inner>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panicking predicate poisons the lock; the data is still consistent.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Logs a request and decides what happens to it, in one step, so that concurrent
    /// requests are counted in the order they are logged.
    pub(crate) fn arrive(&self, operation: &str, request: Value) -> (u64, Option<Decision>) {
        let mut inner = self.lock();
        let mut chosen: Option<(RuleId, Decision)> = None;
        for slot in inner.rules.iter_mut() {
            if !slot.rule.matches(operation, &request) {
                continue;
            }
            slot.matched += 1;
            if chosen.is_none() && slot.rule.times.fires_on(slot.matched) {
                slot.fired += 1;
                chosen = Some((slot.id, Decision { action: slot.rule.action.clone(), delay: slot.rule.delay }));
            }
        }
        let seq = inner.next_seq;
        inner.next_seq += 1;
        inner.log.push(Exchange {
            seq,
            operation: operation.to_string(),
            request,
            rule: chosen.as_ref().map(|(id, _)| *id),
            injected: chosen.as_ref().map(|(_, d)| d.action.clone()),
            upstream: None,
            upstream_error: None,
            delivery: Delivery::Pending,
        });
        (seq, chosen.map(|(_, d)| d))
    }

    fn update(&self, seq: u64, f: impl FnOnce(&mut Exchange)) {
        let mut inner = self.lock();
        if let Some(e) = inner.log.iter_mut().rev().find(|e| e.seq == seq) {
            f(e);
        }
    }

    pub(crate) fn upstream_answered(&self, seq: u64, reply: Reply) {
        self.update(seq, |e| e.upstream = Some(reply));
    }

    pub(crate) fn upstream_failed(&self, seq: u64, error: String) {
        self.update(seq, |e| e.upstream_error = Some(error));
    }

    pub(crate) fn delivered(&self, seq: u64, delivery: Delivery) {
        self.update(seq, |e| e.delivery = delivery);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_rule_that_fires_decides_and_every_matching_rule_counts() {
        let shared = Shared::default();
        let proxy_rules = |rule: Rule| {
            let mut inner = shared.lock();
            inner.next_rule += 1;
            let id = RuleId(inner.next_rule);
            inner.rules.push(Slot { id, rule, matched: 0, fired: 0 });
            id
        };
        let once = proxy_rules(Rule::on("PutItem").first(1).inject(Action::Throttling));
        let second = proxy_rules(Rule::on("PutItem").nth(2).inject(Action::InternalServerError));
        let req = json!({"TableName": "t"});
        let actions: Vec<Option<Action>> =
            (0..3).map(|_| shared.arrive("PutItem", req.clone()).1.map(|d| d.action)).collect();
        assert_eq!(actions, [Some(Action::Throttling), Some(Action::InternalServerError), None]);
        let inner = shared.lock();
        let slot = |id| inner.rules.iter().find(|s| s.id == id).unwrap();
        assert_eq!((slot(once).matched, slot(once).fired), (3, 1));
        assert_eq!((slot(second).matched, slot(second).fired), (3, 1));
        assert_eq!(inner.log.iter().map(|e| e.rule).collect::<Vec<_>>(), [Some(once), Some(second), None]);
    }

    #[test]
    fn only_http_upstreams_are_accepted() {
        let addr = SocketAddr::from(([127, 0, 0, 1], 0));
        assert!(FaultProxy::start_on(addr, "https://dynamodb.us-east-1.amazonaws.com").is_err());
        assert!(FaultProxy::start_on(addr, "127.0.0.1:8000").is_err());
        let proxy = FaultProxy::start_on(addr, "http://127.0.0.1:8000/").unwrap();
        assert_eq!(proxy.upstream(), "http://127.0.0.1:8000");
        assert!(proxy.url().starts_with("http://127.0.0.1:"));
    }
}
