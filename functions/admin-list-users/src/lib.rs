//! `GET /admin/users?role=&limit=&cursor=`: accounts, newest first (admins only).

use cm_accounts::{Role, UserView};
use cm_app::store_problem;
use cm_app::{App, AuthError};
use cm_http::{Body, Internal, IntoProblem, PageBody, Problem, Query, Request, RequestError, Response};
use cm_store::{PageKey, StoreError, UserDirectory, UserReader};

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

pub async fn handle<S: UserReader + UserDirectory>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    cm_app::authenticate_as(app, &req, &[Role::Admin]).await?;
    let mut q = Query::of(&req);
    let role = q.parse("role", "client, photographer or admin", Role::parse);
    let limit = q.limit();
    let cursor = q.text("cursor");
    q.finish(&["role", "limit", "cursor"])?;

    let scope = format!("admin-users|{}", role.map_or("all", Role::as_str));
    let after: Option<PageKey> = cursor.map(|c| app.cursors()?.decode(&scope, &c).map_err(Error::from)).transpose()?;
    let page = app.store.list_users(role, limit, after.as_ref()).await?;
    let next_cursor = page.next.map(|k| app.cursors()?.encode(&scope, &k)).transpose()?;
    let items: Vec<UserView> = page.items.iter().map(UserView::from).collect();
    Ok(cm_http::ok(&PageBody { items, next_cursor }))
}
