//! Busy time in: a photographer's external calendars (Google, Outlook, iCloud secret
//! addresses) read as busy intervals that block bookings.
//!
//! - [`source`]: a calendar address as added (syntax, scheme, host), its label, and the
//!   masked form shown afterwards (the full address is a credential).
//! - [`address`]: which IP addresses a fetch may connect to, checked on every address
//!   DNS gives and every redirect (the fetch itself is `cm-webcal`).
//! - [`busy`]: iCalendar text to busy intervals over a window: recurrence expansion,
//!   all-day events in the photographer's zone, merge, clip, cap, and the stored form.
//! - [`status`]: what the photographer is shown of a sync that failed.
//!
//! Pure: no I/O, no clock (every function takes its window or `now`).

pub mod address;
pub mod busy;
pub mod source;
pub mod status;

pub use busy::{BusyInterval, ImportError, Imported, MAX_BUSY_INTERVALS, busy_intervals};
pub use source::{CalendarId, MAX_SOURCES, SourceUrl, UrlPolicy};
pub use status::{FetchFailure, SYNC_EVERY, busy_window, next_due};
