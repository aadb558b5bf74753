//! The gateway against real WebSocket clients, raw HTTP and the AWS SDK's management
//! client, with a recording `Invoke` standing in for the functions.

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use ws_gateway::{Gateway, Route, Routes, Settings, invoke_fn};

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;
type Answer = dyn Fn(&str, &Value) -> Result<Value, String> + Send + Sync;

const WAIT: Duration = Duration::from_secs(5);

/// Every invocation, in order.
#[derive(Default)]
struct Log {
    calls: Mutex<Vec<(String, Value)>>,
    changed: Notify,
}

impl Log {
    fn calls(&self) -> Vec<(String, Value)> {
        self.calls.lock().unwrap().clone()
    }

    fn of(&self, function: &str) -> Vec<Value> {
        self.calls().into_iter().filter(|(f, _)| f == function).map(|(_, e)| e).collect()
    }

    /// The first invocation of `function` matching `pred`, waiting for it.
    async fn wait_for(&self, function: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let found = tokio::time::timeout(WAIT, async {
            loop {
                let changed = self.changed.notified();
                if let Some(e) = self.of(function).into_iter().find(|e| pred(e)) {
                    return e;
                }
                changed.await;
            }
        })
        .await;
        found.unwrap_or_else(|_| panic!("no invocation of {function} arrived; got {:#?}", self.calls()))
    }
}

struct Harness {
    gateway: Gateway,
    log: Arc<Log>,
}

impl Harness {
    async fn start(
        routes: &[(&str, &str, bool)],
        answer: impl Fn(&str, &Value) -> Result<Value, String> + Send + Sync + 'static,
    ) -> Harness {
        Harness::with_settings(Settings::new("testapi", "dev", "us-east-1"), routes, Arc::new(answer)).await
    }

