//! WebSocket `$default`: every frame no route matched (not JSON, no `action`, an
//! unknown action) gets an error frame saying what was wrong, never a silent drop.

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use cm_chat::ErrorFrame;
use cm_chat::frame::parse;
use cm_realtime::Realtime;
use cm_realtime::socket::{WsResponse, body, refuse};
use lambda_runtime::{Error, LambdaEvent};

pub async fn handle(_rt: &Realtime, event: LambdaEvent<ApiGatewayWebsocketProxyRequest>) -> Result<WsResponse, Error> {
    Ok(match parse(body(&event.payload)) {
        Err(e) => refuse(e),
        // A known action reaches $default only if its route is missing from the API.
        Ok(inbound) => refuse(ErrorFrame::unknown_action(inbound.action())),
    })
}
