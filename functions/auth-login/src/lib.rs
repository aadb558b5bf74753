//! `POST /auth/login`: email and password for a session. Wrong email and wrong
//! password get the same answer in the same time; repeated failures on one account
//! are throttled with a growing lock-out.

use cm_accounts::account::{Email, MAX_PASSWORD_CHARS};
use cm_accounts::login_throttle::retry_after;
use cm_accounts::password;
use cm_app::App;
use cm_app::session::{SessionError, start_session};
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_store::{LoginAttempts, RefreshFamilies, StoreError, UserReader};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginInput {
    email: String,
    password: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("the email or password is incorrect")]
    BadCredentials,
    #[error("locked out for {0} more seconds")]
    LockedOut(i64),
    #[error("this account is deactivated; contact support")]
    Deactivated,
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Request(e) => e.to_problem(),
            Error::BadCredentials => Problem::unauthorized(self.to_string()),
            Error::LockedOut(secs) => Problem::too_many_requests(*secs),
            Error::Deactivated => Problem::forbidden(self.to_string()),
            Error::Session(_) | Error::Store(_) => Problem::internal(),
        }
    }
}

pub async fn handle<S: UserReader + LoginAttempts + RefreshFamilies>(
    app: &App<S>,
    req: Request,
) -> Result<Response<Body>, Error> {
    let input: LoginInput = cm_http::parse_json(&req)?;
    let now = app.now();
    if input.password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(Error::BadCredentials);
    }
    let user = match Email::parse(&input.email) {
        Ok(email) => app.store.find_user_by_email(&email.normalized()).await?,
        Err(_) => None,
    };
    let Some(user) = user else {
        password::burn_verification_time(&input.password);
        return Err(Error::BadCredentials);
    };
    let throttle_key = user.id.to_string();
    let state = app.store.login_state(&throttle_key).await?;
    if let Some(secs) = retry_after(state.locked_until, now) {
        return Err(Error::LockedOut(secs));
    }
    if !password::verify_password(&input.password, &user.password_hash) {
        let state = app.store.record_login_failure(&throttle_key, now).await?;
        return match retry_after(state.locked_until, now) {
            Some(secs) => Err(Error::LockedOut(secs)),
            None => Err(Error::BadCredentials),
        };
    }
    if !user.active {
        // Only after the password checks out: otherwise this would reveal that the
        // address has an account.
        return Err(Error::Deactivated);
    }
    if state.failures > 0 {
        app.store.reset_login_failures(&throttle_key).await?;
    }
    Ok(cm_http::ok(&start_session(app, &user).await?))
}
