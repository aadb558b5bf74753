//! How often one connection may act: a fixed window per connection, kept on the
//! connection's item and advanced with a conditional write, so parallel invocations
//! for one socket cannot both take the last place.

use serde::{Deserialize, Serialize};

/// A window's start (Unix seconds) and what was admitted in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Window {
    pub start: i64,
    pub count: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub per_window: u32,
    pub window_secs: i64,
}

/// Messages: 20 in any 10-second window per connection. A person typing fast sends a
/// few a second at most; a script gets cut off.
pub const MESSAGES: Policy = Policy { per_window: 20, window_secs: 10 };
/// Typing indicators: one relayed per 3 seconds per connection (clients send one per
/// keystroke burst; the other side only needs to know someone is typing).
pub const TYPING: Policy = Policy { per_window: 1, window_secs: 3 };

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Admit(Window),
    /// Refused; the window reopens this many seconds from now.
    Refuse {
        retry_after_secs: i64,
    },
}

/// Whether one more action is admitted at `now` (Unix seconds), and the window to store.
pub fn admit(current: Option<Window>, now: i64, policy: Policy) -> Decision {
    let start = now - now.rem_euclid(policy.window_secs);
    match current {
        Some(w) if w.start == start && w.count >= policy.per_window => {
            Decision::Refuse { retry_after_secs: (start + policy.window_secs - now).max(1) }
        }
        Some(w) if w.start == start => Decision::Admit(Window { start, count: w.count + 1 }),
        _ => Decision::Admit(Window { start, count: 1 }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_window_admits_its_quota_then_refuses_until_the_next() {
        let mut w = None;
        let t0 = 1_000_000_000; // on a window boundary
        for i in 0..MESSAGES.per_window {
            match admit(w, t0 + 3, MESSAGES) {
                Decision::Admit(n) => {
                    assert_eq!(n.count, i + 1);
                    w = Some(n)
                }
                d => panic!("refused {i}: {d:?}"),
            }
        }
        assert_eq!(admit(w, t0 + 3, MESSAGES), Decision::Refuse { retry_after_secs: 7 });
        assert_eq!(admit(w, t0 + 10, MESSAGES), Decision::Admit(Window { start: t0 + 10, count: 1 }));
    }

    proptest! {
        #[test]
        fn no_window_admits_more_than_its_quota(times in proptest::collection::vec(0i64..100, 1..200)) {
            let mut sorted = times.clone();
            sorted.sort();
            let mut w = None;
            let mut admitted: std::collections::HashMap<i64, u32> = Default::default();
            for t in sorted {
                if let Decision::Admit(n) = admit(w, t, MESSAGES) {
                    *admitted.entry(n.start).or_default() += 1;
                    w = Some(n);
                }
            }
            prop_assert!(admitted.values().all(|&n| n <= MESSAGES.per_window));
        }
    }
}
