//! Bookings: a photographer's availability, the slots a client can book, the rules a
//! single booking must pass, the lock blocks that make double booking impossible in
//! DynamoDB, what a session costs, the booking itself and its lifecycle.
//!
//! Pure functions over validated types: no AWS, no I/O, no clock (callers pass `now`).
//!
//! Decisions worth knowing:
//! - Working time on a local date is every instant whose wall-clock reading in the
//!   photographer's zone lies in one of that date's intervals (override, else weekly).
//!   Across DST this is exact: readings skipped by a spring-forward gap do not exist, and
//!   readings repeated at fall-back count twice, once per real instant. Nothing is
//!   "resolved" to a guessed instant.
//! - Working time that touches in real time is continuous, so a booking may run from an
//!   interval ending `24:00` into the next day's interval starting `00:00` (or between
//!   touching intervals on one day). It may never bridge a gap, however short.
//! - Slot starts step from each interval's start in local wall-clock time; a step whose
//!   reading does not exist is skipped; a repeated reading yields two starts.
//! - Buffers must be free of other bookings' occupied time but may lie outside working
//!   hours and inside time off: they are travel and set-up time, not session time.
//! - Conflicts are decided on 15-minute lock blocks (rounded outward), the same thing the
//!   database enforces, so an offered slot is always writable.
//! - One booking holds at most 48 lock blocks ([`MAX_LOCK_BLOCKS`]) because a reschedule
//!   must be one DynamoDB transaction (at most 100 items): put the new blocks, delete the
//!   old ones, write the booking and two per-day counters, 48 + 48 + 3 = 99. Hence
//!   durations of 15..=600 minutes, buffers of 0..=60 minutes each, and durations,
//!   buffers, slot steps and interval boundaries all in whole quarter hours: with every
//!   UTC offset in use a multiple of 15 minutes, every accepted occupied interval lies
//!   exactly on the block grid and spans at most (600 + 2 × 60) / 15 = 48 blocks. A start
//!   off the grid (possible only under historical offsets) would round out to 49, so it
//!   is refused as `not_on_slot_step`, and [`booking_footprint`] refuses more than 48.
//! - Two located sessions of one day leave time to travel between them ([`travel`]):
//!   distance over the photographer's speed, plus the buffers. The store guards it with
//!   the day's version, as the lock blocks guard overlap.
//! - `bookable_slots` and `check_booking` share one rule evaluator: every offered slot
//!   passes `check_booking`, and every start `check_booking` accepts is offered.
//!
//! Lifecycle (see [`transition`] and [`reschedule`]):
//!
//! ```text
//! pending ──confirm (photographer)──▶ confirmed ──complete (photographer, from end)──▶ completed
//!    ├──decline (photographer)──▶ declined   │
//!    ├──expire (system, from expiry)──▶ expired
//!    └──────cancel (client | photographer | admin, reason)──┴──▶ cancelled
//! ```
//!
//! - Admins may cancel only (with a reason, exempt from the client's cancellation window
//!   and from the "session already over" limit, since they resolve disputes).
//! - The cancellation window binds clients on confirmed bookings only: a pending request
//!   the photographer has not accepted may be withdrawn at any time before it ends.
//! - Pending expires at `requested_at + 48 h` or at the start, whichever is first; a
//!   lapsed request can no longer be confirmed or declined even before the sweep runs.
//! - A client's reschedule returns the booking to pending; a photographer's keeps it.

pub mod activity;
pub mod analytics;
mod availability;
mod blocks;
pub mod booking;
mod calendar;
mod footprint;
pub mod idempotency;
mod lifecycle;
pub mod limits;
pub mod pricing;
pub mod reminders;
pub mod request;
mod rules;
pub mod scoring;
mod slots;
pub mod stats;
mod time;
pub mod travel;
pub mod view;

pub use availability::{
    Availability, AvailabilityDoc, IntervalDoc, OverrideDoc, TimeOff, TimeOffDoc, WeeklyDoc, free_on,
};
pub use blocks::{
    BLOCK_MINUTES, BookingDuration, Buffers, DURATION_GRANULARITY_MINUTES, Holder, LockBlock, MAX_DURATION_MINUTES,
    MAX_LOCK_BLOCKS, MIN_DURATION_MINUTES, OccupiedInterval, lock_block_count, lock_blocks, occupied_interval,
};
pub use booking::{Booking, HistoryAction, HistoryEntry, occupied_intervals};
pub use footprint::{BookingFootprint, booking_footprint, booking_local_date};
pub use lifecycle::{
    Actor, BookingStatus, DEFAULT_PENDING_EXPIRY_HOURS, MAX_REASON_CHARS, Transition, TransitionContext,
    TransitionError, frees_slot, holds_slot, reschedule, transition,
};
pub use pricing::{Quote, quote};
pub use rules::{RuleViolation, check_booking};
pub use slots::{
    DEFAULT_SUGGESTIONS, MAX_QUERY_DAYS, NEAREST_SEARCH_DAYS, Slot, SlotQuery, SlotQueryParams, bookable_slots,
    nearest_starts,
};
pub use time::{LocalInterval, UtcRange, WallTime, local_date};
