//! Where a shoot happens.

use crate::FieldErrors;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub address: String,
    pub city: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    pub address: String,
    pub city: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

impl LocationInput {
    pub fn validate(self) -> Result<Location, FieldErrors> {
        let mut errors = FieldErrors::new();
        let address = self.address.trim().to_string();
        if address.is_empty() || address.chars().count() > 300 {
            errors.add("address", "must be 1 to 300 characters");
        }
        let city = self.city.trim().to_string();
        if city.is_empty() || city.chars().count() > 80 {
            errors.add("city", "must be 1 to 80 characters");
        }
        if self.lat.is_some_and(|v| !(v.is_finite() && (-90.0..=90.0).contains(&v))) {
            errors.add("lat", "must be between -90 and 90");
        }
        if self.lon.is_some_and(|v| !(v.is_finite() && (-180.0..=180.0).contains(&v))) {
            errors.add("lon", "must be between -180 and 180");
        }
        if self.lat.is_some() != self.lon.is_some() {
            errors.add(if self.lat.is_some() { "lon" } else { "lat" }, "give both lat and lon, or neither");
        }
        errors.into_result(Location { address, city, lat: self.lat.map(coordinate), lon: self.lon.map(coordinate) })
    }
}

/// A coordinate kept to 7 decimals (about a centimetre): finer is noise, and DynamoDB
/// cannot store magnitudes below 1e-130 (a float like 2e-216 would fail the write).
pub fn coordinate(degrees: f64) -> f64 {
    let rounded = (degrees * 1e7).round() / 1e7;
    if rounded == 0.0 { 0.0 } else { rounded }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_every_field() {
        assert_eq!(coordinate(-2.1630563534559413e-216), 0.0);
        assert!(coordinate(-2.1630563534559413e-216).is_sign_positive(), "no -0 to store");
        assert_eq!(coordinate(17.385_044_449), 17.385_044_4);
        let bad = LocationInput { address: " ".into(), city: "x".repeat(81), lat: Some(95.0), lon: None };
        let fields: Vec<_> = bad.validate().unwrap_err().iter().map(|e| e.field.clone()).collect();
        assert_eq!(fields, ["address", "city", "lat", "lon"]);
        let ok = LocationInput { address: " 1 MG Road ".into(), city: "Pune".into(), lat: None, lon: None }
            .validate()
            .unwrap();
        assert_eq!(ok.address, "1 MG Road");
    }
}
