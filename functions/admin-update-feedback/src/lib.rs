//! `PATCH /admin/feedback/{id}` `{status}`: triage.

use cm_accounts::Role;
use cm_app::store_problem;
use cm_app::{App, AuthError};
use cm_core::FeedbackId;
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_reviews::FeedbackStatus;
use cm_reviews::view::feedback_view;
use cm_store::{FeedbackReader, FeedbackWriter, StoreError, UserReader};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusInput {
    status: FeedbackStatus,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("no feedback {0}")]
    NotFound(FeedbackId),
    #[error("feedback {0} kept changing while it was being updated")]
    Contended(FeedbackId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::NotFound(id) => Problem::not_found(format!("no feedback with id `{id}`")),
            Error::Contended(_) => {
                Problem::conflict("concurrent-update", "Concurrent update", "the feedback changed meanwhile; retry")
            }
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: UserReader + FeedbackReader + FeedbackWriter>(
    app: &App<S>,
    req: Request,
) -> Result<Response<Body>, Error> {
    cm_app::authenticate_as(app, &req, &[Role::Admin]).await?;
    let id: FeedbackId = cm_http::path_param(&req, "id", "feedback")?;
    let input: StatusInput = cm_http::parse_json(&req)?;
    // The stream may be writing the analysis at the same moment; re-read and retry.
    for _ in 0..3 {
        let current = app.store.get_feedback(id).await?.ok_or(Error::NotFound(id))?;
        if current.status == input.status {
            return Ok(cm_http::ok(&feedback_view(&current)));
        }
        if let Some(updated) = app.store.update_feedback_status(&current, input.status, app.now()).await? {
            return Ok(cm_http::ok(&feedback_view(&updated)));
        }
    }
    Err(Error::Contended(id))
}
