//! A photographer's external calendars as the API shows them: never the address (a
//! credential), only its masked form, and the state of its syncs.

use chrono::{DateTime, Utc};
use cm_calsync::CalendarId;
use cm_calsync::source::{SourceUrl, mask};
use cm_core::UserId;
use cm_store::calendar_sources::CalendarSource;
use serde::Serialize;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Serialize)]
pub struct CalendarView {
    pub id: String,
    pub label: String,
    /// Scheme, host and the last four characters: enough to tell calendars apart.
    pub url_masked: String,
    /// `pending` (not fetched yet), `ok` (the last attempt succeeded) or `failing`.
    pub status: &'static str,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed; the busy time of the last success still counts.
    pub last_error: Option<String>,
    pub busy_intervals: u32,
    pub next_sync_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

pub fn view(source: &CalendarSource) -> CalendarView {
    let url_masked = url::Url::parse(&source.url).map(|u| mask(&u)).unwrap_or_else(|_| "(unreadable)".into());
    let status = match (&source.last_attempt_at, &source.last_error) {
        (None, _) => "pending",
        (Some(_), None) => "ok",
        (Some(_), Some(_)) => "failing",
    };
    CalendarView {
        id: source.source_id.clone(),
        label: source.label.clone(),
        url_masked,
        status,
        last_attempt_at: source.last_attempt_at,
        last_success_at: source.last_success_at,
        last_error: source.last_error.clone(),
        busy_intervals: source.busy_count,
        next_sync_at: source.next_due_at,
        created_at: source.created_at,
    }
}

/// A newly added calendar: due at once, so the next sync (or the add itself) reads it.
pub fn new_source(photographer: UserId, url: &SourceUrl, label: String, now: DateTime<Utc>) -> CalendarSource {
    CalendarSource {
        photographer_id: photographer,
        source_id: CalendarId::new().to_string(),
        url: url.as_str().to_string(),
        url_hash: url_hash(url.as_str()),
        label,
        created_at: now,
        last_attempt_at: None,
        last_success_at: None,
        last_error: None,
        failures: 0,
        busy_count: 0,
        last_parsed_at: None,
        etag: None,
        last_modified: None,
        next_due_at: now,
        version: 0,
    }
}

/// SHA-256 of the address, hex: the duplicate check compares these, not addresses.
pub fn url_hash(url: &str) -> String {
    Sha256::digest(url.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}
