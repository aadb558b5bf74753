//! A small JSON-over-HTTP client for loopback calls: moto's control API, the control
//! port, and the smoke journey against the HTTP API.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use std::sync::OnceLock;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub text: String,
    pub json: Value,
}

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

fn client() -> &'static HttpClient {
    static CLIENT: OnceLock<HttpClient> = OnceLock::new();
    CLIENT.get_or_init(|| Client::builder(TokioExecutor::new()).build_http())
}

pub async fn send(method: &str, url: &str, bearer: Option<&str>, body: Option<&Value>) -> Result<Reply, String> {
    let mut req = http::Request::builder().method(method).uri(url).header("accept", "application/json");
    if let Some(token) = bearer {
        req = req.header("authorization", format!("Bearer {token}"));
    }
    let bytes = match body {
        Some(b) => {
            req = req.header("content-type", "application/json");
            Bytes::from(b.to_string())
        }
        None => Bytes::new(),
    };
    let req = req.body(Full::new(bytes)).map_err(|e| e.to_string())?;
    let resp = tokio::time::timeout(Duration::from_secs(120), client().request(req))
        .await
        .map_err(|_| format!("{method} {url}: no answer within 120 s"))?
        .map_err(|e| format!("{method} {url}: {e}"))?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
    let text = String::from_utf8_lossy(&body).into_owned();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Ok(Reply { status, headers, text, json })
}

pub async fn get(url: &str) -> Result<(u16, String), String> {
    send("GET", url, None, None).await.map(|r| (r.status, r.text))
}

pub async fn post_json(url: &str, bearer: Option<&str>, body: &Value) -> Result<(u16, Value), String> {
    let body = (!body.is_null()).then_some(body);
    send("POST", url, bearer, body).await.map(|r| (r.status, r.json))
}

/// Posts an S3 upload form as a browser does: `multipart/form-data`, every field of
/// `fields` first, the file last (S3 ignores fields after it).
pub async fn post_form(
    url: &str,
    fields: &serde_json::Map<String, Value>,
    file: &[u8],
    content_type: &str,
) -> Result<Reply, String> {
    let boundary = format!("----local-stack-{}", ulid::Ulid::new());
    let mut body = Vec::new();
    for (name, value) in fields {
        let value = value.as_str().ok_or(format!("form field {name} is not text"))?;
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo\"\r\nContent-Type: {content_type}\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = http::Request::builder()
        .method("POST")
        .uri(url)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let resp = tokio::time::timeout(Duration::from_secs(60), client().request(req))
        .await
        .map_err(|_| format!("POST {url}: no answer within 60 s"))?
        .map_err(|e| format!("POST {url}: {e}"))?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
    let text = String::from_utf8_lossy(&body).into_owned();
    Ok(Reply { status, headers, text, json: Value::Null })
}

/// A form-encoded POST with a bearer key, as Stripe.js calls Stripe's API.
pub async fn post_urlencoded(url: &str, bearer: &str, form: &[(&str, &str)]) -> Result<Reply, String> {
    let body: String =
        form.iter().map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v))).collect::<Vec<_>>().join("&");
    let req = http::Request::builder()
        .method("POST")
        .uri(url)
        .header("authorization", format!("Bearer {bearer}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let resp = tokio::time::timeout(Duration::from_secs(60), client().request(req))
        .await
        .map_err(|_| format!("POST {url}: no answer within 60 s"))?
        .map_err(|e| format!("POST {url}: {e}"))?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
    let text = String::from_utf8_lossy(&body).into_owned();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Ok(Reply { status, headers, text, json })
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
