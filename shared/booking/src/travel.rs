//! Travel between shoots: a photographer cannot be in two places at once, nor teleport.
//!
//! When two of a photographer's sessions both have coordinates, the time between the
//! end of the earlier and the start of the later must cover the journey (great-circle
//! distance over the photographer's average travel speed, rounded up to the minute)
//! plus the buffers they keep around every booking (after the earlier, before the
//! later), whatever their dates: a shoot ending at 23:30 and the next one's 00:30 start
//! are an hour apart like any other two. Sessions without coordinates constrain nothing
//! beyond the buffers: where they happen is unknown.
//!
//! The store keeps each located session on the item of its local date *and* of the
//! dates either side ([`DayPlaces`], with the item's `version`), so one read of a
//! session's day holds every session it could be too close to (two sessions two dates
//! apart are a whole day apart), and "the day's places are still what the check read"
//! can be a condition of the booking's transaction: two far-apart bookings racing for
//! one night cannot both commit either.

use chrono::{DateTime, TimeDelta, Utc};
use cm_core::BookingId;
use cm_geo::Point;
use serde::{Deserialize, Serialize};

use crate::availability::Availability;
use crate::blocks::Buffers;
use crate::booking::Booking;
use crate::slots::Slot;

/// Where one session happens, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub booking: BookingId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub lat: f64,
    pub lon: f64,
}

impl Place {
    /// The booking's place, if it was given with (valid) coordinates.
    pub fn of(b: &Booking) -> Option<Place> {
        let point = Point::new(b.location.lat?, b.location.lon?)?;
        Some(Place { booking: b.id, start: b.start, end: b.end, lat: point.lat(), lon: point.lon() })
    }

    pub fn point(&self) -> Option<Point> {
        Point::new(self.lat, self.lon)
    }
}

/// The located sessions of one photographer's local date and the dates either side, as
/// one read of that date's item saw them. `version` goes up every time a place is added
/// or moved.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayPlaces {
    pub version: u64,
    pub places: Vec<Place>,
}

/// Why a session cannot sit where it was asked: the neighbour it cannot reach (or be
/// reached from) in time.
#[derive(Debug, Clone, PartialEq)]
pub struct TravelConflict {
    /// The other session.
    pub other: BookingId,
    pub other_start: DateTime<Utc>,
    /// Whether the other session comes before the requested one.
    pub other_is_before: bool,
    pub distance_km: f64,
    /// Travel plus buffers.
    pub needed_minutes: u32,
    /// The time actually left between the two sessions (negative if they overlap).
    pub gap_minutes: i64,
}

/// Minutes to cover `distance_km` at `speed_kmh`, rounded up. A speed of zero is
/// treated as the slowest accepted one rather than dividing by zero.
pub fn travel_minutes(distance_km: f64, speed_kmh: u32) -> u32 {
    let speed = f64::from(speed_kmh.max(crate::limits::MIN_TRAVEL_SPEED_KMH));
    let minutes = (distance_km.max(0.0) / speed * 60.0).ceil();
    // The globe bounds the distance (≈ 20,000 km), so this never saturates in practice.
    if minutes >= f64::from(u32::MAX) { u32::MAX } else { minutes as u32 }
}

/// Checks a session at `new` against every other located session given (its day's, the
/// dates either side included). Reports the conflict nearest in time to `new`; sessions
/// of the same booking (a reschedule's old self) are ignored.
pub fn check_travel(new: &Place, day: &[Place], buffers: Buffers, speed_kmh: u32) -> Result<(), TravelConflict> {
    let Some(here) = new.point() else { return Ok(()) };
    let others: Vec<&Place> = day.iter().filter(|p| p.booking != new.booking).collect();
    conflict(Session { start: new.start, end: new.end, at: here }, &others, buffers, speed_kmh)
}

/// Keeps the slots a session at `at` could take without breaking the travel rule
/// against the located sessions in `others` (whatever their dates).
pub fn reachable_slots(slots: Vec<Slot>, at: Point, others: &[Place], availability: &Availability) -> Vec<Slot> {
    let others: Vec<&Place> = others.iter().collect();
    slots
        .into_iter()
        .filter(|slot| {
            let session = Session { start: slot.start_utc(), end: slot.end_utc(), at };
            conflict(session, &others, availability.buffers(), availability.travel_speed_kmh()).is_ok()
        })
        .collect()
}

struct Session {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    at: Point,
}

