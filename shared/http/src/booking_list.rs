//! The query shared by `GET /bookings` and `GET /admin/bookings`.

use crate::booking::view;
use crate::{ApiError, App, PageBody, Query};
use chrono::{DateTime, NaiveDate, Utc};
use cm_scheduling::BookingStatus;
use cm_store::bookings::{BookingListQuery, Party};
use lambda_http::{Body, Response};

/// `from`/`to` accept a date (UTC midnight) or an RFC 3339 instant.
fn instant(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).ok().or_else(|| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
    })
}

pub fn status_param(q: &mut Query) -> Option<BookingStatus> {
    q.parse("status", "one of pending, confirmed, declined, cancelled, completed, expired", |s| {
        BookingStatus::ALL.into_iter().find(|st| st.as_str() == s)
    })
}

pub async fn list(
    app: &App,
    mut q: Query,
    party: Party,
    scope_name: &str,
    extra_known: &[&str],
) -> Result<Response<Body>, ApiError> {
    let status = status_param(&mut q);
    let from = q.parse("from", "a date (YYYY-MM-DD) or an RFC 3339 time", instant);
    let to = q.parse("to", "a date (YYYY-MM-DD) or an RFC 3339 time", instant);
    let limit = q.limit();
    let cursor = q.text("cursor");
    let mut known = vec!["status", "from", "to", "limit", "cursor"];
    known.extend_from_slice(extra_known);
    q.finish(&known)?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(ApiError::InvalidQuery(cm_domain::FieldErrors::single("to", "must not be before from")));
    }
    let scope = format!("{scope_name}|{status:?}|{from:?}|{to:?}");
    let after = cursor.map(|c| app.decode_cursor(&scope, &c)).transpose()?;
    let page = app.store.list_bookings(&BookingListQuery { party, status, from, to, limit }, after.as_ref()).await?;
    let next_cursor = page.next.map(|k| app.encode_cursor(&scope, &k)).transpose()?;
    let items: Vec<_> = page.items.iter().map(view).collect();
    crate::ok(&PageBody { items, next_cursor })
}
