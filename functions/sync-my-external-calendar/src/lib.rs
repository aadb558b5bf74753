//! `POST /photographers/me/calendars/{id}/sync`: syncs one external calendar now (after
//! adding it, or after fixing it at the source) and answers its state: `ok` with the
//! busy count, or `failing` with the reason (its earlier busy time still counts). Once a
//! minute per calendar at most: each sync is a request to someone else's server.

use chrono::{DateTime, TimeDelta, Utc};
use cm_accounts::account::Role;
use cm_app::calendars::view;
use cm_app::{App, AuthError, store_problem};
use cm_calsync::CalendarId;
use cm_core::UserId;
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_runtime::calendars::{self, Claim, SyncResult, sync_source};
use cm_store::calendar_sources::CalendarSource;
use cm_store::{AvailabilityReader, CalendarSources, StoreError, UserReader};
use cm_webcal::Fetcher;

/// The shortest time between two syncs of one calendar asked for by hand.
pub const MIN_INTERVAL: TimeDelta = TimeDelta::seconds(60);

/// Claims lost in a row before the caller is asked to come back: each loss means another
/// attempt was just recorded, so the next read almost always answers "too soon".
const CLAIM_ATTEMPTS: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("no such calendar")]
    NotFound,
    #[error("synced {0} seconds ago")]
    TooSoon(i64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::NotFound => Problem::not_found("no such calendar"),
            Error::TooSoon(wait) => Problem::too_many_requests(*wait),
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: UserReader + CalendarSources + AvailabilityReader>(
    app: &App<S>,
    fetcher: &Fetcher,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate_as(app, &req, &[Role::Photographer]).await?;
    let id: CalendarId = cm_http::path_param(&req, "id", "calendar")?;
    let id = id.to_string();
    let now = app.now();
    let source = claim(app, caller.id(), &id, now).await?;
    let result = sync_source(&app.store, fetcher, &source, now).await?;
    let current = match result.source() {
        Some(s) => s.clone(),
        // A scheduled sync or a delete got there first: answer what is there now.
        None => app.store.calendar_source(caller.id(), &id).await?.ok_or(Error::NotFound)?,
    };
    if let SyncResult::Superseded = result {
        tracing::info!(calendar = %id, "a manual sync lost to a concurrent change");
    }
    Ok(cm_http::ok(&view(&current)))
}

/// The calendar, with this request's attempt recorded, unless an attempt began within
/// `MIN_INTERVAL`. A lost claim means another attempt was just recorded: read again.
async fn claim<S: CalendarSources>(
    app: &App<S>,
    photographer: UserId,
    id: &str,
    now: DateTime<Utc>,
) -> Result<CalendarSource, Error> {
    for _ in 0..CLAIM_ATTEMPTS {
        let source = app.store.calendar_source(photographer, id).await?.ok_or(Error::NotFound)?;
        match calendars::claim(&app.store, &source, now, MIN_INTERVAL).await? {
            Claim::Claimed(claimed) => return Ok(*claimed),
            Claim::TooSoon(seconds) => return Err(Error::TooSoon(seconds)),
            Claim::Lost => {}
        }
    }
    Err(Error::TooSoon(1))
}
