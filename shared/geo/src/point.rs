//! Points on the globe and the distance between them.

use serde::{Deserialize, Serialize};

/// Mean Earth radius (IUGG), the usual sphere for great-circle distances: the error
/// against the ellipsoid is under 0.5%, far below what travel estimates need.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A latitude in −90..=90 and a longitude in −180..=180, both finite.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    lat: f64,
    lon: f64,
}

impl Point {
    pub fn new(lat: f64, lon: f64) -> Option<Point> {
        let ok = lat.is_finite() && lon.is_finite() && (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon);
        ok.then_some(Point { lat, lon })
    }

    pub fn lat(&self) -> f64 {
        self.lat
    }

    pub fn lon(&self) -> f64 {
        self.lon
    }

    /// Great-circle distance by the haversine formula, which stays accurate for
    /// near points (unlike the spherical law of cosines) and across the antimeridian
    /// (longitudes enter only through the sine of half their difference).
    pub fn distance_km(&self, other: &Point) -> f64 {
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(lat: f64, lon: f64) -> Point {
        Point::new(lat, lon).unwrap()
    }

    #[test]
    fn refuses_what_is_not_on_the_globe() {
        for (lat, lon) in
            [(90.1, 0.0), (-90.1, 0.0), (0.0, 180.1), (0.0, -180.1), (f64::NAN, 0.0), (0.0, f64::INFINITY)]
        {
            assert!(Point::new(lat, lon).is_none(), "{lat} {lon}");
        }
        assert!(Point::new(90.0, -180.0).is_some());
    }

    #[test]
    fn distances_match_published_great_circle_figures() {
        // Berlin–Paris 878 km, London–New York 5570 km (great circle, mean radius).
        let berlin = p(52.52, 13.405);
        let paris = p(48.8566, 2.3522);
        assert!((berlin.distance_km(&paris) - 878.0).abs() < 2.0, "{}", berlin.distance_km(&paris));
        let london = p(51.5074, -0.1278);
        let new_york = p(40.7128, -74.006);
        assert!((london.distance_km(&new_york) - 5570.0).abs() < 5.0, "{}", london.distance_km(&new_york));
        // A quarter of the equator, and pole to pole.
        assert!((p(0.0, 0.0).distance_km(&p(0.0, 90.0)) - 10_007.5).abs() < 1.0);
        assert!((p(90.0, 0.0).distance_km(&p(-90.0, 0.0)) - 20_015.1).abs() < 1.0);
    }

    #[test]
    fn the_antimeridian_is_no_wall() {
        // Two points 0.2° of longitude apart across ±180° on the equator: about 22 km.
        let d = p(0.0, 179.9).distance_km(&p(0.0, -179.9));
        assert!((d - 22.24).abs() < 0.05, "{d}");
        // Near the pole every longitude is close.
        assert!(p(89.99, 0.0).distance_km(&p(89.99, 180.0)) < 2.3);
    }

    proptest! {
        #[test]
        fn distance_is_a_metric(a in (-90.0f64..=90.0, -180.0f64..=180.0), b in (-90.0f64..=90.0, -180.0f64..=180.0), c in (-90.0f64..=90.0, -180.0f64..=180.0)) {
            let (a, b, c) = (p(a.0, a.1), p(b.0, b.1), p(c.0, c.1));
            prop_assert!(a.distance_km(&a) < 1e-9);
            prop_assert!((a.distance_km(&b) - b.distance_km(&a)).abs() < 1e-6);
            prop_assert!(a.distance_km(&c) <= a.distance_km(&b) + b.distance_km(&c) + 1e-6);
            prop_assert!(a.distance_km(&b) <= std::f64::consts::PI * EARTH_RADIUS_KM + 1e-6);
        }
    }
}
