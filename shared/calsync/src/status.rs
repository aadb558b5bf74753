//! The schedule of a calendar's syncs and what a failed one tells the photographer.

use chrono::{DateTime, TimeDelta, Utc};

/// How often each calendar is fetched (the schedule runs this often too).
pub const SYNC_EVERY: TimeDelta = TimeDelta::minutes(15);
/// How far ahead busy time is read: bookings further out are rare, and a longer window
/// only makes the stored item bigger.
pub const BUSY_DAYS_AHEAD: i64 = 183;
/// The longest a failing calendar waits before its next attempt.
const MAX_BACKOFF: TimeDelta = TimeDelta::hours(6);

/// The window busy time is kept for, as of `now`: from the start of yesterday (an event
/// in progress still blocks its end) to about six months ahead.
pub fn busy_window(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    (now - TimeDelta::days(1), now + TimeDelta::days(BUSY_DAYS_AHEAD))
}

/// When a calendar is fetched next: one period after a success; after failures, the
/// period doubled per consecutive failure (a calendar that is gone is not hammered),
/// up to six hours.
pub fn next_due(now: DateTime<Utc>, consecutive_failures: u32) -> DateTime<Utc> {
    let factor = 1i32 << consecutive_failures.min(5);
    now + (SYNC_EVERY * factor).min(MAX_BACKOFF)
}

/// Why a fetch failed, as the photographer is told it (short, no internals, never the
/// address).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchFailure {
    #[error("the calendar's address points at a private or reserved network address")]
    BlockedAddress,
    #[error("the calendar redirected to an address that is not allowed ({0})")]
    BlockedRedirect(String),
    #[error("the calendar redirected more than {0} times")]
    TooManyRedirects(usize),
    #[error("the calendar's host name could not be resolved")]
    Dns,
    #[error("the calendar could not be reached")]
    Connect,
    #[error("the calendar took longer than {0} seconds to answer")]
    Timeout(u64),
    #[error("the calendar is larger than {0} MB")]
    TooLarge(u64),
    #[error("the calendar's server answered HTTP {0}")]
    Status(u16),
    #[error("{0}")]
    Import(#[from] crate::busy::ImportError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_back_off_up_to_six_hours() {
        let now = DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(next_due(now, 0) - now, TimeDelta::minutes(15));
        assert_eq!(next_due(now, 1) - now, TimeDelta::minutes(30));
        assert_eq!(next_due(now, 3) - now, TimeDelta::minutes(120));
        assert_eq!(next_due(now, 5) - now, TimeDelta::minutes(480).min(TimeDelta::hours(6)));
        assert_eq!(next_due(now, 40) - now, TimeDelta::hours(6));
    }
}
