//! `GET /photographers/me/availability`: the caller's availability rules.

use cm_accounts::Role;
use cm_app::store_problem;
use cm_app::{App, AuthError};
use cm_http::{Body, IntoProblem, Problem, Request, Response};
use cm_store::{AvailabilityReader, StoreError, UserReader};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("no availability set yet")]
    NotSet,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::NotSet => {
                Problem::not_found("you have not set your availability yet; use PUT /photographers/me/availability")
            }
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: UserReader + AvailabilityReader>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate_as(app, &req, &[Role::Photographer]).await?;
    let doc = app.store.get_availability(caller.id()).await?.ok_or(Error::NotSet)?;
    Ok(cm_http::ok(&doc))
}
