//! `GET /photographers/me/pricing-preview?start=&duration_minutes=&package_id=&event_type=&floor_percent=&ceiling_percent=`:
//! what dynamic pricing would charge for a session of the caller's, with each factor and
//! its reason, under the bounds given (default: their saved bounds), whether or not it
//! is on. Photographers try their settings here before turning them on; nothing is
//! sealed or saved, so there is no `quote_id`.

use cm_accounts::Role;
use cm_app::quotes::{PriceView, PricingError, SESSION_PARAMS, price_session, read_session};
use cm_app::{App, AuthError, store_problem};
use cm_catalog::photographer::{DynamicPricing, MAX_CEILING_PERCENT, MIN_FLOOR_PERCENT};
use cm_http::{Body, IntoProblem, Problem, Query, Request, RequestError, Response};
use cm_store::{AvailabilityReader, BookingReader, DemandForecasts, PhotographerReader, StoreError, UserReader};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("no photographer profile yet")]
    NoProfile,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<PricingError> for Error {
    fn from(e: PricingError) -> Self {
        match e {
            PricingError::Session(errors) => RequestError::InvalidQuery(errors).into(),
            PricingError::Store(e) => e.into(),
        }
    }
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::NoProfile => {
                Problem::not_found("you have no photographer profile yet; create it with PUT /photographers/me")
            }
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S>(app: &App<S>, req: Request) -> Result<Response<Body>, Error>
where
    S: UserReader + PhotographerReader + AvailabilityReader + BookingReader + DemandForecasts,
{
    let caller = cm_app::authenticate_as(app, &req, &[Role::Photographer]).await?;
    let mut q = Query::of(&req);
    let asked = read_session(&mut q);
    let floor = q.int_in("floor_percent", i64::from(MIN_FLOOR_PERCENT), 100);
    let ceiling = q.int_in("ceiling_percent", 100, i64::from(MAX_CEILING_PERCENT));
    let mut known = SESSION_PARAMS.to_vec();
    known.extend(["floor_percent", "ceiling_percent"]);
    q.finish(&known)?;
    let session = asked.check(app.now()).map_err(RequestError::InvalidQuery)?;
    let record = app.store.get_photographer(caller.id()).await?.ok_or(Error::NoProfile)?;
    let saved = record.profile.dynamic_pricing;
    // The bounds were range-checked by `int_in`.
    let settings = DynamicPricing {
        enabled: true,
        floor_percent: floor.map_or(saved.floor_percent, |f| f as u16),
        ceiling_percent: ceiling.map_or(saved.ceiling_percent, |c| c as u16),
    };
    let priced = price_session(app, &record, &session, settings).await?;
    Ok(cm_http::ok(&PriceView::new(caller.id(), &session, settings, priced)))
}
