//! `GET /photographers/{id}/reviews?limit=&cursor=`: public, newest first, each with
//! its sentiment and topics.

use cm_domain::UserId;
use cm_http::review_view::review_view;
use cm_http::{ApiError, App, Body, PageBody, Query, Request, Response};

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let id: UserId = cm_http::path_param(&req, "id", "photographer")?;
    let mut q = Query::of(&req);
    let limit = q.limit();
    let cursor = q.text("cursor");
    q.finish(&["limit", "cursor"])?;
    match app.store.get_photographer(id).await? {
        Some(p) if p.listed => {}
        _ => return Err(ApiError::NotFound(format!("no photographer with id `{id}`"))),
    }
    let scope = format!("reviews|{id}");
    let after = cursor.map(|c| app.decode_cursor(&scope, &c)).transpose()?;
    let page = app.store.list_reviews_for(id, limit, after.as_ref()).await?;
    let next_cursor = page.next.map(|k| app.encode_cursor(&scope, &k)).transpose()?;
    let items: Vec<_> = page.items.iter().map(review_view).collect();
    cm_http::ok(&PageBody { items, next_cursor })
}
