//! Geo cells: how "whose service area covers this point?" becomes a few Queries on
//! designed keys instead of a Scan.
//!
//! The globe is cut into latitude bands of a fixed height, and each band into cells of
//! about the same width in kilometres (fewer cells towards the poles: the band round each
//! pole has at most six). There are four levels of band height. A photographer is
//! written under every cell that their service disk touches, at the finest level where
//! that takes at most [`MAX_COVER_CELLS`] cells; a search reads the one cell holding
//! the client's point at every level ([`search_cells`]), then keeps the candidates whose
//! disk really covers the point (great-circle distance ≤ radius).
//!
//! Why this is exact (the property tests check it): a point within `R` of the centre
//! lies within `R` of latitude of it, and within the disk's widest longitude half-span
//! `asin(sin δ / cos φ)` of it (`δ` = `R` as an angle), or anywhere in longitude when
//! the disk holds a pole; the covering takes every cell meeting that box, wrapping
//! across the antimeridian.

use crate::{EARTH_RADIUS_KM, Point};

/// Band heights in degrees, finest first.
pub const LEVELS: [f64; 4] = [0.5, 2.0, 8.0, 30.0];
/// The most cells one service area is written under.
pub const MAX_COVER_CELLS: usize = 12;
/// Slack for rounding at cell edges: the covering errs wider, never narrower.
const EPSILON_DEG: f64 = 1e-7;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    pub level: u8,
    pub band: u16,
    pub index: u16,
}

impl Cell {
    /// The cell's part of a storage key: `<level>:<band>:<index>`.
    pub fn key(&self) -> String {
        format!("{}:{}:{}", self.level, self.band, self.index)
    }
}

fn height(level: u8) -> f64 {
    LEVELS[usize::from(level).min(LEVELS.len() - 1)]
}

fn bands(level: u8) -> u16 {
    (180.0 / height(level)).ceil() as u16
}

/// Cells in a band: as many as keep a cell about as wide as the band is high at the
/// band's edge nearest the equator, and at least one.
fn cells_in_band(level: u8, band: u16) -> u16 {
    let h = height(level);
    let south = -90.0 + f64::from(band) * h;
    let north = (south + h).min(90.0);
    let nearest = if south <= 0.0 && north >= 0.0 { 0.0 } else { south.abs().min(north.abs()) };
    ((360.0 * nearest.to_radians().cos() / h).floor() as u16).max(1)
}

fn band_of(level: u8, lat: f64) -> u16 {
    let b = ((lat + 90.0) / height(level)).floor();
    (b.max(0.0) as u16).min(bands(level) - 1)
}

/// The cell holding `p` at `level`.
pub fn cell_of(p: Point, level: u8) -> Cell {
    let band = band_of(level, p.lat());
    let n = cells_in_band(level, band);
    let index = ((((p.lon() + 180.0) / 360.0) * f64::from(n)).floor() as i64).rem_euclid(i64::from(n)) as u16;
    Cell { level, band, index }
}

/// Every cell at `level` that a disk of `radius_km` around `center` touches (a
/// superset near its edges), sorted.
pub fn covering(center: Point, radius_km: f64, level: u8) -> Vec<Cell> {
    let delta = (radius_km.max(0.0) / EARTH_RADIUS_KM).to_degrees() + EPSILON_DEG;
    let (lat, lon) = (center.lat(), center.lon());
    let (south, north) = (lat - delta, lat + delta);
    let holds_pole = north >= 90.0 || south <= -90.0 || delta >= 90.0;
    let half_span = if holds_pole {
        180.0
    } else {
        let s = delta.to_radians().sin() / lat.to_radians().cos();
        if s >= 1.0 { 180.0 } else { s.asin().to_degrees() + EPSILON_DEG }
    };
    let mut out = Vec::new();
    for band in band_of(level, south.max(-90.0))..=band_of(level, north.min(90.0)) {
        let n = cells_in_band(level, band);
        if half_span >= 180.0 {
            out.extend((0..n).map(|index| Cell { level, band, index }));
            continue;
        }
        let first = (((lon - half_span + 180.0) / 360.0) * f64::from(n)).floor() as i64;
        let last = (((lon + half_span + 180.0) / 360.0) * f64::from(n)).floor() as i64;
        let count = (last - first + 1).min(i64::from(n));
        out.extend((first..first + count).map(|i| Cell { level, band, index: i.rem_euclid(i64::from(n)) as u16 }));
    }
    out.sort();
    out.dedup();
    out
}

/// The cells a service area is written under: its covering at the finest level that
/// needs at most [`MAX_COVER_CELLS`] cells (the coarsest level always does for a
/// radius up to 1,000 km).
pub fn service_area_cells(center: Point, radius_km: f64) -> Vec<Cell> {
    let mut coarsest = Vec::new();
    for level in 0..LEVELS.len() as u8 {
        let cells = covering(center, radius_km, level);
        if cells.len() <= MAX_COVER_CELLS {
            return cells;
        }
        coarsest = cells;
    }
    coarsest
}

