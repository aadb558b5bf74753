//! `GET /photographers/{id}/availability?from=&to=&duration_minutes=&tz=`: every
//! bookable start in a date range (≤ 62 days), in the requested zone.

use chrono::{Days, Utc};
use cm_domain::UserId;
use cm_http::booking::occupied_intervals;
use cm_http::{ApiError, App, Body, Query, Request, Response};
use cm_scheduling::{Availability, SlotQueryParams, bookable_slots};
use serde::Serialize;

#[derive(Serialize)]
struct SlotsBody {
    timezone: String,
    duration_minutes: u32,
    slots: Vec<cm_scheduling::Slot>,
}

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let id: UserId = cm_http::path_param(&req, "id", "photographer")?;
    let mut q = Query::of(&req);
    let params = SlotQueryParams {
        from: q.text("from"),
        to: q.text("to"),
        duration_minutes: q.text("duration_minutes"),
        timezone: q.text("tz"),
    };
    q.finish(&["from", "to", "duration_minutes", "tz"])?;
    let now = Utc::now();
    let query = params.parse(now).map_err(|e| ApiError::InvalidQuery(rename_tz(e)))?;

    match app.store.get_photographer(id).await? {
        Some(p) if p.listed => {}
        _ => return Err(ApiError::NotFound(format!("no photographer with id `{id}`"))),
    }
    let Some(doc) = app.store.get_availability(id).await? else {
        return Err(ApiError::NotFound("this photographer has not published availability yet".into()));
    };
    let availability =
        Availability::try_from(doc).map_err(|e| ApiError::internal(format!("stored availability is invalid: {e}")))?;
    let zone = query.zone().unwrap_or(availability.timezone());

    // Bookings that start up to a day outside the range can still reach into it.
    let from = local_midnight_utc(&availability, query.from().checked_sub_days(Days::new(2)).unwrap_or(query.from()));
    let to = local_midnight_utc(&availability, query.to().checked_add_days(Days::new(2)).unwrap_or(query.to()));
    let existing = occupied_intervals(&app.store.slot_holding_bookings(id, from, to).await?);
    let slots = bookable_slots(&availability, &existing, &query).into_iter().map(|s| s.in_zone(zone)).collect();
    cm_http::ok(&SlotsBody { timezone: zone.name().to_string(), duration_minutes: query.duration().minutes(), slots })
}

fn local_midnight_utc(a: &Availability, date: chrono::NaiveDate) -> chrono::DateTime<Utc> {
    date.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(a.timezone()).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
}

/// The public parameter is `tz`; the domain calls it `timezone`.
fn rename_tz(errors: cm_domain::FieldErrors) -> cm_domain::FieldErrors {
    let mut out = cm_domain::FieldErrors::new();
    for e in errors.iter() {
        out.add(if e.field == "timezone" { "tz" } else { e.field.as_str() }, e.message.clone());
    }
    out
}
