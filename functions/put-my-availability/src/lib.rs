//! `PUT /photographers/me/availability`: replace the caller's availability rules.

use cm_accounts::Role;
use cm_app::store_problem;
use cm_app::{App, AuthError};
use cm_booking::AvailabilityDoc;
use cm_core::FieldErrors;
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_store::{AvailabilityWriter, StoreError, UserReader};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("invalid availability: {0}")]
    Invalid(#[from] FieldErrors),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::Invalid(errors) => Problem::validation(errors.clone()),
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: UserReader + AvailabilityWriter>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate_as(app, &req, &[Role::Photographer]).await?;
    let doc: AvailabilityDoc = cm_http::parse_json(&req)?;
    let availability = doc.validate()?;
    // Stored and answered in canonical form: defaults filled in, as it will be applied.
    let canonical = availability.to_doc();
    app.store.put_availability(caller.id(), &canonical, app.now()).await?;
    Ok(cm_http::ok(&canonical))
}