/// The cells a search at `p` reads: the one holding it at every level.
pub fn search_cells(p: Point) -> Vec<Cell> {
    (0..LEVELS.len() as u8).map(|level| cell_of(p, level)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(lat: f64, lon: f64) -> Point {
        Point::new(lat, lon).unwrap()
    }

    /// A point `km` from `from` on bearing `bearing_deg` (the direct geodesic problem
    /// on the sphere).
    fn destination(from: Point, bearing_deg: f64, km: f64) -> Point {
        let d = km / EARTH_RADIUS_KM;
        let (phi, lambda, theta) = (from.lat().to_radians(), from.lon().to_radians(), bearing_deg.to_radians());
        let phi2 = (phi.sin() * d.cos() + phi.cos() * d.sin() * theta.cos()).asin();
        let lambda2 = lambda + (theta.sin() * d.sin() * phi.cos()).atan2(d.cos() - phi.sin() * phi2.sin());
        let lon = (lambda2.to_degrees() + 540.0).rem_euclid(360.0) - 180.0;
        p(phi2.to_degrees().clamp(-90.0, 90.0), lon)
    }

    #[test]
    fn cells_are_as_wide_as_high_at_the_equator_and_few_round_each_pole() {
        for level in 0..LEVELS.len() as u8 {
            let north = cell_of(p(90.0, 10.0), level);
            assert_eq!(north.band, bands(level) - 1);
            assert!((1..=6).contains(&cells_in_band(level, north.band)), "level {level}");
            assert_eq!(cells_in_band(level, band_of(level, 0.0)), (360.0 / height(level)) as u16);
            // ±180° is one meridian.
            assert_eq!(cell_of(p(10.0, 180.0), level), cell_of(p(10.0, -180.0), level));
        }
        assert_eq!(search_cells(p(0.0, 0.0)).len(), LEVELS.len());
    }

    #[test]
    fn a_disk_across_the_antimeridian_takes_cells_on_both_sides() {
        let fiji = p(-17.7, 179.9);
        let cells = covering(fiji, 50.0, 0);
        assert!(cells.contains(&cell_of(p(-17.7, 179.95), 0)));
        assert!(cells.contains(&cell_of(p(-17.7, -179.7), 0)), "{cells:?}");
        assert!(cells.len() <= 20);
    }

    #[test]
    fn a_disk_holding_a_pole_takes_whole_bands() {
        let near_pole = p(89.8, 45.0);
        let cells = covering(near_pole, 100.0, 0);
        // The far side of the pole, 100 km away.
        assert!(cells.contains(&cell_of(destination(near_pole, 0.0, 90.0), 0)));
        assert!(cells.contains(&cell_of(p(89.5, -135.0), 0)));
    }

    #[test]
    fn service_areas_stay_within_the_cell_budget() {
        for (lat, lon) in [(0.0, 0.0), (17.385, 78.4867), (64.1, -21.9), (-89.0, 0.0), (52.5, 179.99)] {
            for radius in [0.0, 1.0, 25.0, 50.0, 150.0, 400.0, 1000.0] {
                let cells = service_area_cells(p(lat, lon), radius);
                assert!(!cells.is_empty() && cells.len() <= MAX_COVER_CELLS, "{lat},{lon} r={radius}: {}", cells.len());
            }
        }
        // A city photographer's 50 km lands on the finest level.
        assert_eq!(service_area_cells(p(17.385, 78.4867), 50.0)[0].level, 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The whole point: whoever is within a photographer's radius is in a cell the
        /// photographer is written under, and that cell is one the search reads.
        #[test]
        fn every_point_within_the_radius_is_found(
            lat in -90.0f64..=90.0, lon in -180.0f64..=180.0,
            radius in 0.0f64..=1000.0, bearing in 0.0f64..360.0, frac in 0.0f64..=1.0,
        ) {
            let centre = p(lat, lon);
            let q = destination(centre, bearing, radius * frac);
            prop_assume!(centre.distance_km(&q) <= radius);
            let written = service_area_cells(centre, radius);
            let read = search_cells(q);
            prop_assert!(read.iter().any(|c| written.contains(c)), "{centre:?} r={radius} misses {q:?}");
        }

        #[test]
        fn a_covering_at_a_level_holds_every_point_of_the_disk(
            lat in -90.0f64..=90.0, lon in -180.0f64..=180.0, level in 0u8..4,
            radius in 0.0f64..=300.0, bearing in 0.0f64..360.0, frac in 0.0f64..=1.0,
        ) {
            let centre = p(lat, lon);
            let q = destination(centre, bearing, radius * frac);
            prop_assume!(centre.distance_km(&q) <= radius);
            prop_assert!(covering(centre, radius, level).contains(&cell_of(q, level)));
        }
    }
}
