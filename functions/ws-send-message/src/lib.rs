//! WebSocket `send_message`: stores a message in a booking's chat and answers `sent`
//! with it. Delivery is not done here: the chat table's stream triggers `deliver-chat`,
//! which pushes the message to every socket of both participants, so a slow or dead
//! socket never holds up the sender.
//!
//! A retried send (same `client_id`) stores nothing new and answers the first message
//! with `duplicate: true`. Each connection may send 20 messages in any 10 seconds;
//! admins may read chats but not write in them.
//!
//! With `attachment_id`, the message carries a file the sender uploaded to this room
//! (`POST /bookings/{id}/attachments`) and that processing found good: their own,
//! ready, and in no other message. The message's transaction claims it, so two sends
//! racing for one attachment store one message.

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use cm_chat::attachment::AttachError;
use cm_chat::frame::parse;
use cm_chat::rate::Decision;
use cm_chat::{Access, AttachmentId, AttachmentRef, ErrorFrame, Inbound, Message, MessageId, MessageView, Outbound};
use cm_core::{BookingId, UserId};
use cm_realtime::Realtime;
use cm_realtime::socket::{WsResponse, body, connection, refuse, reply, room_for, unavailable};
use cm_store::UserReader;
use cm_store::attachments::Attachments;
use cm_store::chat::{ChatWriter, Connections, RateKind, Sent};
use lambda_runtime::{Error, LambdaEvent};

pub async fn handle(rt: &Realtime, event: LambdaEvent<ApiGatewayWebsocketProxyRequest>) -> Result<WsResponse, Error> {
    let event = event.payload;
    let (booking_id, client_id, text, attachment_id) = match parse(body(&event)) {
        Ok(Inbound::SendMessage { booking_id, client_id, text, attachment_id }) => {
            (booking_id, client_id, text, attachment_id)
        }
        Ok(other) => return Ok(refuse(ErrorFrame::unknown_action(other.action()))),
        Err(e) => return Ok(refuse(e)),
    };
    let fail = |e: ErrorFrame| refuse(e.for_action("send_message", Some(&client_id)));
    let conn = match connection(rt, &event).await {
        Ok(c) => c,
        Err(e) => return Ok(fail(e)),
    };
    // The account (a deactivated one's open sockets stop sending at once) and the
    // booking, read together.
    let (user, room) =
        tokio::join!(rt.app.store.get_user(conn.user_id), room_for(rt, &conn, booking_id, Access::Participant));
    match user {
        Ok(Some(u)) if u.active => {}
        Ok(_) => return Ok(fail(ErrorFrame::unauthorized("this account is deactivated"))),
        Err(e) => return Ok(fail(unavailable(&e))),
    }
    let room = match room {
        Ok(r) => r,
        Err(e) => return Ok(fail(e)),
    };
    let now = rt.app.now();
    let attachment = match attachment_id {
        Some(id) => match attached(rt, booking_id, id, conn.user_id, now).await {
            Ok(a) => Some(a),
            Err(e) => return Ok(fail(e)),
        },
        None => None,
    };
    match rt.chat.admit(&conn, RateKind::Messages, now).await {
        Ok(Decision::Admit(_)) => {}
        Ok(Decision::Refuse { retry_after_secs }) => {
            return Ok(fail(ErrorFrame::rate_limited(u32::try_from(retry_after_secs).unwrap_or(u32::MAX))));
        }
        Err(e) => return Ok(fail(unavailable(&e))),
    }
    let message = Message {
        id: MessageId::at(now),
        booking_id,
        sender_id: conn.user_id,
        client_id: client_id.clone(),
        text,
        attachment,
        sent_at: now,
    };
    let (stored, duplicate) = match rt.chat.send_message(&room, &message).await {
        Ok(Sent::Stored(m)) => (m, false),
        Ok(Sent::Duplicate(m)) => (m, true),
        Ok(Sent::AttachmentTaken) => {
            return Ok(fail(ErrorFrame::conflict("the attachment is already in another message")));
        }
        Err(e) => return Ok(fail(unavailable(&e))),
    };
    Ok(reply(&Outbound::Sent { client_id, duplicate, message: MessageView::from(&stored) }))
}

/// The sender's attachment as the message will carry it, or the frame that refuses it.
async fn attached(
    rt: &Realtime,
    booking: BookingId,
    id: AttachmentId,
    sender: UserId,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<AttachmentRef, ErrorFrame> {
    let attachment = match rt.chat.attachment(booking, id, now).await {
        Ok(Some(a)) => a,
        Ok(None) => return Err(ErrorFrame::not_found(AttachError::NotFound(id).to_string())),
        Err(e) => return Err(unavailable(&e)),
    };
    attachment.attachable_by(sender, booking).map_err(|e| match e {
        AttachError::NotFound(_) => ErrorFrame::not_found(e.to_string()),
        // Processing takes a second or two: the client sends again after this.
        AttachError::NotReady(_) => ErrorFrame::conflict(e.to_string()).retry_after(1),
        AttachError::Rejected(..) => ErrorFrame::conflict(e.to_string()),
    })
}
