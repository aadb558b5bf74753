//! Input types: what the notification Lambda knows about a booking change and the two
//! people involved. Status, location and price are the booking's own types.

use std::fmt;

use chrono::{DateTime, Utc};
use cm_booking::BookingStatus;
use cm_core::location::Location;
use cm_core::money::Money;
use serde::{Deserialize, Serialize};

/// The change to a booking that triggers notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingEvent {
    /// A client requested a booking; the photographer has not answered yet.
    Created,
    /// The photographer accepted the request.
    Confirmed,
    /// The photographer turned the request down.
    Declined,
    /// Either party called off a pending or confirmed booking.
    Cancelled,
    /// The booking moved to a new time.
    Rescheduled,
    /// The photographer did not answer the request in time.
    Expired,
    /// The session took place.
    Completed,
}

impl BookingEvent {
    /// Every event, in lifecycle order; handy for exhaustive tests and tooling.
    pub const ALL: [BookingEvent; 7] = [
        BookingEvent::Created,
        BookingEvent::Confirmed,
        BookingEvent::Declined,
        BookingEvent::Cancelled,
        BookingEvent::Rescheduled,
        BookingEvent::Expired,
        BookingEvent::Completed,
    ];

    /// The wire name, identical to the serde representation and the SNS `event` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            BookingEvent::Created => "created",
            BookingEvent::Confirmed => "confirmed",
            BookingEvent::Declined => "declined",
            BookingEvent::Cancelled => "cancelled",
            BookingEvent::Rescheduled => "rescheduled",
            BookingEvent::Expired => "expired",
            BookingEvent::Completed => "completed",
        }
    }
}

impl fmt::Display for BookingEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The booking as it stands after the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingSnapshot {
    /// Stable booking identifier; also the basis of the calendar UID.
    pub booking_id: String,
    /// Status after the change.
    pub status: BookingStatus,
    /// Session start.
    pub start: DateTime<Utc>,
    /// Session end; must be after `start`.
    pub end: DateTime<Utc>,
    /// Kind of shoot, e.g. `wedding` or `pre_wedding`.
    pub event_type: String,
    /// Where the shoot happens.
    pub location: Location,
    /// Agreed price.
    pub price: Money,
    /// Incremented by the store on every change; becomes the iCalendar SEQUENCE so calendar
    /// clients replace the older copy instead of showing two events.
    pub sequence: u32,
    /// Free-text reason given on decline or cancellation.
    #[serde(default)]
    pub reason: Option<String>,
    /// The start before a reschedule, so the email can say what moved.
    #[serde(default)]
    pub previous_start: Option<DateTime<Utc>>,
    /// Who cancelled, when known: lets the email say "you cancelled" rather than guess.
    #[serde(default)]
    pub cancelled_by: Option<Role>,
}

/// Which side of the booking a person is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The person who books.
    Client,
    /// The person who is booked.
    Photographer,
}

impl Role {
    /// The wire name, identical to the serde representation.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Photographer => "photographer",
        }
    }

    /// The other side of the booking.
    pub fn counterpart(self) -> Role {
        match self {
            Role::Client => Role::Photographer,
            Role::Photographer => Role::Client,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A person who may receive mail about a booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// IANA timezone name, e.g. `Asia/Kolkata`; an unknown name falls back to UTC.
    pub timezone: String,
    /// Which side of the booking this person is on.
    pub role: Role,
}
