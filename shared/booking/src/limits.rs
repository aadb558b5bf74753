//! The bounds of an availability document and of a booking, chosen so every booking
//! fits the lock-block design (see `blocks`).

/// Buffers default to none: a photographer who wants travel time says so.
pub const DEFAULT_BUFFER_MINUTES: u32 = 0;
/// Whole lock blocks up to an hour each side, so that a booking never needs more
/// than [`crate::MAX_LOCK_BLOCKS`] lock items (see the `blocks` module).
pub const MAX_BUFFER_MINUTES: u32 = 60;
pub const BUFFER_GRANULARITY_MINUTES: u32 = 15;
/// Interval boundaries fall on quarter hours (`24:00` included) so that, with every
/// real UTC offset a multiple of 15 minutes, slot starts land on the lock-block grid.
pub const INTERVAL_GRANULARITY_MINUTES: u32 = 15;
/// Bookings start `pending` and need the photographer's confirmation, so a zero
/// default would offer slots nobody could confirm in time. One day is the default.
pub const DEFAULT_MIN_NOTICE_MINUTES: u32 = 24 * 60;
pub const MAX_MIN_NOTICE_MINUTES: u32 = 30 * 24 * 60;
pub const DEFAULT_MAX_DAYS_AHEAD: u32 = 365;
pub const MAX_DAYS_AHEAD: u32 = 730;
pub const MAX_BOOKINGS_PER_DAY: u32 = 20;
pub const DEFAULT_SLOT_STEP_MINUTES: u32 = 30;
/// Slot steps are whole lock blocks so that aligned intervals give aligned slots.
pub const SLOT_STEP_GRANULARITY_MINUTES: u32 = 15;
pub const MAX_SLOT_STEP_MINUTES: u32 = 240;
pub const DEFAULT_CANCELLATION_WINDOW_HOURS: u32 = 48;
pub const MAX_CANCELLATION_WINDOW_HOURS: u32 = 30 * 24;
pub const MAX_INTERVALS_PER_DAY: usize = 10;
pub const MAX_OVERRIDES: usize = 366;
pub const MAX_TIME_OFF: usize = 200;
/// An average door-to-door speed across a city by car or transit, including parking and
/// walking; a photographer who covers ground faster or slower says so.
pub const DEFAULT_TRAVEL_SPEED_KMH: u32 = 30;
/// Walking pace at the low end, a motorway average at the high end: outside this range
/// the figure is a typo, not a travel plan.
pub const MIN_TRAVEL_SPEED_KMH: u32 = 5;
pub const MAX_TRAVEL_SPEED_KMH: u32 = 150;
