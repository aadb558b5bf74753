//! The open slots of a listed photographer over a queried range, read once for the
//! availability answer and for the best-slots answer: the profile (its base is where
//! the light is computed unless the client names a place), the published
//! availability, the shoots already holding time, and every bookable slot.

use chrono::{DateTime, Days, NaiveDate, Utc};
use cm_booking::SlotQueryParams;
use cm_booking::scoring::{Shoot, ShootParams};
use cm_booking::travel::{Place, reachable_slots};
use cm_booking::{Availability, OccupiedInterval, Slot, SlotQuery, bookable_slots, occupied_intervals};
use cm_catalog::PhotographerProfile;
use cm_core::{FieldErrors, UserId};
use cm_geo::Point;
use cm_http::{IntoProblem, Problem, Query, RequestError};
use cm_store::{AvailabilityReader, BookingReader, BusyTimeReader, PhotographerReader, StoreError};
use serde::Serialize;

use crate::{App, store_problem};

#[derive(Debug, thiserror::Error)]
pub enum SlotsError {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("photographer {0} does not exist or is not listed")]
    NotFound(UserId),
    #[error("photographer {0} has no availability")]
    NoAvailability(UserId),
    #[error("stored availability of {0} is invalid: {1}")]
    CorruptAvailability(UserId, FieldErrors),
    #[error("stored base of {0} is not a point on the globe")]
    CorruptBase(UserId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for SlotsError {
    fn to_problem(&self) -> Problem {
        match self {
            SlotsError::Request(e) => e.to_problem(),
            SlotsError::NotFound(id) => Problem::not_found(format!("no photographer with id `{id}`")),
            SlotsError::NoAvailability(_) => Problem::not_found("this photographer has not published availability yet"),
            SlotsError::CorruptAvailability(..) | SlotsError::CorruptBase(_) => Problem::internal(),
            SlotsError::Store(e) => store_problem(e),
        }
    }
}

pub struct OpenSlots {
    pub profile: PhotographerProfile,
    /// Where the photographer is based: the light's place when the client names none.
    pub base: Point,
    pub availability: Availability,
    /// Shoots holding time around the range (pending or confirmed), and the busy time of
    /// the photographer's external calendars.
    pub existing: Vec<OccupiedInterval>,
    /// Every bookable start in the range, in the query's display zone.
    pub slots: Vec<Slot>,
}

impl OpenSlots {
    /// Where the shoot's light is computed: the client's place, else the base.
    pub fn light_place(&self, shoot: &Shoot) -> LightPlace {
        let (at, source) = match shoot.at {
            Some(at) => (at, "query"),
            None => (self.base, "photographer_base"),
        };
        LightPlace { lat: at.lat(), lon: at.lon(), source, at }
    }
}

/// The answer's `location`: where the light was computed, and from what.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LightPlace {
    pub lat: f64,
    pub lon: f64,
    /// `query` (the client's `lat`/`lon`) or `photographer_base`.
    pub source: &'static str,
    #[serde(skip)]
    pub at: Point,
}

