//! `POST /photographers/me/calendars` `{url, label?}`: adds an external calendar (the
//! secret iCal address Google, Outlook or iCloud give) whose busy time blocks bookings.
//! The address is checked at once (https, a public host: no literal private, loopback,
//! link-local or metadata address, no `localhost`); the names it uses are checked again
//! on every fetch. At most `MAX_SOURCES`, each address once. The calendar is due at
//! once: the next scheduled sync reads it (or `POST …/{id}/sync` now).

use cm_accounts::account::Role;
use cm_app::calendars::{new_source, view};
use cm_app::{App, AuthError, store_problem};
use cm_calsync::MAX_SOURCES;
use cm_calsync::source::{UrlPolicy, validate_new};
use cm_core::FieldErrors;
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_store::calendar_sources::AddSourceError;
use cm_store::{CalendarSources, StoreError, UserReader};
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("invalid calendar: {0}")]
    Invalid(FieldErrors),
    #[error("already {MAX_SOURCES} calendars")]
    Full,
    #[error("this calendar was added already")]
    Duplicate,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::Invalid(errors) => Problem::validation(errors.clone()),
            Error::Full => Problem::conflict(
                "calendar-limit",
                "Too many calendars",
                format!("at most {MAX_SOURCES} external calendars; remove one first"),
            ),
            Error::Duplicate => {
                Problem::conflict("calendar-exists", "Calendar already added", "this calendar is already added")
            }
            Error::Store(e) => store_problem(e),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCalendar {
    pub url: String,
    #[serde(default)]
    pub label: Option<String>,
}

/// `policy` is the fetch's (`cm_webcal::FetchConfig::from_env`): an address it would
/// refuse is refused here at once.
pub async fn handle<S: UserReader + CalendarSources>(
    app: &App<S>,
    policy: &UrlPolicy,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate_as(app, &req, &[Role::Photographer]).await?;
    let input: NewCalendar = cm_http::parse_json(&req)?;
    let (url, label) = validate_new(&input.url, input.label.as_deref(), *policy).map_err(Error::Invalid)?;
    let source = new_source(caller.id(), &url, label, app.now());
    match app.store.add_calendar_source(&source, MAX_SOURCES).await {
        Ok(()) => {}
        Err(AddSourceError::Full) => return Err(Error::Full),
        Err(AddSourceError::Duplicate) => return Err(Error::Duplicate),
        Err(AddSourceError::Store(e)) => return Err(e.into()),
    }
    Ok(cm_http::created(&format!("/photographers/me/calendars/{}", source.source_id), &view(&source)))
}
