//! Metrics as CloudWatch embedded metric format (EMF) lines: one JSON object per line on
//! stdout, which Lambda sends to the function's log group and CloudWatch Logs turns into
//! metrics (no agent, no `PutMetricData` call on the request path, no extra permission).
//!
//! ```text
//! {"_aws":{"Timestamp":1795600000000,"CloudWatchMetrics":[{"Namespace":"CaptureMoments/prod",
//!   "Dimensions":[["Transition"]],"Metrics":[{"Name":"BookingTransitions","Unit":"Count"}]}]},
//!  "Transition":"confirmed","BookingTransitions":1}
//! ```
//!
//! The namespace is `METRICS_NAMESPACE` (template.yaml sets `CaptureMoments/<stage>`), or
//! `CaptureMoments`. What is emitted, and how to query it: docs/observability.md.
//!
//! Every dimension value is a metric of its own (and billed as one), so dimensions are
//! few and of low cardinality: a route key, a status class, an outcome. A key that looks
//! like an identifier is refused as a dimension, and a key that looks like personal data
//! or a credential is refused anywhere in the line; a refused line is dropped and logged,
//! never half-written.

use cm_core::{Clock, SystemClock};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll};

/// The namespace when `METRICS_NAMESPACE` is unset (local runs, tests).
pub const DEFAULT_NAMESPACE: &str = "CaptureMoments";

/// The units this project uses (a subset of CloudWatch's `StandardUnit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Milliseconds,
    Seconds,
    Bytes,
    None,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Milliseconds => "Milliseconds",
            Unit::Seconds => "Seconds",
            Unit::Bytes => "Bytes",
            Unit::None => "None",
        }
    }
}

