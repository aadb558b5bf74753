//! A booking as its parties see it in API answers: UTC instants, plus the same instants
//! on the photographer's wall clock.

use crate::booking::{Booking, HistoryEntry};
use crate::lifecycle::BookingStatus;
use chrono::{DateTime, SecondsFormat, Utc};
use cm_core::BookingId;
use cm_core::location::Location;
use cm_core::money::Money;
use cm_payments::{Ledger, PaymentView};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct LocalTimes {
    pub timezone: String,
    pub start: String,
    pub end: String,
}

#[derive(Debug, Serialize)]
pub struct BookingView<'a> {
    pub id: BookingId,
    pub status: BookingStatus,
    pub client_id: String,
    pub photographer_id: String,
    pub package_id: &'a Option<String>,
    pub event_type: &'a str,
    pub start: String,
    pub end: String,
    pub duration_minutes: u32,
    pub local: LocalTimes,
    pub location: &'a Location,
    pub notes: &'a Option<String>,
    pub price: &'a Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    pub cancellation_window_hours: u32,
    pub payment: PaymentView,
    pub sequence: u32,
    pub history: &'a [HistoryEntry],
    pub created_at: String,
    pub updated_at: String,
}

/// RFC 3339 in UTC, to the second: how the API writes instants.
pub fn utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The same instant on `zone`'s wall clock (UTC if the zone is unknown).
pub fn local(t: DateTime<Utc>, zone: &str) -> String {
    match zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => t.with_timezone(&tz).to_rfc3339_opts(SecondsFormat::Secs, true),
        Err(_) => utc(t),
    }
}

pub fn view(b: &Booking) -> BookingView<'_> {
    BookingView {
        id: b.id,
        status: b.status,
        client_id: b.client_id.to_string(),
        photographer_id: b.photographer_id.to_string(),
        package_id: &b.package_id,
        event_type: &b.event_type,
        start: utc(b.start),
        end: utc(b.end),
        duration_minutes: b.duration_minutes,
        local: LocalTimes {
            timezone: b.timezone.clone(),
            start: local(b.start, &b.timezone),
            end: local(b.end, &b.timezone),
        },
        location: &b.location,
        notes: &b.notes,
        price: &b.price,
        expires_at: (b.status == BookingStatus::Pending).then(|| utc(b.expires_at)),
        cancellation_window_hours: b.cancellation_window_hours,
        payment: b.payment_terms.view(&b.price),
        sequence: b.sequence,
        history: &b.history,
        created_at: utc(b.created_at),
        updated_at: utc(b.updated_at),
    }
}

/// The booking with where its payments stand (its own page): `ledger` is `None` before
/// any payment.
pub fn view_with_payments<'a>(b: &'a Booking, ledger: Option<&Ledger>) -> BookingView<'a> {
    let mut v = view(b);
    v.payment = b.payment_terms.view_with(&b.price, ledger);
    v
}
