//! `GET /photographers?specialization=&city=&min_rating=&max_hourly_rate=&currency=&lat=&lon=&radius_km=&limit=&cursor=`:
//! public search. Without a place, best rated first: one Query on the ranked listing
//! partition that matches the filters (see `cm_catalog::search`). With `lat`/`lon`,
//! the photographers whose service area covers that point (and whose base is within
//! `radius_km` of it, when given), nearest first with their distance: one Query per geo
//! cell level, the filters applied to what they return. Never a Scan.

use cm_app::App;
use cm_app::store_problem;
use cm_catalog::Specialization;
use cm_catalog::photographer::MAX_SERVICE_RADIUS_KM;
use cm_catalog::search::{Filters, Nearby, nearest_covering, partition_for, partitions_near};
use cm_core::money::{Currency, MAX_AMOUNT_MINOR};
use cm_geo::Point;
use cm_http::{Body, Internal, IntoProblem, PageBody, Problem, Query, Request, RequestError, Response};
use cm_store::photographers::SearchQuery;
use cm_store::{PageKey, PhotographerSearch, StoreError};

const PARAMS: &[&str] = &[
    "specialization",
    "city",
    "min_rating",
    "max_hourly_rate",
    "currency",
    "lat",
    "lon",
    "radius_km",
    "limit",
    "cursor",
];

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Request(e) => e.to_problem(),
            Error::Store(e) => store_problem(e),
            Error::Internal(_) => Problem::internal(),
        }
    }
}

pub async fn handle<S: PhotographerSearch>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    let mut q = Query::of(&req);
    let specialization =
        q.parse("specialization", &format!("one of: {}", Specialization::allowed_list()), Specialization::parse);
    let city =
        q.parse("city", "a city name of at most 80 characters", |c| (c.chars().count() <= 80).then(|| c.to_string()));
    let min_rating = q.parse("min_rating", "a number from 0 to 5", |s| {
        s.parse::<f64>().ok().filter(|r| r.is_finite() && (0.0..=5.0).contains(r)).map(|r| (r * 100.0).round() as u64)
    });
    let max_rate = q.int_in("max_hourly_rate", 1, MAX_AMOUNT_MINOR);
    let currency = q.parse("currency", "an ISO 4217 currency code", |c| Currency::try_from(c.to_string()).ok());
    let degrees = |max: f64| move |s: &str| s.parse::<f64>().ok().filter(|v| v.is_finite() && v.abs() <= max);
    let lat = q.parse("lat", "a number from -90 to 90", degrees(90.0));
    let lon = q.parse("lon", "a number from -180 to 180", degrees(180.0));
    let radius = q.int_in("radius_km", 1, MAX_SERVICE_RADIUS_KM);
    let limit = q.limit();
    let cursor = q.text("cursor");
    let mut place_errors = cm_core::FieldErrors::new();
    match (lat, lon) {
        (Some(_), None) => place_errors.add("lon", "give both lat and lon, or neither"),
        (None, Some(_)) => place_errors.add("lat", "give both lat and lon, or neither"),
        (None, None) if radius.is_some() => place_errors.add("radius_km", "needs lat and lon"),
        _ => {}
    }
    q.finish(PARAMS)?;
    if !place_errors.is_empty() {
        return Err(RequestError::InvalidQuery(place_errors).into());
    }
    let filters = Filters {
        specialization,
        city: city.as_deref(),
        min_rating_centi: min_rating,
        max_hourly_rate_minor: max_rate,
        currency: currency.as_ref().map(|c| c.as_str()),
    };
    if let Some(point) = lat.zip(lon).and_then(|(lat, lon)| Point::new(lat, lon)) {
        return near(app, point, radius, filters, limit, cursor).await;
    }

    let partition = partition_for(specialization, city.as_deref());
    // The cursor is bound to the partition and the filters, so a cursor from one
    // search cannot be replayed against another.
    let scope = format!("search|{partition}|{min_rating:?}|{max_rate:?}|{currency:?}");
    let after: Option<PageKey> = cursor.map(|c| app.cursors()?.decode(&scope, &c).map_err(Error::from)).transpose()?;
    let query = SearchQuery {
        partition,
        min_rating_centi: min_rating,
        max_hourly_rate_minor: max_rate,
        currency: currency.as_ref().map(|c| c.as_str()),
        limit,
    };
    let page = app.store.search_photographers(&query, after.as_ref()).await?;
    let next_cursor = page.next.map(|k| app.cursors()?.encode(&scope, &k)).transpose()?;
    Ok(cm_http::ok(&PageBody { items: page.items, next_cursor }))
}

/// Nearest first. The whole answer is known after the reads, so a page is a slice of
/// it, and the cursor is the last item's place in the order (distance, then id).
async fn near<S: PhotographerSearch>(
    app: &App<S>,
    point: Point,
    radius_km: Option<i64>,
    filters: Filters<'_>,
    limit: usize,
    cursor: Option<String>,
) -> Result<Response<Body>, Error> {
    let scope = format!(
        "near|{}|{}|{radius_km:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        point.lat(),
        point.lon(),
        filters.specialization,
        filters.city.map(cm_catalog::search::normalize_city),
        filters.min_rating_centi,
        filters.max_hourly_rate_minor,
        filters.currency
    );
    let after: Option<(u64, String)> =
        cursor.map(|c| app.cursors()?.decode(&scope, &c).map_err(Error::from)).transpose()?;
    let candidates = app.store.photographers_in(&partitions_near(point)).await?;
    let found: Vec<Nearby> = nearest_covering(candidates, point, radius_km.map(|r| r as f64))
        .into_iter()
        .filter(|n| filters.admit(&n.profile))
        .filter(|n| after.as_ref().is_none_or(|(d, id)| (tenths(n), n.profile.id.to_string()) > (*d, id.clone())))
        .take(limit + 1)
        .collect();
    let more = found.len() > limit;
    let items: Vec<Nearby> = found.into_iter().take(limit).collect();
    let next_cursor = match items.last() {
        Some(last) if more => Some(app.cursors()?.encode(&scope, &(tenths(last), last.profile.id.to_string()))?),
        _ => None,
    };
    Ok(cm_http::ok(&PageBody { items, next_cursor }))
}

/// The distance in tenths of a kilometre, as shown: an exact key for the cursor.
fn tenths(n: &Nearby) -> u64 {
    (n.distance_km * 10.0).round() as u64
}
