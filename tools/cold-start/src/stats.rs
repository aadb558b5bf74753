//! The figures a run reports, from its samples.

use std::time::Duration;

/// The nearest-rank percentile (`p` in 0..=100) of `samples`; `None` when empty. Nearest
/// rank, not interpolation: every figure reported is a time that was measured.
pub fn percentile(samples: &[Duration], p: f64) -> Option<Duration> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let p = p.clamp(0.0, 100.0);
    // The smallest rank whose share of samples reaches p; rank 1 for p = 0.
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

pub fn median(samples: &[Duration]) -> Option<Duration> {
    percentile(samples, 50.0)
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `value` against `floor`, as the multiple the report prints ("1.07x").
pub fn ratio(value: Duration, floor: Duration) -> Option<f64> {
    (!floor.is_zero()).then(|| value.as_secs_f64() / floor.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn nearest_rank_on_known_samples() {
        let s: Vec<Duration> = (1..=10).rev().map(d).collect();
        assert_eq!(median(&s), Some(d(5)));
        assert_eq!(percentile(&s, 90.0), Some(d(9)));
        assert_eq!(percentile(&s, 99.0), Some(d(10)));
        assert_eq!(percentile(&s, 100.0), Some(d(10)));
        assert_eq!(percentile(&s, 0.0), Some(d(1)));
        assert_eq!(median(&[d(7)]), Some(d(7)));
        assert_eq!(median(&[]), None);
        // Of 100 samples, p99 is the 99th smallest, not the largest.
        let hundred: Vec<Duration> = (1..=100).map(d).collect();
        assert_eq!(percentile(&hundred, 99.0), Some(d(99)));
    }

    #[test]
    fn ratios_against_a_floor() {
        assert!((ratio(d(11), d(10)).unwrap() - 1.1).abs() < 1e-9);
        assert!((ratio(d(5), d(10)).unwrap() - 0.5).abs() < 1e-9);
        assert_eq!(ratio(d(5), Duration::ZERO), None);
    }

    proptest! {
        /// A percentile is one of the samples, and a higher percentile is never lower.
        #[test]
        fn percentiles_are_samples_and_monotonic(raw in prop::collection::vec(0u64..10_000, 1..200), p in 0.0f64..100.0, q in 0.0f64..100.0) {
            let s: Vec<Duration> = raw.iter().copied().map(Duration::from_micros).collect();
            let (lo, hi) = if p <= q { (p, q) } else { (q, p) };
            let (a, b) = (percentile(&s, lo).unwrap(), percentile(&s, hi).unwrap());
            prop_assert!(s.contains(&a) && s.contains(&b));
            prop_assert!(a <= b);
            prop_assert_eq!(percentile(&s, 0.0), s.iter().min().copied());
            prop_assert_eq!(percentile(&s, 100.0), s.iter().max().copied());
        }
    }
}
