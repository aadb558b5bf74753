//! The chat's world in one process: the booking table and the chat table on DynamoDB
//! Local, the WebSocket API played by `ws-gateway` on loopback with the routes
//! template.yaml declares (each route's real handler invoked with the real event
//! payload), the management API reached by the real SDK, and the chat table's real
//! stream read from DynamoDB Local and handed to `deliver-chat` as Lambda would.

use crate::aws::{TestEnv, app, create_table, sdk_config};
use crate::template;
use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use cm_core::ManualClock;
use cm_realtime::{Push, Realtime};
use cm_store::DynamoStore;
use cm_store::chat::ChatStore;
use futures::{SinkExt, StreamExt};
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use ws_gateway::{Gateway, Routes, Settings};

/// The WebSocket API's routes as the template declares them, derived exactly as the
/// local stack derives them (`local_stack::websocket::from_template`: one reading of
/// the template for both).
pub fn routes_from_template() -> Routes {
    let path = template::repo_root().join("template.yaml");
    let t = local_stack::template::Template::load(&path, "us-east-1").expect("template.yaml loads");
    local_stack::websocket::from_template(&t).expect("the WebSocket API resolves").expect("a WebSocket API").routes
}

/// One test's chat world.
pub struct ChatWorld {
    pub env: TestEnv,
    pub rt: &'static Realtime,
    /// A media bucket of the test's own in moto: deliver-chat links to attachments in it
    /// and deletes forgotten drafts from it.
    pub media: &'static cm_runtime::MediaBucket,
    pub clock: Arc<ManualClock>,
    pub gateway: Gateway,
    pub chat_table: String,
    stream: tokio::task::JoinHandle<()>,
}

impl Drop for ChatWorld {
    fn drop(&mut self) {
        self.stream.abort();
    }
}

async fn invoke(rt: &'static Realtime, function: String, event: Value) -> Result<Value, String> {
    let payload: ApiGatewayWebsocketProxyRequest =
        serde_json::from_value(event).map_err(|e| format!("not a WebSocket event: {e}"))?;
    let e = LambdaEvent::new(payload, Context::default());
    let answer = match function.as_str() {
        "ws-connect" => ws_connect::handle(rt, e).await,
        "ws-disconnect" => ws_disconnect::handle(rt, e).await,
        "ws-default" => ws_default::handle(rt, e).await,
        "ws-send-message" => ws_send_message::handle(rt, e).await,
        "ws-typing" => ws_typing::handle(rt, e).await,
        "ws-mark-read" => ws_mark_read::handle(rt, e).await,
        "ws-ping" => ws_ping::handle(rt, e).await,
        other => return Err(format!("no function {other}")),
    };
    answer.map_err(|e| e.to_string()).and_then(|r| serde_json::to_value(r).map_err(|e| e.to_string()))
}

pub async fn world() -> ChatWorld {
    world_at(chrono::Utc::now()).await
}

/// A chat world whose functions read the time from a manual clock set to `now`.
pub async fn world_at(now: chrono::DateTime<chrono::Utc>) -> ChatWorld {
    let env = crate::env().await;
    let chat_table = format!("chat-{}", ulid::Ulid::new().to_string().to_lowercase());
    create_table(&env.dynamo, &chat_table, "ChatTable").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let port = listener.local_addr().expect("addr").port();
    let stage = "test";
    let clock = Arc::new(ManualClock::new(now));
    let sdk = sdk_config().await;
    let rt: &'static Realtime = Box::leak(Box::new(Realtime {
        app: app(DynamoStore::new(env.dynamo.clone(), &env.table)).with_clock(clock.clone()),
        chat: ChatStore::new(env.dynamo.clone(), &chat_table),
        push: Push::new(&sdk, Some(&format!("http://127.0.0.1:{port}/{stage}"))),
    }));
    let invoker = ws_gateway::invoke_fn(move |function, event| invoke(rt, function, event));
    let gateway =
        Gateway::start(listener, Settings::new("testapi", stage, "us-east-1"), routes_from_template(), invoker)
            .await
            .expect("the gateway starts");
    let media = crate::media::fresh_bucket().await;
    let stream = deliver_from_stream(env.dynamo.clone(), chat_table.clone(), rt, media).await;
    ChatWorld { env, rt, media, clock, gateway, chat_table, stream }
}