/// Why a line was refused. Each is a programming error at the call site, caught by the
/// writer's tests and the callers' rather than by CloudWatch silently dropping the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    NoMetrics,
    /// The spec: 1 to 255 characters.
    Namespace,
    /// A dimension set names a key the line does not carry as a string member.
    UndeclaredDimension(&'static str),
    /// The spec: at most 30 dimensions in a set.
    TooManyDimensions,
    /// The spec: at most 100 metrics in a directive.
    TooManyMetrics,
    /// CloudWatch takes finite numbers only.
    NotFinite(&'static str),
    /// An empty dimension value, or one over CloudWatch's 1,024 characters.
    DimensionValue(&'static str),
    /// A dimension named like an identifier (`BookingId`): one metric per booking.
    HighCardinality(&'static str),
    /// A key named like personal data or a credential.
    Forbidden(&'static str),
    /// One key used twice (a metric and a dimension, or `_aws`).
    Clash(&'static str),
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Invalid::NoMetrics => f.write_str("a metric line needs at least one metric"),
            Invalid::Namespace => f.write_str("the namespace must have 1 to 255 characters"),
            Invalid::UndeclaredDimension(k) => write!(f, "dimension `{k}` is not a member of the line"),
            Invalid::TooManyDimensions => f.write_str("more than 30 dimensions in a set"),
            Invalid::TooManyMetrics => f.write_str("more than 100 metrics in a directive"),
            Invalid::NotFinite(k) => write!(f, "metric `{k}` is not a finite number"),
            Invalid::DimensionValue(k) => write!(f, "dimension `{k}` is empty or longer than 1024 characters"),
            Invalid::HighCardinality(k) => write!(f, "dimension `{k}` looks like an identifier"),
            Invalid::Forbidden(k) => write!(f, "`{k}` looks like personal data or a credential"),
            Invalid::Clash(k) => write!(f, "`{k}` is used twice"),
        }
    }
}

impl std::error::Error for Invalid {}

/// Substrings of keys that never go into a metric line (compared lowercased).
const FORBIDDEN: &[&str] =
    &["token", "email", "phone", "password", "secret", "authorization", "cookie", "card", "name", "address"];

fn forbidden(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    FORBIDDEN.iter().any(|f| k.contains(f))
}

/// `BookingId`, `user_id`, `ids`: a dimension per entity would be a metric per entity.
fn identifier_like(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    matches!(k.as_str(), "id" | "ids")
        || k.ends_with("_id")
        || k.ends_with("_ids")
        || key.ends_with("Id")
        || key.ends_with("ID")
        || key.ends_with("Ids")
        || key.ends_with("IDs")
}

#[derive(Debug, Clone, PartialEq)]
struct Directive {
    dimensions: Vec<Vec<&'static str>>,
    metrics: Vec<(&'static str, Unit)>,
}

/// One EMF line: its dimensions, its metrics (grouped into one directive per distinct
/// list of dimension sets) and any other properties, for Logs Insights only.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Line {
    directives: Vec<Directive>,
    members: BTreeMap<&'static str, Value>,
    dimension_keys: Vec<&'static str>,
    metric_keys: Vec<&'static str>,
}

impl Line {
    pub fn new() -> Line {
        Line::default()
    }

    /// A dimension's value (a string member of the line); name it in a metric's sets.
    pub fn dimension(mut self, key: &'static str, value: &str) -> Line {
        self.members.insert(key, Value::String(value.to_string()));
        self.dimension_keys.push(key);
        self
    }

    /// A member that is neither a dimension nor a metric: searchable in Logs Insights,
    /// free in CloudWatch Metrics.
    pub fn property(mut self, key: &'static str, value: impl Into<Value>) -> Line {
        self.members.insert(key, value.into());
        self
    }

    /// A metric value, published once for each of `dimension_sets` (`&[&[]]`: without
    /// dimensions).
    pub fn metric(mut self, name: &'static str, unit: Unit, value: f64, dimension_sets: &[&[&'static str]]) -> Line {
        let dimensions: Vec<Vec<&'static str>> = dimension_sets.iter().map(|s| s.to_vec()).collect();
        match self.directives.iter_mut().find(|d| d.dimensions == dimensions) {
            Some(d) => d.metrics.push((name, unit)),
            None => self.directives.push(Directive { dimensions, metrics: vec![(name, unit)] }),
        }
        self.metric_keys.push(name);
        // Non-finite values are kept here and refused by `render`, which names them.
        self.members.insert(name, serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number));
        self
    }

    /// The line as EMF JSON (without the newline), or why it is refused.
    pub fn render(&self, namespace: &str, timestamp_ms: i64) -> Result<String, Invalid> {
        if namespace.is_empty() || namespace.chars().count() > 255 {
            return Err(Invalid::Namespace);
        }
        if self.directives.is_empty() {
            return Err(Invalid::NoMetrics);
        }
        let mut seen: Vec<&'static str> = Vec::new();
        for &k in self.dimension_keys.iter().chain(&self.metric_keys) {
            if k == "_aws" || seen.contains(&k) {
                return Err(Invalid::Clash(k));
            }
            seen.push(k);
        }
        for &k in self.members.keys() {
            if forbidden(k) {
                return Err(Invalid::Forbidden(k));
            }
            if k == "_aws" {
                return Err(Invalid::Clash(k));
            }
        }
        for &k in &self.metric_keys {
            if self.members.get(k).is_none_or(|v| !v.is_number()) {
                return Err(Invalid::NotFinite(k));
            }
        }
        let mut directives = Vec::new();
        for d in &self.directives {
            if d.metrics.len() > 100 {
                return Err(Invalid::TooManyMetrics);
            }
            for set in &d.dimensions {
                if set.len() > 30 {
                    return Err(Invalid::TooManyDimensions);
                }
                for &k in set {
                    if identifier_like(k) {
                        return Err(Invalid::HighCardinality(k));
                    }
                    if !self.dimension_keys.contains(&k) {
                        return Err(Invalid::UndeclaredDimension(k));
                    }
                    match self.members.get(k).and_then(Value::as_str) {
                        Some(v) if !v.is_empty() && v.chars().count() <= 1024 => {}
                        _ => return Err(Invalid::DimensionValue(k)),
                    }
                }
            }
            let metrics: Vec<Value> =
                d.metrics.iter().map(|(name, unit)| serde_json::json!({"Name": name, "Unit": unit.as_str()})).collect();
            directives.push(serde_json::json!({
                "Namespace": namespace,
                "Dimensions": d.dimensions,
                "Metrics": metrics,
            }));
        }
        let mut root = Map::new();
        root.insert("_aws".into(), serde_json::json!({"Timestamp": timestamp_ms, "CloudWatchMetrics": directives}));
        for (k, v) in &self.members {
            root.insert((*k).to_string(), v.clone());
        }
        Ok(Value::Object(root).to_string())
    }

    /// Writes the line (to stdout, or to the [`Capture`] in scope). A refused line is
    /// logged and dropped: metrics never fail the request they describe.
    pub fn emit(self) {
        match self.render(namespace(), SystemClock.now().timestamp_millis()) {
            Ok(line) => write_line(line),
            Err(e) => tracing::error!(error = %e, "metric line dropped"),
        }
    }
}

