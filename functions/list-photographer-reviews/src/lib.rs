//! `GET /photographers/{id}/reviews?limit=&cursor=`: public, newest first, each with
//! its sentiment and topics.

use cm_app::App;
use cm_app::store_problem;
use cm_core::UserId;
use cm_http::{Body, Internal, IntoProblem, PageBody, Problem, Query, Request, RequestError, Response};
use cm_reviews::view::review_view;
use cm_store::{PageKey, PhotographerReader, ReviewReader, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("photographer {0} does not exist or is not listed")]
    NotFound(UserId),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Request(e) => e.to_problem(),
            Error::NotFound(id) => Problem::not_found(format!("no photographer with id `{id}`")),
            Error::Store(e) => store_problem(e),
            Error::Internal(_) => Problem::internal(),
        }
    }
}

pub async fn handle<S: PhotographerReader + ReviewReader>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    let id: UserId = cm_http::path_param(&req, "id", "photographer")?;
    let mut q = Query::of(&req);
    let limit = q.limit();
    let cursor = q.text("cursor");
    q.finish(&["limit", "cursor"])?;
    match app.store.get_photographer(id).await? {
        Some(p) if p.listed => {}
        _ => return Err(Error::NotFound(id)),
    }
    let scope = format!("reviews|{id}");
    let after: Option<PageKey> = cursor.map(|c| app.cursors()?.decode(&scope, &c).map_err(Error::from)).transpose()?;
    let page = app.store.list_reviews_for(id, limit, after.as_ref()).await?;
    let next_cursor = page.next.map(|k| app.cursors()?.encode(&scope, &k)).transpose()?;
    let items: Vec<_> = page.items.iter().map(review_view).collect();
    Ok(cm_http::ok(&PageBody { items, next_cursor }))
}
