//! `POST /auth/login`: email and password for a session.
//!
//! Nothing in the answer or its timing tells whether an email has an account: an
//! unknown email takes the same reads and the same password-hashing time as a known one,
//! and failures are throttled the same way for both. Failures count per email from one
//! source address (so an attacker elsewhere cannot lock the real user out) and per
//! source address (so spraying a password across accounts stays slow); see
//! `cm_accounts::login_throttle`.

use cm_accounts::account::{Email, MAX_PASSWORD_CHARS};
use cm_accounts::login_throttle::{self, PER_ACCOUNT, PER_SOURCE, retry_after};
use cm_accounts::password;
use cm_app::session::{SessionError, start_session};
use cm_app::{App, store_problem};
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
            Error::Session(_) => Problem::internal(),
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: UserReader + LoginAttempts + RefreshFamilies>(
    app: &App<S>,
    req: Request,
) -> Result<Response<Body>, Error> {
    let input: LoginInput = cm_http::parse_json(&req)?;
    let now = app.now();
    let email = Email::parse(&input.email).ok();
    // Invalid addresses are throttled under what was typed, so they cost the same.
    let who = email.as_ref().map_or_else(|| input.email.trim().to_lowercase(), Email::normalized);
    let source = cm_http::source_ip(&req).unwrap_or_else(|| "unknown".into());
    let account_key = login_throttle::account_key(&who, &source);
    let source_key = login_throttle::source_key(&source);

    let (account, from_source) =
        tokio::try_join!(app.store.login_state(&account_key), app.store.login_state(&source_key))?;
    let wait = [account.locked_until, from_source.locked_until].into_iter().filter_map(|t| retry_after(t, now)).max();
    if let Some(secs) = wait {
        return Err(Error::LockedOut(secs));
    }
    let user = match &email {
        Some(email) if input.password.chars().count() <= MAX_PASSWORD_CHARS => {
            app.store.find_user_by_email(&email.normalized()).await?
        }
        _ => None,
    };
    let verified = match &user {
        Some(u) => password::verify_password(&input.password, &u.password_hash),
        None => {
            password::burn_verification_time(&input.password);
            false
        }
    };
    let Some(user) = user.filter(|_| verified) else {
        let (account, from_source) = tokio::try_join!(
            app.store.record_login_failure(&account_key, PER_ACCOUNT, now),
            app.store.record_login_failure(&source_key, PER_SOURCE, now),
        )?;
        let wait =
            [account.locked_until, from_source.locked_until].into_iter().filter_map(|t| retry_after(t, now)).max();
        return Err(wait.map_or(Error::BadCredentials, Error::LockedOut));
    };
    if !user.active {
        // Only after the password checks out: otherwise this would reveal that the
        // address has an account.
        return Err(Error::Deactivated);
    }
    if account.failures > 0 {
        app.store.reset_login_failures(&account_key).await?;
    }
    Ok(cm_http::ok(&start_session(app, &user).await?))
}
