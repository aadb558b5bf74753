//! `GET /photographers/me/availability`: the caller's availability rules.

use cm_domain::account::Role;
use cm_http::{ApiError, App, Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = cm_http::authenticate_as(app, &req, &[Role::Photographer]).await?;
    let doc = app.store.get_availability(caller.id()).await?.ok_or_else(|| {
        ApiError::NotFound("you have not set your availability yet; use PUT /photographers/me/availability".into())
    })?;
    cm_http::ok(&doc)
}
