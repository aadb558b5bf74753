//! `POST /auth/register`: create a client or photographer account and sign it in.

use chrono::Utc;
use cm_domain::FieldErrors;
use cm_domain::account::RegistrationInput;
use cm_http::session::start_session;
use cm_http::{ApiError, App, Body, Problem, Request, Response};
use cm_store::users::CreateUserError;

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let input: RegistrationInput = cm_http::parse_json(&req)?;
    let reg = input.validate()?;
    let now = Utc::now();
    let normalized_email = reg.email.normalized();
    let user = reg.into_user(now).map_err(ApiError::internal)?;
    match app.store.create_user(&user, &normalized_email).await {
        Ok(()) => {}
        Err(CreateUserError::EmailTaken) => {
            let problem = Problem::new(
                409,
                "email-taken",
                "Email already registered",
                "an account with this email already exists; sign in instead",
            )
            .with_errors(FieldErrors::single("email", "is already registered"));
            return Err(ApiError::Conflict(Box::new(problem)));
        }
        Err(CreateUserError::Store(e)) => return Err(e.into()),
    }
    let session = start_session(app, &user, now).await?;
    // The new account is the caller's own: `/me` is where its owner reads it back.
    cm_http::created("/me", &session)
}
