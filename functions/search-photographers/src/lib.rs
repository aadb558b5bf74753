//! `GET /photographers?specialization=&city=&min_rating=&max_hourly_rate=&currency=&limit=&cursor=`:
//! public search, best rated first. One Query on the ranked listing partition that
//! matches the filters (see cm_domain::search); never a Scan.

use cm_domain::photographer::Specialization;
use cm_domain::search::partition_for;
use cm_http::{ApiError, App, Body, PageBody, Query, Request, Response};
use cm_store::photographers::SearchQuery;

const PARAMS: &[&str] = &["specialization", "city", "min_rating", "max_hourly_rate", "currency", "limit", "cursor"];

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let mut q = Query::of(&req);
    let specialization =
        q.parse("specialization", &format!("one of: {}", Specialization::allowed_list()), Specialization::parse);
    let city =
        q.parse("city", "a city name of at most 80 characters", |c| (c.chars().count() <= 80).then(|| c.to_string()));
    let min_rating = q.parse("min_rating", "a number from 0 to 5", |s| {
        s.parse::<f64>().ok().filter(|r| r.is_finite() && (0.0..=5.0).contains(r)).map(|r| (r * 100.0).round() as u64)
    });
    let max_rate = q.int_in("max_hourly_rate", 1, cm_domain::money::MAX_AMOUNT_MINOR);
    let currency =
        q.parse("currency", "an ISO 4217 currency code", |c| cm_domain::money::Currency::try_from(c.to_string()).ok());
    let limit = q.limit();
    let cursor = q.text("cursor");
    q.finish(PARAMS)?;

    let partition = partition_for(specialization, city.as_deref());
    // The cursor is bound to the partition and the filters, so a cursor from one
    // search cannot be replayed against another.
    let scope = format!("search|{partition}|{min_rating:?}|{max_rate:?}|{currency:?}");
    let after = cursor.map(|c| app.decode_cursor(&scope, &c)).transpose()?;
    let query = SearchQuery {
        partition,
        min_rating_centi: min_rating,
        max_hourly_rate_minor: max_rate,
        currency: currency.as_ref().map(|c| c.as_str()),
        limit,
    };
    let page = app.store.search_photographers(&query, after.as_ref()).await?;
    let next_cursor = page.next.map(|k| app.encode_cursor(&scope, &k)).transpose()?;
    cm_http::ok(&PageBody { items: page.items, next_cursor })
}
