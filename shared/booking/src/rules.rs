//! The booking rules, evaluated for one requested start. Slot generation filters its
//! candidates through exactly these checks, so every offered slot passes
//! [`check_booking`] and every start `check_booking` accepts is offered.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::availability::Availability;
use crate::blocks::{
    BlockSpan, BookingDuration, MAX_DURATION_MINUTES, MIN_DURATION_MINUTES, OccupiedInterval, occupied_interval,
    on_block_grid,
};
use crate::calendar::{Calendar, is_on_slot_step};
use crate::time::UtcRange;

/// The rule a requested booking breaks. `code()` is stable and machine-readable; the
/// `Display` text is for people.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleViolation {
    #[error(
        "duration must be a multiple of 15 minutes between {MIN_DURATION_MINUTES} and {MAX_DURATION_MINUTES}, not {minutes}"
    )]
    InvalidDuration { minutes: u32 },
    #[error("the requested start is in the past")]
    StartInPast,
    #[error("bookings need at least {minutes} minutes' notice")]
    MinNotice { minutes: i64 },
    #[error("bookings can be made at most {days} days ahead")]
    TooFarAhead { days: u32 },
    #[error("the requested time is outside the photographer's working hours")]
    OutsideWorkingHours,
    #[error("bookings start every {step_minutes} minutes from the start of a working interval")]
    NotOnSlotStep { step_minutes: u32 },
    #[error("the photographer is away at the requested time")]
    TimeOff,
    #[error("the requested time (with its buffers) overlaps another booking")]
    Overlap,
    #[error("the photographer takes at most {limit} bookings on {date}")]
    DailyLimit { date: NaiveDate, limit: u32 },
    #[error(
        "the photographer needs {needed_minutes} minutes (travel and buffers) between this place and their {} booking at {}, {distance_km:.1} km away, but the times leave {gap_minutes}",
        if *other_is_before { "earlier" } else { "later" },
        other_start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    )]
    TravelTime {
        other_start: DateTime<Utc>,
        other_is_before: bool,
        distance_km: f64,
        needed_minutes: u32,
        gap_minutes: i64,
    },
}

impl From<crate::travel::TravelConflict> for RuleViolation {
    fn from(c: crate::travel::TravelConflict) -> Self {
        RuleViolation::TravelTime {
            other_start: c.other_start,
            other_is_before: c.other_is_before,
            distance_km: (c.distance_km * 10.0).round() / 10.0,
            needed_minutes: c.needed_minutes,
            gap_minutes: c.gap_minutes,
        }
    }
}

impl RuleViolation {
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidDuration { .. } => "invalid_duration",
            Self::StartInPast => "start_in_past",
            Self::MinNotice { .. } => "min_notice",
            Self::TooFarAhead { .. } => "too_far_ahead",
            Self::OutsideWorkingHours => "outside_working_hours",
            Self::NotOnSlotStep { .. } => "not_on_slot_step",
            Self::TimeOff => "time_off",
            Self::Overlap => "overlap",
            Self::DailyLimit { .. } => "daily_limit",
            Self::TravelTime { .. } => "travel_time",
        }
    }
}

/// `{"code": "...", "message": "..."}`.
impl Serialize for RuleViolation {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("RuleViolation", 2)?;
        state.serialize_field("code", self.code())?;
        state.serialize_field("message", &self.to_string())?;
        state.end()
    }
}

/// Checks one requested booking against every rule, reporting the first one broken in
/// this order: duration, timing (past, notice, horizon), working hours, slot step, time
/// off, overlap with existing bookings, daily limit.
///
/// `existing` must hold only bookings that hold their slot (pending or confirmed),
/// excluding the booking being rescheduled if any.
pub fn check_booking(
    availability: &Availability,
    existing: &[OccupiedInterval],
    start: DateTime<Utc>,
    duration_minutes: u32,
    now: DateTime<Utc>,
) -> Result<(), RuleViolation> {
    let duration = BookingDuration::from_minutes(duration_minutes)
        .ok_or(RuleViolation::InvalidDuration { minutes: duration_minutes })?;
    let rules = Rules::new(availability, existing, now);
    // Timing first: it bounds `start` near `now`, so the calendar below cannot overflow.
    rules.check_timing(start)?;
    let date = availability.local_date(start);
    let calendar = Calendar::new(availability, date, date).ok_or(RuleViolation::OutsideWorkingHours)?;
    rules.check(&calendar, start, duration)
}

