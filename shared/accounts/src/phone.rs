//! Proving a phone number is the caller's before any text goes to it: a six-digit code
//! sent by SMS, valid for ten minutes, with a few wrong tries allowed, and sends limited
//! so the endpoint cannot be used to flood someone's phone (or run up the SMS bill).
//!
//! Only the code's hash is kept. Six digits are quick to brute-force offline, so the
//! hash is no secret against someone who can read the table; what protects the code is
//! its short life and the wrong-try limit, both checked here on every read (DynamoDB's
//! TTL deletes expired items only eventually, so an expired item may still be read).

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How long a code can be used.
pub const CODE_LIFETIME: TimeDelta = TimeDelta::minutes(10);
/// The least time between two codes for one account.
pub const RESEND_AFTER: TimeDelta = TimeDelta::seconds(60);
/// Codes per account in any [`SEND_WINDOW`].
pub const SENDS_PER_WINDOW: usize = 5;
pub const SEND_WINDOW: TimeDelta = TimeDelta::hours(1);
/// Wrong codes before the code stops working (a new one must be asked for).
pub const MAX_WRONG: u32 = 5;

/// A code sent and not yet used, as stored (`USER#<id>` / `PHONEVERIFY`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingVerification {
    /// The number the code went to (E.164); it becomes the account's on success.
    pub phone: String,
    pub code_hash: String,
    pub expires_at: DateTime<Utc>,
    /// Wrong codes tried against this code.
    pub wrong: u32,
    /// When codes were sent within the last [`SEND_WINDOW`], oldest first.
    pub sent: Vec<DateTime<Utc>>,
    /// Bumped on every change: writes are conditional on the version read, so two
    /// guesses at once cannot both be counted as the first.
    pub version: u32,
}

impl PendingVerification {
    /// When the item can go (DynamoDB TTL): once neither the code nor the send limit
    /// needs it.
    pub fn forget_at(&self) -> DateTime<Utc> {
        let last_send = self.sent.last().copied().unwrap_or(self.expires_at);
        self.expires_at.max(last_send + SEND_WINDOW)
    }
}

/// Why no code is sent now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendRefusal {
    /// The last code went out less than [`RESEND_AFTER`] ago.
    TooSoon { retry_after: TimeDelta },
    /// [`SENDS_PER_WINDOW`] codes went out within the window.
    TooMany { retry_after: TimeDelta },
}

impl SendRefusal {
    pub fn retry_after(self) -> TimeDelta {
        match self {
            SendRefusal::TooSoon { retry_after } | SendRefusal::TooMany { retry_after } => retry_after,
        }
    }
}

/// A new code for `phone`, replacing any earlier one (for any number), if the send
/// limits allow it. `code_hash` is [`hash_code`] of the code about to be sent.
pub fn start(
    previous: Option<&PendingVerification>,
    phone: &str,
    code_hash: String,
    now: DateTime<Utc>,
) -> Result<PendingVerification, SendRefusal> {
    let recent: Vec<DateTime<Utc>> = previous
        .map(|p| p.sent.iter().copied().filter(|t| *t > now - SEND_WINDOW && *t <= now).collect())
        .unwrap_or_default();
    let soon = recent.last().map(|last| *last + RESEND_AFTER - now).filter(|w| *w > TimeDelta::zero());
    if recent.len() >= SENDS_PER_WINDOW {
        let oldest = recent[recent.len() - SENDS_PER_WINDOW];
        let wait = oldest + SEND_WINDOW - now;
        return Err(SendRefusal::TooMany { retry_after: soon.map_or(wait, |s| s.max(wait)) });
    }
    if let Some(wait) = soon {
        return Err(SendRefusal::TooSoon { retry_after: wait });
    }
    let mut sent = recent;
    sent.push(now);
    Ok(PendingVerification {
        phone: phone.to_string(),
        code_hash,
        expires_at: now + CODE_LIFETIME,
        wrong: 0,
        sent,
        version: previous.map_or(1, |p| p.version.wrapping_add(1)),
    })
}

