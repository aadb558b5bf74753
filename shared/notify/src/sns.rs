//! The SNS fan-out message published for every booking change, for subscribers other than
//! the two people (analytics, payouts, search indexing).

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;

use crate::model::{BookingEvent, BookingSnapshot};

/// Version of the JSON shape in [`SnsMessage::message`]; bump on breaking changes so
/// subscribers can tell shapes apart.
pub const SNS_MESSAGE_VERSION: u32 = 1;

/// SNS caps subjects at 100 characters.
const MAX_SUBJECT_CHARS: usize = 100;

/// A message ready for `sns:Publish`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnsMessage {
    /// Printable ASCII, at most 100 characters, as SNS requires.
    pub subject: String,
    /// JSON document describing the change.
    pub message: String,
    /// String message attributes `(name, value)` for subscription filter policies:
    /// `event`, `booking_id`, `photographer_id`. Attributes whose value would be empty are
    /// left out because SNS rejects empty values; a filter on them then simply does not
    /// match, as it would for any other value.
    pub attributes: Vec<(String, String)>,
}

/// Builds the SNS message for a booking change.
///
/// The body carries ids, status and times but no names, emails, addresses or free-text
/// reasons: subscribers that need personal data should read it from the store under their
/// own access policy rather than receive it in every fan-out copy.
pub fn sns_message(
    event: BookingEvent,
    snapshot: &BookingSnapshot,
    photographer_id: &str,
    client_id: &str,
) -> SnsMessage {
    let message = json!({
        "version": SNS_MESSAGE_VERSION,
        "event": event.as_str(),
        "booking_id": snapshot.booking_id,
        "photographer_id": photographer_id,
        "client_id": client_id,
        "status": snapshot.status.as_str(),
        "start": rfc3339(snapshot.start),
        "end": rfc3339(snapshot.end),
        "previous_start": snapshot.previous_start.map(rfc3339),
        "sequence": snapshot.sequence,
        "event_type": snapshot.event_type,
        "price": {
            "amount_minor": snapshot.price.amount_minor,
            "currency": snapshot.price.currency,
        },
        "cancelled_by": snapshot.cancelled_by.map(|role| role.as_str()),
    })
    .to_string();

    let attributes =
        [("event", event.as_str()), ("booking_id", snapshot.booking_id.as_str()), ("photographer_id", photographer_id)]
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();

    SnsMessage { subject: subject(event, &snapshot.booking_id), message, attributes }
}

/// SNS rejects subjects with control or non-ASCII characters, so the id is reduced to
/// printable ASCII before it is embedded.
fn subject(event: BookingEvent, booking_id: &str) -> String {
    let safe_id: String = booking_id.chars().filter(|c| c.is_ascii_graphic()).collect();
    let full = format!("Booking {}: {safe_id}", event.as_str());
    full.chars().take(MAX_SUBJECT_CHARS).collect()
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The platform-topic message for a delivered client gallery: `event` is
/// `gallery_delivered`, with the same message attributes as booking events.
pub fn gallery_sns_message(delivery: &crate::GalleryDelivery, photographer_id: &str, client_id: &str) -> SnsMessage {
    const EVENT: &str = "gallery_delivered";
    let message = json!({
        "version": SNS_MESSAGE_VERSION,
        "event": EVENT,
        "booking_id": delivery.booking_id,
        "photographer_id": photographer_id,
        "client_id": client_id,
        "ready_photos": delivery.ready_photos,
        "retention_days": delivery.retention_days,
        "delivered_at": rfc3339(delivery.delivered_at),
    })
    .to_string();
    let attributes =
        [("event", EVENT), ("booking_id", delivery.booking_id.as_str()), ("photographer_id", photographer_id)]
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
    let safe_id: String = delivery.booking_id.chars().filter(|c| c.is_ascii_graphic()).collect();
    let subject = format!("Gallery delivered: {safe_id}").chars().take(MAX_SUBJECT_CHARS).collect();
    SnsMessage { subject, message, attributes }
}
