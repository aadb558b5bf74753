//! Photographer search without Scan: every photographer is copied into a few ranked
//! listing partitions (everyone; per specialization; per city; per specialization and
//! city). A search is one Query on the partition matching its filters, already sorted
//! by rating, with `min_rating` as a key condition on the rank.
//!
//! Search near a point: every photographer is also copied under the geo cells their
//! service area touches (`cm_geo::cells`); a search at a point reads the one cell
//! holding it at each level, and keeps those whose service radius reaches it.

use crate::photographer::{PhotographerProfile, PublicProfile, RatingTotals, Specialization};
use cm_core::UserId;
use cm_geo::{Point, cells};
use serde::Serialize;

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

/// Every partition a photographer must appear in for every filter combination, and
/// every point of their service area, to find them.
pub fn partitions_of(profile: &PhotographerProfile) -> Vec<String> {
    let city = profile.city.as_str();
    let mut out = vec![partition_for(None, None), partition_for(None, Some(city))];
    for &s in &profile.specializations {
        out.push(partition_for(Some(s), None));
        out.push(partition_for(Some(s), Some(city)));
    }
    if let Some(base) = profile.base() {
        out.extend(cells::service_area_cells(base, f64::from(profile.service_radius_km)).iter().map(geo_partition));
    }
    out
}

fn geo_partition(cell: &cells::Cell) -> String {
    format!("geo#{}", cell.key())
}

/// The partitions a search at `point` reads: one per cell level.
pub fn partitions_near(point: Point) -> Vec<String> {
    cells::search_cells(point).iter().map(geo_partition).collect()
}

/// A listed photographer found near a point, and how far their base is from it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nearby {
    #[serde(flatten)]
    pub profile: PublicProfile,
    /// Great-circle distance from the searched point to the photographer's base, to
    /// 0.1 km.
    pub distance_km: f64,
}

/// Of the candidates read from [`partitions_near`], those whose service area covers
/// `point` and whose base is within `max_km` of it (when given), nearest first (then by
/// id, a total order), each once.
pub fn nearest_covering(candidates: Vec<PublicProfile>, point: Point, max_km: Option<f64>) -> Vec<Nearby> {
    let mut out: Vec<Nearby> = candidates
        .into_iter()
        .filter_map(|profile| {
            let d = profile.profile.base()?.distance_km(&point);
            let reach = f64::from(profile.profile.service_radius_km).min(max_km.unwrap_or(f64::INFINITY));
            (d <= reach).then(|| Nearby { distance_km: (d * 10.0).round() / 10.0, profile })
        })
        .collect();
    out.sort_by(|a, b| a.distance_km.total_cmp(&b.distance_km).then(a.profile.id.cmp(&b.profile.id)));
    out.dedup_by(|a, b| a.profile.id == b.profile.id);
    out
}

/// The search filters, for the results of a search near a point (the listing
/// partitions apply them as keys and a FilterExpression instead).
#[derive(Debug, Clone, Copy, Default)]
pub struct Filters<'a> {
    pub specialization: Option<Specialization>,
    pub city: Option<&'a str>,
    pub min_rating_centi: Option<u64>,
    pub max_hourly_rate_minor: Option<i64>,
    pub currency: Option<&'a str>,
}

impl Filters<'_> {
    pub fn admit(&self, p: &PublicProfile) -> bool {
        let profile = &p.profile;
        self.specialization.is_none_or(|s| profile.specializations.contains(&s))
            && self.city.is_none_or(|c| normalize_city(c) == normalize_city(&profile.city))
            && self.min_rating_centi.is_none_or(|min| (p.rating.average * 100.0).round() as u64 >= min)
            && self.max_hourly_rate_minor.is_none_or(|max| profile.hourly_rate.amount_minor <= max)
            && self.currency.is_none_or(|c| profile.hourly_rate.currency.as_str() == c)
    }
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
        // Six search partitions, and the geo cells of a 1 km service area at 0°, 0°.
        let geo: Vec<_> = parts.iter().filter(|p| p.starts_with("geo#")).collect();
        assert_eq!(parts.len(), 6 + geo.len());
        assert!(!geo.is_empty());
        let centre = Point::new(0.0, 0.0).unwrap();
        assert!(partitions_near(centre).iter().any(|p| parts.contains(p)), "the base finds its own photographer");
        assert!(!parts.contains(&partition_for(Some(Specialization::Newborn), None)));
    }

    fn listed_at(name: &str, lat: f64, lon: f64, radius: i64, specs: &[&str]) -> PublicProfile {
        let profile = serde_json::from_value::<crate::photographer::PhotographerProfileInput>(serde_json::json!({
            "display_name": name, "specializations": specs, "city": "Pune", "country": "IN", "lat": lat, "lon": lon,
            "service_radius_km": radius, "years_experience": 1, "hourly_rate": {"amount_minor": 100, "currency": "INR"}}))
        .unwrap()
        .validate()
        .unwrap();
        PublicProfile { id: UserId::new(), profile, rating: RatingTotals::default().view(), cover_photo: None }
    }

    #[test]
    fn nearest_first_among_those_whose_radius_reaches() {
        let point = Point::new(18.52, 73.85).unwrap();
        let far_reach = listed_at("far but wide", 19.07, 72.87, 200, &["wedding"]); // ~120 km
        let near = listed_at("near", 18.53, 73.86, 5, &["portrait"]); // ~1.5 km
        let short = listed_at("short", 18.70, 73.85, 10, &["wedding"]); // 20 km, reaches 10
        let found = nearest_covering(vec![far_reach.clone(), short, near.clone(), near.clone()], point, None);
        let names: Vec<&str> = found.iter().map(|n| n.profile.profile.display_name.as_str()).collect();
        assert_eq!(names, ["near", "far but wide"], "nearest first, each once, only those who reach");
        assert_eq!(found[0].distance_km, 1.5);
        assert!(nearest_covering(vec![far_reach.clone()], point, Some(100.0)).is_empty(), "the client's reach");
        let weddings = Filters { specialization: Some(Specialization::Wedding), ..Filters::default() };
        assert!(weddings.admit(&far_reach) && !weddings.admit(&near));
        let in_pune = Filters { city: Some(" PUNE "), currency: Some("INR"), ..Filters::default() };
        assert!(in_pune.admit(&near));
        assert!(!Filters { max_hourly_rate_minor: Some(99), ..Filters::default() }.admit(&near));
        assert!(!Filters { min_rating_centi: Some(1), ..Filters::default() }.admit(&near), "unrated is 0");
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
