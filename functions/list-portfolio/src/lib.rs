//! `GET /photographers/{id}/portfolio?category=&limit=&cursor=`: public. Only `ready`
//! items, in the photographer's order (position, then age), each with the URLs of its
//! display sizes under `public_base` (the CDN in AWS, the local stack locally).

use cm_app::{App, store_problem};
use cm_core::UserId;
use cm_http::{Body, Internal, IntoProblem, PageBody, Problem, Query, Request, RequestError, Response};
use cm_media::item::Category;
use cm_media::{ItemId, PortfolioItem};
use cm_store::{PhotographerReader, PortfolioReader, StoreError};

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

pub async fn handle<S: PhotographerReader + PortfolioReader>(
    app: &App<S>,
    public_base: &str,
    req: Request,
) -> Result<Response<Body>, Error> {
    let id: UserId = cm_http::path_param(&req, "id", "photographer")?;
    let mut q = Query::of(&req);
    let limit = q.limit();
    let category = q.parse("category", &format!("one of {}", Category::allowed_list()), Category::parse);
    let cursor = q.text("cursor");
    q.finish(&["category", "limit", "cursor"])?;
    match app.store.get_photographer(id).await? {
        Some(p) if p.listed => {}
        _ => return Err(Error::NotFound(id)),
    }
    // The cursor is bound to the photographer and the filter it was issued for.
    let scope = format!("portfolio|{id}|{}", category.map_or("", |c| c.as_str()));
    let after: Option<(u32, ItemId)> =
        cursor.map(|c| app.cursors()?.decode(&scope, &c).map_err(Error::from)).transpose()?;
    // A portfolio is bounded by its quota: one read of it, ordered here.
    let mut items: Vec<PortfolioItem> = app
        .store
        .portfolio(id, false)
        .await?
        .items
        .into_iter()
        .filter(|i| category.is_none_or(|c| i.category == c))
        .filter(|i| after.is_none_or(|a| i.order_key() > a))
        .collect();
    items.sort_by_key(PortfolioItem::order_key);
    let public: Vec<_> = items.iter().filter_map(|i| i.public(public_base)).collect();
    let more = public.len() > limit;
    let page: Vec<_> = public.into_iter().take(limit).collect();
    let next_cursor = match page.last() {
        Some(last) if more => Some(app.cursors()?.encode(&scope, &(last.position, last.id))?),
        _ => None,
    };
    Ok(cm_http::ok(&PageBody { items: page, next_cursor }))
}
