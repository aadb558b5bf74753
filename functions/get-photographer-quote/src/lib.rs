//! `GET /photographers/{id}/quote?start=&duration_minutes=&package_id=&event_type=`: what
//! a session would cost, with every factor behind the price and its reason, and a
//! `quote_id` that `POST /bookings` honours for half an hour at exactly that price.
//!
//! With the photographer's dynamic pricing off, the quote is the plain rate. With it on,
//! the price follows the demand forecast of the photographer's city for the session's
//! specialization (the nightly forecast pass), the lead time, the photographer's own
//! week and their rating, held within their floor and ceiling (`cm_booking::pricing`;
//! the reads are `cm_app::quotes::price_session`). Anyone may ask: prices are public,
//! as on the profile.

use cm_app::quotes::{PriceView, PricingError, SESSION_PARAMS, price_session, read_session};
use cm_app::{App, store_problem};
use cm_booking::pricing::QUOTE_VALIDITY;
use cm_core::UserId;
use cm_http::{Body, Internal, IntoProblem, Problem, Query, Request, RequestError, Response};
use cm_store::{AvailabilityReader, BookingReader, DemandForecasts, PhotographerReader, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("photographer {0} does not exist or is not listed")]
    NotFound(UserId),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<PricingError> for Error {
    fn from(e: PricingError) -> Self {
        match e {
            // The package and duration are query parameters here: a bad one is a bad query.
            PricingError::Session(errors) => RequestError::InvalidQuery(errors).into(),
            PricingError::Store(e) => e.into(),
        }
    }
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Request(e) => e.to_problem(),
            Error::NotFound(id) => Problem::not_found(format!("no photographer with id `{id}`")),
            Error::Store(e) => store_problem(e),
            Error::Internal(_) => Problem::internal(),
        }
    }
}

pub async fn handle<S>(app: &App<S>, req: Request) -> Result<Response<Body>, Error>
where
    S: PhotographerReader + AvailabilityReader + BookingReader + DemandForecasts,
{
    let id: UserId = cm_http::path_param(&req, "id", "photographer")?;
    let now = app.now();
    let mut q = Query::of(&req);
    let asked = read_session(&mut q);
    q.finish(&SESSION_PARAMS)?;
    let session = asked.check(now).map_err(RequestError::InvalidQuery)?;
    let record = match app.store.get_photographer(id).await? {
        Some(r) if r.listed => r,
        _ => return Err(Error::NotFound(id)),
    };
    let settings = record.profile.dynamic_pricing;
    let priced = price_session(app, &record, &session, settings).await?;
    let mut view = PriceView::new(id, &session, settings, priced);
    let expires_at = now + QUOTE_VALIDITY;
    view.quote_id = Some(cm_app::quotes::seal(app, &view.terms(expires_at))?);
    view.expires_at = Some(expires_at);
    // A quote is an offer made now: `ok` answers `no-store`, so nothing between caches it.
    Ok(cm_http::ok(&view))
}
