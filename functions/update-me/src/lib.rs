//! `PATCH /me`: change name, phone, timezone or notification preferences.

use cm_accounts::UserView;
use cm_accounts::account::ProfilePatchInput;
use cm_app::store_problem;
use cm_app::{App, AuthError};
use cm_core::FieldErrors;
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_store::{StoreError, UserReader, UserWriter};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("invalid profile change: {0}")]
    Invalid(#[from] FieldErrors),
    /// Deleted between authentication and the write.
    #[error("the account vanished")]
    Gone,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::Invalid(errors) => Problem::validation(errors.clone()),
            Error::Gone => Problem::unauthorized("this account no longer exists"),
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: UserReader + UserWriter>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate(app, &req).await?;
    let mut patch = cm_http::parse_json::<ProfilePatchInput>(&req)?.validate()?;
    // The number it already has: saving a form again must not undo its verification.
    if patch.phone.as_ref() == Some(&caller.user.phone) {
        patch.phone = None;
    }
    let user = app.store.patch_user(caller.id(), &patch, app.now()).await?.ok_or(Error::Gone)?;
    Ok(cm_http::ok(&UserView::from(&user)))
}
