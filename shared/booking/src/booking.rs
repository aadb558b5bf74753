//! A booking: who books whom, when, where and for how much, its status and its whole
//! history. Every change goes through a method here, so no writer (a user, the expiry
//! sweep, demo data) can forget a part: a new version, a new calendar sequence, a freed
//! slot, a history entry.

use crate::availability::Availability;
use crate::blocks::{BLOCK_MINUTES, Holder, OccupiedInterval};
use crate::footprint::BookingFootprint;
use crate::lifecycle::{Actor, BookingStatus, Transition, TransitionContext};
use crate::pricing::Quote;
use crate::request::BookingRequest;
use crate::time::UtcRange;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use cm_core::location::Location;
use cm_core::money::Money;
use cm_core::{BookingId, UserId};
use cm_payments::PaymentTerms;
use serde::{Deserialize, Serialize};

/// One entry of a booking's history: every change, who made it and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    /// `None` for the system (scheduled jobs).
    pub by: Option<UserId>,
    pub actor: Actor,
    pub action: HistoryAction,
    pub from: Option<BookingStatus>,
    pub to: BookingStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_start: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_start: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryAction {
    Created,
    StatusChanged,
    Rescheduled,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Booking {
    pub id: BookingId,
    pub client_id: UserId,
    pub photographer_id: UserId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_id: Option<String>,
    pub event_type: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub duration_minutes: u32,
    /// The photographer's zone when booked: local times in answers and emails.
    pub timezone: String,
    pub location: Location,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub price: Money,
    pub status: BookingStatus,
    /// The lock blocks this booking holds (empty once it no longer holds its slot).
    pub lock_blocks: Vec<i64>,
    /// The photographer-local date that this booking counts against.
    pub local_date: NaiveDate,
    /// Set when the booking was counted in the photographer's per-day counter (they had
    /// a daily limit then); releasing the slot then releases the count, and only then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_limit: Option<u32>,
    /// When the booking last entered `pending` (creation or a client's reschedule).
    pub requested_at: DateTime<Utc>,
    /// When a pending booking lapses.
    pub expires_at: DateTime<Utc>,
    pub cancellation_window_hours: u32,
    /// The deposit share, cancellation policy and commission in force when the booking
    /// was requested. Bookings from before payments read the defaults.
    #[serde(default)]
    pub payment_terms: PaymentTerms,
    /// Optimistic-concurrency version, bumped by every change.
    pub version: u64,
    /// iCalendar SEQUENCE: bumped by every change an attendee's calendar must see.
    pub sequence: u32,
    pub history: Vec<HistoryEntry>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Booking {
    /// The booking after an accepted status change: a new version and calendar
    /// sequence, its slot released if the new status frees it, and the change in its
    /// history. Every writer of status changes (users, the expiry sweep, demo data)
    /// goes through here so none of them forgets a part.
    pub fn after_transition(&self, change: &Transition, by: Option<UserId>) -> Booking {
        let mut next = self.clone();
        next.status = change.to;
        next.version += 1;
        next.sequence += 1;
        next.updated_at = change.at;
        if change.frees_slot {
            next.lock_blocks.clear();
        }
        next.history.push(HistoryEntry {
            at: change.at,
            by,
            actor: change.actor,
            action: HistoryAction::StatusChanged,
            from: Some(change.from),
            to: change.to,
            reason: change.reason.clone(),
            previous_start: None,
            new_start: None,
        });
        next
    }

    /// A new request from `client`, pending the photographer's answer.
    pub fn request(
        client: UserId,
        request: &BookingRequest,
        availability: &Availability,
        footprint: &BookingFootprint,
        quote: Quote,
        payment_terms: PaymentTerms,
        now: DateTime<Utc>,
    ) -> Booking {
        let cancellation_window = availability.cancellation_window();
        let ctx = TransitionContext::new(now, now, footprint.start, footprint.end, cancellation_window);
        Booking {
            id: BookingId::new(),
            client_id: client,
            photographer_id: request.photographer_id,
            package_id: request.package_id.clone(),
            event_type: request.event_type.as_str().to_string(),
            start: footprint.start,
            end: footprint.end,
            duration_minutes: quote.duration.minutes(),
            timezone: availability.timezone().name().to_string(),
            location: request.location.clone(),
            notes: request.notes.clone(),
            price: quote.price,
            status: BookingStatus::Pending,
            lock_blocks: footprint.lock_blocks.iter().map(|b| b.index()).collect(),
            local_date: footprint.local_date,
            daily_limit: footprint.daily_limit,
            requested_at: now,
            expires_at: ctx.expires_at(),
            cancellation_window_hours: u32::try_from(cancellation_window.num_hours()).unwrap_or(0),
            payment_terms,
            version: 1,
            sequence: 0,
            history: vec![HistoryEntry {
                at: now,
                by: Some(client),
                actor: Actor::Client,
                action: HistoryAction::Created,
                from: None,
                to: BookingStatus::Pending,
                reason: None,
                previous_start: None,
                new_start: Some(footprint.start),
            }],
            created_at: now,
            updated_at: now,
        }
    }

    /// The cancellation window the booking was made under.
    pub fn cancellation_window(&self) -> TimeDelta {
        TimeDelta::hours(i64::from(self.cancellation_window_hours))
    }

    /// What the lifecycle rules need to judge a change of this booking at `now`.
    pub fn transition_context(&self, now: DateTime<Utc>) -> TransitionContext {
        TransitionContext::new(now, self.requested_at, self.start, self.end, self.cancellation_window())
    }

    /// The booking moved to `footprint` at `price` (re-quoted for the new duration),
    /// with `status` as the lifecycle decided (a client's move asks the photographer
    /// again, so it is pending with a fresh expiry).
    pub fn after_reschedule(
        &self,
        footprint: &BookingFootprint,
        quote: Quote,
        status: BookingStatus,
        actor: Actor,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Booking {
        let mut moved = self.clone();
        moved.start = footprint.start;
        moved.end = footprint.end;
        moved.duration_minutes = quote.duration.minutes();
        moved.price = quote.price;
        moved.lock_blocks = footprint.lock_blocks.iter().map(|b| b.index()).collect();
        moved.local_date = footprint.local_date;
        moved.daily_limit = footprint.daily_limit;
        moved.status = status;
        moved.version += 1;
        moved.sequence += 1;
        moved.updated_at = now;
        if status == BookingStatus::Pending {
            moved.requested_at = now;
            let fresh = TransitionContext::new(now, now, moved.start, moved.end, self.cancellation_window());
            moved.expires_at = fresh.expires_at();
        }
        moved.history.push(HistoryEntry {
            at: now,
            by: Some(by),
            actor,
            action: HistoryAction::Rescheduled,
            from: Some(self.status),
            to: status,
            reason: None,
            previous_start: Some(self.start),
            new_start: Some(moved.start),
        });
        moved
    }

    /// The caller's part in this booking: its client, its photographer, or an admin
    /// (who sees every booking); `None` for anyone else.
    pub fn party_of(&self, user: UserId, is_admin: bool) -> Option<Actor> {
        if user == self.client_id {
            Some(Actor::Client)
        } else if user == self.photographer_id {
            Some(Actor::Photographer)
        } else if is_admin {
            Some(Actor::Admin)
        } else {
            None
        }
    }

    /// The time this booking occupies as the rules see it: exactly the lock blocks it
    /// holds in the table, whatever the photographer's buffers are today. `None` once
    /// it holds none.
    pub fn occupied(&self) -> Option<OccupiedInterval> {
        let first = *self.lock_blocks.iter().min()?;
        let last = *self.lock_blocks.iter().max()?;
        let block = i64::from(BLOCK_MINUTES) * 60;
        let from = DateTime::from_timestamp(first.checked_mul(block)?, 0)?;
        let to = DateTime::from_timestamp(last.checked_add(1)?.checked_mul(block)?, 0)?;
        Some(OccupiedInterval {
            booking_start: self.start,
            occupied: UtcRange::new(from, to)?,
            holder: Holder::Booking,
        })
    }
}

/// Existing bookings as the rules see them.
pub fn occupied_intervals(bookings: &[Booking]) -> Vec<OccupiedInterval> {
    bookings.iter().filter_map(Booking::occupied).collect()
}
