//! Real API Gateway HTTP API (payload format 2.0) events, as API Gateway would send
//! them for a route, fed through lambda_http's own parser into the real handler.

use cm_app::App;
use cm_http::{Body, IntoProblem, Request, Response};
use serde_json::{Value, json};
use std::future::Future;

#[derive(Debug, Clone)]
pub struct ApiEvent {
    route_key: String,
    path_params: Vec<(String, String)>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<String>,
    source_ip: String,
}

impl ApiEvent {
    /// `route` is the template's route key, e.g. `GET /photographers/{id}`.
    pub fn new(route: &str) -> ApiEvent {
        ApiEvent {
            route_key: route.to_string(),
            path_params: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            source_ip: "203.0.113.10".into(),
        }
    }

    pub fn path(mut self, name: &str, value: impl ToString) -> Self {
        self.path_params.push((name.into(), value.to_string()));
        self
    }

    pub fn query(mut self, name: &str, value: impl ToString) -> Self {
        self.query.push((name.into(), value.to_string()));
        self
    }

    pub fn header(mut self, name: &str, value: impl ToString) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    /// The client's address as API Gateway reports it (`requestContext.http.sourceIp`).
    pub fn from_ip(mut self, ip: &str) -> Self {
        self.source_ip = ip.into();
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", format!("Bearer {token}"))
    }

    pub fn json(self, body: Value) -> Self {
        self.header("content-type", "application/json").raw_body(body.to_string())
    }

    pub fn raw_body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }

    pub fn to_json(&self) -> Value {
        let (method, template) = self.route_key.split_once(' ').unwrap_or(("GET", "/"));
        let mut path = template.to_string();
        for (k, v) in &self.path_params {
            path = path.replace(&format!("{{{k}}}"), &urlencode(v));
        }
        let raw_query: Vec<String> =
            self.query.iter().map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v))).collect();
        let mut headers = serde_json::Map::new();
        headers.insert("host".into(), json!("api.capturemoments.test"));
        headers.insert("user-agent".into(), json!("cm-tests"));
        for (k, v) in &self.headers {
            headers.insert(k.clone(), json!(v));
        }
        let mut query = serde_json::Map::new();
        for (k, v) in &self.query {
            // API Gateway joins repeated parameters with commas in this map.
            let joined = match query.get(k).and_then(Value::as_str) {
                Some(prev) => format!("{prev},{v}"),
                None => v.clone(),
            };
            query.insert(k.clone(), json!(joined));
        }
        let mut event = json!({
            "version": "2.0",
            "routeKey": self.route_key,
            "rawPath": path,
            "rawQueryString": raw_query.join("&"),
            "headers": headers,
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "api1234567",
                "domainName": "api.capturemoments.test",
                "domainPrefix": "api",
                "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": self.source_ip, "userAgent": "cm-tests"},
                "requestId": ulid::Ulid::new().to_string(),
                "routeKey": self.route_key,
                "stage": "$default",
                "time": "25/Nov/2026:10:00:00 +0000",
                "timeEpoch": 1795600000000i64
            },
            "isBase64Encoded": false
        });
        if !self.path_params.is_empty() {
            event["pathParameters"] =
                Value::Object(self.path_params.iter().map(|(k, v)| (k.clone(), json!(v))).collect());
        }
        if !query.is_empty() {
            event["queryStringParameters"] = Value::Object(query);
        }
        if let Some(b) = &self.body {
            event["body"] = json!(b);
        }
        event
    }

    pub fn into_request(self) -> Request {
        lambda_http::request::from_str(&self.to_json().to_string()).expect("a valid API Gateway v2 event")
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts an RFC 9457 problem with this status, and returns it.
    #[track_caller]
    pub fn problem(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "expected a {status} problem, got: {}", self.text);
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "{}", self.text);
        for member in ["type", "title", "status", "detail"] {
            assert!(self.body.get(member).is_some(), "problem lacks `{member}`: {}", self.text);
        }
        assert_eq!(self.body["status"], status);
        &self.body
    }

    /// The `field`s named in a validation problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["field"].as_str().map(String::from))
            .collect()
    }

    #[track_caller]
    pub fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "unexpected answer: {}", self.text);
        &self.body
    }
}

pub async fn call<S, F, Fut, E>(app: &'static App<S>, handler: F, event: ApiEvent) -> TestResponse
where
    F: Fn(&'static App<S>, Request) -> Fut,
    Fut: Future<Output = Result<Response<Body>, E>>,
    E: IntoProblem,
{
    respond(app, handler, event.into_request()).await
}

pub async fn respond<S, F, Fut, E>(app: &'static App<S>, handler: F, req: Request) -> TestResponse
where
    F: Fn(&'static App<S>, Request) -> Fut,
    Fut: Future<Output = Result<Response<Body>, E>>,
    E: IntoProblem,
{
    let resp = cm_http::dispatch(app, &handler, req).await;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = match resp.body() {
        Body::Text(t) => t.clone(),
        Body::Binary(b) => String::from_utf8_lossy(b.as_slice()).into_owned(),
        _ => String::new(),
    };
    let body =
        if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text.clone())) };
    TestResponse { status, headers, body, text }
}
