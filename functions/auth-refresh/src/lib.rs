//! `POST /auth/refresh`: trade a refresh token for a new pair. Tokens rotate; a
//! rotated-out token coming back means it was copied, so its family is revoked.

use cm_accounts::refresh::RefreshToken;
use cm_app::App;
use cm_app::session::session_body;
use cm_http::{Body, Internal, IntoProblem, Problem, Request, RequestError, Response};
use cm_store::tokens::Rotation;
use cm_store::{RefreshFamilies, StoreError, UserReader};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RefreshInput {
    refresh_token: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("the refresh token is invalid, expired or revoked")]
    Rejected,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Request(e) => e.to_problem(),
            Error::Rejected => Problem::unauthorized("the refresh token is invalid, expired or revoked; sign in again"),
            Error::Store(_) | Error::Internal(_) => Problem::internal(),
        }
    }
}

pub async fn handle<S: UserReader + RefreshFamilies>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    let input: RefreshInput = cm_http::parse_json(&req)?;
    let token = RefreshToken::parse(&input.refresh_token).ok_or(Error::Rejected)?;
    let now = app.now();
    let family = app.store.get_refresh_family(&token.family).await?.ok_or(Error::Rejected)?;
    if family.revoked || family.expires_at <= now {
        return Err(Error::Rejected);
    }
    if token.generation != family.generation || !token.matches_hash(&family.secret_hash) {
        if token.generation < family.generation {
            tracing::warn!(family = %token.family, "refresh token reuse; revoking the family");
            app.store.revoke_refresh_family(&token.family, now).await?;
        }
        return Err(Error::Rejected);
    }
    let user = match app.store.get_user(family.user_id).await? {
        Some(u) if u.active => u,
        _ => return Err(Error::Rejected),
    };
    let next = token.next();
    match app.store.rotate_refresh_family(&token.family, token.generation, &next.secret_hash(), now).await? {
        Rotation::Rotated => Ok(cm_http::ok(&session_body(app, &user, &next)?)),
        Rotation::Lost => {
            // A concurrent refresh with the same token won: one of the two is a copy.
            app.store.revoke_refresh_family(&token.family, now).await?;
            Err(Error::Rejected)
        }
    }
}
