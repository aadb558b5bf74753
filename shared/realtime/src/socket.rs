//! What API Gateway hands a WebSocket route function, and what it takes back. A route
//! function answers `{statusCode, body}`: on `$connect` a non-2xx status refuses the
//! handshake; on two-way routes the body goes back to the caller as one frame.

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use aws_lambda_events::encodings::Body;
use cm_app::App;
use cm_chat::{ErrorFrame, Outbound};
use cm_runtime::{ConfigError, Env, app_from_env, env_var};
use cm_store::DynamoStore;
use cm_store::chat::ChatStore;

pub type WsEvent = ApiGatewayWebsocketProxyRequest;
pub type WsResponse = ApiGatewayProxyResponse;

/// Everything a WebSocket function works with: the booking table's App (clock, token
/// keys), the chat table, and the push client.
pub struct Realtime {
    pub app: App<DynamoStore>,
    pub chat: ChatStore,
    pub push: crate::Push,
}

impl Realtime {
    /// `TABLE_NAME`, `CHAT_TABLE_NAME`, the token keys when given, and `WEBSOCKET_ENDPOINT`
    /// (unless the environment names the management API's endpoint itself).
    pub async fn from_env(env: &Env) -> Result<Realtime, ConfigError> {
        let app = app_from_env(env).await?;
        let chat = env.chat_store()?;
        let endpoint = match env_var("AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI") {
            Some(_) => None,
            None => env_var("WEBSOCKET_ENDPOINT"),
        };
        Ok(Realtime { app, chat, push: crate::Push::new(&env.sdk, endpoint.as_deref()) })
    }
}

/// The connection an event came from. API Gateway always sets it; an event without
/// one did not come from API Gateway.
pub fn connection_id(event: &WsEvent) -> Option<&str> {
    event.request_context.connection_id.as_deref().filter(|c| !c.is_empty())
}

pub fn body(event: &WsEvent) -> &str {
    event.body.as_deref().unwrap_or("")
}

fn response(status: i64, body: Option<String>) -> WsResponse {
    let mut r = WsResponse::default();
    r.status_code = status;
    r.body = body.map(Body::Text);
    r
}

/// Accepted; nothing sent back.
pub fn ok() -> WsResponse {
    response(200, None)
}

/// Accepted, with a frame for the caller (two-way routes).
pub fn reply(frame: &Outbound) -> WsResponse {
    response(200, Some(frame.to_text()))
}

/// Refused with an error frame for the caller. The status stays 200: on a two-way route
/// API Gateway relays the body either way, and the frame carries the real status.
pub fn refuse(error: ErrorFrame) -> WsResponse {
    reply(&Outbound::Error(error))
}

/// A `$connect` answer that refuses the handshake with `status`.
pub fn refuse_handshake(status: i64, detail: &str) -> WsResponse {
    let mut r = response(status, Some(serde_json::json!({ "message": detail }).to_string()));
    r.headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    r
}

/// The store failed: logged, and the caller told to try again.
pub fn unavailable(e: &cm_store::StoreError) -> cm_chat::ErrorFrame {
    tracing::error!(error = %e, "chat store");
    cm_chat::ErrorFrame::unavailable()
}

/// The live connection an event came from. A connection past its lifetime, or one whose
/// `$disconnect` was handled, is refused: the client reconnects.
pub async fn connection(rt: &Realtime, event: &WsEvent) -> Result<cm_store::chat::Connection, ErrorFrame> {
    use cm_store::chat::Connections;
    let Some(id) = connection_id(event) else { return Err(ErrorFrame::bad_frame("no connection")) };
    match rt.chat.connection(id, rt.app.now()).await {
        Ok(Some(c)) => Ok(c),
        Ok(None) => Err(ErrorFrame::unauthorized("this connection has ended; connect again")),
        Err(e) => Err(unavailable(&e)),
    }
}

/// The room of `booking`, for a caller with at least `need` access. A booking the caller
/// may not see answers 404, as over HTTP: its existence is not revealed.
pub async fn room_for(
    rt: &Realtime,
    conn: &cm_store::chat::Connection,
    booking: cm_core::BookingId,
    need: cm_chat::Access,
) -> Result<cm_chat::Room, ErrorFrame> {
    use cm_chat::Access;
    use cm_store::BookingReader;
    let b = match rt.app.store.get_booking(booking).await {
        Ok(Some(b)) => b,
        Ok(None) => return Err(ErrorFrame::not_found("no such booking")),
        Err(e) => return Err(unavailable(&e)),
    };
    let room = cm_chat::Room { booking_id: b.id, client: b.client_id, photographer: b.photographer_id };
    match (room.access(conn.user_id, conn.admin), need) {
        (Access::Participant, _) | (Access::Reader, Access::Reader) => Ok(room),
        (Access::Reader, _) => Err(ErrorFrame::forbidden("admins may read a booking's chat but not take part in it")),
        (Access::None, _) => Err(ErrorFrame::not_found("no such booking")),
    }
}
