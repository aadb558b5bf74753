//! `PUT /me/calendar-feed`: gives the caller (a client or a photographer) a new secret
//! address of their bookings as a calendar feed, `GET /calendar/{token}.ics`, that a
//! calendar app subscribes to. The address is shown once, in this answer: only the
//! token's hash is stored (`cm_accounts::feed`). A previous address stops working at
//! once, so this is also how a leaked address is rotated.

use cm_accounts::account::Role;
use cm_accounts::feed::{new_token, token_hash};
use cm_app::{App, AuthError, store_problem};
use cm_http::{Body, Internal, IntoProblem, Problem, Request, Response};
use cm_store::{CalendarFeeds, StoreError, UserReader};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("the calendar feed kept changing while it was being replaced")]
    Contended,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Contended => cm_app::busy(),
            Error::Store(e) => store_problem(e),
            Error::Internal(_) => Problem::internal(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Feed {
    /// The address to subscribe to; a secret.
    pub url: String,
    pub path: String,
    /// The `{file}` of `GET /calendar/{file}`: `<token>.ics`.
    pub file: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

const ATTEMPTS: usize = 3;

/// The public address of this API as the caller reached it.
fn base_url(req: &Request) -> String {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let proto = header("x-forwarded-proto").filter(|p| *p == "http" || *p == "https").unwrap_or("https");
    let host = header("host").filter(|h| !h.is_empty()).unwrap_or("api.capturemoments.app");
    format!("{proto}://{host}")
}

pub async fn handle<S: UserReader + CalendarFeeds>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate_as(app, &req, &[Role::Client, Role::Photographer]).await?;
    let token = new_token();
    let hash = token_hash(&token).ok_or_else(|| Internal::new("a new feed token is malformed"))?;
    let now = app.now();
    for _ in 0..ATTEMPTS {
        let old = app.store.calendar_feed_of(caller.id()).await?;
        if app.store.replace_calendar_feed(caller.id(), old.as_ref(), Some(&hash), now).await? {
            let file = format!("{token}.ics");
            let path = format!("/calendar/{file}");
            let feed = Feed { url: format!("{}{path}", base_url(&req)), path, file, created_at: now };
            return Ok(cm_http::ok(&feed));
        }
    }
    Err(Error::Contended)
}
