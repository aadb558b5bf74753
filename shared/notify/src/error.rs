//! Why a notification could not be rendered. Every variant is a caller or data bug that
//! sending anyway would turn into a misleading email or an invalid calendar entry.

use thiserror::Error;

use crate::model::{BookingEvent, Role};

/// A notification that cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NotifyError {
    /// DTEND must be later than DTSTART (RFC 5545 3.8.2.2); calendar clients reject or
    /// mangle anything else.
    #[error("booking {booking_id} ends at or before it starts")]
    EmptyTimeRange {
        /// The offending booking.
        booking_id: String,
    },
    /// A party was passed in the wrong position, e.g. the client as ORGANIZER.
    #[error("expected the {expected} as {position}, got the {found}")]
    WrongRole {
        /// Which argument was wrong.
        position: &'static str,
        /// The role that argument must have.
        expected: Role,
        /// The role it had.
        found: Role,
    },
    /// The recipient matrix does not mail this role for this event, so there is no copy
    /// written for it.
    #[error("the {role} is not notified when a booking is {event}")]
    NotARecipient {
        /// The event being rendered.
        event: BookingEvent,
        /// The role that was asked for.
        role: Role,
    },
    /// The money messages do not mail this role for this event.
    #[error("the {role} is not emailed about {event}")]
    NotAPaymentRecipient {
        /// The money event's wire name.
        event: &'static str,
        /// The role that was asked for.
        role: Role,
    },
}
