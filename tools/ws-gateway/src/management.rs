//! The `@connections` management API (what `aws-sdk-apigatewaymanagement` calls).

use crate::MESSAGE_LIMIT;
use crate::event::{self, iso8601, percent_decode};
use crate::server::{Body, Shared, json_response};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::{Method, Request, Response, StatusCode};
use serde_json::json;
use tokio::sync::oneshot;

/// The connection id of `/@connections/{id}` or `/STAGE/@connections/{id}` (the SDK
/// percent-encodes the id; `@` may come encoded too).
pub(crate) fn connection_id(path: &str, stage: &str) -> Option<String> {
    let rest = path.strip_prefix('/')?;
    let rest = match rest.split_once('/') {
        Some((first, tail)) if first == stage => tail,
        _ => rest,
    };
    let (head, id) = rest.split_once('/')?;
    if percent_decode(head) != "@connections" || id.is_empty() || id.contains('/') {
        return None;
    }
    Some(percent_decode(id))
}

pub(crate) async fn handle(s: &Shared, req: Request<Incoming>, id: &str) -> Response<Body> {
    let Some(conn) = s.connection(id) else { return gone(id) };
    match *req.method() {
        Method::POST => {
            let data = match Limited::new(req.into_body(), MESSAGE_LIMIT).collect().await {
                Ok(body) => body.to_bytes(),
                Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                    return error(StatusCode::PAYLOAD_TOO_LARGE, "PayloadTooLargeException", "Message too long");
                }
                Err(_) => return error(StatusCode::BAD_REQUEST, "BadRequestException", "Could not read the body"),
            };
            let (ack, written) = oneshot::channel();
            conn.send(data.to_vec(), Some(ack));
            match written.await {
                Ok(()) => with_request_id(Response::new(Full::default())),
                Err(_) => gone(id),
            }
        }
        Method::GET => {
            let peer = &conn.peer;
            let doc = json!({
                "connectedAt": iso8601(peer.connected_at),
                "identity": {"sourceIp": peer.source_ip, "userAgent": peer.user_agent},
                "lastActiveAt": iso8601(conn.last_active()),
            });
            with_request_id(json_response(StatusCode::OK, &doc))
        }
        Method::DELETE => {
            let (ack, closed) = oneshot::channel();
            conn.close(1000, "", Some(ack));
            match closed.await {
                Ok(()) => {
                    let mut resp = Response::new(Full::default());
                    *resp.status_mut() = StatusCode::NO_CONTENT;
                    with_request_id(resp)
                }
                Err(_) => gone(id),
            }
        }
        _ => error(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed", "Method not allowed"),
    }
}

fn gone(id: &str) -> Response<Body> {
    error(StatusCode::GONE, "GoneException", &format!("Connection {id} is gone"))
}

/// An error as the management API answers one: the type in `x-amzn-errortype`, which
/// the SDK reads (`is_gone_exception()`), and a `message`.
fn error(status: StatusCode, kind: &'static str, message: &str) -> Response<Body> {
    let mut resp = json_response(status, &json!({"message": message}));
    resp.headers_mut().insert("x-amzn-errortype", HeaderValue::from_static(kind));
    with_request_id(resp)
}

fn with_request_id(mut resp: Response<Body>) -> Response<Body> {
    if let Ok(v) = HeaderValue::from_str(&event::new_id()) {
        resp.headers_mut().insert("x-amzn-requestid", v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_paths_with_and_without_the_stage() {
        assert_eq!(connection_id("/@connections/abc%3D", "dev").as_deref(), Some("abc="));
        assert_eq!(connection_id("/dev/@connections/abc=", "dev").as_deref(), Some("abc="));
        assert_eq!(connection_id("/dev/%40connections/x", "dev").as_deref(), Some("x"));
        assert_eq!(connection_id("/prod/@connections/x", "dev"), None);
        assert_eq!(connection_id("/@connections/", "dev"), None);
        assert_eq!(connection_id("/@connections/a/b", "dev"), None);
        assert_eq!(connection_id("/dev", "dev"), None);
    }
}
