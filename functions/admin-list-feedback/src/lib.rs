//! `GET /admin/feedback?sentiment=&status=&limit=&cursor=`: feedback, newest first.

use cm_accounts::Role;
use cm_app::store_problem;
use cm_app::{App, AuthError};
use cm_http::{Body, Internal, IntoProblem, PageBody, Problem, Query, Request, RequestError, Response};
use cm_reviews::FeedbackStatus;
use cm_reviews::view::feedback_view;
use cm_sentiment::Label;
use cm_store::{FeedbackReader, PageKey, StoreError, UserReader};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::Store(e) => store_problem(e),
            Error::Internal(_) => Problem::internal(),
        }
    }
}

pub async fn handle<S: UserReader + FeedbackReader>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    cm_app::authenticate_as(app, &req, &[Role::Admin]).await?;
    let mut q = Query::of(&req);
    let status = q.parse("status", "open, in_progress or resolved", FeedbackStatus::parse);
    let sentiment = q.parse("sentiment", "positive, neutral or negative", |s| match s {
        "positive" => Some(Label::Positive),
        "neutral" => Some(Label::Neutral),
        "negative" => Some(Label::Negative),
        _ => None,
    });
    let limit = q.limit();
    let cursor = q.text("cursor");
    q.finish(&["status", "sentiment", "limit", "cursor"])?;
    let scope = format!("admin-feedback|{status:?}|{sentiment:?}");
    let after: Option<PageKey> = cursor.map(|c| app.cursors()?.decode(&scope, &c).map_err(Error::from)).transpose()?;
    let page = app.store.list_feedback(status, sentiment, limit, after.as_ref()).await?;
    let next_cursor = page.next.map(|k| app.cursors()?.encode(&scope, &k)).transpose()?;
    let items: Vec<_> = page.items.iter().map(feedback_view).collect();
    Ok(cm_http::ok(&PageBody { items, next_cursor }))
}