/// What a presented code does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Right and in time: the number is the caller's.
    Verified {
        phone: String,
    },
    /// Wrong; `left` more tries before the code stops working. The caller stores
    /// `pending` (one more wrong try counted).
    Wrong {
        left: u32,
        pending: PendingVerification,
    },
    /// Too many wrong tries: only a new code helps.
    Locked,
    Expired,
}

/// Checks `code_hash` (the hash of what was typed) against the pending code.
pub fn check(pending: &PendingVerification, code_hash: &str, now: DateTime<Utc>) -> Check {
    if pending.wrong >= MAX_WRONG {
        return Check::Locked;
    }
    if now >= pending.expires_at {
        return Check::Expired;
    }
    if constant_time_eq(pending.code_hash.as_bytes(), code_hash.as_bytes()) {
        return Check::Verified { phone: pending.phone.clone() };
    }
    let mut next = pending.clone();
    next.wrong += 1;
    next.version = next.version.wrapping_add(1);
    Check::Wrong { left: MAX_WRONG - next.wrong, pending: next }
}

/// A code as the person types it: six digits, spaces and dashes ignored.
pub fn parse_code(input: &str) -> Result<String, String> {
    let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err("must be the 6-digit code we texted you".into())
    }
}

/// A fresh code: six uniformly random digits from the OS's generator.
pub fn new_code() -> String {
    use rand::Rng;
    format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32))
}

