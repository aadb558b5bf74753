//! `DELETE /photographers/me/calendars/{id}`: removes an external calendar and its busy
//! time at once (the times it blocked are free again). 404 for a calendar that is not
//! the caller's or is gone.

use cm_accounts::account::Role;
use cm_app::{App, AuthError, store_problem};
use cm_calsync::CalendarId;
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_store::{CalendarSources, StoreError, UserReader};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("no such calendar")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::NotFound => Problem::not_found("no such calendar"),
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: UserReader + CalendarSources>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate_as(app, &req, &[Role::Photographer]).await?;
    let id: CalendarId = cm_http::path_param(&req, "id", "calendar")?;
    let source = app.store.calendar_source(caller.id(), &id.to_string()).await?.ok_or(Error::NotFound)?;
    if !app.store.remove_calendar_source(&source).await? {
        return Err(Error::NotFound);
    }
    Ok(cm_http::no_content())
}
