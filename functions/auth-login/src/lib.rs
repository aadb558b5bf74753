//! `POST /auth/login`: email and password for a session. Wrong email and wrong
//! password get the same answer in the same time; repeated failures on one account
//! are throttled with a growing lock-out.

use chrono::Utc;
use cm_domain::account::Email;
use cm_domain::login_throttle::retry_after;
use cm_domain::password;
use cm_http::session::start_session;
use cm_http::{ApiError, App, Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginInput {
    email: String,
    password: String,
}

fn bad_credentials() -> ApiError {
    ApiError::Unauthorized("the email or password is incorrect".into())
}

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let input: LoginInput = cm_http::parse_json(&req)?;
    let now = Utc::now();
    if input.password.chars().count() > cm_domain::account::MAX_PASSWORD_CHARS {
        return Err(bad_credentials());
    }
    let user = match Email::parse(&input.email) {
        Ok(email) => app.store.find_user_by_email(&email.normalized()).await?,
        Err(_) => None,
    };
    let Some(user) = user else {
        password::burn_verification_time(&input.password);
        return Err(bad_credentials());
    };
    let state = app.store.login_state(user.id).await?;
    if let Some(secs) = retry_after(state.locked_until, now) {
        return Err(ApiError::TooManyRequests { retry_after_seconds: secs });
    }
    if !password::verify_password(&input.password, &user.password_hash) {
        let state = app.store.record_login_failure(user.id, now).await?;
        return match retry_after(state.locked_until, now) {
            Some(secs) => Err(ApiError::TooManyRequests { retry_after_seconds: secs }),
            None => Err(bad_credentials()),
        };
    }
    if !user.active {
        // Only after the password checks out: otherwise this would reveal that the
        // address has an account.
        return Err(ApiError::Forbidden("this account is deactivated; contact support".into()));
    }
    if state.failures > 0 {
        app.store.reset_login_failures(user.id).await?;
    }
    cm_http::ok(&start_session(app, &user, now).await?)
}
