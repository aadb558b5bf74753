//! `GET /photographers/me/calendars`: the photographer's external calendars (busy time
//! in), each with its masked address and the state of its syncs. The full address is
//! never answered: it is a credential to the photographer's private calendar.

use cm_accounts::account::Role;
use cm_app::calendars::{CalendarView, view};
use cm_app::{App, AuthError, store_problem};
use cm_http::{Body, IntoProblem, Problem, Request, Response};
use cm_store::{CalendarSources, StoreError, UserReader};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Store(e) => store_problem(e),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Calendars {
    pub items: Vec<CalendarView>,
    /// How many may be added in all.
    pub max: usize,
}

pub async fn handle<S: UserReader + CalendarSources>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate_as(app, &req, &[Role::Photographer]).await?;
    let sources = app.store.calendar_sources(caller.id()).await?;
    Ok(cm_http::ok(&Calendars { items: sources.iter().map(view).collect(), max: cm_calsync::MAX_SOURCES }))
}
