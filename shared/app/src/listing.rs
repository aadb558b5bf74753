//! The booking listing behind `GET /bookings` and `GET /admin/bookings`: the same
//! filters, the same page shape, cursors bound to the party and filters they came from,
//! and the other party named as on a booking's page (`crate::names`: one BatchGetItem a
//! page).

use crate::{App, store_problem};
use chrono::{DateTime, NaiveDate, Utc};
use cm_booking::BookingStatus;
use cm_booking::view::view;
use cm_core::FieldErrors;
use cm_http::{Body, Internal, IntoProblem, PageBody, Problem, Query, RequestError, Response};
use cm_payments::view::Reader;
use cm_store::bookings::{BookingListQuery, Party};
use cm_store::{BookingReader, NameReader, PageKey, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ListBookingsError {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl IntoProblem for ListBookingsError {
    fn to_problem(&self) -> Problem {
        match self {
            ListBookingsError::Request(e) => e.to_problem(),
            ListBookingsError::Store(e) => store_problem(e),
            ListBookingsError::Internal(_) => Problem::internal(),
        }
    }
}

/// `from`/`to` accept a date (UTC midnight) or an RFC 3339 instant.
pub fn instant(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).ok().or_else(|| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
    })
}

pub fn status_param(q: &mut Query) -> Option<BookingStatus> {
    q.parse("status", "one of pending, confirmed, declined, cancelled, completed, expired", |s| {
        BookingStatus::ALL.into_iter().find(|st| st.as_str() == s)
    })
}

/// One page of `party`'s bookings. `scope_name` names the listing (and the caller, for
/// personal listings) so a cursor cannot be replayed elsewhere; `extra_known` are the
/// endpoint's own query parameters, already read.
pub async fn list_bookings<S: BookingReader + NameReader>(
    app: &App<S>,
    mut q: Query,
    party: Party,
    scope_name: &str,
    extra_known: &[&str],
) -> Result<Response<Body>, ListBookingsError> {
    let status = status_param(&mut q);
    let from = q.parse("from", "a date (YYYY-MM-DD) or an RFC 3339 time", instant);
    let to = q.parse("to", "a date (YYYY-MM-DD) or an RFC 3339 time", instant);
    let descending = q
        .parse("order", "asc (earliest start first) or desc (latest first)", |s| match s {
            "asc" => Some(false),
            "desc" => Some(true),
            _ => None,
        })
        .unwrap_or(false);
    let limit = q.limit();
    let cursor = q.text("cursor");
    let mut known = vec!["status", "from", "to", "order", "limit", "cursor"];
    known.extend_from_slice(extra_known);
    q.finish(&known)?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(RequestError::InvalidQuery(FieldErrors::single("to", "must not be before from")).into());
    }
    let mut scope = format!("{scope_name}|{status:?}|{from:?}|{to:?}");
    // Appended only when asked, so the cursors of earliest-first listings are unchanged.
    if descending {
        scope.push_str("|desc");
    }
    let after: Option<PageKey> =
        cursor.map(|c| app.cursors()?.decode(&scope, &c).map_err(ListBookingsError::from)).transpose()?;
    let query = BookingListQuery { party, status, from, to, limit, descending };
    let page = app.store.list_bookings(&query, after.as_ref()).await?;
    let next_cursor = page.next.map(|k| app.cursors()?.encode(&scope, &k)).transpose()?;
    // A client reads the photographer's name, a photographer the client's, an admin both.
    let reader = match party {
        Party::Client(_) => Reader::Client,
        Party::Photographer(_) => Reader::Photographer,
        Party::Everyone => Reader::Admin,
    };
    let parties =
        crate::names::Parties::of(&app.store, reader, page.items.iter().map(|b| (b.client_id, b.photographer_id)))
            .await?;
    let items: Vec<_> = page.items.iter().map(|b| parties.name(view(b), b.client_id, b.photographer_id)).collect();
    Ok(cm_http::ok(&PageBody { items, next_cursor }))
}