/// One occurrence of an event, counted by one low-cardinality dimension:
/// `count("BookingTransitions", "Transition", "confirmed")`.
pub fn count(metric: &'static str, dimension: &'static str, value: &str) {
    Line::new().dimension(dimension, value).metric(metric, Unit::Count, 1.0, &[&[dimension]]).emit();
}

fn namespace() -> &'static str {
    static NAMESPACE: OnceLock<String> = OnceLock::new();
    NAMESPACE.get_or_init(|| {
        std::env::var("METRICS_NAMESPACE")
            .ok()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| DEFAULT_NAMESPACE.to_string())
    })
}

type Sink = Arc<Mutex<Vec<String>>>;

thread_local! {
    static CAPTURE: RefCell<Option<Sink>> = const { RefCell::new(None) };
}

fn write_line(line: String) {
    if let Some(sink) = CAPTURE.with(|c| c.borrow().clone()) {
        sink.lock().unwrap_or_else(PoisonError::into_inner).push(line);
        return;
    }
    let mut line = line;
    line.push('\n');
    // One write of the whole line under stdout's lock (`print!` takes it for the whole
    // call, and one argument is one `write_all`), the lock tracing's JSON writer takes for
    // each of its lines too: the two never interleave within a line, where CloudWatch
    // would see neither as JSON. `print!` rather than `io::stdout()` because the test
    // harness captures it: the test suites' thousands of requests would otherwise flood
    // their output. It panics only when stdout is gone, and then no log line gets out either.
    print!("{line}");
}

/// Where lines go instead of stdout while a closure or future runs on this thread: for
/// tests, which parse what a real code path emitted without reading the process's
/// stdout (shared by every test running in parallel).
#[derive(Debug, Clone, Default)]
pub struct Capture(Sink);

impl Capture {
    pub fn new() -> Capture {
        Capture::default()
    }

    /// The lines emitted so far, in order.
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Each line parsed as JSON (a line that is not JSON panics: that is a bug).
    pub fn parsed(&self) -> Vec<Value> {
        self.lines()
            .iter()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("metric line is not JSON ({e}): {l}")))
            .collect()
    }

    /// Runs `f` with this capture as the sink of the current thread.
    pub fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        struct Restore(Option<Sink>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let previous = self.0.take();
                CAPTURE.with(|c| *c.borrow_mut() = previous);
            }
        }
        let previous = CAPTURE.with(|c| c.borrow_mut().replace(self.0.clone()));
        let _restore = Restore(previous);
        f()
    }

    /// `fut`, capturing what it emits on whichever thread polls it (tasks it spawns
    /// are not captured).
    pub fn scope<F: Future>(&self, fut: F) -> Scoped<F> {
        Scoped { capture: self.clone(), fut: Box::pin(fut) }
    }
}

/// A future run under a [`Capture`].
pub struct Scoped<F> {
    capture: Capture,
    fut: Pin<Box<F>>,
}

