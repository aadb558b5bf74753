//! A plain HTTP client for the stand-in: for the control API, for checks on raw headers
//! (`Idempotent-Replayed`), and for the fixture scenario, which needs no Stripe library.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

pub struct Raw {
    base: String,
    key: String,
    http: Client<HttpConnector, Full<Bytes>>,
}

pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Value,
}

impl Raw {
    pub fn new(base: &str, key: &str) -> Raw {
        Raw {
            base: base.trim_end_matches('/').to_string(),
            key: key.to_string(),
            http: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// A form-encoded Stripe API call; `idempotency_key` is sent as the header.
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        form: &[(&str, &str)],
        idempotency_key: Option<&str>,
    ) -> Result<Reply, String> {
        let encoded = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let (uri, body) = if method == "GET" {
            (format!("{}{path}?{encoded}", self.base), String::new())
        } else {
            (format!("{}{path}", self.base), encoded)
        };
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {}", self.key))
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(k) = idempotency_key {
            request = request.header("idempotency-key", k);
        }
        self.send(request.body(Full::new(Bytes::from(body))).map_err(|e| e.to_string())?).await
    }

    /// A JSON call to the stand-in's `/standin/...` controls.
    pub async fn control(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Reply, String> {
        let request = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body.map(|b| b.to_string()).unwrap_or_default())))
            .map_err(|e| e.to_string())?;
        self.send(request).await
    }

    /// A browser-style form POST to one of the stand-in's pages.
    pub async fn page_post(&self, path: &str, form: &[(&str, &str)]) -> Result<Reply, String> {
        let encoded = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let request = hyper::Request::post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(encoded)))
            .map_err(|e| e.to_string())?;
        self.send(request).await
    }

    async fn send(&self, request: hyper::Request<Full<Bytes>>) -> Result<Reply, String> {
        let response = self.http.request(request).await.map_err(|e| format!("{e:?}"))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Ok(Reply { status, headers, body })
    }
}
