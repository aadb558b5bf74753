//! The HTTP API's CorsConfiguration, applied as API Gateway applies it: preflight
//! requests are answered by the API itself (no function runs), and CORS headers on
//! other answers come from the configuration, replacing any a function set.

use http::{HeaderMap, HeaderValue, Method};
use serde_json::Value;

#[derive(Debug, Clone, Default)]
pub struct Cors {
    allow_origins: Vec<String>,
    allow_methods: Vec<String>,
    allow_headers: Vec<String>,
    expose_headers: Vec<String>,
    max_age: Option<u64>,
    allow_credentials: bool,
}

impl Cors {
    /// From the resolved `CorsConfiguration` object.
    pub fn from_config(v: &Value) -> Cors {
        let list = |key: &str| -> Vec<String> {
            match &v[key] {
                Value::Array(items) => items.iter().filter_map(Value::as_str).map(str::to_string).collect(),
                Value::String(s) => s.split(',').map(|s| s.trim().to_string()).collect(),
                _ => Vec::new(),
            }
        };
        Cors {
            allow_origins: list("AllowOrigins"),
            allow_methods: list("AllowMethods"),
            allow_headers: list("AllowHeaders"),
            expose_headers: list("ExposeHeaders"),
            max_age: v["MaxAge"].as_u64(),
            allow_credentials: v["AllowCredentials"].as_bool().unwrap_or(false),
        }
    }

    /// Adds origins to the configured ones, as a deployment adds its web app's URL to
    /// the `AllowedOrigins` parameter (the local stack's own web app, `web.rs`).
    pub fn allow_origins(&mut self, origins: impl IntoIterator<Item = String>) {
        for o in origins {
            if !self.allow_origins.iter().any(|a| a.eq_ignore_ascii_case(&o)) {
                self.allow_origins.push(o);
            }
        }
    }

    fn allowed_origin(&self, origin: &str) -> Option<String> {
        if self.allow_origins.iter().any(|o| o == "*") {
            return Some(if self.allow_credentials { origin.to_string() } else { "*".to_string() });
        }
        self.allow_origins.iter().any(|o| o.eq_ignore_ascii_case(origin)).then(|| origin.to_string())
    }

    pub fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
        method == Method::OPTIONS
            && headers.contains_key(http::header::ORIGIN)
            && headers.contains_key(http::header::ACCESS_CONTROL_REQUEST_METHOD)
    }

    /// Headers for a preflight answer (204); empty when the origin is not allowed.
    pub fn preflight(&self, request: &HeaderMap) -> HeaderMap {
        let mut out = HeaderMap::new();
        let Some(origin) = header(request, http::header::ORIGIN).and_then(|o| self.allowed_origin(o)) else {
            return out;
        };
        insert(&mut out, "access-control-allow-origin", &origin);
        insert(&mut out, "access-control-allow-methods", &self.allow_methods.join(","));
        if !self.allow_headers.is_empty() {
            insert(&mut out, "access-control-allow-headers", &self.allow_headers.join(","));
        }
        if let Some(age) = self.max_age {
            insert(&mut out, "access-control-max-age", &age.to_string());
        }
        if self.allow_credentials {
            insert(&mut out, "access-control-allow-credentials", "true");
        }
        out
    }

    /// Replaces a function's CORS headers with the configured ones.
    pub fn apply(&self, request: &HeaderMap, response: &mut HeaderMap) {
        let names: Vec<_> = response.keys().filter(|k| k.as_str().starts_with("access-control-")).cloned().collect();
        for name in names {
            response.remove(name);
        }
        let Some(origin) = header(request, http::header::ORIGIN).and_then(|o| self.allowed_origin(o)) else {
            return;
        };
        insert(response, "access-control-allow-origin", &origin);
        if !self.expose_headers.is_empty() {
            insert(response, "access-control-expose-headers", &self.expose_headers.join(","));
        }
        if self.allow_credentials {
            insert(response, "access-control-allow-credentials", "true");
        }
    }
}

fn header(h: &HeaderMap, name: http::header::HeaderName) -> Option<&str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

fn insert(h: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        h.insert(name, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cors() -> Cors {
        Cors::from_config(&json!({"AllowOrigins": ["http://localhost:5173"], "AllowMethods": ["GET", "POST"],
            "AllowHeaders": ["authorization"], "ExposeHeaders": ["location"], "MaxAge": 600}))
    }

    fn request(origin: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("origin", HeaderValue::from_str(origin).unwrap());
        h.insert("access-control-request-method", HeaderValue::from_static("POST"));
        h
    }

    #[test]
    fn preflights_from_allowed_origins_are_answered() {
        let req = request("http://localhost:5173");
        assert!(Cors::is_preflight(&Method::OPTIONS, &req));
        let h = cors().preflight(&req);
        assert_eq!(h["access-control-allow-origin"], "http://localhost:5173");
        assert_eq!(h["access-control-allow-methods"], "GET,POST");
        assert_eq!(h["access-control-max-age"], "600");
        assert!(cors().preflight(&request("http://evil.example")).is_empty());
    }

    #[test]
    fn configured_headers_replace_the_functions() {
        let mut resp = HeaderMap::new();
        resp.insert("access-control-allow-origin", HeaderValue::from_static("*"));
        cors().apply(&request("http://localhost:5173"), &mut resp);
        assert_eq!(resp["access-control-allow-origin"], "http://localhost:5173");
        assert_eq!(resp["access-control-expose-headers"], "location");
        let mut resp = HeaderMap::new();
        resp.insert("access-control-allow-origin", HeaderValue::from_static("*"));
        cors().apply(&request("http://evil.example"), &mut resp);
        assert!(resp.is_empty());
    }

    #[test]
    fn added_origins_are_allowed_alongside_the_configured_ones() {
        let mut c = cors();
        assert!(c.preflight(&request("http://127.0.0.1:3002")).is_empty());
        c.allow_origins(["http://127.0.0.1:3002".to_string()]);
        assert_eq!(
            c.preflight(&request("http://127.0.0.1:3002"))["access-control-allow-origin"],
            "http://127.0.0.1:3002"
        );
        assert_eq!(
            c.preflight(&request("http://localhost:5173"))["access-control-allow-origin"],
            "http://localhost:5173"
        );
        assert!(c.preflight(&request("http://evil.example")).is_empty());
    }
}
