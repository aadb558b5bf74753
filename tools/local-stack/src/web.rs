//! The web app (`web/`, built into `web/dist` by `scripts/dev`) on its own loopback
//! port, served the way the CDN serves it in AWS: static files, `index.html` for any
//! other path (the app routes in the browser), long caching for the hashed assets, the
//! security headers with a strict Content-Security-Policy, and `/config.json`, which
//! tells the one build where this stack's HTTP and WebSocket APIs are. The app is
//! another origin than the API, as in AWS: the stack adds it to the API's CORS origins.

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::net::TcpListener;

/// The port of the web app unless `WEB_PORT` says otherwise (0: any free port).
pub const DEFAULT_PORT: u16 = 3002;

/// Where the app's data comes from and goes.
pub struct Urls<'a> {
    pub api: &'a str,
    pub ws: Option<&'a str>,
    pub stripe: &'a str,
    pub uploads: &'a str,
}

pub struct WebApp {
    dist: PathBuf,
    config: String,
    csp: String,
}

impl WebApp {
    /// The built app in `dist`, if there is one (`index.html`), talking to `api_url`
    /// and `ws_url`, paying through the Stripe stand-in at `stripe_url` and uploading
    /// straight to the media bucket at `uploads_url` (moto: presigned POSTs name it).
    pub fn new(dist: &Path, urls: &Urls<'_>) -> Option<WebApp> {
        if !dist.join("index.html").is_file() {
            return None;
        }
        // Stripe cannot be reached here: the app completes payments on the stand-in's
        // own checkout page instead of Stripe's Payment Element (web/README.md).
        let config = serde_json::json!({
            "apiUrl": urls.api,
            "wsUrl": urls.ws,
            "payments": {"provider": "standin", "standinUrl": urls.stripe},
        })
        .to_string();
        Some(WebApp { dist: dist.to_path_buf(), config, csp: content_security_policy(urls) })
    }

    /// What a GET of `path` answers: status, content type, cache policy, body.
    fn answer(&self, path: &str) -> (StatusCode, &'static str, &'static str, Vec<u8>) {
        if path == "/config.json" {
            return (StatusCode::OK, "application/json", "no-store", self.config.clone().into_bytes());
        }
        let relative = path.trim_start_matches('/');
        let safe = !relative.split('/').any(|s| s == ".." || s.starts_with('.')) && !relative.contains('\\');
        if safe && !relative.is_empty() {
            let file = self.dist.join(relative);
            if let Ok(bytes) = std::fs::read(&file) {
                // Vite names assets by their content hash: they never change.
                let cache =
                    if relative.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
                return (StatusCode::OK, content_type(&file), cache, bytes);
            }
        }
        // A file that is not there stays a 404 (a stale asset must not come back as
        // HTML); any other path is one of the app's own routes.
        if !safe || relative.starts_with("assets/") || Path::new(relative).extension().is_some() {
            return (StatusCode::NOT_FOUND, "text/plain; charset=utf-8", "no-cache", b"Not Found".to_vec());
        }
        match std::fs::read(self.dist.join("index.html")) {
            Ok(bytes) => (StatusCode::OK, "text/html; charset=utf-8", "no-cache", bytes),
            Err(_) => (StatusCode::NOT_FOUND, "text/plain; charset=utf-8", "no-cache", b"Not Found".to_vec()),
        }
    }

    fn handle(&self, method: &Method, path: &str) -> Response<Full<Bytes>> {
        let (status, kind, cache, body) = if method == Method::GET || method == Method::HEAD {
            self.answer(path)
        } else {
            (StatusCode::METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", "no-cache", b"Method Not Allowed".to_vec())
        };
        let body = if method == Method::HEAD { Vec::new() } else { body };
        let mut resp = Response::new(Full::new(Bytes::from(body)));
        *resp.status_mut() = status;
        let h = resp.headers_mut();
        let mut set = |name: &'static str, value: &str| {
            if let Ok(v) = HeaderValue::from_str(value) {
                h.insert(name, v);
            }
        };
        set("content-type", kind);
        set("cache-control", cache);
        set("content-security-policy", &self.csp);
        set("x-content-type-options", "nosniff");
        set("referrer-policy", "strict-origin-when-cross-origin");
        set("x-frame-options", "DENY");
        set("permissions-policy", "camera=(), microphone=(), geolocation=(self)");
        if status == StatusCode::METHOD_NOT_ALLOWED {
            set("allow", "GET, HEAD");
        }
        resp
    }
}

