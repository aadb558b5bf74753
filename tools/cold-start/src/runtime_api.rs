//! A Lambda Runtime API of our own (the `2018-06-01` interface a bootstrap polls), so a
//! function's init can be timed from `exec` to its first `GET .../invocation/next`, the
//! moment Lambda counts init as over, and each invocation from the event handed out to
//! the response posted back. One process per instance, one invocation at a time, as
//! in a Lambda execution environment.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio::sync::{Mutex, mpsc, watch};

const PREFIX: &str = "/2018-06-01/runtime";

/// What the function sent back for one invocation.
#[derive(Debug)]
pub enum Outcome {
    Response(Bytes),
    /// `POST .../invocation/{id}/error`: the handler failed.
    Error(Bytes),
}

#[derive(Debug)]
pub struct Answer {
    pub request_id: String,
    pub at: Instant,
    pub outcome: Outcome,
}

struct Pending {
    request_id: String,
    event: Bytes,
}

struct Shared {
    /// When the process first asked for work: the end of its init.
    first_next: watch::Sender<Option<Instant>>,
    /// `POST /runtime/init/error`, if the function gave up during init.
    init_error: watch::Sender<Option<String>>,
    queue: Mutex<mpsc::Receiver<Pending>>,
    answers: mpsc::UnboundedSender<Answer>,
    function_arn: String,
}

