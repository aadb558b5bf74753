//! Stream-triggered (the chat table's stream, its only consumer): pushes what changed
//! in a chat to the sockets of the people in it.
//! - A new message goes to every socket of both participants, the sender's too (their
//!   other tabs and devices show it; the sending tab already has it from `sent` and
//!   drops the copy by id).
//! - A read mark that moved goes to the other participant as a read receipt, and to
//!   the reader's own sockets as `marked` (every tab's unread count follows).
//! - Notifications marked read go to every socket of their owner
//!   (`notifications_read`), so the bell agrees on every tab and device.
//! - A new in-app notice (kept by notify-booking-change) goes to every socket of its
//!   owner as a `notification` frame.
//! - A message's attachment goes out with links to it (presigned; the objects are
//!   private), and an attachment processing has just settled goes to its uploader's
//!   sockets (`attachment`: ready to send, or refused and why).
//! - A draft attachment DynamoDB's TTL removed (never sent) has its objects deleted.
//!
//! Delivery is at least once: a redelivered batch pushes its frames again, and every
//! frame carries the id clients de-duplicate by. Sockets that are gone are deleted.
//! A record fails (and is retried) only when the store could not be read; a push that
//! fails for one socket does not hold back the others: the message is in the history
//! the client reloads on reconnect.

use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use cm_chat::{MessageView, NoticeView, Outbound};
use cm_metrics::Unit;
use cm_realtime::{Delivery, Realtime, fan_out};
use cm_runtime::MediaBucket;
use cm_store::Item;
use cm_store::StoreError;
use cm_store::attachments::stream as attachments;
use cm_store::chat::stream;
use lambda_runtime::{Error, LambdaEvent};

/// What one record could fail on: reading the store, or signing or deleting in S3.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("media bucket: {0}")]
    Media(String),
}

/// DynamoDB's own principal: a REMOVE by it is a TTL deletion (AWS Developer Guide,
/// "DynamoDB Streams and Time to Live").
fn by_ttl(record: &EventRecord) -> bool {
    record.user_identity.as_ref().is_some_and(|u| u.type_ == "Service" && u.principal_id == "dynamodb.amazonaws.com")
}

fn image(i: &serde_dynamo::Item) -> Option<Item> {
    (!i.is_empty()).then(|| i.clone().into())
}

async fn deliver(rt: &Realtime, media: &MediaBucket, record: &EventRecord) -> Result<Delivery, Failure> {
    let now = rt.app.now();
    let old = image(&record.change.old_image);
    if record.event_name == "REMOVE" {
        if let Some(draft) = old.as_ref().filter(|_| by_ttl(record)).and_then(attachments::forgotten_draft) {
            // Idempotent: a redelivery deletes keys that are already gone.
            let keys = draft.objects.clone();
            media.delete(&keys).await.map_err(|e| Failure::Media(e.to_string()))?;
            tracing::info!(attachment = %draft.id, objects = keys.len(), "forgotten draft deleted");
        }
        return Ok(Delivery::default());
    }
    let Some(new) = image(&record.change.new_image) else {
        return Ok(Delivery::default());
    };
    if record.event_name == "INSERT"
        && let Some((message, participants)) = stream::message(&new)
    {
        let mut view = MessageView::from(&message);
        media.link_attachment(&mut view, now).await.map_err(|e| Failure::Media(e.to_string()))?;
        let frame = Outbound::Message { message: view }.to_text();
        return Ok(fan_out(&rt.push, &rt.chat, &participants, &frame, now).await?);
    }
    if let Some(settled) = attachments::settled(old.as_ref(), &new) {
        let frame = Outbound::Attachment { attachment: settled.view() }.to_text();
        return Ok(fan_out(&rt.push, &rt.chat, &[settled.uploader_id], &frame, now).await?);
    }
    if record.event_name == "INSERT"
        && let Some(notice) = cm_store::notices::from_stream(&new)
    {
        // Just kept, so after any read mark: unread.
        let frame = Outbound::Notification { notification: NoticeView::of(&notice, None) }.to_text();
        return Ok(fan_out(&rt.push, &rt.chat, &[notice.user_id], &frame, now).await?);
    }
    if let Some(room) = stream::read_mark(old.as_ref(), &new) {
        let Some(message_id) = room.read_upto else { return Ok(Delivery::default()) };
        let (booking_id, user_id) = (room.booking_id, room.user_id);
        let receipt = Outbound::Read { booking_id, user_id, message_id }.to_text();
        let own = Outbound::Marked { booking_id, message_id, unread: room.unread }.to_text();
        let (other, reader) = ([room.other_id], [user_id]);
        let (to_other, to_self) = tokio::join!(
            fan_out(&rt.push, &rt.chat, &other, &receipt, now),
            fan_out(&rt.push, &rt.chat, &reader, &own, now),
        );
        let mut total = to_other?;
        total += to_self?;
        return Ok(total);
    }
    if let Some((user, up_to, ids)) = cm_store::notices::read_from_stream(old.as_ref(), &new) {
        let frame = Outbound::NotificationsRead { up_to, ids }.to_text();
        return Ok(fan_out(&rt.push, &rt.chat, &[user], &frame, now).await?);
    }
    Ok(Delivery::default())
}

pub async fn handle(
    rt: &Realtime,
    media: &MediaBucket,
    event: LambdaEvent<Event>,
) -> Result<DynamoDbEventResponse, Error> {
    let mut response = DynamoDbEventResponse::default();
    let mut total = Delivery::default();
    for record in &event.payload.records {
        match deliver(rt, media, record).await {
            Ok(d) => total += d,
            Err(e) => {
                let id = record.change.sequence_number.clone().unwrap_or_default();
                tracing::error!(sequence = %id, error = %e, "chat delivery failed");
                let mut failure = DynamoDbBatchItemFailure::default();
                failure.item_identifier = Some(id);
                response.batch_item_failures.push(failure);
            }
        }
    }
    tracing::info!(delivered = total.delivered, gone = total.gone, failed = total.failed, "chat delivered");
    cm_metrics::Line::new()
        .metric("ChatPushes", Unit::Count, total.delivered as f64, &[&[]])
        .metric("ChatGoneConnections", Unit::Count, total.gone as f64, &[&[]])
        .metric("ChatPushFailures", Unit::Count, total.failed as f64, &[&[]])
        .emit();
    Ok(response)
}