/// Scripts and styles from the app's own origin only (no inline script, no eval);
/// data from the API and its WebSocket, and uploads to the media bucket (presigned
/// POSTs, as in AWS where the policy names the bucket's S3 origin); photos from the
/// API's `/media/` (the CDN), and a client's gallery photos from the media bucket itself
/// (presigned GETs: the bucket is private, so they cannot come through the CDN).
pub fn content_security_policy(urls: &Urls<'_>) -> String {
    let (api_url, bucket) = (urls.api, urls.uploads);
    let connect = [Some(urls.api), urls.ws, Some(urls.uploads)].into_iter().flatten().collect::<Vec<_>>().join(" ");
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: {api_url} {bucket}; \
         connect-src 'self' {connect}; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The origins a browser sends for the app on `port`: both loopback spellings.
pub fn origins(port: u16) -> Vec<String> {
    vec![format!("http://127.0.0.1:{port}"), format!("http://localhost:{port}")]
}

/// Serves until the task is aborted.
pub async fn serve(app: Arc<WebApp>, listener: TcpListener) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let app = app.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let app = app.clone();
                async move { Ok::<_, std::convert::Infallible>(app.handle(req.method(), req.uri().path())) }
            });
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URLS: Urls<'static> = Urls {
        api: "http://127.0.0.1:3000",
        ws: Some("ws://127.0.0.1:3001/dev"),
        stripe: "http://127.0.0.1:4242",
        uploads: "http://127.0.0.1:5000",
    };

    fn app() -> (tempdir::Dir, WebApp) {
        let dir = tempdir::Dir::new();
        std::fs::create_dir_all(dir.0.join("assets")).unwrap();
        std::fs::write(dir.0.join("index.html"), "<!doctype html><title>app</title>").unwrap();
        std::fs::write(dir.0.join("assets/index-abc.js"), "console.log(1)").unwrap();
        let app = WebApp::new(&dir.0, &URLS).unwrap();
        (dir, app)
    }

    mod tempdir {
        pub struct Dir(pub std::path::PathBuf);
        impl Dir {
            pub fn new() -> Dir {
                let p = std::env::temp_dir().join(format!("web-test-{}", ulid::Ulid::new()));
                std::fs::create_dir_all(&p).unwrap();
                Dir(p)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    #[test]
    fn routes_of_the_app_get_index_html_and_missing_files_stay_missing() {
        let (_d, app) = app();
        for path in ["/", "/photographers/01J0ABC/book", "/my/bookings"] {
            let (status, kind, cache, body) = app.answer(path);
            assert_eq!((status, kind, cache), (StatusCode::OK, "text/html; charset=utf-8", "no-cache"), "{path}");
            assert!(String::from_utf8(body).unwrap().contains("<title>app</title>"));
        }
        let (status, kind, cache, _) = app.answer("/assets/index-abc.js");
        assert_eq!((status, kind), (StatusCode::OK, "text/javascript; charset=utf-8"));
        assert!(cache.contains("immutable"));
        for path in ["/assets/gone-123.js", "/favicon.png", "/../Cargo.toml", "/assets/../../etc/passwd", "/.env"] {
            assert_eq!(app.answer(path).0, StatusCode::NOT_FOUND, "{path}");
        }
    }

    #[test]
    fn config_names_the_stacks_apis_and_the_policy_allows_only_them() {
        let (_d, app) = app();
        let (status, _, cache, body) = app.answer("/config.json");
        assert_eq!((status, cache), (StatusCode::OK, "no-store"));
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"apiUrl": "http://127.0.0.1:3000", "wsUrl": "ws://127.0.0.1:3001/dev",
                               "payments": {"provider": "standin", "standinUrl": "http://127.0.0.1:4242"}})
        );
        let resp = app.handle(&Method::GET, "/");
        let csp = resp.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self';"), "{csp}");
        assert!(
            csp.contains("connect-src 'self' http://127.0.0.1:3000 ws://127.0.0.1:3001/dev http://127.0.0.1:5000;"),
            "{csp}"
        );
        // Gallery photos are presigned GETs from the private media bucket.
        assert!(csp.contains("img-src 'self' data: http://127.0.0.1:3000 http://127.0.0.1:5000;"), "{csp}");
        assert!(!csp.contains("unsafe"), "{csp}");
        assert_eq!(app.handle(&Method::POST, "/").status(), StatusCode::METHOD_NOT_ALLOWED);
    }

    #[test]
    fn no_app_without_a_build() {
        let dir = tempdir::Dir::new();
        assert!(WebApp::new(&dir.0, &URLS).is_none());
    }
}
