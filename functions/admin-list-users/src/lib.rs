//! `GET /admin/users?role=&limit=&cursor=`: accounts, newest first (admins only).

use cm_domain::account::{Role, UserView};
use cm_http::{ApiError, App, Body, PageBody, Query, Request, Response};

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    cm_http::authenticate_as(app, &req, &[Role::Admin]).await?;
    let mut q = Query::of(&req);
    let role = q.parse("role", "client, photographer or admin", Role::parse);
    let limit = q.limit();
    let cursor = q.text("cursor");
    q.finish(&["role", "limit", "cursor"])?;

    let scope = format!("admin-users|{}", role.map_or("all", Role::as_str));
    let after = cursor.map(|c| app.decode_cursor(&scope, &c)).transpose()?;
    let page = app.store.list_users(role, limit as i32, after.as_ref()).await?;
    let next_cursor = page.next.map(|k| app.encode_cursor(&scope, &k)).transpose()?;
    let items: Vec<UserView> = page.items.iter().map(UserView::from).collect();
    cm_http::ok(&PageBody { items, next_cursor })
}
