//! `GET /me`: the signed-in user's own account.

use cm_domain::account::UserView;
use cm_http::{ApiError, App, Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = cm_http::authenticate(app, &req).await?;
    cm_http::ok(&UserView::from(&caller.user))
}
