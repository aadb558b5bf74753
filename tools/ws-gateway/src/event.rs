//! The events API Gateway sends a WebSocket API's functions, and the ids in them.

use crate::Settings;
use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

/// Who is connected, as the events and `GET @connections` describe them.
#[derive(Debug, Clone)]
pub(crate) struct Peer {
    pub connection_id: String,
    pub connected_at: DateTime<Utc>,
    pub source_ip: String,
    pub user_agent: String,
    /// The host the client connected to (`requestContext.domainName`).
    pub domain_name: String,
}

/// An id as API Gateway writes connection, request and message ids: 16 URL-safe
/// base64 characters, the last one `=`.
pub(crate) fn new_id() -> String {
    base64::engine::general_purpose::URL_SAFE.encode(rand::random::<[u8; 11]>())
}

/// `requestTime`: `09/Apr/2015:12:34:56 +0000`.
pub(crate) fn request_time(t: DateTime<Utc>) -> String {
    t.format("%d/%b/%Y:%H:%M:%S %z").to_string()
}

/// ISO 8601 with milliseconds, as the management API answers.
pub(crate) fn iso8601(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn trace_id(now: DateTime<Utc>) -> String {
    let random: String = rand::random::<[u8; 12]>().iter().map(|b| format!("{b:02x}")).collect();
    format!("Root=1-{:08x}-{random}", now.timestamp())
}

/// The `requestContext` every event has, and its `requestId`.
fn request_context(
    s: &Settings,
    peer: &Peer,
    route_key: &str,
    event_type: &str,
    now: DateTime<Utc>,
) -> (Map<String, Value>, String) {
    let request_id = new_id();
    let context = json!({
        "routeKey": route_key,
        "eventType": event_type,
        "extendedRequestId": request_id,
        "requestTime": request_time(now),
        "messageDirection": "IN",
        "stage": s.stage,
        "connectedAt": peer.connected_at.timestamp_millis(),
        "requestTimeEpoch": now.timestamp_millis(),
        "identity": {"sourceIp": peer.source_ip, "userAgent": peer.user_agent},
        "requestId": request_id,
        "domainName": peer.domain_name,
        "connectionId": peer.connection_id,
        "apiId": s.api_id,
    });
    let Value::Object(context) = context else { unreachable!("a json! object") };
    (context, request_id)
}

/// `headers` (the last value of each) and `multiValueHeaders` (all of them).
fn header_maps(headers: &[(String, String)]) -> (Value, Value) {
    let mut single = Map::new();
    let mut multi: Map<String, Value> = Map::new();
    for (name, value) in headers {
        single.insert(name.clone(), Value::String(value.clone()));
        match multi.get_mut(name) {
            Some(Value::Array(values)) => values.push(Value::String(value.clone())),
            _ => {
                multi.insert(name.clone(), json!([value]));
            }
        }
    }
    (Value::Object(single), Value::Object(multi))
}

/// The `$connect` event for a handshake with these headers (canonically cased, in
/// order) and raw query string.
pub(crate) fn connect(
    s: &Settings,
    peer: &Peer,
    headers: &[(String, String)],
    query: &str,
    now: DateTime<Utc>,
) -> (Value, String) {
    let (context, request_id) = request_context(s, peer, "$connect", "CONNECT", now);
    let mut headers = headers.to_vec();
    // What API Gateway's front door adds.
    headers.push(("X-Amzn-Trace-Id".into(), trace_id(now)));
    headers.push(("X-Forwarded-For".into(), peer.source_ip.clone()));
    headers.push(("X-Forwarded-Port".into(), port_of(&peer.domain_name)));
    headers.push(("X-Forwarded-Proto".into(), "http".into()));
    let (single, multi) = header_maps(&headers);
    let mut event = json!({
        "headers": single,
        "multiValueHeaders": multi,
        "requestContext": context,
        "isBase64Encoded": false,
    });
    let pairs = query_pairs(query);
    if !pairs.is_empty() {
        let (single, multi) = header_maps(&pairs);
        event["queryStringParameters"] = single;
        event["multiValueQueryStringParameters"] = multi;
    }
    (event, request_id)
}

fn port_of(host: &str) -> String {
    host.rsplit_once(':').map(|(_, p)| p.to_string()).filter(|p| p.parse::<u16>().is_ok()).unwrap_or("80".into())
}

/// A message's event for `route_key`.
pub(crate) fn message(s: &Settings, peer: &Peer, route_key: &str, body: &str, now: DateTime<Utc>) -> (Value, String) {
    let (mut context, request_id) = request_context(s, peer, route_key, "MESSAGE", now);
    context.insert("messageId".into(), Value::String(new_id()));
    let event = json!({"requestContext": context, "body": body, "isBase64Encoded": false});
    (event, request_id)
}

/// The `$disconnect` event.
pub(crate) fn disconnect(s: &Settings, peer: &Peer, code: u16, reason: &str, now: DateTime<Utc>) -> Value {
    let (mut context, _) = request_context(s, peer, "$disconnect", "DISCONNECT", now);
    context.insert("disconnectStatusCode".into(), json!(code));
    context.insert("disconnectReason".into(), json!(reason));
    let headers =
        [("Host".to_string(), peer.domain_name.clone()), ("X-Forwarded-For".to_string(), peer.source_ip.clone())];
    let (single, multi) = header_maps(&headers);
    json!({"headers": single, "multiValueHeaders": multi, "requestContext": context, "isBase64Encoded": false})
}

/// What API Gateway sends the client when it cannot deliver a message.
pub(crate) fn gateway_message(message: &str, connection_id: &str, request_id: &str) -> String {
    json!({"message": message, "connectionId": connection_id, "requestId": request_id}).to_string()
}

fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Decodes `%XX` escapes; anything else is kept as written.
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let hex = |b: u8| (b as char).to_digit(16);
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) =
                (bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `sec-websocket-key` → `Sec-WebSocket-Key`: how clients write header names (hyper
/// hands them over lower-cased).
pub(crate) fn canonical_header(name: &str) -> String {
    name.split('-')
        .map(|part| {
            if part.eq_ignore_ascii_case("websocket") {
                return "WebSocket".to_string();
            }
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_api_gateways() {
        let id = new_id();
        assert_eq!(id.len(), 16);
        assert!(id.ends_with('='));
        assert!(id[..15].chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(new_id(), id);
    }

    #[test]
    fn times_and_names_are_formatted_as_api_gateway_does() {
        let t = DateTime::parse_from_rfc3339("2015-04-09T12:34:56.789Z").unwrap().with_timezone(&Utc);
        assert_eq!(request_time(t), "09/Apr/2015:12:34:56 +0000");
        assert_eq!(iso8601(t), "2015-04-09T12:34:56.789Z");
        assert_eq!(canonical_header("sec-websocket-protocol"), "Sec-WebSocket-Protocol");
        assert_eq!(canonical_header("x-forwarded-for"), "X-Forwarded-For");
        assert_eq!(percent_decode("a%3Db%zz%2"), "a=b%zz%2");
        assert_eq!(
            query_pairs("token=a%2Bb&x=1&x=2&flag"),
            [("token", "a+b"), ("x", "1"), ("x", "2"), ("flag", "")].map(|(k, v)| (k.to_string(), v.to_string()))
        );
    }
}
