//! `GET /photographers/{id}/optimal-slots?date_from=&date_to=&duration_minutes=&event_type=&lat=&lon=&tz=&preferred_time=&limit=`:
//! the best few bookable slots in a date range (≤ 62 days) for a shoot, best first,
//! each with its score, the reasons for it, and the light of its date. At most two fall
//! on one date and none overlap, so the answer is a choice (see
//! `cm_booking::scoring::best_slots`).

use cm_app::App;
use cm_app::slots::{LightPlace, RangeNames, SlotsError, open_slots, read_slot_query};
use cm_booking::scoring::{DayView, ScoredSlot, annotate, best_slots};
use cm_catalog::Specialization;
use cm_core::UserId;
use cm_http::{Body, Query, Request, Response};
use cm_store::{AvailabilityReader, BookingReader, BusyTimeReader, PhotographerReader};
use serde::Serialize;

pub const DEFAULT_LIMIT: usize = 5;
pub const MAX_LIMIT: i64 = 20;

#[derive(Serialize)]
struct BestBody {
    timezone: String,
    duration_minutes: u32,
    event_type: Option<Specialization>,
    location: LightPlace,
    slots: Vec<Best>,
}

#[derive(Serialize)]
struct Best {
    #[serde(flatten)]
    slot: ScoredSlot,
    /// The light of the slot's date.
    day: DayView,
}

pub async fn handle<S: PhotographerReader + AvailabilityReader + BookingReader + BusyTimeReader>(
    app: &App<S>,
    req: Request,
) -> Result<Response<Body>, SlotsError> {
    let id: UserId = cm_http::path_param(&req, "id", "photographer")?;
    let mut q = Query::of(&req);
    let limit = q.int_in("limit", 1, MAX_LIMIT).map_or(DEFAULT_LIMIT, |n| n as usize);
    let range = RangeNames { from: "date_from", to: "date_to" };
    let (query, shoot) = read_slot_query(q, range, &["limit"], app.now())?;

    let open = open_slots(app, id, &query, shoot.at).await?;
    let zone = query.zone().unwrap_or(open.availability.timezone());
    let place = open.light_place(&shoot);
    let (days, scored) = annotate(&open.slots, &open.existing, &query, open.availability.timezone(), place.at, &shoot);
    let slots = best_slots(scored, limit, zone)
        .into_iter()
        .filter_map(|slot| {
            let date = slot.slot.start().date_naive();
            let day = days.iter().find(|d| d.date == date)?.clone();
            Some(Best { slot, day })
        })
        .collect();
    Ok(cm_http::ok(&BestBody {
        timezone: zone.name().to_string(),
        duration_minutes: query.duration().minutes(),
        event_type: shoot.event_type,
        location: place,
        slots,
    }))
}
