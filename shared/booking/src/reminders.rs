//! Reminders before confirmed sessions, as pure rules. A scheduled job runs every few
//! minutes over the window of time since its last run; a reminder `h` hours before a
//! session falls due in the run whose window holds `start - h`. Consecutive windows
//! meet without overlapping, so each (booking, offset) falls due in exactly one run,
//! and the effect key ([`key`]) keeps it to one sending when a run is retried or two
//! runs overlap. The key names the session's start: a reschedule is a new session to
//! remind about, and the old time's reminder never falls due again because the
//! booking no longer starts then; a cancelled booking is no longer confirmed.

use crate::lifecycle::BookingStatus;
use chrono::{DateTime, TimeDelta, Utc};
use cm_core::BookingId;

/// How far back a run reaches when the last one was long ago (the job was off): a
/// day-before reminder is still worth a late send, a week-old backlog is not.
pub const MAX_CATCH_UP: TimeDelta = TimeDelta::hours(6);

/// The window `(from, through]` a run covers: from where the last run stopped (or one
/// `period` back on the first run), never further back than [`MAX_CATCH_UP`], to now.
pub fn run_window(
    last_through: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    period: TimeDelta,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let from = last_through.unwrap_or(now - period).max(now - MAX_CATCH_UP).min(now);
    (from, now)
}

/// The session starts whose reminder `hours` before falls due in `(from, through]`.
pub fn starts_due(from: DateTime<Utc>, through: DateTime<Utc>, hours: u32) -> (DateTime<Utc>, DateTime<Utc>) {
    let h = TimeDelta::hours(i64::from(hours));
    (from + h, through + h)
}

/// A session as the reminder rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    pub booking: BookingId,
    pub status: BookingStatus,
    pub start: DateTime<Utc>,
}

impl Session {
    /// When its reminder `hours` before is due.
    pub fn due_at(&self, hours: u32) -> DateTime<Utc> {
        self.start - TimeDelta::hours(i64::from(hours))
    }

    /// Whether its reminder `hours` before falls due in `(from, through]` and is still
    /// worth sending at `now`: the booking is confirmed and its session has not begun
    /// (a run that is late still reminds, but never after the start).
    pub fn is_due(&self, hours: u32, from: DateTime<Utc>, through: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        let due = self.due_at(hours);
        self.status == BookingStatus::Confirmed && from < due && due <= through && self.start > now
    }

    /// Names one reminder to one party of this session: the same for every run that
    /// meets it, different once the session moves.
    pub fn key(&self, hours: u32, role: &str) -> String {
        format!("remind:{}:{}:{hours}h:{role}", self.booking, self.start.timestamp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn t(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 1, 12, 0, 0).unwrap() + TimeDelta::minutes(min)
    }

    fn booking(start: DateTime<Utc>, status: BookingStatus) -> Session {
        Session { booking: "01JDXB00000000000000000002".parse().unwrap(), status, start }
    }

    #[test]
    fn the_first_run_looks_one_period_back_and_a_late_one_at_most_six_hours() {
        assert_eq!(run_window(None, t(0), TimeDelta::minutes(5)), (t(-5), t(0)));
        assert_eq!(run_window(Some(t(-7)), t(0), TimeDelta::minutes(5)), (t(-7), t(0)));
        assert_eq!(run_window(Some(t(-24 * 60)), t(0), TimeDelta::minutes(5)), (t(-6 * 60), t(0)));
        assert_eq!(
            run_window(Some(t(3)), t(0), TimeDelta::minutes(5)),
            (t(0), t(0)),
            "a clock behind never reaches forward"
        );
    }

    #[test]
    fn a_reminder_is_due_once_while_its_session_is_ahead_and_confirmed() {
        let b = booking(t(24 * 60), BookingStatus::Confirmed);
        assert!(b.is_due(24, t(-5), t(0), t(0)), "due exactly at the window's end");
        assert!(!b.is_due(24, t(0), t(5), t(5)), "and not in the next window");
        assert!(!b.is_due(2, t(-5), t(0), t(0)), "the two-hour one is not due yet");
        assert!(b.is_due(2, t(22 * 60 - 5), t(22 * 60), t(22 * 60)));
        assert!(!b.is_due(2, t(22 * 60 - 5), t(22 * 60), t(24 * 60)), "never once the session began");
        for status in [BookingStatus::Pending, BookingStatus::Cancelled, BookingStatus::Completed] {
            assert!(!booking(t(24 * 60), status).is_due(24, t(-5), t(0), t(0)), "{status:?}");
        }
        assert_eq!(starts_due(t(-5), t(0), 24), (t(24 * 60 - 5), t(24 * 60)));
    }

    #[test]
    fn a_moved_session_is_a_new_reminder() {
        let b = booking(t(24 * 60), BookingStatus::Confirmed);
        let moved = booking(t(26 * 60), BookingStatus::Confirmed);
        assert_ne!(b.key(24, "client"), moved.key(24, "client"));
        assert_ne!(b.key(24, "client"), b.key(2, "client"));
        assert_ne!(b.key(24, "client"), b.key(24, "photographer"));
    }

    proptest! {
        /// However the runs fall (late, early, uneven, up to the catch-up bound apart),
        /// consecutive windows give a reminder exactly one run: the one whose window
        /// holds its due time, if that run comes before the session starts; none when
        /// no window holds it.
        #[test]
        fn consecutive_runs_meet_each_reminder_once(
            gaps in proptest::collection::vec(1i64..=360, 1..60),
            start_min in 0i64..(30 * 60),
            hours in proptest::sample::select(vec![1u32, 2, 3, 6, 12, 24]),
        ) {
            let b = booking(t(start_min), BookingStatus::Confirmed);
            let due = b.due_at(hours);
            let mut last = None;
            let mut now = t(-(24 * 60) - 1);
            let mut hits = 0;
            let mut expected = 0;
            for g in gaps {
                now += TimeDelta::minutes(g);
                let (from, through) = run_window(last, now, TimeDelta::minutes(5));
                if let Some(l) = last {
                    prop_assert_eq!(from, l, "windows meet");
                }
                if b.is_due(hours, from, through, now) {
                    hits += 1;
                }
                if from < due && due <= through && now < b.start {
                    expected += 1;
                }
                last = Some(through);
            }
            prop_assert!(expected <= 1);
            prop_assert_eq!(hits, expected);
        }
    }
}