/// Everything about the existing bookings and the clock that the rules need, computed
/// once per request rather than once per candidate.
pub(crate) struct Rules<'a> {
    availability: &'a Availability,
    now: DateTime<Utc>,
    earliest: DateTime<Utc>,
    latest: DateTime<Utc>,
    /// Existing bookings' lock blocks, unioned and sorted.
    busy: Vec<BlockSpan>,
    per_day: HashMap<NaiveDate, u32>,
}

impl<'a> Rules<'a> {
    pub(crate) fn new(availability: &'a Availability, existing: &[OccupiedInterval], now: DateTime<Utc>) -> Self {
        let earliest = now.checked_add_signed(availability.min_notice()).unwrap_or(DateTime::<Utc>::MAX_UTC);
        let horizon = TimeDelta::days(i64::from(availability.max_days_ahead()));
        let latest = now.checked_add_signed(horizon).unwrap_or(DateTime::<Utc>::MAX_UTC);
        let mut per_day = HashMap::new();
        for booking in existing.iter().filter(|b| b.is_booking()) {
            *per_day.entry(availability.local_date(booking.booking_start)).or_insert(0) += 1;
        }
        Self { availability, now, earliest, latest, busy: busy_blocks(existing), per_day }
    }

    /// The photographer-local dates on which a start could pass the timing checks.
    pub(crate) fn bookable_dates(&self) -> (NaiveDate, NaiveDate) {
        (self.availability.local_date(self.earliest), self.availability.local_date(self.latest))
    }

    pub(crate) fn check(
        &self,
        calendar: &Calendar<'_>,
        start: DateTime<Utc>,
        duration: BookingDuration,
    ) -> Result<(), RuleViolation> {
        self.check_timing(start)?;
        let session = start
            .checked_add_signed(duration.as_delta())
            .and_then(|end| UtcRange::new(start, end))
            .ok_or(RuleViolation::OutsideWorkingHours)?;
        self.check_placement(calendar, &session)?;
        self.check_conflicts(start, duration)
    }

    pub(crate) fn check_timing(&self, start: DateTime<Utc>) -> Result<(), RuleViolation> {
        if start < self.now {
            Err(RuleViolation::StartInPast)
        } else if start < self.earliest {
            Err(RuleViolation::MinNotice { minutes: self.availability.min_notice().num_minutes() })
        } else if start > self.latest {
            Err(RuleViolation::TooFarAhead { days: self.availability.max_days_ahead() })
        } else {
            Ok(())
        }
    }

    /// A start must also lie on the lock-block grid. Quarter-hour interval boundaries and
    /// steps put every start there under any UTC offset in use today; only a historical
    /// offset that is not a whole quarter hour (Monrovia was −00:44:30 until 1972) reads
    /// on the step yet falls between blocks, where the booking would round out to one
    /// lock block more than `MAX_LOCK_BLOCKS` allows.
    fn check_placement(&self, calendar: &Calendar<'_>, session: &UtcRange) -> Result<(), RuleViolation> {
        if !calendar.contains(session) {
            Err(RuleViolation::OutsideWorkingHours)
        } else if !is_on_slot_step(self.availability, session.start()) || !on_block_grid(session.start()) {
            Err(RuleViolation::NotOnSlotStep { step_minutes: self.availability.slot_step_minutes() })
        } else if self.availability.overlaps_time_off(session) {
            Err(RuleViolation::TimeOff)
        } else {
            Ok(())
        }
    }

    fn check_conflicts(&self, start: DateTime<Utc>, duration: BookingDuration) -> Result<(), RuleViolation> {
        let occupied = occupied_interval(start, duration, self.availability.buffers()).ok_or(RuleViolation::Overlap)?;
        if self.blocks_taken(BlockSpan::covering(&occupied)) {
            return Err(RuleViolation::Overlap);
        }
        let Some(limit) = self.availability.max_bookings_per_day() else {
            return Ok(());
        };
        let date = self.availability.local_date(start);
        if self.per_day.get(&date).copied().unwrap_or(0) >= limit {
            return Err(RuleViolation::DailyLimit { date, limit });
        }
        Ok(())
    }

    /// Compares lock blocks rather than exact intervals: that is what the database
    /// enforces, so a slot offered here is one whose lock items can actually be written.
    fn blocks_taken(&self, span: BlockSpan) -> bool {
        let first_ending_after = self.busy.partition_point(|b| b.end <= span.first);
        self.busy.get(first_ending_after).is_some_and(|b| b.intersects(span))
    }
}

fn busy_blocks(existing: &[OccupiedInterval]) -> Vec<BlockSpan> {
    let mut spans: Vec<BlockSpan> = existing.iter().map(|b| BlockSpan::covering(&b.occupied)).collect();
    spans.sort();
    let mut merged: Vec<BlockSpan> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.first <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    merged
}