/// A running Runtime API on a loopback port.
pub struct RuntimeApi {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    submit: mpsc::Sender<Pending>,
    answers: Mutex<mpsc::UnboundedReceiver<Answer>>,
    task: tokio::task::JoinHandle<()>,
    sequence: std::sync::atomic::AtomicU64,
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RuntimeApi {
    pub async fn start(function_name: &str) -> std::io::Result<RuntimeApi> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (submit, queue) = mpsc::channel(1);
        let (answers_tx, answers_rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            first_next: watch::channel(None).0,
            init_error: watch::channel(None).0,
            queue: Mutex::new(queue),
            answers: answers_tx,
            function_arn: format!("arn:aws:lambda:us-east-1:000000000000:function:{function_name}"),
        });
        let serving = shared.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let shared = serving.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| handle(shared.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(RuntimeApi {
            addr,
            shared,
            submit,
            answers: Mutex::new(answers_rx),
            task,
            sequence: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// `AWS_LAMBDA_RUNTIME_API` for the function's environment.
    pub fn endpoint(&self) -> String {
        self.addr.to_string()
    }

    /// Waits for the first `next`: init is over. `Err` carries the init error the
    /// function posted, or says it did not ask within `timeout`.
    pub async fn ready(&self, timeout: Duration) -> Result<Instant, String> {
        let mut first = self.shared.first_next.subscribe();
        let mut init_error = self.shared.init_error.subscribe();
        let wait = async {
            loop {
                if let Some(at) = *first.borrow_and_update() {
                    return Ok(at);
                }
                if let Some(e) = init_error.borrow_and_update().clone() {
                    return Err(format!("init error: {e}"));
                }
                tokio::select! {
                    r = first.changed() => r.map_err(|e| e.to_string())?,
                    r = init_error.changed() => r.map_err(|e| e.to_string())?,
                }
            }
        };
        tokio::time::timeout(timeout, wait).await.map_err(|_| format!("no request for work within {timeout:?}"))?
    }

    /// Hands `event` to the function and waits for its answer; the time runs from the
    /// moment the event is queued (the function is already waiting on `next`).
    pub async fn invoke(&self, event: Bytes, timeout: Duration) -> Result<(Duration, Answer), String> {
        let n = self.sequence.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let request_id = format!("00000000-0000-4000-8000-{n:012}");
        let started = Instant::now();
        self.submit
            .send(Pending { request_id: request_id.clone(), event })
            .await
            .map_err(|_| "the Runtime API stopped".to_string())?;
        let mut answers = self.answers.lock().await;
        let answer = tokio::time::timeout(timeout, answers.recv())
            .await
            .map_err(|_| format!("no answer within {timeout:?}"))?
            .ok_or("the Runtime API stopped")?;
        if answer.request_id != request_id {
            return Err(format!("answer for {} while waiting for {request_id}", answer.request_id));
        }
        Ok((answer.at.duration_since(started), answer))
    }
}

fn reply(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r
}

async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let path = req.uri().path().to_string();
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return Ok(reply(StatusCode::NOT_FOUND, "unknown path"));
    };
    let segments: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    let method = req.method().clone();
    match (method, segments.as_slice()) {
        (Method::GET, ["invocation", "next"]) => {
            let now = Instant::now();
            shared.first_next.send_if_modified(|first| first.is_none() && first.replace(now).is_none());
            let pending = shared.queue.lock().await.recv().await;
            let Some(p) = pending else { return Ok(reply(StatusCode::GONE, "shutting down")) };
            let deadline = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default() + Duration::from_secs(30);
            let mut r = reply(StatusCode::OK, p.event);
            let h = r.headers_mut();
            let header = |v: String| hyper::header::HeaderValue::from_str(&v).expect("ASCII header");
            h.insert("lambda-runtime-aws-request-id", header(p.request_id));
            h.insert("lambda-runtime-deadline-ms", header(deadline.as_millis().to_string()));
            h.insert("lambda-runtime-invoked-function-arn", header(shared.function_arn.clone()));
            h.insert(
                "lambda-runtime-trace-id",
                header("Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0".into()),
            );
            h.insert(hyper::header::CONTENT_TYPE, header("application/json".into()));
            Ok(r)
        }
        (Method::POST, ["invocation", id, kind @ ("response" | "error")]) => {
            let id = id.to_string();
            let kind = kind.to_string();
            let body = req.into_body().collect().await?.to_bytes();
            let at = Instant::now();
            let outcome = if kind == "response" { Outcome::Response(body) } else { Outcome::Error(body) };
            let _ = shared.answers.send(Answer { request_id: id, at, outcome });
            Ok(reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#))
        }
        (Method::POST, ["init", "error"]) => {
            let body = req.into_body().collect().await?.to_bytes();
            shared.init_error.send_replace(Some(String::from_utf8_lossy(&body).into_owned()));
            Ok(reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#))
        }
        _ => Ok(reply(StatusCode::NOT_FOUND, "unknown path")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// One HTTP/1.1 exchange on a fresh connection, as a bootstrap's client makes it.
    async fn http(addr: SocketAddr, method: &str, path: &str, body: &str) -> (u16, String, String) {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).await.unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).await.unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        (status, head.to_ascii_lowercase(), body.to_string())
    }

    fn header(head: &str, name: &str) -> String {
        head.lines().find_map(|l| l.strip_prefix(&format!("{name}: "))).unwrap_or_default().trim().to_string()
    }

    /// A bootstrap's loop against the API: init ends at the first `next`, which gets
    /// the queued event with its request id, and the response posted under that id is
    /// the invocation's answer; an error post is an error.
    #[tokio::test]
    async fn a_bootstrap_polls_gets_the_event_and_answers() {
        let api = RuntimeApi::start("f").await.unwrap();
        let addr = api.addr;
        let bootstrap = tokio::spawn(async move {
            for answer in ["response", "error"] {
                let (status, head, event) = http(addr, "GET", "/2018-06-01/runtime/invocation/next", "").await;
                assert_eq!(status, 200);
                assert!(header(&head, "lambda-runtime-invoked-function-arn").ends_with(":function:f"));
                assert!(header(&head, "lambda-runtime-deadline-ms").parse::<u128>().unwrap() > 0);
                let id = header(&head, "lambda-runtime-aws-request-id");
                let path = format!("/2018-06-01/runtime/invocation/{id}/{answer}");
                assert_eq!(http(addr, "POST", &path, &format!("echo {event}")).await.0, 202);
            }
        });
        let before = Instant::now();
        let ready = api.ready(Duration::from_secs(5)).await.unwrap();
        assert!(ready >= before);
        let (took, answer) = api.invoke(Bytes::from_static(b"{\"n\":1}"), Duration::from_secs(5)).await.unwrap();
        assert!(took > Duration::ZERO);
        assert!(matches!(answer.outcome, Outcome::Response(ref b) if b.as_ref() == b"echo {\"n\":1}"), "{answer:?}");
        let (_, answer) = api.invoke(Bytes::from_static(b"{}"), Duration::from_secs(5)).await.unwrap();
        assert!(matches!(answer.outcome, Outcome::Error(_)), "{answer:?}");
        bootstrap.await.unwrap();
        // The first `next` is the end of init, however many follow.
        assert_eq!(api.ready(Duration::from_secs(1)).await.unwrap(), ready);
    }

    #[tokio::test]
    async fn an_init_error_or_silence_is_not_ready() {
        let api = RuntimeApi::start("f").await.unwrap();
        assert!(api.ready(Duration::from_millis(50)).await.unwrap_err().contains("no request for work"));
        assert_eq!(
            http(api.addr, "POST", "/2018-06-01/runtime/init/error", "{\"errorMessage\":\"no key\"}").await.0,
            202
        );
        let e = api.ready(Duration::from_secs(1)).await.unwrap_err();
        assert!(e.contains("init error") && e.contains("no key"), "{e}");
        assert_eq!(http(api.addr, "GET", "/2018-06-01/runtime/nope", "").await.0, 404);
    }
}
