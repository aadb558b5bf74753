//! `POST /me/phone/verification/confirm` `{"code": "123456"}`: the code texted by
//! `POST /me/phone/verification`. Right and in time, the number becomes the account's,
//! verified (texts can go to it), and the code is used up; wrong, one of five tries is
//! gone (422 with how many are left); after five, or ten minutes, only a new code helps.

use cm_accounts::UserView;
use cm_accounts::phone::{self, Check};
use cm_app::{App, AuthError, store_problem};
use cm_core::FieldErrors;
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_store::phone::Written;
use cm_store::{PhoneVerifications, StoreError, UserReader};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub code: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("invalid code: {0}")]
    Invalid(#[from] FieldErrors),
    #[error("no code is waiting")]
    NonePending,
    #[error("wrong code, {0} tries left")]
    Wrong(u32),
    #[error("too many wrong codes")]
    Locked,
    #[error("the code expired")]
    Expired,
    #[error("the code changed meanwhile")]
    Raced,
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
            Error::NonePending => Problem::conflict(
                "no-verification-pending",
                "No code waiting",
                "no code is waiting to be confirmed (it was used, or never sent): ask for a new one",
            ),
            Error::Wrong(left) => Problem::new(
                422,
                "wrong-code",
                "Wrong code",
                format!("that is not the code we sent; {left} tries left"),
            )
            .with_errors(FieldErrors::single("code", "is not the code we sent"))
            .with_extension("tries_left", serde_json::json!(left)),
            Error::Locked => Problem::new(
                429,
                "too-many-wrong-codes",
                "Too many wrong codes",
                "this code no longer works after too many wrong tries: ask for a new one",
            ),
            Error::Expired => Problem::new(410, "code-expired", "Code expired", "this code expired: ask for a new one"),
            Error::Raced => Problem::conflict(
                "verification-changed",
                "Verification changed",
                "the code changed while this one was checked (a new one was asked for, or another try came first); try again",
            ),
            Error::Gone => Problem::unauthorized("this account no longer exists"),
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: UserReader + PhoneVerifications>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate(app, &req).await?;
    let input = cm_http::parse_json::<Input>(&req)?;
    let code = phone::parse_code(&input.code).map_err(|m| FieldErrors::single("code", m))?;
    let pending = app.store.pending_verification(caller.id()).await?.ok_or(Error::NonePending)?;
    let now = app.now();
    let hash = phone::hash_code(&caller.id().to_string(), &pending.phone, &code);
    match phone::check(&pending, &hash, now) {
        Check::Verified { .. } => {
            if app.store.complete_verification(caller.id(), &pending, now).await? == Written::Raced {
                return Err(Error::Raced);
            }
            let user = app.store.get_user(caller.id()).await?.ok_or(Error::Gone)?;
            Ok(cm_http::ok(&UserView::from(&user)))
        }
        Check::Wrong { left, pending: next } => {
            // Counted before answering, conditional on the version read: two guesses at
            // once cannot both be the first.
            if app.store.put_pending_verification(caller.id(), &next, Some(pending.version)).await? == Written::Raced {
                return Err(Error::Raced);
            }
            Err(Error::Wrong(left))
        }
        Check::Locked => Err(Error::Locked),
        Check::Expired => Err(Error::Expired),
    }
}
