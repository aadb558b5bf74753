//! `DELETE /me/calendar-feed`: revokes the caller's calendar feed address; from then on
//! it answers 404. Idempotent: 204 whether or not there was one.

use cm_accounts::account::Role;
use cm_app::{App, AuthError, store_problem};
use cm_http::{Body, IntoProblem, Problem, Request, Response};
use cm_store::{CalendarFeeds, StoreError, UserReader};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("the calendar feed kept changing while it was being revoked")]
    Contended,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Contended => cm_app::busy(),
            Error::Store(e) => store_problem(e),
        }
    }
}

const ATTEMPTS: usize = 3;

pub async fn handle<S: UserReader + CalendarFeeds>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate_as(app, &req, &[Role::Client, Role::Photographer]).await?;
    for _ in 0..ATTEMPTS {
        let old = app.store.calendar_feed_of(caller.id()).await?;
        if app.store.replace_calendar_feed(caller.id(), old.as_ref(), None, app.now()).await? {
            return Ok(cm_http::no_content());
        }
    }
    Err(Error::Contended)
}
