//! `PATCH /admin/users/{id}` `{active}`: deactivate or reactivate an account. A
//! deactivated user cannot sign in, their tokens stop working, and a deactivated
//! photographer disappears from search and from their public profile URL.

use cm_accounts::{Role, UserView};
use cm_app::store_problem;
use cm_app::{App, AuthError};
use cm_core::UserId;
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_store::photographers::ProfileWriteError;
use cm_store::{StoreError, UserReader, UserWriter};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateUserInput {
    active: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("an admin cannot deactivate themselves")]
    SelfDeactivation,
    #[error("no user {0}")]
    NotFound(UserId),
    #[error("the photographer profile kept changing")]
    Contended,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ProfileWriteError> for Error {
    fn from(e: ProfileWriteError) -> Self {
        match e {
            ProfileWriteError::Contended => Error::Contended,
            ProfileWriteError::Store(e) => Error::Store(e),
        }
    }
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::SelfDeactivation => Problem::conflict(
                "self-deactivation",
                "Cannot deactivate yourself",
                "ask another admin; this keeps at least one admin able to sign in",
            ),
            Error::NotFound(id) => Problem::not_found(format!("no user with id `{id}`")),
            Error::Contended => {
                Problem::conflict("concurrent-update", "Concurrent update", "the profile changed meanwhile; retry")
            }
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: UserReader + UserWriter>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    let admin = cm_app::authenticate_as(app, &req, &[Role::Admin]).await?;
    let id: UserId = cm_http::path_param(&req, "id", "user")?;
    let input: UpdateUserInput = cm_http::parse_json(&req)?;
    if id == admin.id() && !input.active {
        return Err(Error::SelfDeactivation);
    }
    let now = app.now();
    let user = app.store.set_user_active(id, input.active, now).await?.ok_or(Error::NotFound(id))?;
    Ok(cm_http::ok(&UserView::from(&user)))
}
