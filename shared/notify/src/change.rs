//! Which booking event a change is, and the snapshot the messages are rendered from.

use crate::model::{BookingEvent, BookingSnapshot, Role};
use cm_booking::booking::{Booking, HistoryAction};
use cm_booking::{Actor, BookingStatus};

/// The event a booking change is: `old_sequence` is `None` for a new booking. A change
/// that did not bump the sequence (nothing a calendar must see) is no event.
pub fn event_for(new: &Booking, old_sequence: Option<u32>) -> Option<BookingEvent> {
    let Some(old_sequence) = old_sequence else {
        return Some(BookingEvent::Created);
    };
    if new.sequence <= old_sequence {
        return None;
    }
    let last = new.history.last()?;
    match last.action {
        HistoryAction::Rescheduled => Some(BookingEvent::Rescheduled),
        HistoryAction::StatusChanged => match last.to {
            BookingStatus::Confirmed => Some(BookingEvent::Confirmed),
            BookingStatus::Declined => Some(BookingEvent::Declined),
            BookingStatus::Cancelled => Some(BookingEvent::Cancelled),
            BookingStatus::Expired => Some(BookingEvent::Expired),
            BookingStatus::Completed => Some(BookingEvent::Completed),
            BookingStatus::Pending => None,
        },
        HistoryAction::Created => None,
    }
}

/// The booking as the messages render it, with the reason, previous start and
/// canceller taken from the change's own history entry.
pub fn snapshot(b: &Booking) -> BookingSnapshot {
    let last = b.history.last();
    BookingSnapshot {
        booking_id: b.id.to_string(),
        status: b.status,
        start: b.start,
        end: b.end,
        event_type: b.event_type.clone(),
        location: b.location.clone(),
        price: b.price.clone(),
        sequence: b.sequence,
        reason: last.and_then(|h| h.reason.clone()),
        previous_start: last.and_then(|h| h.previous_start),
        cancelled_by: last.filter(|h| h.to == BookingStatus::Cancelled).and_then(|h| match h.actor {
            Actor::Client => Some(Role::Client),
            Actor::Photographer => Some(Role::Photographer),
            Actor::Admin | Actor::System => None,
        }),
    }
}
