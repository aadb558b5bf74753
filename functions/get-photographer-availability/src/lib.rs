//! `GET /photographers/{id}/availability?from=&to=&duration_minutes=&tz=&lat=&lon=&event_type=&preferred_time=`:
//! every bookable start in a date range (≤ 62 days), in the requested zone, each with
//! a score and its reasons for the shoot, and the light (sunrise, sunset, golden and
//! blue hours) of every date at the shoot's place (`lat`/`lon`, else the photographer's
//! base).

use cm_app::App;
use cm_app::slots::{LightPlace, SlotsError, open_slots, public_errors};
use cm_booking::SlotQueryParams;
use cm_booking::scoring::{DayView, ScoredSlot, ShootParams, annotate};
use cm_catalog::Specialization;
use cm_core::UserId;
use cm_http::{Body, IntoProblem, Problem, Query, Request, RequestError, Response};
use cm_store::{AvailabilityReader, BookingReader, PhotographerReader};
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

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Slots(#[from] SlotsError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Request(e) => e.to_problem(),
            Error::Slots(e) => e.to_problem(),
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
    let shoot = ShootParams {
        lat: q.text("lat"),
        lon: q.text("lon"),
        event_type: q.text("event_type"),
        preferred_time: q.text("preferred_time"),
    };
    q.finish(&["from", "to", "duration_minutes", "tz", "lat", "lon", "event_type", "preferred_time"])?;
    let (query, shoot) = match (params.parse(app.now()), shoot.parse()) {
        (Ok(query), Ok(shoot)) => (query, shoot),
        (a, b) => {
            let errors = public_errors(a.err().into_iter().chain(b.err()), &[("timezone", "tz")]);
            return Err(RequestError::InvalidQuery(errors).into());
        }
    };

    let open = open_slots(app, id, &query).await?;
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
