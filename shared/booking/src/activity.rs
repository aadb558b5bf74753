//! What one change of a booking tells about its photographer's activity, for the
//! recommendation features the booking stream keeps (docs/recommendations.md,
//! "Features"): which day it now holds, how quickly the photographer answered, a
//! completed shoot, a confirmed client. Pure: the stream consumer applies it.

use crate::booking::Booking;
use crate::lifecycle::{BookingStatus, holds_slot};
use chrono::{DateTime, NaiveDate, Utc};
use cm_core::{BookingId, UserId};

/// The parts of a booking its activity depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub id: BookingId,
    pub client: UserId,
    pub photographer: UserId,
    pub status: BookingStatus,
    pub local_date: NaiveDate,
    /// When it last entered `pending`.
    pub requested_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Booking> for Facts {
    fn from(b: &Booking) -> Facts {
        Facts {
            id: b.id,
            client: b.client_id,
            photographer: b.photographer_id,
            status: b.status,
            local_date: b.local_date,
            requested_at: b.requested_at,
            updated_at: b.updated_at,
        }
    }
}

/// An answered request: the photographer confirmed or declined it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Unique to this request of this booking (a reschedule asks again).
    pub event: String,
    pub minutes: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activity {
    /// The booked day moved from the first (held before) to the second (held now).
    pub booked_day: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
    pub answered: Option<Answer>,
    /// The booking was completed; the event names it.
    pub completed: Option<String>,
    /// The client now has a confirmed booking with the photographer.
    pub confirmed_client: Option<(UserId, UserId)>,
}

/// The activity of one change from `old` to `new` (`None`: the item did not exist
/// before, or was deleted).
pub fn activity(old: Option<&Facts>, new: Option<&Facts>) -> Activity {
    let held = |f: Option<&Facts>| f.filter(|f| holds_slot(f.status)).map(|f| f.local_date);
    let (before, now) = (held(old), held(new));
    let mut out = Activity { booked_day: (before != now).then_some((before, now)), ..Activity::default() };
    let Some(new) = new else { return out };
    let was = old.map(|o| o.status);
    if was == Some(BookingStatus::Pending)
        && matches!(new.status, BookingStatus::Confirmed | BookingStatus::Declined)
        && let Some(old) = old
    {
        let minutes = (new.updated_at - old.requested_at).num_minutes().clamp(0, i64::from(u32::MAX));
        out.answered = Some(Answer {
            event: format!("answer#{}#{}", new.id, old.requested_at.timestamp_micros()),
            minutes: minutes as u32,
        });
    }
    if new.status == BookingStatus::Completed && was != Some(BookingStatus::Completed) {
        out.completed = Some(format!("completed#{}", new.id));
    }
    if new.status == BookingStatus::Confirmed && was != Some(BookingStatus::Confirmed) {
        out.confirmed_client = Some((new.client, new.photographer));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn facts(status: BookingStatus, date: &str) -> Facts {
        let at: DateTime<Utc> = "2026-12-01T10:00:00Z".parse().unwrap();
        Facts {
            id: "01HZ0000000000000000000001".parse().unwrap(),
            client: "01HZ0000000000000000000002".parse().unwrap(),
            photographer: "01HZ0000000000000000000003".parse().unwrap(),
            status,
            local_date: date.parse().unwrap(),
            requested_at: at,
            updated_at: at,
        }
    }

    fn later(mut f: Facts, status: BookingStatus, minutes: i64) -> Facts {
        f.status = status;
        f.updated_at += TimeDelta::minutes(minutes);
        f
    }

    #[test]
    fn a_new_request_holds_its_day_and_nothing_else() {
        let new = facts(BookingStatus::Pending, "2026-12-20");
        let a = activity(None, Some(&new));
        assert_eq!(a.booked_day, Some((None, Some(new.local_date))));
        assert_eq!((a.answered, a.completed, a.confirmed_client), (None, None, None));
    }

    #[test]
    fn confirming_answers_the_request_and_makes_a_client() {
        let old = facts(BookingStatus::Pending, "2026-12-20");
        let new = later(old.clone(), BookingStatus::Confirmed, 95);
        let a = activity(Some(&old), Some(&new));
        assert_eq!(a.booked_day, None, "still the same day");
        let answer = a.answered.unwrap();
        assert_eq!(answer.minutes, 95);
        assert!(answer.event.starts_with(&format!("answer#{}#", new.id)));
        assert_eq!(a.confirmed_client, Some((new.client, new.photographer)));
    }

    #[test]
    fn declining_answers_and_frees_the_day() {
        let old = facts(BookingStatus::Pending, "2026-12-20");
        let new = later(old.clone(), BookingStatus::Declined, 30);
        let a = activity(Some(&old), Some(&new));
        assert_eq!(a.answered.map(|x| x.minutes), Some(30));
        assert_eq!(a.booked_day, Some((Some(old.local_date), None)));
        assert_eq!(a.confirmed_client, None);
    }

    #[test]
    fn expiry_and_a_clients_cancellation_are_not_answers() {
        let old = facts(BookingStatus::Pending, "2026-12-20");
        for status in [BookingStatus::Expired, BookingStatus::Cancelled] {
            let a = activity(Some(&old), Some(&later(old.clone(), status, 600)));
            assert_eq!(a.answered, None);
            assert_eq!(a.booked_day, Some((Some(old.local_date), None)));
        }
    }

    #[test]
    fn a_reschedule_moves_the_day_and_asks_again() {
        let old = later(facts(BookingStatus::Pending, "2026-12-20"), BookingStatus::Confirmed, 10);
        let mut moved = later(old.clone(), BookingStatus::Pending, 60);
        moved.local_date = "2027-01-03".parse().unwrap();
        moved.requested_at = moved.updated_at;
        let a = activity(Some(&old), Some(&moved));
        assert_eq!(a.booked_day, Some((Some(old.local_date), Some(moved.local_date))));
        let first = activity(Some(&facts(BookingStatus::Pending, "2026-12-20")), Some(&old)).answered.unwrap();
        let again = activity(Some(&moved), Some(&later(moved.clone(), BookingStatus::Confirmed, 5))).answered.unwrap();
        assert_eq!(again.minutes, 5);
        assert_ne!(first.event, again.event, "each request is answered once");
    }

    #[test]
    fn completion_counts_once_and_frees_the_day() {
        let old = later(facts(BookingStatus::Pending, "2026-12-20"), BookingStatus::Confirmed, 10);
        let done = later(old.clone(), BookingStatus::Completed, 9000);
        let a = activity(Some(&old), Some(&done));
        assert_eq!(a.completed, Some(format!("completed#{}", done.id)));
        assert_eq!(a.booked_day, Some((Some(old.local_date), None)));
        assert_eq!(a.confirmed_client, None, "already counted when confirmed");
        assert_eq!(activity(Some(&done), Some(&done)).completed, None);
    }

    #[test]
    fn a_deleted_booking_releases_its_day() {
        let old = facts(BookingStatus::Confirmed, "2026-12-20");
        assert_eq!(
            activity(Some(&old), None),
            Activity { booked_day: Some((Some(old.local_date), None)), ..Activity::default() }
        );
    }
}
