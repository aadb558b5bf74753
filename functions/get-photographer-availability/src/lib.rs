//! `GET /photographers/{id}/availability?from=&to=&duration_minutes=&tz=`: every
//! bookable start in a date range (≤ 62 days), in the requested zone.

use chrono::{DateTime, Days, NaiveDate, Utc};
use cm_app::App;
use cm_app::store_problem;
use cm_booking::{Availability, SlotQueryParams, bookable_slots, occupied_intervals};
use cm_core::{FieldErrors, UserId};
use cm_http::{Body, IntoProblem, Problem, Query, Request, RequestError, Response};
use cm_store::{AvailabilityReader, BookingReader, PhotographerReader, StoreError};
use serde::Serialize;

#[derive(Serialize)]
struct SlotsBody {
    timezone: String,
    duration_minutes: u32,
    slots: Vec<cm_booking::Slot>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("photographer {0} does not exist or is not listed")]
    NotFound(UserId),
    #[error("photographer {0} has no availability")]
    NoAvailability(UserId),
    #[error("stored availability of {0} is invalid: {1}")]
    CorruptAvailability(UserId, FieldErrors),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Request(e) => e.to_problem(),
            Error::NotFound(id) => Problem::not_found(format!("no photographer with id `{id}`")),
            Error::NoAvailability(_) => Problem::not_found("this photographer has not published availability yet"),
            Error::CorruptAvailability(..) => Problem::internal(),
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: PhotographerReader + AvailabilityReader + BookingReader>(
    app: &App<S>,
    req: Request,
) -> Result<Response<Body>, Error> {
    let id: UserId = cm_http::path_param(&req, "id", "photographer")?;
    let mut q = Query::of(&req);
    let params = SlotQueryParams {
        from: q.text("from"),
        to: q.text("to"),
        duration_minutes: q.text("duration_minutes"),
        timezone: q.text("tz"),
    };
    q.finish(&["from", "to", "duration_minutes", "tz"])?;
    let query = params.parse(app.now()).map_err(|e| RequestError::InvalidQuery(rename_tz(e)))?;

    match app.store.get_photographer(id).await? {
        Some(p) if p.listed => {}
        _ => return Err(Error::NotFound(id)),
    }
    let doc = app.store.get_availability(id).await?.ok_or(Error::NoAvailability(id))?;
    let availability = Availability::try_from(doc).map_err(|e| Error::CorruptAvailability(id, e))?;
    let zone = query.zone().unwrap_or(availability.timezone());

    // Bookings that start up to a day outside the range can still reach into it.
    let from = local_midnight_utc(&availability, query.from().checked_sub_days(Days::new(2)).unwrap_or(query.from()));
    let to = local_midnight_utc(&availability, query.to().checked_add_days(Days::new(2)).unwrap_or(query.to()));
    let existing = occupied_intervals(&app.store.slot_holding_bookings(id, from, to).await?);
    let slots = bookable_slots(&availability, &existing, &query).into_iter().map(|s| s.in_zone(zone)).collect();
    Ok(cm_http::ok(&SlotsBody {
        timezone: zone.name().to_string(),
        duration_minutes: query.duration().minutes(),
        slots,
    }))
}

fn local_midnight_utc(a: &Availability, date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(a.timezone()).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
}

/// The public parameter is `tz`; the domain calls it `timezone`.
fn rename_tz(errors: FieldErrors) -> FieldErrors {
    let mut out = FieldErrors::new();
    for e in errors.iter() {
        out.add(if e.field == "timezone" { "tz" } else { e.field.as_str() }, e.message.clone());
    }
    out
}
