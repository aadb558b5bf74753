//! `GET /admin/forecasts?city=&specialization=`: the latest demand forecast of a
//! segment (the platform without parameters): daily requests for the next 90 days
//! with 80 % intervals, the model that made it and its backtest error. Written by the
//! nightly forecast-demand-job; one GetItem here.

use cm_accounts::Role;
use cm_app::store_problem;
use cm_app::{App, AuthError};
use cm_booking::analytics::{self, Segment};
use cm_catalog::photographer::Specialization;
use cm_http::{Body, IntoProblem, Problem, Query, Request, RequestError, Response};
use cm_store::{DemandForecasts, StoreError, UserReader};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: UserReader + DemandForecasts>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    cm_app::authenticate_as(app, &req, &[Role::Admin]).await?;
    let mut q = Query::of(&req);
    let city = q.parse("city", "a city name (1 to 100 characters)", analytics::parse_city);
    let specialization = q.parse("specialization", "one of the specializations", Specialization::parse);
    q.finish(&["city", "specialization"])?;
    let segment = Segment { city, specialization };
    match app.store.get_forecast(&segment).await? {
        Some(f) => Ok(cm_http::ok(&f)),
        None => Err(RequestError::NotFound(format!(
            "no forecast for {} yet: the nightly job forecasts segments with bookings",
            describe(&segment)
        ))
        .into()),
    }
}

fn describe(s: &Segment) -> String {
    match (&s.city, s.specialization) {
        (None, None) => "the platform".into(),
        (Some(c), None) => format!("city `{c}`"),
        (None, Some(sp)) => format!("specialization `{}`", sp.as_str()),
        (Some(c), Some(sp)) => format!("city `{c}` and specialization `{}`", sp.as_str()),
    }
}