/// What Lambda's event source mapping does for `deliver-chat`: reads the chat table's
/// stream and hands each batch to the function, in order. The table is this test's
/// own, created empty just before, so reading from its start is reading from now on.
///
/// Each poll asks for a fresh iterator after the last record handled: DynamoDB Local
/// numbers records across all its tables, and an iterator it handed out while other
/// tests wrote elsewhere can land before the shard's first record, which it then
/// refuses (TrimmedDataAccessException).
async fn deliver_from_stream(
    dynamo: aws_sdk_dynamodb::Client,
    table: String,
    rt: &'static Realtime,
    media: &'static cm_runtime::MediaBucket,
) -> tokio::task::JoinHandle<()> {
    use aws_sdk_dynamodbstreams::types::ShardIteratorType;
    let sdk = sdk_config().await;
    let streams = aws_sdk_dynamodbstreams::Client::new(&sdk);
    let arn = dynamo
        .describe_table()
        .table_name(&table)
        .send()
        .await
        .ok()
        .and_then(|d| d.table?.latest_stream_arn)
        .expect("the chat table has a stream");
    tokio::spawn(async move {
        // Shard → the sequence number of the last record handed to the function.
        let mut done: BTreeMap<String, Option<String>> = BTreeMap::new();
        loop {
            if let Ok(d) = streams.describe_stream().stream_arn(&arn).send().await {
                for shard in d.stream_description.and_then(|s| s.shards).unwrap_or_default() {
                    if let Some(id) = shard.shard_id {
                        done.entry(id).or_insert(None);
                    }
                }
            }
            let mut any = false;
            for (shard, last) in done.iter_mut() {
                let it = streams.get_shard_iterator().stream_arn(&arn).shard_id(shard);
                let it = match last {
                    Some(seq) => {
                        it.shard_iterator_type(ShardIteratorType::AfterSequenceNumber).sequence_number(seq.clone())
                    }
                    None => it.shard_iterator_type(ShardIteratorType::TrimHorizon),
                };
                let Some(iterator) = it.send().await.ok().and_then(|o| o.shard_iterator) else { continue };
                let Ok(out) = streams.get_records().shard_iterator(iterator).limit(1000).send().await else { continue };
                let raw = out.records.unwrap_or_default();
                if let Some(seq) = raw.last().and_then(|r| r.dynamodb.as_ref()?.sequence_number.clone()) {
                    *last = Some(seq);
                }
                let records: Vec<Value> = raw.iter().filter_map(lambda_record).collect();
                if records.is_empty() {
                    continue;
                }
                any = true;
                let event = crate::stream::event(records);
                let answer = deliver_chat::handle(rt, media, LambdaEvent::new(event, Context::default())).await;
                assert!(
                    answer.as_ref().is_ok_and(|r| r.batch_item_failures.is_empty()),
                    "deliver-chat failed: {answer:?}"
                );
            }
            if !any {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    })
}

fn image(m: &std::collections::HashMap<String, aws_sdk_dynamodbstreams::types::AttributeValue>) -> Value {
    let item: serde_dynamo::Item = m.clone().into();
    serde_json::to_value(item).expect("an image as DynamoDB JSON")
}

fn lambda_record(r: &aws_sdk_dynamodbstreams::types::Record) -> Option<Value> {
    let d = r.dynamodb.as_ref()?;
    let mut record = crate::stream::record(
        r.event_name.as_ref()?.as_str(),
        d.old_image.as_ref().map(image).as_ref(),
        d.new_image.as_ref().map(image).as_ref(),
    );
    record["dynamodb"]["SequenceNumber"] = json!(d.sequence_number.clone()?);
    Some(record)
}

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A browser-like client: the token as the second subprotocol.
pub async fn connect(w: &ChatWorld, token: &str) -> Result<Socket, u16> {
    let mut req = w.gateway.ws_url().into_client_request().expect("a request");
    req.headers_mut().insert("sec-websocket-protocol", format!("capture-moments, {token}").parse().expect("header"));
    match tokio_tungstenite::connect_async(req).await {
        Ok((socket, response)) => {
            assert_eq!(
                response.headers().get("sec-websocket-protocol").and_then(|v| v.to_str().ok()),
                Some("capture-moments"),
                "browsers need the subprotocol echoed"
            );
            Ok(socket)
        }
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => Err(r.status().as_u16()),
        Err(e) => panic!("connect: {e}"),
    }
}

pub async fn send(s: &mut Socket, frame: Value) {
    s.send(WsMessage::text(frame.to_string())).await.expect("send a frame");
}

pub async fn send_text(s: &mut Socket, text: &str) {
    s.send(WsMessage::text(text.to_string())).await.expect("send a frame");
}

/// The next text frame, or `None` if none comes within `wait`.
pub async fn next_within(s: &mut Socket, wait: Duration) -> Option<Value> {
    loop {
        match tokio::time::timeout(wait, s.next()).await {
            Ok(Some(Ok(WsMessage::Text(t)))) => return Some(serde_json::from_str(&t).expect("frames are JSON")),
            Ok(Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_)))) => continue,
            Ok(Some(Ok(other))) => panic!("unexpected frame {other:?}"),
            Ok(Some(Err(e))) => panic!("socket error: {e}"),
            Ok(None) | Err(_) => return None,
        }
    }
}

/// How long a test waits for a frame it expects: a bound on liveness, not a timing
/// requirement (a loaded CI machine runs DynamoDB Local, the stream poll and the
/// handlers on two cores).
pub const EXPECTED_WITHIN: Duration = Duration::from_secs(20);

/// The next frame; fails the test if none comes within [`EXPECTED_WITHIN`].
pub async fn next(s: &mut Socket) -> Value {
    next_within(s, EXPECTED_WITHIN).await.expect("an expected frame never came")
}

/// Frames until one of `kind` arrives (others are returned too, in order).
pub async fn until(s: &mut Socket, kind: &str) -> (Value, Vec<Value>) {
    let mut before = Vec::new();
    loop {
        let f = next(s).await;
        if f["type"] == kind {
            return (f, before);
        }
        before.push(f);
    }
}
