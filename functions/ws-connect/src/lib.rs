//! WebSocket `$connect`: the handshake succeeds only with a valid access token of an
//! active account. Browsers cannot set headers on a WebSocket, so the token comes as the
//! second subprotocol (`new WebSocket(url, ["capture-moments", token])`, echoed back as
//! `capture-moments`, which browsers require) or, for clients that can do neither, as
//! `?token=` (query strings reach access logs; prefer the subprotocol). Refusals answer
//! 401 and no connection exists. The connection's item lives as long as API Gateway
//! lets a socket live.

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use cm_accounts::account::Role;
use cm_app::AuthError;
use cm_realtime::Realtime;
use cm_realtime::socket::{self, WsResponse, connection_id, refuse_handshake};
use cm_store::UserReader;
use cm_store::chat::{CONNECTION_LIFETIME, Connection, Connections};
use lambda_runtime::{Error, LambdaEvent};

pub const SUBPROTOCOL: &str = "capture-moments";

/// The token and whether it came as a subprotocol.
fn token_of(event: &ApiGatewayWebsocketProxyRequest) -> Option<(String, bool)> {
    // API Gateway keeps only the last of repeated headers in `headers`; a client that
    // sends the subprotocols as separate header lines has them all in `multiValueHeaders`.
    let lines = match event.multi_value_headers.get_all("sec-websocket-protocol").iter().next() {
        Some(_) => event.multi_value_headers.get_all("sec-websocket-protocol"),
        None => event.headers.get_all("sec-websocket-protocol"),
    };
    let offered: Vec<String> = lines
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if offered.first().map(String::as_str) == Some(SUBPROTOCOL)
        && let Some(token) = offered.get(1)
    {
        return Some((token.clone(), true));
    }
    event.query_string_parameters.first("token").filter(|t| !t.is_empty()).map(|t| (t.to_string(), false))
}

pub async fn handle(rt: &Realtime, event: LambdaEvent<ApiGatewayWebsocketProxyRequest>) -> Result<WsResponse, Error> {
    let event = event.payload;
    let Some(id) = connection_id(&event) else { return Ok(refuse_handshake(400, "not a WebSocket connection")) };
    let Some((token, as_subprotocol)) = token_of(&event) else {
        return Ok(refuse_handshake(
            401,
            "an access token is required: subprotocols \"capture-moments, <token>\" or ?token=<token>",
        ));
    };
    let now = rt.app.now();
    let user_id = match cm_app::verify_token(&rt.app, &token).await {
        Ok(id) => id,
        Err(AuthError::BadToken(_)) => return Ok(refuse_handshake(401, "the access token is invalid or expired")),
        Err(e) => {
            tracing::error!(error = %e, "the token keys could not be read");
            return Ok(refuse_handshake(503, "try again in a moment"));
        }
    };
    let user = match rt.app.store.get_user(user_id).await {
        Ok(Some(u)) if u.active => u,
        Ok(_) => return Ok(refuse_handshake(401, "this account is deactivated")),
        Err(e) => {
            socket::unavailable(&e);
            return Ok(refuse_handshake(503, "try again in a moment"));
        }
    };
    let connection = Connection {
        id: id.to_string(),
        user_id: user.id,
        admin: user.role == Role::Admin,
        connected_at: now,
        expires_at: now + CONNECTION_LIFETIME,
        messages: None,
        typing: None,
    };
    if let Err(e) = rt.chat.open_connection(&connection).await {
        socket::unavailable(&e);
        return Ok(refuse_handshake(503, "try again in a moment"));
    }
    tracing::info!(connection = %id, user = %user.id, "connected");
    let mut r = socket::ok();
    if as_subprotocol {
        r.headers.insert("sec-websocket-protocol", http::HeaderValue::from_static(SUBPROTOCOL));
    }
    Ok(r)
}