impl<F: Future> Future for Scoped<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        let fut = &mut this.fut;
        this.capture.run(|| fut.as_mut().poll(cx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: &str = "CaptureMoments/test";
    const AT: i64 = 1_795_600_000_000;

    fn parse(line: &str) -> Value {
        assert!(!line.contains('\n'), "one line: {line}");
        serde_json::from_str(line).unwrap()
    }

    /// Checks a parsed line against the EMF specification: the metadata, each
    /// directive's shape, every dimension a string member, every metric a number.
    fn assert_emf(v: &Value) {
        let aws = &v["_aws"];
        assert!(aws["Timestamp"].is_i64(), "{v}");
        let directives = aws["CloudWatchMetrics"].as_array().expect("CloudWatchMetrics");
        assert!(!directives.is_empty());
        for d in directives {
            let mut keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(keys, ["Dimensions", "Metrics", "Namespace"], "no other members: {d}");
            let ns = d["Namespace"].as_str().unwrap();
            assert!(!ns.is_empty() && ns.len() <= 255);
            for set in d["Dimensions"].as_array().unwrap() {
                for k in set.as_array().unwrap() {
                    let k = k.as_str().unwrap();
                    assert!(v[k].is_string(), "dimension {k} must be a string member: {v}");
                }
            }
            for m in d["Metrics"].as_array().unwrap() {
                let name = m["Name"].as_str().unwrap();
                assert!(v[name].is_number(), "metric {name} must be a number member: {v}");
                assert!(
                    ["Count", "Milliseconds", "Seconds", "Bytes", "None"].contains(&m["Unit"].as_str().unwrap()),
                    "{m}"
                );
            }
        }
    }

    #[test]
    fn a_count_renders_in_the_spec_shape() {
        let line = Line::new()
            .dimension("Transition", "confirmed")
            .metric("BookingTransitions", Unit::Count, 1.0, &[&["Transition"]])
            .render(NS, AT)
            .unwrap();
        let v = parse(&line);
        assert_emf(&v);
        assert_eq!(
            v,
            serde_json::json!({
                "_aws": {
                    "Timestamp": AT,
                    "CloudWatchMetrics": [{
                        "Namespace": NS,
                        "Dimensions": [["Transition"]],
                        "Metrics": [{"Name": "BookingTransitions", "Unit": "Count"}]
                    }]
                },
                "Transition": "confirmed",
                "BookingTransitions": 1.0
            })
        );
    }

    #[test]
    fn metrics_with_different_dimension_sets_get_their_own_directives() {
        let line = Line::new()
            .dimension("Route", "POST /bookings")
            .dimension("StatusClass", "2xx")
            .property("status", 201)
            .metric("Latency", Unit::Milliseconds, 12.5, &[&["Route"]])
            .metric("Requests", Unit::Count, 1.0, &[&["Route", "StatusClass"], &["StatusClass"]])
            .metric("Bytes", Unit::Bytes, 10.0, &[&["Route"]])
            .render(NS, AT)
            .unwrap();
        let v = parse(&line);
        assert_emf(&v);
        let d = v["_aws"]["CloudWatchMetrics"].as_array().unwrap();
        assert_eq!(d.len(), 2, "{v}");
        assert_eq!(d[0]["Dimensions"], serde_json::json!([["Route"]]));
        assert_eq!(d[0]["Metrics"].as_array().unwrap().len(), 2);
        assert_eq!(d[1]["Dimensions"], serde_json::json!([["Route", "StatusClass"], ["StatusClass"]]));
        assert_eq!(v["Latency"], 12.5);
        assert_eq!(v["status"], 201, "properties are members too");
    }

    #[test]
    fn a_metric_without_dimensions_has_one_empty_set() {
        let v = parse(&Line::new().metric("ChatPushes", Unit::Count, 3.0, &[&[]]).render(NS, AT).unwrap());
        assert_emf(&v);
        assert_eq!(v["_aws"]["CloudWatchMetrics"][0]["Dimensions"], serde_json::json!([[]]));
    }

    #[test]
    fn refused_lines_say_why() {
        let count = |l: Line| l.metric("N", Unit::Count, 1.0, &[&[]]);
        assert_eq!(Line::new().render(NS, AT), Err(Invalid::NoMetrics));
        assert_eq!(count(Line::new()).render("", AT), Err(Invalid::Namespace));
        assert_eq!(count(Line::new()).render(&"x".repeat(256), AT), Err(Invalid::Namespace));
        assert_eq!(
            Line::new().metric("N", Unit::Count, 1.0, &[&["Route"]]).render(NS, AT),
            Err(Invalid::UndeclaredDimension("Route"))
        );
        // A property is not a dimension, even with the same name.
        assert_eq!(
            Line::new().property("Route", "x").metric("N", Unit::Count, 1.0, &[&["Route"]]).render(NS, AT),
            Err(Invalid::UndeclaredDimension("Route"))
        );
        assert_eq!(
            Line::new().dimension("Route", "").metric("N", Unit::Count, 1.0, &[&["Route"]]).render(NS, AT),
            Err(Invalid::DimensionValue("Route"))
        );
        assert_eq!(
            Line::new().metric("Latency", Unit::Milliseconds, f64::NAN, &[&[]]).render(NS, AT),
            Err(Invalid::NotFinite("Latency"))
        );
        assert_eq!(
            Line::new().dimension("N", "x").metric("N", Unit::Count, 1.0, &[&[]]).render(NS, AT),
            Err(Invalid::Clash("N"))
        );
        assert_eq!(
            Line::new().property("_aws", 1).metric("N", Unit::Count, 1.0, &[&[]]).render(NS, AT),
            Err(Invalid::Clash("_aws"))
        );
        let mut many = Line::new();
        let names: Vec<&'static str> = (0..101).map(|i| &*format!("M{i}").leak()).collect();
        for &n in &names {
            many = many.metric(n, Unit::Count, 1.0, &[&[]]);
        }
        assert_eq!(many.render(NS, AT), Err(Invalid::TooManyMetrics));
        let keys: Vec<&'static str> = (0..31).map(|i| &*format!("D{i}").leak()).collect();
        let mut wide = Line::new();
        for &k in &keys {
            wide = wide.dimension(k, "v");
        }
        assert_eq!(
            wide.metric("N", Unit::Count, 1.0, &[keys.as_slice()]).render(NS, AT),
            Err(Invalid::TooManyDimensions)
        );
    }

    #[test]
    fn identifiers_are_never_dimensions() {
        for key in ["BookingId", "user_id", "id", "PhotographerId", "ids", "UserIDs", "IDs"] {
            assert_eq!(
                Line::new().dimension(key, "01ARZ").metric("N", Unit::Count, 1.0, &[&[key]]).render(NS, AT),
                Err(Invalid::HighCardinality(key)),
                "{key}"
            );
        }
        // Words that merely end in "id" are fine.
        assert!(
            Line::new().dimension("Paid", "yes").metric("N", Unit::Count, 1.0, &[&["Paid"]]).render(NS, AT).is_ok()
        );
        // As a property, an opaque id may help find the request's other log lines.
        let v = parse(
            &Line::new().property("requestId", "abc").metric("N", Unit::Count, 1.0, &[&[]]).render(NS, AT).unwrap(),
        );
        assert_eq!(v["requestId"], "abc");
    }

    #[test]
    fn personal_data_and_credentials_are_refused_anywhere() {
        for key in ["email", "clientEmail", "phone_number", "token", "AccessToken", "password", "stripe_secret", "Name"]
        {
            assert_eq!(
                Line::new().property(key, "x").metric("N", Unit::Count, 1.0, &[&[]]).render(NS, AT),
                Err(Invalid::Forbidden(key)),
                "{key}"
            );
        }
    }

    #[test]
    fn capture_takes_the_lines_of_its_scope_only() {
        let capture = Capture::new();
        capture.run(|| count("Uploads", "Outcome", "ready"));
        // Outside the scope the line goes to stdout, not to the capture.
        count("Uploads", "Outcome", "rejected");
        let lines = capture.parsed();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_emf(&lines[0]);
        assert_eq!(lines[0]["Outcome"], "ready");
        assert_eq!(lines[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"], namespace());
        let ts = lines[0]["_aws"]["Timestamp"].as_i64().unwrap();
        assert!(ts > 1_700_000_000_000, "milliseconds since the epoch: {ts}");
    }

    #[test]
    fn a_refused_line_is_dropped_not_written() {
        let capture = Capture::new();
        capture.run(|| Line::new().property("email", "a@b.c").metric("N", Unit::Count, 1.0, &[&[]]).emit());
        assert!(capture.lines().is_empty());
    }

    #[test]
    fn a_scoped_future_captures_across_polls() {
        struct YieldOnce(bool);
        impl Future for YieldOnce {
            type Output = ();
            fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
                if self.0 {
                    return Poll::Ready(());
                }
                self.0 = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
        let capture = Capture::new();
        let fut = capture.scope(async {
            count("ChatPushes", "Kind", "before");
            YieldOnce(false).await;
            count("ChatPushes", "Kind", "after");
        });
        // A minimal executor: poll until ready, emitting between polls outside the scope.
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        let mut fut = std::pin::pin!(fut);
        while fut.as_mut().poll(&mut cx).is_pending() {
            count("ChatPushes", "Kind", "between");
        }
        let kinds: Vec<String> = capture.parsed().iter().map(|l| l["Kind"].as_str().unwrap().to_string()).collect();
        assert_eq!(kinds, ["before", "after"]);
    }
}
