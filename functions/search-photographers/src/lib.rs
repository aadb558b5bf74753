//! `GET /photographers?specialization=&city=&min_rating=&max_hourly_rate=&currency=&limit=&cursor=`:
//! public search, best rated first. One Query on the ranked listing partition that
//! matches the filters (see `cm_catalog::search`); never a Scan.

use cm_app::App;
use cm_app::store_problem;
use cm_catalog::Specialization;
use cm_catalog::search::partition_for;
use cm_core::money::{Currency, MAX_AMOUNT_MINOR};
use cm_http::{Body, Internal, IntoProblem, PageBody, Problem, Query, Request, RequestError, Response};
use cm_store::photographers::SearchQuery;
use cm_store::{PageKey, PhotographerSearch, StoreError};

const PARAMS: &[&str] = &["specialization", "city", "min_rating", "max_hourly_rate", "currency", "limit", "cursor"];

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
    let limit = q.limit();
    let cursor = q.text("cursor");
    q.finish(PARAMS)?;

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
