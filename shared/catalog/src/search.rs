//! Photographer search without Scan: every photographer is copied into a few ranked
//! listing partitions (everyone; per specialization; per city; per specialization and
//! city). A search is one Query on the partition matching its filters, already sorted
//! by rating, with `min_rating` as a key condition on the rank.

use crate::photographer::{PhotographerProfile, RatingTotals, Specialization};
use cm_core::UserId;

/// Cities compare case- and space-insensitively: "new  york" finds "New York".
pub fn normalize_city(city: &str) -> String {
    city.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The listing partition a search with these filters reads.
pub fn partition_for(specialization: Option<Specialization>, city: Option<&str>) -> String {
    match (specialization, city) {
        (None, None) => "all".to_string(),
        (Some(s), None) => format!("spec#{}", s.as_str()),
        (None, Some(c)) => format!("city#{}", normalize_city(c)),
        (Some(s), Some(c)) => format!("spec#{}#city#{}", s.as_str(), normalize_city(c)),
    }
}

/// Every partition a photographer must appear in for every filter combination to find them.
pub fn partitions_of(profile: &PhotographerProfile) -> Vec<String> {
    let city = profile.city.as_str();
    let mut out = vec![partition_for(None, None), partition_for(None, Some(city))];
    for &s in &profile.specializations {
        out.push(partition_for(Some(s), None));
        out.push(partition_for(Some(s), Some(city)));
    }
    out
}

const MAX_CENTI: u64 = 500;
const COUNT_WIDTH_MAX: u64 = 9_999_999_999;

/// Sort key ranking best first in ascending key order: higher average, then more
/// reviews, then id for a stable total order.
pub fn rank_key(rating: RatingTotals, id: UserId) -> String {
    let inv_avg = MAX_CENTI - rating.average_centi().min(MAX_CENTI);
    let inv_count = COUNT_WIDTH_MAX - rating.count.min(COUNT_WIDTH_MAX);
    format!("{inv_avg:03}#{inv_count:010}#{id}")
}

/// Exclusive upper bound on rank keys for photographers rated at least `min_centi`
/// hundredths of a star.
pub fn rank_upper_bound(min_centi: u64) -> String {
    let max_inv = MAX_CENTI - min_centi.min(MAX_CENTI);
    format!("{:03}", max_inv + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn partitions_cover_every_filter_combination() {
        let p = serde_json::from_value::<crate::photographer::PhotographerProfileInput>(serde_json::json!({
            "display_name": "A", "specializations": ["wedding", "real_estate"], "city": " New  York ",
            "country": "US", "lat": 0.0, "lon": 0.0, "service_radius_km": 1, "years_experience": 1,
            "hourly_rate": {"amount_minor": 100, "currency": "USD"}}))
        .unwrap()
        .validate()
        .unwrap();
        let parts = partitions_of(&p);
        for spec in [None, Some(Specialization::Wedding), Some(Specialization::RealEstate)] {
            for city in [None, Some("new york"), Some("NEW YORK")] {
                assert!(parts.contains(&partition_for(spec, city)), "{spec:?} {city:?}");
            }
        }
        assert_eq!(parts.len(), 6);
        assert!(!parts.contains(&partition_for(Some(Specialization::Newborn), None)));
    }

    proptest! {
        #[test]
        fn rank_order_is_rating_then_count(a_sum in 0u64..5000, a_cnt in 0u64..1000, b_sum in 0u64..5000, b_cnt in 0u64..1000) {
            let a = RatingTotals { sum: a_sum.min(a_cnt * 5).max(a_cnt), count: a_cnt };
            let b = RatingTotals { sum: b_sum.min(b_cnt * 5).max(b_cnt), count: b_cnt };
            let id = UserId::new();
            let (ka, kb) = (rank_key(a, id), rank_key(b, id));
            let better_a = (a.average_centi(), a.count) > (b.average_centi(), b.count);
            let better_b = (b.average_centi(), b.count) > (a.average_centi(), a.count);
            if better_a { prop_assert!(ka < kb); }
            if better_b { prop_assert!(kb < ka); }
        }

        #[test]
        fn min_rating_bound_splits_exactly(sum in 0u64..500, count in 1u64..100, min in 0u64..=500) {
            let r = RatingTotals { sum: sum.min(count * 5).max(count), count };
            let key = rank_key(r, UserId::new());
            prop_assert_eq!(key < rank_upper_bound(min), r.average_centi() >= min);
        }
    }
}
