//! `POST /auth/refresh`: trade a refresh token for a new pair. Tokens rotate. A
//! rotated-out token coming back means it was copied, so its family is revoked, except
//! in the seconds after its rotation, when it is the same holder refreshing twice at
//! once (two tabs): that is refused with 409 and the family lives on.

use cm_accounts::refresh::{RefreshDecision, RefreshToken};
use cm_app::App;
use cm_app::session::session_body;
use cm_app::store_problem;
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
    #[error("the refresh token was rotated by a concurrent request")]
    Superseded,
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
            Error::Superseded => Problem::conflict(
                "refresh-superseded",
                "Refresh token already rotated",
                "a concurrent request rotated this refresh token a moment ago; use the token it returned",
            ),
            Error::Store(e) => store_problem(e),
            Error::Internal(_) => Problem::internal(),
        }
    }
}

pub async fn handle<S: UserReader + RefreshFamilies>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    let input: RefreshInput = cm_http::parse_json(&req)?;
    let token = RefreshToken::parse(&input.refresh_token).ok_or(Error::Rejected)?;
    let now = app.now();
    let family = app.store.get_refresh_family(&token.family).await?.ok_or(Error::Rejected)?;
    refused(app, &token, family.decide(&token, now)).await?;
    let user = match app.store.get_user(family.user_id).await? {
        Some(u) if u.active && u.sessions_valid_after.is_none_or(|after| family.created_at > after) => u,
        _ => return Err(Error::Rejected),
    };
    let next = token.next();
    match app.store.rotate_refresh_family(&token.family, token.generation, &next.secret_hash(), now).await? {
        Rotation::Rotated => Ok(cm_http::ok(&session_body(app, &user, &next)?)),
        Rotation::Lost => {
            // Someone rotated between our read and our write: judge the token again
            // against what they left.
            let family = app.store.get_refresh_family(&token.family).await?.ok_or(Error::Rejected)?;
            refused(app, &token, family.decide(&token, now)).await?;
            Err(Error::Rejected)
        }
    }
}

/// `Ok` only for a token that may be rotated; a copy revokes its family on the way out.
async fn refused<S: RefreshFamilies>(
    app: &App<S>,
    token: &RefreshToken,
    decision: RefreshDecision,
) -> Result<(), Error> {
    match decision {
        RefreshDecision::Rotate => Ok(()),
        RefreshDecision::Superseded => Err(Error::Superseded),
        RefreshDecision::Reuse => {
            tracing::warn!(family = %token.family, "refresh token reuse; revoking the family");
            app.store.revoke_refresh_family(&token.family, app.now()).await?;
            Err(Error::Rejected)
        }
        RefreshDecision::Reject => Err(Error::Rejected),
    }
}
