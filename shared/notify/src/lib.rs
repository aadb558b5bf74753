//! Booking notifications for Capture Moments: email copy (subject, HTML and text), iCalendar
//! invites and SNS fan-out messages, rendered from a booking snapshot.
//!
//! Pure: no AWS, no I/O, no clock reads (the invite's DTSTAMP is passed in), so every output
//! is a deterministic function of its inputs and the notification Lambda only has to send
//! what this crate returns: which event a booking change is ([`event_for`]), the email
//! and its MIME form ([`render_email`], [`mime`]), the invite and the SNS message.
//!
//! # Who is mailed
//!
//! [`recipients`] encodes this matrix; [`render_email`] refuses the blank cells.
//!
//! | event         | photographer                    | client                           | invite  |
//! |---------------|---------------------------------|----------------------------------|---------|
//! | `created`     | new booking request             | request sent, awaiting answer    | REQUEST (TENTATIVE) |
//! | `confirmed`   | you confirmed                   | booking confirmed                | REQUEST (CONFIRMED) |
//! | `declined`    | —                               | request declined (+ reason)      | CANCEL  |
//! | `cancelled`   | cancelled (by you / by client)  | cancelled (by you / by photographer) (+ reason) | CANCEL |
//! | `rescheduled` | new time (+ previous time)      | new time (+ previous time)       | REQUEST |
//! | `expired`     | request expired unanswered      | request expired, search again    | CANCEL  |
//! | `completed`   | —                               | invitation to review             | none    |
//!
//! Why these cells:
//! - `declined`: the photographer just clicked decline; a mail telling them so is noise.
//! - `cancelled`: both sides, the canceller included, because the canceller also holds the
//!   calendar entry that the CANCEL removes, and a receipt guards against a mis-click going
//!   unnoticed. [`BookingSnapshot::cancelled_by`] picks "you cancelled" or "X cancelled".
//! - `expired`: both, since the client's tentative hold must be withdrawn and the
//!   photographer should learn they let a request lapse.
//! - `completed`: only the client is asked for a review; there is no calendar change.
//!
//! Money has its own messages (receipts, refunds, the balance reminder and a failed
//! balance charge), rendered from a ledger event by [`render_payment_email`] and
//! [`payment_sns_message`]; [`payment_recipients`] holds their matrix.
//!
//! Times in an email are in the recipient's IANA zone with its abbreviation, e.g.
//! `Sat 26 Dec 2026, 10:00–12:00 IST (Asia/Kolkata)`; unknown zones fall back to UTC.
//! Invites are always in UTC (`Z` form) so no VTIMEZONE is needed, and share one UID per
//! booking with SEQUENCE taken from [`BookingSnapshot::sequence`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod change;
mod email;
mod error;
mod ics;
mod mime;
mod model;
mod money;
mod payment;
mod sms;
mod sns;
mod text;
mod when;

pub use change::{event_for, snapshot};
pub use email::{
    Attachment, Email, GalleryDelivery, recipients, render_email, render_gallery_email, render_reminder_email,
};
pub use error::NotifyError;
pub use ics::{FeedEntry, IcsMethod, booking_uid, ics_method, render_feed, render_ics};
pub use mime::mime;
pub use model::{BookingEvent, BookingSnapshot, Party, Role};
// The booking's own types, as the snapshot carries them.
pub use cm_booking::BookingStatus;
pub use cm_core::location::Location;
pub use cm_core::money::{Currency, Money};
pub use money::{currency_exponent, format_money};
pub use payment::{PaymentNotice, payment_recipients, payment_sns_message, render_payment_email};
pub use sms::{MAX_SMS_CHARS, booking_sms, reminder_sms, sms_recipients, sms_safe, verification_sms};
pub use sns::{SNS_MESSAGE_VERSION, SnsMessage, gallery_sns_message, sns_message};
pub use text::escape_html;
pub use when::RecipientZone;
