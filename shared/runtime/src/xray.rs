//! X-Ray subsegments around every AWS call a function makes. With `Tracing: Active`
//! Lambda records the invocation's segment and hands each invocation its trace header
//! (`_X_AMZN_TRACE_ID`, set by lambda_runtime); what happens inside is invisible unless
//! the function reports it. Every SDK client of a process shares one HTTP client
//! (`config::https_client`), so wrapping that one client traces every DynamoDB, Secrets
//! Manager, SNS, SES, S3 and Comprehend call, retries included (one subsegment per HTTP
//! attempt), without touching the code that makes them. Subsegments go to the X-Ray
//! daemon (`AWS_XRAY_DAEMON_ADDRESS`) over UDP, as the X-Ray SDKs send them; a
//! trace that is not sampled sends nothing.

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use serde_json::{Value, json};
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// The parts of a trace header (`Root=1-…;Parent=…;Sampled=1`) a subsegment needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceHeader {
    pub root: String,
    pub parent: String,
    pub sampled: bool,
}

impl TraceHeader {
    /// `None` without a root or a parent: nothing could hang a subsegment on it.
    pub fn parse(header: &str) -> Option<TraceHeader> {
        let (mut root, mut parent, mut sampled) = (None, None, false);
        for part in header.split(';') {
            match part.trim().split_once('=') {
                Some(("Root", v)) if !v.is_empty() => root = Some(v.to_string()),
                Some(("Parent", v)) if !v.is_empty() => parent = Some(v.to_string()),
                Some(("Sampled", v)) => sampled = v == "1",
                _ => {}
            }
        }
        Some(TraceHeader { root: root?, parent: parent?, sampled })
    }
}

/// One AWS call as X-Ray shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The service's signing name (`dynamodb`, `secretsmanager`, `sns`, …).
    pub service: String,
    /// `GetItem`, `Publish`, … (for REST services, the method and the first path part).
    pub operation: String,
    pub start: f64,
    pub end: f64,
    /// `None`: no answer came (a connection failure or a timeout).
    pub status: Option<u16>,
    pub request_id: Option<String>,
}

/// The subsegment document for `call`, a child of the invocation's segment.
pub fn subsegment(trace: &TraceHeader, id: &str, call: &Call) -> Value {
    let status = call.status;
    let mut doc = json!({
        "name": call.service,
        "id": id,
        "trace_id": trace.root,
        "parent_id": trace.parent,
        "type": "subsegment",
        "namespace": "aws",
        "start_time": call.start,
        "end_time": call.end,
        "aws": {"operation": call.operation},
        // 4xx is the caller's error (a failed condition is one, by design); 429 and
        // 5xx are AWS's; no answer at all is a fault.
        "error": status.is_some_and(|s| (400..500).contains(&s)),
        "throttle": status == Some(429),
        "fault": status.is_none_or(|s| s >= 500),
    });
    if let Some(s) = status {
        doc["http"] = json!({"response": {"status": s}});
    }
    if let Some(r) = &call.request_id {
        doc["aws"]["request_id"] = json!(r);
    }
    doc
}

/// The service and operation of an SDK request, from what every AWS request carries:
/// the credential scope of its signature names the service; JSON-protocol services name
/// the operation in `X-Amz-Target`, query-protocol ones (SNS) in the body's `Action`.
pub fn describe(request: &HttpRequest) -> (String, String) {
    let header = |name: &str| request.headers().get(name).map(str::to_string);
    let service = header("authorization")
        .and_then(|a| {
            // `AWS4-HMAC-SHA256 Credential=AKID/20261202/us-east-1/dynamodb/aws4_request, …`
            let scope = a.split("Credential=").nth(1)?.split(',').next()?.to_string();
            scope.split('/').nth(3).map(str::to_string)
        })
        .unwrap_or_else(|| "aws".to_string());
    let operation = header("x-amz-target")
        .and_then(|t| t.rsplit('.').next().map(str::to_string))
        .or_else(|| {
            let body = std::str::from_utf8(request.body().bytes()?).ok()?;
            body.split('&').find_map(|kv| kv.strip_prefix("Action=")).map(str::to_string)
        })
        .unwrap_or_else(|| {
            let path = request.uri().split("://").nth(1).and_then(|r| r.split_once('/')).map(|(_, p)| p);
            let first = path.and_then(|p| p.split(['/', '?']).next()).unwrap_or("");
            format!("{} /{first}", request.method())
        });
    (service, operation)
}

