//! A photographer's cancellation policy: how much of what a client paid comes back when
//! the client cancels, by how long before the session they do it. Shown on the profile
//! and frozen into each booking when it is requested, so a later change of policy never
//! changes a booking already made.

use cm_core::FieldErrors;
use serde::{Deserialize, Serialize};

pub const MAX_TIERS: usize = 6;
/// No tier may ask for more notice than a year.
pub const MAX_NOTICE_HOURS: u32 = 24 * 366;

/// Cancelling at least `min_hours_before` the session's start refunds `refund_percent`
/// of what was paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub min_hours_before: u32,
    pub refund_percent: u8,
}

/// Tiers ordered by notice, most notice first. Notice shorter than every tier refunds
/// nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Tier>", into = "Vec<Tier>")]
pub struct CancellationPolicy {
    tiers: Vec<Tier>,
}

impl Default for CancellationPolicy {
    /// A week or more: everything back; two days or more: half; later: nothing.
    fn default() -> Self {
        CancellationPolicy {
            tiers: vec![
                Tier { min_hours_before: 168, refund_percent: 100 },
                Tier { min_hours_before: 48, refund_percent: 50 },
                Tier { min_hours_before: 0, refund_percent: 0 },
            ],
        }
    }
}

impl CancellationPolicy {
    /// Checks a policy as a photographer writes it (any order) and keeps it sorted by
    /// notice. Refunds may not grow as notice shrinks: a client who cancels earlier
    /// never gets less back than one who cancels later.
    pub fn new(mut tiers: Vec<Tier>) -> Result<CancellationPolicy, FieldErrors> {
        let mut errors = FieldErrors::new();
        if tiers.is_empty() || tiers.len() > MAX_TIERS {
            errors.add("cancellation_policy", format!("must have 1 to {MAX_TIERS} tiers"));
        }
        for (i, t) in tiers.iter().enumerate() {
            if t.refund_percent > 100 {
                errors.add(format!("cancellation_policy[{i}].refund_percent"), "must be 0 to 100");
            }
            if t.min_hours_before > MAX_NOTICE_HOURS {
                errors.add(
                    format!("cancellation_policy[{i}].min_hours_before"),
                    format!("must be at most {MAX_NOTICE_HOURS}"),
                );
            }
        }
        tiers.sort_by_key(|t| std::cmp::Reverse(t.min_hours_before));
        if tiers.windows(2).any(|w| w[0].min_hours_before == w[1].min_hours_before) {
            errors.add("cancellation_policy", "two tiers have the same min_hours_before");
        }
        if tiers.windows(2).any(|w| w[0].refund_percent < w[1].refund_percent) {
            errors.add("cancellation_policy", "a tier with more notice must refund at least as much as one with less");
        }
        errors.into_result(CancellationPolicy { tiers })
    }

    pub fn tiers(&self) -> &[Tier] {
        &self.tiers
    }

    /// The percentage refunded for a client's cancellation `minutes_before` the start
    /// (negative once it has begun). A tier applies from exactly its notice onwards.
    pub fn refund_percent(&self, minutes_before: i64) -> u8 {
        self.tiers.iter().find(|t| minutes_before >= i64::from(t.min_hours_before) * 60).map_or(0, |t| t.refund_percent)
    }
}

impl TryFrom<Vec<Tier>> for CancellationPolicy {
    type Error = String;
    fn try_from(tiers: Vec<Tier>) -> Result<Self, Self::Error> {
        CancellationPolicy::new(tiers).map_err(|e| e.to_string())
    }
}

impl From<CancellationPolicy> for Vec<Tier> {
    fn from(p: CancellationPolicy) -> Self {
        p.tiers
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tier(h: u32, p: u8) -> Tier {
        Tier { min_hours_before: h, refund_percent: p }
    }

    #[test]
    fn each_default_tier_applies_from_its_boundary() {
        let p = CancellationPolicy::default();
        assert_eq!(p.refund_percent(168 * 60), 100);
        assert_eq!(p.refund_percent(168 * 60 - 1), 50);
        assert_eq!(p.refund_percent(48 * 60), 50);
        assert_eq!(p.refund_percent(48 * 60 - 1), 0);
        assert_eq!(p.refund_percent(0), 0);
        assert_eq!(p.refund_percent(-60), 0);
    }

    #[test]
    fn notice_shorter_than_every_tier_refunds_nothing() {
        let p = CancellationPolicy::new(vec![tier(24, 80)]).unwrap();
        assert_eq!(p.refund_percent(24 * 60 - 1), 0);
        assert_eq!(p.refund_percent(24 * 60), 80);
    }

    #[test]
    fn rejects_policies_that_punish_early_cancellation() {
        assert!(CancellationPolicy::new(vec![tier(24, 100), tier(72, 50)]).is_err());
        assert!(CancellationPolicy::new(vec![tier(24, 50), tier(24, 40)]).is_err());
        assert!(CancellationPolicy::new(vec![tier(24, 101)]).is_err());
        assert!(CancellationPolicy::new(vec![]).is_err());
        let sorted = CancellationPolicy::new(vec![tier(0, 0), tier(72, 100)]).unwrap();
        assert_eq!(sorted.tiers()[0], tier(72, 100));
    }

    #[test]
    fn round_trips_as_a_list_and_checks_on_the_way_in() {
        let p = CancellationPolicy::default();
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json[0]["min_hours_before"], 168);
        assert_eq!(serde_json::from_value::<CancellationPolicy>(json).unwrap(), p);
        assert!(
            serde_json::from_str::<CancellationPolicy>(r#"[{"min_hours_before":1,"refund_percent":200}]"#).is_err()
        );
    }

    proptest! {
        #[test]
        fn more_notice_never_refunds_less(
            raw in proptest::collection::vec((0u32..2000, 0u8..=100), 1..6),
            a in -10_000i64..200_000, b in -10_000i64..200_000,
        ) {
            let mut pct: Vec<u8> = raw.iter().map(|r| r.1).collect();
            pct.sort_unstable();
            let mut hours: Vec<u32> = raw.iter().map(|r| r.0).collect();
            hours.sort_unstable();
            hours.dedup();
            let tiers: Vec<Tier> = hours.iter().zip(pct.iter()).map(|(h, p)| tier(*h, *p)).collect();
            let p = CancellationPolicy::new(tiers).unwrap();
            let (early, late) = if a >= b { (a, b) } else { (b, a) };
            prop_assert!(p.refund_percent(early) >= p.refund_percent(late));
        }
    }
}
