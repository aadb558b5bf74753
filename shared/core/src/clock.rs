//! The one way code learns the time. Domain rules take `now` as an argument; handlers
//! and jobs read it from the [`Clock`] they were given, so a test can move time past a
//! deadline, a TTL or a lock-out without rewriting stored items or sleeping.

use chrono::{DateTime, TimeDelta, Utc};
use std::sync::{Arc, Mutex, PoisonError};

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock: what every deployed function uses.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to. Clones share the same time, so a test keeps
/// one handle and the code under test another.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> ManualClock {
        ManualClock(Arc::new(Mutex::new(at)))
    }

    /// Starts at the current wall-clock time, truncated to whole seconds so values
    /// round-trip through second-precision storage unchanged.
    pub fn starting_now() -> ManualClock {
        let now = Utc::now();
        ManualClock::new(DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = at;
    }

    pub fn advance(&self, by: TimeDelta) {
        let mut t = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_one_time() {
        let clock = ManualClock::starting_now();
        let seen_by_handler: Arc<dyn Clock> = Arc::new(clock.clone());
        let before = seen_by_handler.now();
        clock.advance(TimeDelta::days(8));
        assert_eq!(seen_by_handler.now() - before, TimeDelta::days(8));
        clock.set(before);
        assert_eq!(seen_by_handler.now(), before);
    }
}
