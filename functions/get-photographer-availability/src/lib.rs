//! `GET /photographers/{id}/availability?from=&to=&duration_minutes=&tz=&lat=&lon=&event_type=&preferred_time=`:
//! every bookable start in a date range (≤ 62 days), in the requested zone, each with
//! a score and its reasons for the shoot, and the light (sunrise, sunset, golden and
//! blue hours) of every date at the shoot's place (`lat`/`lon`, else the photographer's
//! base).

use cm_app::App;
use cm_app::slots::{LightPlace, RangeNames, SlotsError, open_slots, read_slot_query};
use cm_booking::scoring::{DayView, ScoredSlot, annotate};
use cm_catalog::Specialization;
use cm_core::UserId;
use cm_http::{Body, Query, Request, Response};
use cm_store::{AvailabilityReader, BookingReader, BusyTimeReader, PhotographerReader};
use serde::Serialize;

#[derive(Serialize)]
struct SlotsBody {
    timezone: String,
    duration_minutes: u32,
    event_type: Option<Specialization>,
    /// Where the light was computed.
    location: LightPlace,
    days: Vec<DayView>,
    slots: Vec<ScoredSlot>,
}

pub async fn handle<S: PhotographerReader + AvailabilityReader + BookingReader + BusyTimeReader>(
    app: &App<S>,
    req: Request,
) -> Result<Response<Body>, SlotsError> {
    let id: UserId = cm_http::path_param(&req, "id", "photographer")?;
    let range = RangeNames { from: "from", to: "to" };
    let (query, shoot) = read_slot_query(Query::of(&req), range, &[], app.now())?;

    let open = open_slots(app, id, &query, shoot.at).await?;
    let zone = query.zone().unwrap_or(open.availability.timezone());
    let place = open.light_place(&shoot);
    let (days, slots) = annotate(&open.slots, &open.existing, &query, open.availability.timezone(), place.at, &shoot);
    Ok(cm_http::ok(&SlotsBody {
        timezone: zone.name().to_string(),
        duration_minutes: query.duration().minutes(),
        event_type: shoot.event_type,
        location: place,
        days,
        slots,
    }))
}
