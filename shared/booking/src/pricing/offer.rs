//! A quote a client can book at: the session it prices and the price, valid for
//! [`QUOTE_VALIDITY`]. The API hands it out sealed (an HMAC over these terms) as the
//! `quote_id`; `POST /bookings` opens it and, if the booking is for the very session
//! quoted and the quote has not expired, charges exactly its price.

use super::Quote;
use crate::BookingDuration;
use crate::request::BookingRequest;
use chrono::{DateTime, TimeDelta, Utc};
use cm_catalog::photographer::Specialization;
use cm_core::UserId;
use cm_core::money::Money;
use serde::{Deserialize, Serialize};

/// Long enough to fill in a booking form, short enough that demand has not moved.
pub const QUOTE_VALIDITY: TimeDelta = TimeDelta::minutes(30);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteTerms {
    pub photographer_id: UserId,
    pub start: DateTime<Utc>,
    pub duration_minutes: u32,
    pub package_id: Option<String>,
    pub event_type: Specialization,
    pub price: Money,
    pub expires_at: DateTime<Utc>,
}

/// Why a booking cannot be made at a quote's price.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteRefusal {
    #[error("the quote expired at {0}; ask for a new one")]
    Expired(DateTime<Utc>),
    #[error("the quote is for another {0}; ask for a quote for this session")]
    OtherSession(&'static str),
}

impl QuoteTerms {
    /// The session and price a booking request gets at this quote: `duration` is what
    /// the request comes to (its package's or its own).
    pub fn honour(
        &self,
        request: &BookingRequest,
        duration: BookingDuration,
        now: DateTime<Utc>,
    ) -> Result<Quote, QuoteRefusal> {
        if now >= self.expires_at {
            return Err(QuoteRefusal::Expired(self.expires_at));
        }
        let differs = [
            ("photographer", self.photographer_id != request.photographer_id),
            ("start", self.start != request.start),
            ("duration", self.duration_minutes != duration.minutes()),
            ("package", self.package_id != request.package_id),
            ("event type", self.event_type != request.event_type),
        ];
        if let Some((what, _)) = differs.into_iter().find(|(_, d)| *d) {
            return Err(QuoteRefusal::OtherSession(what));
        }
        Ok(Quote { duration, price: self.price.clone() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::BookingRequestInput;

    fn request(start: &str, package: Option<&str>) -> BookingRequest {
        serde_json::from_value::<BookingRequestInput>(serde_json::json!({
            "photographer_id": "01J9Z3N6C8W4XQ0B7K2R5T1V3M", "event_type": "wedding", "start": start,
            "duration_minutes": 120, "package_id": package,
            "location": {"address": "1 Road", "city": "Hyderabad"}}))
        .unwrap()
        .validate()
        .unwrap()
    }

    fn terms() -> QuoteTerms {
        let r = request("2026-12-26T10:00:00+05:30", None);
        QuoteTerms {
            photographer_id: r.photographer_id,
            start: r.start,
            duration_minutes: 120,
            package_id: None,
            event_type: Specialization::Wedding,
            price: serde_json::from_value(serde_json::json!({"amount_minor": 612_300, "currency": "INR"})).unwrap(),
            expires_at: "2026-12-01T10:30:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn the_quoted_session_gets_the_quoted_price_until_it_expires() {
        let t = terms();
        let two_hours = BookingDuration::from_minutes(120).unwrap();
        let r = request("2026-12-26T04:30:00Z", None);
        let q = t.honour(&r, two_hours, "2026-12-01T10:29:59Z".parse().unwrap()).unwrap();
        assert_eq!(q.price.amount_minor, 612_300);
        assert_eq!(
            t.honour(&r, two_hours, t.expires_at),
            Err(QuoteRefusal::Expired(t.expires_at)),
            "expired at its expiry instant"
        );
    }

    #[test]
    fn another_session_does_not_get_the_price() {
        let t = terms();
        let now = "2026-12-01T10:00:00Z".parse().unwrap();
        let two_hours = BookingDuration::from_minutes(120).unwrap();
        let three_hours = BookingDuration::from_minutes(180).unwrap();
        let r = request("2026-12-26T10:00:00+05:30", None);
        assert_eq!(t.honour(&r, three_hours, now), Err(QuoteRefusal::OtherSession("duration")));
        let later = request("2026-12-26T11:00:00+05:30", None);
        assert_eq!(t.honour(&later, two_hours, now), Err(QuoteRefusal::OtherSession("start")));
        let package = request("2026-12-26T10:00:00+05:30", Some("basic"));
        assert_eq!(t.honour(&package, two_hours, now), Err(QuoteRefusal::OtherSession("package")));
        let mut portrait = r.clone();
        portrait.event_type = Specialization::Portrait;
        assert_eq!(t.honour(&portrait, two_hours, now), Err(QuoteRefusal::OtherSession("event type")));
        let mut other = r.clone();
        other.photographer_id = "01J9Z3N6C8W4XQ0B7K2R5T1V3N".parse().unwrap();
        assert_eq!(t.honour(&other, two_hours, now), Err(QuoteRefusal::OtherSession("photographer")));
    }
}
