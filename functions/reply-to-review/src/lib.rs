//! `PUT /reviews/{id}/reply` `{text}`: the reviewed photographer's one public reply
//! (PUT again to edit it).

use cm_accounts::Role;
use cm_app::store_problem;
use cm_app::{App, AuthError};
use cm_core::{BookingId, FieldErrors};
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_reviews::input::ReplyInput;
use cm_reviews::view::review_view;
use cm_store::{ReviewReader, ReviewWriter, StoreError, UserReader};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("invalid reply: {0}")]
    Invalid(#[from] FieldErrors),
    #[error("no review {0}")]
    NotFound(BookingId),
    #[error("only the reviewed photographer can reply")]
    NotTheirs,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::Invalid(errors) => Problem::validation(errors.clone()),
            Error::NotFound(id) => Problem::not_found(format!("no review with id `{id}`")),
            Error::NotTheirs => Problem::forbidden(self.to_string()),
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: UserReader + ReviewReader + ReviewWriter>(
    app: &App<S>,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate_as(app, &req, &[Role::Photographer]).await?;
    let id: BookingId = cm_http::path_param(&req, "id", "review")?;
    let text = cm_http::parse_json::<ReplyInput>(&req)?.validate()?;
    let review = app.store.get_review(id).await?.ok_or(Error::NotFound(id))?;
    if review.photographer_id != caller.id() {
        return Err(Error::NotTheirs);
    }
    let updated = app.store.set_review_reply(id, &text, app.now()).await?.ok_or(Error::NotFound(id))?;
    Ok(cm_http::ok(&review_view(&updated)))
}