type HeaderSource = Arc<dyn Fn() -> Option<String> + Send + Sync>;

/// Where subsegments go, and where the current invocation's trace header comes from.
struct Sink {
    socket: UdpSocket,
    daemon: SocketAddr,
    header: HeaderSource,
}

impl Sink {
    fn send(&self, doc: &Value) {
        let datagram = format!("{{\"format\":\"json\",\"version\":1}}\n{doc}");
        // UDP to the daemon on the same host: a failure loses one subsegment, never
        // the call it describes.
        if let Err(e) = self.socket.send_to(datagram.as_bytes(), self.daemon) {
            tracing::debug!(error = %e, "an X-Ray subsegment was not sent");
        }
    }
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sink {{ daemon: {} }}", self.daemon)
    }
}

/// `inner`, with a subsegment sent for each call made while a sampled trace is current.
#[derive(Debug, Clone)]
pub struct TracingClient {
    inner: SharedHttpClient,
    sink: Arc<Sink>,
}

impl TracingClient {
    /// In Lambda: the daemon at `AWS_XRAY_DAEMON_ADDRESS` (`host:port`), the trace of
    /// the invocation under way from `_X_AMZN_TRACE_ID`. `None` without a daemon.
    pub fn from_env(inner: SharedHttpClient) -> Option<TracingClient> {
        let daemon = std::env::var("AWS_XRAY_DAEMON_ADDRESS").ok()?;
        // The variable may list a UDP and a TCP address (`udp:host:port tcp:host:port`).
        let udp = daemon.split_whitespace().find_map(|a| a.strip_prefix("udp:")).unwrap_or(&daemon);
        let daemon = udp.parse().ok()?;
        TracingClient::new(inner, daemon, Arc::new(|| std::env::var("_X_AMZN_TRACE_ID").ok()))
    }

    pub fn new(inner: SharedHttpClient, daemon: SocketAddr, header: HeaderSource) -> Option<TracingClient> {
        let local: SocketAddr = if daemon.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" }.parse().ok()?;
        let socket = UdpSocket::bind(local).ok()?;
        socket.set_nonblocking(true).ok()?;
        Some(TracingClient { inner, sink: Arc::new(Sink { socket, daemon, header }) })
    }
}

impl HttpClient for TracingClient {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(TracingConnector {
            inner: self.inner.http_connector(settings, components),
            sink: self.sink.clone(),
        })
    }
}

#[derive(Debug)]
struct TracingConnector {
    inner: SharedHttpConnector,
    sink: Arc<Sink>,
}

fn seconds_now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or_default()
}

/// A subsegment id: 16 hex digits, random.
fn new_id() -> String {
    format!("{:016x}", ulid::Ulid::new().random() as u64)
}

