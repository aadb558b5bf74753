//! `GET /photographers/me`: the caller's own profile as clients see it.

use cm_domain::account::Role;
use cm_http::{ApiError, App, Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = cm_http::authenticate_as(app, &req, &[Role::Photographer]).await?;
    let record = app.store.get_photographer(caller.id()).await?.ok_or_else(|| {
        ApiError::NotFound("you have no photographer profile yet; create it with PUT /photographers/me".into())
    })?;
    cm_http::ok(&record.public())
}
