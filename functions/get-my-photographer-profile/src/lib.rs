//! `GET /photographers/me`: the caller's own profile as clients see it.

use cm_accounts::Role;
use cm_app::store_problem;
use cm_app::{App, AuthError};
use cm_http::{Body, IntoProblem, Problem, Request, Response};
use cm_store::{PhotographerReader, StoreError, UserReader};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("no photographer profile yet")]
    NoProfile,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::NoProfile => {
                Problem::not_found("you have no photographer profile yet; create it with PUT /photographers/me")
            }
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: UserReader + PhotographerReader>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate_as(app, &req, &[Role::Photographer]).await?;
    let record = app.store.get_photographer(caller.id()).await?.ok_or(Error::NoProfile)?;
    Ok(cm_http::ok(&record.public()))
}
