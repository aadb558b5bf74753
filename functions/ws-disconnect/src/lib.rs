//! WebSocket `$disconnect`: forgets the connection. API Gateway delivers it on a best
//! effort basis; a connection whose `$disconnect` is lost is removed at the next push
//! (GoneException) or when its `ttl` passes.

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use cm_realtime::Realtime;
use cm_realtime::socket::{self, WsResponse, connection_id};
use cm_store::chat::Connections;
use lambda_runtime::{Error, LambdaEvent};

pub async fn handle(rt: &Realtime, event: LambdaEvent<ApiGatewayWebsocketProxyRequest>) -> Result<WsResponse, Error> {
    if let Some(id) = connection_id(&event.payload) {
        // Failing lets Lambda's retry run it again; deleting twice is harmless.
        rt.chat.close_connection(id).await.map_err(|e| Error::from(e.to_string()))?;
        tracing::info!(connection = %id, "disconnected");
    }
    Ok(socket::ok())
}
