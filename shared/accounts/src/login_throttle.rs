//! Login throttling: after repeated failures an account's logins are refused for a
//! while that doubles with every further failure, so online guessing stays slow
//! while a user who mistypes a few times is never locked out.

use chrono::{DateTime, Duration, Utc};

/// Failures allowed before the first lock-out (the issue allows at most 10).
pub const FREE_FAILURES: u32 = 5;
pub const FIRST_LOCKOUT_SECONDS: i64 = 30;
pub const MAX_LOCKOUT_SECONDS: i64 = 60 * 60;

/// How long logins stay refused after the `failures`-th consecutive failure.
pub fn lockout_after(failures: u32) -> Option<Duration> {
    if failures < FREE_FAILURES {
        return None;
    }
    let doublings = (failures - FREE_FAILURES).min(20);
    let secs = (FIRST_LOCKOUT_SECONDS << doublings).min(MAX_LOCKOUT_SECONDS);
    Some(Duration::seconds(secs))
}

/// Seconds the client must wait before trying again, if it must wait.
pub fn retry_after(locked_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<i64> {
    let remaining_ms = (locked_until? - now).num_milliseconds();
    // Round up: telling a client to come back in 0 s invites an immediate retry.
    (remaining_ms > 0).then_some((remaining_ms + 999) / 1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn first_failures_are_free_then_lockouts_grow() {
        for n in 0..FREE_FAILURES {
            assert_eq!(lockout_after(n), None);
        }
        assert_eq!(lockout_after(5), Some(Duration::seconds(30)));
        assert_eq!(lockout_after(6), Some(Duration::seconds(60)));
        assert_eq!(lockout_after(8), Some(Duration::seconds(240)));
        assert_eq!(lockout_after(100), Some(Duration::seconds(MAX_LOCKOUT_SECONDS)));
    }

    #[test]
    fn retry_after_is_positive_only_while_locked() {
        let now = Utc::now();
        assert_eq!(retry_after(None, now), None);
        assert_eq!(retry_after(Some(now - Duration::seconds(1)), now), None);
        assert_eq!(retry_after(Some(now + Duration::seconds(30)), now), Some(30));
        assert_eq!(retry_after(Some(now + Duration::milliseconds(200)), now), Some(1));
    }

    proptest! {
        #[test]
        fn lockouts_never_shrink(n in 0u32..1000) {
            let a = lockout_after(n).unwrap_or_default();
            let b = lockout_after(n + 1).unwrap_or_default();
            prop_assert!(b >= a);
            prop_assert!(b <= Duration::seconds(MAX_LOCKOUT_SECONDS));
        }
    }
}
