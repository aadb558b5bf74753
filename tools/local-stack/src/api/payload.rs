//! API Gateway HTTP API payload format 2.0: the event a function receives for a
//! request, and how its answer becomes the HTTP response.

use super::routes::{Match, percent_decode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde_json::{Map, Value, json};

/// What the router knows about one incoming request.
pub struct IncomingRequest<'a> {
    pub method: &'a str,
    pub raw_path: &'a str,
    pub raw_query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    pub source_ip: String,
    pub request_id: String,
    pub now: DateTime<Utc>,
}

pub fn request_event(req: &IncomingRequest<'_>, route: &Match<'_>) -> Value {
    let mut headers = Map::new();
    let mut cookies = Vec::new();
    for name in req.headers.keys() {
        let values: Vec<String> =
            req.headers.get_all(name).iter().map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()).collect();
        if name == http::header::COOKIE {
            // Format 2.0 moves cookies out of the headers into their own list.
            cookies.extend(
                values.iter().flat_map(|v| v.split(';')).map(|c| c.trim().to_string()).filter(|c| !c.is_empty()),
            );
            continue;
        }
        headers.insert(name.as_str().to_string(), json!(values.join(",")));
    }
    headers.entry("x-forwarded-for").or_insert_with(|| json!(req.source_ip));
    headers.entry("x-forwarded-proto").or_insert_with(|| json!("http"));
    let host = headers.get("host").and_then(Value::as_str).unwrap_or("127.0.0.1").to_string();
    let domain = host.split(':').next().unwrap_or("127.0.0.1").to_string();
    let user_agent = headers.get("user-agent").cloned().unwrap_or(json!(""));

    let mut event = json!({
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": req.raw_path,
        "rawQueryString": req.raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": crate::template::intrinsics::ACCOUNT_ID,
            "apiId": "local",
            "domainName": domain,
            "domainPrefix": domain.split('.').next().unwrap_or_default(),
            "http": {
                "method": req.method,
                "path": req.raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": req.source_ip,
                "userAgent": user_agent,
            },
            "requestId": req.request_id,
            "routeKey": route.route_key,
            "stage": "$default",
            "time": req.now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
            "timeEpoch": req.now.timestamp_millis(),
        },
        "isBase64Encoded": false,
    });
    if !cookies.is_empty() {
        event["cookies"] = json!(cookies);
    }
    let query = query_parameters(req.raw_query);
    if !query.is_empty() {
        event["queryStringParameters"] = Value::Object(query);
    }
    if !route.path_parameters.is_empty() {
        event["pathParameters"] = json!(route.path_parameters);
    }
    if !req.body.is_empty() {
        let content_type = req.headers.get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        match std::str::from_utf8(req.body) {
            Ok(text) if is_textual(content_type) => event["body"] = json!(text),
            _ => {
                event["body"] = json!(B64.encode(req.body));
                event["isBase64Encoded"] = json!(true);
            }
        }
    }
    event
}

/// API Gateway joins repeated parameters with commas; values arrive decoded.
fn query_parameters(raw: &str) -> Map<String, Value> {
    let mut out = Map::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| percent_decode(&s.replace('+', " "));
        let (k, v) = (decode(k), decode(v));
        let joined = match out.get(&k).and_then(Value::as_str) {
            Some(prev) => format!("{prev},{v}"),
            None => v,
        };
        out.insert(k, json!(joined));
    }
    out
}

fn is_textual(content_type: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    ct.is_empty()
        || ct.starts_with("text/")
        || ct.contains("json")
        || ct.contains("xml")
        || ct.contains("javascript")
        || ct.contains("x-www-form-urlencoded")
}

/// The HTTP answer to send back.
#[derive(Debug, PartialEq)]
pub struct HttpAnswer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl HttpAnswer {
    /// What API Gateway answers when the function failed or timed out.
    pub fn internal_error() -> HttpAnswer {
        HttpAnswer::message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
    }

    pub fn message(status: StatusCode, message: &str) -> HttpAnswer {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        HttpAnswer { status, headers, body: json!({ "message": message }).to_string().into_bytes() }
    }
}

