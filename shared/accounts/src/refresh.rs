//! Refresh tokens: opaque, rotating, grouped in families. A sign-in starts a family;
//! each refresh rotates it to the next generation. Presenting an older generation means
//! a token was copied, and the whole family is revoked (OAuth 2.0 Security BCP,
//! refresh token rotation).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use cm_core::UserId;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefreshFamily {
    pub family: String,
    pub user_id: UserId,
    pub generation: u64,
    /// SHA-256 of the current generation's secret; the secret itself is never stored.
    pub secret_hash: String,
    pub revoked: bool,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The hash of the generation before the current one, and when it was rotated
    /// away: lets a concurrent refresh with that token be told from a copied one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotated_at: Option<DateTime<Utc>>,
}

/// How long after a rotation the token it replaced still reads as the same holder
/// refreshing twice at once (two tabs, a retried request) rather than as a copy.
pub const ROTATION_GRACE: TimeDelta = TimeDelta::seconds(30);

/// What a refresh with `token` against `family` must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshDecision {
    /// The current token: rotate to the next generation.
    Rotate,
    /// The token rotated away moments ago, presented again: a concurrent refresh by
    /// the same holder. Refused, but the family lives on.
    Superseded,
    /// An older generation coming back: a copy is in use. Revoke the whole family.
    Reuse,
    /// Not a live token of this family (revoked, expired, or a wrong secret).
    Reject,
}

impl RefreshFamily {
    pub fn decide(&self, token: &RefreshToken, now: DateTime<Utc>) -> RefreshDecision {
        if self.revoked || self.expires_at <= now || token.family != self.family {
            return RefreshDecision::Reject;
        }
        if token.generation == self.generation {
            return if token.matches_hash(&self.secret_hash) {
                RefreshDecision::Rotate
            } else {
                RefreshDecision::Reject
            };
        }
        if token.generation > self.generation {
            return RefreshDecision::Reject;
        }
        if token.generation + 1 == self.generation
            && let (Some(previous), Some(rotated_at)) = (&self.previous_hash, self.rotated_at)
        {
            if !token.matches_hash(previous) {
                // Someone who knows the family id but not its secrets: not a copy of
                // a real token, so no reason to log the holder out.
                return RefreshDecision::Reject;
            }
            if now - rotated_at <= ROTATION_GRACE {
                return RefreshDecision::Superseded;
            }
        }
        RefreshDecision::Reuse
    }
}

/// A refresh token as handed to clients: `<family>.<generation>.<secret>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub family: String,
    pub generation: u64,
    pub secret: String,
}

impl RefreshToken {
    pub fn new_family() -> RefreshToken {
        RefreshToken { family: random_token(16), generation: 0, secret: random_token(32) }
    }

    pub fn next(&self) -> RefreshToken {
        RefreshToken { family: self.family.clone(), generation: self.generation + 1, secret: random_token(32) }
    }

    pub fn secret_hash(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.secret.as_bytes()))
    }

    pub fn parse(raw: &str) -> Option<RefreshToken> {
        let mut parts = raw.trim().split('.');
        let (family, generation, secret) = (parts.next()?, parts.next()?, parts.next()?);
        let well_formed = |s: &str| {
            !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if parts.next().is_some() || !well_formed(family) || !well_formed(secret) {
            return None;
        }
        Some(RefreshToken { family: family.into(), generation: generation.parse().ok()?, secret: secret.into() })
    }

    /// Compares hashes in constant time, so response timing leaks nothing about the secret.
    pub fn matches_hash(&self, stored_hash: &str) -> bool {
        let ours = self.secret_hash();
        ours.len() == stored_hash.len()
            && ours.bytes().zip(stored_hash.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

impl std::fmt::Display for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.family, self.generation, self.secret)
    }
}

fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn family_at(token: &RefreshToken, now: DateTime<Utc>) -> RefreshFamily {
        RefreshFamily {
            family: token.family.clone(),
            user_id: UserId::new(),
            generation: token.generation,
            secret_hash: token.secret_hash(),
            revoked: false,
            created_at: now,
            expires_at: now + TimeDelta::days(30),
            previous_hash: None,
            rotated_at: None,
        }
    }

    /// The family after `from` was rotated to `to` at `at`.
    fn rotated(f: &RefreshFamily, from: &RefreshToken, to: &RefreshToken, at: DateTime<Utc>) -> RefreshFamily {
        RefreshFamily {
            generation: to.generation,
            secret_hash: to.secret_hash(),
            previous_hash: Some(from.secret_hash()),
            rotated_at: Some(at),
            ..f.clone()
        }
    }

    #[test]
    fn the_current_token_rotates_and_a_concurrent_twin_is_superseded_not_revoked() {
        let now = Utc::now();
        let t0 = RefreshToken::new_family();
        let f0 = family_at(&t0, now);
        assert_eq!(f0.decide(&t0, now), RefreshDecision::Rotate);
        let t1 = t0.next();
        let f1 = rotated(&f0, &t0, &t1, now);
        assert_eq!(f1.decide(&t1, now), RefreshDecision::Rotate);
        // The other tab sent t0 at the same moment.
        assert_eq!(f1.decide(&t0, now + TimeDelta::seconds(2)), RefreshDecision::Superseded);
        // Long after: t0 can only be a copy.
        assert_eq!(f1.decide(&t0, now + ROTATION_GRACE + TimeDelta::seconds(1)), RefreshDecision::Reuse);
        // Two generations back is a copy whatever the time.
        let t2 = t1.next();
        let f2 = rotated(&f1, &t1, &t2, now);
        assert_eq!(f2.decide(&t0, now), RefreshDecision::Reuse);
    }

    #[test]
    fn wrong_secrets_revoked_and_expired_families_are_rejected() {
        let now = Utc::now();
        let t0 = RefreshToken::new_family();
        let f0 = family_at(&t0, now);
        let forged = RefreshToken { secret: "x".repeat(43), ..t0.clone() };
        assert_eq!(f0.decide(&forged, now), RefreshDecision::Reject);
        assert_eq!(f0.decide(&t0.next(), now), RefreshDecision::Reject, "a generation from the future");
        assert_eq!(RefreshFamily { revoked: true, ..f0.clone() }.decide(&t0, now), RefreshDecision::Reject);
        assert_eq!(f0.decide(&t0, now + TimeDelta::days(31)), RefreshDecision::Reject);
        // Knowing the family id and guessing at the previous secret logs nobody out.
        let t1 = t0.next();
        let f1 = rotated(&f0, &t0, &t1, now);
        assert_eq!(f1.decide(&forged, now), RefreshDecision::Reject);
    }

    #[test]
    fn refresh_tokens_parse_their_own_output_only() {
        let t = RefreshToken::new_family();
        assert_eq!(RefreshToken::parse(&t.to_string()), Some(t.clone()));
        assert!(t.matches_hash(&t.secret_hash()));
        assert!(!t.next().matches_hash(&t.secret_hash()));
        for bad in ["", "a.b", "a.1.b.c", "a.x.b", "a.1.b c", "../.1.x"] {
            assert_eq!(RefreshToken::parse(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn refresh_parse_never_panics(s in "\\PC{0,200}") {
            let _ = RefreshToken::parse(&s);
        }
    }
}
