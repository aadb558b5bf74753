//! `PUT /photographers/me`: create or replace the caller's photographer profile.

use cm_accounts::Role;
use cm_app::store_problem;
use cm_app::{App, AuthError};
use cm_catalog::photographer::PhotographerProfileInput;
use cm_core::FieldErrors;
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_store::photographers::ProfileWriteError;
use cm_store::{PhotographerWriter, StoreError, UserReader};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("invalid profile: {0}")]
    Invalid(#[from] FieldErrors),
    #[error("the profile kept changing while it was being saved")]
    Contended,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ProfileWriteError> for Error {
    fn from(e: ProfileWriteError) -> Self {
        match e {
            ProfileWriteError::Contended => Error::Contended,
            ProfileWriteError::Store(e) => Error::Store(e),
        }
    }
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::Invalid(errors) => Problem::validation(errors.clone()),
            Error::Contended => {
                Problem::conflict("concurrent-update", "Concurrent update", "the profile changed while saving; retry")
            }
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: UserReader + PhotographerWriter>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate_as(app, &req, &[Role::Photographer]).await?;
    let profile = cm_http::parse_json::<PhotographerProfileInput>(&req)?.validate()?;
    let record = app.store.put_photographer_profile(caller.id(), &profile, caller.user.active, app.now()).await?;
    Ok(cm_http::ok(&record.public()))
}
