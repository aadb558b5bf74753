//! `GET /me`: the signed-in user's own account.

use cm_accounts::UserView;
use cm_app::{App, AuthError};
use cm_http::{Body, Request, Response};
use cm_store::UserReader;

pub async fn handle<S: UserReader>(app: &App<S>, req: Request) -> Result<Response<Body>, AuthError> {
    let caller = cm_app::authenticate(app, &req).await?;
    Ok(cm_http::ok(&UserView::from(&caller.user)))
}
