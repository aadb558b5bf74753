//! WebSocket `typing`: tells the other participant's sockets that this user is typing
//! in a booking's chat. Relayed, never stored; at most one per connection every 3
//! seconds is relayed (the rest are dropped quietly: the other side already knows).

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use cm_chat::frame::parse;
use cm_chat::rate::Decision;
use cm_chat::{Access, Inbound, Outbound};
use cm_realtime::socket::{WsResponse, body, connection, ok, refuse, room_for, unavailable};
use cm_realtime::{Realtime, fan_out};
use cm_store::chat::{Connections, RateKind};
use lambda_runtime::{Error, LambdaEvent};

pub async fn handle(rt: &Realtime, event: LambdaEvent<ApiGatewayWebsocketProxyRequest>) -> Result<WsResponse, Error> {
    let event = event.payload;
    let booking_id = match parse(body(&event)) {
        Ok(Inbound::Typing { booking_id }) => booking_id,
        Ok(other) => return Ok(refuse(cm_chat::ErrorFrame::unknown_action(other.action()))),
        Err(e) => return Ok(refuse(e)),
    };
    let conn = match connection(rt, &event).await {
        Ok(c) => c,
        Err(e) => return Ok(refuse(e.for_action("typing", None))),
    };
    let room = match room_for(rt, &conn, booking_id, Access::Participant).await {
        Ok(r) => r,
        Err(e) => return Ok(refuse(e.for_action("typing", None))),
    };
    let now = rt.app.now();
    match rt.chat.admit(&conn, RateKind::Typing, now).await {
        Ok(Decision::Admit(_)) => {}
        Ok(Decision::Refuse { .. }) => return Ok(ok()),
        Err(e) => return Ok(refuse(unavailable(&e))),
    }
    let Some(other) = room.other(conn.user_id) else { return Ok(ok()) };
    let frame = Outbound::Typing { booking_id, user_id: conn.user_id }.to_text();
    if let Err(e) = fan_out(&rt.push, &rt.chat, &[other], &frame, now).await {
        return Ok(refuse(unavailable(&e)));
    }
    Ok(ok())
}
