//! `POST /auth/register`: create a client or photographer account and sign it in.

use cm_accounts::account::RegistrationInput;
use cm_accounts::password::HashError;
use cm_app::App;
use cm_app::session::{SessionError, start_session};
use cm_app::store_problem;
use cm_core::FieldErrors;
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_store::users::CreateUserError;
use cm_store::{RefreshFamilies, StoreError, UserWriter};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("invalid registration: {0}")]
    Invalid(#[from] FieldErrors),
    #[error("the email is already registered")]
    EmailTaken,
    #[error("hashing the password: {0}")]
    Hash(#[from] HashError),
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Request(e) => e.to_problem(),
            Error::Invalid(errors) => Problem::validation(errors.clone()),
            Error::EmailTaken => Problem::conflict(
                "email-taken",
                "Email already registered",
                "an account with this email already exists; sign in instead",
            )
            .with_errors(FieldErrors::single("email", "is already registered")),
            Error::Hash(_) | Error::Session(_) => Problem::internal(),
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: UserWriter + RefreshFamilies>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    let input: RegistrationInput = cm_http::parse_json(&req)?;
    let reg = input.validate()?;
    let normalized_email = reg.email.normalized();
    let user = reg.into_user(app.now())?;
    match app.store.create_user(&user, &normalized_email).await {
        Ok(()) => {}
        Err(CreateUserError::EmailTaken) => return Err(Error::EmailTaken),
        Err(CreateUserError::Store(e)) => return Err(e.into()),
    }
    let session = start_session(app, &user).await?;
    // The new account is the caller's own: `/me` is where its owner reads it back.
    Ok(cm_http::created("/me", &session))
}