fn conflict(new: Session, others: &[&Place], buffers: Buffers, speed_kmh: u32) -> Result<(), TravelConflict> {
    let here = new.at;
    let mut nearest: Option<(TimeDelta, TravelConflict)> = None;
    for other in others {
        let Some(there) = other.point() else { continue };
        let other_is_before = other.start < new.start;
        let gap = if other_is_before { new.start - other.end } else { other.start - new.end };
        // The earlier session's buffer after and the later one's before: the same two
        // the lock blocks keep free, now with the road between them.
        let buffer = buffers.after_minutes() + buffers.before_minutes();
        let distance_km = here.distance_km(&there);
        let needed_minutes = travel_minutes(distance_km, speed_kmh).saturating_add(buffer);
        if gap.num_seconds() >= i64::from(needed_minutes) * 60 {
            continue;
        }
        let conflict = TravelConflict {
            other: other.booking,
            other_start: other.start,
            other_is_before,
            distance_km,
            needed_minutes,
            gap_minutes: gap.num_minutes(),
        };
        if nearest.as_ref().is_none_or(|(d, _)| gap.abs() < d.abs()) {
            nearest = Some((gap, conflict));
        }
    }
    nearest.map_or(Ok(()), |(_, c)| Err(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 5, 12, h, m, 0).unwrap()
    }

    fn place(id: u32, start: DateTime<Utc>, minutes: i64, lat: f64, lon: f64) -> Place {
        Place {
            booking: format!("{id:0>26}").parse().unwrap(),
            start,
            end: start + TimeDelta::minutes(minutes),
            lat,
            lon,
        }
    }

    // Central Paris to Versailles is about 17.9 km: 36 minutes at 30 km/h.
    const PARIS: (f64, f64) = (48.8566, 2.3522);
    const VERSAILLES: (f64, f64) = (48.8049, 2.1204);

    #[test]
    fn minutes_round_up_and_scale_with_speed() {
        assert_eq!(travel_minutes(0.0, 30), 0);
        assert_eq!(travel_minutes(15.0, 30), 30);
        assert_eq!(travel_minutes(15.01, 30), 31);
        assert_eq!(travel_minutes(15.0, 60), 15);
        assert_eq!(travel_minutes(1.0, 0), 12, "a zero speed is read as the slowest accepted");
    }

    #[test]
    fn the_next_shoot_must_leave_time_to_travel_plus_buffers() {
        let morning = place(1, at(9, 0), 60, PARIS.0, PARIS.1);
        let buffers = Buffers::new(15, 15).unwrap();
        // 10:00 end, 36 minutes of road and 30 of buffers: 11:06 at the earliest.
        let too_soon = place(2, at(11, 0), 60, VERSAILLES.0, VERSAILLES.1);
        let err = check_travel(&too_soon, std::slice::from_ref(&morning), buffers, 30).unwrap_err();
        assert_eq!(err.other, morning.booking);
        assert!(err.other_is_before);
        assert_eq!(err.needed_minutes, 66, "{err:?}");
        assert_eq!(err.gap_minutes, 60);
        assert!((err.distance_km - 17.9).abs() < 0.1, "{}", err.distance_km);
        let in_time = place(2, at(11, 15), 60, VERSAILLES.0, VERSAILLES.1);
        assert_eq!(check_travel(&in_time, std::slice::from_ref(&morning), buffers, 30), Ok(()));
        // The same rule backwards: a new morning shoot before an existing later one.
        let later = place(3, at(12, 0), 60, VERSAILLES.0, VERSAILLES.1);
        let before = place(4, at(10, 0), 60, PARIS.0, PARIS.1);
        let err = check_travel(&before, std::slice::from_ref(&later), buffers, 30).unwrap_err();
        assert!(!err.other_is_before);
        assert_eq!(err.gap_minutes, 60);
        // Faster travel makes it fit.
        assert_eq!(check_travel(&before, &[later], buffers, 60), Ok(()));
    }

    #[test]
    fn the_same_place_needs_only_the_buffers_and_unknown_places_nothing() {
        let buffers = Buffers::new(0, 0).unwrap();
        let a = place(1, at(9, 0), 60, PARIS.0, PARIS.1);
        let b = place(2, at(10, 0), 60, PARIS.0, PARIS.1);
        assert_eq!(check_travel(&b, std::slice::from_ref(&a), buffers, 30), Ok(()));
        let nowhere = place(3, at(10, 0), 60, f64::NAN, 0.0);
        assert_eq!(check_travel(&nowhere, &[a], buffers, 30), Ok(()));
    }

    #[test]
    fn a_booking_is_not_in_its_own_way_and_the_nearest_conflict_is_named() {
        let buffers = Buffers::default();
        let old_self = place(1, at(10, 0), 60, VERSAILLES.0, VERSAILLES.1);
        let moved = place(1, at(10, 30), 60, PARIS.0, PARIS.1);
        assert_eq!(check_travel(&moved, std::slice::from_ref(&old_self), buffers, 30), Ok(()));
        let far_early = place(2, at(6, 0), 60, VERSAILLES.0, VERSAILLES.1);
        let near_late = place(3, at(11, 45), 60, VERSAILLES.0, VERSAILLES.1);
        let err = check_travel(&moved, &[far_early.clone(), near_late.clone()], buffers, 30).unwrap_err();
        assert_eq!(err.other, near_late.booking);
        assert_eq!(check_travel(&moved, &[far_early], buffers, 30), Ok(()));
    }

    proptest! {
        /// The rule is symmetric: if A then B is too tight, B then A (A checked against
        /// B) is too, and a check passes exactly when the gap covers travel and buffers.
        #[test]
        fn symmetric_and_exact(
            gap in -120i64..600, minutes in 15i64..240,
            lat1 in -60.0f64..60.0, lon1 in -179.0f64..179.0,
            dlat in -0.5f64..0.5, dlon in -0.5f64..0.5,
            speed in 5u32..150, before in 0u32..5, after in 0u32..5,
        ) {
            let buffers = Buffers::new(before * 15, after * 15).unwrap();
            let a = place(1, at(6, 0), minutes, lat1, lon1);
            let b = place(2, a.end + TimeDelta::minutes(gap), 60, lat1 + dlat, lon1 + dlon);
            let ab = check_travel(&b, std::slice::from_ref(&a), buffers, speed);
            let ba = check_travel(&a, std::slice::from_ref(&b), buffers, speed);
            prop_assert_eq!(ab.is_ok(), ba.is_ok());
            let distance = a.point().unwrap().distance_km(&b.point().unwrap());
            let needed = i64::from(travel_minutes(distance, speed) + before * 15 + after * 15);
            // `gap` places B after A's end, but a gap below -minutes puts B wholly before A:
            // the time between them is then A's start less B's end. The separation of two
            // intervals is the larger of the two differences (negative when they overlap).
            let separation = (b.start - a.end).max(a.start - b.end).num_minutes();
            prop_assert_eq!(ab.is_ok(), separation >= needed);
        }
    }
}
