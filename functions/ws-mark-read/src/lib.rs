//! WebSocket `mark_read`: records that the caller has read a booking's chat up to a
//! message and answers what is still unread. The other participant learns of it from
//! `deliver-chat` (the mark is a change on the chat table's stream), never from here.

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use cm_chat::frame::parse;
use cm_chat::{Access, ErrorFrame, Inbound, Outbound};
use cm_realtime::Realtime;
use cm_realtime::socket::{WsResponse, body, connection, refuse, reply, room_for, unavailable};
use cm_store::chat::{ChatWriter, Marked};
use lambda_runtime::{Error, LambdaEvent};

pub async fn handle(rt: &Realtime, event: LambdaEvent<ApiGatewayWebsocketProxyRequest>) -> Result<WsResponse, Error> {
    let event = event.payload;
    let (booking_id, message_id) = match parse(body(&event)) {
        Ok(Inbound::MarkRead { booking_id, message_id }) => (booking_id, message_id),
        Ok(other) => return Ok(refuse(ErrorFrame::unknown_action(other.action()))),
        Err(e) => return Ok(refuse(e)),
    };
    let fail = |e: ErrorFrame| refuse(e.for_action("mark_read", None));
    let conn = match connection(rt, &event).await {
        Ok(c) => c,
        Err(e) => return Ok(fail(e)),
    };
    let room = match room_for(rt, &conn, booking_id, Access::Participant).await {
        Ok(r) => r,
        Err(e) => return Ok(fail(e)),
    };
    match rt.chat.mark_read(&room, conn.user_id, message_id).await {
        Ok(Marked::Unread(unread)) => Ok(reply(&Outbound::Marked { booking_id, message_id, unread })),
        Ok(Marked::NoSuchMessage) => Ok(fail(ErrorFrame::not_found("no such message in this chat"))),
        Err(e) => Ok(fail(unavailable(&e))),
    }
}