/// Reads what the range needs (the profile, the availability, then at once one Query of
/// the bookings around the range and one of the busy time of the photographer's
/// external calendars) and lists every bookable slot. With the shoot's
/// place, a slot that would leave no time to travel to or from another located shoot
/// (of its day or, across midnight, the days either side) is not offered (POST
/// /bookings would refuse it as `travel_time`).
pub async fn open_slots<S: PhotographerReader + AvailabilityReader + BookingReader + BusyTimeReader>(
    app: &App<S>,
    id: UserId,
    query: &SlotQuery,
    shoot_at: Option<Point>,
) -> Result<OpenSlots, SlotsError> {
    let profile = match app.store.get_photographer(id).await? {
        Some(p) if p.listed => p.profile,
        _ => return Err(SlotsError::NotFound(id)),
    };
    let base = profile.base().ok_or(SlotsError::CorruptBase(id))?;
    let doc = app.store.get_availability(id).await?.ok_or(SlotsError::NoAvailability(id))?;
    let availability = Availability::try_from(doc).map_err(|e| SlotsError::CorruptAvailability(id, e))?;
    let zone = query.zone().unwrap_or(availability.timezone());

    // Bookings that start up to a day outside the range can still reach into it.
    let from = local_midnight_utc(&availability, query.from().checked_sub_days(Days::new(2)).unwrap_or(query.from()));
    let to = local_midnight_utc(&availability, query.to().checked_add_days(Days::new(2)).unwrap_or(query.to()));
    let (bookings, busy) = futures::try_join!(
        app.store.slot_holding_bookings(id, from, to),
        crate::busy::busy_intervals(&app.store, id, from, to)
    )?;
    let mut existing = occupied_intervals(&bookings);
    existing.extend(busy);
    let mut slots = bookable_slots(&availability, &existing, query);
    if let Some(at) = shoot_at {
        let places: Vec<Place> = bookings.iter().filter_map(Place::of).collect();
        slots = reachable_slots(slots, at, &places, &availability);
    }
    let slots = slots.into_iter().map(|s| s.in_zone(zone)).collect();
    Ok(OpenSlots { profile, base, availability, existing, slots })
}

fn local_midnight_utc(a: &Availability, date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(a.timezone()).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
}

/// The query parameters that describe the shoot, shared by both slot endpoints.
pub const SHOOT_PARAMS: [&str; 4] = ["lat", "lon", "event_type", "preferred_time"];

/// The public names a slot endpoint gives the ends of its date range.
#[derive(Debug, Clone, Copy)]
pub struct RangeNames {
    pub from: &'static str,
    pub to: &'static str,
}

/// Reads a slot endpoint's query: its range (under the endpoint's `range` names),
/// `duration_minutes`, `tz` and the shoot. `others` are the endpoint's own
/// parameters, read by the caller before; anything else is refused as unknown.
pub fn read_slot_query(
    mut q: Query,
    range: RangeNames,
    others: &[&str],
    now: DateTime<Utc>,
) -> Result<(SlotQuery, Shoot), RequestError> {
    let params = SlotQueryParams {
        from: q.text(range.from),
        to: q.text(range.to),
        duration_minutes: q.text("duration_minutes"),
        timezone: q.text("tz"),
    };
    let shoot = shoot_params(&mut q);
    let known: Vec<&str> = [range.from, range.to, "duration_minutes", "tz"]
        .into_iter()
        .chain(SHOOT_PARAMS)
        .chain(others.iter().copied())
        .collect();
    q.finish(&known)?;
    parse_slot_query(&params, &shoot, now, &[("timezone", "tz"), ("from", range.from), ("to", range.to)])
}

pub fn shoot_params(q: &mut Query) -> ShootParams {
    ShootParams {
        lat: q.text("lat"),
        lon: q.text("lon"),
        event_type: q.text("event_type"),
        preferred_time: q.text("preferred_time"),
    }
}

/// The range and the shoot, every problem of both reported at once under the
/// endpoint's own parameter names (`names`: domain → public).
pub fn parse_slot_query(
    range: &SlotQueryParams,
    shoot: &ShootParams,
    now: DateTime<Utc>,
    names: &[(&str, &str)],
) -> Result<(SlotQuery, Shoot), RequestError> {
    match (range.parse(now), shoot.parse()) {
        (Ok(query), Ok(shoot)) => Ok((query, shoot)),
        (a, b) => Err(RequestError::InvalidQuery(public_errors(a.err().into_iter().chain(b.err()), names))),
    }
}

/// The field errors of several parsers as one list, with the domain's field names
/// replaced by the endpoint's public ones (`names`: domain → public).
pub fn public_errors(parts: impl IntoIterator<Item = FieldErrors>, names: &[(&str, &str)]) -> FieldErrors {
    let mut out = FieldErrors::new();
    for e in parts.into_iter().flat_map(|errors| errors.iter().cloned().collect::<Vec<_>>()) {
        let field = names.iter().find(|(domain, _)| *domain == e.field).map_or(e.field.as_str(), |(_, public)| public);
        out.add(field, e.message.clone());
    }
    out
}