    async fn with_settings(settings: Settings, routes: &[(&str, &str, bool)], answer: Arc<Answer>) -> Harness {
        let log = Arc::new(Log::default());
        let recorder = log.clone();
        let invoker = invoke_fn(move |function: String, event: Value| {
            let (log, answer) = (recorder.clone(), answer.clone());
            async move {
                let result = answer(&function, &event);
                log.calls.lock().unwrap().push((function, event));
                log.changed.notify_waiters();
                result
            }
        });
        let routes = Routes {
            selection_expression: "$request.body.action".into(),
            routes: routes
                .iter()
                .map(|(key, function, two_way)| {
                    (key.to_string(), Route { function: function.to_string(), two_way: *two_way })
                })
                .collect(),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gateway = Gateway::start(listener, settings, routes, invoker).await.unwrap();
        Harness { gateway, log }
    }

    async fn connect(&self) -> Client {
        tokio_tungstenite::connect_async(self.gateway.ws_url()).await.expect("the handshake succeeds").0
    }

    /// A client and its connection id.
    async fn connected(&self) -> (Client, String) {
        let before = self.gateway.open_connections().await;
        let client = self.connect().await;
        let id = self.gateway.open_connections().await.into_iter().find(|c| !before.contains(c)).expect("registered");
        (client, id)
    }

    fn addr(&self) -> SocketAddr {
        self.gateway.local_addr()
    }
}

fn ok(body: &str) -> Result<Value, String> {
    Ok(json!({"statusCode": 200, "body": body}))
}

const CHAT: &[(&str, &str, bool)] = &[
    ("$connect", "ws-connect", false),
    ("$disconnect", "ws-disconnect", false),
    ("$default", "ws-default", true),
    ("send_message", "ws-send-message", true),
    ("typing", "ws-typing", false),
];

/// Answers as the chat functions might: send_message echoes, $default says so.
fn chat_answers(function: &str, event: &Value) -> Result<Value, String> {
    match function {
        "ws-send-message" => ok(&format!("sent:{}", event["body"].as_str().unwrap_or_default())),
        "ws-default" => ok("default"),
        "ws-typing" => ok("never sent: typing is one-way"),
        _ => Ok(json!({"statusCode": 200})),
    }
}

async fn next_text(client: &mut Client) -> String {
    loop {
        match tokio::time::timeout(WAIT, client.next()).await.expect("a frame in time") {
            Some(Ok(Message::Text(t))) => return t.as_str().to_string(),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

/// Reads until the server's close frame; its code.
async fn close_code(client: &mut Client) -> CloseCode {
    loop {
        match tokio::time::timeout(WAIT, client.next()).await.expect("a close in time") {
            Some(Ok(Message::Close(Some(CloseFrame { code, .. })))) => return code,
            Some(Ok(Message::Close(None))) => panic!("a close frame without a code"),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

/// One HTTP/1.1 request on its own connection: status, headers (lower-cased), body.
async fn http(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> (u16, Vec<(String, String)>, String) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nAuthorization: AWS4-HMAC-SHA256 \
         Credential=x/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=00\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(body).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(WAIT, s.read_to_end(&mut raw)).await.unwrap().unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn typed(event: &Value) -> ApiGatewayWebsocketProxyRequest {
    serde_json::from_value(event.clone()).expect("the event deserialises as aws_lambda_events reads it")
}

#[tokio::test]
async fn the_connect_event_is_what_api_gateway_sends() {
    let h = Harness::start(CHAT, chat_answers).await;
    let mut request = format!("{}?token=a%2Bb&x=1&x=2", h.gateway.ws_url()).into_client_request().unwrap();
    request.headers_mut().insert("user-agent", "test-client/1.0".parse().unwrap());
    let (_client, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(response.status(), 101);
    let [event] = h.log.of("ws-connect").try_into().unwrap();
    let ctx = &event["requestContext"];
    let id = h.gateway.open_connections().await.pop().unwrap();
    assert_eq!(ctx["connectionId"], id.as_str());
    assert_eq!((id.len(), id.ends_with('=')), (16, true));
    for (field, value) in [
        ("routeKey", "$connect"),
        ("eventType", "CONNECT"),
        ("messageDirection", "IN"),
        ("stage", "dev"),
        ("apiId", "testapi"),
    ] {
        assert_eq!(ctx[field], value, "{field}");
    }
    assert_eq!(ctx["domainName"], h.addr().to_string());
    assert_eq!(ctx["identity"], json!({"sourceIp": "127.0.0.1", "userAgent": "test-client/1.0"}));
    assert!(ctx["connectedAt"].as_i64().unwrap() > 1_700_000_000_000);
    assert_eq!(ctx["connectedAt"], ctx["requestTimeEpoch"]);
    assert!(ctx["requestTime"].as_str().unwrap().ends_with(" +0000"));
    assert_eq!(ctx["requestId"], ctx["extendedRequestId"]);
    assert_eq!(event["isBase64Encoded"], false);
    assert_eq!(event["queryStringParameters"], json!({"token": "a+b", "x": "2"}));
    assert_eq!(event["multiValueQueryStringParameters"], json!({"token": ["a+b"], "x": ["1", "2"]}));
    assert_eq!(event["headers"]["Sec-WebSocket-Version"], "13");
    assert_eq!(event["headers"]["User-Agent"], "test-client/1.0");
    assert_eq!(event["headers"]["X-Forwarded-For"], "127.0.0.1");
    assert_eq!(event["multiValueHeaders"]["Host"], json!([h.addr().to_string()]));
    let typed = typed(&event);
    assert_eq!(typed.request_context.connection_id.as_deref(), Some(id.as_str()));
    assert_eq!(typed.request_context.event_type.as_deref(), Some("CONNECT"));
    assert_eq!(typed.query_string_parameters.first("token"), Some("a+b"));
    assert_eq!(typed.headers.get("sec-websocket-version").unwrap(), "13");
}

#[tokio::test]
async fn a_refused_connect_answers_the_handshake_with_the_functions_status() {
    let h =
        Harness::start(CHAT, |function, event| match (function, event["queryStringParameters"]["token"].as_str()) {
            ("ws-connect", Some("good")) => Ok(json!({"statusCode": 200})),
            ("ws-connect", Some("boom")) => Err("the function panicked".into()),
            ("ws-connect", Some("odd")) => Ok(json!({"no": "statusCode"})),
            ("ws-connect", _) => Ok(json!({"statusCode": 401, "body": "{\"message\":\"no token\"}"})),
            _ => Ok(json!({"statusCode": 200})),
        })
        .await;
    match tokio_tungstenite::connect_async(h.gateway.ws_url()).await {
        Err(WsError::Http(response)) => {
            assert_eq!(response.status(), 401);
            assert_eq!(response.body().as_deref(), Some(br#"{"message":"no token"}"#.as_slice()));
        }
        other => panic!("expected a refused handshake, got {:?}", other.map(|(_, r)| r)),
    }
    for (token, status) in [("boom", 500), ("odd", 500)] {
        match tokio_tungstenite::connect_async(format!("{}?token={token}", h.gateway.ws_url())).await {
            Err(WsError::Http(response)) => assert_eq!(response.status(), status, "{token}"),
            other => panic!("expected {status}, got {:?}", other.map(|(_, r)| r)),
        }
    }
    assert!(h.gateway.open_connections().await.is_empty());
    assert!(h.log.of("ws-disconnect").is_empty(), "a refused connection never connected");
    tokio_tungstenite::connect_async(format!("{}/?token=good", h.gateway.ws_url()))
        .await
        .expect("a trailing / is fine");
    // Without a $connect route everyone is let in.
    let open = Harness::start(&[("$default", "ws-default", true)], chat_answers).await;
    open.connect().await;
    assert_eq!(open.gateway.open_connections().await.len(), 1);
}

#[tokio::test]
async fn the_functions_subprotocol_is_echoed() {
    let h = Harness::start(CHAT, |function, event| match function {
        "ws-connect" => {
            let offered = event["headers"]["Sec-WebSocket-Protocol"].as_str().unwrap_or_default();
            assert_eq!(offered, "bearer.abc, chat");
            Ok(json!({"statusCode": 200, "headers": {"Sec-WebSocket-Protocol": "chat"}}))
        }
        _ => Ok(json!({"statusCode": 200})),
    })
    .await;
    let mut request = h.gateway.ws_url().into_client_request().unwrap();
    request.headers_mut().insert("sec-websocket-protocol", "bearer.abc, chat".parse().unwrap());
    let (_client, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(response.headers()["sec-websocket-protocol"], "chat");
}

#[tokio::test]
async fn messages_go_to_their_route_in_order_and_two_way_routes_answer() {
    let h = Harness::start(CHAT, chat_answers).await;
    let (mut client, id) = h.connected().await;
    // One-way first: its answer is not sent, so the next frame is send_message's.
    client.send(Message::text(r#"{"action":"typing"}"#)).await.unwrap();
    client.send(Message::text(r#"{"action":"send_message","text":"hi"}"#)).await.unwrap();
    assert_eq!(next_text(&mut client).await, r#"sent:{"action":"send_message","text":"hi"}"#);
    for body in ["not json", r#"{"action":"nope"}"#, r#"{"action":7}"#, r#"{"other":"send_message"}"#] {
        client.send(Message::text(body)).await.unwrap();
        assert_eq!(next_text(&mut client).await, "default", "{body}");
    }
    for n in 0..5 {
        client.send(Message::text(format!(r#"{{"action":"send_message","n":{n}}}"#))).await.unwrap();
    }
    for n in 0..5 {
        assert_eq!(next_text(&mut client).await, format!(r#"sent:{{"action":"send_message","n":{n}}}"#));
    }
    let routes: Vec<String> = h
        .log
        .calls()
        .iter()
        .skip(1)
        .map(|(_, e)| e["requestContext"]["routeKey"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(routes[..2], ["typing", "send_message"]);
    let event = &h.log.of("ws-send-message")[0];
    let ctx = &event["requestContext"];
    assert_eq!((ctx["eventType"].as_str(), ctx["connectionId"].as_str()), (Some("MESSAGE"), Some(id.as_str())));
    assert_eq!(ctx["connectedAt"], h.log.of("ws-connect")[0]["requestContext"]["connectedAt"]);
    assert_ne!(ctx["messageId"], h.log.of("ws-send-message")[1]["requestContext"]["messageId"]);
    assert_eq!(event["body"], r#"{"action":"send_message","text":"hi"}"#);
    let typed = typed(event);
    assert_eq!(typed.request_context.route_key.as_deref(), Some("send_message"));
    assert!(typed.request_context.message_id.is_some());
}

#[tokio::test]
async fn unroutable_messages_are_forbidden_and_failures_are_internal_errors() {
    let routes = [("send_message", "ws-send-message", true), ("typing", "ws-typing", false)];
    let h = Harness::start(&routes, |function, _| match function {
        "ws-typing" => Err("crashed".into()),
        _ => Ok(json!({"body": "no status code"})),
    })
    .await;
    let (mut client, id) = h.connected().await;
    client.send(Message::text(r#"{"action":"nope"}"#)).await.unwrap();
    let forbidden: Value = serde_json::from_str(&next_text(&mut client).await).unwrap();
    assert_eq!(
        (forbidden["message"].as_str(), forbidden["connectionId"].as_str()),
        (Some("Forbidden"), Some(id.as_str()))
    );
    assert!(forbidden["requestId"].is_string());
    for body in [r#"{"action":"typing"}"#, r#"{"action":"send_message"}"#] {
        client.send(Message::text(body)).await.unwrap();
        let error: Value = serde_json::from_str(&next_text(&mut client).await).unwrap();
        assert_eq!(error["message"], "Internal server error", "{body}");
        assert_eq!(error["connectionId"], id.as_str());
    }
    let request_id = &h.log.of("ws-send-message")[0]["requestContext"]["requestId"];
    assert!(request_id.is_string());
}

#[tokio::test]
async fn the_management_api_posts_describes_and_deletes() {
    let h = Harness::start(CHAT, chat_answers).await;
    let (mut client, id) = h.connected().await;
    let encoded = id.replace('=', "%3D");
    let (status, _, _) = http(h.addr(), "POST", &format!("/dev/@connections/{encoded}"), b"{\"hello\":1}").await;
    assert_eq!(status, 200);
    assert_eq!(next_text(&mut client).await, "{\"hello\":1}");
    let (status, _, _) = http(h.addr(), "POST", &format!("/@connections/{id}"), b"without the stage").await;
    assert_eq!(status, 200);
    assert_eq!(next_text(&mut client).await, "without the stage");

    tokio::time::sleep(Duration::from_millis(5)).await;
    client.send(Message::text(r#"{"action":"typing"}"#)).await.unwrap();
    h.log.wait_for("ws-typing", |_| true).await;
    let (status, headers, body) = http(h.addr(), "GET", &format!("/dev/@connections/{id}"), b"").await;
    assert_eq!((status, header(&headers, "content-type")), (200, Some("application/json")));
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["identity"]["sourceIp"], "127.0.0.1");
    assert!(doc["connectedAt"].as_str().unwrap().ends_with('Z'));
    assert!(doc["lastActiveAt"].as_str().unwrap() > doc["connectedAt"].as_str().unwrap());

    let (status, _, _) = http(h.addr(), "DELETE", &format!("/dev/@connections/{id}"), b"").await;
    assert_eq!(status, 204);
    assert_eq!(close_code(&mut client).await, CloseCode::Normal);
    let gone = h.log.wait_for("ws-disconnect", |_| true).await;
    assert_eq!(gone["requestContext"]["connectionId"], id.as_str());
    assert_eq!(gone["requestContext"]["eventType"], "DISCONNECT");
    assert_eq!(gone["requestContext"]["disconnectStatusCode"], 1000);
    typed(&gone);
    assert!(h.gateway.open_connections().await.is_empty());

    for method in ["POST", "GET", "DELETE"] {
        let (status, headers, body) = http(h.addr(), method, &format!("/dev/@connections/{id}"), b"x").await;
        assert_eq!((status, header(&headers, "x-amzn-errortype")), (410, Some("GoneException")), "{method}");
        assert!(serde_json::from_str::<Value>(&body).unwrap()["message"].is_string());
    }
    let (status, _, body) = http(h.addr(), "GET", "/dev/elsewhere", b"").await;
    assert_eq!(status, 404);
    assert!(serde_json::from_str::<Value>(&body).unwrap()["message"].is_string());
    let (status, _, _) = http(h.addr(), "GET", "/dev", b"").await;
    assert_eq!(status, 426, "the stage without an upgrade");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(h.log.of("ws-disconnect").len(), 1, "$disconnect runs once");
}

#[tokio::test]
async fn a_connect_handler_cannot_post_to_its_own_connection() {
    let addr: Arc<OnceLock<SocketAddr>> = Arc::default();
    let seen: Arc<Mutex<Option<u16>>> = Arc::default();
    let (addr2, seen2) = (addr.clone(), seen.clone());
    let invoker = invoke_fn(move |function: String, event: Value| {
        let (addr, seen) = (addr2.clone(), seen2.clone());
        async move {
            if function == "ws-connect" {
                let id = event["requestContext"]["connectionId"].as_str().unwrap().to_string();
                let path = format!("/dev/@connections/{id}");
                let (status, _, _) = http(*addr.get().unwrap(), "POST", &path, b"early").await;
                *seen.lock().unwrap() = Some(status);
            }
            Ok(json!({"statusCode": 200}))
        }
    });
    let routes = Routes {
        selection_expression: "$request.body.action".into(),
        routes: [("$connect".to_string(), Route { function: "ws-connect".into(), two_way: false })].into(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gateway =
        Gateway::start(listener, Settings::new("testapi", "dev", "us-east-1"), routes, invoker).await.unwrap();
    addr.set(gateway.local_addr()).unwrap();
    tokio_tungstenite::connect_async(gateway.ws_url()).await.expect("connected after $connect returned");
    assert_eq!(*seen.lock().unwrap(), Some(410));
    assert_eq!(gateway.open_connections().await.len(), 1);
}

#[tokio::test]
async fn closing_either_way_fires_disconnect_once() {
    let h = Harness::start(CHAT, chat_answers).await;
    let (mut client, id) = h.connected().await;
    client.close(Some(CloseFrame { code: CloseCode::Away, reason: "bye".into() })).await.unwrap();
    let event = h.log.wait_for("ws-disconnect", |e| e["requestContext"]["connectionId"] == id.as_str()).await;
    assert_eq!(event["requestContext"]["disconnectStatusCode"], 1001);
    assert_eq!(event["requestContext"]["disconnectReason"], "bye");
    let typed = typed(&event);
    assert_eq!(typed.request_context.disconnect_status_code, Some(1001));

    // A dropped socket, without a close frame.
    let (client, id) = h.connected().await;
    drop(client);
    let event = h.log.wait_for("ws-disconnect", |e| e["requestContext"]["connectionId"] == id.as_str()).await;
    assert_eq!(event["requestContext"]["disconnectStatusCode"], 1006);
    assert!(h.gateway.open_connections().await.is_empty());
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(h.log.of("ws-disconnect").len(), 2);
}

#[tokio::test]
async fn oversize_and_binary_frames_close_the_connection() {
    let h = Harness::start(CHAT, chat_answers).await;
    let (mut client, id) = h.connected().await;
    let at_limit = format!(r#"{{"action":"send_message","pad":"{}"}}"#, "x".repeat(ws_gateway::FRAME_LIMIT - 40));
    assert!(at_limit.len() <= ws_gateway::FRAME_LIMIT);
    client.send(Message::text(at_limit.clone())).await.unwrap();
    assert_eq!(next_text(&mut client).await, format!("sent:{at_limit}"));
    client.send(Message::text("x".repeat(ws_gateway::FRAME_LIMIT + 1))).await.unwrap();
    assert_eq!(close_code(&mut client).await, CloseCode::Size);
    let event = h.log.wait_for("ws-disconnect", |e| e["requestContext"]["connectionId"] == id.as_str()).await;
    assert_eq!(event["requestContext"]["disconnectStatusCode"], 1009);

    let (mut client, _) = h.connected().await;
    client.send(Message::binary(vec![1u8, 2, 3])).await.unwrap();
    assert_eq!(close_code(&mut client).await, CloseCode::Unsupported);
}

#[tokio::test]
async fn idle_connections_are_closed_and_activity_keeps_them_open() {
    let settings =
        Settings { idle_timeout: Duration::from_millis(800), ..Settings::new("testapi", "dev", "us-east-1") };
    let h = Harness::with_settings(settings, CHAT, Arc::new(chat_answers)).await;
    let (mut client, id) = h.connected().await;
    // Two idle timeouts' worth of time, with a message every quarter of one.
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        client.send(Message::text(r#"{"action":"typing"}"#)).await.unwrap();
    }
    assert_eq!(h.gateway.open_connections().await, vec![id]);
    assert_eq!(close_code(&mut client).await, CloseCode::Away);
    let event = h.log.wait_for("ws-disconnect", |_| true).await;
    assert_eq!(event["requestContext"]["disconnectStatusCode"], 1001);

    let settings =
        Settings { max_lifetime: Duration::from_millis(300), ..Settings::new("testapi", "dev", "us-east-1") };
    let h = Harness::with_settings(settings, CHAT, Arc::new(chat_answers)).await;
    let (mut client, _) = h.connected().await;
    assert_eq!(close_code(&mut client).await, CloseCode::Away);
}

#[tokio::test]
async fn shutdown_closes_every_connection_and_fires_disconnect() {
    let h = Harness::start(CHAT, chat_answers).await;
    let (mut a, _) = h.connected().await;
    let (mut b, _) = h.connected().await;
    let log = h.log.clone();
    h.gateway.shutdown().await;
    assert_eq!(close_code(&mut a).await, CloseCode::Away);
    assert_eq!(close_code(&mut b).await, CloseCode::Away);
    assert_eq!(log.of("ws-disconnect").len(), 2);
}

#[tokio::test]
async fn the_aws_sdk_posts_through_management_url_and_sees_gone_after_close() {
    use aws_sdk_apigatewaymanagement::config::{BehaviorVersion, Credentials, Region};
    use aws_sdk_apigatewaymanagement::primitives::Blob;
    let h = Harness::start(CHAT, chat_answers).await;
    let config = aws_sdk_apigatewaymanagement::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("local", "local-secret", None, None, "test"))
        .endpoint_url(h.gateway.management_url())
        .build();
    let sdk = aws_sdk_apigatewaymanagement::Client::from_conf(config);
    let (mut client, id) = h.connected().await;

    sdk.post_to_connection().connection_id(&id).data(Blob::new("from the sdk")).send().await.expect("delivered");
    assert_eq!(next_text(&mut client).await, "from the sdk");
    let described = sdk.get_connection().connection_id(&id).send().await.expect("described");
    assert_eq!(described.identity().and_then(|i| i.source_ip()), Some("127.0.0.1"));
    assert!(described.connected_at().is_some() && described.last_active_at().is_some());

    client.close(None).await.unwrap();
    h.log.wait_for("ws-disconnect", |_| true).await;
    let err = sdk.post_to_connection().connection_id(&id).data(Blob::new("late")).send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_gone_exception()), "{err:?}");
    let err = sdk.delete_connection().connection_id(&id).send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_gone_exception()), "{err:?}");
}

/// Closing every connection (a restart behind the gateway) ends each open socket with
/// the code given, invokes `$disconnect` for each, and leaves the gateway accepting.
#[tokio::test]
async fn closing_every_connection_keeps_the_gateway_open() {
    let h = Harness::start(CHAT, chat_answers).await;
    let (mut a, id_a) = h.connected().await;
    let (mut b, id_b) = h.connected().await;
    h.gateway.close_all(1012, "Service Restart");
    assert_eq!(close_code(&mut a).await, CloseCode::Restart);
    assert_eq!(close_code(&mut b).await, CloseCode::Restart);
    for id in [&id_a, &id_b] {
        h.log.wait_for("ws-disconnect", |e| e["requestContext"]["connectionId"] == id.as_str()).await;
    }
    let (mut c, id_c) = h.connected().await;
    assert_eq!(h.gateway.open_connections().await, vec![id_c]);
    c.send(Message::text(r#"{"action":"send_message","text":"back"}"#)).await.unwrap();
    assert!(next_text(&mut c).await.starts_with("sent:"));
}