/// The stored form of a code: bound to the account and the number, so a code for one
/// number never verifies another.
pub fn hash_code(user_id: &str, phone: &str, code: &str) -> String {
    let mut h = Sha256::new();
    for part in [user_id, phone, code] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        "2026-12-01T10:00:00Z".parse().unwrap()
    }

    fn sent_at(offsets_s: &[i64]) -> PendingVerification {
        PendingVerification {
            phone: "+447700900123".into(),
            code_hash: hash_code("u", "+447700900123", "123456"),
            expires_at: t0() + CODE_LIFETIME,
            wrong: 0,
            sent: offsets_s.iter().map(|s| t0() + TimeDelta::seconds(*s)).collect(),
            version: 3,
        }
    }

    #[test]
    fn a_first_code_is_sent_and_lives_ten_minutes() {
        let p = start(None, "+447700900123", "h".into(), t0()).unwrap();
        assert_eq!(p.expires_at, t0() + TimeDelta::minutes(10));
        assert_eq!((p.wrong, p.version, p.sent.len()), (0, 1, 1));
    }

    #[test]
    fn a_second_code_within_a_minute_is_refused_with_the_wait() {
        let p = sent_at(&[0]);
        let r = start(Some(&p), "+447700900123", "h".into(), t0() + TimeDelta::seconds(20));
        assert_eq!(r, Err(SendRefusal::TooSoon { retry_after: TimeDelta::seconds(40) }));
        let ok = start(Some(&p), "+447700900123", "h".into(), t0() + TimeDelta::seconds(60)).unwrap();
        assert_eq!((ok.version, ok.sent.len(), ok.wrong), (4, 2, 0));
    }

    #[test]
    fn the_sixth_code_in_an_hour_waits_for_the_oldest_to_leave_the_window() {
        let p = sent_at(&[0, 600, 1200, 1800, 2400]);
        let at = t0() + TimeDelta::seconds(3000);
        let r = start(Some(&p), "+447700900123", "h".into(), at);
        assert_eq!(r, Err(SendRefusal::TooMany { retry_after: TimeDelta::seconds(600) }));
        let later = t0() + TimeDelta::seconds(3600);
        let ok = start(Some(&p), "+447700900123", "h".into(), later).unwrap();
        assert_eq!(ok.sent.len(), 5, "the send an hour ago left the window");
    }

    #[test]
    fn a_new_code_resets_the_wrong_tries() {
        let mut p = sent_at(&[0]);
        p.wrong = MAX_WRONG;
        let ok = start(Some(&p), "+447700900123", "h".into(), t0() + TimeDelta::minutes(2)).unwrap();
        assert_eq!(ok.wrong, 0);
    }

    #[test]
    fn the_right_code_in_time_verifies_its_number() {
        let p = sent_at(&[0]);
        let h = hash_code("u", "+447700900123", "123456");
        assert_eq!(check(&p, &h, t0() + TimeDelta::minutes(9)), Check::Verified { phone: "+447700900123".into() });
    }

    #[test]
    fn an_expired_code_is_refused_even_when_right() {
        let p = sent_at(&[0]);
        let h = hash_code("u", "+447700900123", "123456");
        assert_eq!(check(&p, &h, t0() + CODE_LIFETIME), Check::Expired);
    }

    #[test]
    fn wrong_codes_count_down_then_lock_even_the_right_one() {
        let mut p = sent_at(&[0]);
        let right = hash_code("u", "+447700900123", "123456");
        let wrong = hash_code("u", "+447700900123", "654321");
        for left in (0..MAX_WRONG).rev() {
            match check(&p, &wrong, t0()) {
                Check::Wrong { left: l, pending } => {
                    assert_eq!(l, left);
                    assert_eq!(pending.version, p.version + 1);
                    p = pending;
                }
                other => panic!("expected a wrong try, got {other:?}"),
            }
        }
        assert_eq!(check(&p, &right, t0()), Check::Locked);
    }

    #[test]
    fn a_code_is_bound_to_its_account_and_number() {
        let code = "123456";
        let base = hash_code("u1", "+447700900123", code);
        assert_ne!(base, hash_code("u2", "+447700900123", code));
        assert_ne!(base, hash_code("u1", "+447700900124", code));
        // Length-prefixed parts: moving characters between parts changes the hash.
        assert_ne!(hash_code("u1+", "447700900123", code), base);
    }

    #[test]
    fn codes_are_typed_with_spaces_or_dashes() {
        assert_eq!(parse_code(" 123 456 ").unwrap(), "123456");
        assert_eq!(parse_code("123-456").unwrap(), "123456");
        for bad in ["12345", "1234567", "12a456", "", "１２３４５６"] {
            assert!(parse_code(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn new_codes_are_six_digits(_i in 0..50u8) {
            let c = new_code();
            prop_assert_eq!(c.len(), 6);
            prop_assert!(parse_code(&c).is_ok());
        }

        /// However the sends fall, never more than the window allows, never two
        /// within a minute, and the wait given is exactly when the next one is allowed.
        #[test]
        fn sends_never_exceed_the_limits(gaps in proptest::collection::vec(0i64..1500, 1..40)) {
            let mut now = t0();
            let mut pending: Option<PendingVerification> = None;
            let mut accepted: Vec<DateTime<Utc>> = Vec::new();
            for gap in gaps {
                now += TimeDelta::seconds(gap);
                match start(pending.as_ref(), "+447700900123", "h".into(), now) {
                    Ok(p) => {
                        accepted.push(now);
                        pending = Some(p);
                    }
                    Err(refusal) => {
                        let wait = refusal.retry_after();
                        prop_assert!(wait > TimeDelta::zero());
                        let then = start(pending.as_ref(), "+447700900123", "h".into(), now + wait);
                        prop_assert!(then.is_ok(), "waiting {wait} was not enough: {then:?}");
                    }
                }
                let in_window = accepted.iter().filter(|t| **t > now - SEND_WINDOW).count();
                prop_assert!(in_window <= SENDS_PER_WINDOW);
            }
            for pair in accepted.windows(2) {
                prop_assert!(pair[1] - pair[0] >= RESEND_AFTER);
            }
        }
    }
}
