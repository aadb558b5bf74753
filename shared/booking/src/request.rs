//! `POST /bookings` bodies: validation, and turning a request into a duration and a
//! price against the photographer's profile.

use crate::BookingDuration;
use chrono::{DateTime, Utc};
use cm_catalog::photographer::Specialization;
use cm_core::location::{Location, LocationInput};
use cm_core::{FieldErrors, UserId};
use serde::Deserialize;

pub const MAX_NOTES_CHARS: usize = 2000;
/// Far above any sealed quote (about 400 bytes), far below anything worth decoding.
pub const MAX_QUOTE_ID_BYTES: usize = 2048;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingRequestInput {
    pub photographer_id: String,
    pub package_id: Option<String>,
    pub event_type: String,
    pub start: String,
    pub duration_minutes: Option<i64>,
    pub location: LocationInput,
    pub notes: Option<String>,
    /// A quote from `GET /photographers/{id}/quote`: the booking is charged its price.
    #[serde(default)]
    pub quote_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BookingRequest {
    pub photographer_id: UserId,
    pub package_id: Option<String>,
    pub event_type: Specialization,
    pub start: DateTime<Utc>,
    pub duration: Option<BookingDuration>,
    pub location: Location,
    pub notes: Option<String>,
    /// As given: whether it is a quote we issued is for the API to tell.
    pub quote_id: Option<String>,
}

/// An RFC 3339 instant that states its offset: a bare local time is ambiguous across
/// zones and DST, so it is refused rather than guessed.
pub fn parse_instant(raw: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| "must be an RFC 3339 time with an offset, e.g. 2026-12-26T10:00:00+05:30".to_string())
}

pub fn parse_duration(minutes: i64) -> Result<BookingDuration, String> {
    u32::try_from(minutes).ok().and_then(BookingDuration::from_minutes).ok_or_else(|| {
        format!(
            "must be a multiple of {} from {} to {} minutes",
            crate::DURATION_GRANULARITY_MINUTES,
            crate::MIN_DURATION_MINUTES,
            crate::MAX_DURATION_MINUTES
        )
    })
}

impl BookingRequestInput {
    pub fn validate(self) -> Result<BookingRequest, FieldErrors> {
        let mut errors = FieldErrors::new();
        let photographer_id = self
            .photographer_id
            .parse::<UserId>()
            .map_err(|_| errors.add("photographer_id", "is not a photographer id"))
            .ok();
        let event_type = Specialization::parse(&self.event_type)
            .ok_or_else(|| errors.add("event_type", format!("must be one of: {}", Specialization::allowed_list())))
            .ok();
        let start = parse_instant(&self.start).map_err(|m| errors.add("start", m)).ok();
        let duration = match self.duration_minutes {
            Some(m) => parse_duration(m).map(Some).map_err(|e| errors.add("duration_minutes", e)).ok().flatten(),
            None => None,
        };
        if self.package_id.is_none() && self.duration_minutes.is_none() {
            errors.add("duration_minutes", "give a duration, or a package_id whose duration applies");
        }
        let location = self.location.validate().map_err(|e| errors.merge_nested("location", e)).ok();
        let notes = self.notes.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        let quote_id = self.quote_id.map(|q| q.trim().to_string());
        if quote_id.as_ref().is_some_and(|q| q.is_empty() || q.len() > MAX_QUOTE_ID_BYTES) {
            errors.add("quote_id", format!("must be a quote id of 1 to {MAX_QUOTE_ID_BYTES} characters"));
        }
        if notes.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTES_CHARS) {
            errors.add("notes", format!("must be at most {MAX_NOTES_CHARS} characters"));
        }
        match (photographer_id, event_type, start, location) {
            (Some(photographer_id), Some(event_type), Some(start), Some(location)) if errors.is_empty() => {
                Ok(BookingRequest {
                    photographer_id,
                    package_id: self.package_id,
                    event_type,
                    start,
                    duration,
                    location,
                    notes,
                    quote_id,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_need_an_offset() {
        assert!(parse_instant("2026-12-26T10:00:00+05:30").is_ok());
        assert!(parse_instant("2026-12-26T10:00:00Z").is_ok());
        assert!(parse_instant("2026-12-26T10:00:00").is_err());
        assert!(parse_instant("tomorrow").is_err());
    }

    #[test]
    fn requests_report_every_bad_field() {
        let input: BookingRequestInput = serde_json::from_value(serde_json::json!({
            "photographer_id": "x", "event_type": "party", "start": "soon", "duration_minutes": 7,
            "location": {"address": "", "city": "Pune"}, "notes": "n".repeat(2001)}))
        .unwrap();
        let fields: Vec<_> = input.validate().unwrap_err().iter().map(|e| e.field.clone()).collect();
        assert_eq!(fields, ["photographer_id", "event_type", "start", "duration_minutes", "location.address", "notes"]);
    }

    /// `cm_catalog` bounds package durations by `MAX_PACKAGE_MINUTES`; every duration a
    /// profile accepts must be one a booking can take, and no longer.
    #[test]
    fn every_package_duration_a_profile_accepts_is_bookable() {
        use cm_catalog::photographer::{MAX_PACKAGE_MINUTES, PhotographerProfileInput};
        assert_eq!(MAX_PACKAGE_MINUTES, i64::from(crate::MAX_DURATION_MINUTES));
        let profile = |minutes: i64| {
            serde_json::from_value::<PhotographerProfileInput>(serde_json::json!({
                "display_name": "Asha Lens", "specializations": ["wedding"], "city": "Hyderabad",
                "country": "IN", "lat": 17.385, "lon": 78.4867, "service_radius_km": 50, "years_experience": 7,
                "hourly_rate": {"amount_minor": 250000, "currency": "INR"},
                "packages": [{"id": "p", "name": "P", "duration_minutes": minutes,
                              "price": {"amount_minor": 500000, "currency": "INR"}}]
            }))
            .unwrap()
            .validate()
        };
        for minutes in (15..=MAX_PACKAGE_MINUTES).step_by(15) {
            let accepted = profile(minutes).unwrap();
            let package = accepted.package("p").unwrap();
            assert!(BookingDuration::from_minutes(package.duration_minutes).is_some(), "{minutes}");
        }
        assert!(profile(MAX_PACKAGE_MINUTES + 15).is_err());
        assert!(parse_duration(MAX_PACKAGE_MINUTES + 15).is_err());
    }
}
