//! `POST /auth/logout`: kill a refresh token (and with it its whole family). Always
//! 204 for a well-formed request, so logout never tells anyone whether a token was live.

use cm_accounts::refresh::RefreshToken;
use cm_app::App;
use cm_app::store_problem;
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_store::{RefreshFamilies, StoreError};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LogoutInput {
    refresh_token: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Request(e) => e.to_problem(),
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: RefreshFamilies>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    let input: LogoutInput = cm_http::parse_json(&req)?;
    let Some(token) = RefreshToken::parse(&input.refresh_token) else { return Ok(cm_http::no_content()) };
    let Some(family) = app.store.get_refresh_family(&token.family).await? else { return Ok(cm_http::no_content()) };
    // Only the current holder may end the family; a stale copy must not log the real
    // owner out.
    if token.generation == family.generation && token.matches_hash(&family.secret_hash) {
        app.store.revoke_refresh_family(&token.family, app.now()).await?;
    }
    Ok(cm_http::no_content())
}
