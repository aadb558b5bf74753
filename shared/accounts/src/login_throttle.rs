//! Login throttling: after repeated failures, sign-ins are refused for a while that
//! doubles with every further failure, so online guessing stays slow while a user who
//! mistypes a few times is never locked out.
//!
//! Failures are counted under two keys, neither of which depends on whether the email
//! has an account (so the answers cannot tell an attacker which addresses exist):
//! - the email *from one source address* ([`PER_ACCOUNT`]): guessing one person's
//!   password is slow, but an attacker elsewhere cannot lock the real user out;
//! - the source address alone ([`PER_SOURCE`]): spraying one password across many
//!   accounts from one place is slow too.

use chrono::{DateTime, Duration, Utc};

/// Failures allowed before the first lock-out of an email from one source.
pub const FREE_FAILURES: u32 = 5;
pub const FIRST_LOCKOUT_SECONDS: i64 = 30;
pub const MAX_LOCKOUT_SECONDS: i64 = 60 * 60;

/// When failures under one key start locking, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub free_failures: u32,
    pub first_lockout_seconds: i64,
    pub max_lockout_seconds: i64,
}

/// One email from one source address.
pub const PER_ACCOUNT: Policy = Policy {
    free_failures: FREE_FAILURES,
    first_lockout_seconds: FIRST_LOCKOUT_SECONDS,
    max_lockout_seconds: MAX_LOCKOUT_SECONDS,
};

/// One source address, whatever the emails: generous enough for an office behind one
/// NAT, tight enough that spraying passwords across accounts stays slow.
pub const PER_SOURCE: Policy =
    Policy { free_failures: 30, first_lockout_seconds: 60, max_lockout_seconds: MAX_LOCKOUT_SECONDS };

/// Failure counts are forgotten this long after the last failure.
pub const FAILURES_REMEMBERED: Duration = Duration::days(1);

impl Policy {
    /// How long sign-ins stay refused after the `failures`-th consecutive failure.
    pub fn lockout_after(&self, failures: u32) -> Option<Duration> {
        if failures < self.free_failures {
            return None;
        }
        let doublings = (failures - self.free_failures).min(20);
        let secs = (self.first_lockout_seconds << doublings).min(self.max_lockout_seconds);
        Some(Duration::seconds(secs))
    }
}

/// The key failures of `normalized_email` from `source` are counted under.
pub fn account_key(normalized_email: &str, source: &str) -> String {
    format!("email:{normalized_email}|from:{source}")
}

/// The key failures from `source` are counted under.
pub fn source_key(source: &str) -> String {
    format!("from:{source}")
}

/// How long logins stay refused after the `failures`-th consecutive failure of one
/// email from one source.
pub fn lockout_after(failures: u32) -> Option<Duration> {
    PER_ACCOUNT.lockout_after(failures)
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

    #[test]
    fn a_source_gets_more_room_than_one_account() {
        assert_eq!(PER_SOURCE.lockout_after(29), None);
        assert_eq!(PER_SOURCE.lockout_after(30), Some(Duration::seconds(60)));
        const { assert!(PER_SOURCE.free_failures > PER_ACCOUNT.free_failures) };
        assert_ne!(account_key("a@b.co", "1.2.3.4"), account_key("a@b.co", "5.6.7.8"));
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