/// Maps a function's answer as API Gateway does for format 2.0: an object with
/// `statusCode` is a full response; any other valid JSON is a 200 whose body is that JSON.
pub fn response_from_payload(payload: &[u8]) -> HttpAnswer {
    let Ok(value) = serde_json::from_slice::<Value>(payload) else {
        return HttpAnswer::internal_error();
    };
    let Some(status) = value.get("statusCode") else {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let body = match &value {
            Value::String(s) => s.clone().into_bytes(),
            other => other.to_string().into_bytes(),
        };
        return HttpAnswer { status: StatusCode::OK, headers, body };
    };
    let Some(status) = status.as_u64().and_then(|s| u16::try_from(s).ok()).and_then(|s| StatusCode::from_u16(s).ok())
    else {
        return HttpAnswer::internal_error();
    };
    let mut headers = HeaderMap::new();
    for (k, v) in value["headers"].as_object().into_iter().flatten() {
        let text = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if let (Ok(name), Ok(val)) = (HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(&text)) {
            headers.append(name, val);
        }
    }
    for cookie in value["cookies"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if let Ok(val) = HeaderValue::from_str(cookie) {
            headers.append(http::header::SET_COOKIE, val);
        }
    }
    let text = value["body"].as_str().unwrap_or_default();
    let body = if value["isBase64Encoded"].as_bool() == Some(true) {
        match B64.decode(text) {
            Ok(bytes) => bytes,
            Err(_) => return HttpAnswer::internal_error(),
        }
    } else {
        text.as_bytes().to_vec()
    };
    HttpAnswer { status, headers, body }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn incoming<'a>(headers: &'a HeaderMap, body: &'a [u8]) -> IncomingRequest<'a> {
        IncomingRequest {
            method: "POST",
            raw_path: "/photographers/01H%2Fx",
            raw_query: "city=New+York&tag=a&tag=b&empty",
            headers,
            body,
            source_ip: "127.0.0.1".into(),
            request_id: "req-1".into(),
            now: DateTime::parse_from_rfc3339("2026-11-25T10:00:00Z").unwrap().with_timezone(&Utc),
        }
    }

    #[test]
    fn requests_become_format_2_events_that_lambda_http_accepts() {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("127.0.0.1:3000"));
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        headers.insert("cookie", HeaderValue::from_static("a=1; b=2"));
        headers.append("x-multi", HeaderValue::from_static("1"));
        headers.append("x-multi", HeaderValue::from_static("2"));
        let params = BTreeMap::from([("id".to_string(), "01H/x".to_string())]);
        let route = Match { route_key: "POST /photographers/{id}", function: "f", path_parameters: params };
        let event = request_event(&incoming(&headers, br#"{"a":1}"#), &route);
        assert_eq!(event["routeKey"], "POST /photographers/{id}");
        assert_eq!(event["pathParameters"]["id"], "01H/x");
        assert_eq!(event["queryStringParameters"], json!({"city": "New York", "tag": "a,b", "empty": ""}));
        assert_eq!(event["cookies"], json!(["a=1", "b=2"]));
        assert_eq!(event["headers"]["x-multi"], "1,2");
        assert!(event["headers"].get("cookie").is_none());
        assert_eq!(event["body"], r#"{"a":1}"#);
        assert_eq!(event["requestContext"]["domainName"], "127.0.0.1");
        let parsed: aws_lambda_events::apigw::ApiGatewayV2httpRequest = serde_json::from_value(event).unwrap();
        assert_eq!(parsed.request_context.http.method, http::Method::POST);
    }

    #[test]
    fn binary_bodies_are_base64_encoded() {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", HeaderValue::from_static("image/png"));
        let route = Match { route_key: "$default", function: "f", path_parameters: BTreeMap::new() };
        let event = request_event(&incoming(&headers, &[0, 159, 146, 150]), &route);
        assert_eq!(event["isBase64Encoded"], true);
        assert_eq!(event["body"], B64.encode([0, 159, 146, 150]));
    }

    #[test]
    fn responses_map_status_headers_cookies_and_bodies() {
        let payload = json!({"statusCode": 201, "headers": {"location": "/x", "content-type": "application/json"},
            "cookies": ["s=1; HttpOnly", "t=2"], "body": "{\"ok\":true}", "isBase64Encoded": false});
        let a = response_from_payload(payload.to_string().as_bytes());
        assert_eq!(a.status, StatusCode::CREATED);
        assert_eq!(a.headers["location"], "/x");
        assert_eq!(a.headers.get_all("set-cookie").iter().count(), 2);
        assert_eq!(a.body, br#"{"ok":true}"#);

        let b64 = json!({"statusCode": 200, "body": B64.encode("hi"), "isBase64Encoded": true});
        assert_eq!(response_from_payload(b64.to_string().as_bytes()).body, b"hi");
    }

    #[test]
    fn answers_without_status_code_are_inferred_and_garbage_is_a_500() {
        let a = response_from_payload(br#"{"hello":"world"}"#);
        assert_eq!((a.status, a.body.as_slice()), (StatusCode::OK, br#"{"hello":"world"}"#.as_slice()));
        assert_eq!(response_from_payload(b"not json").status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(response_from_payload(br#"{"statusCode": 99999}"#).status, StatusCode::INTERNAL_SERVER_ERROR);
    }
}
