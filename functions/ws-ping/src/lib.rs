//! WebSocket `ping`: answers `pong` with the server's time. Clients ping to keep a
//! socket inside API Gateway's 10-minute idle timeout and to measure their link.

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use cm_chat::Outbound;
use cm_chat::frame::parse;
use cm_realtime::Realtime;
use cm_realtime::socket::{WsResponse, body, connection, refuse, reply};
use lambda_runtime::{Error, LambdaEvent};

pub async fn handle(rt: &Realtime, event: LambdaEvent<ApiGatewayWebsocketProxyRequest>) -> Result<WsResponse, Error> {
    let event = event.payload;
    if let Err(e) = parse(body(&event)) {
        return Ok(refuse(e));
    }
    if let Err(e) = connection(rt, &event).await {
        return Ok(refuse(e));
    }
    Ok(reply(&Outbound::Pong { at: rt.app.now() }))
}
