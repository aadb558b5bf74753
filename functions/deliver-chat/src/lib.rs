//! Stream-triggered (the chat table's stream, its only consumer): pushes what changed
//! in a chat to the sockets of the people in it.
//! - A new message goes to every socket of both participants, the sender's too (their
//!   other tabs and devices show it; the sending tab already has it from `sent` and
//!   drops the copy by id).
//! - A read mark that moved goes to the other participant as a read receipt.
//! - A new in-app notice (kept by notify-booking-change) goes to every socket of its
//!   owner as a `notification` frame.
//!
//! Delivery is at least once: a redelivered batch pushes its frames again, and every
//! frame carries the id clients de-duplicate by. Sockets that are gone are deleted.
//! A record fails (and is retried) only when the store could not be read; a push that
//! fails for one socket does not hold back the others: the message is in the history
//! the client reloads on reconnect.

use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use cm_chat::{MessageView, NoticeView, Outbound};
use cm_realtime::{Delivery, Realtime, fan_out};
use cm_store::Item;
use cm_store::chat::stream;
use lambda_runtime::{Error, LambdaEvent};

fn image(i: &serde_dynamo::Item) -> Option<Item> {
    (!i.is_empty()).then(|| i.clone().into())
}

async fn deliver(rt: &Realtime, record: &EventRecord) -> Result<Delivery, cm_store::StoreError> {
    let now = rt.app.now();
    let (Some(new), old) = (image(&record.change.new_image), image(&record.change.old_image)) else {
        return Ok(Delivery::default());
    };
    if record.event_name == "INSERT"
        && let Some((message, participants)) = stream::message(&new)
    {
        let frame = Outbound::Message { message: MessageView::from(&message) }.to_text();
        return fan_out(&rt.push, &rt.chat, &participants, &frame, now).await;
    }
    if record.event_name == "INSERT"
        && let Some(notice) = cm_store::notices::from_stream(&new)
    {
        // Just kept, so after any read mark: unread.
        let frame = Outbound::Notification { notification: NoticeView::of(&notice, None) }.to_text();
        return fan_out(&rt.push, &rt.chat, &[notice.user_id], &frame, now).await;
    }
    if let Some((booking_id, user_id, other, message_id)) = stream::read_mark(old.as_ref(), &new) {
        let frame = Outbound::Read { booking_id, user_id, message_id }.to_text();
        return fan_out(&rt.push, &rt.chat, &[other], &frame, now).await;
    }
    Ok(Delivery::default())
}

pub async fn handle(rt: &Realtime, event: LambdaEvent<Event>) -> Result<DynamoDbEventResponse, Error> {
    let mut response = DynamoDbEventResponse::default();
    let mut total = Delivery::default();
    for record in &event.payload.records {
        match deliver(rt, record).await {
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
    Ok(response)
}