impl HttpConnector for TracingConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let trace = (self.sink.header)().and_then(|h| TraceHeader::parse(&h)).filter(|t| t.sampled);
        let Some(trace) = trace else { return self.inner.call(request) };
        let (service, operation) = describe(&request);
        let (inner, sink) = (self.inner.clone(), self.sink.clone());
        HttpConnectorFuture::new(async move {
            let start = seconds_now();
            let answer = inner.call(request).await;
            let end = seconds_now();
            let (status, request_id) = match &answer {
                Ok(r) => (
                    Some(r.status().as_u16()),
                    r.headers()
                        .get("x-amzn-requestid")
                        .or_else(|| r.headers().get("x-amz-request-id"))
                        .map(str::to_string),
                ),
                Err(_) => (None, None),
            };
            let call = Call { service, operation, start, end, status, request_id };
            sink.send(&subsegment(&trace, &new_id(), &call));
            answer
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    #[test]
    fn trace_headers_are_read_whatever_the_order_and_need_a_root_and_a_parent() {
        let t = TraceHeader::parse(HEADER).unwrap();
        assert_eq!(
            (t.root.as_str(), t.parent.as_str(), t.sampled),
            ("1-5759e988-bd862e3fe1be46a994272793", "53995c3f42cd8ad8", true)
        );
        let t = TraceHeader::parse("Sampled=0;Parent=a;Root=r;Lineage=x").unwrap();
        assert_eq!((t.root.as_str(), t.parent.as_str(), t.sampled), ("r", "a", false));
        assert!(TraceHeader::parse("Root=1-2-3;Sampled=1").is_none());
        assert!(TraceHeader::parse("Parent=a").is_none());
        assert!(TraceHeader::parse("").is_none());
    }

    fn call(status: Option<u16>) -> Call {
        Call {
            service: "dynamodb".into(),
            operation: "TransactWriteItems".into(),
            start: 1.5,
            end: 1.75,
            status,
            request_id: Some("REQ1".into()),
        }
    }

    #[test]
    fn a_subsegment_hangs_off_the_invocation_and_says_who_failed() {
        let trace = TraceHeader::parse(HEADER).unwrap();
        let doc = subsegment(&trace, "00000000000000aa", &call(Some(200)));
        assert_eq!(doc["trace_id"], "1-5759e988-bd862e3fe1be46a994272793");
        assert_eq!(doc["parent_id"], "53995c3f42cd8ad8");
        assert_eq!(doc["type"], "subsegment");
        assert_eq!(doc["namespace"], "aws");
        assert_eq!((doc["start_time"].as_f64(), doc["end_time"].as_f64()), (Some(1.5), Some(1.75)));
        assert_eq!(doc["aws"], json!({"operation": "TransactWriteItems", "request_id": "REQ1"}));
        assert_eq!(doc["http"]["response"]["status"], 200);
        let flags = |d: &Value| (d["error"].as_bool(), d["throttle"].as_bool(), d["fault"].as_bool());
        assert_eq!(flags(&doc), (Some(false), Some(false), Some(false)));
        assert_eq!(flags(&subsegment(&trace, "b", &call(Some(400)))), (Some(true), Some(false), Some(false)));
        assert_eq!(flags(&subsegment(&trace, "c", &call(Some(429)))), (Some(true), Some(true), Some(false)));
        assert_eq!(flags(&subsegment(&trace, "d", &call(Some(503)))), (Some(false), Some(false), Some(true)));
        let lost = subsegment(&trace, "e", &call(None));
        assert_eq!(flags(&lost), (Some(false), Some(false), Some(true)));
        assert!(lost.get("http").is_none());
    }

    fn request(headers: &[(&str, &str)], uri: &str, body: &str) -> HttpRequest {
        let mut builder = http::Request::builder().method("POST").uri(uri);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        HttpRequest::try_from(builder.body(aws_smithy_types::body::SdkBody::from(body.to_string())).unwrap()).unwrap()
    }

    #[test]
    fn the_service_comes_from_the_signature_and_the_operation_from_the_protocol() {
        let auth = |service: &str| {
            format!(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261202/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=abc"
            )
        };
        let dynamo = request(
            &[("authorization", &auth("dynamodb")), ("x-amz-target", "DynamoDB_20120810.GetItem")],
            "https://dynamodb.us-east-1.amazonaws.com/",
            "{}",
        );
        assert_eq!(describe(&dynamo), ("dynamodb".into(), "GetItem".into()));
        let sns = request(
            &[("authorization", &auth("sns"))],
            "https://sns.us-east-1.amazonaws.com/",
            "Action=Publish&Version=2010-03-31&TopicArn=arn",
        );
        assert_eq!(describe(&sns), ("sns".into(), "Publish".into()));
        let ses = request(
            &[("authorization", &auth("ses"))],
            "https://email.us-east-1.amazonaws.com/v2/email/outbound-emails",
            "{}",
        );
        assert_eq!(describe(&ses), ("ses".into(), "POST /v2".into()));
        let unsigned = request(&[], "http://127.0.0.1:8000", "");
        assert_eq!(describe(&unsigned), ("aws".into(), "POST /".into()));
    }
}
