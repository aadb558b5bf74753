//! `POST /feedback` `{category, subject, message}`: any signed-in user tells us
//! something. Sentiment is added by the stream; negative feedback alerts the admins.

use cm_app::store_problem;
use cm_app::{App, AuthError};
use cm_core::FieldErrors;
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_reviews::Feedback;
use cm_reviews::input::FeedbackInput;
use cm_reviews::view::feedback_view;
use cm_store::{FeedbackWriter, StoreError, UserReader};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("invalid feedback: {0}")]
    Invalid(#[from] FieldErrors),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::Invalid(errors) => Problem::validation(errors.clone()),
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: UserReader + FeedbackWriter>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate(app, &req).await?;
    let input = cm_http::parse_json::<FeedbackInput>(&req)?.validate()?;
    let feedback = Feedback::new(caller.id(), caller.role(), input.category, input.subject, input.message, app.now());
    app.store.create_feedback(&feedback).await?;
    Ok(cm_http::created(&format!("/admin/feedback/{}", feedback.id), &feedback_view(&feedback)))
}
