//! One request through a handler: always an HTTP answer, errors as problem documents,
//! internal causes logged with the request id and never shown, and one metric line per
//! request (latency and count by route and status class, docs/observability.md).

use crate::IntoProblem;
use cm_metrics::{Line, Unit};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use std::future::Future;
use std::time::Instant;

pub async fn dispatch<C, F, Fut, E>(ctx: &'static C, handler: &F, req: Request) -> Response<Body>
where
    C: ?Sized,
    F: Fn(&'static C, Request) -> Fut,
    Fut: Future<Output = Result<Response<Body>, E>>,
    E: IntoProblem,
{
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req.raw_http_path().to_string();
    let request_id = req.lambda_context_ref().map(|c| c.request_id.clone()).unwrap_or_default();
    let route_key = route_key(&req);
    let response = match handler(ctx, req).await {
        Ok(r) => r,
        Err(e) => {
            let problem = e.to_problem();
            if problem.status >= 500 {
                tracing::error!(%request_id, cause = %e, "request failed");
            }
            problem.into_response()
        }
    };
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    tracing::info!(%method, %route, status, elapsed_ms = elapsed.as_millis() as u64, "request");
    request_metrics(&route_key, status, elapsed.as_secs_f64() * 1000.0, &request_id).emit();
    response
}

/// API Gateway's route key (`POST /bookings/{id}/status`, `$default`): a handful of
/// values, where the raw path would be one per booking.
fn route_key(req: &Request) -> String {
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(c)) => c.route_key.clone().filter(|k| !k.is_empty()),
        _ => None,
    }
    .unwrap_or_else(|| "unknown".into())
}

/// `Latency` by route (percentiles per route), and `Requests` by route and status class
/// and by status class alone (the API's 5xx in one metric).
fn request_metrics(route_key: &str, status: u16, elapsed_ms: f64, request_id: &str) -> Line {
    let class = match status {
        500.. => "5xx",
        400..=499 => "4xx",
        300..=399 => "3xx",
        200..=299 => "2xx",
        _ => "1xx",
    };
    let mut line = Line::new()
        .dimension("Route", route_key)
        .dimension("StatusClass", class)
        .property("status", status)
        .metric("Latency", Unit::Milliseconds, elapsed_ms, &[&["Route"]])
        .metric("Requests", Unit::Count, 1.0, &[&["Route", "StatusClass"], &["StatusClass"]]);
    if !request_id.is_empty() {
        line = line.property("requestId", request_id);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Internal, Problem};
    use serde_json::{Value, json};

    /// An API Gateway HTTP API (payload 2.0) event, as lambda_http parses it in Lambda.
    fn request(route_key: &str, raw_path: &str) -> Request {
        let (method, _) = route_key.split_once(' ').unwrap();
        let event = json!({
            "version": "2.0",
            "routeKey": route_key,
            "rawPath": raw_path,
            "rawQueryString": "",
            "headers": {"host": "api.capturemoments.test"},
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "api1234567",
                "domainName": "api.capturemoments.test",
                "domainPrefix": "api",
                "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.10", "userAgent": "t"},
                "requestId": "req-1",
                "routeKey": route_key,
                "stage": "$default",
                "time": "25/Nov/2026:10:00:00 +0000",
                "timeEpoch": 1795600000000i64
            },
            "isBase64Encoded": false
        });
        let req = lambda_http::request::from_str(&event.to_string()).expect("a valid API Gateway v2 event");
        // As lambda_http's runtime attaches the invocation's context in Lambda.
        let mut ctx = lambda_http::Context::default();
        ctx.request_id = "lambda-req-1".into();
        req.with_lambda_context(ctx)
    }

    async fn answers(_: &'static (), req: Request) -> Result<Response<Body>, Internal> {
        if req.raw_http_path().ends_with("/fail") {
            return Err(Internal::new("store unavailable"));
        }
        Ok(crate::json(201, &json!({"id": "b-1"})))
    }

    fn dispatched(route_key: &str, raw_path: &str) -> (u16, Vec<Value>) {
        let capture = cm_metrics::Capture::new();
        let response =
            futures::executor::block_on(capture.scope(dispatch(&(), &answers, request(route_key, raw_path))));
        (response.status().as_u16(), capture.parsed())
    }

    /// The declared dimension sets and metrics of a parsed line, checked against its
    /// members as CloudWatch would.
    fn directives(line: &Value) -> Vec<(Value, Vec<(String, String)>)> {
        line["_aws"]["CloudWatchMetrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                for set in d["Dimensions"].as_array().unwrap() {
                    for k in set.as_array().unwrap() {
                        assert!(line[k.as_str().unwrap()].is_string(), "{k} is not a member: {line}");
                    }
                }
                let metrics = d["Metrics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| {
                        let name = m["Name"].as_str().unwrap().to_string();
                        assert!(line[&name].is_number(), "{name}: {line}");
                        (name, m["Unit"].as_str().unwrap().to_string())
                    })
                    .collect();
                (d["Dimensions"].clone(), metrics)
            })
            .collect()
    }

    #[test]
    fn each_request_emits_latency_by_route_and_a_count_by_status_class() {
        let (status, lines) = dispatched("POST /bookings/{id}/status", "/bookings/01ARZ3NDEKTSV4RRFFQ69G5FAV/status");
        assert_eq!(status, 201);
        assert_eq!(lines.len(), 1, "{lines:?}");
        let line = &lines[0];
        assert_eq!(line["Route"], "POST /bookings/{id}/status", "the route key, never the raw path");
        assert_eq!(line["StatusClass"], "2xx");
        assert_eq!(line["status"], 201);
        assert_eq!(line["requestId"], "lambda-req-1", "the id the function's log lines carry");
        assert_eq!(line["Requests"], 1.0);
        assert!(line["Latency"].as_f64().is_some_and(|ms| ms >= 0.0), "{line}");
        assert!(line["_aws"]["Timestamp"].is_i64());
        assert!(!line.to_string().contains("01ARZ3NDEKTSV4RRFFQ69G5FAV"), "no ids from the path: {line}");
        assert_eq!(
            directives(line),
            [
                (json!([["Route"]]), vec![("Latency".to_string(), "Milliseconds".to_string())]),
                (
                    json!([["Route", "StatusClass"], ["StatusClass"]]),
                    vec![("Requests".to_string(), "Count".to_string())]
                ),
            ]
        );
    }

    #[test]
    fn a_handler_error_is_counted_as_its_problem_status_class() {
        let (status, lines) = dispatched("GET /bookings/{id}", "/bookings/x/fail");
        assert_eq!(status, Problem::internal().status);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["StatusClass"], "5xx");
        assert_eq!(lines[0]["Route"], "GET /bookings/{id}");
    }

    #[test]
    fn status_classes() {
        for (status, class) in [(200, "2xx"), (204, "2xx"), (304, "3xx"), (404, "4xx"), (429, "4xx"), (503, "5xx")] {
            let line: Value =
                serde_json::from_str(&request_metrics("GET /x", status, 1.0, "").render("N", 0).unwrap()).unwrap();
            assert_eq!(line["StatusClass"], class, "{status}");
            assert!(line.get("requestId").is_none());
        }
    }
}
